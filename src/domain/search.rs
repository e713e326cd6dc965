//! Finding an account from whatever a rep has at hand: part of its name (with a typo, without
//! its accents), its domain, a contact's name, an email address, a phone number written any way,
//! an external id.
//!
//! The index holds folded text only, packed into one string, so a hundred thousand accounts fit
//! in a few tens of megabytes and one query scans them in milliseconds. Matching a substring of
//! each field covers prefixes, words, Chinese and Japanese text (no spaces) and phone digits in
//! one pass. The typo-tolerant pass compares the query with the distinct words of account
//! names, which are far fewer than the accounts.
//!
//! Phone numbers are matched twice: as numbers (their E.164 forms, read for the account's
//! country or the team's, looked up exactly) and as digits (for part of a number, and for a
//! stored number that reads as no number at all).

use std::collections::HashMap;
use std::ops::Range;

use memchr::memmem::Finder;

use super::fold::{digits, fold, is_cjk};
use super::phone::{self, Country, Written};
use crate::domain::text_enum::text_enum;

text_enum! {
    /// The field a query matched, as reported to the rep and to scripts.
    pub enum Field as "search field" {
        ExternalId => "external_id",
        Email => "email",
        Phone => "phone",
        Name => "name",
        ContactName => "contact_name",
        Domain => "domain",
        /// The name, matched despite a typo.
        NameFuzzy => "name_fuzzy",
        /// A contact's name, matched despite a typo.
        ContactNameFuzzy => "contact_name_fuzzy",
    }
}

/// What the index needs to know of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDoc {
    pub account_id: i64,
    pub name: String,
    pub domain: Option<String>,
    pub external_id: String,
    /// Whose numbering plan the contacts' numbers follow when written without a country code.
    pub country: Option<Country>,
    /// The owner's login: a rep's own accounts rank first among equals.
    pub owner: Option<String>,
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
    /// Higher is better; exact id, email and phone number matches score 1000.
    pub score: u32,
    /// The contact whose name, email or phone matched.
    pub contact_id: Option<i64>,
}

/// Where a field sits in the index's text, and whose it is.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    /// The account, by position in `accounts`.
    account: u32,
    /// The contact, by position in `contact_ids`, or `NO_CONTACT`.
    contact: u32,
    field: Field,
}

const NO_CONTACT: u32 = u32::MAX;

/// Ends every field in the text, so that no match runs from one field into the next. Folded
/// text has no line breaks (they fold to spaces) and digits have none either.
const END: char = '\n';

#[derive(Debug)]
struct AccountEntry {
    id: i64,
    active: bool,
    mrr_cents: i64,
    /// By position in `owners`, or `NO_OWNER`.
    owner: u16,
}

const NO_OWNER: u16 = u16::MAX;

/// All fields of all accounts, folded, one after another in one string: a query is one fast
/// substring scan over it, whatever the number of accounts, and costs only for the fields it
/// matches. Phone numbers, as digits, have a string of their own.
#[derive(Debug, Default)]
pub struct SearchIndex {
    text: String,
    spans: Vec<Span>,
    phones: String,
    phone_spans: Vec<Span>,
    /// Every number that reads as one, as E.164 digits, with its account and contact (by
    /// position), sorted: an exact lookup whatever the size.
    numbers: Vec<(u64, u32, u32)>,
    /// The team's country, then those of the accounts, once each: the countries a typed
    /// national number may be from.
    countries: Vec<Country>,
    /// The owners' logins, once each.
    owners: Vec<Box<str>>,
    accounts: Vec<AccountEntry>,
    contact_ids: Vec<i64>,
    /// Distinct words of folded account names, with the accounts (by position) that use them.
    name_words: HashMap<Box<str>, Vec<u32>>,
    /// Distinct words of folded contact names, with the contacts (by position) that use them.
    contact_words: HashMap<Box<str>, Vec<u32>>,
    /// Each contact's account, by position.
    contact_accounts: Vec<u32>,
    /// The accounts (by position) cut into one run per core: a large index is scanned a run on
    /// each core at once, since a short query matches a field of nearly every account.
    parts: Vec<Range<u32>>,
}

/// Below this many accounts a query takes well under a millisecond, less than starting threads.
const ACCOUNTS_PER_PART: usize = 25_000;

/// Takes documents one at a time, so that a large file's accounts are never all in memory at
/// once beside their index.
#[derive(Debug)]
pub struct Builder {
    index: SearchIndex,
}

impl Builder {
    /// `team` is the country of numbers written without a code, at accounts with no country.
    pub fn new(team: Country) -> Builder {
        Builder {
            index: SearchIndex {
                countries: vec![team],
                ..SearchIndex::default()
            },
        }
    }

    pub fn add(&mut self, doc: SearchDoc) {
        self.index.add(doc);
    }

    pub fn finish(self) -> SearchIndex {
        self.index.finish()
    }
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
    pub fn build(team: Country, docs: impl IntoIterator<Item = SearchDoc>) -> SearchIndex {
        let mut builder = Builder::new(team);
        for doc in docs {
            builder.add(doc);
        }
        builder.finish()
    }

    fn finish(mut self) -> SearchIndex {
        self.text.shrink_to_fit();
        self.spans.shrink_to_fit();
        self.phones.shrink_to_fit();
        self.phone_spans.shrink_to_fit();
        self.numbers.sort_unstable();
        self.numbers.shrink_to_fit();
        self.accounts.shrink_to_fit();
        self.contact_ids.shrink_to_fit();
        self.contact_accounts.shrink_to_fit();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let n = (self.accounts.len() / ACCOUNTS_PER_PART).clamp(1, cores.min(8));
        self.parts = cut(self.accounts.len(), n);
        self
    }

    fn add(&mut self, doc: SearchDoc) {
        let account = self.accounts.len() as u32;
        let country = doc.country.unwrap_or(self.countries[0]);
        if !self.countries.contains(&country) {
            self.countries.push(country);
        }
        let name = fold(&doc.name);
        add_words(&mut self.name_words, &name, account);
        self.push(&name, account, NO_CONTACT, Field::Name);
        self.push(
            &fold(doc.domain.as_deref().unwrap_or("")),
            account,
            NO_CONTACT,
            Field::Domain,
        );
        self.push(
            &fold(&doc.external_id),
            account,
            NO_CONTACT,
            Field::ExternalId,
        );
        for c in &doc.contacts {
            let contact = self.contact_ids.len() as u32;
            self.contact_ids.push(c.contact_id);
            self.contact_accounts.push(account);
            let name = fold(&c.name);
            add_words(&mut self.contact_words, &name, contact);
            self.push(&name, account, contact, Field::ContactName);
            self.push(
                &fold(c.email.as_deref().unwrap_or("")),
                account,
                contact,
                Field::Email,
            );
            let stored = c.phone.as_deref().unwrap_or("");
            let written = Written::read(stored, 1);
            if let Some(key) = written
                .as_ref()
                .and_then(|w| w.e164(country))
                .and_then(|e164| number_key(&e164))
            {
                self.numbers.push((key, account, contact));
            }
            let phone = written.map_or_else(|| digits(stored), |w| w.digits);
            if !phone.is_empty() {
                self.phone_spans.push(Span {
                    start: self.phones.len() as u32,
                    account,
                    contact,
                    field: Field::Phone,
                });
                self.phones.push_str(&phone);
                self.phones.push(END);
            }
        }
        let owner = match doc.owner.as_deref() {
            None => NO_OWNER,
            Some(login) => match self.owners.iter().position(|o| &**o == login) {
                Some(at) => at as u16,
                // A team beyond 65,534 logins ranks the rest as nobody's.
                None if self.owners.len() < usize::from(NO_OWNER) => {
                    self.owners.push(login.into());
                    (self.owners.len() - 1) as u16
                }
                None => NO_OWNER,
            },
        };
        self.accounts.push(AccountEntry {
            id: doc.account_id,
            active: doc.active,
            mrr_cents: doc.mrr_cents,
            owner,
        });
    }

    fn push(&mut self, folded: &str, account: u32, contact: u32, field: Field) {
        if folded.is_empty() {
            return;
        }
        self.spans.push(Span {
            start: self.text.len() as u32,
            account,
            contact,
            field,
        });
        self.text.push_str(folded);
        self.text.push(END);
    }

    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// The best `limit` accounts for `query`, best first.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        self.search_for(query, limit, None)
    }

    /// The same for rep `me`, whose own accounts rank first among equal matches.
    pub fn search_for(&self, query: &str, limit: usize, me: Option<&str>) -> Vec<Hit> {
        let folded = fold(query);
        if folded.is_empty() || limit == 0 {
            return Vec::new();
        }
        let mut q = Query::new(&folded, query, &self.countries);
        q.me = me
            .and_then(|me| self.owners.iter().position(|o| &**o == me))
            .map(|at| at as u16);
        let mut found: Vec<(Hit, usize)> = match self.parts.as_slice() {
            [] => Vec::new(),
            [all] => self.search_part(&q, all.clone(), limit),
            parts => std::thread::scope(|scope| {
                let runs: Vec<_> = parts
                    .iter()
                    .map(|part| {
                        let q = &q;
                        scope.spawn(move || self.search_part(q, part.clone(), limit))
                    })
                    .collect();
                runs.into_iter()
                    .flat_map(|run| run.join().expect("a search run"))
                    .collect()
            }),
        };
        self.add_numbers(&q, &mut found);
        if found.len() < limit && q.fuzzy_allowed() {
            self.add_fuzzy(&q, &mut found);
        }
        self.keep_best(&mut found, limit, q.me);
        found.sort_unstable_by_key(|f| self.rank(f, q.me));
        found.into_iter().map(|(hit, _)| hit).collect()
    }

    /// The best `limit` hits among the accounts of `part` (positions), unordered. The parts
    /// share no account, so the best of all is among the best of each.
    fn search_part(&self, q: &Query<'_>, part: Range<u32>, limit: usize) -> Vec<(Hit, usize)> {
        // The best hit of each account: `slot[account - first]` is 1 + its place in `found`.
        let first = part.start;
        let mut slot: Vec<u32> = vec![0; part.len()];
        let mut found: Vec<(Hit, usize)> = Vec::new();
        let mut consider = |span: &Span, score: Option<u32>| {
            let Some(score) = score else { return };
            let entry = &self.accounts[span.account as usize];
            let hit = Hit {
                account_id: entry.id,
                field: span.field,
                // Among equals, an active account is what the rep is after.
                score: score + u32::from(entry.active) * 5,
                contact_id: (span.contact != NO_CONTACT)
                    .then(|| self.contact_ids[span.contact as usize]),
            };
            let at = &mut slot[(span.account - first) as usize];
            match *at {
                0 => {
                    found.push((hit, span.account as usize));
                    *at = found.len() as u32;
                }
                at => {
                    let best = &mut found[at as usize - 1].0;
                    if hit.score > best.score {
                        *best = hit;
                    }
                }
            }
        };
        let (spans, end) = of_accounts(&self.spans, &part, self.text.len());
        if q.whole.chars().count() == 1 {
            // One character says little: what starts with it.
            for span in spans {
                if self.text[span.start as usize..].starts_with(q.whole) {
                    consider(span, q.score(span.field, span_text(&self.text, span)));
                }
            }
        } else {
            scan(&self.text, spans, end, q.key(), |span, text| {
                consider(span, q.score(span.field, text))
            });
        }
        if let Some(phone) = &q.phone {
            let (spans, end) = of_accounts(&self.phone_spans, &part, self.phones.len());
            scan(&self.phones, spans, end, phone, |span, text| {
                consider(span, q.phone(text))
            });
        }
        self.keep_best(&mut found, limit, q.me);
        found
    }

    /// How hits rank: score, then the rep's own account, then an active one, then the
    /// larger, then the older.
    fn rank(&self, (hit, position): &(Hit, usize), me: Option<u16>) -> impl Ord + use<> {
        let a = &self.accounts[*position];
        (
            std::cmp::Reverse(hit.score),
            std::cmp::Reverse(me.is_some_and(|me| a.owner == me)),
            std::cmp::Reverse(a.active),
            std::cmp::Reverse(a.mrr_cents),
            a.id,
        )
    }

    /// Drops all but the best `limit` hits, in no particular order.
    fn keep_best(&self, found: &mut Vec<(Hit, usize)>, limit: usize, me: Option<u16>) {
        if found.len() > limit {
            found.select_nth_unstable_by_key(limit - 1, |f| self.rank(f, me));
            found.truncate(limit);
        }
    }

    /// The contacts whose number is one the query reads as: the best match there is, so it
    /// replaces whatever else found their accounts.
    fn add_numbers(&self, q: &Query<'_>, found: &mut Vec<(Hit, usize)>) {
        for &(key, teams) in &q.numbers {
            let from = self.numbers.partition_point(|n| n.0 < key);
            for &(_, account, contact) in self.numbers[from..].iter().take_while(|n| n.0 == key) {
                let entry = &self.accounts[account as usize];
                let hit = Hit {
                    account_id: entry.id,
                    field: Field::Phone,
                    score: if teams { EXACT_NUMBER } else { FOREIGN_NUMBER }
                        + u32::from(entry.active) * 5,
                    contact_id: Some(self.contact_ids[contact as usize]),
                };
                match found.iter_mut().find(|(_, p)| *p == account as usize) {
                    Some(f) if f.0.score < hit.score => f.0 = hit,
                    Some(_) => {}
                    None => found.push((hit, account as usize)),
                }
            }
        }
    }

    /// Accounts whose name, or one of whose contacts' names, has for every word of the query a
    /// word that starts like it, one or two typos allowed; those already found are left as
    /// they are.
    fn add_fuzzy(&self, q: &Query<'_>, found: &mut Vec<(Hit, usize)>) {
        let mut already: std::collections::HashSet<usize> = found.iter().map(|(_, p)| *p).collect();
        let mut add = |position: usize, field: Field, best: u32, typos: u32, contact| {
            if !already.insert(position) {
                return;
            }
            let a = &self.accounts[position];
            let hit = Hit {
                account_id: a.id,
                field,
                score: best.saturating_sub(40 * typos) + u32::from(a.active) * 5,
                contact_id: contact,
            };
            found.push((hit, position));
        };
        for (position, typos) in typo_matches(&q.tokens, &self.name_words) {
            if typos > 0 {
                add(position as usize, Field::NameFuzzy, 200, typos, None);
            }
        }
        // A contact a little below an account at the same typos, as when spelled right; the
        // fewest typos first, since only an account's first contact found is kept.
        let mut contacts: Vec<(u32, u32)> = typo_matches(&q.tokens, &self.contact_words)
            .into_iter()
            .filter(|&(_, typos)| typos > 0)
            .collect();
        contacts.sort_unstable_by_key(|&(contact, typos)| (typos, contact));
        for (contact, typos) in contacts {
            let position = self.contact_accounts[contact as usize] as usize;
            let id = self.contact_ids[contact as usize];
            add(position, Field::ContactNameFuzzy, 190, typos, Some(id));
        }
    }
}

/// Adds the words of `folded` to `words`, for the item at `position` (items come in order).
fn add_words(words: &mut HashMap<Box<str>, Vec<u32>>, folded: &str, position: u32) {
    for word in folded.split(' ').filter(|w| !w.is_empty()) {
        let items = words.entry(word.into()).or_default();
        if items.last() != Some(&position) {
            items.push(position);
        }
    }
}

/// The items whose words start like every token, one or two typos allowed, with their total
/// typos.
fn typo_matches(tokens: &[&str], words: &HashMap<Box<str>, Vec<u32>>) -> HashMap<u32, u32> {
    let mut candidates: Option<HashMap<u32, u32>> = None;
    for token in tokens {
        let mut matched: HashMap<u32, u32> = HashMap::new();
        for (word, items) in words {
            if let Some(typos) = typo_prefix_distance(token, word) {
                for &p in items {
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
    candidates.unwrap_or_default()
}

/// Words of a query that may each have a typo.
const MAX_FUZZY_WORDS: usize = 6;

/// The score of a number that is the typed one: above any name, email or id.
const EXACT_NUMBER: u32 = 1_100;
/// The same for a national number read for another country than the team's: still above any
/// name, below the team's own reading of the same digits.
const FOREIGN_NUMBER: u32 = 1_050;

/// E.164 digits as one number. E.164 allows fifteen digits; anything longer (which the
/// possible-length check should never let through) is no key.
fn number_key(e164: &str) -> Option<u64> {
    let digits = e164.strip_prefix('+')?;
    if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|d| d.is_ascii_digit()) {
        return None;
    }
    Some(digits.bytes().fold(0, |n, d| n * 10 + u64::from(d - b'0')))
}

/// The text of one span, without its end mark.
fn span_text<'t>(text: &'t str, span: &Span) -> &'t str {
    let start = span.start as usize;
    let end = text[start..].find(END).map_or(text.len(), |e| start + e);
    &text[start..end]
}

/// Positions `0..len` in `n` runs of nearly equal length (none when `len` is 0).
fn cut(len: usize, n: usize) -> Vec<Range<u32>> {
    let len = len as u32;
    let step = len.div_ceil(n.max(1) as u32).max(1);
    (0..len)
        .step_by(step as usize)
        .map(|a| a..(a + step).min(len))
        .collect()
}

/// The spans of the accounts of `part` (spans are in account order), and where the text of
/// the last one ends: the next span's start, or the end of the text.
fn of_accounts<'s>(spans: &'s [Span], part: &Range<u32>, text_len: usize) -> (&'s [Span], usize) {
    let from = spans.partition_point(|s| s.account < part.start);
    let to = spans.partition_point(|s| s.account < part.end);
    let end = spans.get(to).map_or(text_len, |s| s.start as usize);
    (&spans[from..to], end)
}

/// Calls `matched` once for every span of `spans` that contains `key`, in text order; `end` is
/// where the text of the last span ends. Each span is looked at once, however often `key`
/// occurs in it: after a match the scan jumps to the span's end.
fn scan(text: &str, spans: &[Span], end: usize, key: &str, mut matched: impl FnMut(&Span, &str)) {
    let Some(first) = spans.first() else { return };
    if key.is_empty() {
        return;
    }
    let finder = Finder::new(key.as_bytes());
    let hay = &text.as_bytes()[..end];
    let mut pos = first.start as usize;
    // Matches come in text order, so the span of each is found forward from the last one:
    // doubling strides to get past it, then a binary search within the last stride.
    let mut i = 0;
    while let Some(found) = finder.find(&hay[pos..]) {
        let at = pos + found;
        let mut stride = 1;
        while i + stride < spans.len() && spans[i + stride].start as usize <= at {
            i += stride;
            stride *= 2;
        }
        let window = &spans[i..(i + stride).min(spans.len())];
        i += window
            .partition_point(|s| s.start as usize <= at)
            .saturating_sub(1);
        let span = &spans[i];
        let start = span.start as usize;
        let end = memchr::memchr(END as u8, &hay[at..]).map_or(hay.len(), |e| at + e);
        matched(span, &text[start..end]);
        pos = end + 1;
        if pos >= hay.len() {
            break;
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
    /// The numbers it may be, as keys of `SearchIndex::numbers`, each with whether it is the
    /// team's own reading.
    numbers: Vec<(u64, bool)>,
    /// The rep searching, by position in `SearchIndex::owners`.
    me: Option<u16>,
}

impl<'a> Query<'a> {
    fn new(folded: &'a str, raw: &str, countries: &[Country]) -> Query<'a> {
        let tokens: Vec<&str> = folded.split(' ').collect();
        let typed = Written::read(raw, 4);
        let numbers = typed.as_ref().map_or_else(Vec::new, |t| {
            phone::readings(t, countries)
                .iter()
                .filter_map(|(n, teams)| Some((number_key(n)?, *teams)))
                .collect()
        });
        Query {
            whole: folded,
            finder: Finder::new(folded.as_bytes()),
            finders: tokens.iter().map(|t| Finder::new(t.as_bytes())).collect(),
            tokens,
            phone: typed.map(|t| t.digits),
            numbers,
            me: None,
        }
    }

    /// The word to scan for: the longest, since it matches the fewest fields. Every word is
    /// checked again on the fields it finds.
    fn key(&self) -> &'a str {
        self.tokens
            .iter()
            .copied()
            .max_by_key(|t| t.len())
            .unwrap_or(self.whole)
    }

    /// The score of a text field (not a phone) for this query.
    fn score(&self, field: Field, text: &str) -> Option<u32> {
        match field {
            Field::Name => self.name(text),
            Field::ContactName => self.contact_name(text),
            Field::Domain => self.domain(text),
            Field::Email => self.email(text),
            Field::ExternalId => self.external_id(text),
            Field::Phone | Field::NameFuzzy | Field::ContactNameFuzzy => None,
        }
    }

    fn fuzzy_allowed(&self) -> bool {
        // Each word is compared with every distinct word of the index: a pasted paragraph
        // is no name.
        self.phone.is_none()
            && self.tokens.len() <= MAX_FUZZY_WORDS
            && self.tokens.iter().all(|t| t.chars().count() >= 4)
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
            Level::Prefix => Some(600),
            Level::WordStart => Some(560),
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
        // Below a contact's name at the same level: "grace" is Grace, who has an address.
        match self.level(text)? {
            Level::Exact => Some(1000),
            Level::Prefix => Some(580),
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
            country: None,
            owner: None,
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
        SearchIndex::build(
            Country::US,
            [
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
            ],
        )
    }

    #[test]
    fn a_search_cut_in_runs_finds_what_one_run_finds() {
        let words = [
            "north", "wind", "blue", "peak", "juniper", "media", "nor", "cobalt",
        ];
        let mut runs = SearchIndex::build(
            Country::US,
            (0..3_000).map(|i| {
                let name = format!("{} {} {i}", words[i % 8], words[(i / 8) % 8]);
                let mut d = doc(i as i64 + 1, &name);
                d.mrr_cents = (i as i64 * 7919) % 1000;
                with_contact(
                    d,
                    &format!("Carla {i}"),
                    &format!("c{i}@n{i}.example"),
                    &format!("555 01{i:02}"),
                )
            }),
        );
        let queries = [
            "n", "no", "nor", "wind pea", "c1", "55501", "nortj", "carla 12",
        ];
        runs.parts = cut(runs.len(), 1);
        let expected: Vec<Vec<Hit>> = queries.iter().map(|q| runs.search(q, 20)).collect();
        runs.parts = cut(runs.len(), 7);
        assert_eq!(runs.parts.len(), 7);
        for (q, want) in queries.iter().zip(&expected) {
            assert_eq!(want.len(), 20, "{q}");
            assert_eq!(&runs.search(q, 20), want, "{q}");
        }
    }

    #[test]
    fn runs_cover_every_position_once() {
        for (len, n) in [(0, 3), (1, 4), (10, 3), (100_000, 2), (7, 7), (5, 9)] {
            let runs = cut(len, n);
            assert!(runs.len() <= n.max(1));
            let covered: Vec<u32> = runs.iter().flat_map(|r| r.clone()).collect();
            assert_eq!(covered, (0..len as u32).collect::<Vec<_>>(), "{len} in {n}");
        }
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
        // The whole national number, read for the team's country, is the number.
        let exact = idx.search("(555) 014-2398", 10);
        assert_eq!(exact[0].score, EXACT_NUMBER + 5);
        assert_eq!(
            ids(&idx, "030 901820"),
            Vec::<i64>::new(),
            "a trunk 0 is not stored"
        );
        assert_eq!(ids(&idx, "30 9018 2032"), vec![3]);
    }

    #[test]
    fn numbers_meet_in_any_writing_for_the_accounts_country() {
        let berlin = SearchDoc {
            country: Some(Country::parse("DE").unwrap()),
            ..with_contact(
                doc(1, "Spree Logistik"),
                "Jana",
                "j@s.de",
                "030 / 231250-17",
            )
        };
        // An account named like the number, and a stored number a digit longer.
        let decoy = with_contact(
            doc(2, "4930231250 17"),
            "Kim",
            "k@x.de",
            "+49 30 2312501711",
        );
        let idx = SearchIndex::build(Country::US, [decoy, berlin]);
        for typed in [
            "+49 30 23125017",
            "+49 (0)30 231250-17",
            "tel:+49-30-23125017",
            "011 49 30 23125017",
            "0049 30 23125017",
            "030 23125017",
            "+493023125017 ext. 4",
        ] {
            let hits = idx.search(typed, 5);
            assert_eq!(hits[0].account_id, 1, "{typed}");
            assert_eq!(hits[0].field, Field::Phone, "{typed}");
            assert_eq!(hits[0].contact_id, Some(10), "{typed}");
        }
    }

    #[test]
    fn a_caller_is_found_as_their_name_sounds_and_a_reps_own_account_comes_first() {
        let theirs = SearchDoc {
            owner: Some("ines".into()),
            mrr_cents: 9_000,
            ..with_contact(
                doc(1, "Cedar & Stone Capital"),
                "Samuel Williams",
                "s@c.test",
                "",
            )
        };
        let mine = SearchDoc {
            owner: Some("carmen".into()),
            ..with_contact(
                doc(2, "Bergblick Logistik"),
                "Jürgen Krüger",
                "jk@b.test",
                "",
            )
        };
        let also = SearchDoc {
            owner: Some("carmen".into()),
            ..with_contact(doc(3, "Rivière Santé"), "Samuel Williams", "sw@r.test", "")
        };
        let idx = SearchIndex::build(Country::US, [theirs, mine, also]);
        assert_eq!(ids(&idx, "cedar and stone"), vec![1]);
        assert_eq!(ids(&idx, "juergen krueger"), vec![2]);
        // A misspelt contact, found through the contact's name.
        let hits = idx.search("samuel wiliams", 5);
        assert_eq!(hits.len(), 2, "{hits:?}");
        assert!(hits.iter().all(|h| h.field == Field::ContactNameFuzzy));
        assert_eq!(
            hits[0].contact_id,
            Some(10),
            "the larger account first for nobody"
        );
        let hits = idx.search_for("samuel wiliams", 5, Some("carmen"));
        assert_eq!(hits[0].account_id, 3, "carmen's own first");
        assert_eq!(hits[0].contact_id, Some(30));
    }

    #[test]
    fn the_teams_reading_of_national_digits_comes_before_another_countrys() {
        let solingen = SearchDoc {
            country: Some(Country::parse("DE").unwrap()),
            mrr_cents: 9_999_900,
            ..with_contact(doc(1, "Solingen Messer"), "Klaus", "k@s.de", "0212 5550101")
        };
        let nyc = with_contact(
            doc(2, "Hudson Foods"),
            "Ann",
            "a@h.test",
            "+1 (212) 555-0101",
        );
        let idx = SearchIndex::build(Country::US, [solingen, nyc]);
        assert_eq!(ids(&idx, "(212) 555-0101"), vec![2, 1]);
        assert_eq!(ids(&idx, "\u{202a}+1 (212) 555-0101\u{202c}")[0], 2);
        // Written the German way, it is the German number.
        assert_eq!(ids(&idx, "+49 212 5550101")[0], 1);
    }

    #[test]
    fn a_number_that_reads_as_none_is_found_by_its_digits() {
        let idx = SearchIndex::build(
            Country::US,
            [with_contact(
                doc(1, "Acme"),
                "Front desk",
                "f@acme.test",
                "ask for 4471, then 0191 ext",
            )],
        );
        assert_eq!(ids(&idx, "44710191"), vec![1]);
    }

    #[test]
    fn exact_id_email_and_phone_rank_first() {
        let idx = SearchIndex::build(
            Country::US,
            [
                doc(1, "cus_0002 Holdings"),
                doc(2, "Zeta"),
                with_contact(doc(3, "ops@acme.test Fans"), "X", "x@y.z", ""),
                with_contact(doc(4, "Other"), "Ops", "ops@acme.test", ""),
            ],
        );
        assert_eq!(ids(&idx, "cus_0002")[0], 2);
        assert_eq!(idx.search("cus_0002", 1)[0].field, Field::ExternalId);
        assert_eq!(ids(&idx, "ops@acme.test")[0], 4);
        assert_eq!(idx.search("ops@acme.test", 1)[0].field, Field::Email);
    }

    #[test]
    fn a_person_is_found_by_name_before_their_address() {
        let idx = SearchIndex::build(
            Country::US,
            [with_contact(
                doc(1, "Acme"),
                "Grace Hopper",
                "grace.hopper@acme.test",
                "",
            )],
        );
        assert_eq!(idx.search("grace", 1)[0].field, Field::ContactName);
        assert_eq!(
            idx.search("grace.hopper@acme.test", 1)[0].field,
            Field::Email
        );
    }

    #[test]
    fn email_and_domain_parts_match() {
        let idx = index();
        assert_eq!(ids(&idx, "weiss@mueller"), vec![3]);
        assert_eq!(idx.search("weiss@mueller", 1)[0].field, Field::Email);
        // Spelled out, the umlaut is the contact's name itself.
        assert_eq!(idx.search("juergen", 1)[0].field, Field::ContactName);
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
        let idx = SearchIndex::build(Country::US, [small, big, gone]);
        assert_eq!(ids(&idx, "granite"), vec![2, 1, 3]);
    }

    #[test]
    fn limit_keeps_the_best() {
        let idx = SearchIndex::build(Country::US, (1..=50).map(|i| doc(i, &format!("Shop {i}"))));
        let hits = idx.search("shop", 5);
        assert_eq!(hits.len(), 5);
        assert!(idx.search("", 5).is_empty());
        assert!(idx.search("   ", 5).is_empty());
    }

    #[test]
    fn every_matching_field_is_found_among_many() {
        // Matches scattered far apart and close together, in names, emails and phones.
        let docs = (1..=5000).map(|i| {
            let mut d = doc(
                i,
                &format!("Account {i} {}", if i % 7 == 0 { "Zebra" } else { "Plain" }),
            );
            if i % 11 == 0 {
                d = with_contact(d, "Someone", "zebra@x.test", "+1 555 0100");
            }
            if i == 4999 {
                d = with_contact(d, "Last", "last@x.test", "+44 20 7946 0999");
            }
            d
        });
        let idx = SearchIndex::build(Country::US, docs);
        let mut found: Vec<i64> = idx
            .search("zebra", 10_000)
            .iter()
            .map(|h| h.account_id)
            .collect();
        found.sort_unstable();
        let expected: Vec<i64> = (1..=5000).filter(|i| i % 7 == 0 || i % 11 == 0).collect();
        assert_eq!(found, expected);
        assert_eq!(ids(&idx, "2079460999"), vec![4999]);
        assert_eq!(idx.search("account 4321", 1)[0].account_id, 4321);
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
