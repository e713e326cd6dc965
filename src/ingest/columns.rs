//! The columns each kind of CSV import reads: our names, the aliases other systems use, and
//! what a value must look like. Header matching ignores case, blanks, `-` and `_`.

use crate::store::ImportKind;

/// What a column's values must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Text,
    /// A calendar day.
    Day,
    /// A moment; a bare day means midnight UTC.
    Instant,
    /// Major units with a dot (`12.50`), stored in the minor unit of the row's currency.
    Money,
    /// A whole number, at least 0.
    Count,
    Bool,
    /// A three-letter currency code.
    Currency,
    /// A two-letter country code (ISO 3166-1).
    Country,
    /// A decline or advice code: a lower-case word of letters, digits and `_`.
    Code,
    /// One of a fixed set of words.
    OneOf(&'static [&'static str]),
}

#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
    pub kind: Type,
}

const fn col(name: &'static str, aliases: &'static [&'static str], kind: Type) -> Column {
    Column {
        name,
        aliases,
        required: false,
        kind,
    }
}

const fn req(name: &'static str, aliases: &'static [&'static str], kind: Type) -> Column {
    Column {
        name,
        aliases,
        required: true,
        kind,
    }
}

const ACCOUNT: &[&str] = &[
    "account_id",
    "account_external_id",
    "customer_id",
    "customer",
    "company_id",
];

const ACCOUNTS: &[Column] = &[
    req(
        "external_id",
        &["id", "customer_id", "account_id", "company_id"],
        Type::Text,
    ),
    req(
        "name",
        &["company", "company_name", "account_name", "customer_name"],
        Type::Text,
    ),
    col("domain", &["website", "company_domain"], Type::Text),
    col("country", &["country_code"], Type::Country),
    col("industry", &["sector", "vertical"], Type::Text),
    col("plan", &["tier", "product"], Type::Text),
    col(
        "billing_interval",
        &["billing", "interval", "billing_period"],
        Type::OneOf(&["monthly", "annual"]),
    ),
    col(
        "mrr",
        &["mrr_amount", "monthly_revenue", "monthly_recurring_revenue"],
        Type::Money,
    ),
    col("currency", &["mrr_currency"], Type::Currency),
    req(
        "customer_since",
        &[
            "start_date",
            "signup_date",
            "created",
            "created_at",
            "since",
        ],
        Type::Day,
    ),
    col(
        "renewal_date",
        &["renewal", "renews_on", "contract_end"],
        Type::Day,
    ),
    col(
        "owner",
        &["csm", "rep", "account_owner", "owner_login"],
        Type::Text,
    ),
    col("status", &["state"], Type::OneOf(&["active", "churned"])),
    col(
        "churned_at",
        &["churn_date", "cancelled_at", "canceled_at"],
        Type::Day,
    ),
    col(
        "churn_reason",
        &["cancel_reason", "cancellation_reason"],
        Type::Text,
    ),
    col(
        "churn_kind",
        &["churn_type"],
        Type::OneOf(&["voluntary", "involuntary"]),
    ),
];

const CONTACTS: &[Column] = &[
    req("account", ACCOUNT, Type::Text),
    req(
        "name",
        &["full_name", "contact_name", "contact"],
        Type::Text,
    ),
    col("email", &["email_address", "e_mail", "mail"], Type::Text),
    col(
        "phone",
        &["phone_number", "telephone", "mobile"],
        Type::Text,
    ),
    col("role", &["title", "job_title", "position"], Type::Text),
    col(
        "is_primary",
        &["primary", "main_contact", "is_main"],
        Type::Bool,
    ),
];

const INTERACTIONS: &[Column] = &[
    req("account", ACCOUNT, Type::Text),
    req(
        "occurred_at",
        &["date", "timestamp", "when", "created_at", "at"],
        Type::Instant,
    ),
    req(
        "kind",
        &["type", "channel", "activity_type"],
        Type::OneOf(&["call", "email", "meeting", "note", "check-in"]),
    ),
    req("summary", &["subject", "title", "note"], Type::Text),
    col("body", &["details", "description", "notes"], Type::Text),
    col("outcome", &["result"], Type::Text),
    col("tags", &["labels"], Type::Text),
    col("rep", &["owner", "user", "author", "logged_by"], Type::Text),
];

const TICKETS: &[Column] = &[
    req("account", ACCOUNT, Type::Text),
    req(
        "external_id",
        &["id", "ticket_id", "ticket_number"],
        Type::Text,
    ),
    req("subject", &["title", "summary"], Type::Text),
    col(
        "severity",
        &["priority"],
        Type::OneOf(&["low", "normal", "high", "urgent"]),
    ),
    req(
        "opened_at",
        &["created", "created_at", "opened"],
        Type::Instant,
    ),
    col(
        "resolved_at",
        &["closed_at", "solved_at", "resolved"],
        Type::Instant,
    ),
    col("satisfaction", &["csat", "rating"], Type::Count),
];

const NPS: &[Column] = &[
    req("account", ACCOUNT, Type::Text),
    req(
        "responded_at",
        &["date", "submitted_at", "created_at"],
        Type::Instant,
    ),
    req("score", &["nps", "nps_score", "rating"], Type::Count),
    col("comment", &["feedback", "reason", "text"], Type::Text),
];

const USAGE: &[Column] = &[
    req("account", ACCOUNT, Type::Text),
    req("period", &["month", "date"], Type::Day),
    req(
        "active_users",
        &["users", "mau", "monthly_active_users"],
        Type::Count,
    ),
    req("seats", &["licenses", "licences"], Type::Count),
    col("logins", &["sessions"], Type::Count),
    col(
        "key_feature_uses",
        &["feature_uses", "key_features"],
        Type::Count,
    ),
];

const PAYMENTS: &[Column] = &[
    req("account", ACCOUNT, Type::Text),
    req(
        "external_ref",
        &["invoice", "invoice_id", "charge", "charge_id", "payment_id"],
        Type::Text,
    ),
    req("amount", &["amount_due", "value"], Type::Money),
    req("currency", &[], Type::Currency),
    req(
        "first_failed_at",
        &["failed_at", "date", "created"],
        Type::Instant,
    ),
    req(
        "decline_code",
        &["code", "failure_code", "reason"],
        Type::Code,
    ),
    col(
        "status",
        &[],
        Type::OneOf(&["failing", "recovered", "lost", "written_off"]),
    ),
    col("resolved_at", &["recovered_at", "closed_at"], Type::Instant),
];

/// The columns that name one row of a kind: two rows of one file with the same values there are
/// one thing said twice. (Contacts are named by email, or by name when there is no email.)
pub fn key(kind: ImportKind) -> &'static [&'static str] {
    match kind {
        ImportKind::Accounts | ImportKind::Tickets => &["external_id"],
        ImportKind::Contacts => &["account", "email|name"],
        ImportKind::Interactions => &["account", "occurred_at", "kind", "summary"],
        ImportKind::Nps => &["account", "responded_at"],
        ImportKind::Usage => &["account", "period"],
        ImportKind::Payments => &["external_ref"],
    }
}

/// The column that names a rep by login, if the kind has one.
pub fn login_column(kind: ImportKind) -> Option<&'static str> {
    match kind {
        ImportKind::Accounts => Some("owner"),
        ImportKind::Interactions => Some("rep"),
        _ => None,
    }
}

pub fn of(kind: ImportKind) -> &'static [Column] {
    match kind {
        ImportKind::Accounts => ACCOUNTS,
        ImportKind::Contacts => CONTACTS,
        ImportKind::Interactions => INTERACTIONS,
        ImportKind::Tickets => TICKETS,
        ImportKind::Nps => NPS,
        ImportKind::Usage => USAGE,
        ImportKind::Payments => PAYMENTS,
    }
}

/// A header as compared: lower case, without blanks, `-` or `_`.
pub fn fold_header(h: &str) -> String {
    h.trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}
