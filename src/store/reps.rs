//! The reps: who may work the accounts, and who may manage the reps.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::json;

use super::audit::{self, Change};
use super::{Store, StoreError};
use crate::domain::access::Write;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rep {
    pub login: String,
    pub display_name: String,
    pub role: String,
    pub active: bool,
    /// Active accounts the rep owns.
    pub accounts: i64,
}

impl Store {
    /// The display name and role of a rep, if `login` is one and active.
    pub fn rep(&self, login: &str) -> Result<Option<(String, String)>, StoreError> {
        self.conn
            .query_row(
                "SELECT display_name, role FROM reps WHERE login = ?1 AND active = 1",
                [login],
                |r| Ok((r.get("display_name")?, r.get("role")?)),
            )
            .optional()
            .map_err(|e| self.fail(e))
    }

    pub fn reps(&self) -> Result<Vec<Rep>, StoreError> {
        let run = || -> rusqlite::Result<Vec<Rep>> {
            self.conn
                .prepare(
                    "SELECT r.login, r.display_name, r.role, r.active,
                            (SELECT count(*) FROM accounts a
                             WHERE a.owner_rep_id = r.id AND a.status = 'active') AS accounts
                     FROM reps r ORDER BY r.active DESC, r.login",
                )?
                .query_map([], |r| {
                    Ok(Rep {
                        login: r.get("login")?,
                        display_name: r.get("display_name")?,
                        role: r.get("role")?,
                        active: r.get("active")?,
                        accounts: r.get("accounts")?,
                    })
                })?
                .collect()
        };
        run().map_err(|e| self.fail(e))
    }

    /// Adds a rep, or brings back and updates one that was deactivated.
    pub fn add_rep(
        &mut self,
        login: &str,
        display_name: &str,
        role: &str,
        os_user: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.text_ok("login", login)?;
        self.text_ok("name", display_name)?;
        self.write(Write::Team, |tx| {
            tx.execute(
                "INSERT INTO reps (login, display_name, role, active) VALUES (?1, ?2, ?3, 1)
                 ON CONFLICT (login) DO UPDATE SET
                     display_name = excluded.display_name, role = excluded.role, active = 1",
                params![login, display_name, role],
            )?;
            let id: i64 = tx.query_row("SELECT id FROM reps WHERE login = ?1", [login], |r| {
                r.get(0)
            })?;
            audit::record(
                tx,
                &Change {
                    at: now,
                    os_user,
                    action: "add rep",
                    entity: "reps",
                    entity_id: Some(id),
                    before: None,
                    after: Some(
                        json!({ "login": login, "display_name": display_name, "role": role }),
                    ),
                },
            )
        })
    }

    /// Takes a rep off the team; their accounts stay theirs until reassigned. False when there
    /// is no such active rep.
    pub fn deactivate_rep(
        &mut self,
        login: &str,
        os_user: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.write(Write::Team, |tx| {
            let id: Option<i64> = tx
                .query_row(
                    "UPDATE reps SET active = 0 WHERE login = ?1 AND active = 1 RETURNING id",
                    [login],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(id) = id {
                audit::record(
                    tx,
                    &Change {
                        at: now,
                        os_user,
                        action: "deactivate rep",
                        entity: "reps",
                        entity_id: Some(id),
                        before: Some(json!({ "login": login, "active": true })),
                        after: Some(json!({ "login": login, "active": false })),
                    },
                )?;
            }
            Ok(id.is_some())
        })
    }
}
