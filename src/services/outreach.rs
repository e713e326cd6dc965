//! An outreach email about a failed payment or an expiring card: composed from the store's
//! facts and the team's templates (`domain::outreach`), and sent through the team's mail
//! command (`mail_command` in `payments.toml`), then logged as an email on the account. Shared
//! by `retain payments outreach` and the payments pane's `o`.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use lettre::message::{Mailbox, Message, header::ContentType};
use serde::Serialize;

use crate::config::Mail;
use crate::domain::model::{Interaction, InteractionKind};
use crate::domain::outreach::{Facts, Situation, language_of};
use crate::services::payments::QueueItem;
use crate::store::{AccountCard, ContactRow};

/// What a letter says for `{link}` until the team sets `update_link`: fine to read, never sent.
const NO_LINK: &str = "[card update link]";

/// How long a mail command has to take the message.
pub const MAIL_TIMEOUT: Duration = Duration::from_secs(30);

/// Whom a letter goes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recipient {
    pub name: String,
    pub email: String,
}

/// A letter, ready to be read, edited, copied or sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Letter {
    pub account_id: i64,
    pub payment_id: Option<i64>,
    pub to: Option<Recipient>,
    pub subject: String,
    pub body: String,
    pub situation: Situation,
    pub language: &'static str,
    /// The template's file, or which of ours.
    pub template: String,
}

/// Roles that handle the bills, in the words contacts' roles are written in.
const BILLING_ROLES: [&str; 6] = [
    "billing",
    "finance",
    "accounts payable",
    "accounting",
    "buchhaltung",
    "comptab",
];

/// The account's billing contact with an email, else its primary contact, else any contact
/// with one.
pub fn recipient(contacts: &[ContactRow]) -> Option<Recipient> {
    let with_email = || contacts.iter().filter(|c| c.email.is_some());
    let billing = |c: &&ContactRow| {
        let role = c.role.as_deref().unwrap_or("").to_lowercase();
        BILLING_ROLES.iter().any(|b| role.contains(b))
    };
    with_email()
        .find(billing)
        .or_else(|| with_email().find(|c| c.is_primary))
        .or_else(|| with_email().next())
        .map(|c| Recipient {
            name: one_line(&c.name),
            email: c.email.clone().unwrap_or_default().trim().to_string(),
        })
}

/// A stored name as a header can carry it: on one line, control characters gone (a name is
/// not where a line break means anything, and a mail header must not hold one).
fn one_line(name: &str) -> String {
    name.split(|c: char| c.is_control() || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The letter a queue item calls for, from the team's template in the customer's language
/// where there is one. `rep` signs it.
pub fn compose(
    item: &QueueItem,
    card: &AccountCard,
    rep: &str,
    mail: &Mail,
    now: DateTime<Utc>,
) -> Result<Letter> {
    // Nothing to ask of a customer who paid, or while the team holds the payment.
    match item.queue {
        "recovered" => bail!("the payment was recovered: there is no letter to send"),
        "paused" => bail!(
            "the payment is paused (a dispute, a promise to pay): resume it before writing to the customer"
        ),
        _ => {}
    }
    let situation = Situation::of(item.payment_id.is_some(), item.queue, item.class);
    let language = language_of(card.country.as_deref());
    let (template_from, template) = crate::config::outreach_template(situation, language)?;
    let to = recipient(&card.contacts);
    let facts = Facts {
        contact: to.as_ref().map(|r| r.name.clone()),
        account: item.name.clone(),
        amount: item
            .amount_cents
            .map(|a| crate::domain::money::format(a, &item.currency))
            .unwrap_or_default(),
        reason: item.meaning.unwrap_or("your bank declined it").to_string(),
        // A retry already due is "soon", not a day gone by.
        next_retry: item
            .next_retry_at
            .filter(|at| *at > now)
            .map(|at| at.format("%Y-%m-%d").to_string()),
        card_expires: item.card_expires.clone(),
        link: mail.update_link.clone().unwrap_or_else(|| NO_LINK.into()),
        rep: rep.to_string(),
    };
    let (subject, body) = template.fill(&facts);
    Ok(Letter {
        account_id: item.account_id,
        payment_id: item.payment_id,
        to,
        subject,
        body,
        situation,
        language,
        template: template_from,
    })
}

impl Letter {
    /// The letter as a person reads and edits it: `To:` and `Subject:`, a blank line, the body.
    pub fn text(&self) -> String {
        let to = match &self.to {
            Some(r) => format!("{} <{}>", r.name, r.email),
            None => String::new(),
        };
        format!("To: {to}\nSubject: {}\n\n{}", self.subject, self.body)
    }

    /// The letter after the rep edited its text: the headers read back, the body as written.
    pub fn edited(&self, text: &str) -> Result<Letter, String> {
        let text = text.replace("\r\n", "\n");
        let (head, body) = text
            .split_once("\n\n")
            .ok_or("keep the To: and Subject: lines, then a blank line, then the letter")?;
        let mut letter = Letter {
            body: format!("{}\n", body.trim_end()),
            ..self.clone()
        };
        for line in head.lines() {
            let (key, value) = line.split_once(':').ok_or_else(|| {
                format!("{line:?} is not a header line: write To: or Subject:, then a blank line")
            })?;
            let value = value.trim();
            match key.trim().to_ascii_lowercase().as_str() {
                "to" if value.is_empty() => letter.to = None,
                "to" => {
                    let mailbox: Mailbox = value
                        .parse()
                        .map_err(|e| format!("To: {value:?} is not an address ({e})"))?;
                    letter.to = Some(Recipient {
                        name: mailbox.name.unwrap_or_default(),
                        email: mailbox.email.to_string(),
                    });
                }
                "subject" => letter.subject = value.to_string(),
                other => return Err(format!("{other}: only To: and Subject: are read")),
            }
        }
        if letter.body.trim().is_empty() {
            return Err("the letter is empty".into());
        }
        Ok(letter)
    }

    /// The letter as an email (headers encoded, the body in UTF-8), from `from`.
    pub fn message(&self, from: &str) -> Result<Vec<u8>> {
        let Some(to) = &self.to else {
            bail!("the letter has no To: the account has no contact with an email");
        };
        // What is logged once it is sent must be storable: checked before anything goes out.
        for (field, text) in [("subject", &self.subject), ("body", &self.body)] {
            crate::domain::text::plain_text(text)
                .map_err(|why| anyhow::anyhow!("the letter's {field} must be {why}"))?;
        }
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow::anyhow!("mail_from {from:?} is not an address ({e})"))?;
        let to_address = to
            .email
            .parse()
            .map_err(|e| {
                anyhow::anyhow!(
                    "To: {:?} (the address of {} on account {}) is not an address ({e}); correct the contact",
                    to.email,
                    to.name,
                    self.account_id
                )
            })?;
        let to = Mailbox::new(Some(to.name.clone()).filter(|n| !n.is_empty()), to_address);
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(self.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(self.body.clone())
            .context("the email could not be put together")?;
        Ok(message.formatted())
    }

    /// The email as it is logged on the account once it went out.
    pub fn as_interaction(&self, rep: &str, at: DateTime<Utc>) -> Interaction {
        Interaction {
            rep: Some(rep.to_string()),
            kind: InteractionKind::Email,
            occurred_at: at,
            summary: self.subject.clone(),
            body: self.text(),
            outcome: None,
            tags: vec!["outreach".into()],
            follow_up_on: None,
        }
    }
}

/// Hands the letter to the team's mail command; `Ok` once the command took it (exit 0).
pub fn send(letter: &Letter, mail: &Mail) -> Result<()> {
    let Some(command) = &mail.command else {
        bail!(
            "no mail command: set mail_command in {} (like \"sendmail -t -i\") to send from here",
            settings_file()
        );
    };
    let Some(from) = &mail.from else {
        bail!(
            "mail_from is not set in {}: say whom the letters come from (like \"Acme Billing <billing@acme.example>\")",
            settings_file()
        );
    };
    if mail.update_link.is_none() && letter.body.contains(NO_LINK) {
        bail!(
            "update_link is not set in {}: the letter would send {NO_LINK} to the customer",
            settings_file()
        );
    }
    let message = String::from_utf8(letter.message(from)?).context("the email is not text")?;
    match crate::hook::run_leaving(command, &message, MAIL_TIMEOUT).map_err(anyhow::Error::msg)? {
        crate::hook::Ended::Exited { status, .. } if status.success() => Ok(()),
        crate::hook::Ended::Exited { status, stderr, .. } => bail!(
            "{command:?} did not take the letter ({status}){}",
            match stderr.trim() {
                "" => String::new(),
                said => format!(": {}", crate::display::excerpt(said)),
            }
        ),
        _ => bail!(
            "{command:?} did not finish within {} s: the letter may or may not have gone; nothing was logged",
            MAIL_TIMEOUT.as_secs()
        ),
    }
}

/// Where the mail settings are read from, for a message that asks for one.
fn settings_file() -> String {
    crate::config::file("payments.toml").map_or("payments.toml".into(), |p| p.display().to_string())
}
