//! `retain queue`: what this rep should do today, most urgent first.

use anyhow::{Result, bail};
use serde::Serialize;

use super::Ctx;
use crate::display::{fit, terminal_safe};
use crate::domain::money;
use crate::domain::my_queue::Row;
use crate::services::my_queue::my_queue;
use crate::store::{Create, Store};

#[derive(Debug, clap::Args)]
pub struct QueueArgs {
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

/// A row as scripts read it: the row and its reasons in words.
#[derive(Serialize)]
struct Out<'a> {
    #[serde(flatten)]
    row: &'a Row,
    labels: Vec<String>,
}

/// The rep's queue for today, under the user's risk model and retry policy: what `retain queue`
/// prints and `retain export queue` writes.
pub(super) fn todays_rows(ctx: &Ctx, store: &mut Store) -> Result<Vec<Row>> {
    let model = crate::config::risk_model()?;
    let policy = crate::config::retry_policy()?;
    Ok(my_queue(
        store,
        &ctx.login,
        ctx.today,
        ctx.now(),
        &model,
        &policy,
    )?)
}

pub fn run(ctx: &Ctx, args: &QueueArgs) -> Result<()> {
    let mut store = ctx.open(Create::Never)?;
    if store.rep(&ctx.login)?.is_none() {
        bail!(
            "{} is not a rep of {}: the queue is a rep's work for the day (an admin can look with --as LOGIN)",
            ctx.login,
            ctx.db.display()
        );
    }
    let rows = todays_rows(ctx, &mut store)?;
    let labels = |row: &Row| row.labels(ctx.today, money::format);
    if args.json {
        let out: Vec<Out<'_>> = rows
            .iter()
            .map(|row| Out {
                row,
                labels: labels(row),
            })
            .collect();
        crate::say!("{}", crate::display::to_json(&out)?);
        return Ok(());
    }
    if rows.is_empty() {
        crate::say!("nothing to do today");
    }
    for row in &rows {
        crate::say!(
            "{} {:>16}  {}{}",
            fit(&terminal_safe(&row.name), 32),
            money::format(row.mrr_cents, &row.currency),
            if row.touched_today { "✓ " } else { "" },
            labels(row).join(" · ")
        );
    }
    Ok(())
}
