//! The reps: who may work the accounts, and who may manage the reps.

use super::sql;
use super::sql::{OptionalExtension, Tx, params};
use chrono::{DateTime, Utc};
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
        let run = || -> sql::Result<Vec<Rep>> {
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

    /// Adds a rep, or brings back and updates one that was deactivated: its role is `role`,
    /// a new rep's `rep` when none is given, and a known rep's stays as it was. The role it
    /// ends with is returned. The file keeps an active admin whatever is asked (see
    /// `keeps_an_admin`), and `team`, the console's word for the team queue, is no login.
    pub fn add_rep(
        &mut self,
        login: &str,
        display_name: &str,
        role: Option<&str>,
        os_user: &str,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        self.text_ok("login", login)?;
        self.text_ok("name", display_name)?;
        if login == "team" {
            return Err(self.invalid(
                "login",
                "team is the console's word for the team queue (:assign team): choose another"
                    .into(),
            ));
        }
        self.write(Write::Team, |tx| {
            let had_admin = active_admins(tx)? > 0;
            let before: Option<(String, String, bool)> = tx
                .query_row(
                    "SELECT display_name, role, active FROM reps WHERE login = ?1",
                    [login],
                    |r| Ok((r.get("display_name")?, r.get("role")?, r.get("active")?)),
                )
                .optional()?;
            let (id, role): (i64, String) = tx.query_row(
                "INSERT INTO reps (login, display_name, role, active)
                 VALUES (?1, ?2, coalesce(?3, 'rep'), 1)
                 ON CONFLICT (login) DO UPDATE SET
                     display_name = excluded.display_name,
                     role = coalesce(?3, reps.role),
                     active = 1
                 RETURNING id, role",
                params![login, display_name, role],
                |r| Ok((r.get("id")?, r.get("role")?)),
            )?;
            keeps_an_admin(tx, had_admin)?;
            may_write(tx, login, Some(role.as_str()))?;
            audit::record(
                tx,
                &Change {
                    at: now,
                    os_user,
                    action: "add rep",
                    entity: "reps",
                    entity_id: Some(id),
                    before: before.map(|(name, role, active)| {
                        json!({ "login": login, "display_name": name, "role": role, "active": active })
                    }),
                    after: Some(
                        json!({ "login": login, "display_name": display_name, "role": role }),
                    ),
                },
            )?;
            Ok(role.clone())
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
            keeps_an_admin(tx, true)?;
            if id.is_some() {
                may_write(tx, login, None)?;
            }
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

/// On a server, the rep's role joins the database's writers (and an admin's the admins', able to
/// grant both in turn), or leaves them (`None`: the rep is off the team), in the same
/// transaction as the change to the team: the server itself then refuses a role that is not an
/// active rep, and a rep's role that is not an admin's (see `postgres::migrate::grant_rights`).
/// Only a login role of its own may be a rep: a group role would make writers of all its
/// members, beyond what `reps deactivate` reaches. A file has no such rights to keep.
fn may_write(tx: &Tx<'_>, login: &str, role: Option<&str>) -> sql::Result<()> {
    use super::postgres::migrate::{ADMINS, WRITERS};
    if tx.engine() != sql::Engine::Postgres {
        return Ok(());
    }
    let refused = |why: String| Err(sql::Error::Aborted(Box::new(super::access::Refused(why))));
    let found: Option<(bool, bool)> = tx
        .query_row(
            "SELECT r.rolcanlogin, EXISTS (SELECT 1 FROM pg_auth_members m WHERE m.roleid = r.oid)
             FROM pg_roles r WHERE r.rolname = ?1",
            [login],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (writers, admins, quoted): (String, String, String) = tx.query_row(
        &format!("SELECT quote_ident({WRITERS}), quote_ident({ADMINS}), quote_ident(?1)"),
        [login],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let Some(role) = role else {
        if found.is_some() {
            tx.execute_batch(&format!(
                "REVOKE {writers} FROM {quoted}; REVOKE {admins} FROM {quoted};"
            ))?;
        }
        return Ok(());
    };
    match found {
        None => refused(format!(
            "there is no role {login} on the server to write as: a database admin makes it first (CREATE ROLE \"{login}\" LOGIN PASSWORD '…'), then add the rep again"
        )),
        Some(_) if login.starts_with("pg_") => {
            refused(format!("{login} is one of the server's own roles, not a rep's"))
        }
        Some((false, _)) | Some((_, true)) => refused(format!(
            "the role {login} is a group, not a person's login: a rep writes as a login role of their own"
        )),
        Some(_) if role == "admin" => tx.execute_batch(&format!(
            "GRANT {writers} TO {quoted} WITH ADMIN OPTION; GRANT {admins} TO {quoted} WITH ADMIN OPTION;"
        )),
        Some(_) => tx.execute_batch(&format!(
            "REVOKE {admins} FROM {quoted}; REVOKE ADMIN OPTION FOR {writers} FROM {quoted};
             GRANT {writers} TO {quoted};"
        )),
    }
}

fn active_admins(tx: &Tx<'_>) -> sql::Result<i64> {
    tx.query_row(
        "SELECT count(*) FROM reps WHERE role = 'admin' AND active = 1",
        [],
        |r| r.get(0),
    )
}

/// Refuses a change to the team that leaves a file which had an active admin without one:
/// nobody could add a rep or change a role again. Checked inside the change's transaction, so
/// two admins taking each other off at once cannot both succeed.
fn keeps_an_admin(tx: &Tx<'_>, had: bool) -> sql::Result<()> {
    if had && active_admins(tx)? == 0 {
        return Err(sql::Error::Aborted(Box::new(
            super::access::Refused(
                "this would leave the file without an active admin: make another rep an admin first (retain reps add LOGIN --name NAME --role admin)".into(),
            ),
        )));
    }
    Ok(())
}
