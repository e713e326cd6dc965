//! Logging calls, emails, meetings and notes, and the drafts that keep a half-typed note safe.

use super::sql;
use super::sql::Conn;
use super::sql::{OptionalExtension, params};
use chrono::{DateTime, Utc};
use serde_json::json;

use super::audit::{self, Change};
use super::codec::{day, instant, read};
use super::{Hold, Store, StoreError};
use crate::domain::access::Write;
use crate::domain::model::{Interaction, InteractionKind};

/// A form as the rep left it, field by field as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Draft {
    pub kind: String,
    pub outcome: String,
    pub body: String,
    pub tags: String,
    pub follow_up: String,
}

impl Store {
    /// Stores the interaction, drops the rep's draft for the account, and records both in the
    /// audit log, all in one transaction. Returns the new interaction's id.
    pub fn log_interaction(
        &mut self,
        account_id: i64,
        new: &Interaction,
        os_user: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        for (field, text) in [("summary", &new.summary), ("body", &new.body)]
            .into_iter()
            .chain(new.outcome.iter().map(|o| ("outcome", o)))
            .chain(new.tags.iter().map(|t| ("tag", t)))
        {
            self.text_ok(field, text)?;
        }
        // An outcome is one of a few words, so that outcomes can be counted.
        if let Some(outcome) = &new.outcome {
            outcome
                .parse::<crate::domain::model::Outcome>()
                .map_err(|e| self.invalid("outcome", e.to_string()))?;
        }
        // A promise to call back is for a day to come: one already past would stand in the
        // queue as late the moment it is made.
        if let Some(day) = new.follow_up_on {
            let logged_on = new.occurred_at.date_naive();
            if day < logged_on {
                return Err(self.invalid(
                    "follow-up",
                    format!(
                        "{day} is before the day it is logged ({logged_on}): give a day to come"
                    ),
                ));
            }
        }
        // A check-in done is the due one done: read, then changed (see `complete_due`).
        let hold = if new.kind == InteractionKind::CheckIn {
            Hold::WriteLock
        } else {
            Hold::Rows
        };
        self.write_holding(Write::Log, hold, |tx| {
            let rep_id: Option<i64> = match &new.rep {
                Some(login) => tx
                    .query_row("SELECT id FROM reps WHERE login = ?1", [login], |r| {
                        r.get(0)
                    })
                    .optional()?,
                None => None,
            };
            let id = insert(tx, account_id, rep_id, new)?;
            // A check-in logged is the due check-in done; the caller schedules the next.
            if new.kind == InteractionKind::CheckIn {
                super::checkins::complete_due(tx, account_id, rep_id, new.outcome.as_deref(), now)?;
            }
            // A call or an email reaches the customer: it is the outreach of every payment of
            // theirs that is failing.
            if matches!(new.kind, InteractionKind::Call | InteractionKind::Email) {
                tx.execute(
                    "UPDATE failed_payments SET last_outreach_at = ?2
                     WHERE account_id = ?1 AND status = 'failing'
                       AND (last_outreach_at IS NULL OR last_outreach_at < ?2)",
                    params![account_id, instant(&new.occurred_at)],
                )?;
            }
            if let Some(login) = new.rep.as_deref() {
                tx.execute(
                    "DELETE FROM drafts WHERE rep_login = ?1 AND account_id = ?2",
                    params![login, account_id],
                )?;
            }
            audit::record(
                tx,
                &Change {
                    at: now,
                    os_user,
                    action: "log interaction",
                    entity: "interactions",
                    entity_id: Some(id),
                    before: None,
                    after: Some(json!({
                        "account_id": account_id,
                        "rep": new.rep,
                        "kind": new.kind.as_str(),
                        "occurred_at": instant(&new.occurred_at),
                        "summary": new.summary,
                        "body": new.body,
                        "outcome": new.outcome,
                        "tags": new.tags,
                        "follow_up_on": new.follow_up_on.map(day),
                    })),
                },
            )?;
            Ok(id)
        })
    }

    /// Keeps what the rep has typed so far. Drafts are the rep's own scratch, not customer
    /// data, so they are not audited.
    pub fn save_draft(
        &mut self,
        rep: &str,
        account_id: i64,
        draft: &Draft,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write(Write::Own, |tx| {
            tx.prepare_cached(
                "INSERT INTO drafts (rep_login, account_id, kind, outcome, body, tags, follow_up, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (rep_login, account_id) DO UPDATE SET kind = excluded.kind,
                     outcome = excluded.outcome, body = excluded.body, tags = excluded.tags,
                     follow_up = excluded.follow_up, updated_at = excluded.updated_at",
            )?
            .execute(params![
                rep,
                account_id,
                draft.kind,
                draft.outcome,
                draft.body,
                draft.tags,
                draft.follow_up,
                instant(&now)
            ])?;
            Ok(())
        })
    }

    /// Keeps text the rep typed elsewhere (account notes that a conflict or a hang-up left
    /// unsaved) in their draft on the account: under a draft already there, never over it, and
    /// once however often it is asked.
    pub fn keep_in_draft(
        &mut self,
        rep: &str,
        account_id: i64,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.text_ok("draft", text)?;
        let text = text.trim();
        self.write(Write::Own, |tx| {
            let body: Option<String> = tx
                .query_row(
                    "SELECT body FROM drafts WHERE rep_login = ?1 AND account_id = ?2",
                    params![rep, account_id],
                    |r| r.get("body"),
                )
                .optional()?;
            match body {
                Some(body) if body.contains(text) => {}
                Some(body) => {
                    tx.execute(
                        "UPDATE drafts SET body = ?3, updated_at = ?4
                         WHERE rep_login = ?1 AND account_id = ?2",
                        params![
                            rep,
                            account_id,
                            format!("{}\n\n{text}", body.trim_end()),
                            instant(&now)
                        ],
                    )?;
                }
                None => {
                    tx.execute(
                        "INSERT INTO drafts (rep_login, account_id, kind, outcome, body, tags,
                                             follow_up, updated_at)
                         VALUES (?1, ?2, 'note', '', ?3, '', '', ?4)",
                        params![rep, account_id, text, instant(&now)],
                    )?;
                }
            }
            Ok(())
        })
    }

    pub fn draft(
        &self,
        rep: &str,
        account_id: i64,
    ) -> Result<Option<(Draft, DateTime<Utc>)>, StoreError> {
        self.conn
            .query_row(
                "SELECT kind, outcome, body, tags, follow_up, updated_at FROM drafts
                 WHERE rep_login = ?1 AND account_id = ?2",
                params![rep, account_id],
                |r| {
                    Ok((
                        Draft {
                            kind: r.get("kind")?,
                            outcome: r.get("outcome")?,
                            body: r.get("body")?,
                            tags: r.get("tags")?,
                            follow_up: r.get("follow_up")?,
                        },
                        read::instant(r, "updated_at")?,
                    ))
                },
            )
            .optional()
            .map_err(|e| self.fail(e))
    }

    pub fn discard_draft(&mut self, rep: &str, account_id: i64) -> Result<(), StoreError> {
        self.write(Write::Own, |tx| {
            tx.execute(
                "DELETE FROM drafts WHERE rep_login = ?1 AND account_id = ?2",
                params![rep, account_id],
            )?;
            Ok(())
        })
    }
}

/// Inserts one interaction; the one place that writes the interactions table.
pub(super) fn insert(
    conn: &Conn,
    account_id: i64,
    rep_id: Option<i64>,
    i: &Interaction,
) -> sql::Result<i64> {
    let mut id = 0;
    write(i, account_id, rep_id, |values| {
        id = conn.query_row(
            &format!(
                "INSERT INTO interactions ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 RETURNING id"
            ),
            values,
            |r| r.get(0),
        )?;
        Ok(())
    })?;
    Ok(id)
}

/// The columns an interaction is written in, in the order [`write`] gives their values.
pub(super) const COLUMNS: &str =
    "account_id, rep_id, kind, occurred_at, summary, body, outcome, tags, follow_up_on";

/// Hands `to` the values of an interaction's row (see [`COLUMNS`]).
pub(super) fn write(
    i: &Interaction,
    account_id: i64,
    rep_id: Option<i64>,
    to: impl FnOnce(&[&dyn sql::ToArg]) -> sql::Result<()>,
) -> sql::Result<()> {
    to(params![
        account_id,
        rep_id,
        i.kind.as_str(),
        instant(&i.occurred_at),
        i.summary,
        i.body,
        i.outcome,
        i.tags.join(" "),
        i.follow_up_on.map(day),
    ])
}

impl Store {
    /// Gives an account to another rep (or to the team queue with `None`), bumping its version
    /// and recording the change.
    pub fn assign_owner(
        &mut self,
        account_id: i64,
        login: Option<&str>,
        os_user: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write(Write::Assign, |tx| {
            let before: Option<String> = tx
                .query_row(
                    "SELECT r.login FROM accounts a LEFT JOIN reps r ON r.id = a.owner_rep_id
                     WHERE a.id = ?1",
                    [account_id],
                    |r| r.get(0),
                )
                .optional()?
                .flatten();
            let rep_id: Option<i64> = match login {
                Some(login) => Some(
                    tx.query_row(
                        "SELECT id FROM reps WHERE login = ?1 AND active = 1",
                        [login],
                        |r| r.get(0),
                    )
                    .optional()?
                    .map_or_else(|| Err(not_a_rep(tx, login)), Ok)?,
                ),
                None => None,
            };
            let changed = tx.execute(
                "UPDATE accounts SET owner_rep_id = ?2, version = version + 1, updated_at = ?3
                 WHERE id = ?1",
                params![account_id, rep_id, instant(&now)],
            )?;
            if changed == 0 {
                return Err(sql::Error::NoRows);
            }
            audit::record(
                tx,
                &Change {
                    at: now,
                    os_user,
                    action: "assign owner",
                    entity: "accounts",
                    entity_id: Some(account_id),
                    before: Some(json!({ "owner": before })),
                    after: Some(json!({ "owner": login })),
                },
            )
        })
    }
}

/// The refusal of a login that is no active rep, with the one most likely meant.
fn not_a_rep(tx: &sql::Tx<'_>, login: &str) -> sql::Error {
    let logins: Vec<String> = tx
        .prepare("SELECT login FROM reps WHERE active = 1")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .unwrap_or_default();
    let hint = match crate::domain::text::nearest(login, logins.iter().map(String::as_str)) {
        Some(meant) => format!(" (did you mean {meant}? `team` leaves it to the team)"),
        None => " (`retain reps list` names them; `team` leaves it to the team)".to_string(),
    };
    // A login pasted by mistake may be pages long: the reason must still show.
    let shown = crate::display::truncate(login, 20);
    sql::Error::Aborted(Box::new(super::access::Refused(format!(
        "{shown:?} is not an active rep{hint}"
    ))))
}
