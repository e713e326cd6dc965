//! One run of a team's command (the billing hook, the mail command), contained: whatever it started is ended with it. The hook
//! runs in a process group of its own, and `payments run` is its processes' subreaper, so a child
//! that regroups (`setpgid`, `set -m`), starts a session (`setsid`) or double-forks is still ours
//! to find. On a timeout, or when the run is told to stop (SIGTERM, SIGINT, SIGHUP), the group
//! gets SIGTERM, then SIGKILL after a grace period, then every other descendant SIGKILL, and all
//! are reaped before the run goes on or exits: no charge can land after retain has moved on.
//! Only a process started through another service (`at`, `systemd-run`, ssh) escapes.

use std::io::{Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a stopped hook's group has between SIGTERM and SIGKILL.
pub const GRACE: Duration = Duration::from_secs(2);

/// The most of its output a hook is heard for: an answer is one line of JSON.
const MAX_OUTPUT: u64 = 1 << 20;

/// How a hook's run ended.
pub enum Ended {
    /// It exited by itself; what it printed, and whether retain stopped listening before it
    /// was done (`MAX_OUTPUT`): a hook cut off may have charged and not been heard saying so.
    Exited {
        status: ExitStatus,
        stdout: String,
        stderr: String,
        cut_off: bool,
    },
    /// It overran its time and was stopped.
    TimedOut,
    /// The run was told to stop while the hook worked, and the hook was stopped with it.
    Stopped,
}

/// Makes this process the reaper of every process its hooks leave behind, so that they can be
/// found and ended. Call once, before the first hook.
pub fn adopt_orphans() {
    // SAFETY: prctl with PR_SET_CHILD_SUBREAPER only sets a flag on this process.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    }
}

/// Runs `cmd` through `sh -c` with `input` on its standard input, for at most `timeout`, and
/// stops it early when `stop` is set. `Err` when it could not be started.
pub fn run(cmd: &str, input: &str, timeout: Duration, stop: &AtomicBool) -> Result<Ended, String> {
    let ended = run_contained(cmd, input, timeout, stop, true);
    end_descendants();
    ended
}

/// Runs a command that may rightly leave work behind once it has exited (a mail system's
/// `sendmail` hands the message to a delivery process): as `run`, stopped at `timeout`, but
/// what it left running is left alone.
pub fn run_leaving(cmd: &str, input: &str, timeout: Duration) -> Result<Ended, String> {
    run_contained(cmd, input, timeout, &AtomicBool::new(false), false)
}

fn run_contained(
    cmd: &str,
    input: &str,
    timeout: Duration,
    stop: &AtomicBool,
    end_the_rest: bool,
) -> Result<Ended, String> {
    use std::os::unix::process::CommandExt;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .process_group(0)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start sh -c {cmd:?}: {e}"))?;
    // A hook that does not read its input must not block us: it is written from a thread.
    let mut stdin = child.stdin.take().ok_or("no standard input")?;
    let input = input.to_string();
    std::thread::spawn(move || {
        // A command that exits without reading all of it makes the write fail with EPIPE:
        // SIGPIPE, which would end this whole process (the command line restores its default),
        // is blocked in this thread, where the kernel sends it.
        // SAFETY: a signal set on the stack, changed for this thread only.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGPIPE);
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        }
        let _ = stdin.write_all(input.as_bytes());
    });
    let stdout = read_all(child.stdout.take().ok_or("no standard output")?);
    let stderr = read_all(child.stderr.take().ok_or("no standard error")?);

    let started = Instant::now();
    let ended = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if stop.load(Ordering::Relaxed) => break None,
            Ok(None) if started.elapsed() > timeout => break None,
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => {
                end_group(&mut child);
                return Err(format!("cannot wait for the hook: {e}"));
            }
        }
    };
    let Some(status) = ended else {
        end_group(&mut child);
        return Ok(if stop.load(Ordering::Relaxed) {
            Ended::Stopped
        } else {
            Ended::TimedOut
        });
    };
    // The hook is done; anything it left running is not.
    if end_the_rest {
        signal_group(&child, libc::SIGKILL);
        end_descendants();
    }
    let heard = |rx: mpsc::Receiver<(String, bool)>| rx.recv_timeout(GRACE).unwrap_or_default();
    let (stdout, cut_off) = heard(stdout);
    Ok(Ended::Exited {
        status,
        stdout,
        stderr: heard(stderr).0,
        cut_off,
    })
}

/// Reads a pipe to its end on a thread of its own, at most `MAX_OUTPUT` of it; true when there
/// was more.
fn read_all(pipe: impl Read + Send + 'static) -> mpsc::Receiver<(String, bool)> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.take(MAX_OUTPUT + 1).read_to_end(&mut bytes);
        let cut_off = bytes.len() as u64 > MAX_OUTPUT;
        bytes.truncate(MAX_OUTPUT as usize);
        let _ = tx.send((String::from_utf8_lossy(&bytes).into_owned(), cut_off));
    });
    rx
}

/// SIGKILL to every process below this one, until none is left, each reaped: what a hook left
/// running after its own group was ended (a subreaper adopts them all).
fn end_descendants() {
    for _ in 0..100 {
        if signal_descendants(libc::SIGKILL) == 0 {
            reap_all();
            return;
        }
        reap_all();
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Sends `signal` to every live process below this one; how many there were.
fn signal_descendants(signal: libc::c_int) -> usize {
    let below = descendants(std::process::id());
    for &(pid, _) in &below {
        // SAFETY: kill(2) on a process this one started or adopted.
        unsafe {
            libc::kill(pid, signal);
        }
    }
    below.len()
}

/// Reaps every child that has ended, without waiting for one that has not.
fn reap_all() {
    loop {
        let mut status = 0;
        // SAFETY: waitpid with WNOHANG writes only the status we own.
        let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
        if pid <= 0 {
            return;
        }
    }
}

/// Every live process below `root` with its process group, read from each task's `children`
/// list in /proc.
fn descendants(root: u32) -> Vec<(libc::pid_t, u32)> {
    let children = |pid: u32| -> Vec<u32> {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
            return Vec::new();
        };
        tasks
            .flatten()
            .filter_map(|t| std::fs::read_to_string(t.path().join("children")).ok())
            .flat_map(|list| {
                list.split_whitespace()
                    .filter_map(|p| p.parse().ok())
                    .collect::<Vec<u32>>()
            })
            .collect()
    };
    // "pid (command) state ppid pgrp ...": the command may hold spaces and parentheses. A
    // zombie is dead already: reaping, not a signal, is what it needs.
    let live_group = |pid: u32| -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace();
        let state = fields.next()?;
        let pgrp = fields.nth(1)?.parse().ok()?;
        (state != "Z").then_some(pgrp)
    };
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        for pid in children(found[i]) {
            if !found.contains(&pid) {
                found.push(pid);
            }
        }
        i += 1;
    }
    found
        .into_iter()
        .skip(1)
        .filter_map(|p| Some((libc::pid_t::try_from(p).ok()?, live_group(p)?)))
        .collect()
}

/// SIGTERM to the hook's group, SIGKILL to every other process below this one at once and to
/// what is left of the group after the grace period, then all of them reaped. Zombies are reaped as they come, so that
/// a dead process never counts as one still at work.
fn end_group(child: &mut Child) {
    signal_group(child, libc::SIGTERM);
    let group = child.id();
    let deadline = Instant::now() + GRACE;
    loop {
        // What has left the hook's group (now, or while the group winds down) has no claim to a
        // grace period: it goes at once.
        let below = descendants(std::process::id());
        for &(pid, pgrp) in &below {
            if pgrp != group {
                // SAFETY: kill(2) on a process this one started or adopted.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                }
            }
        }
        reap_all();
        if below.is_empty() || Instant::now() >= deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    signal_group(child, libc::SIGKILL);
    end_descendants();
    let _ = child.wait();
}

fn signal_group(child: &Child, signal: libc::c_int) {
    let Ok(group) = libc::pid_t::try_from(child.id()) else {
        return;
    };
    // SAFETY: kill(2) on our own child's process group (its pid, set by process_group(0)).
    unsafe {
        libc::kill(-group, signal);
    }
}
