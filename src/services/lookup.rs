//! Finding the account a rep is after, for the console's `/` and `retain search`: the index's
//! hits, each with its account's row and what matched, in the words the rep will recognise
//! (`David Brown · +1 555-019-1049`, `domain juniper-systems.io`).

use serde::Serialize;

use crate::domain::phone::{self, Country};
use crate::domain::search::{Field, Hit, SearchIndex};
use crate::store::{AccountRow, ContactRow, Store, StoreError};

/// One account found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub hit: Hit,
    pub row: AccountRow,
    /// What matched, as stored: the contact and the number or address, the domain, the id.
    pub matched_value: String,
}

/// The best `limit` accounts for `query`, best first, `me`'s own first among equals. An
/// account deleted since the index was built is left out; a contact changed since then is
/// shown as it is now.
pub fn find(
    store: &Store,
    index: &SearchIndex,
    query: &str,
    limit: usize,
    me: Option<&str>,
) -> Result<Vec<Found>, StoreError> {
    let hits = index.search_for(query, limit, me);
    let ids: Vec<i64> = hits.iter().map(|h| h.account_id).collect();
    let rows = store.account_rows(&ids)?;
    let contact_ids: Vec<i64> = hits.iter().filter_map(|h| h.contact_id).collect();
    let contacts = store.contacts_by_id(&contact_ids)?;
    Ok(hits
        .into_iter()
        .filter_map(|hit| {
            let row = rows.iter().find(|r| r.account_id == hit.account_id)?;
            let contact = hit
                .contact_id
                .and_then(|id| contacts.iter().find(|c| c.contact_id == id));
            Some(Found {
                matched_value: matched_value(&hit, row, contact),
                hit,
                row: row.clone(),
            })
        })
        .collect())
}

fn matched_value(hit: &Hit, row: &AccountRow, contact: Option<&ContactRow>) -> String {
    let with_contact = |value: Option<&str>| match (contact, value) {
        (Some(c), Some(v)) => format!("{} · {v}", c.name),
        (Some(c), None) => c.name.clone(),
        (None, _) => String::new(),
    };
    match hit.field {
        Field::Phone => with_contact(contact.and_then(|c| c.phone.as_deref())),
        Field::Email => contact.and_then(|c| c.email.clone()).unwrap_or_default(),
        Field::ContactName | Field::ContactNameFuzzy => {
            with_contact(contact.and_then(|c| c.role.as_deref()))
        }
        Field::Domain => format!("domain {}", row.domain.as_deref().unwrap_or("")),
        Field::ExternalId => format!("id {}", row.external_id),
        Field::Name | Field::NameFuzzy => row.name.clone(),
    }
}

/// A contact's phone number that reads as no number: found by its digits only, never by the
/// number a caller-ID shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unparsed {
    pub account_id: i64,
    pub external_id: String,
    pub contact_id: i64,
    pub contact: String,
    pub phone: String,
    /// The country it was read for: the account's, or the team's.
    pub country: String,
}

/// Every stored phone number that reads as no number, in account order.
pub fn unparsed_numbers(store: &Store, team: Country) -> Result<Vec<Unparsed>, StoreError> {
    let mut found = Vec::new();
    store.each_search_doc(|doc| {
        let country = doc.country.unwrap_or(team);
        for c in doc.contacts {
            let Some(phone) = c.phone.filter(|p| !p.trim().is_empty()) else {
                continue;
            };
            if phone::normalise(&phone, country).is_none() {
                found.push(Unparsed {
                    account_id: doc.account_id,
                    external_id: doc.external_id.clone(),
                    contact_id: c.contact_id,
                    contact: c.name,
                    phone,
                    country: country.to_string(),
                });
            }
        }
    })?;
    Ok(found)
}
