//! The account card: the facts, contacts and notes a rep needs on a call, wrapped to their
//! column, and the timeline, newest first, beside them (below them on a narrow terminal). It
//! is asked for by id and shown once it comes; `J`/`K` scroll the facts, `j`/`k` the timeline.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::account_card::{self, CardLine, Tone};
use crate::display::{fit, truncate, width};
use crate::domain::retry::RetryPolicy;
use crate::domain::risk::RiskScore;
use crate::store::{AccountCard, TimelineEntry};
use crate::tui::views::safe;
use chrono::NaiveDate;

use crate::tui::app::{App, Overlay};
use crate::tui::keymap::Command;
use crate::tui::overlays::entry::EntryState;
use crate::tui::overlays::notes::NotesState;
use crate::tui::theme::Theme;
use crate::tui::then::Then;

/// Lines of the card's facts that `J` and `K` scroll.
const FACTS_STEP: usize = 5;

/// At most how many screen rows `lines` wrap into: no column the card draws them in is
/// narrower than `NARROWEST` cells (the console needs 60).
pub(crate) fn rows_at_most<'a>(lines: impl IntoIterator<Item = &'a str>) -> usize {
    const NARROWEST: usize = 40;
    lines
        .into_iter()
        .map(|l| crate::display::width(l) / NARROWEST + 1)
        .sum()
}

/// The card shown, or on its way, and where the rep is in it.
#[derive(Debug, Clone, Default)]
pub struct CardState {
    /// The account whose card (or, beside the at-risk list, whose score) is wanted: shown, or
    /// on its way.
    pub wanted: Option<i64>,
    pub shown: Option<Box<AccountCard>>,
    /// The account's score.
    pub risk: Option<Box<RiskScore>>,
    /// The timeline entry at the top of the card's timeline: Enter opens it.
    pub scroll: usize,
    /// Lines of the account's facts scrolled past, where the card is too short for them all.
    pub facts_scroll: usize,
    /// The contact the lookup found the account by: marked on the card.
    pub contact: Option<i64>,
}

impl CardState {
    /// The card of the account wanted, once it has come.
    pub fn current(&self) -> Option<&AccountCard> {
        self.shown
            .as_deref()
            .filter(|c| Some(c.row.account_id) == self.wanted)
    }

    /// The card of `account_id`, asked for: the one shown stays until it comes if it is the
    /// same account's.
    pub fn want(&mut self, account_id: i64) {
        self.scroll = 0;
        self.facts_scroll = 0;
        self.contact = None;
        if self.wanted != Some(account_id) || self.shown.is_none() {
            self.shown = None;
        }
        self.wanted = Some(account_id);
    }

    /// Back to the list: the card's place is forgotten.
    pub fn leave(&mut self) {
        self.scroll = 0;
        self.facts_scroll = 0;
    }

    /// The card's commands. `half` is half a screen of rows.
    pub fn command(
        &mut self,
        command: Command,
        today: NaiveDate,
        policy: &RetryPolicy,
        half: isize,
    ) -> Then {
        match command {
            Command::EditNotes => {
                let Some(card) = self.current() else {
                    return Then::Nothing;
                };
                return Then::Show(Overlay::Notes(Box::new(NotesState::new(
                    card.row.account_id,
                    card.row.name.clone(),
                    &card.notes,
                    card.version,
                ))));
            }
            Command::Open => {
                let index = self.scroll;
                if self
                    .shown
                    .as_ref()
                    .is_some_and(|c| index < c.timeline.len())
                {
                    return Then::Show(Overlay::Entry(EntryState { index, scroll: 0 }));
                }
            }
            Command::FactsDown => {
                // The view stops at the last line; this keeps K from having to climb back
                // from far past it.
                let most = self.shown.as_ref().map_or(0, |card| {
                    let lines = crate::account_card::lines(card, None, today, policy, None);
                    rows_at_most(lines.iter().map(|l| l.text.as_str()))
                });
                self.facts_scroll = (self.facts_scroll + FACTS_STEP).min(most);
            }
            Command::FactsUp => self.facts_scroll = self.facts_scroll.saturating_sub(FACTS_STEP),
            Command::Down => self.scroll_by(1),
            Command::Up => self.scroll_by(-1),
            Command::HalfDown => self.scroll_by(half),
            Command::HalfUp => self.scroll_by(-half),
            Command::PageDown => self.scroll_by(2 * half),
            Command::PageUp => self.scroll_by(-2 * half),
            Command::Top => self.scroll = 0,
            Command::Bottom => self.scroll_by(isize::MAX / 2),
            Command::Assign => return Then::Prompt("assign ".into()),
            Command::Snooze => return Then::Prompt("snooze +7d ".into()),
            _ => return Then::Pass,
        }
        Then::Nothing
    }

    fn scroll_by(&mut self, by: isize) {
        let max = self
            .shown
            .as_ref()
            .map_or(0, |c| c.timeline.len().saturating_sub(1));
        self.scroll = (self.scroll as isize + by).clamp(0, max as isize) as usize;
    }

    /// A card came: taken if it is the one wanted.
    pub fn answer(
        &mut self,
        account_id: i64,
        card: Option<Box<AccountCard>>,
        risk: Option<Box<RiskScore>>,
    ) -> Then {
        if self.wanted != Some(account_id) {
            return Then::Nothing;
        }
        self.risk = risk;
        let gone = card.is_none();
        self.shown = card;
        let max = self
            .shown
            .as_ref()
            .map_or(0, |c| c.timeline.len().saturating_sub(1));
        self.scroll = self.scroll.min(max);
        if gone {
            Then::error(format!("account {account_id} no longer exists"))
        } else {
            Then::Nothing
        }
    }
}

/// From this width the facts and the timeline stand side by side.
const SIDE_BY_SIDE: u16 = 110;
/// Rows the timeline keeps below the facts on a narrow terminal, borders included.
const TIMELINE_ROWS: u16 = 4;

pub fn render(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let t = &app.theme;
    let Some(card) = app.card.current() else {
        frame.render_widget(Paragraph::new(Line::styled(" loading…", t.muted())), area);
        return;
    };
    let risk = app.card.risk.as_deref();
    let facts = account_card::lines(card, risk, app.today, &app.policy, app.card.contact);
    let (facts_area, timeline_area, lines) = if area.width >= SIDE_BY_SIDE {
        // The facts take what they need to wrap into few lines; the timeline the rest.
        let column = (area.width * 55 / 100).clamp(60, 88);
        let [left, right] =
            Layout::horizontal([Constraint::Length(column), Constraint::Fill(1)]).areas(area);
        let lines = wrap(t, &facts, usize::from(column.saturating_sub(2)));
        (left, right, lines)
    } else {
        let lines = wrap(t, &facts, usize::from(area.width.saturating_sub(2)));
        let room = area.height.saturating_sub(TIMELINE_ROWS).max(3);
        let height = (lines.len() as u16 + 2).min(room);
        let [top, bottom] =
            Layout::vertical([Constraint::Length(height), Constraint::Fill(1)]).areas(area);
        (top, bottom, lines)
    };
    render_facts(frame, app, &card.row.name, facts_area, lines);
    render_timeline(frame, app, &card.timeline, timeline_area);
}

/// The card's lines, made safe and wrapped at `cells`: nothing is cut.
pub(crate) fn wrap(t: &Theme, lines: &[CardLine], cells: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for line in lines {
        let style = tone_style(t, line.tone);
        let hang = " ".repeat(line.hang);
        // Break only at spaces: an address or a name is never split at its hyphen.
        let options = textwrap::Options::new(cells.max(8))
            .subsequent_indent(&hang)
            .word_splitter(textwrap::WordSplitter::NoHyphenation);
        for piece in textwrap::wrap(&safe(&line.text), options) {
            out.push(Line::styled(piece.into_owned(), style));
        }
    }
    out
}

fn tone_style(t: &Theme, tone: Tone) -> Style {
    match tone {
        Tone::Title | Tone::Heading => t.title(),
        Tone::Plain => t.base(),
        Tone::Muted => t.muted(),
        Tone::Warn => t.warn(),
        Tone::Danger => t.danger(),
        Tone::Risk(band) => t.band(band),
    }
}

fn render_facts(
    frame: &mut Frame<'_>,
    app: &App,
    name: &str,
    area: Rect,
    lines: Vec<Line<'static>>,
) {
    let t = &app.theme;
    let rows = usize::from(area.height.saturating_sub(2));
    let first = app.card.facts_scroll.min(lines.len().saturating_sub(rows));
    let below = lines.len().saturating_sub(first + rows);
    // Scrolled past its first line, the account is named in the border.
    let title = if first > 0 {
        let room = usize::from(area.width.saturating_sub(14));
        format!(" Account · {} ", truncate(&safe(name), room))
    } else {
        " Account ".to_string()
    };
    let mut block = Block::bordered().border_style(t.border()).title(title);
    if below > 0 || first > 0 {
        let hint = match (first > 0, below > 0) {
            (_, true) if below == 1 => " 1 more line: J ".to_string(),
            (_, true) => format!(" {below} more lines: J "),
            (true, false) => " K: back up ".to_string(),
            (false, false) => String::new(),
        };
        block = block.title_bottom(Line::styled(hint, t.key()).right_aligned());
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let shown: Vec<Line<'static>> = lines.into_iter().skip(first).take(rows).collect();
    frame.render_widget(Paragraph::new(shown), inner);
}

fn render_timeline(frame: &mut Frame<'_>, app: &App, timeline: &[TimelineEntry], area: Rect) {
    let t = &app.theme;
    let title = format!(
        " Timeline · {} of {} · Enter reads it ",
        (app.card.scroll + 1).min(timeline.len()),
        timeline.len()
    );
    let block = Block::bordered()
        .border_style(t.focus_border())
        .title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = usize::from(inner.width);
    let mut lines = Vec::new();
    for (i, e) in timeline.iter().enumerate().skip(app.card.scroll) {
        if lines.len() >= usize::from(inner.height) {
            break;
        }
        let when = e.at.format("%Y-%m-%d %H:%M").to_string();
        let label = fit(&safe(&e.label), 9);
        let who = e
            .who
            .as_deref()
            .map(|w| format!(" · {}", safe(w)))
            .unwrap_or_default();
        let title_room = w.saturating_sub(width(&when) + 1 + 9 + 1 + width(&who));
        let title = truncate(&safe(&e.title), title_room).into_owned();
        let mut spans = vec![
            Span::styled(format!("{when} "), t.muted()),
            Span::styled(format!("{label} "), t.key()),
            Span::raw(title),
            Span::styled(who, t.muted()),
        ];
        if i == app.card.scroll {
            spans = spans.into_iter().map(|s| s.style(t.selected())).collect();
        }
        lines.push(Line::from(spans));
        let more = summary(e);
        if !more.is_empty() && lines.len() < usize::from(inner.height) {
            let detail = format!("{}{more}", " ".repeat(17));
            lines.push(Line::styled(truncate(&detail, w).into_owned(), t.muted()));
        }
    }
    if timeline.is_empty() {
        lines.push(Line::styled("nothing recorded yet", t.muted()));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// An entry's facts and the start of its note, in one line.
fn summary(e: &TimelineEntry) -> String {
    let body = e.body.lines().next().unwrap_or("");
    let parts: Vec<String> = [e.detail.as_str(), body]
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .map(safe)
        .collect();
    parts.join(" · ")
}
