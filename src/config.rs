//! The user's configuration files: `~/.config/retain/` (or `$RETAIN_CONFIG_DIR`), one file per
//! concern. A file that is absent means the defaults; a file that is wrong is an error that
//! names it.

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::domain::outreach::{Situation, Template};
use crate::domain::phone::Country;
use crate::domain::retry::RetryPolicy;
use crate::domain::risk::RiskModel;

/// The folder of the configuration files.
pub fn dir() -> Option<PathBuf> {
    std::env::var_os("RETAIN_CONFIG_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| dirs::config_dir().map(|d| d.join("retain")))
}

pub fn file(name: &str) -> Option<PathBuf> {
    dir().map(|d| d.join(name))
}

/// A configuration file is a few lines; past this it is something else.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// The text of a configuration file, `None` when there is none. Only a regular file of at
/// most a megabyte is read: a FIFO would hang the console, `/dev/zero` fill the memory.
pub fn read(name: &str) -> Result<Option<(PathBuf, String)>> {
    use std::io::Read;
    let Some(path) = file(name) else {
        return Ok(None);
    };
    let meta = match std::fs::metadata(&path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    if !meta.is_file() {
        anyhow::bail!("{} is not a regular file", path.display());
    }
    let mut text = String::new();
    std::fs::File::open(&path)
        .and_then(|f| f.take(MAX_CONFIG_BYTES + 1).read_to_string(&mut text))
        .with_context(|| format!("cannot read {}", path.display()))?;
    if text.len() as u64 > MAX_CONFIG_BYTES {
        anyhow::bail!(
            "{} is larger than a configuration file can be ({} bytes at most)",
            path.display(),
            MAX_CONFIG_BYTES
        );
    }
    Ok(Some((path, text)))
}

/// The risk model: the defaults with `risk.toml` over them.
pub fn risk_model() -> Result<RiskModel> {
    match read("risk.toml")? {
        None => Ok(RiskModel::default()),
        Some((path, text)) => RiskModel::from_toml(&text)
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("{} is not a valid risk model", path.display())),
    }
}

/// The retry policy: the defaults with `payments.toml` over them.
pub fn retry_policy() -> Result<RetryPolicy> {
    Ok(payments()?.0)
}

/// How outreach emails leave this machine, from `payments.toml`: the command that sends a
/// message given on its standard input (`mail_command = "sendmail -t"`), whom it comes from,
/// and the link a letter gives for updating the card.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mail {
    pub command: Option<String>,
    pub from: Option<String>,
    pub update_link: Option<String>,
}

/// `payments.toml`: the retry policy, and the mail settings beside it.
pub fn payments() -> Result<(RetryPolicy, Mail)> {
    let Some((path, text)) = read("payments.toml")? else {
        return Ok((RetryPolicy::default(), Mail::default()));
    };
    let bad =
        |why: String| anyhow::anyhow!("{} is not a valid retry policy: {why}", path.display());
    let mut table: toml::Table = toml::from_str(&text).map_err(|e| bad(e.message().to_string()))?;
    let mut text_of = |key: &str| -> Result<Option<String>> {
        match table.remove(key) {
            None => Ok(None),
            Some(toml::Value::String(v)) if !v.trim().is_empty() => {
                crate::domain::text::plain_text(&v).map_err(|why| bad(format!("{key}: {why}")))?;
                Ok(Some(v.trim().to_string()))
            }
            Some(_) => Err(bad(format!("{key}: a string that is not empty"))),
        }
    };
    let mail = Mail {
        command: text_of("mail_command")?,
        from: text_of("mail_from")?,
        update_link: text_of("update_link")?,
    };
    let rest = toml::to_string(&table).map_err(|e| bad(e.to_string()))?;
    let policy = RetryPolicy::from_toml(&rest).map_err(bad)?;
    Ok((policy, mail))
}

/// The team's template for a letter in `language` (`outreach/new-card.de.txt`), else its
/// template in any language (`outreach/new-card.txt`), else ours; with where it came from.
pub fn outreach_template(situation: Situation, language: &str) -> Result<(String, Template)> {
    let stem = situation.stem();
    for name in [
        format!("outreach/{stem}.{language}.txt"),
        format!("outreach/{stem}.txt"),
    ] {
        if let Some((path, text)) = read(&name)? {
            let template =
                Template::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            return Ok((path.display().to_string(), template));
        }
    }
    let ours = Template::parse(situation.builtin()).expect("the built-in templates read");
    Ok((format!("built-in {stem} (English)"), ours))
}

/// The team's country (`team.toml`, `region = "GB"`): how phone numbers written without a
/// country code are read, at accounts with no country of their own. The US when unset.
pub fn team_country() -> Result<Country> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Team {
        region: Option<String>,
    }
    let Some((path, text)) = read("team.toml")? else {
        return Ok(Country::US);
    };
    let team: Team = toml::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.message()))?;
    match team.region {
        None => Ok(Country::US),
        Some(code) => Country::parse(&code).map_err(|why| {
            let code = crate::display::excerpt(&code);
            anyhow::anyhow!("{}: region {code} is not {why}", path.display())
        }),
    }
}
