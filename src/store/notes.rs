//! The account notes: one text per account that any rep edits, saved only over the version the
//! rep started from.

use super::sql::{OptionalExtension, params};
use chrono::{DateTime, Utc};
use serde_json::json;

use super::audit::{self, Change};
use super::codec::instant;
use super::{Store, StoreError};
use crate::domain::access::Write;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotesSave {
    Saved {
        version: i64,
    },
    /// Someone changed the account since `base_version`: nothing was written.
    Conflict {
        theirs: String,
        version: i64,
        /// Who made the last change, and when, from the audit log.
        by: Option<(String, String)>,
    },
}

impl Store {
    /// The notes and the version they belong to.
    pub fn notes(&self, account_id: i64) -> Result<Option<(String, i64)>, StoreError> {
        self.conn
            .query_row(
                "SELECT notes, version FROM accounts WHERE id = ?1",
                [account_id],
                |r| Ok((r.get("notes")?, r.get("version")?)),
            )
            .optional()
            .map_err(|e| self.fail(e))
    }

    /// Saves `text` if the account is still at `base_version`; else says what is there now.
    pub fn save_notes(
        &mut self,
        account_id: i64,
        base_version: i64,
        text: &str,
        os_user: &str,
        now: DateTime<Utc>,
    ) -> Result<NotesSave, StoreError> {
        self.text_ok("notes", text)?;
        let rep = self.who.as_ref().map(|w| w.login.clone());
        self.write(Write::Notes, |tx| {
            let (before, version): (String, i64) = tx.query_row(
                "SELECT notes, version FROM accounts WHERE id = ?1",
                [account_id],
                |r| Ok((r.get("notes")?, r.get("version")?)),
            )?;
            if version != base_version {
                // The rep who saved, by name (an admin acting as a rep is that rep), else
                // the OS user who did.
                let rep = tx.pick(
                    "json_extract(l.after, '$.rep')",
                    "(CAST(l.after AS JSON) ->> 'rep')",
                );
                let by = tx
                    .query_row(
                        &format!(
                            "SELECT coalesce(r.display_name, {rep}, l.os_user) AS saved_by, l.at
                             FROM audit_log l
                             LEFT JOIN reps r ON r.login = {rep}
                             WHERE l.entity = 'accounts' AND l.entity_id = ?1
                             ORDER BY l.id DESC LIMIT 1"
                        ),
                        [account_id],
                        |r| Ok((r.get("saved_by")?, r.get("at")?)),
                    )
                    .optional()?;
                return Ok(NotesSave::Conflict {
                    theirs: before,
                    version,
                    by,
                });
            }
            tx.execute(
                "UPDATE accounts SET notes = ?2, version = version + 1, updated_at = ?3
                 WHERE id = ?1",
                params![account_id, text, instant(&now)],
            )?;
            audit::record(
                tx,
                &Change {
                    at: now,
                    os_user,
                    action: "edit notes",
                    entity: "accounts",
                    entity_id: Some(account_id),
                    before: Some(json!({ "notes": before, "version": version })),
                    after: Some(json!({ "notes": text, "version": version + 1, "rep": rep })),
                },
            )?;
            Ok(NotesSave::Saved {
                version: version + 1,
            })
        })
    }
}
