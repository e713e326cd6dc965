//! retain: a keyboard-driven terminal console for customer-success reps fighting churn.
//!
//! Layers, from the inside out: `domain` (pure rules), `store` (the only SQL), `demo` (the demo
//! data set), `cli` (the command line).

pub mod cli;
pub mod config;
pub mod demo;
pub mod display;
pub mod domain;
pub mod files;
pub mod ingest;
pub mod my_queue;
pub mod payments;
pub mod scoring;
pub mod store;
pub mod tui;
