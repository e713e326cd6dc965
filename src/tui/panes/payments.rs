//! The payments pane: the retry queues in the order reps work them, the recovery figures above,
//! the selected payment in full below; a rep retries, pauses, writes off and writes to the
//! customer from here.

use chrono::{DateTime, NaiveDate, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::keyed::Keyed;
use super::{ListState, PaneModule, Seen};
use crate::display::{fit, truncate};
use crate::domain::money;
use crate::domain::recovery::{RecoveryReport, WonBy};
use crate::services::payments::{QUEUE_ORDER, QueueItem};
use crate::tui::app::{App, Overlay};
use crate::tui::keymap::{Command, Context};
use crate::tui::overlays::confirm::Confirm;
use crate::tui::then::Then;
use crate::tui::views::{caption_line, detail_box, list_status, mrr_short, safe, visible_rows};
use crate::tui::worker::{Load, PaneData, PaymentAction, PaymentRequest, Request};

/// Lines under the payments list for the selected payment.
pub const DETAIL_HEIGHT: u16 = 6;

#[derive(Debug, Clone, Default)]
pub struct PaymentsState {
    /// By `key`.
    pub items: Keyed<QueueItem>,
    pub loaded: bool,
    /// The one queue shown, `None` for all of them in order.
    pub queue: Option<&'static str>,
    pub mine: bool,
    pub report: Option<Box<RecoveryReport>>,
    pub list: ListState,
}

/// A list key for an item: its payment, or for an expiring card (no payment) its account,
/// negated so that the two never meet.
pub fn key(item: &QueueItem) -> i64 {
    item.payment_id.unwrap_or(-item.account_id)
}

impl PaymentsState {
    /// An empty pane, on the rep's own accounts or the team's.
    pub fn starting_on(mine: bool) -> PaymentsState {
        PaymentsState {
            mine,
            ..PaymentsState::default()
        }
    }

    pub fn set(&mut self, items: Vec<QueueItem>, report: Option<Box<RecoveryReport>>) {
        self.items = Keyed::new(items, key);
        self.report = report;
        self.loaded = true;
    }

    pub fn item(&self, key: i64) -> Option<&QueueItem> {
        self.items.get(key)
    }

    fn shown(&self, item: &QueueItem, me: Option<&str>) -> bool {
        self.queue.is_none_or(|q| item.queue == q) && self.owner_shown(item, me)
    }

    /// With "mine" on, only the rep's own accounts.
    fn owner_shown(&self, item: &QueueItem, me: Option<&str>) -> bool {
        !self.mine || me.is_some_and(|me| item.owner.as_deref() == Some(me))
    }

    /// The keys of the items shown, in queue order.
    pub fn visible(&self, me: Option<&str>) -> Vec<i64> {
        self.items
            .iter()
            .filter(|i| self.shown(i, me))
            .map(key)
            .collect()
    }

    /// How many items each queue holds (with the owner filter), in queue order.
    pub fn counts(&self, me: Option<&str>) -> Vec<(&'static str, usize)> {
        QUEUE_ORDER
            .iter()
            .map(|q| {
                let n = self
                    .items
                    .iter()
                    .filter(|i| i.queue == *q && self.owner_shown(i, me))
                    .count();
                (*q, n)
            })
            .collect()
    }

    /// All queues, then each in order, then all again.
    pub fn cycle_queue(&mut self, forward: bool) {
        let at = self
            .queue
            .and_then(|q| QUEUE_ORDER.iter().position(|x| *x == q));
        let n = QUEUE_ORDER.len();
        self.queue = match (at, forward) {
            (None, true) => Some(QUEUE_ORDER[0]),
            (None, false) => Some(QUEUE_ORDER[n - 1]),
            (Some(i), true) if i + 1 < n => Some(QUEUE_ORDER[i + 1]),
            (Some(i), false) if i > 0 => Some(QUEUE_ORDER[i - 1]),
            _ => None,
        };
    }
}

impl PaymentsState {
    /// The list anew, after a filter changed or new items came.
    fn relist(&mut self, me: Option<&str>) -> Then {
        let ids = self.visible(me);
        self.list.replace(ids);
        self.list.loaded = self.loaded;
        Then::Relisted { anew: false }
    }

    /// The line under the cursor.
    pub fn selected(&self) -> Option<&QueueItem> {
        self.list.selected().and_then(|key| self.item(key))
    }

    /// An action on the payment under the cursor (an expiring card has no payment to act on).
    pub fn act(&self, action: PaymentAction) -> Then {
        match self.selected().map(|i| (i.payment_id, i.account_id)) {
            Some((Some(payment_id), account_id)) => {
                Then::Ask(Request::Payment(PaymentRequest::Act {
                    payment_id,
                    account_id,
                    action,
                }))
            }
            Some((None, _)) => {
                Then::info("no payment has failed here yet: o sends a card-update reminder")
            }
            None => Then::error(NO_PAYMENT),
        }
    }

    /// Asks before an action on the selected payment that cannot be taken back.
    pub fn confirm(&self, action: PaymentAction, no_payment: &str) -> Then {
        let Some(item) = self.selected() else {
            return Then::error(NO_PAYMENT);
        };
        let (Some(payment_id), Some(amount)) = (item.payment_id, item.amount_cents) else {
            return Then::error(no_payment);
        };
        Then::Show(Overlay::Confirm(Confirm::Payment {
            payment_id,
            account_id: item.account_id,
            action,
            what: format!(
                "{} from {}",
                money::format(amount, &item.currency),
                item.name
            ),
        }))
    }
}

/// Said when a payment's command comes with no payment under the cursor.
pub const NO_PAYMENT: &str = "select a payment in the payments pane (4)";

impl PaneModule for PaymentsState {
    fn list(&self) -> &ListState {
        &self.list
    }

    fn list_mut(&mut self) -> &mut ListState {
        &mut self.list
    }

    fn context(&self, _: &Seen<'_>) -> Context {
        Context::Payments
    }

    fn load(&self, _: &Seen<'_>) -> Load {
        Load::Payments
    }

    fn command(&mut self, command: Command, seen: &Seen<'_>) -> Then {
        match command {
            Command::NextQueue | Command::PrevQueue => {
                self.cycle_queue(command == Command::NextQueue);
                self.relist(seen.me)
            }
            Command::Mine => {
                self.mine = !self.mine;
                self.relist(seen.me)
            }
            // It charges the customer at once: asked first.
            Command::CardUpdated => self.confirm(
                PaymentAction::CardUpdated,
                "an expiring card has no payment to retry: o sends a reminder",
            ),
            Command::RecordResult => Then::Prompt("result ".into()),
            Command::Pause => Then::Prompt("pause +7d ".into()),
            Command::WriteOff => Then::Prompt("writeoff ".into()),
            Command::Outreach => self.selected().map_or(Then::Nothing, |item| {
                Then::Ask(Request::Payment(PaymentRequest::Letter {
                    item: Box::new(item.clone()),
                }))
            }),
            _ => Then::Pass,
        }
    }

    fn answer(&mut self, data: PaneData, seen: &Seen<'_>) -> Then {
        let PaneData::Payments { items, report } = data else {
            return Then::Nothing;
        };
        self.set(items, report);
        self.relist(seen.me)
    }

    fn render(&self, frame: &mut Frame<'_>, app: &App, area: Rect) {
        let [list_area, detail_area] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(DETAIL_HEIGHT)]).areas(area);
        self.render_list(frame, app, list_area);
        let inner = detail_box(frame, app, detail_area);
        self.render_detail(frame, app, inner);
    }

    fn account_of(&self, key: i64) -> Option<i64> {
        self.item(key).map(|i| i.account_id)
    }

    fn name_of(&self, account_id: i64) -> Option<String> {
        self.items
            .iter()
            .find(|i| i.account_id == account_id)
            .map(|i| i.name.clone())
    }

    fn reserved_rows(&self) -> u16 {
        5 + DETAIL_HEIGHT + 1
    }
}

/// What a queue is called on screen.
pub fn queue_label(queue: &str) -> &'static str {
    match queue {
        "due" => "retry now",
        "new-card" => "new card",
        "customer-action" => "customer acts",
        "do-not-retry" => "no retry",
        "expiring" => "expiring",
        "exhausted" => "exhausted",
        "scheduled" => "later",
        "paused" => "paused",
        "recovered" => "recovered",
        _ => "other",
    }
}

/// How the pane is drawn.
impl PaymentsState {
    fn render_list(&self, frame: &mut Frame<'_>, app: &App, area: Rect) {
        let t = &app.theme;
        let s = self;
        let w = usize::from(area.width);
        let mut caption = format!(
            "Payments · {} · {}",
            s.queue.map_or("all queues", queue_label),
            if s.mine { "mine" } else { "all" }
        );
        if let Some(r) = &s.report {
            caption.push_str(&format!(" · {}", headline(r)));
        }
        let mut lines = vec![caption_line(app, &caption, w)];
        lines.push(self.strip(app, w));

        let show_queue = s.queue.is_none();
        let wide = w >= 110;
        let mid = w >= 90;
        // The leading blank, amount, decline, tries, next retry; then the optional columns.
        let code_w = if mid { 20 } else { 14 };
        let mut fixed = 1 + 12 + code_w + 1 + 6 + 12;
        if show_queue {
            fixed += 15;
        }
        if mid {
            fixed += 5;
        }
        if wide {
            fixed += 12 + 10;
        }
        let name_w = w.saturating_sub(fixed).max(10);
        let cell = |queue: &str, name: &str, amount: &str, code: &str, tries: &str, next: &str| {
            let mut text = String::from(" ");
            if show_queue {
                text.push_str(&fit(queue, 14));
                text.push(' ');
            }
            text.push_str(&fit(name, name_w));
            text.push_str(&format!(
                " {amount:>11} {} {tries:>5} {next:<11}",
                fit(code, code_w)
            ));
            text
        };
        let mut head = cell(
            "Queue",
            "Account",
            "Amount",
            "Decline",
            "Tries",
            "Next retry",
        );
        if mid {
            head.push_str(&format!(" {:>4}", "Days"));
        }
        if wide {
            head.push_str(&format!(" {:>11} {:<9}", "MRR", "Reached"));
        }
        lines.push(Line::styled(fit(&head, w), t.muted()));
        lines.extend(list_status(app, s.loaded, "nothing in this queue"));
        let now = app.wall_now;
        for (selected, key) in visible_rows(app) {
            let Some(item) = s.item(key) else { continue };
            let amount = item
                .amount_cents
                .map_or(String::new(), |a| mrr_short(a, &item.currency));
            let code = match (&item.decline_code, &item.card_expires) {
                (Some(code), _) if item.unknown_code => format!("{code} (?)"),
                (Some(code), _) => code.clone(),
                (None, Some(exp)) => format!("ends {exp}"),
                (None, None) => String::new(),
            };
            let tries = match item.payment_id {
                Some(_) => format!("{}/{}", item.attempts, item.attempts_cap),
                None => String::new(),
            };
            let mut text = cell(
                queue_label(item.queue),
                &safe(&item.name),
                &truncate(&amount, 11),
                &code,
                &tries,
                &next_retry(item, now),
            );
            if mid {
                let days = item
                    .days_in_dunning
                    .map_or(String::new(), |d| d.to_string());
                text.push_str(&format!(" {days:>4}"));
            }
            if wide {
                text.push_str(&format!(
                    " {:>11} {:<9}",
                    truncate(&mrr_short(item.mrr_cents, &item.currency), 11),
                    reached(item.last_outreach_at, app.today)
                ));
            }
            let style = if selected {
                t.selected()
            } else {
                match item.queue {
                    "due" | "do-not-retry" | "exhausted" => t.warn(),
                    "recovered" => t.ok(),
                    "scheduled" | "paused" => t.muted(),
                    _ => t.base(),
                }
            };
            lines.push(Line::styled(fit(&text, w), style));
        }
        frame.render_widget(Paragraph::new(lines), area);
    }

    /// Every queue with its count, the one shown marked.
    fn strip(&self, app: &App, w: usize) -> Line<'static> {
        let t = &app.theme;
        let me = app.identity.me();
        let mut spans = vec![Span::styled(" f ", t.key())];
        for (queue, n) in self.counts(me) {
            let label = format!("{} {n}", queue_label(queue));
            let style = if self.queue == Some(queue) {
                t.tab_active()
            } else if n == 0 {
                t.muted()
            } else {
                t.base()
            };
            spans.push(Span::styled(label, style));
            spans.push(Span::styled(" · ", t.muted()));
        }
        spans.pop();
        let line = Line::from(spans);
        // Too long for the terminal: shown cut rather than wrapped into the list.
        if line.width() > w {
            let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
            return Line::styled(fit(&text, w), t.base());
        }
        line
    }

    /// The selected payment in full: what went wrong in plain words, where it stands, what to do.
    fn render_detail(&self, frame: &mut Frame<'_>, app: &App, area: Rect) {
        let t = &app.theme;
        let w = usize::from(area.width);
        let Some(item) = self.selected() else {
            let text = match &self.report {
                Some(r) => won_by(r),
                None => String::new(),
            };
            frame.render_widget(Paragraph::new(Line::styled(text, t.muted())), area);
            return;
        };
        let mut lines = Vec::new();
        let owner = item.owner.as_deref().map_or("team".into(), safe);
        let amount = item
            .amount_cents
            .map(|a| money::format(a, &item.currency))
            .unwrap_or_default();
        let facts = format!(
            "  {amount} · MRR {} · owner {owner}",
            mrr_short(item.mrr_cents, &item.currency)
        );
        let name = safe(&item.name);
        let name_w =
            crate::display::width(&name).min(w.saturating_sub(crate::display::width(&facts)));
        lines.push(Line::from(vec![
            Span::styled(truncate(&name, name_w.max(w / 3)).into_owned(), t.title()),
            Span::styled(facts, t.base()),
        ]));
        match (&item.decline_code, item.meaning) {
            (Some(code), Some(meaning)) => {
                let mut text = format!("{code}: {meaning}");
                if item.unknown_code {
                    text.push_str(
                        " · unknown code, treated as ambiguous: classify it in payments.toml",
                    );
                }
                lines.push(Line::styled(fit(&text, w), t.base()));
            }
            _ => lines.push(Line::styled(
                fit(
                    &format!(
                        "card on file expires at the end of {}: send a card-update reminder (o)",
                        item.card_expires.as_deref().unwrap_or("?")
                    ),
                    w,
                ),
                t.base(),
            )),
        }
        if item.payment_id.is_some() {
            let mut status = Vec::new();
            if let Some(first) = item.first_failed_at {
                status.push(format!("first failed {}", first.format("%Y-%m-%d")));
            }
            if let Some(d) = item.days_in_dunning {
                status.push(format!("{d} d in dunning"));
            }
            status.push(format!(
                "attempt {} of {}",
                item.attempts, item.attempts_cap
            ));
            match (&item.why, item.next_retry_at) {
                _ if item.held_since.is_some() => {}
                (Some(why), _) => status.push(why.clone()),
                (None, Some(at)) => {
                    status.push(format!("next retry {}", at.format("%Y-%m-%d %H:%M")))
                }
                (None, None) => {}
            }
            status.push(format!(
                "reached {}",
                reached(item.last_outreach_at, app.today)
            ));
            lines.push(Line::styled(fit(&status.join(" · "), w), t.muted()));
            if let Some(since) = item.held_since {
                let long = format!(
                    "HELD since {}: the billing hook never answered and may have charged: check billing, then r to record",
                    since.format("%Y-%m-%d %H:%M")
                );
                let short =
                    "HELD: the hook never answered, may have charged: check billing, then r";
                let text = if crate::display::width(&long) <= w {
                    long
                } else {
                    short.to_string()
                };
                lines.push(Line::styled(fit(&text, w), t.warn()));
            }
        }
        let keys: &[(&str, &str)] = if item.payment_id.is_some() {
            &[
                ("u", "card updated"),
                ("r", "result"),
                ("o", "outreach"),
                ("p", "pause"),
                ("W", "write off"),
                ("Enter", "account"),
            ]
        } else {
            &[("o", "card-update reminder"), ("Enter", "account")]
        };
        let mut spans = Vec::new();
        for (key, what) in keys {
            spans.push(Span::styled(*key, t.key()));
            spans.push(Span::styled(format!(" {what}  "), t.muted()));
        }
        lines.push(Line::from(spans));
        frame.render_widget(Paragraph::new(lines), area);
    }
}

/// The recovery figures of the largest currency, in a phrase for the caption.
fn headline(r: &RecoveryReport) -> String {
    let mut parts = Vec::new();
    if let Some(c) = r.currencies.first() {
        if let Some(rate) = c.total.recovery_rate {
            parts.push(format!(
                "recovered {:.0}% of {} since {}",
                rate * 100.0,
                mrr_short(c.total.failed_cents, &c.currency),
                r.since.format("%b %Y")
            ));
        }
        if let Some(d) = c.median_days_to_recover {
            parts.push(format!("median {d:.0} d"));
        }
    }
    let churn = &r.involuntary_churn;
    if churn.accounts > 0 {
        let mrr: Vec<String> = churn
            .mrr_cents
            .iter()
            .map(|(cur, cents)| mrr_short(*cents, cur))
            .collect();
        parts.push(format!(
            "involuntary churn {} ({} MRR)",
            churn.accounts,
            mrr.join(" + ")
        ));
    }
    parts.join(" · ")
}

fn next_retry(item: &QueueItem, now: DateTime<Utc>) -> String {
    match (item.next_retry_at, item.queue) {
        (Some(at), _) if at <= now => "now".into(),
        (Some(at), _) => at.format("%m-%d %H:%M").to_string(),
        (None, "new-card") => "new card".into(),
        (None, "customer-action") => "customer".into(),
        (None, "do-not-retry") => "never".into(),
        (None, "paused") => "paused".into(),
        _ => "—".into(),
    }
}

fn reached(at: Option<DateTime<Utc>>, today: NaiveDate) -> String {
    match at.map(|t| (today - t.date_naive()).num_days()) {
        None => "never".into(),
        Some(d) if d <= 0 => "today".into(),
        Some(d) => format!("{d} d ago"),
    }
}

/// How recovered money was won, for the detail box when nothing is selected.
fn won_by(r: &RecoveryReport) -> String {
    let Some(c) = r.currencies.first() else {
        return "no payment failed in the last six months".into();
    };
    let get = |how| c.recovered_by.get(&how).copied().unwrap_or(0);
    format!(
        "won back since {}: {} by retries, {} after the customer updated the card",
        r.since,
        mrr_short(get(WonBy::Retry), &c.currency),
        mrr_short(get(WonBy::CardUpdate), &c.currency)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(payment: Option<i64>, account: i64, queue: &'static str, owner: &str) -> QueueItem {
        QueueItem {
            payment_id: payment,
            account_id: account,
            name: format!("Account {account}"),
            owner: Some(owner.into()),
            amount_cents: payment.map(|_| 9900),
            currency: "USD".into(),
            decline_code: payment.map(|_| "expired_card".into()),
            class: payment.map(|_| "new-card"),
            unknown_code: false,
            meaning: payment.map(|_| "the card details need updating"),
            attempts: 1,
            attempts_cap: 8,
            next_retry_at: None,
            first_failed_at: None,
            days_in_dunning: Some(3),
            mrr_cents: 9900,
            last_outreach_at: None,
            card_expires: Some("2026-11".into()),
            why: None,
            held_since: None,
            queue,
        }
    }

    #[test]
    fn a_payment_and_an_expiring_card_of_one_account_are_two_lines() {
        let mut s = PaymentsState::default();
        s.set(
            vec![
                item(Some(7), 7, "new-card", "ana"),
                item(None, 7, "expiring", "ana"),
            ],
            None,
        );
        assert_eq!(s.visible(None), [7, -7]);
        assert_eq!(s.item(-7).unwrap().queue, "expiring");
    }

    #[test]
    fn queues_cycle_through_all_and_filter_with_the_owner() {
        let mut s = PaymentsState::default();
        s.set(
            vec![
                item(Some(1), 1, "due", "ana"),
                item(Some(2), 2, "new-card", "bo"),
            ],
            None,
        );
        s.cycle_queue(true);
        assert_eq!(s.queue, Some("due"));
        assert_eq!(s.visible(None), [1]);
        s.cycle_queue(false);
        assert_eq!(s.queue, None);
        s.cycle_queue(false);
        assert_eq!(s.queue, Some("recovered"));
        s.queue = None;
        s.mine = true;
        assert_eq!(s.visible(Some("bo")), [2]);
        assert_eq!(s.counts(Some("bo"))[1], ("new-card", 1));
    }
}
