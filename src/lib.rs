//! retain: a keyboard-driven terminal console for customer-success reps fighting churn.
//!
//! Layers, from the inside out, and what each may use:
//!
//! - `domain`: pure rules on plain data (scores, queues, retry schedules, phone numbers, text
//!   rules, letters' templates); no I/O, and none of the modules below.
//! - `store`: the only SQL, `schema.sql` its schema; checks who may write and what may be stored
//!   on every write. Uses `domain`.
//! - `ingest`: other systems' files (CSV, Stripe) into domain records. Uses `domain`.
//! - `config` (the user's configuration files), `files` (what retain writes outside the
//!   database), `hook` (a team's command, run contained), `display` (the one sanitiser every line
//!   for a person passes).
//! - `services`: the store's facts through the domain's rules, shared by both faces (scoring,
//!   payment queues and letters, a rep's queue, the lookup); `account_card` the call card's
//!   lines. They use the layers above.
//! - `demo`: the demo data set, loaded through the store.
//! - `tui` (the console) and `cli` (the command line): the faces; they use everything above and
//!   not each other (the `cli` starts the `tui`, and prints its keymap).

pub mod account_card;
pub mod cli;
pub mod config;
pub mod demo;
pub mod display;
pub mod domain;
pub mod files;
pub mod hook;
pub mod ingest;
pub mod services;
pub mod store;
pub mod tui;
