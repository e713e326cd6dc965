//! A PostgreSQL server named as libpq names one: a URL (`postgresql://user@host:5432/db?…`) or
//! a connection string (`host=db1,db2 dbname=retain target_session_attrs=read-write`).
//!
//! `tokio-postgres` parses both, hosts lists and failover included, but knows only `disable`,
//! `prefer` and `require` of libpq's TLS modes and nothing of root certificates. The TLS keys are
//! taken out here and handled in [`super::connect`]; the rest goes to its parser untouched. What
//! the string leaves out comes from the `PG…` variables as libpq takes it (a standby set up with
//! `PGHOST` and `PGSSLMODE` works the same for retain as for `psql`).

use std::path::PathBuf;
use std::str::FromStr;

/// libpq's TLS modes (`sslmode`), checked as libpq checks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    Disable,
    /// Try TLS first, then without (libpq's `allow` tries the other way round; both leave the
    /// choice to the server, so `allow` is taken as this).
    Prefer,
    /// TLS or nothing; the certificate is checked only if a root certificate is there.
    Require,
    /// TLS with a certificate signed by the root certificate.
    VerifyCa,
    /// TLS with a certificate signed by the root certificate, for the host connected to.
    VerifyFull,
}

impl TlsMode {
    fn parse(text: &str) -> Result<TlsMode, String> {
        Ok(match text {
            "disable" => TlsMode::Disable,
            "allow" | "prefer" => TlsMode::Prefer,
            "require" => TlsMode::Require,
            "verify-ca" => TlsMode::VerifyCa,
            "verify-full" => TlsMode::VerifyFull,
            other => {
                return Err(format!(
                    "sslmode {other:?} is not one of disable, allow, prefer, require, verify-ca, verify-full"
                ));
            }
        })
    }
}

/// Where the root certificate that signs the server's comes from (`sslrootcert`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootCert {
    /// A PEM file of one or more certificates.
    File(PathBuf),
    /// The system's trusted authorities (`sslrootcert=system`).
    System,
}

/// A server to connect to, as parsed.
#[derive(Debug, Clone)]
pub struct ConnInfo {
    pub config: postgres::Config,
    pub tls: TlsMode,
    /// None: libpq's default, `~/.postgresql/root.crt`, if it is there.
    pub root_cert: Option<RootCert>,
}

/// Whether `text` names a server rather than a file: a `postgres://` or `postgresql://` URL, or
/// a connection string that starts with one of libpq's keys (`host=…`, `dbname=…`). A file
/// whose name looks like one is still reached as `./host=…`.
pub fn names_a_server(text: &str) -> bool {
    let text = text.trim_start();
    if url_rest(text).is_some() {
        return true;
    }
    match text.split_once('=') {
        Some((key, _)) => KEYS.contains(&key.trim()),
        None => false,
    }
}

/// The keys of libpq's connection strings that retain accepts.
const KEYS: &[&str] = &[
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "options",
    "application_name",
    "sslmode",
    "sslrootcert",
    "sslnegotiation",
    "connect_timeout",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_retries",
    "tcp_user_timeout",
    "target_session_attrs",
    "channel_binding",
    "load_balance_hosts",
    "passfile",
];

/// Keys libpq knows that retain does not act on: refused by name rather than ignored, since each
/// asks for something (a client certificate, a revocation list) that would silently not happen.
const UNSUPPORTED: &[&str] = &[
    "sslcert",
    "sslkey",
    "sslpassword",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "requirepeer",
    "gssencmode",
    "krbsrvname",
    "service",
];

fn url_rest(text: &str) -> Option<&str> {
    text.strip_prefix("postgresql://")
        .or_else(|| text.strip_prefix("postgres://"))
}

/// The environment a connection string falls back on (libpq's `PG…` variables, the password
/// file).
pub trait Env {
    fn var(&self, name: &str) -> Option<String>;

    /// A file that only its owner may read, or None where there is none; one that others may
    /// read is refused, since it holds passwords.
    fn private_file(&self, path: &std::path::Path) -> Result<Option<String>, String>;
}

/// The process's own environment.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }

    fn private_file(&self, path: &std::path::Path) -> Result<Option<String>, String> {
        use std::os::unix::fs::PermissionsExt;
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let mode = meta.permissions().mode();
        if mode & 0o077 != 0 {
            return Err(format!(
                "{} holds passwords and others may read it (mode {:o}): chmod 600 it",
                path.display(),
                mode & 0o777
            ));
        }
        std::fs::read_to_string(path)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// The password file's password for the first host, where the string and `PGPASSWORD` gave
/// none.
fn password_from_file(
    config: &postgres::Config,
    file: Option<String>,
    env: &dyn Env,
) -> Result<Option<String>, String> {
    use postgres::config::Host;
    let path = match file.or_else(|| env.var("PGPASSFILE")) {
        Some(path) => std::path::PathBuf::from(path),
        None => match dirs::home_dir() {
            Some(home) => home.join(".pgpass"),
            None => return Ok(None),
        },
    };
    let Some(text) = env.private_file(&path)? else {
        return Ok(None);
    };
    let user = config.get_user().unwrap_or_default();
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(name)) => name.clone(),
        Some(Host::Unix(dir)) => dir.display().to_string(),
        None => return Ok(None),
    };
    Ok(super::pgpass::password(
        &text,
        &super::pgpass::Wanted {
            host: &host,
            port: config.get_ports().first().copied().unwrap_or(5432),
            database: config.get_dbname().unwrap_or(user),
            user,
        },
    ))
}

/// Parses `text` (see [`names_a_server`]); `os_user` is the role when nothing names one, as in
/// libpq.
pub fn parse(text: &str, env: &dyn Env, os_user: &str) -> Result<ConnInfo, String> {
    let (rest, ours) = if url_rest(text.trim_start()).is_some() {
        take_from_url(text.trim())?
    } else {
        take_from_keywords(text)?
    };
    let mut config = postgres::Config::from_str(&rest).map_err(|e| e.to_string())?;
    // A host name with `@` in it is a password's `@` not written `%40`: the rest of the
    // password would be said in every message, and asked of the DNS.
    if config
        .get_hosts()
        .iter()
        .any(|h| matches!(h, postgres::config::Host::Tcp(name) if name.contains('@')))
    {
        return Err("a host name has @ in it: an @ in a password is written %40".into());
    }
    let mut tls = None;
    let mut root_cert = None;
    let mut passfile = None;
    for (key, value) in ours {
        match key.as_str() {
            "sslmode" => tls = Some(TlsMode::parse(&value)?),
            "passfile" => passfile = Some(value),
            _ => root_cert = Some(root_cert_of(&value)),
        }
    }
    if config.get_hosts().is_empty() {
        let hosts = env.var("PGHOST").unwrap_or_else(default_host);
        for host in hosts.split(',') {
            config.host(host);
        }
    }
    if config.get_ports().is_empty() {
        if let Some(port) = env.var("PGPORT") {
            let port = port
                .parse()
                .map_err(|_| format!("PGPORT {port:?} is not a port number"))?;
            config.port(port);
        }
    }
    if config.get_user().is_none() {
        config.user(env.var("PGUSER").as_deref().unwrap_or(os_user));
    }
    if config.get_password().is_none() {
        if let Some(password) = env.var("PGPASSWORD") {
            config.password(password);
        }
    }
    if config.get_dbname().is_none() {
        if let Some(dbname) = env.var("PGDATABASE") {
            config.dbname(&dbname);
        }
    }
    if config.get_password().is_none() {
        if let Some(password) = password_from_file(&config, passfile, env)? {
            config.password(password);
        }
    }
    let tls = match tls {
        Some(mode) => mode,
        None => match env.var("PGSSLMODE") {
            Some(mode) => TlsMode::parse(&mode).map_err(|e| format!("PGSSLMODE: {e}"))?,
            None => TlsMode::Prefer,
        },
    };
    if root_cert.is_none() {
        root_cert = env.var("PGSSLROOTCERT").map(|value| root_cert_of(&value));
    }
    Ok(ConnInfo {
        config,
        tls,
        root_cert,
    })
}

/// libpq's default: the folder Debian's server puts its socket in, where there is one.
fn default_host() -> String {
    let socket_dir = "/var/run/postgresql";
    if std::path::Path::new(socket_dir).is_dir() {
        socket_dir.to_string()
    } else {
        "localhost".to_string()
    }
}

fn root_cert_of(value: &str) -> RootCert {
    if value == "system" {
        RootCert::System
    } else {
        RootCert::File(PathBuf::from(value))
    }
}

/// The keys handled here rather than by `tokio-postgres`: `sslmode`, `sslrootcert`, `passfile`.
fn is_ours(key: &str) -> bool {
    matches!(key, "sslmode" | "sslrootcert" | "passfile")
}

fn check_key(key: &str) -> Result<(), String> {
    if UNSUPPORTED.contains(&key) {
        Err(format!(
            "{key} is not supported by retain yet: leave it out"
        ))
    } else {
        Ok(())
    }
}

/// Takes the TLS keys out of a URL's query, returning the URL without them.
fn take_from_url(text: &str) -> Result<(String, Vec<(String, String)>), String> {
    let Some((base, query)) = text.split_once('?') else {
        return Ok((text.to_string(), Vec::new()));
    };
    let mut kept = Vec::new();
    let mut ours = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode(key)?;
        check_key(&key)?;
        if is_ours(&key) {
            ours.push((key, percent_decode(value)?));
        } else {
            kept.push(pair);
        }
    }
    let rest = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((rest, ours))
}

fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("{text:?}: a % is not followed by two hex digits"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("{text:?} is not UTF-8 once decoded"))
}

/// Takes the TLS keys out of a `key=value …` string (values quoted with `'`, `\` escaping),
/// returning the rest written out again.
fn take_from_keywords(text: &str) -> Result<(String, Vec<(String, String)>), String> {
    let mut kept = Vec::new();
    let mut ours = Vec::new();
    for (key, value) in keyword_pairs(text)? {
        check_key(&key)?;
        if !KEYS.contains(&key.as_str()) {
            return Err(format!("{key:?} is not a key of a connection string"));
        }
        if is_ours(&key) {
            ours.push((key, value));
        } else {
            let quoted = value.replace('\\', "\\\\").replace('\'', "\\'");
            kept.push(format!("{key}='{quoted}'"));
        }
    }
    Ok((kept.join(" "), ours))
}

fn keyword_pairs(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Ok(pairs);
        }
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && !c.is_whitespace()) {
            key.push(c);
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.next() != Some('=') {
            return Err(format!("{key:?} has no = and value"));
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'\'').is_some() {
            loop {
                match chars.next() {
                    Some('\'') => break,
                    Some('\\') => value.extend(chars.next()),
                    Some(c) => value.push(c),
                    None => return Err(format!("the value of {key} has no closing quote")),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                if c == '\\' {
                    value.extend(chars.next());
                } else {
                    value.push(c);
                }
            }
        }
        pairs.push((key, value));
    }
}

/// The server as messages name it: role, hosts and database, never the password.
pub fn shown(config: &postgres::Config) -> String {
    use postgres::config::Host;
    let ports = config.get_ports();
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let name = match host {
                Host::Tcp(name) => name.clone(),
                Host::Unix(path) => path.display().to_string(),
            };
            match ports.get(i).or(ports.first()) {
                Some(port) => format!("{name}:{port}"),
                None => name,
            }
        })
        .collect();
    let user = config.get_user().unwrap_or("");
    let db = config.get_dbname().unwrap_or(user);
    format!("postgresql://{user}@{}/{db}", hosts.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoEnv;
    impl Env for NoEnv {
        fn var(&self, _: &str) -> Option<String> {
            None
        }
        fn private_file(&self, _: &std::path::Path) -> Result<Option<String>, String> {
            Ok(None)
        }
    }

    struct Vars(&'static [(&'static str, &'static str)]);
    impl Env for Vars {
        fn var(&self, name: &str) -> Option<String> {
            self.0
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
        fn private_file(&self, path: &std::path::Path) -> Result<Option<String>, String> {
            Ok((path == std::path::Path::new("/team/.pgpass"))
                .then(|| "db1:5432:retain:lee:from-the-file\n".to_string()))
        }
    }

    #[test]
    fn a_password_file_gives_the_password_the_string_does_not() {
        let env = Vars(&[("PGPASSFILE", "/team/.pgpass")]);
        let info = parse("postgresql://lee@db1/retain", &env, "amara").unwrap();
        assert_eq!(info.config.get_password(), Some(&b"from-the-file"[..]));
        let info = parse("postgresql://lee:given@db1/retain", &env, "amara").unwrap();
        assert_eq!(info.config.get_password(), Some(&b"given"[..]));
        let info = parse(
            "host=db1 dbname=retain user=lee passfile=/elsewhere",
            &env,
            "amara",
        )
        .unwrap();
        assert_eq!(info.config.get_password(), None);
    }

    fn parsed(text: &str) -> ConnInfo {
        parse(text, &NoEnv, "amara").unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn urls_and_connection_strings_name_servers_and_paths_name_files() {
        assert!(names_a_server("postgres://db/retain"));
        assert!(names_a_server("postgresql://db/retain"));
        assert!(names_a_server("host=db dbname=retain"));
        assert!(names_a_server("  dbname = retain"));
        assert!(!names_a_server("/srv/retain/team.db"));
        assert!(!names_a_server("team.db"));
        assert!(!names_a_server("./host=db"));
        assert!(!names_a_server("weird=name.db"));
    }

    #[test]
    fn tls_keys_are_taken_out_of_a_url_and_the_rest_kept() {
        let info = parsed(
            "postgresql://rep%40team:s3cret@db1:5433,db2:5434/retain?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&target_session_attrs=read-write",
        );
        assert_eq!(info.tls, TlsMode::VerifyFull);
        assert_eq!(info.root_cert, Some(RootCert::File("/etc/ca.pem".into())));
        assert_eq!(info.config.get_user(), Some("rep@team"));
        assert_eq!(info.config.get_password(), Some(&b"s3cret"[..]));
        assert_eq!(info.config.get_hosts().len(), 2);
        assert_eq!(info.config.get_ports(), &[5433, 5434]);
        assert_eq!(
            info.config.get_target_session_attrs(),
            postgres::config::TargetSessionAttrs::ReadWrite
        );
        assert_eq!(
            shown(&info.config),
            "postgresql://rep@team@db1:5433,db2:5434/retain"
        );
    }

    #[test]
    fn a_connection_string_keeps_quoted_values() {
        let info = parsed(r"host=db1 password='it\'s a secret' dbname=retain sslmode=require");
        assert_eq!(info.tls, TlsMode::Require);
        assert_eq!(info.config.get_password(), Some(&b"it's a secret"[..]));
        assert_eq!(info.config.get_dbname(), Some("retain"));
        assert_eq!(info.config.get_user(), Some("amara"));
    }

    #[test]
    fn what_the_string_leaves_out_comes_from_the_environment() {
        let env = Vars(&[
            ("PGHOST", "standby1,standby2"),
            ("PGPORT", "6432"),
            ("PGUSER", "lee"),
            ("PGDATABASE", "team"),
            ("PGSSLMODE", "verify-ca"),
        ]);
        let info = parse("postgresql://", &env, "amara").unwrap();
        assert_eq!(
            shown(&info.config),
            "postgresql://lee@standby1:6432,standby2:6432/team"
        );
        assert_eq!(info.tls, TlsMode::VerifyCa);
        // The string wins over the environment (a URL's host without a port is on 5432, as
        // tokio-postgres reads it, where libpq would take PGPORT).
        let info = parse("postgresql://primary/retain?sslmode=disable", &env, "amara").unwrap();
        assert_eq!(shown(&info.config), "postgresql://lee@primary:5432/retain");
        assert_eq!(info.tls, TlsMode::Disable);
    }

    #[test]
    fn bad_and_unsupported_keys_are_refused_by_name() {
        let err = |text: &str| parse(text, &NoEnv, "amara").unwrap_err();
        assert!(err("postgresql://db/x?sslmode=always").contains("sslmode \"always\""));
        assert!(err("host=db sslcert=/me.crt").contains("sslcert is not supported"));
        assert!(err("postgresql://db/x?sslkey=/k").contains("sslkey is not supported"));
        assert!(err("host=db service=team").contains("service is not supported"));
        let leak = err("postgresql://pw:SECRET@f@db1/x");
        assert!(leak.contains("written %40") && !leak.contains("SECRET") && !leak.contains("f@"));
        assert!(err("host=db colour=blue").contains("\"colour\" is not a key"));
        assert!(err("host=db password='open").contains("no closing quote"));
        assert!(err("postgresql://db/x?sslmode=%zz").contains("two hex digits"));
    }
}
