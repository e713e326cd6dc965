//! What floats over the panes, one file each with its state, the commands it takes and how it
//! is drawn: the lookup, help, the `:` line, a yes/no question, the account notes, a timeline
//! entry in full and the outreach letter. The log form, which takes the pane's place, is here too.

pub mod confirm;
pub mod entry;
pub mod form;
pub mod help;
pub mod letter;
pub mod notes;
pub mod prompt;
pub mod search;
