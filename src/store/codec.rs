//! How days and instants are written as text in the database (see the top of schema.sql), and
//! read back.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

const INSTANT: &str = "%Y-%m-%dT%H:%M:%SZ";
const DAY: &str = "%Y-%m-%d";

pub fn instant(t: &DateTime<Utc>) -> String {
    t.format(INSTANT).to_string()
}

pub fn day(d: NaiveDate) -> String {
    d.format(DAY).to_string()
}

pub fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(s, INSTANT)
        .ok()
        .map(|t| t.and_utc())
}

pub fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, DAY).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_and_days_round_trip_and_sort_as_text() {
        let t = parse_instant("2026-11-02T09:05:00Z").unwrap();
        assert_eq!(instant(&t), "2026-11-02T09:05:00Z");
        let d = parse_day("2026-11-02").unwrap();
        assert_eq!(day(d), "2026-11-02");
        // A day compares with instants of that day the way range queries need.
        assert!(instant(&t).as_str() >= day(d).as_str());
        assert!(instant(&t).as_str() < "2026-11-03");
    }

    #[test]
    fn other_shapes_are_refused() {
        assert_eq!(parse_instant("2026-11-02 09:05:00"), None);
        assert_eq!(parse_day("02/11/2026"), None);
    }
}

/// Reading days and instants out of result rows; a malformed value is a conversion error that
/// names the column, never a panic.
pub(crate) mod read {
    use chrono::{DateTime, NaiveDate, Utc};
    use rusqlite::Row;
    use rusqlite::types::Type;

    fn bad(i: usize, value: String) -> rusqlite::Error {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            Type::Text,
            format!("{value:?} is not a day or instant in retain's format").into(),
        )
    }

    pub fn day(row: &Row<'_>, i: usize) -> rusqlite::Result<NaiveDate> {
        let s: String = row.get(i)?;
        super::parse_day(&s).ok_or_else(|| bad(i, s))
    }

    pub fn opt_day(row: &Row<'_>, i: usize) -> rusqlite::Result<Option<NaiveDate>> {
        match row.get::<_, Option<String>>(i)? {
            None => Ok(None),
            Some(s) => super::parse_day(&s).map(Some).ok_or_else(|| bad(i, s)),
        }
    }

    pub fn instant(row: &Row<'_>, i: usize) -> rusqlite::Result<DateTime<Utc>> {
        let s: String = row.get(i)?;
        super::parse_instant(&s).ok_or_else(|| bad(i, s))
    }

    pub fn opt_instant(row: &Row<'_>, i: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
        match row.get::<_, Option<String>>(i)? {
            None => Ok(None),
            Some(s) => super::parse_instant(&s).map(Some).ok_or_else(|| bad(i, s)),
        }
    }
}
