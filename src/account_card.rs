//! The call card in words: what a rep reads while the customer is on the line, in the order
//! they need it. `retain card` prints these lines and the console wraps them to its column, so
//! the two say the same thing the same way.

use chrono::NaiveDate;

use crate::domain::lifecycle::StageBounds;
use crate::domain::money;
use crate::domain::retry::{RetryPolicy, meaning};
use crate::domain::risk::{Band, RiskScore};
use crate::store::AccountCard;

/// Joins a number to its unit (`425.00 USD`, `8 pts`) so that wrapping never parts them; the
/// shell prints a plain space ([`plain`]).
pub const KEEP: char = '\u{a0}';

/// A line's text for the shell: its kept spaces made plain.
pub fn plain(text: &str) -> String {
    text.replace(KEEP, " ")
}

/// An amount with its currency, kept together.
fn amount(cents: i64, currency: &str) -> String {
    money::format(cents, currency).replace(' ', "\u{a0}")
}

/// How a line is shown: the console styles by it, the shell prints the text alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Title,
    Heading,
    Plain,
    Muted,
    Warn,
    Danger,
    Risk(Band),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardLine {
    pub tone: Tone,
    /// As stored: the caller makes it safe for a terminal.
    pub text: String,
    /// Cells to indent the lines it wraps into.
    pub hang: usize,
}

fn line(tone: Tone, text: String) -> CardLine {
    CardLine {
        tone,
        text,
        hang: 0,
    }
}

/// Reasons shown under the score: the risk pane has the rest.
const TOP_REASONS: usize = 3;

/// The card's facts, contacts and notes (the timeline is apart). `risk` is `None` while it is
/// being scored, and for a churned account; `found_by` is the contact a lookup found it by,
/// marked `▶`.
pub fn lines(
    card: &AccountCard,
    risk: Option<&RiskScore>,
    today: NaiveDate,
    policy: &RetryPolicy,
    found_by: Option<i64>,
) -> Vec<CardLine> {
    let r = &card.row;
    let mut out = vec![line(Tone::Title, r.name.clone())];
    out.push(line(
        Tone::Plain,
        format!(
            "{} · {} ({}) · MRR {}",
            r.external_id,
            r.plan.as_deref().unwrap_or("no plan"),
            card.billing_interval,
            amount(r.mrr_cents, &r.currency)
        ),
    ));
    let stage = StageBounds::default().stage(r.customer_since, today);
    let renewal = renewal(card);
    let owner = match (&card.owner_name, &r.owner) {
        (Some(name), _) => format!("owner {name}"),
        (None, Some(login)) => format!("owner {login}"),
        (None, None) => "team queue".to_string(),
    };
    out.push(line(
        Tone::Plain,
        format!(
            "{stage} stage, customer since {} · {renewal} · {owner}",
            r.customer_since
        ),
    ));
    if let Some((by, until)) = card.claim.as_ref().filter(|_| card.owner_name.is_none()) {
        out.push(line(
            Tone::Warn,
            format!("{by} on it until {}", until.format("%H:%M")),
        ));
    }
    if !r.active {
        out.push(line(
            Tone::Danger,
            format!(
                "churned {} ({}): {}",
                card.churned_at.map(|d| d.to_string()).unwrap_or_default(),
                card.churn_kind.as_deref().unwrap_or("kind not known"),
                card.churn_reason.as_deref().unwrap_or("no reason given")
            ),
        ));
    }
    if card.open_payments.is_empty() {
        out.push(line(Tone::Muted, "no failing payment".into()));
    }
    for p in &card.open_payments {
        let class = policy.class_of(&p.decline_code, None).class;
        out.push(CardLine {
            hang: 2,
            ..line(
                Tone::Danger,
                format!(
                    "payment failing: {}, {}: {} · {}{}",
                    amount(p.amount_cents, &p.currency),
                    p.decline_code,
                    meaning(class),
                    attempts(p.attempts),
                    p.next_retry_at
                        .map(|at| format!(" · next retry {}", at.format("%Y-%m-%d")))
                        .unwrap_or_default()
                ),
            )
        });
    }
    out.push(tickets_and_checkin(card, today));
    out.extend(risk_lines(risk.filter(|_| r.active), r.active));
    if !card.contacts.is_empty() {
        out.push(line(Tone::Heading, "Contacts".into()));
    }
    for c in &card.contacts {
        let star = match (Some(c.contact_id) == found_by, c.is_primary) {
            (true, _) => "▶ ",
            (false, true) => "★ ",
            (false, false) => "  ",
        };
        let role = c
            .role
            .as_deref()
            .map(|r| format!(" · {r}"))
            .unwrap_or_default();
        out.push(CardLine {
            hang: 4,
            ..line(Tone::Plain, format!("{star}{}{role}", c.name))
        });
        let reach: Vec<&str> = [c.phone.as_deref(), c.email.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        out.push(CardLine {
            hang: 4,
            ..line(
                Tone::Muted,
                format!(
                    "  {}",
                    if reach.is_empty() {
                        "no phone or email".to_string()
                    } else {
                        reach.join(" · ")
                    }
                ),
            )
        });
    }
    let notes: Vec<&str> = card
        .notes
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    if !notes.is_empty() {
        out.push(line(Tone::Heading, "Notes".into()));
        out.extend(notes.iter().map(|n| line(Tone::Plain, n.to_string())));
    }
    out
}

/// `1 attempt`, `3 attempts`.
pub fn attempts(n: i64) -> String {
    crate::domain::text::count(n, "attempt").replacen(' ', &KEEP.to_string(), 1)
}

fn tickets_and_checkin(card: &AccountCard, today: NaiveDate) -> CardLine {
    let tickets = match card.open_tickets {
        0 => "no open ticket".to_string(),
        1 => "1 open ticket".to_string(),
        n => format!("{n} open tickets"),
    };
    let (checkin, late) = match &card.next_checkin {
        None => ("no check-in due".to_string(), false),
        Some((day, kind)) if *day < today => {
            let days = (today - *day).num_days();
            let unit = if days == 1 { "day" } else { "days" };
            (
                format!("next check-in {day} ({kind}), {days}{KEEP}{unit} late"),
                true,
            )
        }
        Some((day, kind)) => (format!("next check-in {day} ({kind})"), false),
    };
    let tone = if late || card.open_tickets > 0 {
        Tone::Warn
    } else {
        Tone::Plain
    };
    line(tone, format!("{tickets} · {checkin}"))
}

fn risk_lines(risk: Option<&RiskScore>, active: bool) -> Vec<CardLine> {
    let Some(risk) = risk else {
        return if active {
            vec![line(Tone::Muted, "risk: scoring…".into())]
        } else {
            Vec::new()
        };
    };
    let mut out = vec![line(
        Tone::Risk(risk.band),
        format!("risk {:.0}, {}", risk.score, risk.band.as_str()),
    )];
    let reasons = risk.reasons.iter().filter(|r| r.points > 0.0);
    for r in reasons.take(TOP_REASONS) {
        out.push(CardLine {
            hang: 4,
            ..line(
                Tone::Plain,
                format!("  • {} ({:.0}{KEEP}pts)", r.detail, r.points),
            )
        });
    }
    out
}

/// When the account renews: its date, or "renews monthly" for a plan paid by the month (which
/// has no renewal date to lack).
pub fn renewal(card: &AccountCard) -> String {
    match card.row.renewal_date {
        Some(day) => format!("renews {day}"),
        None if card.billing_interval == "monthly" => "renews monthly".into(),
        None => "no renewal date".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_said_in_words() {
        assert_eq!(plain(&attempts(1)), "1 attempt");
        assert_eq!(plain(&attempts(3)), "3 attempts");
    }
}
