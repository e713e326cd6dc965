//! The command line: clap subcommands, each a thin layer over the store and the domain.

mod card;
mod checkins;
mod copy;
mod demo;
mod export;
mod identity;
pub use identity::os_user;
mod import;
mod import_csv;
mod keys;
mod log;
mod notes;
mod paths;
mod payments;
mod payments_outreach;
mod payments_report;
mod payments_run;
mod queue;
mod report;
mod reps;
mod risk;
mod search;
mod summary;

use std::path::PathBuf;

use anyhow::{Result, bail};
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Parser, Subcommand};

use crate::store::{Create, Store};

#[derive(Debug, Parser)]
#[command(
    name = "retain",
    version,
    about = "A keyboard-driven console for customer-success reps fighting churn",
    long_about = None
)]
pub struct Cli {
    /// The database: a file, or a PostgreSQL server for `retain copy` (postgres://…)
    /// [default: $RETAIN_DB, else ~/.local/share/retain/retain.db]
    #[arg(long, global = true, value_name = "PATH|URL", env = "RETAIN_DB")]
    pub db: Option<PathBuf>,

    /// Take this day as today (for reproducible runs and demos)
    #[arg(long, global = true, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub today: Option<NaiveDate>,

    /// Open a demo database (created with demo data on first use) instead of the real one
    #[arg(long, global = true)]
    pub demo: bool,

    /// Let the console use the mouse (scrolling); off by default so text can be selected
    #[arg(long)]
    pub mouse: bool,

    /// Start on the card of the account this finds first (a caller's number, a name): for a
    /// softphone's incoming-call hook, `ssh -t box retain --open '+1 555 019 1049'`
    #[arg(long, value_name = "QUERY")]
    pub open: Option<String>,

    /// Act as this rep (admins only): see their queue, write in their name
    #[arg(long = "as", global = true, value_name = "LOGIN")]
    pub as_login: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an empty database (or upgrade an existing one to this version's schema)
    Init {
        /// Make the file readable and writable by this group only (the reps' group on a shared box)
        #[arg(long, value_name = "GROUP")]
        group: Option<String>,
        /// The file's first admin, when it has no reps yet [default: you, the OS user]
        #[arg(long, value_name = "LOGIN")]
        admin: Option<String>,
    },
    /// Fill an empty database with a realistic, deterministic demo data set
    Demo(demo::DemoArgs),
    /// What this rep should do today, most urgent first: check-ins, follow-ups, payments that
    /// need a person, high-risk accounts left untouched
    Queue(queue::QueueArgs),
    /// Find accounts by name, domain, contact, email, phone or id
    Search(search::SearchArgs),
    /// An account's card, as the console shows it on a call: plan, MRR, stage, renewal, owner,
    /// failing payments, tickets, the next check-in, risk and its reasons, contacts, notes and
    /// the latest of its timeline
    Card(card::CardArgs),
    /// Log a call, email, meeting or note on an account
    Log(log::LogArgs),
    /// Read an account's shared notes, or save new ones over the version read (`--set TEXT
    /// --version N`): a change made meanwhile by someone else is a conflict, never overwritten
    Notes(notes::NotesArgs),
    /// Rank active accounts by their risk of churning, with the reasons
    AtRisk(risk::AtRiskArgs),
    /// Score accounts as they stood on a past day and check against the churn that followed
    Backtest(risk::BacktestArgs),
    /// The failed-payment retry queues (`retain payments due`: the retries due now)
    Payments(payments::PaymentsArgs),
    /// Import CSV (`retain import accounts|contacts|interactions|tickets|nps|usage|payments
    /// FILE`) or a billing system's export (`retain import stripe FILE`)
    Import(import::ImportArgs),
    /// Bring every account's check-ins in line with its lifecycle stage (idempotent)
    Schedule(checkins::ScheduleArgs),
    /// List open check-ins, most overdue first
    Checkins(checkins::CheckinsArgs),
    /// Manage the reps: `reps add LOGIN --name NAME [--role rep|lead|admin]`, `reps list`,
    /// `reps deactivate LOGIN` (admins only, except on a database without reps)
    Reps(reps::RepsArgs),
    /// Write accounts, interactions, at-risk, checkins, payments or queue as CSV or JSON
    /// (accounts and interactions import back as they are)
    Export(export::ExportArgs),
    /// Churn, revenue, cohort and recovery metrics: `report churn|revenue|cohorts|recovery`
    Report(report::ReportArgs),
    /// The console's keys in force (the defaults with your ~/.config/retain/keys.toml), as
    /// keys.toml writes them
    Keys(keys::KeysArgs),
    /// Copy the database into a new file or an empty PostgreSQL database (`--to FILE|URL`),
    /// every table read back and checked before the copy commits: to move a team to a server,
    /// or to take a file away from one
    Copy(copy::CopyArgs),
    /// Count what the database holds
    Summary {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
}

/// What every command needs to know about this run.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The database as messages name it: a file's path, a server without its password.
    pub db: PathBuf,
    /// The database as it is opened.
    pub target: crate::store::Target,
    pub today: NaiveDate,
    /// Whether --today fixed the day.
    pub fixed_today: bool,
    /// The operating system's user running this process: what the audit log records.
    pub os_user: String,
    /// The rep this run acts as: the OS user, or an admin's `--as LOGIN`.
    pub login: String,
}

impl Ctx {
    /// The database, writing as this run's rep on behalf of its OS user.
    /// Says once on stderr when every user of the machine may read the file.
    pub fn open(&self, create: Create) -> Result<Store, crate::store::StoreError> {
        let store = Store::open_target(&self.target, create)?.acting_as(&self.login, &self.os_user);
        self.warn_if_exposed();
        Ok(store)
    }

    /// The database for a command that only reads: it never creates, upgrades or changes the
    /// file, nor waits for a writer.
    pub fn read(&self) -> Result<Store, crate::store::StoreError> {
        let store = Store::open_target_to_read(&self.target)?;
        self.warn_if_exposed();
        Ok(store)
    }

    fn warn_if_exposed(&self) {
        static WARNED: std::sync::Once = std::sync::Once::new();
        let crate::store::Target::File(path) = &self.target else {
            return;
        };
        if let Some(warning) = crate::store::world_readable(path) {
            WARNED.call_once(|| crate::tell!("retain: warning: {warning}"));
        }
    }

    /// The current instant; on a day fixed by --today, that day at the current time of day.
    pub fn now(&self) -> DateTime<Utc> {
        let now = Utc::now();
        if self.fixed_today {
            self.today.and_time(now.time()).and_utc()
        } else {
            now
        }
    }
}

pub(crate) fn parse_day(s: &str) -> Result<NaiveDate, String> {
    let day = crate::store::parse_day(s.trim())
        .ok_or_else(|| format!("expected a date as YYYY-MM-DD, got {s:?}"))?;
    crate::domain::dates::check_range(day).map_err(|range| format!("expected {range}, got {s:?}"))
}

pub fn run() -> Result<()> {
    use clap::{CommandFactory, FromArgMatches};
    let matches = Cli::command()
        .try_get_matches()
        .unwrap_or_else(|e| usage_exit(&e));
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| usage_exit(&e));
    // `--demo` means the demo's own file: a `--db` beside it would have the demo's trust (acting
    // as a demo rep) on a real team's file. $RETAIN_DB alone is passed over, as is the
    // default.
    if cli.demo && matches.value_source("db") == Some(clap::parser::ValueSource::CommandLine) {
        bail!("--demo opens the demo database, so it does not go with --db: drop one of them");
    }
    if cli.open.is_some() && cli.command.is_some() {
        bail!(
            "--open starts the console on a card, so it does not go with a command (`retain card QUERY` prints one)"
        );
    }
    if let Some(Command::Keys(args)) = &cli.command {
        // Keys need no database.
        quiet_on_closed_pipe();
        return keys::run(args);
    }
    if cli.command.is_some() {
        quiet_on_closed_pipe();
        // (The console says it in its footer instead.)
        crate::store::on_long_wait(|said| crate::tell!("retain: {said}"));
    }
    let today = cli
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let db = match (&cli.db, cli.demo) {
        (Some(path), false) => path.clone(),
        (_, demo) => paths::default_db(demo)?,
    };
    let os_user = identity::os_user();
    let target = target_of("--db", &db, &os_user)?;
    // On a server the person is the role it authenticates, not the OS user: every rule of who
    // may do what (`--as` for admins, a rep's own queue) reads the role.
    let os_user = match &target {
        crate::store::Target::Server(server) => server.role().to_string(),
        crate::store::Target::File(_) => os_user,
    };
    let ctx = Ctx {
        login: cli.as_login.clone().unwrap_or_else(|| os_user.clone()),
        db: match &target {
            crate::store::Target::File(path) => path.clone(),
            crate::store::Target::Server(server) => PathBuf::from(server.shown()),
        },
        target: target.clone(),
        today,
        fixed_today: cli.today.is_some(),
        os_user,
    };
    // The demo console checks `--as` once its file exists (it may create it).
    if cli.as_login.is_some() && !(cli.demo && cli.command.is_none()) {
        check_as(&ctx)?;
    }
    // A command on the demo acts as the console does there: as its busiest rep.
    let ctx = match &cli.command {
        Some(Command::Demo(_) | Command::Init { .. } | Command::Copy(_)) | None => ctx,
        Some(_) if cli.demo => {
            if !ctx.db.exists() {
                bail!(
                    "there is no demo database yet at {}: `retain --demo` makes it",
                    ctx.db.display()
                );
            }
            demo::acting_in_demo(&ctx, &ctx.read()?)?
        }
        Some(_) => ctx,
    };
    match cli.command {
        None => {
            let start = Start {
                mouse: cli.mouse,
                open: cli.open.clone(),
            };
            if cli.demo {
                demo::open_demo(&ctx, &start)
            } else {
                console(&ctx, ctx.open(Create::Never)?, &start)
            }
        }
        Some(Command::Init { group, admin }) => init(&ctx, group.as_deref(), admin.as_deref()),
        Some(Command::Demo(args)) => demo::run(&ctx, &args),
        Some(Command::Search(args)) => search::run(&ctx, &args),
        Some(Command::Card(args)) => card::run(&ctx, &args),
        Some(Command::Queue(args)) => queue::run(&ctx, &args),
        Some(Command::Log(args)) => log::run(&ctx, &args),
        Some(Command::Notes(args)) => notes::run(&ctx, &args),
        Some(Command::AtRisk(args)) => risk::at_risk(&ctx, &args),
        Some(Command::Backtest(args)) => risk::backtest(&ctx, &args),
        Some(Command::Payments(args)) => payments::run(&ctx, &args),
        Some(Command::Import(args)) => import::run(&ctx, &args),
        Some(Command::Schedule(args)) => checkins::schedule(&ctx, &args),
        Some(Command::Checkins(args)) => checkins::list(&ctx, &args),
        Some(Command::Reps(args)) => reps::run(&ctx, &args),
        Some(Command::Report(args)) => report::run(&ctx, &args),
        Some(Command::Export(args)) => export::run(&ctx, &args),
        Some(Command::Summary { json }) => summary::run(&ctx, json),
        Some(Command::Keys(args)) => keys::run(&args),
        Some(Command::Copy(args)) => copy::run(&target, &args, &ctx.os_user),
    }
}

/// What `--db` (or `--to`) names: a server when it reads as a URL or connection string, else a
/// file. A string that fails to parse is not echoed: it may hold a password.
pub(crate) fn target_of(
    flag: &str,
    text: &std::path::Path,
    os_user: &str,
) -> Result<crate::store::Target> {
    match text.to_str() {
        Some(text) => crate::store::Target::parse(text, os_user)
            .map_err(|e| anyhow::anyhow!("{flag} names a PostgreSQL server, but {e}")),
        None => Ok(crate::store::Target::File(text.to_path_buf())),
    }
}

/// clap's own words (help, version, a usage error) through the one sanitiser: a usage error
/// echoes the value it refuses, which may have come from a file or a softphone.
fn usage_exit(e: &clap::Error) -> ! {
    let text = e.render().to_string();
    if e.use_stderr() {
        crate::tell!("{}", text.trim_end());
    } else {
        crate::say!("{}", text.trim_end());
    }
    std::process::exit(e.exit_code())
}

/// `--as LOGIN` is for admins, and only names an active rep.
pub(crate) fn check_as(ctx: &Ctx) -> Result<()> {
    let store = ctx.open(Create::Never)?;
    match store.rep(&ctx.os_user)? {
        Some((_, role)) if role == "admin" => {}
        _ => anyhow::bail!(
            "--as is for admins, and {} is not an admin of {}",
            ctx.os_user,
            ctx.db.display()
        ),
    }
    if store.rep(&ctx.login)?.is_none() {
        anyhow::bail!(
            "--as {}: not an active rep of {} (`retain reps list`)",
            ctx.login,
            ctx.db.display()
        );
    }
    Ok(())
}

/// How the console starts.
pub(crate) struct Start {
    pub mouse: bool,
    /// The lookup whose top match's card it opens on.
    pub open: Option<String>,
}

/// Opens the console on a terminal; elsewhere (a pipe, a script) prints the summary, or the
/// card `--open` asks for.
fn console(ctx: &Ctx, store: Store, start: &Start) -> Result<()> {
    use std::io::IsTerminal;
    if !(std::io::stdout().is_terminal() && std::io::stdin().is_terminal()) {
        if let Some(query) = &start.open {
            crate::tell!("retain: not a terminal, so here is the card instead of the console");
            return card::print_top_match(ctx, &store, query);
        }
        crate::tell!("retain: not a terminal, so here is a summary instead of the console");
        return summary::print(&store, ctx.today, false);
    }
    crate::tui::run(
        store,
        crate::tui::Options {
            model: crate::config::risk_model()?,
            policy: crate::config::retry_policy()?,
            country: crate::config::team_country()?,
            today: ctx.today,
            fixed_today: ctx.fixed_today,
            os_user: ctx.os_user.clone(),
            login: ctx.login.clone(),
            mouse: start.mouse,
            open: start.open.clone(),
        },
    )
}

fn init(ctx: &Ctx, group: Option<&str>, admin: Option<&str>) -> Result<()> {
    // A group that does not exist is said before anything is made.
    if let Some(group) = group {
        paths::group_id(group)?;
    }
    if group.is_some() && matches!(ctx.target, crate::store::Target::Server(_)) {
        bail!(
            "--group shares a file; on a server, who may read and write is the server's: its roles, which `retain reps add` grants"
        );
    }
    let existed = match &ctx.target {
        crate::store::Target::File(path) => path.exists(),
        crate::store::Target::Server(_) => Store::open_target_to_read(&ctx.target).is_ok(),
    };
    let mut store = ctx.open(Create::IfMissing)?;
    let version = store.schema_version()?;
    if existed {
        crate::say!(
            "{} is a retain database (schema version {version})",
            ctx.db.display()
        );
    } else {
        crate::say!("created {} (schema version {version})", ctx.db.display());
    }
    // A file without reps is writable by anyone until it has some: whoever sets it up becomes
    // its first admin, so that a copied or new file is never locked to everyone, nor open.
    if store.reps()?.is_empty() {
        let login = admin.unwrap_or(&ctx.os_user);
        store.add_rep(login, login, Some("admin"), &ctx.os_user, ctx.now())?;
        crate::say!(
            "{login} is its first admin: add the team with `retain reps add LOGIN --name NAME`"
        );
    } else if let Some(login) = admin {
        anyhow::bail!(
            "{} has reps already: an admin adds {login} with `retain reps add {login} --name NAME --role admin`",
            ctx.db.display()
        );
    }
    if let Some(group) = group {
        let advice = paths::share_with_group(&ctx.db, group)?;
        crate::say!(
            "{} is readable and writable by the group {group} only",
            ctx.db.display()
        );
        if let Some(advice) = advice {
            crate::say!("{advice}");
        }
    }
    Ok(())
}

/// `retain checkins | head` should stop quietly when `head` has read enough, as Unix tools do,
/// rather than panic on a write to the closed pipe. (The console keeps the default: it writes
/// to a terminal and handles its own hang-ups.)
fn quiet_on_closed_pipe() {
    // SAFETY: resetting a signal's disposition to its default at start-up, before any thread
    // that could rely on it exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
