//! Reading what other systems export. Each reader turns a file into plain domain records, or
//! into one error that names the file, the place in it and the field at fault; the store then
//! applies the records in one transaction, so a bad file changes nothing.

pub mod columns;
pub mod csv_rows;
pub mod spreadsheet;
pub mod stripe;

use std::fmt;
use std::path::{Path, PathBuf};

/// `text` if it holds no control character but tabs and line ends: a NUL or an escape in a name
/// is never data, and would break or drive what shows it.
pub fn plain_text(text: &str) -> Result<&str, String> {
    match text
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        Some(c) => Err(format!(
            "text without control characters (it holds U+{:04X})",
            u32::from(c)
        )),
        None => Ok(text),
    }
}

/// A decline or advice code as processors write them: a lower-case word of letters, digits and
/// `_` (`insufficient_funds`, `do_not_honor`), at most 64 long.
pub fn code_word(code: &str) -> Result<String, String> {
    let code = code.trim().to_ascii_lowercase();
    if !code.is_empty()
        && code.len() <= 64
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        Ok(code)
    } else {
        Err(format!(
            "{:?} is not a code: lower-case letters, digits and _ only",
            crate::display::truncate(&code, 40)
        ))
    }
}

/// A file that cannot be imported, and exactly where it goes wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub file: PathBuf,
    /// "line 12", "item 3", "line 4, column 9".
    pub location: String,
    /// The field at fault ("data.object.amount"), empty when it is the item itself.
    pub field: String,
    pub message: String,
}

impl ImportError {
    pub fn at(file: &Path, location: &str, field: &str, message: String) -> ImportError {
        ImportError {
            file: file.to_path_buf(),
            location: location.to_string(),
            field: field.to_string(),
            message,
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.location)?;
        if self.field.is_empty() {
            write!(f, " {}", self.message)
        } else {
            write!(f, ": {}: {}", self.field, self.message)
        }
    }
}

impl std::error::Error for ImportError {}
