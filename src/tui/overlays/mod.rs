//! What floats over the panes, each with its state: the lookup, the log form, the account
//! notes. (Their commands are still dispatched in `app.rs`: see #19.)

pub mod form;
pub mod notes;
pub mod search;
