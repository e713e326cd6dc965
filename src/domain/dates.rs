//! Days as reps type them while on the phone: `2026-12-01`, `+3d`, `2w`, `fri`, `tomorrow`,
//! `next week`, `next month`.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

/// The days retain stores: wide enough for any customer's history and plans, narrow enough that
/// every date sum (a renewal, a check-in a year on) stays a four-digit year that sorts as text.
pub const FIRST_DAY: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
pub const LAST_DAY: NaiveDate = NaiveDate::from_ymd_opt(2199, 12, 31).unwrap();

/// `Err` naming the range (as what was expected) when `day` is outside it.
pub fn check_range(day: NaiveDate) -> Result<NaiveDate, String> {
    if (FIRST_DAY..=LAST_DAY).contains(&day) {
        Ok(day)
    } else {
        Err(format!("a day between {FIRST_DAY} and {LAST_DAY}"))
    }
}

pub const FORMS: &str =
    "YYYY-MM-DD, +3d, +2w, +1m, today, tomorrow, a weekday (fri), next week, next month";

/// The day `input` means, seen from `today`. A weekday is the next one after today; `next
/// week` is next Monday. A day outside the range retain keeps is refused.
pub fn parse_day(input: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    check_range(any_day(input, today)?).map_err(|range| format!("{input:?} is not {range}"))
}

/// The first day of a report's default window ending on `to`: twelve calendar months, the
/// current one included (the metrics pane and `retain report` use the same).
pub fn twelve_months_to(to: NaiveDate) -> NaiveDate {
    to.with_day(1)
        .and_then(|d| d.checked_sub_months(Months::new(11)))
        .unwrap_or(to)
}

/// A follow-up day as typed: today or a day to come.
pub fn follow_up_day(input: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let day = parse_day(input, today)?;
    if day < today {
        return Err(format!(
            "{day} has passed: a follow-up is for today or a day to come"
        ));
    }
    Ok(day)
}

fn any_day(input: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let text = input.trim().to_lowercase();
    let text = text.strip_prefix("in ").unwrap_or(&text).trim();
    let fail = || format!("{input:?} is not a day; try {FORMS}");
    if text.is_empty() {
        return Err(fail());
    }
    // Exactly YYYY-MM-DD: chrono alone also reads `26-1-1` as the year 26.
    let b = text.as_bytes();
    if b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
    {
        return Ok(day);
    }
    match text {
        "today" | "now" => return Ok(today),
        "tomorrow" | "tmr" => return Ok(today + Days::new(1)),
        "next week" => {
            let to_monday = 7 - u64::from(today.weekday().num_days_from_monday());
            return Ok(today + Days::new(to_monday));
        }
        "next month" => return today.checked_add_months(Months::new(1)).ok_or_else(fail),
        _ => {}
    }
    if let Ok(weekday) = text.parse::<Weekday>() {
        let ahead =
            (7 + weekday.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
        let ahead = if ahead == 0 { 7 } else { ahead };
        return Ok(today + Days::new(u64::from(ahead)));
    }
    relative(text, today).ok_or_else(fail)
}

/// `+3d`, `3d`, `3 days`, `2w`, `1m`, `+1 month`.
fn relative(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    let text = text.strip_prefix('+').unwrap_or(text).trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let count: u32 = text[..split].parse().ok()?;
    let unit = text[split..].trim();
    match unit {
        "d" | "day" | "days" => today.checked_add_days(Days::new(u64::from(count))),
        "w" | "wk" | "week" | "weeks" => today.checked_add_days(Days::new(7 * u64::from(count))),
        "m" | "mo" | "month" | "months" => today.checked_add_months(Months::new(count)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_follow_up_is_for_a_day_to_come() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(follow_up_day("today", today), Ok(today));
        assert!(follow_up_day("+3d", today).is_ok());
        let err = follow_up_day("2026-11-01", today).unwrap_err();
        assert!(err.contains("2026-11-01 has passed"), "{err}");
    }

    #[test]
    fn days_beyond_the_range_or_loosely_written_are_refused() {
        let today = day("2026-11-22");
        assert!(parse_day("+9999999w", today).is_err());
        assert!(parse_day("+99999m", today).is_err());
        assert!(parse_day("26-1-1", today).is_err());
        assert!(parse_day("1899-12-31", today).is_err());
        assert_eq!(parse_day("2199-12-31", today), Ok(day("2199-12-31")));
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    // 2026-11-22 is a Sunday.
    const SUNDAY: &str = "2026-11-22";

    fn p(input: &str) -> Result<NaiveDate, String> {
        parse_day(input, day(SUNDAY))
    }

    #[test]
    fn iso_days() {
        assert_eq!(p("2026-12-01"), Ok(day("2026-12-01")));
        assert_eq!(p(" 2027-01-31 "), Ok(day("2027-01-31")));
        assert!(p("2026-02-30").is_err());
    }

    #[test]
    fn relative_days_weeks_months() {
        assert_eq!(p("+3d"), Ok(day("2026-11-25")));
        assert_eq!(p("3d"), Ok(day("2026-11-25")));
        assert_eq!(p("in 3 days"), Ok(day("2026-11-25")));
        assert_eq!(p("+2w"), Ok(day("2026-12-06")));
        assert_eq!(p("+1m"), Ok(day("2026-12-22")));
        assert_eq!(p("+0d"), Ok(day(SUNDAY)));
        assert_eq!(parse_day("+1m", day("2027-01-31")), Ok(day("2027-02-28")));
    }

    #[test]
    fn words() {
        assert_eq!(p("today"), Ok(day(SUNDAY)));
        assert_eq!(p("Tomorrow"), Ok(day("2026-11-23")));
        assert_eq!(p("next week"), Ok(day("2026-11-23")), "next Monday");
        assert_eq!(
            parse_day("next week", day("2026-11-23")),
            Ok(day("2026-11-30"))
        );
        assert_eq!(p("next month"), Ok(day("2026-12-22")));
    }

    #[test]
    fn weekdays_are_the_next_one_after_today() {
        assert_eq!(p("fri"), Ok(day("2026-11-27")));
        assert_eq!(p("Friday"), Ok(day("2026-11-27")));
        assert_eq!(p("mon"), Ok(day("2026-11-23")));
        assert_eq!(p("sun"), Ok(day("2026-11-29")), "not today");
    }

    #[test]
    fn nonsense_is_refused_with_the_forms_that_work() {
        for bad in ["", "soon", "+3x", "d3", "12/01/2026", "+d"] {
            let err = p(bad).unwrap_err();
            assert!(err.contains("+3d"), "{bad}: {err}");
        }
    }
}
