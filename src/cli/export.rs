//! `retain export`: what a lead pastes into a spreadsheet. Accounts and interactions come out in
//! the columns `retain import` reads, so an export imports back unchanged.

use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Result, bail};
use serde::Serialize;

use super::Ctx;
use crate::files::{PrivateFile, TerminalLines};
use crate::ingest::spreadsheet::guard;
use crate::store::{CheckinFilter, Create};

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[arg(value_enum)]
    pub what: What,
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Write here instead of standard output
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum What {
    Accounts,
    Interactions,
    AtRisk,
    Checkins,
    Payments,
    Queue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

/// Where an export goes: a private file put in place once whole, or standard output (made
/// terminal-safe when that is a terminal).
enum Dest {
    File(BufWriter<PrivateFile>),
    Stdout(Box<dyn Write>),
}

impl Write for Dest {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Dest::File(f) => f.write(buf),
            Dest::Stdout(o) => o.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Dest::File(f) => f.flush(),
            Dest::Stdout(o) => o.flush(),
        }
    }
}

/// Rows written as they come: CSV with the first row's columns as header, or a JSON array.
struct Sink {
    out: Dest,
    format: Format,
    rows: usize,
}

impl Sink {
    fn row(&mut self, row: Vec<(String, String)>) -> std::io::Result<()> {
        match self.format {
            Format::Json => {
                let object: serde_json::Map<String, serde_json::Value> = row
                    .into_iter()
                    .map(|(k, v)| (k, serde_json::Value::String(v)))
                    .collect();
                let sep = if self.rows == 0 { "[\n" } else { ",\n" };
                let object = crate::display::to_json_line(&serde_json::Value::Object(object))
                    .map_err(std::io::Error::other)?;
                write!(self.out, "{sep}{object}")?;
            }
            Format::Csv => {
                if self.rows == 0 {
                    write_csv_line(&mut self.out, row.iter().map(|(k, _)| k.as_str()))?;
                }
                write_csv_line(
                    &mut self.out,
                    row.iter().map(|(_, v)| guard(v).into_owned()),
                )?;
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Any serialisable record, its fields as columns (lists and objects as JSON text).
    fn record(&mut self, record: &impl Serialize) -> Result<()> {
        let serde_json::Value::Object(fields) = serde_json::to_value(record)? else {
            bail!("an export row is not a record");
        };
        let row = fields
            .into_iter()
            .map(|(k, v)| {
                let text = match v {
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                (k, text)
            })
            .collect();
        Ok(self.row(row)?)
    }

    fn finish(mut self) -> Result<()> {
        if self.format == Format::Json {
            write!(
                self.out,
                "{}",
                if self.rows == 0 { "[]\n" } else { "\n]\n" }
            )?;
        }
        match self.out {
            Dest::File(f) => f.into_inner().map_err(|e| e.into_error())?.commit(),
            Dest::Stdout(mut o) => Ok(o.flush()?),
        }
    }
}

fn write_csv_line<T: AsRef<[u8]>>(
    out: &mut dyn Write,
    fields: impl Iterator<Item = T>,
) -> std::io::Result<()> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(fields).map_err(std::io::Error::other)?;
    out.write_all(
        &w.into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))?,
    )
}

pub fn run(ctx: &Ctx, args: &ExportArgs) -> Result<()> {
    let mut store = ctx.open(Create::Never)?;
    let out = match &args.out {
        Some(path) => Dest::File(BufWriter::new(PrivateFile::create(path)?)),
        None if std::io::stdout().is_terminal() => Dest::Stdout(Box::new(TerminalLines::new(
            BufWriter::new(std::io::stdout().lock()),
        ))),
        None => Dest::Stdout(Box::new(BufWriter::new(std::io::stdout().lock()))),
    };
    let mut sink = Sink {
        out,
        format: args.format,
        rows: 0,
    };
    let owned =
        |row: crate::store::ExportRow| row.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    match args.what {
        What::Accounts => store.export_accounts(|row| sink.row(owned(row)))?,
        What::Interactions => store.export_interactions(|row| sink.row(owned(row)))?,
        What::AtRisk => {
            let model = crate::config::risk_model()?;
            for s in crate::services::scoring::score_all(&mut store, &model, ctx.today)? {
                sink.record(&serde_json::json!({
                    "account_id": s.account_id,
                    "external_id": s.external_id,
                    "name": s.name,
                    "owner": s.owner,
                    "stage": s.stage.as_str(),
                    "mrr_cents": s.mrr_cents,
                    "currency": s.currency,
                    "score": (s.risk.score * 10.0).round() / 10.0,
                    "band": s.risk.band.as_str(),
                    "top_reason": s.risk.top().map(|r| r.detail.clone()),
                }))?;
            }
        }
        What::Checkins => {
            for c in store.checkins_open(ctx.today, &CheckinFilter::default())? {
                sink.record(&serde_json::json!({
                    "account_id": c.account_id,
                    "name": c.name,
                    "stage": c.stage.as_str(),
                    "kind": c.kind,
                    "due_date": c.due_date.to_string(),
                    "days_overdue": c.days_overdue,
                    "owner": c.owner,
                    "mrr_cents": c.mrr_cents,
                    "currency": c.currency,
                }))?;
            }
        }
        What::Payments => {
            let policy = crate::config::retry_policy()?;
            for item in
                crate::services::payments::queue_items(&store, ctx.today, ctx.now(), &policy)?
            {
                sink.record(&item)?;
            }
        }
        What::Queue => {
            if store.rep(&ctx.login)?.is_none() {
                bail!(
                    "{} is not a rep: there is no queue to export (an admin can use --as LOGIN)",
                    ctx.login
                );
            }
            for row in super::queue::todays_rows(ctx, &mut store)? {
                let labels = row.labels(ctx.today, crate::domain::money::format);
                sink.record(&serde_json::json!({
                    "account_id": row.account_id,
                    "name": row.name,
                    "mrr_cents": row.mrr_cents,
                    "currency": row.currency,
                    "urgency": row.urgency,
                    "reasons": labels.join(" · "),
                    "touched_today": row.touched_today,
                }))?;
            }
        }
    }
    let rows = sink.rows;
    sink.finish()?;
    if let Some(path) = &args.out {
        crate::say!("wrote {rows} rows to {}", path.display());
    }
    Ok(())
}
