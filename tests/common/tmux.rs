//! The real binary in a terminal of its own: a tmux server per test, driven by keys and read
//! off the screen.

use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux server of its own, so tests never touch a rep's sessions or each other.
pub struct Tmux {
    pub socket: String,
}

impl Tmux {
    pub fn start(name: &str, size: (u16, u16), command: &str) -> Tmux {
        assert!(
            Command::new("tmux").arg("-V").output().is_ok(),
            "tmux is needed for this test (.ci/run installs it)"
        );
        let socket = format!("retain-test-{}-{name}", std::process::id());
        let status = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "t",
            ])
            .args(["-x", &size.0.to_string(), "-y", &size.1.to_string()])
            .arg(command)
            .env_remove("RETAIN_DB")
            .env_remove("NO_COLOR")
            .status()
            .unwrap();
        assert!(status.success());
        Tmux { socket }
    }

    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-t", "t"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen shows `text`, for at most twenty seconds (CI runs every test
    /// binary at once on two cores).
    pub fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            if start.elapsed() > Duration::from_secs(20) {
                panic!("{text:?} never appeared; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn keys(&self, keys: &[&str]) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-t", "t"])
            .args(keys)
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Types text literally.
    pub fn type_text(&self, text: &str) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-t", "t", "-l", text])
            .status()
            .unwrap();
        assert!(status.success());
    }

    pub fn alive(&self) -> bool {
        Command::new("tmux")
            .args(["-L", &self.socket, "has-session", "-t", "t"])
            .output()
            .is_ok_and(|o| o.status.success())
    }

    /// Closes the session as a dropped connection would: the console gets SIGHUP.
    pub fn hang_up(&self) {
        // Output dropped: a second hang-up finds no server, which is fine.
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.hang_up();
    }
}
