//! Claims on accounts that have no owner: the team's shared work, held by one rep at a time.

use super::sql::{OptionalExtension, params};
use chrono::{DateTime, Duration, Utc};

use super::codec::{instant, read};
use super::{Store, StoreError};
use crate::domain::access::Write;

/// How long a claim lasts unless renewed or released.
pub const CLAIM_FOR: Duration = Duration::minutes(15);

/// What asking for a claim gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The account has an owner: nothing to claim.
    Owned,
    /// Held by this session until then.
    Mine { until: DateTime<Utc> },
    /// Another rep holds it until then.
    Held { by: String, until: DateTime<Utc> },
}

impl Store {
    /// Claims an account without an owner for `login`'s `session`, or renews the claim; an
    /// expired claim of anyone else's gives way.
    pub fn claim(
        &mut self,
        account_id: i64,
        login: &str,
        session: &str,
        now: DateTime<Utc>,
    ) -> Result<Claim, StoreError> {
        self.write(Write::Own, |tx| {
            let owned: bool = tx.query_row(
                "SELECT owner_rep_id IS NOT NULL FROM accounts WHERE id = ?1",
                [account_id],
                |r| r.get(0),
            )?;
            if owned {
                return Ok(Claim::Owned);
            }
            let held: Option<(String, DateTime<Utc>)> = tx
                .query_row(
                    "SELECT rep_login, expires_at FROM claims WHERE account_id = ?1",
                    [account_id],
                    |r| Ok((r.get("rep_login")?, read::instant(r, "expires_at")?)),
                )
                .optional()?;
            // The same rep's other console simply takes it over.
            if let Some((by, until)) = held
                && until > now
                && by != login
            {
                return Ok(Claim::Held { by, until });
            }
            let until = now + CLAIM_FOR;
            tx.execute(
                "INSERT INTO claims (account_id, rep_login, session, claimed_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (account_id) DO UPDATE SET rep_login = excluded.rep_login,
                     session = excluded.session, claimed_at = excluded.claimed_at,
                     expires_at = excluded.expires_at",
                params![account_id, login, session, instant(&now), instant(&until)],
            )?;
            Ok(Claim::Mine { until })
        })
    }

    /// Lets go of one account, if this session holds it.
    pub fn release_claim(&mut self, account_id: i64, session: &str) -> Result<(), StoreError> {
        self.write(Write::Own, |tx| {
            tx.execute(
                "DELETE FROM claims WHERE account_id = ?1 AND session = ?2",
                params![account_id, session],
            )?;
            Ok(())
        })
    }

    /// Lets go of everything a session holds: when the console closes. It does not wait for
    /// another writer (a console closing must close at once): a claim left behind lapses by
    /// itself at its `expires_at`.
    pub fn release_session(&mut self, session: &str) -> Result<Option<usize>, StoreError> {
        self.write_if_free(|tx| tx.execute("DELETE FROM claims WHERE session = ?1", [session]))
    }

    /// Who holds an account, and until when, if anyone still does at `now`.
    pub fn claim_on(
        &self,
        account_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<(String, DateTime<Utc>)>, StoreError> {
        self.conn
            .query_row(
                "SELECT rep_login, expires_at FROM claims WHERE account_id = ?1 AND expires_at > ?2",
                params![account_id, instant(&now)],
                |r| Ok((r.get("rep_login")?, read::instant(r, "expires_at")?)),
            )
            .optional()
            .map_err(|e| self.fail(e))
    }
}
