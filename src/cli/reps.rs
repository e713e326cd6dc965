//! `retain reps`: who works the accounts. Admins manage the team; on a database without reps,
//! whoever sets it up adds the first ones.

use anyhow::{Result, bail};

use super::Ctx;
use crate::display::terminal_safe;
use crate::domain::model::Role;
use crate::store::Create;

#[derive(Debug, clap::Args)]
pub struct RepsArgs {
    #[command(subcommand)]
    pub action: RepsAction,
}

#[derive(Debug, clap::Subcommand)]
pub enum RepsAction {
    /// Add a rep (or bring back and update a deactivated one)
    Add {
        /// The rep's operating-system login on this machine
        login: String,
        /// The name shown in the console
        #[arg(long)]
        name: String,
        /// rep, lead or admin [default: rep for a new rep; a known rep keeps theirs]
        #[arg(long)]
        role: Option<Role>,
    },
    /// List the reps with their roles and how many active accounts each owns
    List {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Take a rep off the team (their accounts stay theirs until reassigned)
    Deactivate { login: String },
}

pub fn run(ctx: &Ctx, args: &RepsArgs) -> Result<()> {
    if let RepsAction::List { json } = &args.action {
        let store = ctx.read()?;
        let reps = store.reps()?;
        if *json {
            crate::say!("{}", crate::display::to_json(&reps)?);
            return Ok(());
        }
        if reps.is_empty() {
            crate::say!(
                "no reps yet: add one with `retain reps add LOGIN --name NAME --role admin`"
            );
        }
        for r in reps {
            crate::say!(
                "{:<16} {:<6} {:>6} accounts  {}{}",
                terminal_safe(&r.login),
                r.role,
                r.accounts,
                terminal_safe(&r.display_name),
                if r.active { "" } else { " (deactivated)" }
            );
        }
        return Ok(());
    }
    let mut store = ctx.open(Create::Never)?;
    let now = ctx.now();
    match &args.action {
        RepsAction::Add { login, name, role } => {
            let (login, name) = (login.trim(), name.trim());
            if login.is_empty() || login.chars().any(char::is_whitespace) {
                bail!("{login:?} is not a login: give the rep's user name on this machine");
            }
            if name.is_empty() {
                bail!("--name is empty: give the name the console shows");
            }
            let role = store.add_rep(login, name, role.map(Role::as_str), &ctx.os_user, now)?;
            crate::say!(
                "{login} is {} {role} of {}",
                crate::domain::text::article(&role),
                ctx.db.display()
            );
        }
        RepsAction::Deactivate { login } => {
            if !store.deactivate_rep(login, &ctx.os_user, now)? {
                bail!("{login} is not an active rep of {}", ctx.db.display());
            }
            crate::say!(
                "{login} is no longer an active rep; reassign their accounts from the console"
            );
        }
        RepsAction::List { .. } => unreachable!("listed above"),
    }
    Ok(())
}
