//! Taking the terminal and always giving it back: on exit, on panic, on SIGTERM or SIGHUP.

use std::io::{self, Stdout, Write};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Holds the terminal in raw mode on the alternate screen; dropping it restores the terminal.
pub struct Guard {
    mouse: bool,
}

impl Guard {
    pub fn enter(mouse: bool) -> io::Result<(Guard, Term)> {
        install_panic_hook(mouse);
        enable_raw_mode()?;
        let guard = Guard { mouse };
        let mut out = io::stdout();
        execute!(out, EnterAlternateScreen, EnableBracketedPaste)?;
        if mouse {
            execute!(out, EnableMouseCapture)?;
        }
        let terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
        Ok((guard, terminal))
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        restore(self.mouse);
    }
}

/// Puts the terminal back as the shell had it. Safe to call twice.
pub fn restore(mouse: bool) {
    let mut out = io::stdout();
    if mouse {
        let _ = execute!(out, DisableMouseCapture);
    }
    let _ = execute!(
        out,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}

impl Guard {
    /// Lends the terminal to another program (the rep's editor) for the length of `run`,
    /// then takes it back and redraws from scratch.
    pub fn lend<T>(&self, terminal: &mut Term, run: impl FnOnce() -> T) -> io::Result<T> {
        restore(self.mouse);
        let result = run();
        enable_raw_mode()?;
        let mut out = io::stdout();
        execute!(out, EnterAlternateScreen, EnableBracketedPaste)?;
        if self.mouse {
            execute!(out, EnableMouseCapture)?;
        }
        // A fresh alternate screen is blank: the next frame must be drawn whole. (Not
        // `terminal.clear()`, which asks the terminal where its cursor is, and reads the answer
        // from the keyboard's stream.)
        terminal.draw(|frame| frame.render_widget(ratatui::widgets::Clear, frame.area()))?;
        Ok(result)
    }
}

/// Puts `text` on the terminal's clipboard (OSC 52), which works over SSH where the terminal
/// allows it (tmux needs `set -g set-clipboard on`); other terminals ignore it.
pub fn copy(text: &str) -> io::Result<()> {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let mut out = io::stdout();
    write!(out, "\x1b]52;c;{encoded}\x07")?;
    out.flush()
}

/// Edits `text` in the rep's `$VISUAL` or `$EDITOR` (else `vi`), in a file only they can read;
/// the text as saved, or why there is none.
pub fn edit_outside(text: &str) -> Result<String, String> {
    use std::io::Read;
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|e| !e.trim().is_empty())
        .or_else(|| {
            std::env::var("EDITOR")
                .ok()
                .filter(|e| !e.trim().is_empty())
        })
        .unwrap_or_else(|| "vi".into());
    // tempfile makes it 0600, and deletes it whatever happens.
    let mut file = tempfile::Builder::new()
        .prefix("retain-letter-")
        .suffix(".txt")
        .tempfile()
        .map_err(|e| format!("no file to edit in: {e}"))?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("no file to edit in: {e}"))?;
    // Through the shell, as git runs it: EDITOR may carry arguments (`code --wait`).
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(file.path())
        .status()
        .map_err(|e| format!("cannot start {editor}: {e}"))?;
    if !status.success() {
        return Err(format!(
            "{editor} ended with {status}: the letter is as it was"
        ));
    }
    let mut edited = String::new();
    std::fs::File::open(file.path())
        .and_then(|mut f| f.read_to_string(&mut edited))
        .map_err(|e| format!("cannot read the edited letter back: {e}"))?;
    Ok(edited)
}

/// A panic restores the terminal first, so that its message is readable and the shell usable.
fn install_panic_hook(mouse: bool) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore(mouse);
        previous(info);
    }));
}
