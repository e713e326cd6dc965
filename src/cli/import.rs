//! `retain import`: what other systems export, into the database.

use std::path::PathBuf;

use anyhow::{Context, Result};
use serde::Serialize;

use super::Ctx;
use crate::ingest::stripe;
use crate::store::{Actor, BillingCounts, Create};

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub source: ImportSource,
}

#[derive(Debug, clap::Subcommand)]
pub enum ImportSource {
    /// Stripe events or charge/invoice/payment-intent objects: a JSON array, newline-delimited
    /// JSON, or an API list. Idempotent; a malformed file changes nothing
    Stripe {
        file: PathBuf,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Accounts from CSV, by external id (re-importing updates)
    Accounts(super::import_csv::CsvArgs),
    /// Contacts from CSV, by account and email (or name)
    Contacts(super::import_csv::CsvArgs),
    /// Calls, emails, meetings, notes and check-ins from CSV, by account, moment, kind and summary
    Interactions(super::import_csv::CsvArgs),
    /// Support tickets from CSV, by ticket id
    Tickets(super::import_csv::CsvArgs),
    /// NPS answers from CSV, by account and moment
    Nps(super::import_csv::CsvArgs),
    /// Monthly usage from CSV, by account and month
    Usage(super::import_csv::CsvArgs),
    /// Failed payments from CSV, by invoice or charge id
    Payments(super::import_csv::CsvArgs),
}

#[derive(Serialize)]
struct Imported<'a> {
    file: String,
    #[serde(flatten)]
    counts: &'a BillingCounts,
    skipped: &'a std::collections::BTreeMap<String, usize>,
}

pub fn run(ctx: &Ctx, args: &ImportArgs) -> Result<()> {
    use crate::store::ImportKind as K;
    let (file, json) = match &args.source {
        ImportSource::Stripe { file, json } => (file, *json),
        ImportSource::Accounts(a) => return super::import_csv::run(ctx, K::Accounts, a),
        ImportSource::Contacts(a) => return super::import_csv::run(ctx, K::Contacts, a),
        ImportSource::Interactions(a) => return super::import_csv::run(ctx, K::Interactions, a),
        ImportSource::Tickets(a) => return super::import_csv::run(ctx, K::Tickets, a),
        ImportSource::Nps(a) => return super::import_csv::run(ctx, K::Nps, a),
        ImportSource::Usage(a) => return super::import_csv::run(ctx, K::Usage, a),
        ImportSource::Payments(a) => return super::import_csv::run(ctx, K::Payments, a),
    };
    let policy = crate::config::retry_policy()?;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    // Parse all of it before touching the database: a bad item anywhere rejects the file.
    let parsed = stripe::parse(file, &text)?;
    let mut store = ctx.open(Create::Never)?;
    let by = Actor {
        os_user: &ctx.os_user,
        now: ctx.now(),
    };
    let source = format!("stripe {}", file.display());
    let counts = store.apply_billing(&parsed.events, &source, &policy, by)?;
    if json {
        let out = Imported {
            file: file.display().to_string(),
            counts: &counts,
            skipped: &parsed.skipped,
        };
        crate::say!("{}", crate::display::to_json(&out)?);
        return Ok(());
    }
    crate::say!(
        "{}: {} payments opened, {} attempts recorded, {} recovered, {} cards noted, {} already known",
        file.display(),
        counts.payments_opened,
        counts.attempts_recorded,
        counts.recovered,
        counts.cards_noted,
        counts.unchanged
    );
    if counts.paid_without_failure > 0 {
        crate::say!(
            "{} successful payments have no failure on record yet: kept, and a failure imported later is recovered by them",
            counts.paid_without_failure
        );
    }
    for (kind, n) in &parsed.skipped {
        crate::say!("skipped {n} × {kind} (not about failed payments)");
    }
    if !counts.unmatched_customers.is_empty() {
        let shown: Vec<String> = counts
            .unmatched_customers
            .iter()
            .take(10)
            .map(|(c, n)| format!("{c} ({n})"))
            .collect();
        crate::tell!(
            "retain: warning: {} customers match no account's external id, and their events were left out: {}{}. Import those accounts first, then this file again",
            counts.unmatched_customers.len(),
            shown.join(", "),
            if counts.unmatched_customers.len() > 10 {
                ", ..."
            } else {
                ""
            }
        );
    }
    Ok(())
}
