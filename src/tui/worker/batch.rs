//! What a burst of requests comes down to: when the rep types or scrolls faster than the
//! answers come, only the last of some matter.

use super::request::{AccountRequest, Request};

/// Drops requests that later ones make pointless: only the last lookup and the last card
/// matter when the rep types or scrolls faster than the answers come.
pub(super) fn coalesce(batch: Vec<Request>) -> Vec<Request> {
    let last_search = batch
        .iter()
        .rposition(|r| matches!(r, Request::Account(AccountRequest::Search { .. })));
    let last_card = batch
        .iter()
        .rposition(|r| matches!(r, Request::Account(AccountRequest::Card { .. })));
    batch
        .into_iter()
        .enumerate()
        .filter(|(i, r)| match r {
            Request::Account(AccountRequest::Search { .. }) => Some(*i) == last_search,
            Request::Account(AccountRequest::Card { .. }) => Some(*i) == last_card,
            _ => true,
        })
        .map(|(_, r)| r)
        .collect()
}

/// Drops the loads that a later one in the batch asks again: the pane is loaded once, for the
/// newest generation.
pub(super) fn latest_loads(batch: Vec<Request>) -> Vec<Request> {
    let asked_again: Vec<bool> = (0..batch.len())
        .map(|i| batch[i + 1..].iter().any(|r| same_load(r, &batch[i])))
        .collect();
    batch
        .into_iter()
        .zip(asked_again)
        .filter_map(|(r, again)| (!again).then_some(r))
        .collect()
}

/// Two loads of the same data, whatever their generations.
fn same_load(a: &Request, b: &Request) -> bool {
    matches!((a, b), (Request::Load { load: x, .. }, Request::Load { load: y, .. }) if x == y)
}

#[cfg(test)]
mod tests {
    use super::super::request::{CheckinRequest, Load, NoteRequest};
    use super::*;

    #[test]
    fn a_pane_asked_twice_in_a_burst_loads_once_for_the_newest_generation() {
        let load = |generation, load| Request::Load { generation, load };
        let schedule = || Request::Checkin(CheckinRequest::Schedule);
        let batch = vec![
            load(1, Load::Metrics),
            load(1, Load::Payments),
            schedule(),
            load(2, Load::Metrics),
            load(2, Load::Queue),
        ];
        assert_eq!(
            latest_loads(batch),
            vec![
                load(1, Load::Payments),
                schedule(),
                load(2, Load::Metrics),
                load(2, Load::Queue),
            ]
        );
    }

    #[test]
    fn only_the_last_search_and_card_survive_a_burst() {
        let search = |q: &str| Request::Account(AccountRequest::Search { query: q.into() });
        let card = |id| Request::Account(AccountRequest::Card { account_id: id });
        let discard = Request::Note(NoteRequest::DiscardDraft { account_id: 3 });
        let batch = vec![
            search("m"),
            card(1),
            search("mu"),
            discard.clone(),
            card(2),
            search("mul"),
        ];
        assert_eq!(coalesce(batch), vec![discard, card(2), search("mul")]);
    }
}
