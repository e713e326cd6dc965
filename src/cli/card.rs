//! `retain card ACCOUNT`: the account card the console shows a rep on a call, for scripts and a
//! softphone's incoming-call hook.

use anyhow::{Result, bail};
use serde::Serialize;

use super::{Ctx, log::resolve_account};
use crate::display::terminal_safe;
use crate::domain::money;
use crate::domain::risk::RiskScore;
use crate::store::AccountCard;

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
    let Some(card) = store.account_card(account_id)? else {
        bail!("there is no account {account_id}");
    };
    let model = crate::config::risk_model()?;
    let scored = crate::scoring::score_one(&store, &model, ctx.today, account_id)?;
    let (stage, risk) = match scored {
        Some((s, _)) => (Some(s.stage.as_str()), Some(s.risk)),
        None => (None, None),
    };
    if args.json {
        let card = Card { card, stage, risk };
        crate::say!("{}", crate::display::to_json(&card)?);
        return Ok(());
    }
    print_card(ctx, &card, stage, risk.as_ref());
    Ok(())
}

fn print_card(ctx: &Ctx, card: &AccountCard, stage: Option<&str>, risk: Option<&RiskScore>) {
    let r = &card.row;
    let safe = |t: &str| terminal_safe(t).into_owned();
    crate::say!(
        "{} (account {}, {})",
        safe(&r.name),
        r.account_id,
        safe(&r.external_id)
    );
    let mut facts = vec![
        r.plan.as_deref().map_or("no plan".into(), safe),
        format!("MRR {}", money::format(r.mrr_cents, &r.currency)),
    ];
    facts.extend(stage.map(|s| format!("{s} stage")));
    facts.extend(r.renewal_date.map(|d| format!("renews {d}")));
    facts.push(match (&card.owner_name, &r.owner) {
        (Some(name), _) => format!("owner {}", safe(name)),
        (None, Some(login)) => format!("owner {}", safe(login)),
        (None, None) => "team account".into(),
    });
    if !r.active {
        facts.push(match card.churned_at {
            Some(d) => format!("churned {d}"),
            None => "churned".into(),
        });
    }
    crate::say!("{}", facts.join(" · "));
    let policy = crate::domain::retry::RetryPolicy::default();
    for p in &card.open_payments {
        let class = policy.class_of(&p.decline_code, None).class;
        crate::say!(
            "payment failing: {} {} ({}), {} attempts",
            money::format(p.amount_cents, &p.currency),
            safe(&p.decline_code),
            crate::domain::retry::meaning(class),
            p.attempts
        );
    }
    let checkin = card.next_checkin.as_ref().map(|(day, kind)| {
        let late = if *day < ctx.today {
            format!(", {} d late", (ctx.today - *day).num_days())
        } else {
            String::new()
        };
        format!("next check-in {day} ({}){late}", safe(kind))
    });
    crate::say!(
        "open tickets {}{}",
        card.open_tickets,
        checkin.map(|c| format!(" · {c}")).unwrap_or_default()
    );
    if let Some(risk) = risk {
        let top: Vec<String> = risk
            .reasons
            .iter()
            .take(3)
            .map(|r| safe(&r.detail))
            .collect();
        crate::say!(
            "risk {:.0} ({}): {}",
            risk.score,
            risk.band.as_str(),
            if top.is_empty() {
                "no signal".into()
            } else {
                top.join("; ")
            }
        );
    }
    for c in &card.contacts {
        let mut parts = vec![safe(&c.name)];
        parts.extend(c.role.as_deref().map(safe));
        parts.extend(c.phone.as_deref().map(safe));
        parts.extend(c.email.as_deref().map(safe));
        let primary = if c.is_primary { " (primary)" } else { "" };
        crate::say!("contact{primary}: {}", parts.join(" · "));
    }
    if !card.notes.trim().is_empty() {
        crate::say!("notes: {}", safe(card.notes.trim()));
    }
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
