//! `retain notes`: the account's shared notes, saved only over the version they were read at.

use anyhow::{Result, bail};

use super::Ctx;
use super::log::resolve_account;
use crate::display::terminal_text;
use crate::store::{Create, NotesSave};

#[derive(Debug, clap::Args)]
pub struct NotesArgs {
    /// An account id, external id, or a search that finds one account
    pub account: String,
    /// Replace the notes with this text
    #[arg(long, requires = "version", value_name = "TEXT")]
    pub set: Option<String>,
    /// The version the text was written against (`retain notes ACCOUNT` prints it): if the
    /// account changed since, nothing is saved and what changed is shown
    #[arg(long, value_name = "N")]
    pub version: Option<i64>,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, args: &NotesArgs) -> Result<()> {
    let mut store = ctx.open(Create::Never)?;
    let account_id = resolve_account(&store, &args.account)?;
    let (Some(text), Some(version)) = (&args.set, args.version) else {
        let (notes, version) = store.notes(account_id)?.unwrap_or_default();
        if args.json {
            let out =
                serde_json::json!({"account_id": account_id, "version": version, "notes": notes});
            crate::say!("{}", crate::display::to_json(&out)?);
        } else {
            crate::say!("version {version}\n{}", terminal_text(&notes));
        }
        return Ok(());
    };
    match store.save_notes(account_id, version, text, &ctx.os_user, ctx.now())? {
        NotesSave::Saved { version } => {
            crate::say!("saved: account {account_id} is at version {version}");
            Ok(())
        }
        NotesSave::Conflict {
            theirs,
            version: now_at,
            by,
        } => {
            let who = by.map_or(String::new(), |(who, at)| format!(" by {who} at {at}"));
            bail!(
                "account {account_id} changed since version {version} (now {now_at}{who}); your text was not saved. The notes now read:\n{}\nSave again with --version {now_at} once you have merged them",
                terminal_text(&theirs)
            )
        }
    }
}
