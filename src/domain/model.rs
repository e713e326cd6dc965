//! The records `retain` keeps, as plain data. The store reads and writes them; the demo generator
//! and the importers produce them. Times are UTC instants, days are calendar days, money is in
//! minor units of the record's currency.

use chrono::{DateTime, NaiveDate, Utc};

use super::text_enum::text_enum;

text_enum! {
    pub enum Role as "role" { Rep => "rep", Lead => "lead", Admin => "admin" }
}

text_enum! {
    pub enum BillingInterval as "billing interval" { Monthly => "monthly", Annual => "annual" }
}

text_enum! {
    pub enum ChurnKind as "churn kind" {
        /// The customer chose to leave (a cancel during dunning counts here too).
        Voluntary => "voluntary",
        /// Lost because a payment failed and was never recovered.
        Involuntary => "involuntary",
    }
}

text_enum! {
    pub enum InteractionKind as "interaction kind" {
        Call => "call", Email => "email", Meeting => "meeting", Note => "note", CheckIn => "check-in",
    }
}

text_enum! {
    /// How a conversation went, as a rep records it: one of a few words, so that they count.
    pub enum Outcome as "outcome" {
        Positive => "positive", Neutral => "neutral", Negative => "negative",
        NoAnswer => "no answer", LeftVoicemail => "left voicemail",
    }
}

text_enum! {
    pub enum Severity as "ticket severity" {
        Low => "low", Normal => "normal", High => "high", Urgent => "urgent",
    }
}

text_enum! {
    pub enum PaymentStatus as "payment status" {
        Failing => "failing", Recovered => "recovered", Lost => "lost", WrittenOff => "written_off",
    }
}

text_enum! {
    pub enum AttemptOutcome as "attempt outcome" { Failed => "failed", Succeeded => "succeeded" }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rep {
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Churn {
    pub on: NaiveDate,
    pub reason: String,
    pub kind: ChurnKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub external_id: String,
    pub name: String,
    pub domain: Option<String>,
    /// ISO 3166-1 alpha-2: whose numbering plan the contacts' phone numbers follow.
    pub country: Option<String>,
    pub industry: Option<String>,
    pub plan: Option<String>,
    pub billing_interval: BillingInterval,
    pub mrr_cents: i64,
    pub currency: String,
    pub customer_since: NaiveDate,
    pub renewal_date: Option<NaiveDate>,
    /// The owner's login; `None` for a team-queue account.
    pub owner: Option<String>,
    /// `Some` once the account has churned.
    pub churn: Option<Churn>,
    /// The team's notes on the account: who matters, what to avoid.
    pub notes: String,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: Option<String>,
    pub is_primary: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interaction {
    /// The login of the rep who had it, if a rep did.
    pub rep: Option<String>,
    pub kind: InteractionKind,
    pub occurred_at: DateTime<Utc>,
    pub summary: String,
    pub body: String,
    pub outcome: Option<String>,
    pub tags: Vec<String>,
    /// The day the rep promised to come back to the customer.
    pub follow_up_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub external_id: Option<String>,
    pub subject: String,
    pub severity: Severity,
    pub opened_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// CSAT, 1 to 5, when the customer rated the resolution.
    pub satisfaction: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpsResponse {
    pub responded_at: DateTime<Utc>,
    pub score: u8,
    pub comment: String,
}

/// One month of product usage; `period` is the first day of that month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageSnapshot {
    pub period: NaiveDate,
    pub active_users: u32,
    pub seats: u32,
    pub logins: u32,
    pub key_feature_uses: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentAttempt {
    pub attempted_at: DateTime<Utc>,
    pub outcome: AttemptOutcome,
    /// Set exactly when the attempt failed.
    pub decline_code: Option<String>,
    pub automatic: bool,
}

/// A change of an account's MRR: above the old value is expansion, below it contraction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MrrChange {
    pub on: NaiveDate,
    pub from_cents: i64,
    pub to_cents: i64,
    pub reason: String,
}

/// An invoice or charge that failed, with every attempt made on it (the first failure included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedPayment {
    pub external_ref: String,
    pub amount_cents: i64,
    pub currency: String,
    pub first_failed_at: DateTime<Utc>,
    pub last_decline_code: String,
    pub next_retry_at: Option<DateTime<Utc>>,
    pub status: PaymentStatus,
    /// When the status left `failing`; `None` while it is failing.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Month (1–12) and year of the card on file.
    pub card_expiry: Option<(u8, i32)>,
    pub attempts: Vec<PaymentAttempt>,
}

/// An account with everything recorded about it: the unit the demo generator produces and a
/// bulk load writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountHistory {
    pub account: Account,
    pub contacts: Vec<Contact>,
    pub interactions: Vec<Interaction>,
    pub tickets: Vec<Ticket>,
    pub nps: Vec<NpsResponse>,
    pub usage: Vec<UsageSnapshot>,
    pub mrr_changes: Vec<MrrChange>,
    pub payments: Vec<FailedPayment>,
    /// Lifecycle check-ins completed (each also logged as a check-in interaction).
    pub checkins: Vec<CheckinDone>,
}

/// A lifecycle check-in that was due and was done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckinDone {
    pub kind: String,
    pub stage: super::lifecycle::Stage,
    pub due_date: NaiveDate,
    pub done_at: DateTime<Utc>,
    pub rep: Option<String>,
}

/// The summary line of a note: its first line that says something, at most 120 characters;
/// for an email written with its headers (`To:`, `Subject:`), its subject.
pub fn note_summary(note: &str) -> String {
    const MAX: usize = 120;
    let mut lines = note.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("");
    let first = if has_header(first, "to") || has_header(first, "subject") {
        std::iter::once(first)
            .chain(lines)
            .take(3)
            .find_map(|l| header(l, "subject"))
            .unwrap_or(first)
    } else {
        first
    };
    if first.chars().count() <= MAX {
        return first.to_string();
    }
    let mut cut: String = first.chars().take(MAX - 1).collect();
    cut.push('…');
    cut
}

fn has_header(line: &str, name: &str) -> bool {
    header(line, name).is_some()
}

/// The value of an email header line `Name: value`, the name in any case.
fn header<'l>(line: &'l str, name: &str) -> Option<&'l str> {
    let (key, value) = line.split_once(':')?;
    key.trim()
        .eq_ignore_ascii_case(name)
        .then(|| value.trim())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_summary_is_the_first_line_that_says_something() {
        assert_eq!(super::note_summary("\n  Called Anna\nmore"), "Called Anna");
        let long = super::note_summary(&"x".repeat(300));
        assert_eq!(long.chars().count(), 120);
        assert!(long.ends_with('…'));
    }
}
