//! Times as shops see them: stored in UTC, shown and entered in the shop's time zone.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The company's time zone, Asia/Shanghai when the setting is not a known zone.
pub fn zone(name: &str) -> Tz {
    name.parse::<Tz>().unwrap_or(chrono_tz::Asia::Shanghai)
}

/// "2024-11-11 20:31:05" in the zone.
pub fn format_local(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The local calendar day of a moment.
pub fn local_day(t: DateTime<Utc>, tz: Tz) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

/// The first instant of a local day.
pub fn day_start(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    tz.from_local_datetime(&naive).earliest().map(|t| t.with_timezone(&Utc)).unwrap_or_else(|| naive.and_utc())
}

/// Parses a local time as people and exports write it: "2024-11-11 20:31:05", "2024/11/11 20:31",
/// "2024-11-11T20:31:05", or a bare date (midnight).
pub fn parse_local(text: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let t = text.trim();
    const FORMATS: [&str; 6] = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y%m%d%H%M%S",
    ];
    for f in FORMATS {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t, f) {
            return tz.from_local_datetime(&naive).earliest().map(|x| x.with_timezone(&Utc));
        }
    }
    for f in ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"] {
        if let Ok(day) = NaiveDate::parse_from_str(t, f) {
            return Some(day_start(day, tz));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shanghai_is_eight_hours_ahead() {
        let tz = zone("Asia/Shanghai");
        let t = parse_local("2024-11-11 00:30:00", tz).unwrap_or_default();
        assert_eq!(t.to_rfc3339(), "2024-11-10T16:30:00+00:00");
        assert_eq!(format_local(t, tz), "2024-11-11 00:30:00");
        assert_eq!(local_day(t, tz).to_string(), "2024-11-11");
        assert_eq!(parse_local("2024/11/11 00:30", tz), Some(t - chrono::Duration::seconds(0)));
        assert_eq!(parse_local("2024-11-11", tz).map(|d| d.to_rfc3339()), Some("2024-11-10T16:00:00+00:00".into()));
        assert_eq!(parse_local("yesterday", tz), None);
        assert_eq!(zone("Mars/Olympus"), chrono_tz::Asia::Shanghai);
    }
}
