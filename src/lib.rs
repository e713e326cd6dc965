//! retain: a keyboard-driven terminal console for customer-success reps fighting churn.
//!
//! Layers, from the inside out: `domain` (pure rules, text rules among them), `store` (the only
//! SQL; it checks who may write and what may be stored on every write), `ingest` (other systems'
//! files into domain records), `files` (what retain writes outside the database), `display` (the
//! one sanitiser every line for a person passes), `demo` (the demo data set), `tui` (the console)
//! and `cli` (the command line).

pub mod account_card;
pub mod cli;
pub mod config;
pub mod demo;
pub mod display;
pub mod domain;
pub mod files;
pub mod hook;
pub mod ingest;
pub mod lookup;
pub mod my_queue;
pub mod outreach;
pub mod payments;
pub mod scoring;
pub mod store;
pub mod tui;
