//! What a billing system tells us about payments, whatever its export looks like: a payment
//! failed, a payment went through, a card is about to expire.

use chrono::{DateTime, Utc};

/// A card as the billing system describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardOnFile {
    pub brand: Option<String>,
    pub last4: Option<String>,
    pub exp_month: u32,
    pub exp_year: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BillingChange {
    /// An attempt to collect `payment_ref` failed.
    PaymentFailed {
        payment_ref: String,
        /// The attempt's own id (a charge), when the export gives one.
        attempt_ref: Option<String>,
        /// How many attempts the billing system has made so far, when it says (invoices do).
        attempt_number: Option<u32>,
        amount_cents: i64,
        currency: String,
        /// `None` when the export does not say why (an invoice event carries no code).
        decline_code: Option<String>,
        advice_code: Option<String>,
        card: Option<CardOnFile>,
    },
    /// `payment_ref` was collected.
    PaymentSucceeded {
        payment_ref: String,
        attempt_ref: Option<String>,
    },
    /// The customer's card expires soon.
    CardExpiring { card: CardOnFile },
}

/// One change, with the customer it concerns and where in the file it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingEvent {
    /// "line 12" or "item 3", for messages.
    pub origin: String,
    pub at: DateTime<Utc>,
    /// The billing system's customer id: an account's `external_id`.
    pub customer: String,
    pub change: BillingChange,
}
