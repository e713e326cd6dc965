//! `retain card ACCOUNT`: the account card the console shows a rep on a call, for scripts and a
//! softphone's incoming-call hook.

use anyhow::{Result, bail};
use serde::Serialize;

use super::{Ctx, log::resolve_account};
use crate::account_card;
use crate::display::terminal_safe;
use crate::domain::retry::RetryPolicy;
use crate::domain::risk::RiskScore;
use crate::store::{AccountCard, Store};

#[derive(Debug, clap::Args)]
pub struct CardArgs {
    /// The account: its id, its external id, or a search that finds only it
    pub account: String,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

/// The card and its risk, as `--json` prints them.
#[derive(Debug, Serialize)]
struct Card {
    #[serde(flatten)]
    card: AccountCard,
    stage: Option<&'static str>,
    risk: Option<RiskScore>,
}

pub fn run(ctx: &Ctx, args: &CardArgs) -> Result<()> {
    let store = ctx.read()?;
    let account_id = resolve_account(&store, &args.account)?;
    show(ctx, &store, account_id, None, args.json)
}

/// `retain --open QUERY` off a terminal: the card of the account the console would open.
pub fn print_top_match(ctx: &Ctx, store: &Store, query: &str) -> Result<()> {
    match super::search::find(store, query, 1, Some(&ctx.login))?.first() {
        Some(found) => show(
            ctx,
            store,
            found.row.account_id,
            found.hit.contact_id,
            false,
        ),
        None => bail!("no account matches {query:?}"),
    }
}

/// The card of `account_id`, `found_by` the contact a lookup found it by (marked).
fn show(
    ctx: &Ctx,
    store: &Store,
    account_id: i64,
    found_by: Option<i64>,
    json: bool,
) -> Result<()> {
    let Some(card) = store.account_card(account_id)? else {
        bail!("there is no account {account_id}");
    };
    let model = crate::config::risk_model()?;
    let scored = crate::services::scoring::score_one(store, &model, ctx.today, account_id)?;
    let (stage, risk) = match scored {
        Some((s, _)) => (Some(s.stage.as_str()), Some(s.risk)),
        None => (None, None),
    };
    if json {
        let card = Card { card, stage, risk };
        crate::say!("{}", crate::display::to_json(&card)?);
        return Ok(());
    }
    let policy = crate::config::retry_policy()?;
    print_card(ctx, &card, risk.as_ref(), &policy, found_by);
    Ok(())
}

fn print_card(
    ctx: &Ctx,
    card: &AccountCard,
    risk: Option<&RiskScore>,
    policy: &RetryPolicy,
    found_by: Option<i64>,
) {
    crate::say!(
        "account {} · {}",
        card.row.account_id,
        if card.row.active { "active" } else { "churned" }
    );
    for line in account_card::lines(card, risk, ctx.today, policy, found_by) {
        crate::say!("{}", terminal_safe(&account_card::plain(&line.text)));
    }
    let safe = |t: &str| terminal_safe(t).into_owned();
    for e in card.timeline.iter().take(10) {
        crate::say!(
            "{}  {:<8} {}{}",
            e.at.format("%Y-%m-%d"),
            safe(&e.label),
            safe(&e.title),
            e.who
                .as_deref()
                .map(|w| format!(" · {}", safe(w)))
                .unwrap_or_default()
        );
    }
}
