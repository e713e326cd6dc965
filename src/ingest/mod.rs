//! Reading what other systems export. Each reader turns a file into plain domain records, or
//! into one error that names the file, the place in it and the field at fault; the store then
//! applies the records in one transaction, so a bad file changes nothing.

pub mod columns;
pub mod csv_rows;
pub mod spreadsheet;
pub mod stripe;

use std::fmt;
use std::path::{Path, PathBuf};

pub use crate::domain::text::{code_word, plain_text};

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
