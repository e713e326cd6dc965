//! The lookup over the panes (`/`): what the rep typed and what it found.

use crate::services::lookup::Found;
use crate::tui::editor::Editor;

/// The lookup: the query, its answer, and where the rep is in it.
#[derive(Debug, Clone)]
pub struct SearchState {
    pub input: Editor,
    pub hits: Vec<Found>,
    /// The query `hits` answer; while it differs from the input, an answer is on its way.
    pub answered: String,
    pub cursor: usize,
    /// The account the rep moved the cursor onto: it keeps the cursor when a later answer
    /// lists it elsewhere.
    pub chosen: Option<i64>,
    pub indexing: bool,
    /// Enter came before the answer: open the best match when it arrives.
    pub open_on_answer: bool,
}
