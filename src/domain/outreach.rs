//! The email a rep sends about a failed payment or an expiring card: which letter the payment's
//! state calls for, the template it is written from (the team's own, in the customer's
//! language where the team wrote one, else ours in English), and the letter filled in.
//!
//! A template is plain text: a `Subject:` line, a blank line, the body. `{account}`, `{amount}`
//! and the other placeholders of `Field` are filled in; `{{` and `}}` are braces.

use serde::Serialize;

use super::text::plain_text;

/// What the letter must say, from the payment's state. Fraud and stopped payments read as a
/// plain decline and never as "we will retry": retrying those is what the networks forbid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Situation {
    /// No payment failed yet: the card on file runs out soon.
    Expiring,
    /// The retries are spent: a final notice.
    FinalNotice,
    /// Fraud suspected or the mandate revoked: another card, no retry.
    Declined,
    /// The bank wants the customer to confirm (3-D Secure).
    Confirm,
    /// The card must change (expired, closed, wrong details).
    NewCard,
    /// A soft decline that the policy retries: the customer may settle it sooner.
    Retry,
}

impl Situation {
    pub const ALL: [Situation; 6] = [
        Situation::Expiring,
        Situation::FinalNotice,
        Situation::Declined,
        Situation::Confirm,
        Situation::NewCard,
        Situation::Retry,
    ];

    /// From a payment's queue and decline class (`None` for an expiring card, which has no
    /// payment).
    pub fn of(has_payment: bool, queue: &str, class: Option<&str>) -> Situation {
        match (has_payment, queue, class) {
            (false, _, _) => Situation::Expiring,
            (_, "exhausted", _) => Situation::FinalNotice,
            (_, _, Some("fraud" | "revoked")) => Situation::Declined,
            (_, _, Some("authenticate")) => Situation::Confirm,
            (_, _, Some("new-card")) => Situation::NewCard,
            _ => Situation::Retry,
        }
    }

    /// The template's file name without `.txt`: `new-card.txt`, `new-card.de.txt`.
    pub fn stem(self) -> &'static str {
        match self {
            Situation::Expiring => "expiring",
            Situation::FinalNotice => "final-notice",
            Situation::Declined => "declined",
            Situation::Confirm => "confirm",
            Situation::NewCard => "new-card",
            Situation::Retry => "retry",
        }
    }

    /// Our own template, in English: what a team's file replaces.
    pub fn builtin(self) -> &'static str {
        match self {
            Situation::Expiring => include_str!("outreach/expiring.txt"),
            Situation::FinalNotice => include_str!("outreach/final-notice.txt"),
            Situation::Declined => include_str!("outreach/declined.txt"),
            Situation::Confirm => include_str!("outreach/confirm.txt"),
            Situation::NewCard => include_str!("outreach/new-card.txt"),
            Situation::Retry => include_str!("outreach/retry.txt"),
        }
    }
}

/// What a template may put in a letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Whom the letter greets: the contact's first name (the account's name without one).
    FirstName,
    Contact,
    Account,
    Amount,
    /// Why the bank declined, in words.
    Reason,
    /// The day of the next retry, or "soon".
    NextRetry,
    /// The month the card on file ends (`2026-12`).
    CardExpires,
    /// Where the customer updates the card (`update_link` in payments.toml).
    Link,
    /// The rep who sends it.
    Rep,
}

impl Field {
    const ALL: [(Field, &'static str); 9] = [
        (Field::FirstName, "first_name"),
        (Field::Contact, "contact"),
        (Field::Account, "account"),
        (Field::Amount, "amount"),
        (Field::Reason, "reason"),
        (Field::NextRetry, "next_retry"),
        (Field::CardExpires, "card_expires"),
        (Field::Link, "link"),
        (Field::Rep, "rep"),
    ];

    fn named(name: &str) -> Option<Field> {
        Field::ALL.iter().find(|(_, n)| *n == name).map(|(f, _)| *f)
    }

    fn names() -> String {
        Field::ALL.map(|(_, n)| format!("{{{n}}}")).join(", ")
    }
}

/// The facts a letter is filled with.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub contact: Option<String>,
    pub account: String,
    pub amount: String,
    pub reason: String,
    pub next_retry: Option<String>,
    pub card_expires: Option<String>,
    pub link: String,
    pub rep: String,
}

impl Facts {
    fn value(&self, field: Field) -> String {
        match field {
            Field::FirstName => self
                .contact
                .as_deref()
                .and_then(first_name)
                .unwrap_or(&self.account)
                .to_string(),
            Field::Contact => self.contact.clone().unwrap_or_else(|| self.account.clone()),
            Field::Account => self.account.clone(),
            Field::Amount => self.amount.clone(),
            Field::Reason => self.reason.clone(),
            Field::NextRetry => self.next_retry.clone().unwrap_or_else(|| "soon".into()),
            Field::CardExpires => self
                .card_expires
                .clone()
                .unwrap_or_else(|| "this month".into()),
            Field::Link => self.link.clone(),
            Field::Rep => self.rep.clone(),
        }
    }
}

/// What to call a contact in a greeting: the first word of a Western name past a title
/// ("Dr. Jana Müller" is Jana), the word after the comma of "Müller, Jana", the whole of a name
/// written without spaces (Chinese, Japanese).
fn first_name(name: &str) -> Option<&str> {
    const TITLES: [&str; 8] = ["dr", "mr", "mrs", "ms", "prof", "herr", "frau", "mme"];
    let name = name.trim();
    let given = match name.split_once(',') {
        Some((_, given)) if !given.trim().is_empty() => given.trim(),
        _ => name,
    };
    given
        .split_whitespace()
        .find(|w| !TITLES.contains(&w.trim_end_matches('.').to_lowercase().as_str()))
        .or_else(|| given.split_whitespace().last())
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Field(Field),
}

/// A letter's template, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    subject: Vec<Piece>,
    body: Vec<Piece>,
}

/// What is wrong with a template, and on which line (from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub line: usize,
    pub why: String,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.why)
    }
}

impl Template {
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let at = |line: usize, why: String| TemplateError { line, why };
        let text = text
            .strip_prefix('\u{feff}')
            .unwrap_or(text)
            .replace("\r\n", "\n");
        plain_text(&text).map_err(|why| at(1, format!("the template must be {why}")))?;
        let mut lines = text.lines();
        let first = lines.next().unwrap_or("");
        let subject = first
            .get(..8)
            .filter(|head| head.eq_ignore_ascii_case("subject:"))
            .map(|_| first[8..].trim())
            .ok_or_else(|| at(1, "the first line is the subject: `Subject: …`".into()))?;
        if subject.is_empty() {
            return Err(at(1, "the subject is empty".into()));
        }
        if lines.next().is_some_and(|l| !l.trim().is_empty()) {
            return Err(at(
                2,
                "a blank line comes between the subject and the body".into(),
            ));
        }
        let body: Vec<&str> = lines.collect();
        if body.iter().all(|l| l.trim().is_empty()) {
            return Err(at(3, "the body is empty".into()));
        }
        let mut pieces = Vec::new();
        for (i, line) in body.iter().enumerate() {
            pieces.extend(pieces_of(line, 3 + i)?);
            if i + 1 < body.len() {
                pieces.push(Piece::Text("\n".into()));
            }
        }
        Ok(Template {
            subject: pieces_of(subject, 1)?,
            body: pieces,
        })
    }

    /// The subject and the body, filled in.
    pub fn fill(&self, facts: &Facts) -> (String, String) {
        let fill = |pieces: &[Piece]| -> String {
            pieces
                .iter()
                .map(|p| match p {
                    Piece::Text(t) => t.clone(),
                    Piece::Field(f) => facts.value(*f),
                })
                .collect()
        };
        let body = fill(&self.body);
        (fill(&self.subject), format!("{}\n", body.trim_end()))
    }
}

fn pieces_of(line: &str, number: usize) -> Result<Vec<Piece>, TemplateError> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        let after = &rest[c.len_utf8()..];
        match c {
            '{' if after.starts_with('{') => {
                text.push('{');
                rest = &after[1..];
            }
            '}' if after.starts_with('}') => {
                text.push('}');
                rest = &after[1..];
            }
            '{' => {
                let Some(end) = after.find('}') else {
                    return Err(TemplateError {
                        line: number,
                        why: "a `{` that no `}` closes (write `{{` for a brace)".into(),
                    });
                };
                let name = &after[..end];
                let field = Field::named(name.trim()).ok_or_else(|| TemplateError {
                    line: number,
                    why: format!(
                        "{{{}}} is not a placeholder (there are {})",
                        crate::display::excerpt(name).trim_matches('"'),
                        Field::names()
                    ),
                })?;
                pieces.push(Piece::Text(std::mem::take(&mut text)));
                pieces.push(Piece::Field(field));
                rest = &after[end + 1..];
            }
            '}' => {
                return Err(TemplateError {
                    line: number,
                    why: "a `}` that no `{` opens (write `}}` for a brace)".into(),
                });
            }
            c => {
                text.push(c);
                rest = after;
            }
        }
    }
    pieces.push(Piece::Text(text));
    pieces.retain(|p| !matches!(p, Piece::Text(t) if t.is_empty()));
    Ok(pieces)
}

/// The language a customer in `country` reads, for choosing among a team's templates (the
/// country's main language; English where we do not know it). ISO 639-1 codes.
pub fn language_of(country: Option<&str>) -> &'static str {
    match country.unwrap_or("") {
        "DE" | "AT" | "CH" | "LI" => "de",
        "FR" | "BE" | "LU" | "MC" => "fr",
        "ES" | "MX" | "AR" | "CO" | "CL" | "PE" => "es",
        "IT" | "SM" => "it",
        "PT" | "BR" => "pt",
        "NL" => "nl",
        "SE" => "sv",
        "NO" => "nb",
        "DK" => "da",
        "FI" => "fi",
        "PL" => "pl",
        "CZ" => "cs",
        "JP" => "ja",
        "CN" | "TW" | "HK" => "zh",
        "KR" => "ko",
        _ => "en",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            contact: Some("Margaux Girard".into()),
            account: "Hôtellerie Dubois".into(),
            amount: "120.00 EUR".into(),
            reason: "the card has expired".into(),
            next_retry: Some("2026-12-03".into()),
            card_expires: None,
            link: "https://pay.example/update".into(),
            rep: "Carmen Ruiz".into(),
        }
    }

    #[test]
    fn every_builtin_template_reads_and_fills_every_placeholder() {
        for s in Situation::ALL {
            let t = Template::parse(s.builtin()).unwrap_or_else(|e| panic!("{s:?}: {e}"));
            let (subject, body) = t.fill(&facts());
            assert!(
                !subject.contains('{') && !body.contains('{'),
                "{s:?}: {body}"
            );
            assert!(body.starts_with("Hello Margaux,"), "{s:?}: {body}");
            assert!(body.contains("Carmen Ruiz"), "{s:?}: {body}");
        }
    }

    #[test]
    fn the_state_picks_the_letter_and_never_retry_for_fraud() {
        assert_eq!(Situation::of(false, "expiring", None), Situation::Expiring);
        assert_eq!(
            Situation::of(true, "exhausted", Some("soft")),
            Situation::FinalNotice
        );
        for class in ["fraud", "revoked"] {
            let s = Situation::of(true, "do-not-retry", Some(class));
            assert_eq!(s, Situation::Declined);
            let t = Template::parse(s.builtin()).unwrap();
            let (_, body) = t.fill(&facts());
            assert!(!body.to_lowercase().contains("retry"), "{body}");
            assert!(!body.to_lowercase().contains("try again"), "{body}");
        }
        assert_eq!(
            Situation::of(true, "customer-action", Some("authenticate")),
            Situation::Confirm
        );
        assert_eq!(
            Situation::of(true, "new-card", Some("new-card")),
            Situation::NewCard
        );
        assert_eq!(Situation::of(true, "due", Some("soft")), Situation::Retry);
    }

    #[test]
    fn a_team_template_is_checked_line_by_line() {
        let ok = Template::parse(
            "Subject: Ihre Zahlung für {account}\n\nHallo {first_name},\n{{nicht}} {amount}\n",
        )
        .unwrap();
        let (subject, body) = ok.fill(&facts());
        assert_eq!(subject, "Ihre Zahlung für Hôtellerie Dubois");
        assert_eq!(body, "Hallo Margaux,\n{nicht} 120.00 EUR\n");

        let err = |text: &str| Template::parse(text).unwrap_err();
        assert_eq!(err("Hello\n\nbody").line, 1);
        assert_eq!(err("Subject: x\nbody").line, 2);
        assert_eq!(err("Subject: x\n\n").line, 3);
        let typo = err("Subject: x\n\nHello {frist_name},\n");
        assert_eq!(typo.line, 3);
        assert!(
            typo.why.contains("{frist_name} is not a placeholder"),
            "{}",
            typo.why
        );
        assert!(typo.why.contains("{first_name}"), "{}", typo.why);
        assert_eq!(err("Subject: x\n\nok\nopen { here\n").line, 4);
        assert_eq!(err("Subject: {amount\n\nbody").line, 1);
        assert!(err("Subject: x\n\nbell \u{7}\n").why.contains("U+0007"));
    }

    #[test]
    fn without_a_contact_the_letter_greets_the_account() {
        let t = Template::parse(Situation::NewCard.builtin()).unwrap();
        let (_, body) = t.fill(&Facts {
            contact: None,
            ..facts()
        });
        assert!(body.starts_with("Hello Hôtellerie Dubois,"), "{body}");
    }

    #[test]
    fn a_greeting_finds_the_given_name() {
        assert_eq!(first_name("Margaux Girard"), Some("Margaux"));
        assert_eq!(first_name("Dr. Jana Müller"), Some("Jana"));
        assert_eq!(first_name("Müller, Jana"), Some("Jana"));
        assert_eq!(first_name("Prof"), Some("Prof"));
        assert_eq!(first_name("山田太郎"), Some("山田太郎"));
        assert_eq!(first_name("  "), None);
    }

    #[test]
    fn a_country_names_the_language_of_its_letters() {
        assert_eq!(language_of(Some("DE")), "de");
        assert_eq!(language_of(Some("BR")), "pt");
        assert_eq!(language_of(Some("US")), "en");
        assert_eq!(language_of(None), "en");
    }
}
