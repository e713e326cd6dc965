//! Who may change what: the kinds of change a person makes to the team's file, and the role
//! each needs. One list, read by the console's keys and command line (a read-only console
//! refuses at once), by its database thread (it refuses whatever asks), and by the store,
//! which checks the role inside every write transaction, whichever door the change came by.

/// What a change asks of whoever makes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Any active rep.
    Rep,
    /// A lead or an admin.
    Lead,
    /// An admin.
    Admin,
}

impl Need {
    /// True when a rep of `role` may make a change that needs this.
    pub fn allows(self, role: &str) -> bool {
        match self {
            Need::Rep => matches!(role, "rep" | "lead" | "admin"),
            Need::Lead => matches!(role, "lead" | "admin"),
            Need::Admin => role == "admin",
        }
    }

    /// Who may, in words: "a lead or an admin".
    pub fn wants(self) -> &'static str {
        match self {
            Need::Rep => "a rep",
            Need::Lead => "a lead or an admin",
            Need::Admin => "an admin",
        }
    }
}

/// A kind of write to the file: what a person changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    /// An interaction logged: a call, a note, a letter sent, a check-in done.
    Log,
    /// An account's shared notes.
    Notes,
    /// Who owns an account.
    Assign,
    /// Something put off: an account's risk, a check-in, a row of a rep's queue.
    Snooze,
    /// A failed payment's course: a retry's result, a new card, a pause, a write-off, a hook's
    /// run.
    Payment,
    /// The day's check-ins brought in line with every account's stage.
    Schedule,
    /// What a rep keeps for themselves: drafts, claims on team accounts, the day's kept scores.
    Own,
    /// Accounts and their history brought in from a file, in bulk.
    Import,
    /// The team itself: reps added and deactivated.
    Team,
    /// A demo data set loaded.
    Demo,
}

impl Write {
    pub fn need(self) -> Need {
        match self {
            // Imports create and reassign accounts in bulk.
            Write::Import => Need::Lead,
            Write::Team | Write::Demo => Need::Admin,
            _ => Need::Rep,
        }
    }

    /// A change the other reps see; a rep's own (drafts, claims, kept scores) is not one.
    pub fn shared(self) -> bool {
        self != Write::Own
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_and_team_changes_need_more_than_a_rep() {
        assert!(Write::Log.need().allows("rep"));
        assert!(!Write::Import.need().allows("rep"));
        assert!(Write::Import.need().allows("lead"));
        assert!(!Write::Team.need().allows("lead"));
        assert!(Write::Demo.need().allows("admin"));
        assert!(!Write::Own.shared() && Write::Notes.shared());
    }
}
