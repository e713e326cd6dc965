//! The account card: everything a rep needs on one screen while the customer is on the phone.

use super::sql;
use super::sql::{OptionalExtension, params};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::Serialize;

use super::accounts::AccountRow;
use super::codec::read;
use super::{Store, StoreError};
use crate::domain::money;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountCard {
    pub row: AccountRow,
    pub industry: Option<String>,
    /// Where the customer is (ISO 3166 alpha-2), when known.
    pub country: Option<String>,
    pub billing_interval: String,
    pub owner_name: Option<String>,
    pub churned_at: Option<NaiveDate>,
    pub churn_reason: Option<String>,
    pub churn_kind: Option<String>,
    pub version: i64,
    pub contacts: Vec<ContactRow>,
    pub open_payments: Vec<OpenPayment>,
    pub next_checkin: Option<(NaiveDate, String)>,
    pub open_tickets: i64,
    pub timeline: Vec<TimelineEntry>,
    /// Who works the account when it has no owner, and until when (filled by the caller,
    /// which knows the time).
    pub claim: Option<(String, chrono::DateTime<chrono::Utc>)>,
    /// The team's notes on the account (saved against `version`).
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactRow {
    pub contact_id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: Option<String>,
    pub is_primary: bool,
}

const CONTACT_COLUMNS: &str = "id, name, email, phone, role, is_primary";

fn contact_row(r: &sql::Row<'_>) -> sql::Result<ContactRow> {
    Ok(ContactRow {
        contact_id: r.get("id")?,
        name: r.get("name")?,
        email: r.get("email")?,
        phone: r.get("phone")?,
        role: r.get("role")?,
        is_primary: r.get("is_primary")?,
    })
}

impl Store {
    /// The contacts among `ids` that are still there.
    pub fn contacts_by_id(&self, ids: &[i64]) -> Result<Vec<ContactRow>, StoreError> {
        self.conn
            .rows_for_ids(
                &format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE id IN ({{ids}})"),
                ids,
                |c: &ContactRow| c.contact_id,
                contact_row,
            )
            .map_err(|e| self.fail(e))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenPayment {
    pub payment_id: i64,
    pub external_ref: String,
    pub amount_cents: i64,
    pub currency: String,
    pub decline_code: String,
    pub attempts: i64,
    pub first_failed_at: DateTime<Utc>,
    pub next_retry_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Interaction,
    TicketOpened,
    TicketResolved,
    Nps,
    Payment,
    Mrr,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    /// A word for the kind of event: call, email, ticket, NPS, payment ...
    pub label: String,
    pub title: String,
    /// Facts in a line: an interaction's outcome, tags and follow-up, a ticket's severity.
    pub detail: String,
    /// What a rep wrote beyond the title (an interaction's note), in full.
    pub body: String,
    /// The rep who had the interaction.
    pub who: Option<String>,
}

/// How many timeline entries a card carries; older ones are for the export.
const TIMELINE_LIMIT: usize = 300;

impl Store {
    pub fn account_card(&self, account_id: i64) -> Result<Option<AccountCard>, StoreError> {
        self.read_card(account_id).map_err(|e| self.fail(e))
    }

    fn read_card(&self, id: i64) -> sql::Result<Option<AccountCard>> {
        let c = &self.conn;
        let Some(row) = self.rows_by_id(&[id])?.pop() else {
            return Ok(None);
        };
        let head = c
            .query_row(
                "SELECT a.industry, a.billing_interval, r.display_name, a.churned_at,
                        a.churn_reason, a.churn_kind, a.version, a.notes, a.country
                 FROM accounts a LEFT JOIN reps r ON r.id = a.owner_rep_id WHERE a.id = ?1",
                [id],
                |r| {
                    Ok(AccountCard {
                        row: row.clone(),
                        industry: r.get("industry")?,
                        billing_interval: r.get("billing_interval")?,
                        owner_name: r.get("display_name")?,
                        churned_at: read::opt_day(r, "churned_at")?,
                        churn_reason: r.get("churn_reason")?,
                        churn_kind: r.get("churn_kind")?,
                        version: r.get("version")?,
                        contacts: Vec::new(),
                        open_payments: Vec::new(),
                        next_checkin: None,
                        open_tickets: 0,
                        timeline: Vec::new(),
                        claim: None,
                        notes: r.get("notes")?,
                        country: r.get("country")?,
                    })
                },
            )
            .optional()?;
        let Some(mut card) = head else {
            return Ok(None);
        };
        card.contacts = c
            .prepare_cached(&format!(
                "SELECT {CONTACT_COLUMNS} FROM contacts
                 WHERE account_id = ?1 ORDER BY is_primary DESC, id"
            ))?
            .query_map([id], contact_row)?
            .collect::<sql::Result<_>>()?;
        card.open_payments = c
            .prepare_cached(
                "SELECT id, external_ref, amount_cents, currency, last_decline_code, attempt_count,
                        first_failed_at, next_retry_at
                 FROM failed_payments WHERE account_id = ?1 AND status = 'failing'
                 ORDER BY first_failed_at",
            )?
            .query_map([id], |r| {
                Ok(OpenPayment {
                    payment_id: r.get("id")?,
                    external_ref: r.get("external_ref")?,
                    amount_cents: r.get("amount_cents")?,
                    currency: r.get("currency")?,
                    decline_code: r.get("last_decline_code")?,
                    attempts: r.get("attempt_count")?,
                    first_failed_at: read::instant(r, "first_failed_at")?,
                    next_retry_at: read::opt_instant(r, "next_retry_at")?,
                })
            })?
            .collect::<sql::Result<_>>()?;
        card.next_checkin = c
            .query_row(
                "SELECT due_date, kind FROM checkins WHERE account_id = ?1 AND done_at IS NULL
                 ORDER BY due_date LIMIT 1",
                [id],
                |r| Ok((read::day(r, "due_date")?, r.get("kind")?)),
            )
            .optional()?;
        card.open_tickets = c.query_row(
            "SELECT count(*) FROM tickets WHERE account_id = ?1 AND resolved_at IS NULL",
            [id],
            |r| r.get(0),
        )?;
        card.timeline = self.timeline(id, &row.currency)?;
        Ok(Some(card))
    }

    fn timeline(&self, id: i64, currency: &str) -> sql::Result<Vec<TimelineEntry>> {
        let c = &self.conn;
        let limit = TIMELINE_LIMIT as i64;
        let mut entries = Vec::new();
        let mut stmt = c.prepare_cached(
            "SELECT i.occurred_at, i.kind, i.summary, i.body, i.outcome, i.tags, r.login, i.follow_up_on
             FROM interactions i LEFT JOIN reps r ON r.id = i.rep_id
             WHERE i.account_id = ?1 ORDER BY i.occurred_at DESC, i.id DESC LIMIT ?2",
        )?;
        let mut rows = stmt.query(params![id, limit])?;
        while let Some(ref r) = rows.next()? {
            let mut detail: Vec<String> = Vec::new();
            if let Some(outcome) = r
                .get::<_, Option<String>>("outcome")?
                .filter(|s| !s.is_empty())
            {
                detail.push(format!("outcome: {outcome}"));
            }
            let tags: String = r.get("tags")?;
            if !tags.is_empty() {
                detail.push(format!("tags: {tags}"));
            }
            if let Some(day) = read::opt_day(r, "follow_up_on")? {
                detail.push(format!("follow up {day}"));
            }
            let summary: String = r.get("summary")?;
            let body: String = r.get("body")?;
            // The summary is the note's first line: show only what follows it.
            let rest = body
                .trim()
                .strip_prefix(summary.as_str())
                .unwrap_or(&body)
                .trim();
            entries.push(TimelineEntry {
                at: read::instant(r, "occurred_at")?,
                kind: EventKind::Interaction,
                label: r.get("kind")?,
                detail: detail.join(" · "),
                body: rest.to_string(),
                title: summary,
                who: r.get("login")?,
            });
        }
        let mut stmt = c.prepare_cached(
            "SELECT opened_at, resolved_at, subject, severity, satisfaction, external_id
             FROM tickets WHERE account_id = ?1 ORDER BY opened_at DESC LIMIT ?2",
        )?;
        let mut rows = stmt.query(params![id, limit])?;
        while let Some(ref r) = rows.next()? {
            let subject: String = r.get("subject")?;
            let severity: String = r.get("severity")?;
            let number: Option<String> = r.get("external_id")?;
            let resolved = read::opt_instant(r, "resolved_at")?;
            entries.push(TimelineEntry {
                at: read::instant(r, "opened_at")?,
                kind: EventKind::TicketOpened,
                label: "ticket".into(),
                title: subject.clone(),
                detail: format!(
                    "{severity}{}{}",
                    number.map(|n| format!(" · {n}")).unwrap_or_default(),
                    if resolved.is_none() { " · open" } else { "" }
                ),
                body: String::new(),
                who: None,
            });
            if let Some(at) = resolved {
                let csat: Option<i64> = r.get("satisfaction")?;
                entries.push(TimelineEntry {
                    at,
                    kind: EventKind::TicketResolved,
                    label: "resolved".into(),
                    title: subject,
                    detail: csat
                        .map(|s| format!("satisfaction {s}/5"))
                        .unwrap_or_default(),
                    body: String::new(),
                    who: None,
                });
            }
        }
        let mut stmt = c.prepare_cached(
            "SELECT responded_at, score, comment FROM nps_responses WHERE account_id = ?1
             ORDER BY responded_at DESC LIMIT ?2",
        )?;
        let mut rows = stmt.query(params![id, limit])?;
        while let Some(ref r) = rows.next()? {
            let score: i64 = r.get("score")?;
            let kind = match score {
                0..=6 => "detractor",
                7..=8 => "passive",
                _ => "promoter",
            };
            entries.push(TimelineEntry {
                at: read::instant(r, "responded_at")?,
                kind: EventKind::Nps,
                label: "NPS".into(),
                title: format!("NPS {score} ({kind})"),
                detail: r.get("comment")?,
                body: String::new(),
                who: None,
            });
        }
        let mut stmt = c.prepare_cached(
            "SELECT a.attempted_at, a.outcome, a.decline_code, a.automatic, p.amount_cents, p.currency
             FROM payment_attempts a JOIN failed_payments p ON p.id = a.payment_id
             WHERE p.account_id = ?1 ORDER BY a.attempted_at DESC LIMIT ?2",
        )?;
        let mut rows = stmt.query(params![id, limit])?;
        while let Some(ref r) = rows.next()? {
            let outcome: String = r.get("outcome")?;
            let code: Option<String> = r.get("decline_code")?;
            let automatic: bool = r.get("automatic")?;
            let amount = money::format(r.get("amount_cents")?, &r.get::<_, String>("currency")?);
            entries.push(TimelineEntry {
                at: read::instant(r, "attempted_at")?,
                kind: EventKind::Payment,
                label: "payment".into(),
                title: match &code {
                    Some(code) => format!("payment of {amount} failed: {code}"),
                    None => format!("payment of {amount} {outcome}"),
                },
                detail: if automatic { "automatic" } else { "manual" }.into(),
                body: String::new(),
                who: None,
            });
        }
        let mut stmt = c.prepare_cached(
            "SELECT changed_on, from_cents, to_cents, reason FROM mrr_changes WHERE account_id = ?1
             ORDER BY changed_on DESC LIMIT ?2",
        )?;
        let mut rows = stmt.query(params![id, limit])?;
        while let Some(ref r) = rows.next()? {
            let day = read::day(r, "changed_on")?;
            let from: i64 = r.get("from_cents")?;
            let to: i64 = r.get("to_cents")?;
            entries.push(TimelineEntry {
                at: day.and_time(NaiveTime::MIN).and_utc(),
                kind: EventKind::Mrr,
                label: "MRR".into(),
                title: format!(
                    "MRR {} {} → {}",
                    if to > from { "up" } else { "down" },
                    money::format(from, currency),
                    money::format(to, currency)
                ),
                detail: r.get("reason")?,
                body: String::new(),
                who: None,
            });
        }
        entries.sort_by_key(|e| std::cmp::Reverse(e.at));
        entries.truncate(TIMELINE_LIMIT);
        Ok(entries)
    }
}
