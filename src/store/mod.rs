//! The store: the only code that speaks SQL. Everything else calls its typed functions.

mod accounts;
mod audit;
mod billing;
mod card;
mod checkins;
mod codec;
mod dunning;
mod error;
mod interactions;
mod load;
pub mod migrations;
mod open;
mod payments;
mod reps;
mod risk;
mod summary;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, Transaction, TransactionBehavior};

pub use accounts::{AccountList, AccountRow};
pub use billing::BillingCounts;
pub use card::{AccountCard, ContactRow, EventKind, OpenPayment, TimelineEntry};
pub use checkins::{CheckinFilter, CheckinRow, ScheduleCounts};
pub use codec::{day, instant, parse_day, parse_instant};
pub use dunning::{Actor, AttemptResult, NewAttempt, PaymentState};
pub use error::StoreError;
pub use interactions::Draft;
pub use load::LoadCounts;
pub use open::{APPLICATION_ID, BUSY_TIMEOUT, Create};
pub use payments::{ExpiringCard, PaymentRow};
pub use reps::Rep;
pub use risk::{RiskSubject, Snooze, StoredScore};
pub use summary::{CodeCount, MoneyByCurrency, Summary};

pub struct Store {
    conn: Connection,
    path: PathBuf,
    read_only: bool,
}

impl Store {
    /// Opens (and if allowed creates) the database at `path`, upgrading its schema if it is older
    /// than this build's.
    pub fn open(path: &Path, create: Create) -> Result<Store, StoreError> {
        let opened = open::open(path, create)?;
        Ok(Store {
            conn: opened.conn,
            path: path.to_path_buf(),
            read_only: opened.read_only,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True when this user cannot write the file.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| self.fail(e))
    }

    /// Runs `work` in one write transaction. It starts with BEGIN IMMEDIATE: taking the write
    /// lock up front means a busy database is waited for (the busy timeout), where a deferred
    /// transaction that reads first and writes later fails at once with "database is locked".
    fn write<T>(
        &mut self,
        work: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        if self.read_only {
            return Err(StoreError::ReadOnly {
                path: self.path.clone(),
                detail: "this user may not write the file".into(),
            });
        }
        let path = &self.path;
        let fail = |e| StoreError::from_sqlite(path, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        let value = work(&tx).map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(value)
    }

    fn fail(&self, e: rusqlite::Error) -> StoreError {
        StoreError::from_sqlite(&self.path, e)
    }
}
