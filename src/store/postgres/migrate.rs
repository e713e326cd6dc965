//! The server's schema version, kept in `retain_schema`, and its numbered migrations.
//!
//! As on SQLite, pending migrations run together in one transaction, so a database is either
//! wholly upgraded or left as it was. An advisory lock taken inside it makes two processes that
//! open an old database at once upgrade it once: the second waits, then finds the work done.

use postgres::Client;

use crate::store::migrations::{Migration, Outcome, parse};

/// The schema, embedded at build time.
pub const SCHEMA: &str = include_str!("schema.sql");

/// The advisory lock held while the schema is read or changed: 'RTN1', as SQLite's
/// `application_id`.
const SCHEMA_LOCK: i64 = 0x5254_4E31;

/// The table that marks a database as retain's and holds its schema version. It is made before
/// migration 1 and is no part of the schema the engines share.
pub const VERSION_TABLE: &str = "retain_schema";

/// The channel every change is announced on, with the backend pid of the connection that made
/// it: a console listens, and reloads what it shows when another connection changed something
/// (SQLite's `data_version`). The announcing triggers are the server's own, not part of the
/// schema the engines share: the migrator puts one on every table, so a table a later migration
/// adds is announced too.
pub const CHANGES: &str = "retain_changes";

/// The name of the announcing trigger on each table.
pub const ANNOUNCER: &str = "retain_announce";

fn announce_changes(tx: &mut postgres::Transaction<'_>) -> Result<(), postgres::Error> {
    tx.batch_execute(&format!(
        "CREATE OR REPLACE FUNCTION {ANNOUNCER}() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
             PERFORM pg_notify('{CHANGES}', pg_backend_pid()::text);
             RETURN NULL;
         END $$;"
    ))?;
    let tables: Vec<String> = tx
        .query(
            "SELECT relname::text FROM pg_class
             WHERE relkind = 'r' AND relnamespace = current_schema()::regnamespace AND relname <> $1",
            &[&VERSION_TABLE],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect();
    for table in tables {
        tx.batch_execute(&format!(
            "CREATE OR REPLACE TRIGGER {ANNOUNCER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
             ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {ANNOUNCER}()"
        ))?;
    }
    Ok(())
}

/// The name of the trigger that signs the audit log with the server's word for who wrote
/// (migration 15): the server's own, as a file has no roles.
pub const AUDIT_SIGNER: &str = "retain_audit_role";

/// Who may write, by the server's own rights: every role may read what retain keeps (SELECT
/// to PUBLIC), and only the members of the database's writers role may change it. `retain reps
/// add` makes a rep's role a member and `reps deactivate` takes it out, so a role that is not an
/// active rep is refused by the server, whatever program it writes with. Granted again after
/// every migration, so that a table a migration adds is covered.
fn grant_rights(tx: &mut postgres::Transaction<'_>, fresh: bool) -> Result<(), postgres::Error> {
    let quoted = role(tx, WRITERS, fresh)?;
    let schema: String = tx
        .query_one("SELECT quote_ident(current_schema())", &[])?
        .get(0);
    tx.batch_execute(&format!(
        "REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM PUBLIC;
         GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO PUBLIC;
         GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {quoted};
         REVOKE INSERT, UPDATE, DELETE ON {VERSION_TABLE} FROM {quoted};
         GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {quoted};
         CREATE TABLE IF NOT EXISTS {WRITE_LOCK_TABLE} (
             one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one)
         );
         INSERT INTO {WRITE_LOCK_TABLE} VALUES (TRUE) ON CONFLICT DO NOTHING;
         REVOKE ALL ON {WRITE_LOCK_TABLE} FROM PUBLIC;
         GRANT SELECT, UPDATE ON {WRITE_LOCK_TABLE} TO {quoted};"
    ))?;
    let admins = role(tx, ADMINS, fresh)?;
    tx.batch_execute(
        &LEAST_RIGHTS
            .replace("{writers}", &quoted)
            .replace("{admins}", &admins),
    )
}

/// The role `name` (SQL that names it), made if missing, quoted; a role left from a database of
/// the same name dropped before loses its members when the database is `fresh`.
fn role(
    tx: &mut postgres::Transaction<'_>,
    name: &str,
    fresh: bool,
) -> Result<String, postgres::Error> {
    let (name, quoted, exists): (String, String, bool) = {
        let row = tx.query_one(
            &format!(
                "SELECT {name}, quote_ident({name}),
                        EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {name})"
            ),
            &[],
        )?;
        (row.get(0), row.get(1), row.get(2))
    };
    if !exists {
        tx.batch_execute(&format!("CREATE ROLE {quoted} NOLOGIN"))?;
    } else if fresh {
        let members: Vec<String> = tx
            .query(
                "SELECT quote_ident(m.rolname) FROM pg_auth_members a
                 JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
                 WHERE r.rolname = $1",
                &[&name],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect();
        for member in members {
            tx.batch_execute(&format!("REVOKE {quoted} FROM {member}"))?;
        }
    }
    Ok(quoted)
}

/// What a writer may not do, though the writers may change most things: the audit log is only
/// added to, accounts are never deleted (an account churns), and the team (`reps`) is changed
/// only by an admin's role, a member of the admins' role too (see `reps add`).
const LEAST_RIGHTS: &str = "REVOKE UPDATE, DELETE ON audit_log FROM {writers};
     REVOKE DELETE ON accounts FROM {writers};
     REVOKE INSERT, UPDATE, DELETE ON reps FROM {writers};
     GRANT INSERT, UPDATE ON reps TO {admins};";

/// The admins' role of the open database, as SQL.
pub const ADMINS: &str = "'retain_admins_' || current_database()";

/// The writers role of the open database, as SQL: one per database, since roles are the
/// cluster's and one cluster may hold several teams.
pub const WRITERS: &str = "'retain_writers_' || current_database()";

/// The table whose one row a write transaction locks (see `sql::pg`): a row lock needs the
/// right to update the row, which only the writers have.
pub const WRITE_LOCK_TABLE: &str = "retain_write_lock";

/// The migrations of the embedded schema.
pub fn embedded() -> Vec<Migration<'static>> {
    parse(SCHEMA).expect("postgres/schema.sql is cut into migrations 1, 2, 3 ...")
}

/// What is found before migrating.
pub enum Found {
    /// A retain database at this version (0: marked, nothing built yet).
    Version(u32),
    /// No retain mark, and no tables.
    Blank,
    /// Tables of something else.
    Foreign(Vec<String>),
}

/// Reads what the database is, without changing it.
pub fn found(client: &mut impl postgres::GenericClient) -> Result<Found, postgres::Error> {
    let marked: bool = client
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&VERSION_TABLE])?
        .get(0);
    if marked {
        let version: i64 = client
            .query_one(&format!("SELECT version FROM {VERSION_TABLE}"), &[])?
            .get(0);
        return Ok(Found::Version(u32::try_from(version).unwrap_or(u32::MAX)));
    }
    let tables: Vec<String> = client
        .query(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = current_schema() ORDER BY 1",
            &[],
        )?
        .iter()
        .map(|row| row.get(0))
        .collect();
    Ok(if tables.is_empty() {
        Found::Blank
    } else {
        Found::Foreign(tables)
    })
}

/// What [`migrate`] did, or why it did nothing.
pub enum Migrated {
    Done(Outcome),
    Foreign(Vec<String>),
}

/// Brings the database up to the last of `migrations`, marking a blank one as retain's first.
pub fn migrate(
    client: &mut Client,
    migrations: &[Migration<'_>],
) -> Result<Migrated, postgres::Error> {
    let target = migrations.last().map_or(0, |m| m.version);
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])?;
    let found = found(&mut tx)?;
    let fresh = matches!(found, Found::Blank);
    let current = match found {
        Found::Foreign(tables) => return Ok(Migrated::Foreign(tables)),
        Found::Version(version) => version,
        Found::Blank => {
            tx.batch_execute(&format!(
                "CREATE TABLE {VERSION_TABLE} (
                     application TEXT NOT NULL CHECK (application = 'retain'),
                     version     BIGINT NOT NULL
                 );
                 INSERT INTO {VERSION_TABLE} VALUES ('retain', 0);"
            ))?;
            0
        }
    };
    if current > target {
        return Ok(Migrated::Done(Outcome::TooNew { found: current }));
    }
    if current == target {
        tx.commit()?;
        return Ok(Migrated::Done(Outcome::UpToDate));
    }
    for migration in migrations.iter().filter(|m| m.version > current) {
        tx.batch_execute(migration.sql)?;
    }
    tx.execute(
        &format!("UPDATE {VERSION_TABLE} SET version = $1"),
        &[&i64::from(target)],
    )?;
    announce_changes(&mut tx)?;
    grant_rights(&mut tx, fresh)?;
    tx.commit()?;
    Ok(Migrated::Done(Outcome::Upgraded {
        from: current,
        to: target,
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_server_has_a_migration_for_each_of_sqlites() {
        assert_eq!(
            super::embedded().len(),
            crate::store::migrations::embedded().len()
        );
    }
}
