//! What reps write and customers say, for the demo's interactions, tickets and NPS answers.

/// Interaction summaries by situation: (summary, outcome).
pub const WELCOME: &[(&str, &str)] = &[
    (
        "Welcome call: introduced the team and next steps",
        "positive",
    ),
    ("Kickoff: agreed goals and success criteria", "positive"),
    ("Admin training session", "positive"),
    (
        "Shared the onboarding guide; import still pending",
        "neutral",
    ),
    (
        "Onboarding stalled: no one assigned on their side",
        "negative",
    ),
];

pub const HEALTHY: &[(&str, &str)] = &[
    ("Quarterly check-in: team happy with reporting", "positive"),
    ("Walked through the new dashboards", "positive"),
    (
        "Business review: they hit their adoption target",
        "positive",
    ),
    ("Asked about adding seats for the support team", "positive"),
    ("Routine check-in, no issues raised", "neutral"),
    ("Sent the release notes and a tips sheet", "neutral"),
    ("Left voicemail about the upcoming webinar", "no answer"),
];

pub const TROUBLED: &[(&str, &str)] = &[
    ("Usage is down since their champion left", "negative"),
    ("They asked whether a cheaper plan exists", "negative"),
    (
        "Complained that the export bug blocks month-end",
        "negative",
    ),
    ("Frustrated by slow ticket responses", "negative"),
    (
        "Only two people still log in; offered retraining",
        "neutral",
    ),
    ("No answer; second voicemail this month", "no answer"),
];

pub const PAYMENT: &[(&str, &str)] = &[
    (
        "Called about the failed payment; card update promised",
        "neutral",
    ),
    (
        "Emailed the card-update link for the failed invoice",
        "neutral",
    ),
    ("Finance contact on leave; invoice still unpaid", "negative"),
];

pub const RENEWAL: &[(&str, &str)] = &[
    (
        "Renewal prep: reviewed usage and value delivered",
        "positive",
    ),
    ("Renewal call: they want a discount to continue", "negative"),
    ("Sent renewal quote", "neutral"),
];

/// Notes in the customer's own language, for accounts outside English-speaking regions.
pub const LOCAL_NOTES: &[&str] = &[
    "Herr Müller bittet um Rückruf wegen der Rechnung.",
    "Frau Schäfer möchte eine Schulung für das neue Team.",
    "Mme Lefèvre souhaite une démonstration des rapports.",
    "El Sr. Muñoz pregunta por la facturación anual.",
    "客户希望下周安排一次培训。",
    "王经理反馈导出功能太慢。",
    "担当者から請求書について問い合わせがありました。",
];

pub const TICKET_SUBJECTS: &[&str] = &[
    "Cannot export report to CSV",
    "SSO login fails for new users",
    "Invoice shows the wrong VAT number",
    "API returns 429 rate limit errors",
    "Dashboard takes a minute to load",
    "Password reset email never arrives",
    "Data sync stuck since Monday",
    "Feature request: bulk edit of records",
    "Mobile app crashes on upload",
    "Duplicate contacts after import",
    "Webhook deliveries failing",
    "Permissions: managers see other teams' data",
];

pub const NPS_PROMOTER: &[&str] = &[
    "Great product, support answers quickly.",
    "The reports save us hours every week.",
    "Easy to roll out to the whole team.",
    "",
    "非常好用，团队都很喜欢。",
    "Sehr zufrieden, weiter so!",
];

pub const NPS_PASSIVE: &[&str] = &[
    "Does the job.",
    "Fine, but the mobile app needs work.",
    "",
    "Un peu cher mais efficace.",
];

pub const NPS_DETRACTOR: &[&str] = &[
    "Too expensive for what we actually use.",
    "Support takes days to answer.",
    "Hard to get the team to use it.",
    "Too many bugs lately.",
    "We are looking at other tools.",
    "导出功能经常出错。",
];

/// Voluntary churn reasons, by the behaviour that drove the customer away.
pub const REASON_ONBOARDING: &str = "never adopted the product";
pub const REASON_USAGE: &str = "not getting enough value; usage fell";
pub const REASON_SUPPORT: &str = "unhappy with support and unresolved issues";
pub const REASON_PRICE: &str = "too expensive for their usage";
pub const REASON_DUNNING: &str = "cancelled during dunning (stopped the payment)";
pub const REASONS_OTHER: &[&str] = &[
    "company closed",
    "acquired; moved to the parent's tools",
    "budget cut",
    "project ended",
];
