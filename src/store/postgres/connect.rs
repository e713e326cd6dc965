//! Connecting to a server, with TLS as libpq's `sslmode` means it.

use std::path::PathBuf;
use std::time::Duration;

use native_tls::{Certificate, TlsConnector};
use postgres::config::SslMode;
use postgres_native_tls::MakeTlsConnector;

use super::conninfo::{ConnInfo, RootCert, TlsMode};

/// How long a connection attempt to one host may take when the string sets no
/// `connect_timeout`: an unreachable standby must not hang the console at start.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// libpq's default root certificate, used when present.
fn default_root_cert() -> Option<RootCert> {
    let path = dirs::home_dir()?.join(".postgresql/root.crt");
    path.is_file().then_some(RootCert::File(path))
}

/// Connects; the error is the server's or the network's words, with what to do when it is a
/// TLS matter. The TLS connector comes back beside the client: a cancel request is a
/// connection of its own, made the same way.
pub fn connect(info: &ConnInfo) -> Result<(postgres::Client, Option<MakeTlsConnector>), String> {
    let mut config = info.config.clone();
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    if config.get_application_name().is_none() {
        config.application_name("retain");
    }
    // retain's tables are in `public`, whatever the role's search_path says: with a schema
    // named after the role (as PostgreSQL's own docs advise), its default put a copy's tables
    // there, and every other rep found an empty database.
    let options = match config.get_options() {
        Some(given) => format!("{given} -c search_path=public"),
        None => "-c search_path=public".to_string(),
    };
    config.options(&options);
    match info.tls {
        TlsMode::Disable => {
            config.ssl_mode(SslMode::Disable);
            let client = config
                .connect(postgres::NoTls)
                .map_err(|e| describe(&e, info.tls))?;
            Ok((client, None))
        }
        mode => {
            config.ssl_mode(if mode == TlsMode::Prefer {
                SslMode::Prefer
            } else {
                SslMode::Require
            });
            let connector = MakeTlsConnector::new(tls_connector(info)?);
            let client = config
                .connect(connector.clone())
                .map_err(|e| describe(&e, info.tls))?;
            Ok((client, Some(connector)))
        }
    }
}

/// The TLS side: which certificates are trusted and what of them is checked.
fn tls_connector(info: &ConnInfo) -> Result<TlsConnector, String> {
    let root = info.root_cert.clone().or_else(default_root_cert);
    let mut builder = TlsConnector::builder();
    match (info.tls, &root) {
        (TlsMode::VerifyCa | TlsMode::VerifyFull, None) => {
            return Err(format!(
                "sslmode={} checks the server's certificate, so it needs the root certificate that signs it: add sslrootcert=FILE (or sslrootcert=system), or put it in ~/.postgresql/root.crt",
                if info.tls == TlsMode::VerifyCa {
                    "verify-ca"
                } else {
                    "verify-full"
                }
            ));
        }
        // As libpq: without a root certificate, `prefer` and `require` encrypt but cannot tell
        // the server from an impostor.
        (_, None) => {
            builder.danger_accept_invalid_certs(true);
        }
        (mode, Some(root)) => {
            if let RootCert::File(path) = root {
                builder.disable_built_in_roots(true);
                for cert in read_certificates(path)? {
                    builder.add_root_certificate(cert);
                }
            }
            // Only verify-full checks that the certificate is the host's.
            builder.danger_accept_invalid_hostnames(mode != TlsMode::VerifyFull);
        }
    }
    builder
        .build()
        .map_err(|e| format!("could not set up TLS: {e}"))
}

fn read_certificates(path: &PathBuf) -> Result<Vec<Certificate>, String> {
    let pem = std::fs::read(path).map_err(|e| format!("sslrootcert {}: {e}", path.display()))?;
    let certs = Certificate::stack_from_pem(&pem)
        .map_err(|e| format!("sslrootcert {}: not PEM certificates ({e})", path.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "sslrootcert {}: no certificate in the file",
            path.display()
        ));
    }
    Ok(certs)
}

/// The words of a failed connection: the server's message when it answered, else the cause.
fn describe(error: &postgres::Error, tls: TlsMode) -> String {
    use std::error::Error;
    if let Some(db) = error.as_db_error() {
        let mut text = db.message().to_string();
        if text.contains("no encryption") && tls == TlsMode::Disable {
            text.push_str(" (the server wants TLS: drop sslmode=disable)");
        }
        return text;
    }
    let mut text = error.to_string();
    let mut source = error.source();
    let mut refused = false;
    while let Some(cause) = source {
        let words = cause.to_string();
        refused |= cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused);
        if !text.contains(&words) {
            text = format!("{text}: {words}");
        }
        source = cause.source();
    }
    if refused {
        text.push_str(
            " (no server answers there: is it running, or restarting? try again in a moment)",
        );
    }
    text
}
