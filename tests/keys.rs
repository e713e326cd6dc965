//! `retain keys`: the keymap in force as keys.toml writes it, a rep's keys.toml applied, a
//! wrong one refused with where and what; and the README's key table checked against it, both
//! ways, so that the two never drift.

mod common;

use common::*;
use retain::tui::keymap::Key;
use std::collections::{BTreeMap, BTreeSet};

/// `retain keys` with `keys_toml` (if any) as the rep's keys.toml.
fn keys(keys_toml: Option<&str>, args: &[&str]) -> std::process::Output {
    let dir = temp_dir();
    let config = dir.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    if let Some(text) = keys_toml {
        std::fs::write(config.join("keys.toml"), text).unwrap();
    }
    let mut all = vec!["keys"];
    all.extend(args);
    run_with_config(&dir.path().join("none.db"), &config, &all)
}

/// context → command → its keys, each as `Key::spec` writes it.
fn read(toml_text: &str) -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
    let doc: toml::Table = toml_text.parse().expect("retain keys prints TOML");
    doc.into_iter()
        .map(|(context, commands)| {
            let commands = commands
                .as_table()
                .unwrap()
                .iter()
                .map(|(command, v)| {
                    let keys = v["keys"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|k| normal(k.as_str().unwrap()))
                        .collect();
                    (command.clone(), keys)
                })
                .collect();
            (context, commands)
        })
        .collect()
}

/// A key or a two-key sequence, written one way.
fn normal(keys: &str) -> String {
    keys.split_whitespace()
        .map(|k| Key::parse(k).unwrap_or_else(|e| panic!("{e}")).spec())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_keymap_prints_as_the_file_it_is_read_from_and_takes_a_reps_keys() {
    let printed = ok(keys(None, &[]));
    let source = include_str!("../src/tui/keys.toml");
    assert_eq!(read(&printed), read(source), "{printed}");
    // Every command has its help.
    let doc: toml::Table = printed.parse().unwrap();
    assert!(doc.values().all(|c| {
        c.as_table()
            .unwrap()
            .values()
            .all(|v| !v["help"].as_str().unwrap().is_empty())
    }));

    let mine = ok(keys(Some("[list]\ndown = [\"n\", \"down\"]\n"), &[]));
    let list = &read(&mine)["list"];
    assert_eq!(list["down"], ["n", "down"]);
    assert!(
        mine.contains("down = { keys = [\"n\", \"down\"], help = \"down\" }"),
        "{mine}"
    );

    let json: serde_json::Value = serde_json::from_str(&ok(keys(None, &["--json"]))).unwrap();
    let down = json
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["context"] == "list" && b["command"] == "down")
        .unwrap();
    assert_eq!(down["keys"], serde_json::json!(["j", "down"]));
    assert_eq!(down["help"], "down");
}

#[test]
fn a_wrong_keys_file_is_refused_with_where_and_what() {
    for (text, said) in [
        ("[lst]\ndown = \"j\"\n", "[lst] is not a context"),
        (
            "[list]\nfly = \"j\"\n",
            "list.fly is not a command of that context",
        ),
        ("[list]\ndown = \"jj jj jj\"\n", "list.down"),
        (
            "[list]\ndown = 3\n",
            "list.down: give a key or a list of keys",
        ),
        ("[list\n", "keys.toml"),
    ] {
        let out = keys(Some(text), &[]);
        assert!(!out.status.success(), "{text}");
        let err = stderr(&out);
        assert!(
            err.contains("keys.toml") && err.contains(said),
            "{text}: {err}"
        );
        assert!(stdout(&out).is_empty(), "{text}");
    }
}

/// The README's words for where a key works, and the keymap's contexts they name.
fn contexts_of(place: &str) -> &'static [&'static str] {
    match place.trim() {
        "anywhere" => &["global"],
        "list" | "lists" => &["list"],
        "card" => &["card"],
        "lookup" => &["search"],
        "overlays" => &["help", "entry", "letter"],
        "my queue" => &["queue"],
        "form" => &["form"],
        "at-risk pane" => &["risk"],
        "check-ins pane" => &["checkins"],
        "payments pane" => &["payments"],
        "letter" => &["letter"],
        // Editing keys are the text editor's, not the keymap's.
        "text fields" => &[],
        other => panic!("the README's key table names a place the test does not know: {other}"),
    }
}

/// The README's key table: each row's keys and the contexts its "where" names.
fn readme_rows() -> Vec<(Vec<String>, Vec<&'static str>, String)> {
    let readme = include_str!("../README.md");
    let start = readme
        .find("| key | where | what it does |")
        .expect("the key table");
    readme[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let (keys_cell, where_cell) = (cells[1], cells[2]);
            let mut keys: Vec<String> = Vec::new();
            let parts: Vec<&str> = keys_cell.split('`').collect();
            for (i, part) in parts.iter().enumerate() {
                if i % 2 == 1 {
                    keys.push(part.to_string());
                } else if part.trim() == "…" {
                    // `1`…`5`: every digit between.
                    let (from, to) = (parts[i - 1], parts[i + 1]);
                    for d in from.parse::<u8>().unwrap() + 1..to.parse::<u8>().unwrap() {
                        keys.push(d.to_string());
                    }
                }
            }
            let keys = keys
                .iter()
                .map(|k| match k.as_str() {
                    "↓" => "down".to_string(),
                    "↑" => "up".to_string(),
                    "←" => "left".to_string(),
                    "→" => "right".to_string(),
                    k => k.to_string(),
                })
                .map(|k| normal(&k))
                .collect();
            let contexts = where_cell
                .split(',')
                .flat_map(|p| contexts_of(p).iter().copied())
                .collect();
            (keys, contexts, line.to_string())
        })
        .collect()
}

#[test]
fn the_readmes_key_table_says_what_the_keymap_binds_and_nothing_else() {
    let map = read(&ok(keys(None, &[])));
    let own = |context: &str| -> BTreeSet<String> {
        map.get(context)
            .into_iter()
            .flat_map(|c| c.values().flatten().cloned())
            .collect()
    };
    // What works in a context: its own keys, the list's under a pane's list, the global ones.
    let works = |context: &str| -> BTreeSet<String> {
        let mut keys = own(context);
        if ["risk", "checkins", "payments", "queue"].contains(&context) {
            keys.extend(own("list"));
        }
        keys.extend(own("global"));
        keys
    };
    let rows = readme_rows();
    for (keys, contexts, line) in &rows {
        if contexts.is_empty() {
            continue;
        }
        for key in keys {
            assert!(
                contexts.iter().any(|c| works(c).contains(key)),
                "the README says `{key}` works in {contexts:?}, and the keymap binds it in none: {line}"
            );
        }
    }
    // Every key a rep has on the panes, the card and the letter is in the table.
    for context in [
        "global", "list", "risk", "checkins", "payments", "queue", "card", "letter",
    ] {
        for key in own(context) {
            assert!(
                rows.iter()
                    .any(|(keys, contexts, _)| contexts.contains(&context) && keys.contains(&key)),
                "`{key}` of [{context}] is missing from the README's key table"
            );
        }
    }
}
