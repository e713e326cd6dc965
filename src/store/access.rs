//! Who may write: checked inside every write transaction, so that the console, the command line,
//! imports and hook runs all pass the same rule, and a rep deactivated a second ago is refused
//! on the next write, not at the next start.
//!
//! A file with no reps yet is being set up: whoever may write the file may fill it and add the
//! first reps. Once it has reps, a write needs an active rep of the role the write asks for;
//! `--as` (acting for another rep) needs the OS user behind it to be an active admin.

use super::sql;
use super::sql::{Tx, params};

/// The rep a process acts as, and the operating system's user behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Who {
    pub login: String,
    pub os_user: String,
}

pub(crate) use crate::domain::access::Need;

/// Why a write was refused, said to the person who tried it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// `Ok(Err(..))` when `who` may not make a write that needs `need` on the open transaction's file.
pub fn check(tx: &Tx<'_>, who: Option<&Who>, need: Need) -> sql::Result<Result<(), Refused>> {
    // One question, not three: on a server each is a round trip inside the write.
    let (has_reps, real, acting): (bool, Option<String>, Option<String>) = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM reps),
                (SELECT role FROM reps WHERE login = ?1 AND active = 1),
                (SELECT role FROM reps WHERE login = ?2 AND active = 1)",
        params![
            who.map(|w| w.os_user.as_str()),
            who.map(|w| w.login.as_str())
        ],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    if !has_reps {
        return Ok(Ok(()));
    }
    let Some(who) = who else {
        return Ok(Err(Refused(
            "this connection does not say who is writing, so it may only read".into(),
        )));
    };
    if who.login != who.os_user && real.as_deref() != Some("admin") {
        return Ok(Err(Refused(format!(
            "acting as {} (--as) is for admins, and {} is not an active admin",
            who.login, who.os_user
        ))));
    }
    // An admin acting for a rep writes as that rep; the team's own changes are the admin's.
    let (login, role) = match need {
        Need::Admin => (&who.os_user, real),
        Need::Rep | Need::Lead => (&who.login, acting),
    };
    Ok(match role {
        Some(role) if need.allows(&role) => Ok(()),
        Some(role) => Err(Refused(format!(
            "only {} may make this change, and {login} is a {role}",
            need.wants()
        ))),
        None => Err(Refused(format!(
            "{login} is not an active rep, so it may read but not write (an admin adds reps with `retain reps add`)"
        ))),
    })
}
