//! Money as people read it. Amounts are integers in the currency's minor unit everywhere.

/// The largest amount retain stores, in minor units: ten billion dollars. A million of them
/// still sum within i64, so no total can wrap.
pub const MAX_CENTS: i64 = 1_000_000_000_000;

/// Digits after the decimal point for a currency (ISO 4217); two unless listed.
pub fn minor_digits(currency: &str) -> u32 {
    match currency.to_ascii_uppercase().as_str() {
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" | "UGX" | "XAF" | "XOF" => 0,
        "BHD" | "JOD" | "KWD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// `123456, "USD"` → `1,234.56 USD`.
pub fn format(minor: i64, currency: &str) -> String {
    let plain = major_units(minor, currency);
    let (sign, digits) = plain.split_at(usize::from(plain.starts_with('-')));
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let whole = group_thousands(whole.parse().unwrap_or(0));
    if frac.is_empty() {
        format!("{sign}{whole} {currency}")
    } else {
        format!("{sign}{whole}.{frac} {currency}")
    }
}

/// `123456, "USD"` → `1234.56`: the plain form files carry, read back by imports.
pub fn major_units(minor: i64, currency: &str) -> String {
    let digits = minor_digits(currency);
    let unit = 10i64.pow(digits);
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    if digits == 0 {
        format!("{sign}{abs}")
    } else {
        format!(
            "{sign}{}.{:0width$}",
            abs / unit as u64,
            abs % unit as u64,
            width = digits as usize
        )
    }
}

fn group_thousands(n: u64) -> String {
    let plain = n.to_string();
    let mut out = String::with_capacity(plain.len() + plain.len() / 3);
    for (i, c) in plain.chars().enumerate() {
        if i > 0 && (plain.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_minor_units_by_currency() {
        assert_eq!(format(123_456, "USD"), "1,234.56 USD");
        assert_eq!(format(5, "EUR"), "0.05 EUR");
        assert_eq!(format(-1250, "GBP"), "-12.50 GBP");
        assert_eq!(format(1_234_567, "JPY"), "1,234,567 JPY");
        assert_eq!(format(1_000, "KWD"), "1.000 KWD");
        assert_eq!(format(0, "USD"), "0.00 USD");
        assert_eq!(format(100_000_000, "USD"), "1,000,000.00 USD");
    }
}
