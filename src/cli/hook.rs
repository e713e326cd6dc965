//! One run of the team's billing hook, contained: it runs in a process group of its own, and
//! whatever it started is ended with it. On a timeout, or when `payments run` is told to stop
//! (SIGTERM, SIGINT, SIGHUP), the whole group gets SIGTERM, then SIGKILL after a grace period,
//! and is reaped before the run goes on or exits: no charge can land after retain has moved on.
//! A hook that puts itself in a new session (`setsid`) leaves the group, and so the containment.

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
    /// It exited by itself; what it printed.
    Exited {
        status: ExitStatus,
        stdout: String,
        stderr: String,
    },
    /// It overran its time and was stopped.
    TimedOut,
    /// The run was told to stop while the hook worked, and the hook was stopped with it.
    Stopped,
}

/// Runs `cmd` through `sh -c` with `input` on its standard input, for at most `timeout`, and
/// stops it early when `stop` is set. `Err` when it could not be started.
pub fn run(cmd: &str, input: &str, timeout: Duration, stop: &AtomicBool) -> Result<Ended, String> {
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
    // The hook is done; anything it left running in its group is not.
    signal_group(&child, libc::SIGKILL);
    let heard = |rx: mpsc::Receiver<String>| rx.recv_timeout(GRACE).unwrap_or_default();
    Ok(Ended::Exited {
        status,
        stdout: heard(stdout),
        stderr: heard(stderr),
    })
}

/// Reads a pipe to its end on a thread of its own, at most `MAX_OUTPUT` of it.
fn read_all(pipe: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.take(MAX_OUTPUT).read_to_end(&mut bytes);
        let _ = tx.send(String::from_utf8_lossy(&bytes).into_owned());
    });
    rx
}

/// SIGTERM to the hook's group, SIGKILL to what is left after the grace period, then the hook
/// reaped.
fn end_group(child: &mut Child) {
    signal_group(child, libc::SIGTERM);
    let deadline = Instant::now() + GRACE;
    while Instant::now() < deadline && group_alive(child) {
        // Reaping the leader as soon as it exits keeps it from counting as alive.
        let _ = child.try_wait();
        std::thread::sleep(Duration::from_millis(20));
    }
    signal_group(child, libc::SIGKILL);
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

fn group_alive(child: &Child) -> bool {
    let Ok(group) = libc::pid_t::try_from(child.id()) else {
        return false;
    };
    // SAFETY: signal 0 only asks whether the group has a member.
    unsafe { libc::kill(-group, 0) == 0 }
}
