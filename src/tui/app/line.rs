//! The `:` command line: the words a rep types, each read here into what it does. What a word
//! may do (write or not) is the keymap's `LINE_WORDS`.

use super::{App, Pane, View, seen};
use crate::domain::dates;
use crate::store::AttemptResult;
use crate::tui::keymap::Command;
use crate::tui::panes::payments::{NO_PAYMENT, PaymentsState};
use crate::tui::then::Then;
use crate::tui::worker::{AccountRequest, PaymentAction, Request, RiskRequest};

impl App {
    /// A `:` command line.
    pub(super) fn run_line(&mut self, line: &str, effects: &mut Vec<Request>) {
        let line = line.trim();
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        let rest = rest.trim();
        if Command::of_word(word).is_some_and(Command::writes) && !self.may_write() {
            return;
        }
        let then = match word {
            "" => Then::Nothing,
            "q" | "quit" | "q!" if !rest.is_empty() => {
                Then::error(format!(":{word} takes nothing after it"))
            }
            "q" | "quit" | "q!" => return self.run_command(Command::Quit, effects),
            "acct" | "account" | "a" => {
                self.open_search(rest);
                Then::Ask(Request::Account(AccountRequest::Search {
                    query: rest.to_string(),
                }))
            }
            "log" => return self.open_form(effects),
            "help" => return self.run_command(Command::Help, effects),
            "assign" => self.assign(rest),
            "snooze" => self.snooze(rest),
            "result" => self.record_result(rest),
            "pause" => self.pause_dunning(rest),
            "resume" => return self.run_command(Command::Resume, effects),
            "writeoff" | "write-off" => self.confirm_write_off(rest),
            "owner" => return self.owner(rest, effects),
            _ => Then::error(format!(
                "unknown command :{word} (try :acct NAME, :log, :assign LOGIN, :snooze DAY REASON, :owner LOGIN, :result ok|CODE, :pause DAY REASON, :writeoff REASON, :help, :q)"
            )),
        };
        self.then(self.pane, then, effects);
    }

    /// A command that needs more than was typed: the line is offered again as it was, with
    /// what is missing said beside it, so that the rep types only that.
    fn ask_again(line: String, missing: &str) -> Then {
        Then::All(vec![Then::Prompt(line), Then::error(missing)])
    }

    /// `:assign LOGIN` (or `team`): gives the account to a rep.
    fn assign(&mut self, login: &str) -> Then {
        let Some(account_id) = self.target() else {
            return Then::error("no account selected");
        };
        if login.is_empty() {
            return Self::ask_again(
                "assign ".to_string(),
                "say to whom: a login (Tab completes) or team",
            );
        }
        let owner = (login != "team").then(|| login.to_string());
        self.retry_line = Some(format!("assign {login}"));
        Then::Ask(Request::Account(AccountRequest::Assign {
            account_id,
            owner,
        }))
    }

    /// A day after today, as `:snooze` and `:pause` take it.
    fn later_day(&self, day: &str, too_early: &str) -> Result<chrono::NaiveDate, String> {
        match dates::parse_day(day, self.today) {
            Ok(until) if until > self.today => Ok(until),
            Ok(_) => Err(too_early.to_string()),
            Err(e) => Err(e),
        }
    }

    /// `:snooze DAY REASON`: the pane's own row (a queue row, a check-in) out of the way until
    /// the day; elsewhere the account out of the at-risk view, unless its score jumps.
    fn snooze(&mut self, args: &str) -> Then {
        let Some(account_id) = self.target() else {
            return Then::error("no account selected");
        };
        let (day, reason) = args.split_once(' ').unwrap_or((args, ""));
        let until = match self.later_day(day, "snooze to a day after today") {
            Ok(until) => until,
            Err(why) => return Then::error(why),
        };
        let reason = reason.trim();
        if reason.is_empty() {
            return Self::ask_again(format!("snooze {} ", day.trim()), "say why, after the day");
        }
        let own = (self.view == View::List)
            .then(|| {
                self.panes
                    .get(self.pane)
                    .snooze(until, reason, &seen!(self))
            })
            .flatten();
        if let Some(request) = own {
            return Then::Ask(request);
        }
        let score = self.panes.risk.row(account_id).map_or(0.0, |r| r.score);
        Then::Ask(Request::Risk(RiskRequest::Snooze {
            account_id,
            until,
            reason: reason.to_string(),
            score,
        }))
    }

    /// What the payments pane makes of a payment's command, or why there is no payment.
    pub(super) fn on_payment(&self, act: impl FnOnce(&PaymentsState) -> Then) -> Then {
        if self.pane == Pane::Payments {
            act(&self.panes.payments)
        } else {
            Then::error(NO_PAYMENT)
        }
    }

    /// `:result ok` or `:result DECLINE_CODE`: the outcome of a retry made by hand.
    fn record_result(&mut self, args: &str) -> Then {
        if self.pane != Pane::Payments {
            return Then::error(NO_PAYMENT);
        }
        let result = match args.to_ascii_lowercase().as_str() {
            "" => {
                return Self::ask_again(
                    "result ".to_string(),
                    "say how it went: ok, or the decline code (Tab completes)",
                );
            }
            "ok" | "succeeded" | "success" | "paid" => AttemptResult::Succeeded,
            code => AttemptResult::Failed {
                decline_code: code.to_string(),
                advice_code: None,
            },
        };
        self.on_payment(|p| p.act(PaymentAction::Result(result)))
    }

    /// `:pause DAY REASON`: no retry and no reminder until the day.
    fn pause_dunning(&mut self, args: &str) -> Then {
        // Whether there is a payment to pause comes before how the day is written.
        if self.pane != Pane::Payments {
            return Then::error(NO_PAYMENT);
        }
        let (day, reason) = args.split_once(' ').unwrap_or((args, ""));
        let until = match self.later_day(day, "pause until a day after today") {
            Ok(until) => until,
            Err(why) => return Then::error(why),
        };
        if reason.trim().is_empty() {
            return Self::ask_again(format!("pause {} ", day.trim()), "say why, after the day");
        }
        let reason = reason.trim().to_string();
        self.on_payment(|p| p.act(PaymentAction::Pause { until, reason }))
    }

    /// `:writeoff REASON` asks before giving the payment up.
    fn confirm_write_off(&mut self, reason: &str) -> Then {
        if reason.is_empty() && self.selected_payment().is_some() {
            return Self::ask_again("writeoff ".to_string(), "say why it is given up");
        }
        let action = PaymentAction::WriteOff {
            reason: reason.to_string(),
        };
        self.on_payment(|p| p.confirm(action, "an expiring card has no payment to write off"))
    }

    /// `:owner LOGIN`: the check-ins pane's owner, or the at-risk pane's (where it goes
    /// otherwise).
    fn owner(&mut self, login: &str, effects: &mut Vec<Request>) {
        let owner = Some(login.to_string()).filter(|l| !l.is_empty());
        // A login that is no rep would show an empty list as if they had nothing: said instead,
        // and the line offered again (the logins are the active reps', read at start).
        if let Some(login) = owner.as_deref()
            && !self.logins.is_empty()
            && !self.logins.iter().any(|l| l == login)
        {
            let meant = crate::domain::text::nearest(login, self.logins.iter().map(String::as_str))
                .map(|m| format!(" (did you mean {m}?)"))
                .unwrap_or_default();
            let then = Self::ask_again(
                format!("owner {login}"),
                &format!("{login} is not an active rep{meant}"),
            );
            return self.then(self.pane, then, effects);
        }
        if self.pane == Pane::CheckIns {
            let then = self.panes.checkins.set_owner(owner);
            return self.then(Pane::CheckIns, then, effects);
        }
        if self.pane != Pane::AtRisk {
            self.switch_pane(Pane::AtRisk, effects);
        }
        let seen = seen!(self);
        let then = self.panes.risk.set_owner(owner, &seen);
        self.then(Pane::AtRisk, then, effects);
    }
}
