//! Stripe exports: events (`invoice.payment_failed`, `charge.failed`, ...) or bare charge,
//! invoice and payment-intent objects, as a JSON array, newline-delimited JSON, or an API list
//! `{"object":"list","data":[...]}`.
//!
//! A payment is keyed by its invoice when the object names one (an invoice is what dunning is
//! about: its charges are the attempts), else by its payment intent, else by the charge itself.
//! An attempt is keyed by its charge id, so that one decline reported by several events
//! (`charge.failed`, `payment_intent.payment_failed`, `invoice.payment_failed`) counts once.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::ImportError;
use crate::domain::billing::{BillingChange, BillingEvent, CardOnFile};
use crate::domain::money;

/// What a file held: the changes we understood, and what was skipped, by type.
#[derive(Debug, Default)]
pub struct Parsed {
    pub events: Vec<BillingEvent>,
    pub skipped: BTreeMap<String, usize>,
}

/// Reads a whole export. Any malformed item rejects the file: nothing of it is to be applied.
pub fn parse(file: &Path, text: &str) -> Result<Parsed, ImportError> {
    let mut parsed = Parsed::default();
    for (origin, value) in items(file, text)? {
        let at = |field: &str, message: String| ImportError::at(file, &origin, field, message);
        let item = Item {
            value: &value,
            at: &at,
            prefix: String::new(),
        };
        match read_item(&item)? {
            Read::Change(f) => parsed.events.push(BillingEvent {
                origin: origin.clone(),
                at: f.at,
                customer: f.customer,
                change: f.change,
            }),
            Read::Skip(kind) => *parsed.skipped.entry(kind).or_default() += 1,
        }
    }
    Ok(parsed)
}

/// The items of the file with where each is: "line N" in newline-delimited JSON, "item N"
/// (from 1) in an array or list.
fn items(file: &Path, text: &str) -> Result<Vec<(String, Value)>, ImportError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Err(ImportError::at(file, "the file", "", "is empty".into()));
    }
    let numbered = |values: Vec<Value>| {
        values
            .into_iter()
            .enumerate()
            .map(|(i, v)| (format!("item {}", i + 1), v))
            .collect()
    };
    if trimmed.starts_with('[') {
        let values: Vec<Value> = serde_json::from_str(trimmed).map_err(|e| syntax(file, &e))?;
        return Ok(numbered(values));
    }
    // One object: an API list, or a file of one line.
    if let Ok(value) = serde_json::from_str::<Value>(trimmed) {
        if value.get("object").and_then(Value::as_str) == Some("list") {
            return match value.get("data") {
                Some(Value::Array(data)) => Ok(numbered(data.clone())),
                _ => Err(ImportError::at(
                    file,
                    "the list",
                    "data",
                    "must be an array".into(),
                )),
            };
        }
        return Ok(vec![("line 1".into(), value)]);
    }
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim().trim_start_matches('\u{feff}');
        if line.is_empty() {
            continue;
        }
        let origin = format!("line {}", n + 1);
        let value = serde_json::from_str(line)
            .map_err(|e| ImportError::at(file, &origin, "", format!("is not JSON: {e}")))?;
        out.push((origin, value));
    }
    Ok(out)
}

fn syntax(file: &Path, e: &serde_json::Error) -> ImportError {
    ImportError::at(
        file,
        &format!("line {}, column {}", e.line(), e.column()),
        "",
        format!("is not JSON: {e}"),
    )
}

enum Read {
    Change(Box<Found>),
    Skip(String),
}

struct Found {
    at: DateTime<Utc>,
    customer: String,
    change: BillingChange,
}

fn found(at: DateTime<Utc>, customer: String, change: BillingChange) -> Read {
    Read::Change(Box::new(Found {
        at,
        customer,
        change,
    }))
}

/// A JSON value with the means to say which field of which item is wrong.
struct Item<'a> {
    value: &'a Value,
    at: &'a dyn Fn(&str, String) -> ImportError,
    /// Where `value` is in the item, for messages: "data.object." in an event.
    prefix: String,
}

impl<'a> Item<'a> {
    fn get(&self, path: &str) -> Option<&'a Value> {
        path.split('.')
            .filter(|key| !key.is_empty())
            .try_fold(self.value, |v, key| v.get(key))
            .filter(|v| !v.is_null())
    }

    fn fail(&self, path: &str, message: String) -> ImportError {
        (self.at)(&format!("{}{path}", self.prefix), message)
    }

    fn str(&self, path: &str) -> Result<&'a str, ImportError> {
        match self.get(path) {
            Some(Value::String(s)) if !s.trim().is_empty() => {
                super::plain_text(s.trim()).map_err(|e| self.fail(path, format!("expected {e}")))
            }
            Some(other) => Err(self.fail(path, format!("expected text, found {other}"))),
            None => Err(self.fail(path, "is missing".into())),
        }
    }

    fn opt_str(&self, path: &str) -> Result<Option<&'a str>, ImportError> {
        match self.get(path) {
            None => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(_) => self.str(path).map(Some),
        }
    }

    /// An id that may also come expanded as an object with an `id`.
    fn id(&self, path: &str) -> Result<Option<&'a str>, ImportError> {
        match self.get(path) {
            Some(Value::Object(_)) => self.opt_str(&format!("{path}.id")),
            _ => self.opt_str(path),
        }
    }

    fn int(&self, path: &str) -> Result<i64, ImportError> {
        match self.get(path) {
            Some(v) => v
                .as_i64()
                .ok_or_else(|| self.fail(path, format!("expected a whole number, found {v}"))),
            None => Err(self.fail(path, "is missing".into())),
        }
    }

    /// A decline or advice code, if there is one.
    fn code(&self, path: &str) -> Result<Option<String>, ImportError> {
        self.opt_str(path)?
            .map(|c| super::code_word(c).map_err(|e| self.fail(path, format!("{c:?} is not {e}"))))
            .transpose()
    }

    /// Unix seconds of this century or the next: billing systems did not exist before 2000, and
    /// a 0 or a negative number is a field left unset, not a date.
    fn time(&self, path: &str) -> Result<DateTime<Utc>, ImportError> {
        const FIRST: i64 = 946_684_800; // 2000-01-01
        const LAST: i64 = 7_258_118_399; // 2199-12-31T23:59:59
        let secs = self.int(path)?;
        DateTime::from_timestamp(secs, 0)
            .filter(|_| (FIRST..=LAST).contains(&secs))
            .ok_or_else(|| {
                self.fail(
                    path,
                    format!("{secs} is not a time in unix seconds between 2000 and 2199"),
                )
            })
    }

    fn currency(&self, path: &str) -> Result<String, ImportError> {
        let c = self.str(path)?;
        if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_alphabetic()) {
            Ok(c.to_ascii_uppercase())
        } else {
            Err(self.fail(path, format!("{c:?} is not a three-letter currency code")))
        }
    }

    fn amount(&self, path: &str) -> Result<i64, ImportError> {
        let a = self.int(path)?;
        if a > 0 && a <= money::MAX_CENTS {
            Ok(a)
        } else {
            Err(self.fail(
                path,
                format!(
                    "{a} is not an amount owed (it must be above 0 and at most {} in minor units)",
                    money::MAX_CENTS
                ),
            ))
        }
    }

    fn customer(&self, path: &str) -> Result<String, ImportError> {
        self.id(path)?.map(str::to_string).ok_or_else(|| {
            self.fail(
                path,
                "is missing: the payment cannot be matched to an account".into(),
            )
        })
    }

    /// The card at `path` ("" for this object itself), `None` when there is none.
    fn card(&self, path: &str) -> Result<Option<CardOnFile>, ImportError> {
        if self.get(path).is_none() {
            return Ok(None);
        }
        let field = |key: &str| {
            if path.is_empty() {
                key.to_string()
            } else {
                format!("{path}.{key}")
            }
        };
        let month = self.int(&field("exp_month"))?;
        if !(1..=12).contains(&month) {
            return Err(self.fail(&field("exp_month"), format!("{month} is not a month")));
        }
        let year = self.int(&field("exp_year"))?;
        Ok(Some(CardOnFile {
            brand: self.opt_str(&field("brand"))?.map(str::to_string),
            last4: self.opt_str(&field("last4"))?.map(str::to_string),
            exp_month: month as u32,
            exp_year: i32::try_from(year)
                .map_err(|_| self.fail(&field("exp_year"), format!("{year} is not a year")))?,
        }))
    }

    /// The same value seen from one of its objects (`data.object` of an event).
    fn at_path(&self, path: &str) -> Result<Item<'a>, ImportError> {
        match self.get(path) {
            Some(v @ Value::Object(_)) => Ok(Item {
                value: v,
                at: self.at,
                prefix: format!("{}{path}.", self.prefix),
            }),
            _ => Err(self.fail(path, "is missing or not an object".into())),
        }
    }
}

fn read_item(item: &Item<'_>) -> Result<Read, ImportError> {
    let object = item.str("object")?;
    if object != "event" {
        return read_object(item, object);
    }
    let kind = item.str("type")?;
    let inner = item.at_path("data.object")?;
    let event_at = item.time("created")?;
    let expect = |wanted: &str| -> Result<(), ImportError> {
        let found = inner.str("object")?;
        if found == wanted {
            Ok(())
        } else {
            Err(inner.fail(
                "object",
                format!("a {kind} event carries a {wanted}, not a {found}"),
            ))
        }
    };
    match kind {
        "charge.failed" | "charge.succeeded" => {
            expect("charge")?;
            read_charge(&inner, kind == "charge.succeeded")
        }
        "invoice.payment_failed" => {
            expect("invoice")?;
            read_failed_invoice(&inner, event_at)
        }
        "invoice.paid" | "invoice.payment_succeeded" => {
            expect("invoice")?;
            read_paid_invoice(&inner, event_at)
        }
        "payment_intent.payment_failed" => {
            expect("payment_intent")?;
            read_failed_intent(&inner)
        }
        "customer.source.expiring" => {
            let card = inner
                .card("")?
                .ok_or_else(|| item.fail("data.object", "is not a card".into()))?;
            Ok(found(
                event_at,
                inner.customer("customer")?,
                BillingChange::CardExpiring { card },
            ))
        }
        other => Ok(Read::Skip(other.to_string())),
    }
}

/// A bare object: what happened is read from its status.
fn read_object(item: &Item<'_>, object: &str) -> Result<Read, ImportError> {
    match (object, item.opt_str("status")?) {
        ("charge", Some("failed")) => read_charge(item, false),
        ("charge", Some("succeeded")) => read_charge(item, true),
        ("invoice", Some("paid")) => read_paid_invoice(item, item.time("created")?),
        ("invoice", Some("open")) if item.int("attempt_count").unwrap_or(0) > 0 => {
            read_failed_invoice(item, item.time("created")?)
        }
        ("payment_intent", Some("succeeded")) => Ok(found(
            item.time("created")?,
            item.customer("customer")?,
            BillingChange::PaymentSucceeded {
                payment_ref: payment_ref(item, "id")?,
                attempt_ref: item.id("latest_charge")?.map(str::to_string),
            },
        )),
        ("payment_intent", _) if item.get("last_payment_error").is_some() => {
            read_failed_intent(item)
        }
        (object, status) => Ok(Read::Skip(match status {
            Some(s) => format!("{object} ({s})"),
            None => object.to_string(),
        })),
    }
}

/// The invoice a charge or intent belongs to, else its payment intent, else `own`.
fn payment_ref(item: &Item<'_>, own: &str) -> Result<String, ImportError> {
    Ok(match item.id("invoice")? {
        Some(invoice) => invoice.to_string(),
        None => match item.id("payment_intent")? {
            Some(intent) => intent.to_string(),
            None => item.str(own)?.to_string(),
        },
    })
}

fn read_charge(charge: &Item<'_>, succeeded: bool) -> Result<Read, ImportError> {
    let payment_ref = payment_ref(charge, "id")?;
    let attempt_ref = Some(charge.str("id")?.to_string());
    let change = if succeeded {
        BillingChange::PaymentSucceeded {
            payment_ref,
            attempt_ref,
        }
    } else {
        BillingChange::PaymentFailed {
            payment_ref,
            attempt_ref,
            attempt_number: None,
            amount_cents: charge.amount("amount")?,
            currency: charge.currency("currency")?,
            decline_code: charge
                .code("outcome.reason")?
                .or(charge.code("failure_code")?),
            advice_code: charge.code("outcome.advice_code")?,
            card: charge.card("payment_method_details.card")?,
        }
    };
    Ok(found(
        charge.time("created")?,
        charge.customer("customer")?,
        change,
    ))
}

fn read_failed_invoice(invoice: &Item<'_>, at: DateTime<Utc>) -> Result<Read, ImportError> {
    let attempts = invoice.int("attempt_count")?;
    if attempts < 0 {
        return Err(invoice.fail(
            "attempt_count",
            format!("{attempts} is not a count of attempts (0 or more)"),
        ));
    }
    Ok(found(
        at,
        invoice.customer("customer")?,
        BillingChange::PaymentFailed {
            payment_ref: invoice.str("id")?.to_string(),
            attempt_ref: invoice.id("charge")?.map(str::to_string),
            attempt_number: u32::try_from(attempts).ok().filter(|n| *n > 0),
            amount_cents: invoice.amount("amount_due")?,
            currency: invoice.currency("currency")?,
            decline_code: None,
            advice_code: None,
            card: None,
        },
    ))
}

fn read_paid_invoice(invoice: &Item<'_>, at: DateTime<Utc>) -> Result<Read, ImportError> {
    let at = match invoice.get("status_transitions.paid_at") {
        Some(_) => invoice.time("status_transitions.paid_at")?,
        None => at,
    };
    Ok(found(
        at,
        invoice.customer("customer")?,
        BillingChange::PaymentSucceeded {
            payment_ref: invoice.str("id")?.to_string(),
            attempt_ref: invoice.id("charge")?.map(str::to_string),
        },
    ))
}

fn read_failed_intent(intent: &Item<'_>) -> Result<Read, ImportError> {
    let error = "last_payment_error";
    Ok(found(
        intent.time("created")?,
        intent.customer("customer")?,
        BillingChange::PaymentFailed {
            payment_ref: payment_ref(intent, "id")?,
            attempt_ref: match intent.id(&format!("{error}.charge"))? {
                Some(charge) => Some(charge.to_string()),
                None => intent.id("latest_charge")?.map(str::to_string),
            },
            attempt_number: None,
            amount_cents: intent.amount("amount")?,
            currency: intent.currency("currency")?,
            decline_code: intent
                .code(&format!("{error}.decline_code"))?
                .or(intent.code(&format!("{error}.code"))?),
            advice_code: intent.code(&format!("{error}.advice_code"))?,
            card: intent.card(&format!("{error}.payment_method.card"))?,
        },
    ))
}
