//! `retain demo` and `retain --demo`.

use anyhow::{Result, bail};
use indicatif::{ProgressBar, ProgressStyle};

use super::Ctx;
use crate::demo::{self, DEFAULT_ACCOUNTS, DEFAULT_SEED, DemoSpec, MAX_ACCOUNTS};
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
    let mut store = Store::open(&ctx.db, Create::IfMissing)?;
    let started = std::time::Instant::now();
    let counts = fill(&mut store, ctx, args.accounts, args.seed)?;
    println!(
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

/// `retain --demo`: the demo database, filled with the default data set on first use.
pub fn open_demo(ctx: &Ctx, mouse: bool) -> Result<()> {
    let mut store = Store::open(&ctx.db, Create::IfMissing)?;
    if store.account_count()? == 0 {
        eprintln!(
            "creating the demo database {} ({DEFAULT_ACCOUNTS} accounts)...",
            ctx.db.display()
        );
        fill(&mut store, ctx, DEFAULT_ACCOUNTS, DEFAULT_SEED)?;
    }
    // The demo's reps are made up, so whoever opens it is none of them: it acts as the rep with
    // the most accounts (or `--as` another) rather than opening read-only.
    let mut ctx = ctx.clone();
    if ctx.login == ctx.os_user
        && store.rep(&ctx.login)?.is_none()
        && let Some(rep) = store
            .reps()?
            .into_iter()
            .filter(|r| r.active && r.role == "rep")
            .max_by_key(|r| r.accounts)
    {
        eprintln!("demo: acting as {} ({})", rep.login, rep.display_name);
        ctx.login = rep.login;
    }
    super::console(&ctx, store, mouse)
}

fn fill(store: &mut Store, ctx: &Ctx, accounts: u32, seed: u64) -> Result<LoadCounts> {
    let existing = store.account_count()?;
    if existing > 0 {
        bail!(
            "{} already holds {existing} accounts; demo data goes only into an empty database (choose a new file with --db)",
            ctx.db.display()
        );
    }
    let reps = demo::reps(seed);
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
    crate::scoring::backfill(
        store,
        &crate::domain::risk::RiskModel::default(),
        ctx.today,
        &[30, 7, 1],
    )?;
    Ok(counts)
}
