//! The audit log: who changed what, when, as seen by the operating system.

use super::sql;
use super::sql::{Conn, params};
use chrono::{DateTime, Utc};

use super::codec::instant;

/// One change, recorded inside the transaction that makes it, so that the log and the data
/// never disagree.
pub struct Change<'a> {
    pub at: DateTime<Utc>,
    pub os_user: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    /// The row changed; `None` for a change of many rows (an import).
    pub entity_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

pub fn record(conn: &Conn, change: &Change<'_>) -> sql::Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_log (at, os_user, action, entity, entity_id, before, after)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        instant(&change.at),
        change.os_user,
        change.action,
        change.entity,
        change.entity_id,
        change.before.as_ref().map(|v| v.to_string()),
        change.after.as_ref().map(|v| v.to_string()),
    ])?;
    Ok(())
}
