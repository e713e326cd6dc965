//! `retain payments run --exec CMD`: hands each due retry to the team's billing tool.
//!
//! retain never charges a card. CMD runs once per due payment through `sh -c`, with the payment
//! as a JSON object on its standard input (the same object `payments due --json` lists), and
//! answers on its standard output with `{"outcome":"succeeded"}` or
//! `{"outcome":"failed","decline_code":"...","advice_code":"..."}`; an optional `"attempt_id"`
//! (the provider's charge id) makes a rerun of the same answer harmless. A command that exits
//! non-zero or prints anything else records nothing for that payment and is reported; the
//! others go on.
//!
//! A command that overruns its time, or is running when the run is told to stop, is stopped with
//! everything it started (see `hook`). It may have charged the card before it was stopped, so its
//! payment is held out of every later run until a person records what happened (or the billing
//! system's export brings the attempt). One run at a time holds the file's run lock.

use std::process::ExitStatus;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

use super::Ctx;
use crate::domain::retry::RetryPolicy;
use crate::hook::{self, Ended};
use crate::ingest::{code_word, plain_text};
use crate::services::payments::{QueueItem, describe, queue_items};
use crate::store::{Actor, AttemptResult, Create, NewAttempt, RunHolder, Store, StoreError};

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

/// The run lock's name in the file.
const LOCK: &str = "payments run";

pub fn run(ctx: &Ctx, args: &RunArgs, policy: &RetryPolicy) -> Result<()> {
    // A command that exits without reading its input must not kill us with SIGPIPE: the
    // write fails instead, and the command's own answer decides.
    // SAFETY: setting a signal's disposition to ignore is always sound.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    hook::adopt_orphans();
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [SIGTERM, SIGINT, SIGHUP] {
        signal_hook::flag::register(signal, Arc::clone(&stop))
            .context("cannot listen for signals")?;
    }
    let mut store = ctx.open(Create::Never)?;
    let now = ctx.now();
    let due_now = |store: &Store| -> Result<Vec<(i64, QueueItem)>> {
        Ok(queue_items(store, ctx.today, now, policy)?
            .into_iter()
            .filter(|i| i.queue == "due")
            .filter_map(|i| Some((i.payment_id?, i)))
            .collect())
    };
    if args.dry_run {
        for (_, p) in &due_now(&store)? {
            crate::say!("{}", crate::display::to_json_line(p)?);
        }
        return Ok(());
    }
    // Two runs at once would charge the same card twice.
    let me = RunHolder::me(
        "a payments run",
        &ctx.os_user,
        i64::try_from(args.timeout)
            .unwrap_or(i64::MAX / 2)
            .saturating_add(hook::GRACE.as_secs() as i64 + 60),
    );
    if let Some(holder) = store.take_run_lock(LOCK, &me)? {
        let who = format!(
            "pid {} on {}, by {}, since {}",
            holder.pid,
            holder.host,
            holder.os_user,
            holder.started_at.format("%Y-%m-%d %H:%M:%S UTC")
        );
        if holder.what == me.what {
            bail!(
                "another `retain payments run` is running on {} ({who}); wait for it to finish",
                ctx.db.display()
            );
        }
        bail!(
            "the payments run's lock on {} is held by {} ({who}); wait for it to end, or ask an admin of the server to end it (SELECT pg_terminate_backend({}))",
            ctx.db.display(),
            holder.what,
            holder.pid
        );
    }
    // Read once the lock is ours: a run that finished a moment ago has recorded its attempts.
    let due = match due_now(&store) {
        Ok(due) => due,
        Err(e) => {
            store.release_run_lock(LOCK, &me)?;
            return Err(e);
        }
    };
    let results = run_due(ctx, &mut store, args, policy, &due, &me, &stop);
    let released = store.release_run_lock(LOCK, &me);
    let results = results?;
    released?;
    let failed = results.iter().filter(|r| r.error.is_some()).count();
    if args.json {
        crate::say!("{}", crate::display::to_json(&results)?);
    } else if results.is_empty() {
        crate::say!("no retry is due");
    }
    if stop.load(Ordering::Relaxed) {
        bail!(
            "stopped by a signal after {} of {} due retries; a payment whose hook was stopped is held until someone records what happened",
            results.len(),
            due.len()
        );
    }
    if failed > 0 {
        bail!(
            "{failed} of {} payments got no answer that could be recorded (each is named above)",
            results.len()
        );
    }
    Ok(())
}

/// Hands each due payment to the hook, one after another, until done or told to stop.
fn run_due(
    ctx: &Ctx,
    store: &mut Store,
    args: &RunArgs,
    policy: &RetryPolicy,
    due: &[(i64, QueueItem)],
    me: &RunHolder,
    stop: &AtomicBool,
) -> Result<Vec<Ran>> {
    let timeout = Duration::from_secs(args.timeout);
    let mut results = Vec::new();
    for (payment_id, p) in due {
        if stop.load(Ordering::Relaxed) {
            break;
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
        let started = ctx.now();
        if !store.beat_run_lock(LOCK, me)? {
            bail!(
                "this run lost the run lock (another run took it over, or took it while this run's connection to the server was down); stopping before the next payment"
            );
        }
        let handed = format!(
            "handed to the billing hook at {} by {} (pid {} on {}), which never answered",
            started.format("%Y-%m-%d %H:%M:%S UTC"),
            ctx.os_user,
            me.pid,
            me.host
        );
        if !store.hand_to_hook(*payment_id, p.attempts, started, &handed)? {
            continue; // retried, settled or held since the queue was read
        }
        let input = serde_json::to_string(p)?;
        match hook::run(&args.exec, &input, timeout, stop) {
            Err(why) => {
                store.take_back_from_hook(*payment_id)?;
                ran.error = Some(why);
            }
            Ok(Ended::TimedOut) => {
                let why = format!("stopped after {} s without an answer", args.timeout);
                store.explain_unsettled(*payment_id, &format!("{handed}: {why}"))?;
                ran.error = Some(format!(
                    "{why}; held: {}",
                    crate::services::payments::HELD_ADVICE
                ));
            }
            Ok(Ended::Stopped) => {
                let why =
                    "stopped with the run (a signal); held until someone records what happened";
                store.explain_unsettled(*payment_id, &format!("{handed} (its hook was {why})"))?;
                ran.error = Some(why.into());
            }
            Ok(Ended::Exited {
                status,
                stdout,
                stderr,
                cut_off,
            }) => match answer(status, &stdout, &stderr) {
                _ if cut_off => {
                    let why = "its answer ran past 1 MiB and was not heard out";
                    store.explain_unsettled(*payment_id, &format!("{handed}: {why}"))?;
                    ran.error = Some(format!(
                        "{why}; held: {}",
                        crate::services::payments::HELD_ADVICE
                    ));
                }
                // It said it failed, by its exit status: nothing was charged.
                Err(why) if status.code().is_some_and(|c| c != 0) => {
                    store.take_back_from_hook(*payment_id)?;
                    ran.error = Some(why);
                }
                // Killed, or done without an answer that can be read: it may have charged.
                Err(why) => {
                    store.explain_unsettled(*payment_id, &format!("{handed}: {why}"))?;
                    ran.error = Some(format!(
                        "{why}; held: {}",
                        crate::services::payments::HELD_ADVICE
                    ));
                }
                Ok(answer) => record(ctx, store, policy, *payment_id, answer, &mut ran, stop),
            },
        }
        if !args.json {
            print_line(&ran);
        }
        results.push(ran);
    }
    Ok(results)
}

/// Records a hook's answer on its payment (which also settles the hold on it). The answer is
/// the one word of what the card did: while the server is away it is tried again until it is
/// back (or the run is told to stop), and a failure to record it says what it was, so that
/// someone can record it by hand (the payment stays held meanwhile).
fn record(
    ctx: &Ctx,
    store: &mut Store,
    policy: &RetryPolicy,
    payment_id: i64,
    answer: Answer,
    ran: &mut Ran,
    stop: &AtomicBool,
) {
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
    let by_hand = match &result {
        AttemptResult::Succeeded => format!("retain payments record {payment_id} --succeeded"),
        AttemptResult::Failed { decline_code, .. } => {
            format!("retain payments record {payment_id} --failed {decline_code}")
        }
    };
    let attempt = NewAttempt {
        at: by.now,
        result,
        automatic: true,
        external_ref: answer.attempt_id.as_deref(),
    };
    let mut said = false;
    let recorded = loop {
        match store.record_attempt(payment_id, &attempt, policy, by) {
            Err(StoreError::ServerLost { .. }) if !stop.load(Ordering::Relaxed) => {
                if !said {
                    crate::tell!(
                        "retain: payment {payment_id}: the hook answered {}; waiting for the server to record it",
                        ran.outcome.unwrap_or("?")
                    );
                    said = true;
                }
                std::thread::sleep(Duration::from_secs(1));
            }
            other => break other,
        }
    };
    match recorded {
        Ok(Some(state)) => {
            ran.recorded = true;
            ran.state = Some(describe(&state));
        }
        Ok(None) => ran.error = Some(format!("attempt {attempt:?} was recorded before")),
        Err(e) => {
            ran.error = Some(format!(
                "{e}; the hook answered {}: it stays held until it is recorded (`{by_hand}`)",
                ran.outcome.unwrap_or("?")
            ))
        }
    }
}

fn print_line(ran: &Ran) {
    let name = crate::display::terminal_safe(&ran.name);
    match (&ran.error, &ran.state) {
        (Some(e), _) => crate::tell!(
            "retain: payment {} ({name}): nothing recorded: {e}",
            ran.payment_id
        ),
        (None, state) => crate::say!(
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

/// The hook's answer, from how it exited and what it printed.
fn answer(status: ExitStatus, out: &str, err: &str) -> Result<Answer, String> {
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
    let mut answer: Answer = serde_json::from_str(out.trim()).map_err(|e| {
        format!(
            "the command's answer is not {{\"outcome\":\"succeeded\"}} or {{\"outcome\":\"failed\",\"decline_code\":\"...\"}}: {e}: {:?}",
            crate::display::truncate(out.trim(), 80)
        )
    })?;
    // Codes and ids are stored and shown: held to the same rules as an import's.
    let code = |field: &str, code: Option<String>| {
        code.filter(|c| !c.trim().is_empty())
            .map(|c| code_word(&c).map_err(|e| format!("the command's {field} {c:?} is not {e}")))
            .transpose()
    };
    answer.decline_code = code("decline_code", answer.decline_code)?;
    answer.advice_code = code("advice_code", answer.advice_code)?;
    if let Some(id) = &answer.attempt_id {
        plain_text(id)
            .ok()
            .filter(|id| !id.trim().is_empty() && id.len() <= 255)
            .ok_or("the command's attempt_id is not an id (text of 1 to 255 bytes, no control characters)")?;
    }
    if matches!(answer.outcome, AnswerOutcome::Failed) && answer.decline_code.is_none() {
        return Err("the command answered \"failed\" without a decline_code".into());
    }
    Ok(answer)
}
