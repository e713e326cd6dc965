//! Who is at the keyboard: the login the console acts as, the OS user behind it, and what the
//! database says of them.

use crate::store::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The rep login the console acts as: the OS user, or an admin's `--as LOGIN`.
    pub login: String,
    /// The operating system's user, as the audit log records it.
    pub os_user: String,
    /// (display name, role) when `login` is an active rep. Without it the console is read-only.
    pub rep: Option<(String, String)>,
    /// The rep owns an active account.
    pub has_book: bool,
    /// The database lets this person read only (a file they may not write; on a server, a role
    /// that is not one of the writers): a rep's console then reads and writes nothing.
    pub read_only: bool,
}

impl Identity {
    /// Who `login` is in the database, at the keyboard of OS user `os_user`.
    pub fn read(store: &Store, login: &str, os_user: &str) -> Result<Identity, StoreError> {
        Ok(Identity {
            login: login.to_string(),
            os_user: os_user.to_string(),
            rep: store.rep(login)?,
            has_book: store.has_book(login)?,
            read_only: store.is_read_only(),
        })
    }

    /// Whether the console may offer writes: a rep's, on a database they may write.
    pub fn writes(&self) -> bool {
        self.rep.is_some() && !self.read_only
    }

    /// A rep (not a lead or admin) with a book of their own: the team's panes start on it.
    pub fn opens_on_mine(&self) -> bool {
        self.has_book && self.rep.as_ref().is_some_and(|(_, role)| role == "rep")
    }

    /// The login whose accounts are "mine": none for someone who is not a rep.
    pub fn me(&self) -> Option<&str> {
        self.rep.as_ref().map(|_| self.login.as_str())
    }
}
