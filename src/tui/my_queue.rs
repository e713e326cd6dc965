//! The first pane's state for a rep: today's queue, one row per account.

use std::collections::HashMap;

use crate::domain::my_queue::Row;

#[derive(Debug, Clone, Default)]
pub struct MyQueueState {
    pub rows: Vec<Row>,
    index: HashMap<i64, usize>,
    pub loaded: bool,
}

impl MyQueueState {
    pub fn set(&mut self, rows: Vec<Row>) {
        self.index = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.account_id, i))
            .collect();
        self.rows = rows;
        self.loaded = true;
    }

    pub fn row(&self, account_id: i64) -> Option<&Row> {
        self.index.get(&account_id).map(|&i| &self.rows[i])
    }

    pub fn ids(&self) -> Vec<i64> {
        self.rows.iter().map(|r| r.account_id).collect()
    }
}
