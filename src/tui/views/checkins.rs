//! The check-ins pane: open check-ins, most overdue first, with their stage; the account beside.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{caption_line, mrr_short, safe};
use crate::display::{fit, fit_name, truncate};
use crate::domain::lifecycle::Stage;
use crate::tui::app::App;

pub fn render(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let share = if area.width >= 100 { 58 } else { 55 };
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(share), Constraint::Fill(1)]).areas(area);
    list(frame, app, left);
    let lead = app
        .identity
        .rep
        .as_ref()
        .is_some_and(|(_, role)| role == "lead" || role == "admin");
    if lead {
        let counts = app.checkins.overdue_by_owner(app.today);
        let height = (counts.len().min(6) as u16 + 2).min(right.height / 2);
        let [top, rest] =
            Layout::vertical([Constraint::Length(height), Constraint::Fill(1)]).areas(right);
        overdue_by_rep(frame, app, &counts, top);
        super::list::detail(frame, app, rest);
    } else {
        super::list::detail(frame, app, right);
    }
}

fn overdue_by_rep(frame: &mut Frame<'_>, app: &App, counts: &[(String, usize)], area: Rect) {
    let t = &app.theme;
    let block = Block::bordered()
        .border_style(t.border())
        .title(" Overdue by rep ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let line: Vec<Span<'_>> = counts
        .iter()
        .flat_map(|(rep, n)| {
            [
                Span::styled(format!("{} ", safe(rep)), t.base()),
                Span::styled(format!("{n}  "), if *n > 0 { t.warn() } else { t.muted() }),
            ]
        })
        .collect();
    let text = if line.is_empty() {
        Line::styled("nothing overdue", t.ok())
    } else {
        Line::from(line)
    };
    frame.render_widget(
        Paragraph::new(text).wrap(ratatui::widgets::Wrap { trim: false }),
        inner,
    );
}

fn list(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let t = &app.theme;
    let w = usize::from(area.width);
    let c = &app.checkins;
    let overdue = |stage: Stage| {
        c.rows
            .iter()
            .filter(|r| r.stage == stage && r.due_date < app.today)
            .count()
    };
    let mut caption = format!(
        "Check-ins · {} · {}",
        c.window.label(),
        if c.mine { "mine" } else { "all" }
    );
    if let Some(stage) = c.stage {
        caption.push_str(&format!(" · {stage}"));
    }
    if let Some(owner) = &c.owner {
        caption.push_str(&format!(" · owner {}", safe(owner)));
    }
    caption.push_str(&format!(
        " · overdue: early {} mid {} late {}",
        overdue(Stage::Early),
        overdue(Stage::Mid),
        overdue(Stage::Late)
    ));
    let mut lines = vec![caption_line(app, &caption, w)];
    // The name has the room first: the owner, the stage and the MRR are in the detail beside
    // and the caption, and give way as the list narrows.
    let show_owner = w >= 90;
    let wide = w >= 60;
    let kind_w = if wide { 16 } else { 10 };
    // Each column with the space before it; "170 d late" is the widest due.
    let fixed =
        11 + (kind_w + 1) + 1 + if show_owner { 9 } else { 0 } + if wide { 6 + 11 } else { 0 };
    let name_w = w.saturating_sub(fixed).max(8);
    let columns = |due: &str, stage: &str, kind: &str, name: &str, owner: &str, mrr: &str| {
        let mut line = format!(" {due:<10}");
        if wide {
            line.push_str(&format!(" {stage:<5}"));
        }
        line.push_str(&format!(" {} {name}", fit(kind, kind_w)));
        if show_owner {
            line.push_str(&format!(" {}", fit(owner, 8)));
        }
        if wide {
            line.push_str(&format!(" {:>10}", truncate(mrr, 10)));
        }
        line
    };
    let head = columns(
        "Due",
        "Stage",
        "Kind",
        &fit("Account", name_w),
        "Owner",
        "MRR",
    );
    lines.push(Line::styled(fit(&head, w), t.muted()));
    lines.extend(super::list_status(
        app,
        c.loaded,
        "nothing due with these filters",
    ));
    for (selected, id) in super::visible_rows(app) {
        let Some(r) = c.row(id) else { continue };
        let when = match (r.due_date - app.today).num_days() {
            0 => "today".to_string(),
            d if d < 0 => format!("{} d late", -d),
            d => format!("in {d} d"),
        };
        let text = columns(
            &when,
            r.stage.as_str(),
            &r.kind,
            &fit_name(&safe(&r.name), name_w),
            &r.owner.as_deref().map_or("team".into(), safe),
            &mrr_short(r.mrr_cents, &r.currency),
        );
        let style = if selected {
            t.selected()
        } else if r.due_date < app.today {
            t.warn()
        } else {
            t.base()
        };
        lines.push(Line::styled(fit(&text, w), style));
    }
    frame.render_widget(Paragraph::new(lines), area);
}
