//! How days and instants are written as text in the database (see the top of schema.sql), and
//! read back.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

const INSTANT: &str = "%Y-%m-%dT%H:%M:%SZ";
const DAY: &str = "%Y-%m-%d";

pub fn instant(t: &DateTime<Utc>) -> String {
    t.format(INSTANT).to_string()
}

pub fn day(d: NaiveDate) -> String {
    d.format(DAY).to_string()
}

/// Reads `YYYY-MM-DDTHH:MM:SSZ` exactly. By hand rather than through a format string: scoring
/// reads hundreds of thousands of these, and chrono's general parser was a tenth of its time.
pub fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    if b.len() != 20 || b[10] != b'T' || b[13] != b':' || b[16] != b':' || b[19] != b'Z' {
        return None;
    }
    let time = NaiveTime::from_hms_opt(
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    )?;
    Some(parse_day(&s[..10])?.and_time(time).and_utc())
}

/// Reads `YYYY-MM-DD` exactly.
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(&b[..4])?).ok()?;
    NaiveDate::from_ymd_opt(year, digits(&b[5..7])?, digits(&b[8..10])?)
}

/// The number written by a run of ASCII digits, nothing else.
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

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
    fn every_day_and_time_reads_back_as_chrono_wrote_it() {
        let mut d = NaiveDate::from_ymd_opt(1999, 12, 25).unwrap();
        while d.year() < 2031 {
            assert_eq!(parse_day(&day(d)), Some(d));
            let t = d
                .and_hms_opt(d.ordinal() % 24, d.day() * 59 / 31, d.month() * 4)
                .unwrap()
                .and_utc();
            assert_eq!(parse_instant(&instant(&t)), Some(t));
            d = d.succ_opt().unwrap();
        }
    }

    #[test]
    fn other_shapes_are_refused() {
        for bad in [
            "2026-11-02 09:05:00",
            "2026-11-02 09:05:00Z",
            "2026-11-02T09:05:00",
            "2026-11-02T09:05:00+01:00",
            "2026-11-02T24:00:00Z",
            "2026-11-02T09:05:60Z",
            "2026-11-0xT09:05:00Z",
            "2026-11-02T09:05:00ZZ",
        ] {
            assert_eq!(parse_instant(bad), None, "{bad}");
        }
        for bad in [
            "02/11/2026",
            "2026-02-30",
            "2026-13-01",
            "2026-1-01",
            "+026-11-02",
            "2026-11-02 ",
        ] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
    }
}

/// Reading days and instants out of result rows; a malformed value is a conversion error that
/// names the column, never a panic.
pub(crate) mod read {
    use chrono::{DateTime, NaiveDate, Utc};

    use crate::store::sql::{self, ColumnIndex, Row, Statement};

    /// The positions of `names` among a statement's result columns, looked up once before its
    /// rows are read: each row is then read by position at no cost, and a column renamed or
    /// dropped from the SELECT fails at once, never read as its neighbour.
    pub fn columns<const N: usize>(
        stmt: &Statement<'_>,
        names: [&str; N],
    ) -> sql::Result<[usize; N]> {
        let mut at = [0; N];
        for (slot, name) in at.iter_mut().zip(names) {
            *slot = stmt.column_index(name)?;
        }
        Ok(at)
    }

    fn bad(row: &Row<'_>, i: usize, value: String) -> sql::Error {
        sql::Error::Conversion {
            column: row.column_name(i),
            why: format!("{value:?} is not a day or instant in retain's format"),
        }
    }

    pub fn day<I: ColumnIndex>(row: &Row<'_>, i: I) -> sql::Result<NaiveDate> {
        let i = i.position(row)?;
        let s: String = row.get(i)?;
        super::parse_day(&s).ok_or_else(|| bad(row, i, s))
    }

    pub fn opt_day<I: ColumnIndex>(row: &Row<'_>, i: I) -> sql::Result<Option<NaiveDate>> {
        let i = i.position(row)?;
        match row.get::<_, Option<String>>(i)? {
            None => Ok(None),
            Some(s) => super::parse_day(&s).map(Some).ok_or_else(|| bad(row, i, s)),
        }
    }

    pub fn instant<I: ColumnIndex>(row: &Row<'_>, i: I) -> sql::Result<DateTime<Utc>> {
        let i = i.position(row)?;
        let s: String = row.get(i)?;
        super::parse_instant(&s).ok_or_else(|| bad(row, i, s))
    }

    pub fn opt_instant<I: ColumnIndex>(row: &Row<'_>, i: I) -> sql::Result<Option<DateTime<Utc>>> {
        let i = i.position(row)?;
        match row.get::<_, Option<String>>(i)? {
            None => Ok(None),
            Some(s) => super::parse_instant(&s)
                .map(Some)
                .ok_or_else(|| bad(row, i, s)),
        }
    }
}
