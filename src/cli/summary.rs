//! `retain summary`: what the database holds, in a few lines or as JSON.

use anyhow::Result;
use chrono::NaiveDate;

use super::Ctx;
use crate::display::terminal_safe;
use crate::domain::lifecycle::StageBounds;
use crate::domain::money;
use crate::store::Store;

/// Numbers that read as none, shown as text before "and N more".
const UNPARSED_SHOWN: usize = 10;

pub fn run(ctx: &Ctx, json: bool) -> Result<()> {
    let store = ctx.read()?;
    print(&store, ctx.today, json)
}

pub fn print(store: &Store, today: NaiveDate, json: bool) -> Result<()> {
    let s = store.summary(today, &StageBounds::default())?;
    let unparsed =
        crate::services::lookup::unparsed_numbers(store, crate::config::team_country()?)?;
    if json {
        let mut value = serde_json::to_value(&s)?;
        value["unparsed_phones"] = serde_json::to_value(&unparsed)?;
        value["path"] = store.path().display().to_string().into();
        value["today"] = today.to_string().into();
        crate::say!("{}", crate::display::to_json(&value)?);
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
    crate::say!(
        "{} (schema version {}), as of {today}",
        store.path().display(),
        s.schema_version
    );
    crate::say!(
        "reps           {} active, {} inactive",
        s.reps_active,
        s.reps_inactive
    );
    crate::say!(
        "accounts       {} active (early {}, mid {}, late {}), {} churned ({} voluntary, {} involuntary)",
        s.accounts_active,
        s.active_early,
        s.active_mid,
        s.active_late,
        s.accounts_churned,
        s.churned_voluntary,
        s.churned_involuntary
    );
    crate::say!(
        "active MRR     {}",
        if mrr.is_empty() {
            "none".into()
        } else {
            mrr.join(", ")
        }
    );
    crate::say!("contacts       {}", s.contacts);
    if !unparsed.is_empty() {
        crate::say!(
            "phone numbers  {} read as no number (found by their digits only; --json lists all):",
            unparsed.len()
        );
        for u in unparsed.iter().take(UNPARSED_SHOWN) {
            crate::say!(
                "               {} · {} · {:?} ({})",
                terminal_safe(&u.external_id),
                terminal_safe(&u.contact),
                terminal_safe(&u.phone),
                u.country
            );
        }
        if unparsed.len() > UNPARSED_SHOWN {
            crate::say!(
                "               … and {} more",
                unparsed.len() - UNPARSED_SHOWN
            );
        }
    }
    crate::say!("interactions   {}", s.interactions);
    crate::say!("tickets        {} ({} open)", s.tickets, s.tickets_open);
    crate::say!("NPS answers    {}", s.nps_responses);
    crate::say!("usage          {} monthly snapshots", s.usage_snapshots);
    crate::say!(
        "failed payments {} failing, {} recovered, {} lost, {} written off",
        s.payments_failing,
        s.payments_recovered,
        s.payments_lost,
        s.payments_written_off
    );
    if !codes.is_empty() {
        crate::say!("decline codes  {}", codes.join(", "));
    }
    Ok(())
}
