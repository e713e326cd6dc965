//! Passwords from a password file (`~/.pgpass`, `PGPASSFILE` or `passfile=`), as libpq reads
//! them: lines of `host:port:database:user:password`, `*` matching anything, `\` escaping `:`
//! and itself, `#` starting a comment. The first line that matches wins.

/// What a line is matched against.
pub struct Wanted<'a> {
    pub host: &'a str,
    pub port: u16,
    pub database: &'a str,
    pub user: &'a str,
}

/// The password the file's first matching line gives, if any.
pub fn password(file: &str, wanted: &Wanted<'_>) -> Option<String> {
    let port = wanted.port.to_string();
    file.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(fields)
        .find(|f| {
            let matches = |field: &str, value: &str| field == "*" || field == value;
            // libpq's "localhost" also stands for the default socket directory.
            let host = matches(&f[0], wanted.host)
                || (f[0] == "localhost" && wanted.host.starts_with('/'));
            host && matches(&f[1], &port)
                && matches(&f[2], wanted.database)
                && matches(&f[3], wanted.user)
        })
        .map(|f| f[4].clone())
}

/// A line's five fields, unescaped; None for a line that has fewer.
fn fields(line: &str) -> Option<[String; 5]> {
    let mut out: Vec<String> = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.last_mut()?.extend(chars.next()),
            // The password is the rest of the line, colons and all.
            ':' if out.len() < 5 => out.push(String::new()),
            c => out.last_mut()?.push(c),
        }
    }
    out.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# the team's server\n\
        db1:5432:retain:amara:s3cret\n\
        *:*:*:lee:with\\:colon\\\\and:more\n\
        localhost:5432:*:*:local\n\
        short:line\n";

    fn wanted<'a>(host: &'a str, user: &'a str) -> Wanted<'a> {
        Wanted {
            host,
            port: 5432,
            database: "retain",
            user,
        }
    }

    #[test]
    fn the_first_matching_line_gives_the_password() {
        assert_eq!(
            password(FILE, &wanted("db1", "amara")).as_deref(),
            Some("s3cret")
        );
        assert_eq!(
            password(FILE, &wanted("db2", "lee")).as_deref(),
            Some("with:colon\\and:more")
        );
        assert_eq!(password(FILE, &wanted("db2", "amara")), None);
        assert_eq!(
            password(FILE, &wanted("/var/run/postgresql", "amara")).as_deref(),
            Some("local")
        );
    }
}
