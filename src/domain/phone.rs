//! Phone numbers as numbers: whatever way a CRM, a caller-ID display or a person wrote one, its
//! E.164 form (`+442079460748`) is what two writings of it have in common. The rules of every
//! country's numbering plan are libphonenumber's, through the `phonenumber` crate; what is ours
//! is which country to read a number for, and what to do with a number that reads as none.

use std::str::FromStr;

use phonenumber::Mode;
use phonenumber::country::Id;
use unicode_normalization::UnicodeNormalization;

use super::fold::{digits, is_invisible, is_phone_like};

/// A country, as ISO 3166-1 alpha-2 (`US`, `GB`, `DE`): whose numbering plan a number written
/// without a country code follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Country {
    id: Id,
}

impl Country {
    /// The default where a team has set none.
    pub const US: Country = Country { id: Id::US };

    /// Reads `US`, `gb`, ` de `; `UK`, which ISO keeps for the United Kingdom, is read as `GB`.
    pub fn parse(code: &str) -> Result<Country, String> {
        let code = code.trim().to_ascii_uppercase();
        let code = if code == "UK" { "GB".to_string() } else { code };
        if code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) {
            if let Ok(id) = Id::from_str(&code) {
                return Ok(Country { id });
            }
        }
        Err(Self::EXPECTED.to_string())
    }

    /// What a country code must be, as an error says it.
    pub const EXPECTED: &str = "a country code of two letters (ISO 3166-1) that has telephone numbers, such as US, GB or DE";

    pub fn code(&self) -> &str {
        // libphonenumber's region ids are the ISO codes themselves.
        self.id.as_ref()
    }
}

impl std::fmt::Display for Country {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// A number as a rep typed it or a file gave it, taken apart: the number itself (no `tel:`, no
/// extension, no invisible marks), its digits, and its extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The number without scheme or extension, with full-width digits and signs made plain.
    number: String,
    /// Its digits alone: what matches a number that reads as no number of any country.
    pub digits: String,
    pub extension: Option<String>,
}

impl Written {
    /// `None` for text that is not a phone number: letters beyond a `tel:` and an extension
    /// mark, or fewer than `min_digits` digits.
    pub fn read(text: &str, min_digits: usize) -> Option<Written> {
        // Full-width digits and signs (Japanese and Chinese input) become ASCII, every kind
        // of dash a hyphen; the marks copied text carries go.
        let plain: String = text
            .nfkc()
            .filter(|&c| !is_invisible(c))
            .map(|c| match c {
                '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{30FC}' => '-',
                '\t' => ' ',
                // Arabic-Indic and Persian digits, which NFKC leaves as they are.
                '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
                '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
                c => c,
            })
            .collect();
        let plain = plain.trim();
        let plain = strip_prefix_ignore_case(plain, "tel:").unwrap_or(plain);
        let (number, extension) = split_extension(plain);
        if !is_phone_like(number, min_digits) {
            return None;
        }
        Some(Written {
            number: number.trim().to_string(),
            digits: digits(number),
            extension: extension.map(str::to_string),
        })
    }

    /// The E.164 form, read for `country` when the number has no country code of its own;
    /// `None` when it is no number that country (or the one its code names) could dial.
    pub fn e164(&self, country: Country) -> Option<String> {
        let database = &phonenumber::metadata::DATABASE;
        // Every reading names its region, so that libphonenumber never tries each region
        // that shares a code against the number's patterns: that search compiles dozens of
        // expressions per code (25 regions share +1), megabytes a console would keep.
        let (region, number) = if self.number.starts_with('+') {
            // A trunk 0 in brackets, `+44 (0)20 …`, is dialled only at home.
            (
                main_region(&self.digits)?,
                self.number.replacen("(0)", "", 1),
            )
        } else {
            (country.id, self.number.clone())
        };
        let meta = database.by_id(region.as_ref())?;
        let parsed = phonenumber::parse(Some(region), &number).ok()?;
        let code = parsed.code().value();
        if code != meta.country_code() {
            // Dialled from `country` with its international prefix (`011 44 …`, `0044 …`):
            // what follows the prefix is the number as written abroad.
            let code = code.to_string();
            let at =
                (2..=4).find(|&at| self.digits.get(at..).is_some_and(|d| d.starts_with(&code)))?;
            let abroad = Written {
                number: format!("+{}", &self.digits[at..]),
                digits: self.digits[at..].to_string(),
                extension: None,
            };
            return abroad.e164(country);
        }
        // The crate's own E.164 keeps the leading zeros of a national number (Italy's, or a
        // trunk 0 typed for a country that has none), which its numeric value drops.
        let e164 = parsed.format().mode(Mode::E164).to_string();
        let national_len = e164.len() - 1 - code.to_string().len();
        // A number that only dials locally (no area code) is no number a caller-ID shows.
        if !possible_lengths(meta).any(|l| usize::from(l) == national_len) {
            return None;
        }
        Some(e164)
    }
}

/// The main region of the country code `digits` start with (E.164 codes are one to three
/// digits, and none is the start of another).
fn main_region(digits: &str) -> Option<Id> {
    let database = &phonenumber::metadata::DATABASE;
    (1..=3).find_map(|len| {
        let code: u16 = digits.get(..len)?.parse().ok()?;
        let metas = database.by_code(&code)?;
        let meta = metas
            .iter()
            .find(|m| m.is_main_country_for_code())
            .or(metas.first())?;
        Id::from_str(meta.id()).ok()
    })
}

/// The E.164 form of a stored number, `None` when it reads as no number `country` (or the one
/// its code names) could dial: a team's data to clean.
pub fn normalise(stored: &str, country: Country) -> Option<String> {
    Written::read(stored, 1)?.e164(country)
}

/// The E.164 forms a typed number may stand for, one for each country it may have been
/// written in (`countries`: the team's first, then those of its accounts), without repeats,
/// each with whether it is the team's own reading (the number as written with its country
/// code, or read for the team's country) rather than a reading for another country: a
/// national number that is a number in two countries is the team's first.
pub fn readings(typed: &Written, countries: &[Country]) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    for (i, &country) in countries.iter().enumerate() {
        if let Some(e164) = typed.e164(country) {
            if !out.iter().any(|(seen, _)| *seen == e164) {
                out.push((e164, i == 0));
            }
        }
        if typed.number.starts_with('+') {
            break;
        }
    }
    out
}

/// The lengths a national number of `meta`'s country may have, of any kind (the metadata keeps
/// them by kind of line, not for the whole plan).
fn possible_lengths(meta: &phonenumber::Metadata) -> impl Iterator<Item = u16> + '_ {
    let d = meta.descriptors();
    [
        d.fixed_line(),
        d.mobile(),
        d.toll_free(),
        d.premium_rate(),
        d.shared_cost(),
        d.personal_number(),
        d.voip(),
        d.pager(),
        d.uan(),
        d.voicemail(),
    ]
    .into_iter()
    .flatten()
    .flat_map(|d| d.possible_length().iter().copied())
}

/// Splits `tel:` parameters and extensions off: `;ext=12`, ` ext. 12`, ` x12`, `#12`.
fn split_extension(text: &str) -> (&str, Option<&str>) {
    let lower = text.to_ascii_lowercase();
    let marks = [";ext=", ";", "extension", "ext.", "ext", "#", "x"];
    let at = marks
        .iter()
        .filter_map(|m| lower.find(m).map(|at| (at, m.len())))
        .min_by_key(|&(at, len)| (at, std::cmp::Reverse(len)));
    match at {
        Some((at, len)) => {
            let ext = text[at + len..]
                .trim_start_matches(['.', ':', ' ', '='])
                .trim();
            (&text[..at], (!ext.is_empty()).then_some(ext))
        }
        None => (text, None),
    }
}

fn strip_prefix_ignore_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(code: &str) -> Country {
        Country::parse(code).unwrap()
    }

    fn e164(text: &str, country: &str) -> Option<String> {
        Written::read(text, 4)?.e164(c(country))
    }

    #[test]
    fn countries_are_iso_codes() {
        assert_eq!(c("gb").code(), "GB");
        assert_eq!(c(" UK ").code(), "GB");
        assert_eq!(c("DE").to_string(), "DE");
        for bad in ["", "G", "GBR", "ZZ", "1A", "ü1"] {
            assert!(Country::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn stored_writings_meet_in_e164() {
        let cases = [
            ("+1 (555) 019-1049", "US", "+15550191049"),
            ("555-019-1049", "US", "+15550191049"),
            ("+15550191049", "GB", "+15550191049"),
            ("+44 (0)20 7946 0748", "US", "+442079460748"),
            ("+44 (0)115 496 0344", "US", "+441154960344"),
            ("020 7946 0748", "GB", "+442079460748"),
            ("030 / 901820-74", "DE", "+493090182074"),
            ("+49 (0)30 901820 74", "FR", "+493090182074"),
            ("01 99 00 17 84", "FR", "+33199001784"),
            ("138-2785-1119", "CN", "+8613827851119"),
            ("03-1234-5678", "JP", "+81312345678"),
            ("０３－１２３４ー５６７８", "JP", "+81312345678"),
            ("+81 3−1234–5678", "US", "+81312345678"),
            ("\u{202a}+1 (212) 555-0101\u{202c}", "GB", "+12125550101"),
            ("\u{200e}+1\t212 555 0101\u{200b}", "GB", "+12125550101"),
            ("+١ ٢١٢ ٥٥٥ ٠١٠١", "GB", "+12125550101"),
            ("۰۲۱ ۸۸۷۷ ۶۶۵۵", "IR", "+982188776655"),
            ("91 123 45 67", "ES", "+34911234567"),
        ];
        for (text, country, want) in cases {
            assert_eq!(
                e164(text, country).as_deref(),
                Some(want),
                "{text} in {country}"
            );
        }
    }

    #[test]
    fn schemes_extensions_and_dialling_prefixes() {
        assert_eq!(
            e164("tel:+1-212-555-0123", "GB").as_deref(),
            Some("+12125550123")
        );
        let w = Written::read("(212) 555-0123 ext. 12", 4).unwrap();
        assert_eq!(w.extension.as_deref(), Some("12"));
        assert_eq!(w.e164(c("US")).as_deref(), Some("+12125550123"));
        assert_eq!(
            e164("212.555.0123 x12", "US").as_deref(),
            Some("+12125550123")
        );
        assert_eq!(
            e164("+44 20 7946 0748;ext=5", "US").as_deref(),
            Some("+442079460748")
        );
        // From the US, 011 dials abroad; from most of Europe, 00.
        assert_eq!(
            e164("011 44 20 7946 0748", "US").as_deref(),
            Some("+442079460748")
        );
        assert_eq!(
            e164("0044 20 7946 0748", "DE").as_deref(),
            Some("+442079460748")
        );
        // An area code that starts with the other country's trunk prefix keeps its digits.
        assert_eq!(
            e164("011 44 115 496 0344", "US").as_deref(),
            Some("+441154960344")
        );
    }

    #[test]
    fn what_reads_as_no_number() {
        assert_eq!(Written::read("call reception", 4), None);
        assert_eq!(Written::read("555", 4), None);
        // Seven digits dial only within an area: no caller-ID shows that.
        assert_eq!(e164("555 0191", "US"), None);
        assert_eq!(e164("+1 555", "US"), None);
        // A trunk 0 where the country has none is a wrong number, not one without its 0.
        assert_eq!(e164("020 7946 0999", "US"), None);
        assert_eq!(
            e164("+39 06 6982 1234", "US").as_deref(),
            Some("+390669821234")
        );
        let w = Written::read("0800-FLOWERS", 1);
        assert_eq!(w, None);
    }

    #[test]
    fn readings_cover_every_country_once() {
        let countries = [c("US"), c("GB"), c("DE")];
        let national = Written::read("020 7946 0748", 4).unwrap();
        let found = readings(&national, &countries);
        assert!(
            found.contains(&("+442079460748".to_string(), false)),
            "{found:?}"
        );
        let international = Written::read("+44 20 7946 0748", 4).unwrap();
        assert_eq!(
            readings(&international, &countries),
            [("+442079460748".to_string(), true)]
        );
        let idd = Written::read("00 44 20 7946 0748", 4).unwrap();
        assert!(
            readings(&idd, &countries)
                .iter()
                .any(|(n, _)| n == "+442079460748")
        );
    }
}
