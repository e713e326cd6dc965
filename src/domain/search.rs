//! Finding an account from whatever a rep has at hand: part of its name (with a typo, without
//! its accents), its domain, a contact's name, an email address, a phone number written any way,
//! an external id.
//!
//! The index holds folded text only, packed into one string, so a hundred thousand accounts fit
//! in a few tens of megabytes and one query scans them in milliseconds. Matching a substring of
//! each field covers prefixes, words, Chinese and Japanese text (no spaces) and phone digits in
//! one pass. The typo-tolerant pass compares the query with the distinct words of account
//! names, which are far fewer than the accounts.

use std::collections::HashMap;

use memchr::memmem::Finder;
use serde::Serialize;

use super::fold::{digits, fold, is_cjk, is_phone_like};

/// The field a query matched, as reported to the rep and to scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    ExternalId,
    Email,
    Phone,
    Name,
    ContactName,
    Domain,
    /// The name, matched despite a typo.
    NameFuzzy,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::ExternalId => "external_id",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Name => "name",
            Field::ContactName => "contact_name",
            Field::Domain => "domain",
            Field::NameFuzzy => "name_fuzzy",
        }
    }
}

/// What the index needs to know of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDoc {
    pub account_id: i64,
    pub name: String,
    pub domain: Option<String>,
    pub external_id: String,
    pub active: bool,
    pub mrr_cents: i64,
    pub contacts: Vec<ContactDoc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactDoc {
    pub contact_id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// One account found, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub account_id: i64,
    pub field: Field,
    /// Higher is better; exact id, email and phone matches score 1000.
    pub score: u32,
    /// The contact whose name, email or phone matched.
    pub contact_id: Option<i64>,
}

/// A stretch of the index's text.
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    start: u32,
    len: u32,
}

#[derive(Debug)]
struct AccountEntry {
    id: i64,
    active: bool,
    mrr_cents: i64,
    name: Span,
    domain: Span,
    external_id: Span,
    /// This account's contacts are `contacts[first_contact..first_contact + contact_count]`.
    first_contact: u32,
    contact_count: u32,
}

#[derive(Debug)]
struct ContactEntry {
    id: i64,
    name: Span,
    email: Span,
    /// Digits only.
    phone: Span,
}

#[derive(Debug, Default)]
pub struct SearchIndex {
    text: String,
    accounts: Vec<AccountEntry>,
    contacts: Vec<ContactEntry>,
    /// Distinct words of folded account names, with the accounts (by position) that use them.
    name_words: HashMap<Box<str>, Vec<u32>>,
}

/// How well a field matched a query, best last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Contains,
    WordStart,
    Prefix,
    Exact,
}

impl SearchIndex {
    pub fn build(docs: impl IntoIterator<Item = SearchDoc>) -> SearchIndex {
        let mut index = SearchIndex::default();
        for doc in docs {
            index.add(doc);
        }
        index.text.shrink_to_fit();
        index.accounts.shrink_to_fit();
        index.contacts.shrink_to_fit();
        index
    }

    fn add(&mut self, doc: SearchDoc) {
        let position = self.accounts.len() as u32;
        let folded_name = fold(&doc.name);
        let name = self.push(&folded_name);
        for word in folded_name.split(' ').filter(|w| !w.is_empty()) {
            let accounts = self.name_words.entry(word.into()).or_default();
            if accounts.last() != Some(&position) {
                accounts.push(position);
            }
        }
        let domain = self.push(&fold(doc.domain.as_deref().unwrap_or("")));
        let external_id = self.push(&fold(&doc.external_id));
        let first_contact = self.contacts.len() as u32;
        for c in &doc.contacts {
            let entry = ContactEntry {
                id: c.contact_id,
                name: self.push(&fold(&c.name)),
                email: self.push(&fold(c.email.as_deref().unwrap_or(""))),
                phone: self.push(&digits(c.phone.as_deref().unwrap_or(""))),
            };
            self.contacts.push(entry);
        }
        self.accounts.push(AccountEntry {
            id: doc.account_id,
            active: doc.active,
            mrr_cents: doc.mrr_cents,
            name,
            domain,
            external_id,
            first_contact,
            contact_count: doc.contacts.len() as u32,
        });
    }

    fn push(&mut self, folded: &str) -> Span {
        let span = Span {
            start: self.text.len() as u32,
            len: folded.len() as u32,
        };
        self.text.push_str(folded);
        span
    }

    fn slice(&self, span: Span) -> &str {
        &self.text[span.start as usize..(span.start + span.len) as usize]
    }

    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// The best `limit` accounts for `query`, best first.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let folded = fold(query);
        if folded.is_empty() || limit == 0 {
            return Vec::new();
        }
        let q = Query::new(&folded, query);
        let mut found: Vec<(Hit, usize)> = Vec::new();
        for (position, account) in self.accounts.iter().enumerate() {
            if let Some(hit) = self.score_account(account, &q) {
                found.push((hit, position));
            }
        }
        if found.len() < limit && q.fuzzy_allowed() {
            self.add_fuzzy(&q, &mut found);
        }
        let key = |(hit, position): &(Hit, usize)| {
            let a = &self.accounts[*position];
            (
                std::cmp::Reverse(hit.score),
                std::cmp::Reverse(a.active),
                std::cmp::Reverse(a.mrr_cents),
                a.id,
            )
        };
        if found.len() > limit {
            found.select_nth_unstable_by_key(limit - 1, key);
            found.truncate(limit);
        }
        found.sort_unstable_by_key(key);
        found.into_iter().map(|(hit, _)| hit).collect()
    }

    fn score_account(&self, a: &AccountEntry, q: &Query<'_>) -> Option<Hit> {
        let mut best: Option<Hit> = None;
        let mut consider = |field: Field, score: Option<u32>, contact_id: Option<i64>| {
            if let Some(score) = score
                && best.is_none_or(|b| score > b.score)
            {
                best = Some(Hit {
                    account_id: a.id,
                    field,
                    score,
                    contact_id,
                });
            }
        };
        consider(
            Field::ExternalId,
            q.external_id(self.slice(a.external_id)),
            None,
        );
        consider(Field::Name, q.name(self.slice(a.name)), None);
        consider(Field::Domain, q.domain(self.slice(a.domain)), None);
        let contacts = a.first_contact as usize..(a.first_contact + a.contact_count) as usize;
        for c in &self.contacts[contacts] {
            consider(Field::Email, q.email(self.slice(c.email)), Some(c.id));
            consider(Field::Phone, q.phone(self.slice(c.phone)), Some(c.id));
            consider(
                Field::ContactName,
                q.contact_name(self.slice(c.name)),
                Some(c.id),
            );
        }
        best.map(|mut hit| {
            // Among equals, an active account is what the rep is after.
            hit.score += u32::from(a.active) * 5;
            hit
        })
    }

    /// Accounts whose name has, for every word of the query, a word that starts like it, one
    /// or two typos allowed; those already found are left as they are.
    fn add_fuzzy(&self, q: &Query<'_>, found: &mut Vec<(Hit, usize)>) {
        let mut candidates: Option<HashMap<u32, u32>> = None; // position → total typos
        for token in &q.tokens {
            let mut matched: HashMap<u32, u32> = HashMap::new();
            for (word, accounts) in &self.name_words {
                if let Some(typos) = typo_prefix_distance(token, word) {
                    for &p in accounts {
                        let e = matched.entry(p).or_insert(typos);
                        *e = (*e).min(typos);
                    }
                }
            }
            candidates = Some(match candidates {
                None => matched,
                Some(before) => before
                    .into_iter()
                    .filter_map(|(p, t)| matched.get(&p).map(|t2| (p, t + t2)))
                    .collect(),
            });
        }
        let already: std::collections::HashSet<usize> = found.iter().map(|(_, p)| *p).collect();
        for (position, typos) in candidates.unwrap_or_default() {
            let position = position as usize;
            if typos == 0 || already.contains(&position) {
                continue;
            }
            let a = &self.accounts[position];
            found.push((
                Hit {
                    account_id: a.id,
                    field: Field::NameFuzzy,
                    score: 200u32.saturating_sub(40 * typos) + u32::from(a.active) * 5,
                    contact_id: None,
                },
                position,
            ));
        }
    }
}

/// A folded query, ready to be matched against many fields.
struct Query<'a> {
    whole: &'a str,
    finder: Finder<'a>,
    tokens: Vec<&'a str>,
    finders: Vec<Finder<'a>>,
    /// The query's digits, when it looks like a phone number.
    phone: Option<String>,
}

impl<'a> Query<'a> {
    fn new(folded: &'a str, raw: &str) -> Query<'a> {
        let tokens: Vec<&str> = folded.split(' ').collect();
        Query {
            whole: folded,
            finder: Finder::new(folded.as_bytes()),
            finders: tokens.iter().map(|t| Finder::new(t.as_bytes())).collect(),
            tokens,
            phone: is_phone_like(raw, 4).then(|| digits(raw)),
        }
    }

    fn fuzzy_allowed(&self) -> bool {
        self.phone.is_none() && self.tokens.iter().all(|t| t.chars().count() >= 4)
    }

    /// How the whole query, or all its words, match `text`.
    fn level(&self, text: &str) -> Option<Level> {
        if text.is_empty() {
            return None;
        }
        if text == self.whole {
            return Some(Level::Exact);
        }
        if text.starts_with(self.whole) {
            return Some(Level::Prefix);
        }
        if self.tokens.len() == 1 {
            return find_level(&self.finder, text);
        }
        // Several words: each must appear; the match is as good as its worst word.
        let mut worst = Level::WordStart;
        for finder in &self.finders {
            worst = worst.min(find_level(finder, text)?);
        }
        Some(worst)
    }

    fn name(&self, text: &str) -> Option<u32> {
        match self.level(text)? {
            Level::Exact => Some(900),
            Level::Prefix => Some(800),
            Level::WordStart => Some(600),
            Level::Contains if self.whole.chars().count() >= 3 => Some(400),
            Level::Contains => None,
        }
    }

    fn contact_name(&self, text: &str) -> Option<u32> {
        match self.level(text)? {
            Level::Exact => Some(700),
            Level::Prefix => Some(560),
            Level::WordStart => Some(520),
            Level::Contains if self.whole.chars().count() >= 3 => Some(300),
            Level::Contains => None,
        }
    }

    fn domain(&self, text: &str) -> Option<u32> {
        match self.level(text)? {
            Level::Exact => Some(850),
            Level::Prefix => Some(600),
            Level::WordStart => Some(450),
            Level::Contains if self.whole.len() >= 3 => Some(250),
            Level::Contains => None,
        }
    }

    fn email(&self, text: &str) -> Option<u32> {
        match self.level(text)? {
            Level::Exact => Some(1000),
            Level::Prefix => Some(620),
            Level::WordStart => Some(450),
            Level::Contains if self.whole.len() >= 3 => Some(250),
            Level::Contains => None,
        }
    }

    fn external_id(&self, text: &str) -> Option<u32> {
        match self.level(text)? {
            Level::Exact => Some(1000),
            Level::Prefix if self.whole.len() >= 3 => Some(700),
            _ => None,
        }
    }

    fn phone(&self, stored: &str) -> Option<u32> {
        let wanted = self.phone.as_deref()?;
        if stored.is_empty() {
            return None;
        }
        // The whole number, or the whole national number (without country code or trunk 0).
        if stored == wanted || (wanted.len() >= 7 && stored.ends_with(wanted)) {
            return Some(1000);
        }
        memchr::memmem::find(stored.as_bytes(), wanted.as_bytes()).map(|_| 650)
    }
}

fn find_level(finder: &Finder<'_>, text: &str) -> Option<Level> {
    let mut level = None;
    for at in finder.find_iter(text.as_bytes()) {
        if at == 0 {
            return Some(Level::Prefix);
        }
        if starts_word(text, at) {
            level = Some(Level::WordStart);
        } else if level.is_none() {
            level = Some(Level::Contains);
        }
    }
    level
}

/// Whether a word starts at byte `at` of `text`: after a blank or a sign, or anywhere in text
/// written without spaces.
fn starts_word(text: &str, at: usize) -> bool {
    let before = text[..at].chars().next_back();
    let here = text[at..].chars().next();
    match (before, here) {
        (None, _) => true,
        (Some(b), _) if !b.is_alphanumeric() => true,
        (_, Some(h)) if is_cjk(h) => true,
        _ => false,
    }
}

/// Typos between `token` and the start of `word` (the rep may not have typed all of it), if
/// few enough for the token's length: one up to six characters, two beyond.
fn typo_prefix_distance(token: &str, word: &str) -> Option<u32> {
    let n = token.chars().count();
    let allowed = if n >= 7 { 2 } else { 1 };
    let word_len = word.chars().count();
    if word_len + allowed < n {
        return None;
    }
    let mut best = usize::MAX;
    for len in n.saturating_sub(allowed)..=(n + allowed).min(word_len) {
        let prefix: String = word.chars().take(len).collect();
        best = best.min(strsim::osa_distance(token, &prefix));
    }
    (best <= allowed).then_some(best as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: i64, name: &str) -> SearchDoc {
        SearchDoc {
            account_id: id,
            name: name.to_string(),
            domain: None,
            external_id: format!("cus_{id:04}"),
            active: true,
            mrr_cents: 1000,
            contacts: vec![],
        }
    }

    fn with_contact(mut d: SearchDoc, name: &str, email: &str, phone: &str) -> SearchDoc {
        d.contacts.push(ContactDoc {
            contact_id: d.account_id * 10 + d.contacts.len() as i64,
            name: name.into(),
            email: Some(email.into()),
            phone: Some(phone.into()),
        });
        d
    }

    fn ids(index: &SearchIndex, q: &str) -> Vec<i64> {
        index.search(q, 10).iter().map(|h| h.account_id).collect()
    }

    fn index() -> SearchIndex {
        SearchIndex::build([
            doc(1, "Northwind Analytics Inc"),
            doc(2, "Acme Northern Foods"),
            with_contact(
                doc(3, "Müller Logistik GmbH"),
                "Jürgen Weiß",
                "juergen.weiss@mueller-logistik.de",
                "+49 30 90182032",
            ),
            with_contact(
                doc(4, "上海明德医疗贸易有限公司"),
                "王伟",
                "wei.wang@mingde.cn",
                "+1 (555) 014-2398",
            ),
            SearchDoc {
                domain: Some("bluepeak.io".into()),
                ..doc(5, "Bluepeak Studio LLC")
            },
            doc(6, "Banana Analytics"),
        ])
    }

    #[test]
    fn name_prefix_beats_word_beats_substring() {
        let idx = index();
        // "north": prefix of 1, word start in 2.
        assert_eq!(ids(&idx, "north"), vec![1, 2]);
        assert_eq!(idx.search("north", 1)[0].field, Field::Name);
        // "analytics": word start in 1 and 6; "lytics" only inside words.
        assert_eq!(ids(&idx, "analytics").len(), 2);
        let inside = idx.search("lytics", 10);
        assert_eq!(inside.len(), 2);
        assert!(inside[0].score < idx.search("analytics", 1)[0].score);
    }

    #[test]
    fn several_words_must_all_match() {
        let idx = index();
        assert_eq!(ids(&idx, "acme foods"), vec![2]);
        assert_eq!(ids(&idx, "north foods"), vec![2]);
        assert!(ids(&idx, "acme banana").is_empty());
    }

    #[test]
    fn accents_case_and_scripts_fold() {
        let idx = index();
        assert_eq!(ids(&idx, "muller"), vec![3]);
        assert_eq!(ids(&idx, "MÜLLER"), vec![3]);
        assert_eq!(ids(&idx, "weiss"), vec![3]);
        assert_eq!(idx.search("weiss", 1)[0].field, Field::ContactName);
        // Chinese text has no spaces: a run in the middle is a word.
        assert_eq!(ids(&idx, "明德"), vec![4]);
        assert_eq!(idx.search("明德", 1)[0].field, Field::Name);
        assert_eq!(ids(&idx, "王伟"), vec![4]);
    }

    #[test]
    fn phone_digits_match_whatever_the_formatting() {
        let idx = index();
        let hits = idx.search("5550142", 10);
        assert_eq!(hits.len(), 1);
        assert_eq!((hits[0].account_id, hits[0].field), (4, Field::Phone));
        assert_eq!(hits[0].contact_id, Some(40));
        // The whole national number is an exact match.
        let exact = idx.search("(555) 014-2398", 10);
        assert_eq!(exact[0].score, 1000 + 5);
        assert_eq!(
            ids(&idx, "030 901820"),
            Vec::<i64>::new(),
            "a trunk 0 is not stored"
        );
        assert_eq!(ids(&idx, "30 9018 2032"), vec![3]);
    }

    #[test]
    fn exact_id_email_and_phone_rank_first() {
        let idx = SearchIndex::build([
            doc(1, "cus_0002 Holdings"),
            doc(2, "Zeta"),
            with_contact(doc(3, "ops@acme.test Fans"), "X", "x@y.z", ""),
            with_contact(doc(4, "Other"), "Ops", "ops@acme.test", ""),
        ]);
        assert_eq!(ids(&idx, "cus_0002")[0], 2);
        assert_eq!(idx.search("cus_0002", 1)[0].field, Field::ExternalId);
        assert_eq!(ids(&idx, "ops@acme.test")[0], 4);
        assert_eq!(idx.search("ops@acme.test", 1)[0].field, Field::Email);
    }

    #[test]
    fn email_and_domain_parts_match() {
        let idx = index();
        assert_eq!(ids(&idx, "juergen"), vec![3]);
        assert_eq!(idx.search("juergen", 1)[0].field, Field::Email);
        assert_eq!(ids(&idx, "bluepeak.io"), vec![5]);
    }

    #[test]
    fn typos_are_forgiven_when_nothing_matches_exactly() {
        let idx = index();
        let hits = idx.search("nortwind", 10);
        assert_eq!(hits[0].account_id, 1);
        assert_eq!(hits[0].field, Field::NameFuzzy);
        assert_eq!(
            ids(&idx, "bluepaek"),
            vec![5],
            "a transposition is one typo"
        );
        let mut both = ids(&idx, "analytcs");
        both.sort_unstable();
        assert_eq!(both, vec![1, 6]);
        assert!(ids(&idx, "qqqqqq").is_empty());
        assert!(ids(&idx, "nor").len() == 2, "short queries are never fuzzy");
    }

    #[test]
    fn active_and_larger_accounts_win_ties() {
        let mut small = doc(1, "Granite Foods");
        small.mrr_cents = 100;
        let mut big = doc(2, "Granite Foods");
        big.mrr_cents = 9_000;
        let mut gone = doc(3, "Granite Foods");
        gone.active = false;
        gone.mrr_cents = 99_000;
        let idx = SearchIndex::build([small, big, gone]);
        assert_eq!(ids(&idx, "granite"), vec![2, 1, 3]);
    }

    #[test]
    fn limit_keeps_the_best() {
        let idx = SearchIndex::build((1..=50).map(|i| doc(i, &format!("Shop {i}"))));
        let hits = idx.search("shop", 5);
        assert_eq!(hits.len(), 5);
        assert!(idx.search("", 5).is_empty());
        assert!(idx.search("   ", 5).is_empty());
    }

    #[test]
    fn typo_distance_counts_against_the_start_of_a_word() {
        assert_eq!(typo_prefix_distance("nortw", "northwind"), Some(1));
        assert_eq!(typo_prefix_distance("northwnid", "northwind"), Some(1));
        assert_eq!(typo_prefix_distance("nxrthwxnd", "northwind"), Some(2));
        assert_eq!(typo_prefix_distance("acme", "zeta"), None);
        assert_eq!(typo_prefix_distance("abcd", "ab"), None);
    }
}
