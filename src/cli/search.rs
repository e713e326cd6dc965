//! `retain search QUERY`: the console's lookup from the shell.

use anyhow::Result;
use serde::Serialize;

use super::Ctx;
use crate::display::terminal_safe;
use crate::domain::money;
use crate::services::lookup::{self, Found};
use crate::store::Store;

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
struct Row<'a> {
    account_id: i64,
    external_id: &'a str,
    name: &'a str,
    matched_field: &'static str,
    matched_value: &'a str,
    score: u32,
    contact_id: Option<i64>,
    active: bool,
    mrr_cents: i64,
    currency: &'a str,
    owner: Option<&'a str>,
}

pub fn run(ctx: &Ctx, args: &SearchArgs) -> Result<()> {
    let store = ctx.read()?;
    let found = find(&store, &args.query, args.limit, Some(&ctx.login))?;
    let rows: Vec<Row<'_>> = found
        .iter()
        .map(|f| Row {
            account_id: f.row.account_id,
            external_id: &f.row.external_id,
            name: &f.row.name,
            matched_field: f.hit.field.as_str(),
            matched_value: &f.matched_value,
            score: f.hit.score,
            contact_id: f.hit.contact_id,
            active: f.row.active,
            mrr_cents: f.row.mrr_cents,
            currency: &f.row.currency,
            owner: f.row.owner.as_deref(),
        })
        .collect();
    if args.json {
        crate::say!("{}", crate::display::to_json(&rows)?);
        return Ok(());
    }
    if rows.is_empty() {
        crate::say!("no account matches {:?}", args.query);
    }
    for r in &rows {
        crate::say!(
            "{:>7}  {:<20} {:>16}  {}{}  ({}) · {}",
            r.account_id,
            r.external_id,
            money::format(r.mrr_cents, r.currency),
            terminal_safe(r.name),
            if r.active { "" } else { " · CHURNED" },
            r.owner.map_or("team".into(), terminal_safe),
            terminal_safe(r.matched_value),
        );
    }
    Ok(())
}

/// The accounts `query` finds, best first (`me`'s own first among equals), read for the
/// team's country.
pub fn find(store: &Store, query: &str, limit: usize, me: Option<&str>) -> Result<Vec<Found>> {
    let index = store.search_index(crate::config::team_country()?)?;
    Ok(lookup::find(store, &index, query, limit, me)?)
}
