//! Each pane's state, what it lists and how the rep filters it: one file a pane. (Their
//! commands, answers and views are still in `app.rs`, `worker.rs` and `views/`: see #19.)

pub mod checkins;
pub mod payments;
pub mod queue;
pub mod risk;
