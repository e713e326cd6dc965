//! The pure domain: plain data in, plain data out. Nothing here reads a file, a clock or a
//! database, so every rule can be unit-tested with values written in the test.

pub mod access;
pub mod backtest;
pub mod billing;
pub mod checkins;
pub mod dates;
pub mod decline;
pub mod fold;
pub mod lifecycle;
pub mod metrics;
pub mod model;
pub mod money;
pub mod my_queue;
pub mod outreach;
pub mod phone;
pub mod recovery;
pub mod retry;
pub mod risk;
pub mod search;
pub mod text;
pub mod text_enum;
