//! `retain schedule` and `retain checkins`.

use anyhow::Result;
use chrono::Days;

use super::Ctx;
use crate::display::{fit, terminal_safe};
use crate::domain::checkins::Cadences;
use crate::domain::lifecycle::{Stage, StageBounds};
use crate::store::{CheckinFilter, Create};

#[derive(Debug, clap::Args)]
pub struct ScheduleArgs {
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DueWhen {
    /// Due before today
    Overdue,
    /// Due today (or before)
    Today,
    /// Due within the next 7 days (or before)
    Week,
}

#[derive(Debug, clap::Args)]
pub struct CheckinsArgs {
    /// Which check-ins, by when they are due
    #[arg(long, value_enum)]
    pub due: Option<DueWhen>,
    /// Only accounts in this lifecycle stage
    #[arg(long, value_parser = parse_stage)]
    pub stage: Option<Stage>,
    /// Only accounts this rep owns
    #[arg(long, value_name = "LOGIN")]
    pub owner: Option<String>,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

fn parse_stage(s: &str) -> Result<Stage, String> {
    s.parse()
        .map_err(|e: crate::domain::text_enum::UnknownWord| e.to_string())
}

pub fn schedule(ctx: &Ctx, args: &ScheduleArgs) -> Result<()> {
    let mut store = ctx.open(Create::Never)?;
    let started = std::time::Instant::now();
    let counts = store.schedule(ctx.today, &StageBounds::default(), &Cadences::default())?;
    if args.json {
        crate::say!("{}", crate::display::to_json(&counts)?);
    } else {
        crate::say!(
            "scheduled {} accounts in {:.2} s: {} check-ins created, {} moved, {} removed",
            counts.accounts,
            started.elapsed().as_secs_f64(),
            counts.created,
            counts.moved,
            counts.removed
        );
    }
    Ok(())
}

pub fn list(ctx: &Ctx, args: &CheckinsArgs) -> Result<()> {
    let store = ctx.read()?;
    let today = ctx.today;
    let filter = CheckinFilter {
        due_by: args.due.map(|d| match d {
            DueWhen::Overdue => today - Days::new(1),
            DueWhen::Today => today,
            DueWhen::Week => today + Days::new(7),
        }),
        due_from: None,
        stage: args.stage,
        owner: args.owner.clone(),
        include_snoozed: false,
    };
    let rows = store.checkins_open(today, &filter)?;
    if args.json {
        crate::say!("{}", crate::display::to_json(&rows)?);
        return Ok(());
    }
    if rows.is_empty() {
        crate::say!("no check-in due");
    }
    for r in &rows {
        let when = match r.days_overdue {
            0 if r.due_date == today => "today".to_string(),
            0 => format!("in {} d", (r.due_date - today).num_days()),
            n => format!("{n} d late"),
        };
        crate::say!(
            "{} {:<9} {:<5} {:<17} {} {}",
            r.due_date,
            when,
            r.stage.as_str(),
            r.kind,
            fit(&terminal_safe(&r.name), 34),
            r.owner.as_deref().unwrap_or("team")
        );
    }
    Ok(())
}
