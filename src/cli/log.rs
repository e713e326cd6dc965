//! `retain log ACCOUNT`: log a call, email, meeting or note from the shell.

use anyhow::{Context, Result, bail};

use super::{Ctx, search};
use crate::domain::dates;
use crate::domain::model::{Interaction, InteractionKind, note_summary};
use crate::store::{Create, Store};

#[derive(Debug, clap::Args)]
pub struct LogArgs {
    /// The account: its id, its external id, or a search that finds only it
    pub account: String,

    /// call, email, meeting, note or check-in
    #[arg(long, default_value = "call")]
    pub kind: InteractionKind,

    /// What happened; the first line becomes the summary
    #[arg(long)]
    pub note: String,

    /// How it went (positive, neutral, negative, no answer ...)
    #[arg(long)]
    pub outcome: Option<String>,

    /// A tag such as competitor, pricing, bug, onboarding (repeat for more)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,

    /// When to follow up: 2026-12-01, +3d, fri, next week ...
    #[arg(long, value_name = "DAY")]
    pub follow_up: Option<String>,
}

pub fn run(ctx: &Ctx, args: &LogArgs) -> Result<()> {
    let mut store = ctx.open(Create::Never)?;
    let account_id = resolve_account(&store, &args.account)?;
    let note = args.note.trim();
    if note.is_empty() {
        bail!("--note is empty: say what happened");
    }
    let follow_up_on = args
        .follow_up
        .as_deref()
        .map(|text| dates::follow_up_day(text, ctx.today))
        .transpose()
        .map_err(anyhow::Error::msg)
        .context("--follow-up")?;
    let rep = store.rep(&ctx.login)?.map(|_| ctx.login.clone());
    let now = ctx.now();
    let new = Interaction {
        rep,
        kind: args.kind,
        occurred_at: now,
        summary: note_summary(note),
        body: note.to_string(),
        outcome: args.outcome.clone().filter(|o| !o.trim().is_empty()),
        tags: args
            .tags
            .iter()
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty())
            .collect(),
        follow_up_on,
    };
    let id = store.log_interaction(account_id, &new, &ctx.os_user, now)?;
    if new.kind == InteractionKind::CheckIn {
        store.schedule_account(
            account_id,
            ctx.today,
            &crate::domain::lifecycle::StageBounds::default(),
            &crate::domain::checkins::Cadences::default(),
        )?;
    }
    let name = store
        .account_rows(&[account_id])?
        .pop()
        .map(|r| r.name)
        .unwrap_or_default();
    crate::say!(
        "logged {} {id} on {} (account {account_id})",
        args.kind,
        crate::display::terminal_safe(&name)
    );
    Ok(())
}

/// An account id, an external id, or a search with one clear answer.
pub(super) fn resolve_account(store: &Store, key: &str) -> Result<i64> {
    if let Some(id) = store.account_by_key(key)? {
        return Ok(id);
    }
    let found = search::find(store, key, 5, None)?;
    match found.as_slice() {
        [] => bail!("no account matches {key:?}"),
        [only] => Ok(only.row.account_id),
        // An exact id, address or number that no other account matches as well.
        [first, second, ..] if first.hit.score >= 1000 && second.hit.score < first.hit.score => {
            Ok(first.row.account_id)
        }
        _ => {
            let names: Vec<String> = found
                .iter()
                .map(|f| {
                    let r = &f.row;
                    format!(
                        "{} {} ({}, {})",
                        r.account_id, r.name, r.external_id, f.matched_value
                    )
                })
                .collect();
            bail!(
                "{key:?} matches several accounts; give an id: {}",
                names.join("; ")
            )
        }
    }
}
