//! `retain copy --to TARGET`: the database (file or server) into a new file or an empty
//! database on a server, checked table by table before it commits.

use anyhow::Result;
use clap::Args;

use crate::store::Target;
use crate::store::copy::{TableCopied, copy};

#[derive(Debug, Args)]
pub struct CopyArgs {
    /// Where to: a new SQLite file, or an empty PostgreSQL database (postgres://… or a libpq
    /// connection string)
    #[arg(long, value_name = "FILE|URL")]
    pub to: std::path::PathBuf,

    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

pub fn run(from: &Target, args: &CopyArgs, os_user: &str) -> Result<()> {
    let to = super::target_of("--to", &args.to, os_user)?;
    let json = args.json;
    let copied = copy(from, &to, &mut |table: &TableCopied| {
        if !json {
            crate::say!("{:<18} {:>10} rows", table.table, table.rows);
        }
    })?;
    let rows: u64 = copied.iter().map(|t| t.rows).sum();
    if json {
        let value = serde_json::json!({
            "from": from.shown(),
            "to": to.shown(),
            "rows": rows,
            "tables": copied,
        });
        crate::say!("{}", crate::display::to_json(&value)?);
    } else {
        crate::say!(
            "copied {rows} rows in {} tables from {} to {}; each table read back with the source's row count and checksum",
            copied.len(),
            from.shown(),
            to.shown()
        );
    }
    Ok(())
}
