//! `retain search QUERY`: the console's lookup from the shell.

use anyhow::Result;
use serde::Serialize;

use super::Ctx;
use crate::display::terminal_safe;
use crate::domain::money;
use crate::domain::search::Hit;
use crate::store::{AccountRow, Store};

#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// Part of a name, a domain, an email, a phone number (any formatting) or an id
    pub query: String,

    /// How many accounts to show
    #[arg(long, default_value_t = 20)]
    pub limit: usize,

    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Serialize)]
struct Found<'a> {
    account_id: i64,
    external_id: &'a str,
    name: &'a str,
    matched_field: &'static str,
    score: u32,
    contact_id: Option<i64>,
    active: bool,
    mrr_cents: i64,
    currency: &'a str,
    owner: Option<&'a str>,
}

pub fn run(ctx: &Ctx, args: &SearchArgs) -> Result<()> {
    let store = ctx.read()?;
    let (hits, rows) = find(&store, &args.query, args.limit)?;
    let found: Vec<Found<'_>> = hits
        .iter()
        .zip(&rows)
        .map(|(hit, row)| Found {
            account_id: row.account_id,
            external_id: &row.external_id,
            name: &row.name,
            matched_field: hit.field.as_str(),
            score: hit.score,
            contact_id: hit.contact_id,
            active: row.active,
            mrr_cents: row.mrr_cents,
            currency: &row.currency,
            owner: row.owner.as_deref(),
        })
        .collect();
    if args.json {
        crate::say!("{}", crate::display::to_json(&found)?);
        return Ok(());
    }
    if found.is_empty() {
        crate::say!("no account matches {:?}", args.query);
    }
    for f in &found {
        crate::say!(
            "{:>7}  {:<20} {:<12} {:>16}  {}{}",
            f.account_id,
            f.external_id,
            f.matched_field,
            money::format(f.mrr_cents, f.currency),
            terminal_safe(f.name),
            if f.active { "" } else { "  (churned)" }
        );
    }
    Ok(())
}

/// The hits for `query` and their rows, in rank order.
pub fn find(store: &Store, query: &str, limit: usize) -> Result<(Vec<Hit>, Vec<AccountRow>)> {
    let index = store.search_index()?;
    let hits = index.search(query, limit);
    let ids: Vec<i64> = hits.iter().map(|h| h.account_id).collect();
    let rows = store.account_rows(&ids)?;
    // A row can vanish between the two reads when another process deletes the account.
    let hits = hits
        .into_iter()
        .filter(|h| rows.iter().any(|r| r.account_id == h.account_id))
        .collect();
    Ok((hits, rows))
}
