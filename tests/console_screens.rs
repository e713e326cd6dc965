//! The console's screens, rendered into ratatui's TestBackend from state that came out of a real
//! demo database, and driven through `App::update` as keys would drive it.

mod common;

on_both_engines!(
    a_rep_opens_on_their_queue_at_80x24_and_120x35,
    someone_who_is_not_a_rep_sees_every_active_account_with_its_mrr,
    moving_down_moves_the_selection_and_the_detail_follows,
    lookup_finds_by_folded_name_and_enter_opens_the_card,
    enter_before_the_answer_opens_the_best_match_when_it_arrives,
    logging_a_call_from_the_card_saves_it_and_the_timeline_shows_it,
    the_outcome_is_chosen_from_the_few_words_that_count,
    a_draft_is_restored_and_typed_text_is_saved_as_a_draft,
    a_reloaded_list_keeps_the_cursor_on_the_same_account,
    the_risk_pane_ranks_by_score_and_explains_the_selected_account,
    the_risk_pane_sorts_and_filters,
    snoozing_takes_an_account_out_until_its_day_and_assigning_changes_the_owner,
    after_a_call_only_that_account_is_scored_again,
    the_risk_pane_lists_what_changed_since_yesterday,
    the_checkins_pane_lists_the_most_overdue_first_whatever_the_stage,
    the_checkins_pane_filters_by_window_stage_and_owner,
    completing_a_checkin_logs_it_with_the_stage_agenda_and_schedules_the_next,
    a_checkin_can_be_put_off_and_a_lead_sees_who_is_behind,
    another_reps_commit_reloads_what_is_shown_keeping_the_cursor,
    stored_escapes_and_invisible_characters_never_reach_a_cell,
    a_note_saved_while_the_file_is_busy_leaves_no_draft_behind,
    keys_typed_before_the_answer_choose_among_it_and_a_choice_survives_later_answers,
    account_notes_being_edited_at_a_hang_up_are_kept_as_a_draft_note,
    a_prompt_missing_its_reason_stays_open_and_says_what_is_missing,
    the_metrics_pane_and_retain_report_recovery_count_the_same_window,
);

use common::console::*;
use common::engine::{Db, Engine, TestDb};
use common::*;
use crossterm::event::KeyCode;
use ratatui::style::Modifier;
use retain::store::Draft;
use retain::tui::app::{Action, Overlay, Pane, View};
use retain::tui::theme::Palette;
use retain::tui::worker::{Load, NoteRequest, PaneData, Request, Response, RiskRequest};

fn a_rep_opens_on_their_queue_at_80x24_and_120x35(engine: Engine) {
    for size in [(80, 24), (120, 35)] {
        let c = demo_console(engine, 300, "carmen", size, Palette::Indexed);
        assert!(
            c.app.identity.rep.is_some(),
            "the demo always has carmen as a rep"
        );
        let screen = c.screen();
        let lines: Vec<&str> = screen.lines().collect();
        assert_eq!(lines.len(), usize::from(size.1));
        assert!(
            lines[0].contains("Carmen Ruiz (lead)") || lines[0].contains("Carmen Ruiz (rep)"),
            "{screen}"
        );
        assert!(lines[0].contains("2026-11-22"));
        assert!(lines[2].contains("My queue ·"), "{screen}");
        assert!(
            lines[3].contains("Account") && lines[3].contains("Why today"),
            "{screen}"
        );
        // The first row is the most urgent of the rep's accounts, and the detail shows it.
        let first_id = c.app.panes.queue.list.ids[0];
        let first = c.store.account_rows(&[first_id]).unwrap().remove(0);
        assert_eq!(c.app.panes.queue.rows[0].account_id, first_id);
        // (A cut name keeps its first letters and its last word.)
        let shown: String = first.name.chars().take(8).collect();
        assert!(lines[4].contains(&shown), "{shown:?} not on\n{screen}");
        assert!(
            screen.matches(&shown).count() >= 2,
            "the detail shows it too:\n{screen}"
        );
        assert!(
            lines[usize::from(size.1) - 1].contains("z put it off"),
            "{screen}"
        );
        // The list uses every row between the column titles and the footer.
        assert_eq!(c.app.list_height(), usize::from(size.1) - 5);
    }
}

fn someone_who_is_not_a_rep_sees_every_active_account_with_its_mrr(engine: Engine) {
    let c = demo_console(engine, 300, "visitor", (80, 24), Palette::Indexed);
    let screen = c.screen();
    let lines: Vec<&str> = screen.lines().collect();
    assert!(lines[2].contains("all active by MRR"), "{screen}");
    assert!(lines[3].contains("Account") && lines[3].contains("MRR"));
    let shown_rows = c.app.panes.queue.list.ids.len().min(c.app.list_height());
    let last = lines[4 + shown_rows - 1];
    assert!(
        last.contains("USD") || last.contains("EUR") || last.contains("GBP"),
        "{screen}"
    );
    // The footer offers the actions of where you are, the lookup, and help, always.
    let footer = lines[23].trim_end();
    assert!(
        footer.contains("Enter open") && footer.ends_with("? help"),
        "{screen}"
    );
    assert!(footer.contains("/ find an account"), "{screen}");
    // Read-only: nothing offered that would be refused.
    assert!(!footer.contains("l log"), "{screen}");
}

#[test]
fn the_metrics_pane_reads_at_80x24_and_without_colour() {
    for palette in [Palette::Indexed, Palette::None] {
        let mut c = console("carmen", (80, 24), palette);
        c.text("5");
        let screen = c.screen();
        assert!(screen.contains("Logo churn by month"), "{screen}");
        assert!(screen.contains("a year"), "{screen}");
        assert!(screen.contains("NRR"), "{screen}");
        assert!(screen.contains("voluntary"), "{screen}");
        assert!(screen.contains("Cohorts"), "{screen}");
        assert!(
            screen.contains(" 100 ") || screen.contains("  99 "),
            "{screen}"
        );
        let m = c.app.panes.metrics.data.as_ref().unwrap();
        assert_eq!(m.churn.len(), 12, "a year of months");
    }
}

fn moving_down_moves_the_selection_and_the_detail_follows(engine: Engine) {
    let mut c = demo_console(engine, 300, "carmen", (120, 35), Palette::Indexed);
    let second = c.app.panes.queue.list.ids[1];
    c.keys(&[press(KeyCode::Char('j'))]);
    assert_eq!(c.app.selected_id(), Some(second));
    assert_eq!(
        c.app.card.shown.as_ref().map(|k| k.row.account_id),
        Some(second)
    );
    assert!(c.screen().contains("2 of"));
    c.keys(&[press(KeyCode::Char('G'))]);
    let n = c.app.panes.queue.list.ids.len();
    assert_eq!(c.app.panes.queue.list.cursor, n - 1);
    c.keys(&[press(KeyCode::Char('g')), press(KeyCode::Char('g'))]);
    assert_eq!(c.app.panes.queue.list.cursor, 0);
}

#[test]
fn a_non_rep_sees_all_active_accounts_and_is_told_so() {
    let c = console("visitor", (80, 24), Palette::Indexed);
    let screen = c.screen();
    assert!(
        screen.contains("visitor is not a rep: read-only"),
        "{screen}"
    );
    assert!(screen.contains("all active by MRR"), "{screen}");
}

fn lookup_finds_by_folded_name_and_enter_opens_the_card(engine: Engine) {
    let mut c = demo_console(engine, 300, "carmen", (120, 35), Palette::Indexed);
    let mut docs = Vec::new();
    c.store.each_search_doc(|d| docs.push(d)).unwrap();
    let muller = docs
        .into_iter()
        .find(|d| d.name.contains("Müller"))
        .expect("the demo has a Müller");
    c.keys(&[press(KeyCode::Char('/'))]);
    c.text("muller");
    let screen = c.screen();
    assert!(screen.contains("/ muller"), "{screen}");
    assert!(screen.contains("Müller"), "{screen}");
    c.keys(&[press(KeyCode::Enter)]);
    assert_eq!(c.app.view, View::Card);
    let screen = c.screen();
    assert!(screen.contains("Timeline"), "{screen}");
    assert!(screen.contains("Müller"), "{screen}");
    let _ = muller;
    // Esc leaves the card for the list.
    c.keys(&[press(KeyCode::Esc)]);
    assert_eq!(c.app.view, View::List);
}

fn enter_before_the_answer_opens_the_best_match_when_it_arrives(engine: Engine) {
    let mut c = demo_console(engine, 300, "carmen", (80, 24), Palette::Indexed);
    c.act(Action::Key(press(KeyCode::Char('/'))));
    let mut pending = Vec::new();
    for ch in "muller".chars() {
        pending.extend(c.act(Action::Key(press(KeyCode::Char(ch)))));
    }
    // Enter before any answer: nothing opens yet.
    pending.extend(c.act(Action::Key(press(KeyCode::Enter))));
    assert_eq!(c.app.view, View::List);
    c.serve(pending);
    assert_eq!(c.app.view, View::Card, "{}", c.screen());
    assert!(c.screen().contains("Müller"), "{}", c.screen());

    // With no match, the rep is told so.
    c.act(Action::Key(press(KeyCode::Char('/'))));
    let mut pending = Vec::new();
    for ch in "qqqqzzzz".chars() {
        pending.extend(c.act(Action::Key(press(KeyCode::Char(ch)))));
    }
    pending.extend(c.act(Action::Key(press(KeyCode::Enter))));
    c.serve(pending);
    assert!(c.screen().contains("no account matches"), "{}", c.screen());
}

fn logging_a_call_from_the_card_saves_it_and_the_timeline_shows_it(engine: Engine) {
    let mut c = demo_console(engine, 300, "carmen", (80, 24), Palette::Indexed);
    c.keys(&[press(KeyCode::Enter), press(KeyCode::Char('l'))]);
    let screen = c.screen();
    assert!(screen.contains("Log ·"), "{screen}");
    assert!(screen.contains("Follow up"), "{screen}");
    c.text("Spoke with the CFO about renewal");
    c.keys(&[press(KeyCode::Enter)]);
    c.text("wants a 10% discount");
    c.keys(&[press(KeyCode::Tab)]);
    c.text("pricing");
    c.keys(&[press(KeyCode::Tab)]);
    c.text("fri");
    assert!(
        c.screen().contains("follow up on Fri 2026-11-27"),
        "{}",
        c.screen()
    );
    c.keys(&[ctrl('s')]);
    assert!(c.app.form.is_none(), "the form closes once saved");
    let screen = c.screen();
    assert!(
        screen.contains("Spoke with the CFO about renewal"),
        "{screen}"
    );
    assert!(screen.contains("call logged"), "{screen}");
    let account = c.app.card.wanted.unwrap();
    let card = c.store.account_card(account).unwrap().unwrap();
    let logged = &card.timeline[0];
    assert_eq!(logged.title, "Spoke with the CFO about renewal");
    assert!(logged.detail.contains("tags: pricing"), "{}", logged.detail);
    assert!(
        logged.detail.contains("follow up 2026-11-27"),
        "{}",
        logged.detail
    );
    assert_eq!(logged.body, "wants a 10% discount");
    // Enter on the card reads the newest entry in full: its facts and the whole note.
    // (What was said about this account is not said on the next one.)
    c.keys(&[press(KeyCode::Enter)]);
    let screen = c.screen();
    assert!(
        screen.contains("tags: pricing") && screen.contains("wants a 10% discount"),
        "{screen}"
    );
    c.keys(&[press(KeyCode::Esc)]);
    assert!(matches!(c.app.overlay, retain::tui::app::Overlay::None));
    c.keys(&[press(KeyCode::Esc), press(KeyCode::Char('2'))]);
    let screen = c.screen();
    assert!(!screen.contains("call logged"), "{screen}");
    assert!(
        !screen.contains("check-ins scheduled"),
        "housekeeping is not news: {screen}"
    );
}

fn the_outcome_is_chosen_from_the_few_words_that_count(engine: Engine) {
    let mut c = demo_console(engine, 300, "carmen", (80, 24), Palette::Indexed);
    c.keys(&[press(KeyCode::Enter), press(KeyCode::Char('l'))]);
    c.text("Left a message about the renewal");
    // Back to the outcome: letters are no outcome, arrows choose one.
    c.keys(&[crossterm::event::KeyEvent::new(
        KeyCode::BackTab,
        crossterm::event::KeyModifiers::SHIFT,
    )]);
    c.text("great");
    let form = c.app.form.as_ref().unwrap();
    assert_eq!(form.outcome_word(), None, "typed letters choose nothing");
    c.keys(&[press(KeyCode::Right), press(KeyCode::Right)]);
    assert!(c.screen().contains(" neutral "), "{}", c.screen());
    c.keys(&[ctrl('s')]);
    let account = c.app.card.wanted.unwrap();
    let outcome = c.db.query_text(
        &format!(
            "SELECT outcome FROM interactions WHERE account_id = {account} ORDER BY id DESC LIMIT 1"
        ),
        &[],
    );
    assert_eq!(outcome.as_deref(), Some("neutral"));
}

#[test]
fn ctrl_c_with_a_note_half_typed_asks_and_keeps_it_as_a_draft() {
    let mut c = console("carmen", (80, 24), Palette::Indexed);
    c.keys(&[press(KeyCode::Enter), press(KeyCode::Char('l'))]);
    c.text("Half a note");
    c.keys(&[ctrl('c')]);
    assert!(!c.app.quit, "asked first");
    assert!(c.screen().contains("Quit retain?"), "{}", c.screen());
    c.keys(&[press(KeyCode::Char('n'))]);
    assert!(c.app.form.is_some() && !c.app.quit);
    c.keys(&[ctrl('c'), press(KeyCode::Char('y'))]);
    assert!(c.app.quit);
    let account = c.app.card.wanted.unwrap();
    let (draft, _) = c.store.draft("carmen", account).unwrap().unwrap();
    assert_eq!(draft.body, "Half a note");
    // With nothing typed, Ctrl-c quits at once.
    let mut c = console("carmen", (80, 24), Palette::Indexed);
    c.keys(&[press(KeyCode::Char('l')), ctrl('c')]);
    assert!(c.app.quit);
}

#[test]
fn escape_asks_before_throwing_typed_text_away() {
    let mut c = console("carmen", (80, 24), Palette::Indexed);
    c.keys(&[press(KeyCode::Char('l'))]);
    c.text("half a thought");
    c.keys(&[press(KeyCode::Esc)]);
    assert!(
        c.screen().contains("Throw away the note you typed?"),
        "{}",
        c.screen()
    );
    c.keys(&[press(KeyCode::Char('n'))]);
    assert_eq!(c.app.form.as_ref().unwrap().note.text(), "half a thought");
    c.keys(&[press(KeyCode::Esc), press(KeyCode::Char('y'))]);
    assert!(c.app.form.is_none());
    // An empty form closes without asking.
    c.keys(&[press(KeyCode::Char('l')), press(KeyCode::Esc)]);
    assert!(c.app.form.is_none());
}

#[test]
fn an_empty_note_or_a_bad_day_is_refused_in_the_form() {
    let mut c = console("carmen", (80, 24), Palette::Indexed);
    c.keys(&[press(KeyCode::Char('l')), ctrl('s')]);
    assert!(c.screen().contains("the note is empty"), "{}", c.screen());
    c.text("called");
    c.keys(&[press(KeyCode::Tab), press(KeyCode::Tab)]);
    c.text("someday");
    let requests = c.act(Action::Key(ctrl('s')));
    assert!(
        requests
            .iter()
            .all(|r| !matches!(r, Request::Note(NoteRequest::Log { .. })))
    );
    assert!(c.screen().contains("is not a day"), "{}", c.screen());
}

fn a_draft_is_restored_and_typed_text_is_saved_as_a_draft(engine: Engine) {
    let mut c = demo_console(engine, 300, "carmen", (80, 24), Palette::Indexed);
    c.keys(&[press(KeyCode::Char('l'))]);
    let account_id = c.app.form.as_ref().unwrap().account_id;
    let draft = Draft {
        kind: "email".into(),
        body: "typed before the line dropped".into(),
        ..Draft::default()
    };
    let at = chrono::Utc::now();
    c.act(Action::Db(Response::Draft {
        account_id,
        draft: Some((draft, at)),
    }));
    let form = c.app.form.as_ref().unwrap();
    assert_eq!(form.note.text(), "typed before the line dropped");
    assert!(c.screen().contains("restored"), "{}", c.screen());

    // Typing marks the form unsaved; a tick after the pause saves the draft.
    c.text(" and more");
    c.app.now += std::time::Duration::from_secs(1);
    let requests = c.act(Action::Tick);
    assert!(
        requests.iter().any(
            |r| matches!(r, Request::Note(NoteRequest::SaveDraft { draft, .. }) if draft.body.ends_with("and more"))
        ),
        "{requests:?}"
    );
    // A SIGHUP saves at once.
    c.text("!");
    let requests = c.act(Action::Shutdown);
    assert!(
        requests
            .iter()
            .any(|r| matches!(r, Request::Note(NoteRequest::SaveDraft { .. })))
    );
    assert!(c.app.quit);
}

#[test]
fn help_lists_the_keys_of_the_current_context() {
    let mut c = console("carmen", (120, 35), Palette::Indexed);
    c.keys(&[press(KeyCode::Char('?'))]);
    let screen = c.screen();
    assert!(screen.contains("Keys · queue"), "{screen}");
    assert!(screen.contains("gg/Home"), "{screen}");
    assert!(screen.contains("log a call"), "{screen}");
    assert!(screen.contains("find an account"), "{screen}");
    c.keys(&[
        press(KeyCode::Esc),
        press(KeyCode::Enter),
        press(KeyCode::Char('?')),
    ]);
    assert!(c.screen().contains("Keys · card"), "{}", c.screen());
}

#[test]
fn panes_switch_with_numbers_and_tab() {
    let mut c = console("carmen", (120, 35), Palette::Indexed);
    c.keys(&[press(KeyCode::Char('4'))]);
    assert_eq!(c.app.pane, Pane::Payments);
    assert!(
        c.screen().contains("Payments · all queues"),
        "{}",
        c.screen()
    );
    c.keys(&[press(KeyCode::Tab)]);
    assert_eq!(c.app.pane, Pane::Metrics);
    assert!(c.screen().contains("Logo churn by month"), "{}", c.screen());
    c.keys(&[press(KeyCode::BackTab), press(KeyCode::BackTab)]);
    assert_eq!(c.app.pane, Pane::CheckIns);
}

#[test]
fn the_command_line_opens_an_account_lookup_and_quits() {
    let mut c = console("carmen", (80, 24), Palette::Indexed);
    c.keys(&[press(KeyCode::Char(':'))]);
    c.text("acct muller");
    c.keys(&[press(KeyCode::Enter)]);
    assert!(c.screen().contains("/ muller"), "{}", c.screen());
    c.keys(&[press(KeyCode::Esc), press(KeyCode::Char(':'))]);
    c.text("frobnicate");
    c.keys(&[press(KeyCode::Enter)]);
    assert!(c.screen().contains("unknown command"), "{}", c.screen());
    c.keys(&[press(KeyCode::Char(':'))]);
    c.text("q");
    c.keys(&[press(KeyCode::Enter)]);
    assert!(c.app.quit);
}

#[test]
fn a_small_terminal_is_told_so() {
    let mut c = console("carmen", (80, 24), Palette::Indexed);
    c.act(Action::Resize(50, 12));
    let screen = c.screen();
    assert!(screen.contains("terminal too small"), "{screen}");
    assert!(screen.contains("need 60×16, have 50×12"), "{screen}");
    c.act(Action::Resize(80, 24));
    assert!(c.screen().contains("My queue ·"));
}

#[test]
fn without_colour_the_selection_is_reversed() {
    let c = console("carmen", (80, 24), Palette::None);
    let buffer = c.buffer();
    // Column 0 is the row's leading blank, part of the row's style.
    let selected = &buffer[(0, 4)];
    assert!(
        selected.modifier.contains(Modifier::REVERSED),
        "{selected:?}"
    );
    assert_eq!(selected.fg, ratatui::style::Color::Reset);
    let other = &buffer[(0, 5)];
    assert!(!other.modifier.contains(Modifier::REVERSED));
}

#[test]
fn stored_escape_sequences_never_reach_the_screen() {
    let mut c = console("visitor", (120, 35), Palette::Indexed);
    let id = c.app.panes.queue.list.ids[0];
    let mut row = c.store.account_rows(&[id]).unwrap().remove(0);
    row.name = "Evil\u{1b}[2J\u{1b}]0;pwned\u{7}Corp".into();
    c.act(Action::Db(Response::Rows { rows: vec![row] }));
    let screen = c.screen();
    assert!(!screen.contains('\u{1b}'), "an escape reached the screen");
    assert!(!screen.contains('\u{7}'));
    assert!(screen.contains("Evil\u{FFFD}[2J"), "{screen}");
}

fn a_reloaded_list_keeps_the_cursor_on_the_same_account(engine: Engine) {
    let mut c = demo_console(engine, 300, "visitor", (120, 35), Palette::Indexed);
    c.keys(&[press(KeyCode::Char('j')), press(KeyCode::Char('j'))]);
    let selected = c.app.selected_id().unwrap();
    let mut ids = c.app.panes.queue.list.ids.clone();
    ids.remove(0); // the account above was taken by someone else
    c.act(Action::Db(Response::Loaded {
        generation: 0,
        data: PaneData::Accounts(ids),
    }));
    assert_eq!(c.app.selected_id(), Some(selected));
    assert_eq!(c.app.panes.queue.list.cursor, 1);
}

fn open_risk_pane(c: &mut Console) {
    c.keys(&[press(KeyCode::Char('2'))]);
    assert!(c.app.panes.risk.loaded);
}

fn the_risk_pane_ranks_by_score_and_explains_the_selected_account(engine: Engine) {
    for size in [(80, 24), (120, 35)] {
        let mut c = demo_console(engine, 300, "bjorn", size, Palette::Indexed);
        open_risk_pane(&mut c);
        let screen = c.screen();
        assert!(screen.contains("At risk · by score · all"), "{screen}");
        let ids = &c.app.panes.risk.list.ids;
        let scores: Vec<f64> = ids
            .iter()
            .map(|id| c.app.panes.risk.row(*id).unwrap().score)
            .collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "by score");
        // The detail lists the factors, the most impactful one marked.
        assert!(screen.contains('▶'), "{screen}");
        let top = c.app.panes.risk.row(ids[0]).unwrap();
        let name: String = top.name.chars().take(10).collect();
        assert!(screen.contains(&name), "{name} missing:\n{screen}");
        assert!(
            screen.contains(&format!("risk {:.0} {}", top.score, top.band.as_str())),
            "{screen}"
        );
    }
}

fn the_risk_pane_sorts_and_filters(engine: Engine) {
    let mut c = demo_console(engine, 300, "bjorn", (120, 35), Palette::Indexed);
    open_risk_pane(&mut c);
    let all = c.app.panes.risk.list.ids.len();
    c.keys(&[press(KeyCode::Char('b'))]);
    let high = c.app.panes.risk.list.ids.clone();
    assert!(!high.is_empty() && high.len() < all);
    assert!(
        high.iter()
            .all(|id| c.app.panes.risk.row(*id).unwrap().band.as_str() == "high")
    );
    assert!(c.screen().contains("high band"));
    c.keys(&[
        press(KeyCode::Char('b')),
        press(KeyCode::Char('b')),
        press(KeyCode::Char('b')),
    ]);
    assert_eq!(c.app.panes.risk.list.ids.len(), all, "back to every band");

    c.keys(&[press(KeyCode::Char('s'))]);
    assert!(c.screen().contains("by MRR at stake"));
    let stakes: Vec<i64> = c
        .app
        .panes
        .risk
        .list
        .ids
        .iter()
        .map(|id| c.app.panes.risk.row(*id).unwrap().at_stake_cents())
        .collect();
    assert!(stakes.windows(2).all(|w| w[0] >= w[1]));

    c.keys(&[press(KeyCode::Char('m'))]);
    let mine = &c.app.panes.risk.list.ids;
    assert!(!mine.is_empty());
    assert!(
        mine.iter()
            .all(|id| c.app.panes.risk.row(*id).unwrap().owner.as_deref() == Some("bjorn"))
    );
    c.keys(&[press(KeyCode::Char('m')), press(KeyCode::Char('t'))]);
    assert!(
        c.app.panes.risk.list.ids.iter().all(|id| c
            .app
            .panes
            .risk
            .row(*id)
            .unwrap()
            .stage
            .as_str()
            == "early")
    );
    assert!(c.screen().contains("early"));
}

fn snoozing_takes_an_account_out_until_its_day_and_assigning_changes_the_owner(engine: Engine) {
    let mut c = demo_console(engine, 300, "carmen", (120, 35), Palette::Indexed);
    open_risk_pane(&mut c);
    let first = c.app.selected_id().unwrap();
    c.keys(&[press(KeyCode::Char('z'))]);
    c.text("on holiday until December");
    c.keys(&[press(KeyCode::Enter)]);
    assert!(
        !c.app.panes.risk.list.ids.contains(&first),
        "snoozed accounts leave the view"
    );
    assert!(
        c.screen().contains("snoozed until 2026-11-29"),
        "{}",
        c.screen()
    );
    let snoozes = c.store.snoozes(today()).unwrap();
    assert_eq!(snoozes[&first].reason, "on holiday until December");

    let second = c.app.selected_id().unwrap();
    c.keys(&[press(KeyCode::Char('a'))]);
    c.text("gwen");
    c.keys(&[press(KeyCode::Enter)]);
    assert_eq!(
        c.app.panes.risk.row(second).unwrap().owner.as_deref(),
        Some("gwen")
    );
    let row = c.store.account_rows(&[second]).unwrap().remove(0);
    assert_eq!(row.owner.as_deref(), Some("gwen"));

    // Nonsense is refused with a word of help, and nothing is written.
    c.keys(&[press(KeyCode::Char(':'))]);
    c.text("snooze someday");
    c.keys(&[press(KeyCode::Enter)]);
    assert!(c.screen().contains("is not a day"), "{}", c.screen());
    c.keys(&[press(KeyCode::Char(':'))]);
    c.text("assign nobody-here");
    c.keys(&[press(KeyCode::Enter)]);
    assert!(c.screen().contains("not an active rep"), "{}", c.screen());
}

fn after_a_call_only_that_account_is_scored_again(engine: Engine) {
    let mut c = demo_console(engine, 300, "carmen", (120, 35), Palette::Indexed);
    open_risk_pane(&mut c);
    let id = c.app.selected_id().unwrap();
    c.keys(&[press(KeyCode::Char('l'))]);
    c.text("Talked them through the new plan");
    let save = c.act(Action::Key(ctrl('s')));
    let logged = c
        .responder
        .respond(save[0].clone(), chrono::Utc::now())
        .unwrap();
    let after = c.act(Action::Db(logged));
    assert!(
        after.contains(&Request::Risk(RiskRequest::One { account_id: id })),
        "{after:?}"
    );
    assert!(
        !after.iter().any(|r| matches!(
            r,
            Request::Load {
                load: Load::Risk,
                ..
            }
        )),
        "not every account"
    );
    c.serve(after);
    let detail = c.app.panes.risk.detail.as_ref().unwrap();
    assert_eq!(detail.0, id);
}

fn the_risk_pane_lists_what_changed_since_yesterday(engine: Engine) {
    // Enough accounts for the demo's last day to change some scores by 10 or more.
    let mut c = demo_console(engine, 2000, "bjorn", (120, 35), Palette::Indexed);
    open_risk_pane(&mut c);
    c.keys(&[press(KeyCode::Char('c'))]);
    let screen = c.screen();
    assert!(screen.contains("changes since yesterday"), "{screen}");
    let ids = c.app.panes.risk.list.ids.clone();
    assert!(!ids.is_empty(), "the demo's last day changed something");
    assert!(
        ids.iter()
            .all(|id| c.app.panes.risk.row(*id).unwrap().change.is_some())
    );
    assert!(screen.contains("since yesterday:"), "{screen}");
    // Moving through the list rescoring each account keeps what changed.
    c.keys(&[press(KeyCode::Char('j')), press(KeyCode::Char('j'))]);
    assert_eq!(c.app.panes.risk.list.ids.len(), ids.len());
    c.keys(&[press(KeyCode::Char('c'))]);
    assert!(
        c.app.panes.risk.list.ids.len() > ids.len(),
        "c again shows everything"
    );
}

fn open_checkins_pane(c: &mut Console) {
    c.keys(&[press(KeyCode::Char('3'))]);
    assert!(c.app.panes.checkins.loaded);
}

fn the_checkins_pane_lists_the_most_overdue_first_whatever_the_stage(engine: Engine) {
    for size in [(80, 24), (120, 35)] {
        let mut c = demo_console(engine, 300, "bjorn", size, Palette::Indexed);
        open_checkins_pane(&mut c);
        let screen = c.screen();
        assert!(
            screen.contains("Check-ins · due this week · all"),
            "{screen}"
        );
        let rows: Vec<_> = c
            .app
            .panes
            .checkins
            .list
            .ids
            .iter()
            .map(|id| c.app.panes.checkins.row(*id).unwrap().clone())
            .collect();
        assert!(!rows.is_empty());
        assert!(
            rows.windows(2)
                .all(|w| (w[0].due_date, w[0].stage) <= (w[1].due_date, w[1].stage))
        );
        assert!(
            rows.iter()
                .all(|r| r.due_date <= "2026-11-29".parse().unwrap())
        );
        assert!(
            screen.contains(" d late") || screen.contains("today"),
            "{screen}"
        );
        // The detail shows the selected check-in's account.
        let account = c.app.selected_id().unwrap();
        assert_eq!(
            c.app.card.shown.as_ref().map(|k| k.row.account_id),
            Some(account)
        );
    }
}

fn the_checkins_pane_filters_by_window_stage_and_owner(engine: Engine) {
    let mut c = demo_console(engine, 300, "bjorn", (120, 35), Palette::Indexed);
    open_checkins_pane(&mut c);
    c.keys(&[press(KeyCode::Char('w'))]);
    assert!(c.screen().contains("overdue"));
    let today: chrono::NaiveDate = TODAY.parse().unwrap();
    assert!(c.app.panes.checkins.rows.iter().all(|r| r.due_date < today));
    c.keys(&[press(KeyCode::Char('t'))]);
    assert!(
        c.app
            .panes
            .checkins
            .rows
            .iter()
            .all(|r| r.stage.as_str() == "early")
    );
    c.keys(&[
        press(KeyCode::Char('t')),
        press(KeyCode::Char('t')),
        press(KeyCode::Char('t')),
    ]);
    c.keys(&[press(KeyCode::Char('m'))]);
    assert!(!c.app.panes.checkins.rows.is_empty());
    assert!(
        c.app
            .panes
            .checkins
            .rows
            .iter()
            .all(|r| r.owner.as_deref() == Some("bjorn"))
    );
    c.keys(&[press(KeyCode::Char('m')), press(KeyCode::Char(':'))]);
    c.text("owner gwen");
    c.keys(&[press(KeyCode::Enter)]);
    assert!(c.screen().contains("owner gwen"), "{}", c.screen());
    assert!(!c.app.panes.checkins.rows.is_empty());
    assert!(
        c.app
            .panes
            .checkins
            .rows
            .iter()
            .all(|r| r.owner.as_deref() == Some("gwen"))
    );
}

fn completing_a_checkin_logs_it_with_the_stage_agenda_and_schedules_the_next(engine: Engine) {
    let mut c = demo_console(engine, 300, "carmen", (120, 35), Palette::Indexed);
    open_checkins_pane(&mut c);
    let first = c.app.selected_checkin().unwrap().clone();
    c.keys(&[press(KeyCode::Char('d'))]);
    let form = c.app.form.as_ref().unwrap();
    assert_eq!(retain::tui::app::FORM_KINDS[form.kind].as_str(), "check-in");
    let agenda = retain::domain::checkins::agenda(first.stage);
    assert!(form.note.text().contains(agenda), "{}", form.note.text());
    c.keys(&[ctrl('s')]);
    assert!(c.app.form.is_none());
    assert!(
        !c.app
            .panes
            .checkins
            .rows
            .iter()
            .any(|r| r.checkin_id == first.checkin_id),
        "the completed check-in left the list"
    );
    let done = query_i64(
        &*c.db,
        &format!(
            "SELECT count(*) FROM checkins WHERE id = {} AND done_at IS NOT NULL",
            first.checkin_id
        ),
    );
    assert_eq!(done, 1);
    let next = query_i64(
        &*c.db,
        &format!(
            "SELECT count(*) FROM checkins WHERE account_id = {} AND done_at IS NULL",
            first.account_id
        ),
    );
    assert!(next >= 1, "the next one is scheduled");
}

fn a_checkin_can_be_put_off_and_a_lead_sees_who_is_behind(engine: Engine) {
    let mut c = demo_console(engine, 300, "carmen", (120, 35), Palette::Indexed);
    open_checkins_pane(&mut c);
    let first = c.app.selected_checkin().unwrap().checkin_id;
    c.keys(&[press(KeyCode::Char('z'))]);
    c.text("customer asked to talk after the holidays");
    c.keys(&[press(KeyCode::Enter)]);
    assert!(
        !c.app
            .panes
            .checkins
            .rows
            .iter()
            .any(|r| r.checkin_id == first)
    );
    assert!(
        c.screen().contains("put off until 2026-11-29"),
        "{}",
        c.screen()
    );
    // A rep sees their list; a lead (bjorn, in the demo's team) sees who is behind too.
    assert!(!c.screen().contains("Overdue by rep"));
    let mut lead = demo_console(engine, 300, "bjorn", (120, 35), Palette::Indexed);
    assert_eq!(
        lead.app.identity.rep.as_ref().map(|(_, r)| r.as_str()),
        Some("lead")
    );
    open_checkins_pane(&mut lead);
    let screen = lead.screen();
    assert!(screen.contains("Overdue by rep"), "{screen}");
    let (top, n) = lead.app.panes.checkins.overdue_by_owner(today())[0].clone();
    assert!(screen.contains(&format!("{top} {n}")), "{screen}");
}

fn another_reps_commit_reloads_what_is_shown_keeping_the_cursor(engine: Engine) {
    let mut c = demo_console(engine, 300, "carmen", (120, 35), Palette::Indexed);
    c.text("jjj");
    let selected = c.app.selected_id().unwrap();
    assert!(
        !c.responder.changed_elsewhere(),
        "nothing changed since the console started"
    );
    // Another process gives the account above the cursor away and renames the selected one.
    let above = c.app.panes.queue.list.ids[2];
    c.db.execute(
        &format!("UPDATE accounts SET owner_rep_id = NULL WHERE id = {above}"),
        &[],
    );
    c.db.execute(
        &format!("UPDATE accounts SET name = 'Renamed Elsewhere Ltd' WHERE id = {selected}"),
        &[],
    );
    c.hear_change();
    assert!(
        !c.app.panes.queue.list.ids.contains(&above),
        "no longer carmen's"
    );
    assert_eq!(
        c.app.selected_id(),
        Some(selected),
        "the cursor stayed on its account"
    );
    let screen = c.screen();
    assert!(screen.contains("Renamed Elsewhere Ltd"), "{screen}");
    assert!(
        !c.responder.changed_elsewhere(),
        "our own reads change nothing"
    );
}

#[test]
fn panes_load_at_start_and_an_answer_read_before_a_change_is_read_again() {
    let mut c = console("carmen", (120, 35), Palette::Indexed);
    let asks_payments = |requests: &[Request]| {
        requests.iter().any(|r| {
            matches!(
                r,
                Request::Load {
                    load: Load::Payments,
                    ..
                }
            )
        })
    };
    // Loaded at start: switching to the pane is a redraw.
    let switch = c.act(Action::Key(press(KeyCode::Char('4'))));
    assert!(!asks_payments(&switch), "{switch:?}");
    c.serve(switch);
    // Two changes in a row; the first reload is answered after the second change.
    let first = c.act(Action::Db(Response::Changed));
    let second = c.act(Action::Db(Response::Changed));
    assert!(asks_payments(&first) && asks_payments(&second));
    c.serve(first);
    c.text("1");
    let back = c.act(Action::Key(press(KeyCode::Char('4'))));
    assert!(
        asks_payments(&back),
        "read before the last change: {back:?}"
    );
    c.serve(back);
    c.serve(second);
    c.text("1");
    let again = c.act(Action::Key(press(KeyCode::Char('4'))));
    assert!(!asks_payments(&again), "current: {again:?}");
}

fn stored_escapes_and_invisible_characters_never_reach_a_cell(engine: Engine) {
    let db = std::rc::Rc::new(TestDb::demo(engine, 300));
    let hostile = "\u{1b}]0;T\u{7}\u{1b}[2J\u{9b}2J\u{7f}\u{202e}\u{200b}\u{e0041}";
    for sql in [
        "UPDATE accounts SET name = name || ?1, notes = 'see ' || ?1",
        "UPDATE contacts SET name = name || ?1, email = email || ?1",
        "UPDATE interactions SET summary = summary || ?1, body = body || ?1",
        "UPDATE failed_payments SET last_decline_code = 'x' || ?1",
        "UPDATE checkins SET kind = kind || ?1",
    ] {
        db.execute(sql, &[hostile]);
    }
    let mut c = console_of(&db, "carmen", (120, 35), Palette::Indexed);
    let clean = |c: &Console, at: &str| {
        let buffer = c.buffer();
        for cell in buffer.content() {
            let s = cell.symbol();
            assert!(
                !s.chars().any(
                    |ch| ch.is_control() || matches!(ch, '\u{202e}' | '\u{200b}' | '\u{e0041}')
                ),
                "{at}: a cell holds {s:?}:\n{}",
                c.screen()
            );
        }
    };
    clean(&c, "the queue");
    for pane in ["2", "3", "4", "5", "1"] {
        c.text(pane);
        clean(&c, &format!("pane {pane}"));
        c.keys(&[press(KeyCode::Enter)]);
        clean(&c, &format!("the card from pane {pane}"));
        c.keys(&[press(KeyCode::Esc)]);
    }
    c.text("/");
    c.text("a");
    clean(&c, "the lookup");
}

fn a_note_saved_while_the_file_is_busy_leaves_no_draft_behind(engine: Engine) {
    let mut c = demo_console(engine, 300, "carmen", (80, 24), Palette::Indexed);
    c.keys(&[press(KeyCode::Char('l'))]);
    let account_id = c.app.form.as_ref().unwrap().account_id;
    c.text("Saved while another writer held the file");
    // Ctrl-s asks for the save; the answer is slow to come (another writer holds the lock).
    let save = c.act(Action::Key(ctrl('s')));
    assert!(
        save.iter()
            .any(|r| matches!(r, Request::Note(NoteRequest::Log { .. }))),
        "{save:?}"
    );
    // A key typed meanwhile is refused, and said so: it would not be in what is saved.
    c.act(Action::Key(press(KeyCode::Char('x'))));
    assert!(
        c.screen().contains("not typed: the note is being saved"),
        "{}",
        c.screen()
    );
    assert_eq!(
        c.app.form.as_ref().unwrap().note.text(),
        "Saved while another writer held the file"
    );
    // Meanwhile the ticks go on: no draft may be saved behind the note.
    c.app.now += std::time::Duration::from_secs(1);
    let ticked = c.act(Action::Tick);
    assert!(
        !ticked
            .iter()
            .any(|r| matches!(r, Request::Note(NoteRequest::SaveDraft { .. }))),
        "{ticked:?}"
    );
    c.serve(save);
    c.serve(ticked);
    assert!(c.app.form.is_none(), "the form stays open after the save");
    assert_eq!(c.store.draft("carmen", account_id).unwrap(), None);
    // Opening the form again restores nothing.
    c.keys(&[press(KeyCode::Char('l'))]);
    assert_eq!(c.app.form.as_ref().unwrap().note.text(), "");
}

#[test]
fn a_call_logged_into_a_deleted_file_is_kept_beside_it() {
    let state = temp_dir();
    // SAFETY: only this test reads the state folder, and nothing here reads the environment
    // from another thread at the moment it is set.
    unsafe { std::env::set_var("XDG_STATE_HOME", state.path()) };
    let mut c = console("carmen", (80, 24), Palette::Indexed);
    let db = c.file().to_path_buf();
    c.keys(&[press(KeyCode::Char('l'))]);
    c.text("Said she would renew if SSO lands");
    std::fs::remove_file(&db).unwrap();
    c.keys(&[ctrl('s')]);
    let form = c
        .app
        .form
        .as_ref()
        .expect("the form stays open with the text");
    assert_eq!(form.note.text(), "Said she would renew if SSO lands");
    let error = form.error.clone().unwrap_or_default();
    assert!(
        error.contains("deleted or replaced") && error.contains("kept in"),
        "{error}"
    );
    let kept: Vec<_> = std::fs::read_dir(state.path().join("retain/unsaved"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(kept.len(), 1);
    let text = std::fs::read_to_string(kept[0].path()).unwrap();
    assert!(
        text.ends_with("\n\nSaid she would renew if SSO lands"),
        "{text}"
    );
    assert!(text.starts_with("call on account"), "{text}");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        kept[0].metadata().unwrap().permissions().mode() & 0o777,
        0o600
    );
    // Typed on and saved again: the longer text takes the kept file's place, one file still.
    c.text(", and asked for a quote");
    c.keys(&[ctrl('s')]);
    let kept: Vec<_> = std::fs::read_dir(state.path().join("retain/unsaved"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    let text = std::fs::read_to_string(kept[0].path()).unwrap();
    assert!(
        text.ends_with("\n\nSaid she would renew if SSO lands, and asked for a quote"),
        "{text}"
    );
    // And the console, closing, names that one file only.
    let named: Vec<_> = retain::files::kept_unsaved()
        .into_iter()
        .filter(|p| p.starts_with(state.path()))
        .collect();
    assert_eq!(named, vec![kept[0].path()]);
}

fn keys_typed_before_the_answer_choose_among_it_and_a_choice_survives_later_answers(
    engine: Engine,
) {
    // The demo has two Pinnacle accounts at least: `↓ Enter` in one burst opens the second.
    let mut c = demo_console(engine, 300, "carmen", (80, 24), Palette::Indexed);
    c.act(Action::Key(press(KeyCode::Char('/'))));
    let mut pending = Vec::new();
    for ch in "pinnacle".chars() {
        pending.extend(c.act(Action::Key(press(KeyCode::Char(ch)))));
    }
    pending.extend(c.act(Action::Key(press(KeyCode::Down))));
    pending.extend(c.act(Action::Key(press(KeyCode::Enter))));
    c.serve(pending);
    assert_eq!(c.app.view, View::Card, "{}", c.screen());
    let opened = c.app.card.wanted.unwrap();
    // The same query answered and looked at: the second row is the one that opened.
    c.act(Action::Key(press(KeyCode::Char('/'))));
    let asked = c.act(Action::Key(press(KeyCode::Char('p'))));
    let mut pending = asked;
    for ch in "innacle".chars() {
        pending.extend(c.act(Action::Key(press(KeyCode::Char(ch)))));
    }
    c.serve(pending);
    let Overlay::Search(s) = &c.app.overlay else {
        panic!("the lookup is open")
    };
    assert!(s.hits.len() >= 2, "the demo has two Pinnacle accounts");
    assert_eq!(s.hits[1].hit.account_id, opened);

    // A choice made on one answer stays on its account when a later answer reorders.
    c.keys(&[press(KeyCode::Down)]);
    let Overlay::Search(s) = &c.app.overlay else {
        panic!()
    };
    let chosen = s.hits[1].hit.account_id;
    let mut reordered = s.hits.clone();
    reordered.swap(0, 1);
    let query = s.answered.clone();
    c.act(Action::Db(Response::Search {
        query,
        hits: reordered,
        indexing: false,
    }));
    let Overlay::Search(s) = &c.app.overlay else {
        panic!()
    };
    assert_eq!(s.hits[s.cursor].hit.account_id, chosen);
}

fn account_notes_being_edited_at_a_hang_up_are_kept_as_a_draft_note(engine: Engine) {
    let mut c = demo_console(engine, 300, "carmen", (120, 35), Palette::Indexed);
    c.keys(&[press(KeyCode::Enter)]);
    let account_id = c.app.card.wanted.unwrap();
    c.text("e");
    c.text("Budget signed off by the CFO");
    let requests = c.act(Action::Shutdown);
    assert!(
        requests.iter().any(|r| matches!(r,
            Request::Note(NoteRequest::KeepInDraft { account_id: a, text }) if *a == account_id
                && text.ends_with("Budget signed off by the CFO"))),
        "{requests:?}"
    );
    c.serve(requests);
    let (draft, _) = c.store.draft("carmen", account_id).unwrap().unwrap();
    assert_eq!(draft.kind, "note");
}

fn a_prompt_missing_its_reason_stays_open_and_says_what_is_missing(engine: Engine) {
    let mut c = demo_console(engine, 300, "carmen", (120, 35), Palette::Indexed);
    open_risk_pane(&mut c);
    let account = c.app.selected_id().unwrap();
    c.keys(&[press(KeyCode::Char('z'))]);
    assert!(matches!(c.app.overlay, Overlay::Prompt(_)));
    c.keys(&[press(KeyCode::Enter)]);
    let screen = c.screen();
    let footer = screen.lines().last().unwrap();
    assert!(
        footer.starts_with(":snooze +7d ") && footer.contains("say why, after the day"),
        "{screen}"
    );
    c.text("on holiday");
    c.keys(&[press(KeyCode::Enter)]);
    assert!(matches!(c.app.overlay, Overlay::None));
    let snoozed = c.db.query_i64(
        &format!(
            "SELECT count(*) FROM risk_snoozes WHERE account_id = {account} AND reason = 'on holiday'"
        ),
        &[],
    );
    assert_eq!(snoozed, 1);
}

fn the_metrics_pane_and_retain_report_recovery_count_the_same_window(engine: Engine) {
    let mut c = demo_console(engine, 300, "carmen", (120, 35), Palette::Indexed);
    c.keys(&[press(KeyCode::Char('5'))]);
    let shown = c
        .app
        .panes
        .metrics
        .data
        .as_ref()
        .expect("the metrics loaded");
    let cli: serde_json::Value =
        serde_json::from_str(&ok(run(&*c.db, &["report", "recovery", "--json"]))).unwrap();
    assert_eq!(cli["since"], shown.recovery.since.to_string(), "{cli}");
    assert_eq!(cli["until"], shown.recovery.until.to_string(), "{cli}");
    let totals = |v: &serde_json::Value| -> Vec<(String, i64, i64)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["currency"].as_str().unwrap().to_string(),
                    c["total"]["failed_cents"].as_i64().unwrap(),
                    c["total"]["recovered_cents"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(
        totals(&serde_json::to_value(&shown.recovery.currencies).unwrap()),
        totals(&cli["currencies"])
    );
}

#[test]
fn help_too_long_for_the_screen_says_how_much_is_below() {
    let mut c = console("carmen", (80, 24), Palette::Indexed);
    c.keys(&[press(KeyCode::Char('2')), press(KeyCode::Char('?'))]);
    let screen = c.screen();
    assert!(screen.contains("more below · j/k scroll"), "{screen}");
    // Scrolled to its end, nothing is said.
    for _ in 0..60 {
        c.keys(&[press(KeyCode::Char('j'))]);
    }
    let screen = c.screen();
    assert!(!screen.contains("more below"), "{screen}");
    assert!(screen.contains("keys.toml"), "{screen}");
    // It stops at its end: one k brings a line back, however often j was pressed past it.
    c.keys(&[press(KeyCode::Char('k'))]);
    let screen = c.screen();
    assert!(screen.contains("1 more below"), "{screen}");
    let mut wide = console("carmen", (120, 35), Palette::Indexed);
    wide.keys(&[press(KeyCode::Char('?'))]);
    assert!(!wide.screen().contains("more below"), "{}", wide.screen());
}

#[test]
fn an_owner_given_from_the_list_shows_at_once_in_the_detail_beside_it() {
    let mut c = console("carmen", (120, 35), Palette::Indexed);
    let id = c.app.selected_id().unwrap();
    assert_eq!(c.app.card.shown.as_ref().unwrap().row.account_id, id);
    c.keys(&[press(KeyCode::Char('a'))]);
    c.text("gwen");
    c.keys(&[press(KeyCode::Enter)]);
    let shown = c.app.card.shown.as_ref().unwrap();
    assert_eq!(shown.row.account_id, id);
    assert_eq!(
        shown.row.owner.as_deref(),
        Some("gwen"),
        "the detail was read again"
    );
}

/// The at-risk pane's scoring lost (the server away when it was asked) is asked again when
/// the console hears the database again, not left saying "scoring every account…".
#[test]
fn a_scoring_lost_with_the_server_is_asked_again_once_it_is_back() {
    let mut c = console("carmen", (120, 35), Palette::Indexed);
    let lost = c.act(Action::Key(press(KeyCode::Char('2'))));
    assert!(
        lost.iter().any(|r| matches!(r, Request::Load { .. })),
        "{lost:?}"
    );
    c.act(Action::Db(Response::Failed(
        "the server is out of reach; reconnecting…".into(),
    )));
    assert!(c.screen().contains("scoring every account…"));
    // Back: the worker hears of the change it missed.
    let again = c.act(Action::Db(Response::Changed));
    assert!(
        again.iter().any(|r| matches!(r, Request::Load { .. })),
        "{again:?}"
    );
    c.serve(again);
    assert!(c.app.panes.risk.loaded);
    assert!(
        !c.screen().contains("scoring every account…"),
        "{}",
        c.screen()
    );
}
