//! The code that runs the store's facts through the domain's rules, shared by the console and
//! the command line: scores, the payment queues and letters, a rep's queue, the lookup.

pub mod lookup;
pub mod my_queue;
pub mod outreach;
pub mod payments;
pub mod scoring;
