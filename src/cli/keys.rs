//! `retain keys`: the console's keymap in force (the defaults with the rep's keys.toml), as
//! keys.toml writes it, so that a rep can start a keys.toml from it; `--json` for scripts.

use anyhow::{Result, bail};
use clap::Args;

use crate::tui::keymap::Keymap;

#[derive(Debug, Args)]
pub struct KeysArgs {
    /// Print JSON instead of TOML: one object per binding, `context`, `command`, `keys`, `help`
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &KeysArgs) -> Result<()> {
    let keymap = match crate::tui::load_keymap() {
        (map, None) => map,
        // The console starts on the defaults and says so; asked for the keys, the mistake is
        // the answer.
        (_, Some(why)) => bail!("{why}"),
    };
    if args.json {
        crate::say!("{}", serde_json::to_string_pretty(&as_json(&keymap))?);
    } else {
        crate::say!("{}", keymap.to_toml().trim_end());
    }
    Ok(())
}

fn as_json(keymap: &Keymap) -> serde_json::Value {
    let mut out: Vec<serde_json::Value> = Vec::new();
    for (context, command, keys, help) in keymap.bindings() {
        let (context, command) = (context.name(), command.name());
        match out
            .iter_mut()
            .find(|b| b["context"] == context && b["command"] == command)
        {
            Some(b) => b["keys"]
                .as_array_mut()
                .into_iter()
                .for_each(|k| k.push(keys.clone().into())),
            None => out.push(serde_json::json!({
                "context": context,
                "command": command,
                "keys": [keys],
                "help": help,
            })),
        }
    }
    serde_json::Value::Array(out)
}
