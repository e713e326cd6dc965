//! Two reps editing one account's notes: the second save over a changed version is a conflict,
//! shown with both texts, and nothing typed is lost. From the shell and in the console.

mod common;

on_both_engines!(
    saving_over_a_changed_version_is_refused_and_shows_what_is_there,
    in_the_console_a_conflict_offers_keep_take_or_merge_and_loses_nothing,
    notes_kept_after_a_conflict_go_under_a_draft_already_there,
    notes_read_from_the_shell_keep_their_lines,
);

use common::console::*;
use common::engine::{Engine, TestDb};
use common::*;
use crossterm::event::KeyCode;
use retain::store::NotesSave;
use retain::tui::theme::Palette;

fn notes(db: &TestDb, account: &str) -> serde_json::Value {
    serde_json::from_str(&ok(run(db, &["notes", account, "--json"]))).unwrap()
}

fn saving_over_a_changed_version_is_refused_and_shows_what_is_there(engine: Engine) {
    let db = TestDb::demo(engine, 50);
    let read = notes(&db, "1");
    let version = read["version"].to_string();
    // Two reps read version N; the first saves.
    ok(run(
        &db,
        &[
            "notes",
            "1",
            "--set",
            "Renewal: CFO wants a 2-year deal",
            "--version",
            &version,
        ],
    ));
    let before = dump(&db);
    let err = fails(run(
        &db,
        &[
            "notes",
            "1",
            "--set",
            "Champion left in May",
            "--version",
            &version,
        ],
    ));
    assert!(err.contains("changed since version"), "{err}");
    assert!(err.contains("CFO wants a 2-year deal"), "{err}");
    assert!(err.contains("not saved"), "{err}");
    assert_eq!(dump(&db), before, "nothing written");
    let now = notes(&db, "1");
    assert_eq!(now["notes"], "Renewal: CFO wants a 2-year deal");
    assert_eq!(now["version"], read["version"].as_i64().unwrap() + 1);
}

fn in_the_console_a_conflict_offers_keep_take_or_merge_and_loses_nothing(engine: Engine) {
    let mut c = demo_console(engine, 300, "carmen", (120, 35), Palette::Indexed);
    c.text("2");
    c.keys(&[press(KeyCode::Enter)]);
    let account = c.app.card.wanted.unwrap();
    c.text("e");
    c.text("Call the CFO before the renewal");
    // Meanwhile another rep saves (the demo's admin, acting as Dmitri).
    let mut other = store_as_me(&*c.db).acting_as("dmitri", &me());
    let (_, version) = other.notes(account).unwrap().unwrap();
    let saved = other
        .save_notes(
            account,
            version,
            "Budget frozen until Q2\nCFO on leave",
            "dmitri",
            now(),
        )
        .unwrap();
    assert!(matches!(saved, NotesSave::Saved { .. }));
    c.keys(&[ctrl('s')]);
    let screen = c.screen();
    assert!(screen.contains("changed while you typed"), "{screen}");
    assert!(screen.contains("Budget frozen until Q2"), "{screen}");
    // Their lines are lines, as they wrote them.
    assert!(screen.contains("│CFO on leave"), "{screen}");
    assert!(
        screen.contains("Call the CFO before the renewal"),
        "{screen}"
    );
    // Named as the team knows them, at the time of the rep's own clock.
    assert!(
        screen.contains("Saved by Dmitri Volkov at 2026-"),
        "{screen}"
    );
    // Merge: both texts; saved only once made one, then over their version.
    c.text("m");
    let (before, _) = other.notes(account).unwrap().unwrap();
    c.keys(&[ctrl('s')]);
    assert!(
        c.screen().contains("make the two texts one first"),
        "{}",
        c.screen()
    );
    assert_eq!(
        other.notes(account).unwrap().unwrap().0,
        before,
        "nothing saved"
    );
    if let retain::tui::app::Overlay::Notes(n) = &mut c.app.overlay {
        let one: String = n
            .editor
            .text()
            .lines()
            .filter(|l| !l.starts_with("--- yours"))
            .collect::<Vec<_>>()
            .join("\n");
        n.editor = retain::tui::editor::Editor::multi_line(&one);
    }
    c.keys(&[ctrl('s')]);
    let (text, _) = other.notes(account).unwrap().unwrap();
    assert!(!text.contains("--- yours"), "{text}");
    assert!(text.starts_with("Budget frozen until Q2"), "{text}");
    assert!(text.contains("Call the CFO before the renewal"), "{text}");
    assert!(c.screen().contains("notes saved"));

    // Again, and this time take theirs: what carmen typed waits as her draft note.
    c.text("e");
    c.text(" Mine again");
    let (_, version) = other.notes(account).unwrap().unwrap();
    other
        .save_notes(account, version, "Theirs wins", "dmitri", now())
        .unwrap();
    c.keys(&[ctrl('s')]);
    c.text("t");
    let (text, _) = other.notes(account).unwrap().unwrap();
    assert_eq!(text, "Theirs wins");
    let draft = other.draft("carmen", account).unwrap().unwrap().0;
    assert!(draft.body.ends_with("Mine again"), "{draft:?}");
}

/// A call half typed and left as a draft survives account notes kept in the draft after a
/// conflict: the notes go under it, never over it (taking theirs once replaced the call).
fn notes_kept_after_a_conflict_go_under_a_draft_already_there(engine: Engine) {
    let mut c = demo_console(engine, 300, "carmen", (120, 35), Palette::Indexed);
    c.keys(&[press(KeyCode::Enter)]);
    let account = c.app.card.wanted.unwrap();
    // A call typed, then left (Ctrl-c, y): its draft stays.
    c.text("l");
    c.text("IMPORTANT CALL NOTES typed earlier");
    c.keys(&[ctrl('c')]);
    c.text("y");
    let mut c = console_of(&c.db, "carmen", (120, 35), Palette::Indexed);
    c.keys(&[press(KeyCode::Enter)]);
    assert_eq!(c.app.card.wanted, Some(account));
    let mut other = store_as(&c.db, "dmitri");
    c.text("e");
    c.text(" notes edit");
    let (_, version) = other.notes(account).unwrap().unwrap();
    other
        .save_notes(account, version, "other person", "dmitri", now())
        .unwrap();
    c.keys(&[ctrl('s')]);
    c.text("t");
    c.poll();
    let (draft, _) = other.draft("carmen", account).unwrap().unwrap();
    assert_eq!(draft.kind, "call", "{draft:?}");
    assert!(
        draft.body.starts_with("IMPORTANT CALL NOTES typed earlier"),
        "{draft:?}"
    );
    assert!(draft.body.ends_with("notes edit"), "{draft:?}");
    // Kept once, however often it is asked (a hang-up after the conflict asks again).
    let mut carmen = store_as(&c.db, "carmen");
    let tail = draft.body.rsplit("\n\n").next().unwrap().to_string();
    carmen
        .keep_in_draft("carmen", account, &tail, now())
        .unwrap();
    let (again, _) = other.draft("carmen", account).unwrap().unwrap();
    assert_eq!(again.body, draft.body);
}

fn notes_read_from_the_shell_keep_their_lines(engine: Engine) {
    let db = TestDb::demo(engine, 50);
    let version = notes(&db, "1")["version"].to_string();
    let text = "Champion: Ana\nWants SSO before the renewal\n\tDo NOT call before 10am";
    ok(run(
        &db,
        &["notes", "1", "--set", text, "--version", &version],
    ));
    let out = ok(run(&db, &["notes", "1"]));
    assert!(out.contains(text), "{out}");
}
