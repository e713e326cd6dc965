//! The first pane's state for a rep: today's queue, one row per account.

use std::collections::{HashMap, HashSet};

use crate::domain::my_queue::Row;

#[derive(Debug, Clone, Default)]
pub struct MyQueueState {
    pub rows: Vec<Row>,
    index: HashMap<i64, usize>,
    pub loaded: bool,
}

impl MyQueueState {
    /// The queue anew. A row the rep touched today stays where it was rather than moving
    /// under the cursor (a kept promise re-ranks it; with nothing left to do it would drop to
    /// the end): the rep sees it marked and moves on from there. Touched rows the console had
    /// not listed go where the domain ranks them (the settled ones last).
    pub fn set(&mut self, rows: Vec<Row>) {
        let (mut in_place, mut listed): (Vec<Row>, Vec<Row>) = rows
            .into_iter()
            .partition(|r| r.touched_today && self.index.contains_key(&r.account_id));
        // Each goes back to the line it was on, less the lines above it that are gone (rows
        // that moved do not drag it along).
        let now: HashSet<i64> = listed
            .iter()
            .chain(&in_place)
            .map(|r| r.account_id)
            .collect();
        in_place.sort_by_key(|r| self.index[&r.account_id]);
        for row in in_place {
            let was = self.index[&row.account_id];
            let gone = self.rows[..was]
                .iter()
                .filter(|r| !now.contains(&r.account_id))
                .count();
            let at = (was - gone).min(listed.len());
            listed.insert(at, row);
        }
        self.index = listed
            .iter()
            .enumerate()
            .map(|(i, r)| (r.account_id, i))
            .collect();
        self.rows = listed;
        self.loaded = true;
    }

    pub fn row(&self, account_id: i64) -> Option<&Row> {
        self.index.get(&account_id).map(|&i| &self.rows[i])
    }

    pub fn ids(&self) -> Vec<i64> {
        self.rows.iter().map(|r| r.account_id).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(account_id: i64, settled: bool) -> Row {
        Row {
            account_id,
            name: format!("Account {account_id}"),
            mrr_cents: 100,
            currency: "USD".into(),
            urgency: if settled { u8::MAX } else { 1 },
            reasons: if settled {
                Vec::new()
            } else {
                vec![crate::domain::my_queue::Reason::Checkin {
                    kind: "adoption".into(),
                    due: "2026-11-22".parse().unwrap(),
                }]
            },
            touched_today: settled,
        }
    }

    #[test]
    fn a_row_settled_since_the_last_answer_keeps_its_place() {
        let mut q = MyQueueState::default();
        q.set(vec![
            row(1, false),
            row(2, false),
            row(3, false),
            row(9, true),
        ]);
        // 2 was logged on: the domain ranks it last now.
        q.set(vec![
            row(1, false),
            row(3, false),
            row(9, true),
            row(2, true),
        ]);
        assert_eq!(q.ids(), [1, 2, 3, 9]);
        // A settled row first seen in this answer goes where the domain put it.
        q.set(vec![
            row(3, false),
            row(9, true),
            row(2, true),
            row(5, true),
        ]);
        assert_eq!(
            q.ids(),
            [2, 3, 9, 5],
            "1 is gone; 2 and 9 keep their places"
        );
        // Rows that trade places, or come new, leave the settled rows on their lines.
        q.set(vec![
            row(7, false),
            row(3, false),
            row(9, true),
            row(2, true),
            row(5, true),
        ]);
        assert_eq!(q.ids(), [2, 7, 9, 5, 3]);
    }
}
