//! `retain summary`: what the database holds, in a few lines or as JSON.

use anyhow::Result;
use chrono::NaiveDate;

use super::Ctx;
use crate::domain::lifecycle::StageBounds;
use crate::domain::money;
use crate::store::{Create, Store};

pub fn run(ctx: &Ctx, json: bool) -> Result<()> {
    let store = ctx.open(Create::Never)?;
    print(&store, ctx.today, json)
}

pub fn print(store: &Store, today: NaiveDate, json: bool) -> Result<()> {
    let s = store.summary(today, &StageBounds::default())?;
    if json {
        let mut value = serde_json::to_value(&s)?;
        value["path"] = store.path().display().to_string().into();
        value["today"] = today.to_string().into();
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(());
    }
    let mrr: Vec<String> = s
        .active_mrr
        .iter()
        .map(|m| money::format(m.cents, &m.currency))
        .collect();
    let codes: Vec<String> = s
        .decline_codes
        .iter()
        .take(8)
        .map(|c| format!("{} {}", c.code, c.count))
        .collect();
    println!(
        "{} (schema version {}), as of {today}",
        store.path().display(),
        s.schema_version
    );
    println!(
        "reps           {} active, {} inactive",
        s.reps_active, s.reps_inactive
    );
    println!(
        "accounts       {} active (early {}, mid {}, late {}), {} churned ({} voluntary, {} involuntary)",
        s.accounts_active,
        s.active_early,
        s.active_mid,
        s.active_late,
        s.accounts_churned,
        s.churned_voluntary,
        s.churned_involuntary
    );
    println!(
        "active MRR     {}",
        if mrr.is_empty() {
            "none".into()
        } else {
            mrr.join(", ")
        }
    );
    println!("contacts       {}", s.contacts);
    println!("interactions   {}", s.interactions);
    println!("tickets        {} ({} open)", s.tickets, s.tickets_open);
    println!("NPS answers    {}", s.nps_responses);
    println!("usage          {} monthly snapshots", s.usage_snapshots);
    println!(
        "failed payments {} failing, {} recovered, {} lost, {} written off",
        s.payments_failing, s.payments_recovered, s.payments_lost, s.payments_written_off
    );
    if !codes.is_empty() {
        println!("decline codes  {}", codes.join(", "));
    }
    Ok(())
}
