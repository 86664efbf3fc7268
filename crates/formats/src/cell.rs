//! Cleaners and parsers for single cells, as platform exports write them.
//!
//! Every parser first runs [`clean_text`], so `="123"`, a leading tab or apostrophe, and the
//! placeholders `-`, `--` and `null` are handled everywhere. Parsers return `Ok(None)` for an empty
//! cell and `Err` for text that is not what the column needs; they never panic.
//!
//! Rates and ratios are integers in **parts per 10,000** (万分之一, "basis points"): `3.27%` → 327,
//! `0.0327` → 327 (a plain number is a fraction, as spreadsheets store percentages), a ROI of `3.52`
//! → 35,200. Values are rounded to the nearest part, halves away from zero.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use zhanggui_domain::Money;

use crate::error::CellError;

pub use crate::status_text::parse_status;

/// Characters trimmed from both ends of every cell: whitespace (including the full-width space and
/// no-break space), BOM and zero-width characters.
fn is_trim_char(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{feff}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{a0}')
}

/// Trims the cell, unwraps `="..."` (spreadsheet text formula), drops a leading tab or apostrophe
/// (both keep long numbers as text) and turns the placeholders `-`, `--`, `—`, `null` into "".
pub fn clean_text(text: &str) -> String {
    let mut t = text.trim_matches(is_trim_char);
    if let Some(inner) = t.strip_prefix("=\"").and_then(|r| r.strip_suffix('"')) {
        t = inner.trim_matches(is_trim_char);
    }
    if let Some(rest) = t.strip_prefix('\'') {
        t = rest.trim_matches(is_trim_char);
    }
    if is_placeholder(t) {
        return String::new();
    }
    t.to_string()
}

fn is_placeholder(t: &str) -> bool {
    matches!(t, "-" | "--" | "—" | "——" | "－") || t.eq_ignore_ascii_case("null") || t.eq_ignore_ascii_case("n/a")
}

/// The largest amount a cell may hold, in fen (¥10,000,000,000,000.00): far above any real figure,
/// and small enough that sums of many cells cannot overflow.
pub const MAX_FEN: i64 = 1_000_000_000_000_000;

/// The largest integer a cell may hold (counts, quantities).
pub const MAX_INT: i64 = 1_000_000_000_000;

/// An amount of money: "1,234.50", "1，234.50", "¥12", "￥12.00", "12元". Empty → `None`. At most
/// [`MAX_FEN`] either way.
pub fn parse_money(text: &str) -> Result<Option<Money>, CellError> {
    let t = clean_text(text);
    if t.is_empty() {
        return Ok(None);
    }
    let m = Money::parse(&t).map_err(|_| CellError::new("not an amount of money", &t))?;
    if m.fen().unsigned_abs() > MAX_FEN.unsigned_abs() {
        return Err(CellError::new("amount too large", &t));
    }
    Ok(Some(m))
}

/// Units stripped from the end of integer cells ("12件", "3人").
const INT_UNITS: [&str; 8] = ["件", "个", "人", "次", "笔", "单", "份", "元"];

/// An integer: "1,234", "12件", "3.00" (a spreadsheet's integral number). Empty → `None`. At most
/// [`MAX_INT`] either way.
pub fn parse_int(text: &str) -> Result<Option<i64>, CellError> {
    let t = clean_text(text);
    if t.is_empty() {
        return Ok(None);
    }
    let mut s = t.as_str();
    for unit in INT_UNITS {
        if let Some(rest) = s.strip_suffix(unit) {
            s = rest.trim();
            break;
        }
    }
    let d = Decimal::parse(s).ok_or_else(|| CellError::new("not a whole number", &t))?;
    if d.frac.bytes().any(|b| b != b'0') {
        return Err(CellError::new("not a whole number", &t));
    }
    match d.scaled(0) {
        Some(n) if n.unsigned_abs() <= MAX_INT.unsigned_abs() => Ok(Some(n)),
        _ => Err(CellError::new("number too large", &t)),
    }
}

/// A percentage or fraction as parts per 10,000: "3.27%" → 327, "0.0327" → 327, "100%" → 10,000.
/// Empty → `None`.
pub fn parse_percent(text: &str) -> Result<Option<i64>, CellError> {
    let t = clean_text(text);
    if t.is_empty() {
        return Ok(None);
    }
    let (body, places) = match t.strip_suffix('%').or_else(|| t.strip_suffix('％')) {
        Some(b) => (b.trim(), 2),
        None => (t.as_str(), 4),
    };
    let d = Decimal::parse(body).ok_or_else(|| CellError::new("not a percentage", &t))?;
    d.scaled(places).map(Some).ok_or_else(|| CellError::new("percentage too large", &t))
}

/// A plain decimal multiplied by 10^`places` and rounded (halves away from zero): with `places = 4`,
/// "3.52" → 35,200 (ratios such as ROI in parts per 10,000). Thousands separators allowed. Empty → `None`.
pub fn parse_scaled(text: &str, places: u32) -> Result<Option<i64>, CellError> {
    let t = clean_text(text);
    if t.is_empty() {
        return Ok(None);
    }
    if places > 18 {
        return Err(CellError::new("too many decimal places asked for", &t));
    }
    let d = Decimal::parse(&t).ok_or_else(|| CellError::new("not a number", &t))?;
    d.scaled(places).map(Some).ok_or_else(|| CellError::new("number too large", &t))
}

/// A decimal number split into its digits, so scaling is exact (no floats).
struct Decimal {
    negative: bool,
    int: String,
    frac: String,
}

impl Decimal {
    fn parse(text: &str) -> Option<Decimal> {
        let t = text.trim();
        let (negative, rest) = match t.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let cleaned: String = rest.chars().filter(|c| !matches!(c, ',' | '，' | ' ')).collect();
        let (int, frac) = match cleaned.split_once('.') {
            Some((i, f)) => (i.to_string(), f.to_string()),
            None => (cleaned, String::new()),
        };
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Decimal { negative, int, frac })
    }

    /// The value × 10^places, rounded half away from zero; `None` on overflow.
    fn scaled(&self, places: u32) -> Option<i64> {
        let places = places as usize;
        let int = self.int.trim_start_matches('0');
        if int.len() > 18 {
            return None;
        }
        let mut value: i128 = 0;
        for b in int.bytes() {
            value = value * 10 + i128::from(b - b'0');
        }
        let frac = self.frac.as_bytes();
        for i in 0..places {
            let digit = frac.get(i).map_or(0, |b| i128::from(b - b'0'));
            value = value * 10 + digit;
        }
        if frac.get(places).is_some_and(|b| *b >= b'5') {
            value += 1;
        }
        let value = if self.negative { -value } else { value };
        i64::try_from(value).ok()
    }
}

/// Local date and time as exports write it: "2024-11-11 20:31:05", "2024/11/11 20:31", "2024-11-11",
/// "2024年11月11日 20:31", "20241111", ISO "2024-11-11T20:31:05", or an Excel serial number
/// ("45607.855"). Empty → `None`.
pub fn parse_local_time(text: &str) -> Result<Option<NaiveDateTime>, CellError> {
    let t = clean_text(text);
    if t.is_empty() {
        return Ok(None);
    }
    parse_time_inner(&t).map(Some).ok_or_else(|| CellError::new("not a date and time", &t))
}

/// A date: the same forms as [`parse_local_time`]; a time of day, if present, is dropped. Empty → `None`.
pub fn parse_local_date(text: &str) -> Result<Option<NaiveDate>, CellError> {
    let t = clean_text(text);
    if t.is_empty() {
        return Ok(None);
    }
    parse_time_inner(&t).map(|dt| Some(dt.date())).ok_or_else(|| CellError::new("not a date", &t))
}

fn parse_time_inner(t: &str) -> Option<NaiveDateTime> {
    if t.len() > 40 {
        return None;
    }
    if let Some(dt) = excel_serial(t) {
        return Some(dt);
    }
    // The date part: "/", "." and 年/月 separate, 日 ends; the time part: full-width colons allowed,
    // fractions of a second dropped (exports mean whole seconds).
    let t = t.trim_end_matches('Z');
    let (date_part, time_part) = match t.find(|c: char| c == 'T' || c.is_whitespace()) {
        Some(i) => {
            let (d, rest) = t.split_at(i);
            (d, rest.trim_start_matches(|c: char| c == 'T' || c.is_whitespace()))
        }
        None => (t, ""),
    };
    let date_part = date_part.trim_end_matches('日');
    let mut d = String::with_capacity(date_part.len());
    for c in date_part.chars() {
        match c {
            '/' | '.' | '年' | '月' => d.push('-'),
            _ => d.push(c),
        }
    }
    if time_part.is_empty() && d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(&d, "%Y%m%d").ok().map(|d| d.and_time(NaiveTime::MIN));
    }
    if time_part.is_empty() && d.len() == 14 && d.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDateTime::parse_from_str(&d, "%Y%m%d%H%M%S").ok();
    }
    if time_part.is_empty() {
        return NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok().map(|d| d.and_time(NaiveTime::MIN));
    }
    let time: String = time_part.trim().chars().map(|c| if c == '：' { ':' } else { c }).collect();
    let time = time.split_once('.').map_or(time.as_str(), |(whole, _)| whole);
    let s = format!("{d} {time}");
    ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"].iter().find_map(|f| NaiveDateTime::parse_from_str(&s, f).ok())
}

/// Excel's serial date (1900 system, days since 1899-12-30; the fraction is the time of day), as a
/// CSV saved from a date cell may show it. Accepted between 1 (1900-01-01) and 2,958,465 (9999-12-31);
/// plain integers need at most 6 digits so "20241111" stays a compact date.
fn excel_serial(t: &str) -> Option<NaiveDateTime> {
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    if int.is_empty() || int.len() > 7 || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) || (frac.is_empty() && int.len() > 6) {
        return None;
    }
    let days: i64 = int.parse().ok()?;
    if !(1..=2_958_465).contains(&days) {
        return None;
    }
    // Seconds of the day from the fraction, exactly: 0.5 → 43200.
    let mut millis_num: i128 = 0;
    let mut denom: i128 = 1;
    for b in frac.bytes().take(15) {
        millis_num = millis_num * 10 + i128::from(b - b'0');
        denom *= 10;
    }
    let seconds = ((millis_num * 86_400 * 2 + denom) / (denom * 2)) as i64; // rounded to the nearest second
    excel_day_to_datetime(days, seconds)
}

/// 1899-12-30 + `days` + `seconds` (Excel's 1900 date system, with its fictitious 1900-02-29 below 61).
pub(crate) fn excel_day_to_datetime(days: i64, seconds: i64) -> Option<NaiveDateTime> {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_time(NaiveTime::MIN);
    let days = if days < 61 { days + 1 } else { days };
    epoch.checked_add_signed(Duration::try_days(days)?)?.checked_add_signed(Duration::try_seconds(seconds)?)
}

/// Sale properties as one normal form: "颜色分类：黑色；尺码：M" → "颜色分类:黑色;尺码:M" (half-width
/// separators, no spaces around them, no trailing separator).
pub fn normalize_properties(text: &str) -> String {
    let t = clean_text(text);
    let mut parts = Vec::new();
    for part in t.split([';', '；']) {
        let part = part.trim_matches(is_trim_char);
        if part.is_empty() {
            continue;
        }
        match part.split_once([':', '：']) {
            Some((k, v)) => parts.push(format!("{}:{}", k.trim_matches(is_trim_char), v.trim_matches(is_trim_char))),
            None => parts.push(part.to_string()),
        }
    }
    parts.join(";")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap_or_default()
    }

    #[test]
    fn clean_text_strips_spreadsheet_wrappers() {
        assert_eq!(clean_text("  =\"2287654321098765432\" "), "2287654321098765432");
        assert_eq!(clean_text("\t2287654321098765432"), "2287654321098765432");
        assert_eq!(clean_text("'13812345678"), "13812345678");
        assert_eq!(clean_text("\u{feff}订单编号\u{3000}"), "订单编号");
        for empty in ["-", "--", "null", "NULL", " — ", "=\"\"", "=\"-\""] {
            assert_eq!(clean_text(empty), "", "{empty:?}");
        }
        assert_eq!(clean_text("-5.00"), "-5.00");
        assert_eq!(clean_text("a-b"), "a-b");
    }

    #[test]
    fn money_in_export_forms() {
        assert_eq!(parse_money("1,234.50"), Ok(Some(Money::from_fen(123_450))));
        assert_eq!(parse_money("1，234.50"), Ok(Some(Money::from_fen(123_450))));
        assert_eq!(parse_money("¥12"), Ok(Some(Money::from_fen(1200))));
        assert_eq!(parse_money("￥12.5"), Ok(Some(Money::from_fen(1250))));
        assert_eq!(parse_money("=\"88.00\""), Ok(Some(Money::from_fen(8800))));
        assert_eq!(parse_money("-"), Ok(None));
        assert_eq!(parse_money(""), Ok(None));
        assert!(parse_money("12.3.4").is_err());
        assert!(parse_money("abc").is_err());
        assert!(parse_money("1.234").is_err());
        assert!(parse_money("99999999999999999").is_err());
        assert_eq!(parse_money("10000000000000.00"), Ok(Some(Money::from_fen(MAX_FEN))));
    }

    #[test]
    fn integers_with_units_and_separators() {
        assert_eq!(parse_int("1,234"), Ok(Some(1234)));
        assert_eq!(parse_int("12件"), Ok(Some(12)));
        assert_eq!(parse_int("3.00"), Ok(Some(3)));
        assert_eq!(parse_int("-7"), Ok(Some(-7)));
        assert_eq!(parse_int("--"), Ok(None));
        assert!(parse_int("3.5").is_err());
        assert!(parse_int("两件").is_err());
        assert!(parse_int("99999999999999999999").is_err());
        assert!(parse_int("1000000000001").is_err());
        assert!(parse_scaled("1", 40).is_err());
    }

    #[test]
    fn percentages_are_parts_per_ten_thousand() {
        assert_eq!(parse_percent("3.27%"), Ok(Some(327)));
        assert_eq!(parse_percent("0.0327"), Ok(Some(327)));
        assert_eq!(parse_percent("100%"), Ok(Some(10_000)));
        assert_eq!(parse_percent("12.345%"), Ok(Some(1235)));
        assert_eq!(parse_percent("-1.5%"), Ok(Some(-150)));
        assert_eq!(parse_percent("3.27％"), Ok(Some(327)));
        assert_eq!(parse_percent(""), Ok(None));
        assert!(parse_percent("abc%").is_err());
        assert_eq!(parse_scaled("3.52", 4), Ok(Some(35_200)));
        assert_eq!(parse_scaled("1,234.5", 2), Ok(Some(123_450)));
    }

    #[test]
    fn local_times_in_every_form() {
        let want = dt("2024-11-11 20:31:05");
        assert_eq!(parse_local_time("2024-11-11 20:31:05"), Ok(Some(want)));
        assert_eq!(parse_local_time("2024/11/11 20:31:05"), Ok(Some(want)));
        assert_eq!(parse_local_time("2024-11-11T20:31:05"), Ok(Some(want)));
        assert_eq!(parse_local_time("2024-11-11 20:31:05.000"), Ok(Some(want)));
        assert_eq!(parse_local_time("2024/11/11 20:31"), Ok(Some(dt("2024-11-11 20:31:00"))));
        assert_eq!(parse_local_time("2024-11-11 20:31"), Ok(Some(dt("2024-11-11 20:31:00"))));
        assert_eq!(parse_local_time("2024/1/5 8:05"), Ok(Some(dt("2024-01-05 08:05:00"))));
        assert_eq!(parse_local_time("2024-11-11"), Ok(Some(dt("2024-11-11 00:00:00"))));
        assert_eq!(parse_local_time("2024年11月11日 20:31"), Ok(Some(dt("2024-11-11 20:31:00"))));
        assert_eq!(parse_local_time("20241111"), Ok(Some(dt("2024-11-11 00:00:00"))));
        assert_eq!(parse_local_time("45607"), Ok(Some(dt("2024-11-11 00:00:00"))));
        assert_eq!(parse_local_time("45607.855"), Ok(Some(dt("2024-11-11 20:31:12"))));
        assert_eq!(parse_local_time("-"), Ok(None));
        assert!(parse_local_time("2024-13-45 25:61:00").is_err());
        assert!(parse_local_time("昨天").is_err());
        assert!(parse_local_time("0").is_err());
        assert_eq!(parse_local_date("2024-11-11 20:31:05"), Ok(NaiveDate::from_ymd_opt(2024, 11, 11)));
    }

    #[test]
    fn properties_get_one_form() {
        assert_eq!(normalize_properties("颜色分类：黑色；尺码：M；"), "颜色分类:黑色;尺码:M");
        assert_eq!(normalize_properties("颜色分类:黑色; 尺码:M"), "颜色分类:黑色;尺码:M");
        assert_eq!(normalize_properties("-"), "");
    }
}
