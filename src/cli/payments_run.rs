//! `retain payments run --exec CMD`: hands each due retry to the team's billing tool.
//!
//! retain never charges a card. CMD runs once per due payment through `sh -c`, with the payment
//! as a JSON object on its standard input (the same object `payments due --json` lists), and
//! answers on its standard output with `{"outcome":"succeeded"}` or
//! `{"outcome":"failed","decline_code":"...","advice_code":"..."}`; an optional `"attempt_id"`
//! (the provider's charge id) makes a rerun of the same answer harmless. A command that exits
//! non-zero, is killed, overruns its time or prints anything else records nothing for that
//! payment and is reported; the others go on.

use std::fs::File;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use super::Ctx;
use crate::domain::retry::RetryPolicy;
use crate::payments::{QueueItem, describe, queue_items};
use crate::store::{Actor, AttemptResult, Create, NewAttempt};

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The command to run for each due retry (through sh -c)
    #[arg(long, value_name = "CMD")]
    pub exec: String,
    /// Seconds a command may take before it is stopped and its payment reported
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    pub timeout: u64,
    /// List what would run without running anything
    #[arg(long)]
    pub dry_run: bool,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

/// What CMD answers.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Answer {
    outcome: AnswerOutcome,
    decline_code: Option<String>,
    advice_code: Option<String>,
    attempt_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum AnswerOutcome {
    Succeeded,
    Failed,
}

/// What happened to one payment.
#[derive(Debug, Serialize)]
struct Ran {
    payment_id: i64,
    name: String,
    recorded: bool,
    outcome: Option<&'static str>,
    decline_code: Option<String>,
    /// The payment after the attempt: "failing, 3 attempts, next retry ...".
    state: Option<String>,
    error: Option<String>,
}

pub fn run(ctx: &Ctx, args: &RunArgs, policy: &RetryPolicy) -> Result<()> {
    // A command that exits without reading its input must not kill us with SIGPIPE: the
    // write fails instead, and the command's own answer decides.
    // SAFETY: setting a signal's disposition to ignore is always sound.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    let mut store = ctx.open(Create::Never)?;
    // Two runs at once would charge the same card twice.
    let _lock = lock(&ctx.db)?;
    let now = ctx.now();
    let due: Vec<(i64, QueueItem)> = queue_items(&store, ctx.today, now, policy)?
        .into_iter()
        .filter(|i| i.queue == "due")
        .filter_map(|i| Some((i.payment_id?, i)))
        .collect();
    let mut results = Vec::new();
    for (payment_id, p) in &due {
        let input = serde_json::to_string(p)?;
        if args.dry_run {
            println!("{input}");
            continue;
        }
        let mut ran = Ran {
            payment_id: *payment_id,
            name: p.name.clone(),
            recorded: false,
            outcome: None,
            decline_code: None,
            state: None,
            error: None,
        };
        match ask(&args.exec, &input, Duration::from_secs(args.timeout)) {
            Err(why) => ran.error = Some(why),
            Ok(answer) => {
                let result = match answer.outcome {
                    AnswerOutcome::Succeeded => AttemptResult::Succeeded,
                    AnswerOutcome::Failed => AttemptResult::Failed {
                        decline_code: answer.decline_code.clone().unwrap_or_default(),
                        advice_code: answer.advice_code,
                    },
                };
                ran.outcome = Some(match &result {
                    AttemptResult::Succeeded => "succeeded",
                    AttemptResult::Failed { .. } => "failed",
                });
                ran.decline_code = answer.decline_code;
                let by = Actor {
                    os_user: &ctx.os_user,
                    now: ctx.now(),
                };
                let attempt = NewAttempt {
                    at: by.now,
                    result,
                    automatic: true,
                    external_ref: answer.attempt_id.as_deref(),
                };
                match store.record_attempt(*payment_id, &attempt, policy, by) {
                    Ok(Some(state)) => {
                        ran.recorded = true;
                        ran.state = Some(describe(&state));
                    }
                    Ok(None) => {
                        ran.error = Some(format!("attempt {attempt:?} was recorded before"))
                    }
                    Err(e) => ran.error = Some(e.to_string()),
                }
            }
        }
        if !args.json {
            print_line(&ran);
        }
        results.push(ran);
    }
    if args.dry_run {
        return Ok(());
    }
    let failed = results.iter().filter(|r| r.error.is_some()).count();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&results)?);
    } else if results.is_empty() {
        println!("no retry is due");
    }
    if failed > 0 {
        bail!(
            "{failed} of {} retries were not recorded: CMD failed for them (see above)",
            results.len()
        );
    }
    Ok(())
}

fn print_line(ran: &Ran) {
    let name = crate::display::terminal_safe(&ran.name);
    match (&ran.error, &ran.state) {
        (Some(e), _) => eprintln!(
            "retain: payment {} ({name}): nothing recorded: {e}",
            ran.payment_id
        ),
        (None, state) => println!(
            "payment {} ({name}): {}{} → {}",
            ran.payment_id,
            ran.outcome.unwrap_or("?"),
            ran.decline_code
                .as_deref()
                .map(|c| format!(" ({c})"))
                .unwrap_or_default(),
            state.as_deref().unwrap_or("")
        ),
    }
}

/// Runs CMD with `input` on its standard input and reads its answer.
fn ask(cmd: &str, input: &str, timeout: Duration) -> Result<Answer, String> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start sh -c {cmd:?}: {e}"))?;
    // A command that does not read its input must not block us: write from another thread.
    let mut stdin = child.stdin.take().ok_or("no standard input")?;
    let input = input.to_string();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let mut stdout = child.stdout.take().ok_or("no standard output")?;
    let mut stderr = child.stderr.take().ok_or("no standard error")?;
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        let _ = stdout.read_to_string(&mut out);
        out
    });
    let err_reader = std::thread::spawn(move || {
        let mut err = String::new();
        let _ = stderr.read_to_string(&mut err);
        err
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "stopped after {} s without an answer",
                    timeout.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("cannot wait for the command: {e}")),
        }
    };
    let _ = writer.join();
    let out = reader.join().unwrap_or_default();
    let err = err_reader.join().unwrap_or_default();
    if !status.success() {
        let last = err
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        return Err(match status.code() {
            Some(code) => format!("the command exited with status {code}: {last}"),
            None => format!("the command was killed by a signal: {last}"),
        });
    }
    let answer: Answer = serde_json::from_str(out.trim()).map_err(|e| {
        format!(
            "the command's answer is not {{\"outcome\":\"succeeded\"}} or {{\"outcome\":\"failed\",\"decline_code\":\"...\"}}: {e}: {:?}",
            crate::display::truncate(out.trim(), 80)
        )
    })?;
    if matches!(answer.outcome, AnswerOutcome::Failed)
        && answer
            .decline_code
            .as_deref()
            .is_none_or(|c| c.trim().is_empty())
    {
        return Err("the command answered \"failed\" without a decline_code".into());
    }
    Ok(answer)
}

/// Holds an exclusive lock on `<db>.payments-run.lock` while the run lasts.
fn lock(db: &std::path::Path) -> Result<File> {
    use std::os::fd::AsRawFd;
    let mut name = db.as_os_str().to_owned();
    name.push(".payments-run.lock");
    let path = PathBuf::from(name);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open the run lock {}", path.display()))?;
    // SAFETY: flock on a descriptor we own; the lock goes with the file when it is dropped.
    let taken = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
    if !taken {
        bail!(
            "another `retain payments run` is running on {} (it holds {}); wait for it to finish",
            db.display(),
            path.display()
        );
    }
    Ok(file)
}
