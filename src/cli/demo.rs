//! `retain demo` and `retain --demo`.

use anyhow::{Result, bail};
use indicatif::{ProgressBar, ProgressStyle};

use super::Ctx;
use crate::demo::{self, DEFAULT_ACCOUNTS, DEFAULT_SEED, DemoSpec, MAX_ACCOUNTS};
use crate::domain::model::{Rep, Role};
use crate::store::{Create, LoadCounts, Store};

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// How many accounts to generate (1 to 1,000,000)
    #[arg(long, default_value_t = DEFAULT_ACCOUNTS,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_ACCOUNTS)))]
    pub accounts: u32,

    /// The seed: the same seed and --today give the same data
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
}

pub fn run(ctx: &Ctx, args: &DemoArgs) -> Result<()> {
    let mut store = ctx.open(Create::IfMissing)?;
    let started = std::time::Instant::now();
    let counts = fill(&mut store, ctx, args.accounts, args.seed)?;
    crate::say!(
        "filled {} in {:.1} s: {} reps, {} accounts, {} contacts, {} interactions, {} tickets, {} NPS answers, {} usage snapshots, {} MRR changes, {} failed payments ({} attempts)",
        ctx.db.display(),
        started.elapsed().as_secs_f64(),
        counts.reps,
        counts.accounts,
        counts.contacts,
        counts.interactions,
        counts.tickets,
        counts.nps_responses,
        counts.usage_snapshots,
        counts.mrr_changes,
        counts.failed_payments,
        counts.payment_attempts,
    );
    Ok(())
}

/// Whom the demo's user acts as. The demo's reps are made up, so whoever opens it is none of
/// them: its admin acts as the rep with the most accounts (or `--as` another) rather than
/// working an empty book, in the console and in every command alike.
pub fn acting_in_demo(ctx: &Ctx, store: &Store) -> Result<Ctx> {
    let mut ctx = ctx.clone();
    let reps = store.reps()?;
    let me = reps.iter().find(|r| r.active && r.login == ctx.os_user);
    if ctx.login == ctx.os_user && me.is_none_or(|r| r.accounts == 0) {
        let admin = me.is_some_and(|r| r.role == "admin");
        let busiest = reps
            .iter()
            .filter(|r| r.active && r.role == "rep")
            .max_by_key(|r| r.accounts);
        match busiest {
            Some(rep) if admin => {
                crate::tell!("demo: acting as {} ({})", rep.login, rep.display_name);
                ctx.login = rep.login.clone();
            }
            Some(_) => crate::tell!(
                "demo: {} was made before its maker became its admin, so it opens read-only; delete it to have a new one made",
                ctx.db.display()
            ),
            None => {}
        }
    }
    Ok(ctx)
}

/// `retain --demo`: the demo database, filled with the default data set on first use.
pub fn open_demo(ctx: &Ctx, start: &super::Start) -> Result<()> {
    let mut store = ctx.open(Create::IfMissing)?;
    if store.account_count()? == 0 {
        crate::tell!(
            "creating the demo database {} ({DEFAULT_ACCOUNTS} accounts)...",
            ctx.db.display()
        );
        fill(&mut store, ctx, DEFAULT_ACCOUNTS, DEFAULT_SEED)?;
    }
    if ctx.login != ctx.os_user {
        super::check_as(ctx)?;
    }
    let ctx = acting_in_demo(ctx, &store)?;
    let store = store.acting_as(&ctx.login, &ctx.os_user);
    super::console(&ctx, store, start)
}

fn fill(store: &mut Store, ctx: &Ctx, accounts: u32, seed: u64) -> Result<LoadCounts> {
    let existing = store.account_count()?;
    if existing > 0 {
        bail!(
            "{} already holds {existing} accounts; demo data goes only into an empty database (choose a new file with --db)",
            ctx.db.display()
        );
    }
    // Whoever makes the demo is its admin beside the made-up reps, so that they may act as
    // one of them (and write) without being one.
    let mut reps = demo::reps(seed);
    if !reps.iter().any(|r| r.login == ctx.os_user) {
        reps.push(Rep {
            login: ctx.os_user.clone(),
            display_name: ctx.os_user.clone(),
            role: Role::Admin,
            active: true,
        });
    }
    let spec = DemoSpec {
        accounts,
        seed,
        today: ctx.today,
    };
    let bar = ProgressBar::new(u64::from(accounts)).with_style(
        ProgressStyle::with_template("{msg} {bar:30} {human_pos}/{human_len} accounts, {eta} left")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("generating");
    let counts = store.load(&reps, demo::accounts(&spec, &reps), |n| {
        if n % 1000 == 0 {
            bar.set_position(n);
        }
    })?;
    bar.finish_and_clear();
    // A month of score history, so that trends show from the first start. The default model,
    // not the user's risk.toml: the same seed gives the same file.
    crate::services::scoring::backfill(
        store,
        &crate::domain::risk::RiskModel::default(),
        ctx.today,
        &[30, 7, 1],
    )?;
    Ok(counts)
}
