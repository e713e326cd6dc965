//! `retain at-risk` and `retain backtest`.

use anyhow::{Result, bail};
use chrono::{Days, NaiveDate};
use serde::Serialize;

use super::Ctx;
use crate::display::{fit, terminal_safe};
use crate::domain::backtest::{Outcome, evaluate};
use crate::domain::lifecycle::StageBounds;
use crate::domain::risk::{Band, Reason, score};
use crate::services::scoring::{Scored, score_all};
use crate::store::{Create, Scope, Store};

#[derive(Debug, clap::Args)]
pub struct AtRiskArgs {
    /// How many accounts to list
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Only accounts this rep owns
    #[arg(long, value_name = "LOGIN")]
    pub owner: Option<String>,
    /// Only accounts in this band
    #[arg(long, value_parser = parse_band)]
    pub band: Option<Band>,
    /// List what changed since yesterday instead: accounts that became high risk, and scores
    /// that rose by 10 or more, with the factor that moved
    #[arg(long)]
    pub changes: bool,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct BacktestArgs {
    /// Score the accounts as they stood on this day, from data dated before it
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_day)]
    pub as_of: NaiveDate,
    /// Count the churn in this many days after --as-of (1 to 3650)
    #[arg(long, default_value_t = 90,
          value_parser = clap::value_parser!(u64).range(1..=3650))]
    pub horizon_days: u64,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

fn parse_band(s: &str) -> Result<Band, String> {
    s.parse()
        .map_err(|e: crate::domain::text_enum::UnknownWord| e.to_string())
}

#[derive(Serialize)]
struct Row<'a> {
    account_id: i64,
    external_id: &'a str,
    name: &'a str,
    score: f64,
    band: Band,
    mrr_cents: i64,
    currency: &'a str,
    at_stake_cents: i64,
    stage: &'static str,
    owner: Option<&'a str>,
    trend_7d: Option<f64>,
    trend_30d: Option<f64>,
    reasons: Vec<Reason>,
    missing: Vec<&'static str>,
    contract: Option<&'a str>,
}

pub fn at_risk(ctx: &Ctx, args: &AtRiskArgs) -> Result<()> {
    let model = crate::config::risk_model()?;
    let mut store = ctx.open(Create::Never)?;
    let mut scored: Vec<Scored> = score_all(&mut store, &model, ctx.today)?
        .into_iter()
        .filter(|s| args.owner.is_none() || s.owner == args.owner)
        .filter(|s| args.band.is_none_or(|b| s.risk.band == b))
        .collect();
    if args.changes {
        return changes(&store, &scored, ctx.today, args);
    }
    scored.sort_by(|a, b| {
        b.risk
            .score
            .total_cmp(&a.risk.score)
            .then(b.mrr_cents.cmp(&a.mrr_cents))
            .then(a.account_id.cmp(&b.account_id))
    });
    scored.truncate(args.limit);
    let round = |x: f64| (x * 10.0).round() / 10.0;
    if args.json {
        let rows: Vec<Row<'_>> = scored
            .iter()
            .map(|s| Row {
                account_id: s.account_id,
                external_id: &s.external_id,
                name: &s.name,
                score: round(s.risk.score),
                band: s.risk.band,
                mrr_cents: s.mrr_cents,
                currency: &s.currency,
                at_stake_cents: s.at_stake_cents(),
                stage: s.stage.as_str(),
                owner: s.owner.as_deref(),
                trend_7d: s.trend_7d.map(round),
                trend_30d: s.trend_30d.map(round),
                reasons: s
                    .risk
                    .reasons
                    .iter()
                    .map(|r| Reason {
                        points: round(r.points),
                        ..r.clone()
                    })
                    .collect(),
                missing: s.risk.missing.iter().map(|(_, m)| *m).collect(),
                contract: s.risk.contract.as_deref(),
            })
            .collect();
        crate::say!("{}", crate::display::to_json(&rows)?);
        return Ok(());
    }
    if scored.is_empty() {
        crate::say!("no account matches");
    }
    for s in &scored {
        let trend = s
            .trend_7d
            .map_or("    ".to_string(), |t| format!("{t:+4.0}"));
        let top = s.risk.top().map_or(String::new(), |r| r.detail.clone());
        crate::say!(
            "{:>5.1} {:<6} {trend} {} {:<8} {:<5} {}",
            s.risk.score,
            s.risk.band.as_str(),
            fit(&terminal_safe(&s.name), 32),
            s.owner.as_deref().unwrap_or("team"),
            s.stage.as_str(),
            terminal_safe(&top)
        );
    }
    Ok(())
}

pub fn backtest(ctx: &Ctx, args: &BacktestArgs) -> Result<()> {
    if args.as_of >= ctx.today {
        bail!(
            "--as-of {} is not in the past (today is {}); a backtest needs the {} days after it to have happened",
            args.as_of,
            ctx.today,
            args.horizon_days
        );
    }
    let model = crate::config::risk_model()?;
    let store = ctx.read()?;
    // The cutoff is the day itself: nothing dated on or after it is read for the scores.
    let subjects =
        store.risk_subjects(args.as_of, args.as_of, &StageBounds::default(), Scope::All)?;
    let until = args.as_of + Days::new(args.horizon_days);
    let churned = store.churned_between(args.as_of, until)?;
    let outcomes: Vec<Outcome> = subjects
        .iter()
        .map(|s| {
            let risk = score(&s.input, &model);
            Outcome {
                score: risk.score,
                band: risk.band,
                churned: churned.contains(&s.account_id),
            }
        })
        .collect();
    let e = evaluate(&outcomes);
    if args.json {
        let mut value = serde_json::to_value(&e)?;
        value["as_of"] = args.as_of.to_string().into();
        value["horizon_days"] = args.horizon_days.into();
        crate::say!("{}", crate::display::to_json(&value)?);
        return Ok(());
    }
    let pct = |x: f64| format!("{:.1} %", 100.0 * x);
    crate::say!(
        "as of {}, churn within {} days: {} of {} accounts",
        args.as_of,
        args.horizon_days,
        e.churned,
        e.accounts
    );
    crate::say!(
        "ROC AUC         {}",
        e.auc
            .map_or("n/a (needs churners and stayers)".into(), |a| format!(
                "{a:.3}"
            ))
    );
    for b in &e.bands {
        crate::say!(
            "{:<6} band     {:>6} accounts, {:>5} churned, churn rate {}",
            b.band.as_str(),
            b.accounts,
            b.churned,
            pct(b.churn_rate)
        );
    }
    crate::say!(
        "top 10 %        {} accounts catch {} of the churners",
        e.top_decile_accounts,
        e.top_decile_capture.map_or("n/a".into(), pct)
    );
    Ok(())
}

/// `retain at-risk --changes`.
fn changes(store: &Store, scored: &[Scored], today: NaiveDate, args: &AtRiskArgs) -> Result<()> {
    let yesterday = crate::services::scoring::earlier(store, today - Days::new(1), Scope::All)?;
    let now: Vec<(i64, &crate::domain::risk::RiskScore)> =
        scored.iter().map(|s| (s.account_id, &s.risk)).collect();
    let mut changes = crate::domain::risk::changes_since(&now, &yesterday, 10.0);
    changes.truncate(args.limit);
    let by_id: std::collections::HashMap<i64, &Scored> =
        scored.iter().map(|s| (s.account_id, s)).collect();
    if args.json {
        let rows: Vec<serde_json::Value> = changes
            .iter()
            .map(|c| {
                let s = by_id[&c.account_id];
                serde_json::json!({
                    "account_id": c.account_id,
                    "external_id": s.external_id,
                    "name": s.name,
                    "owner": s.owner,
                    "from": c.from.map(|x| (x * 10.0).round() / 10.0),
                    "score": (c.to * 10.0).round() / 10.0,
                    "band": s.risk.band,
                    "new_high": c.new_high,
                    "factor": c.factor,
                    "factor_rise": (c.factor_rise * 10.0).round() / 10.0,
                    "detail": c.factor.and_then(|f| s.risk.reasons.iter().find(|r| r.factor == f)).map(|r| r.detail.clone()),
                })
            })
            .collect();
        crate::say!("{}", crate::display::to_json(&rows)?);
        return Ok(());
    }
    if changes.is_empty() {
        crate::say!("nothing changed much since yesterday");
    }
    for c in &changes {
        let s = by_id[&c.account_id];
        let what = if c.new_high { "new high risk" } else { "rose" };
        let detail = c
            .factor
            .and_then(|f| s.risk.reasons.iter().find(|r| r.factor == f))
            .map_or(String::new(), |r| r.detail.clone());
        crate::say!(
            "{what:<13} {:>5} → {:>5.1}  {}  {}",
            c.from.map_or("new".into(), |f| format!("{f:.1}")),
            c.to,
            fit(&terminal_safe(&s.name), 32),
            terminal_safe(&detail)
        );
    }
    Ok(())
}
