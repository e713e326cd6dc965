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

/// The retry policy: the defaults with `payments.toml` over them. The file's mail settings
/// are not read here: a mistake in them stops only sending.
pub fn retry_policy() -> Result<RetryPolicy> {
    match read("payments.toml")? {
        None => Ok(RetryPolicy::default()),
        Some((path, text)) => policy_in(&path, &text),
    }
}

/// The retry policy of `payments.toml`'s text, its mail lines left out.
fn policy_in(path: &std::path::Path, text: &str) -> Result<RetryPolicy> {
    let (policy_text, _) = split_mail(text);
    RetryPolicy::from_toml(&policy_text)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("{} is not a valid retry policy", path.display()))
}

/// How outreach emails leave this machine, from `payments.toml`: the command that sends a
/// message given on its standard input (`mail_command = "sendmail -t -i"`), whom it comes
/// from, and the link a letter gives for updating the card.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mail {
    pub command: Option<String>,
    pub from: Option<String>,
    pub update_link: Option<String>,
}

/// The keys of `payments.toml` that are the mail's, not the retry policy's.
const MAIL_KEYS: [&str; 3] = ["mail_command", "mail_from", "update_link"];

/// `payments.toml`: the retry policy, and the mail settings beside it.
pub fn payments() -> Result<(RetryPolicy, Mail)> {
    let Some((path, text)) = read("payments.toml")? else {
        return Ok((RetryPolicy::default(), Mail::default()));
    };
    let policy = policy_in(&path, &text)?;
    let (_, found) = split_mail(&text);
    let mut mail = Mail::default();
    for (key, line, value) in found {
        let value = match value {
            toml::Value::String(v) if !v.trim().is_empty() => v.trim().to_string(),
            _ => anyhow::bail!(
                "{}: line {line}: {key}: a string that is not empty",
                path.display()
            ),
        };
        crate::domain::text::plain_text(&value)
            .map_err(|why| anyhow::anyhow!("{}: line {line}: {key}: {why}", path.display()))?;
        match key {
            "mail_command" => mail.command = Some(value),
            "mail_from" => mail.from = Some(value),
            _ => mail.update_link = Some(value),
        }
    }
    Ok((policy, mail))
}

/// The file's text with its mail lines blanked (so that the retry policy's errors keep their
/// line numbers), and each mail key found: its name, line (from 1) and value.
fn split_mail(text: &str) -> (String, Vec<(&'static str, usize, toml::Value)>) {
    #[derive(serde::Deserialize)]
    struct Spans {
        mail_command: Option<toml::Spanned<toml::Value>>,
        mail_from: Option<toml::Spanned<toml::Value>>,
        update_link: Option<toml::Spanned<toml::Value>>,
    }
    // A file that does not parse is the retry policy's to report, with its line.
    let Ok(spans) = toml::from_str::<Spans>(text) else {
        return (text.to_string(), Vec::new());
    };
    let mut blanked = text.as_bytes().to_vec();
    let mut found = Vec::new();
    for (key, spanned) in
        MAIL_KEYS
            .into_iter()
            .zip([spans.mail_command, spans.mail_from, spans.update_link])
    {
        let Some(spanned) = spanned else { continue };
        let span = spanned.span();
        let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
        for b in &mut blanked[start..span.end] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
        let line = text[..span.start].matches('\n').count() + 1;
        found.push((key, line, spanned.into_inner()));
    }
    let blanked = String::from_utf8(blanked).unwrap_or_else(|_| text.to_string());
    (blanked, found)
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
    let ours_said = if language == "en" {
        format!("our {stem} letter")
    } else {
        format!("our {stem} letter, in English: the team has no outreach/{stem}.{language}.txt")
    };
    Ok((ours_said, ours))
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
