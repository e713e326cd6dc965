//! The form for logging a call (or email, meeting, note) while on it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::safe;
use crate::domain::dates::FORMS;
use crate::domain::model::Outcome;
use crate::tui::app::{App, FORM_KINDS, FormField, FormState};
use crate::tui::editor::Editor;

const LABEL: u16 = 11;

pub fn render(frame: &mut Frame<'_>, app: &App, form: &FormState, area: Rect) {
    let t = &app.theme;
    let title = format!(" Log · {} ", safe(&form.account_name));
    let block = Block::bordered()
        .border_style(t.focus_border())
        .title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [kind, outcome, note, tags, follow_up, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);

    // Kind: the choices in a row, the chosen one marked.
    let mut spans = vec![label(app, form, FormField::Kind, "Kind")];
    for (i, k) in FORM_KINDS.iter().enumerate() {
        let style = if i == form.kind {
            t.selected()
        } else {
            t.muted()
        };
        spans.push(Span::styled(format!(" {k} "), style));
        spans.push(Span::raw(" "));
    }
    if form.field == FormField::Kind {
        spans.push(Span::styled("←/→", t.key()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), kind);

    // Outcome: the same, with none allowed.
    let mut spans = vec![label(app, form, FormField::Outcome, "Outcome")];
    let words = std::iter::once("—").chain(Outcome::ALL.iter().map(|o| o.as_str()));
    for (i, word) in words.enumerate() {
        let chosen = form.outcome.map_or(0, |o| o + 1) == i;
        spans.push(Span::styled(
            format!(" {word} "),
            if chosen { t.selected() } else { t.muted() },
        ));
    }
    if form.field == FormField::Outcome {
        spans.push(Span::styled(" ←/→", t.key()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), outcome);
    field(frame, app, form, FormField::Note, "Note", &form.note, note);
    field(frame, app, form, FormField::Tags, "Tags", &form.tags, tags);
    field(
        frame,
        app,
        form,
        FormField::FollowUp,
        "Follow up",
        &form.follow_up,
        follow_up,
    );

    // The follow-up day as understood, or why not; then errors and saving.
    let line = if let Some(error) = &form.error {
        Line::styled(safe(error), t.danger())
    } else if form.saving {
        Line::styled("saving…", t.muted())
    } else {
        match form.follow_up_day(app.today) {
            Some(Ok(day)) => Line::styled(
                format!("follow up on {}", day.format("%a %Y-%m-%d")),
                t.ok(),
            ),
            Some(Err(_)) => Line::styled(format!("follow up: {FORMS}"), t.warn()),
            None => Line::styled(
                "tags: competitor pricing bug onboarding renewal …",
                t.muted(),
            ),
        }
    };
    frame.render_widget(Paragraph::new(line), status);
}

fn label(app: &App, form: &FormState, which: FormField, text: &str) -> Span<'static> {
    let style = if form.field == which {
        app.theme.key()
    } else {
        app.theme.muted()
    };
    Span::styled(format!("{text:<width$}", width = usize::from(LABEL)), style)
}

#[allow(clippy::too_many_arguments)]
fn field(
    frame: &mut Frame<'_>,
    app: &App,
    form: &FormState,
    which: FormField,
    name: &str,
    editor: &Editor,
    area: Rect,
) {
    let [label_area, text_area] =
        Layout::horizontal([Constraint::Length(LABEL), Constraint::Fill(1)]).areas(area);
    frame.render_widget(Paragraph::new(label(app, form, which, name)), label_area);
    let focused = form.field == which && matches!(app.overlay, crate::tui::app::Overlay::None);
    super::text_area(frame, editor, text_area, focused);
}
