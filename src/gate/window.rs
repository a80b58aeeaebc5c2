//! Release windows: allowed weekdays and hours in a time zone, and freeze
//! periods. Pure: a moment in, a verdict out.

use jiff::Timestamp;
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use serde::Deserialize;

/// `[gate.window]`: allowed days and hours, and freeze periods.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct WindowConfig {
    /// Allowed weekdays (`mon` … `sun`); empty means every day.
    pub days: Vec<String>,
    /// Allowed hours, `HH:MM-HH:MM`; unset means all day.
    pub hours: Option<String>,
    /// The time zone of days and hours (IANA name). Default `UTC`.
    pub timezone: Option<String>,
    /// Periods with no releases.
    pub freeze: Vec<FreezeConfig>,
}

/// One freeze period, dates inclusive.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FreezeConfig {
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, `YYYY-MM-DD`.
    pub to: String,
    /// Why.
    #[serde(default)]
    pub reason: String,
}

/// A resolved release window.
#[derive(Debug, Clone)]
pub struct Window {
    days: Vec<Weekday>,
    hours: Option<(Time, Time)>,
    zone: TimeZone,
    zone_name: String,
    freezes: Vec<(Date, Date, String)>,
}

const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Monday),
    ("tue", Weekday::Tuesday),
    ("wed", Weekday::Wednesday),
    ("thu", Weekday::Thursday),
    ("fri", Weekday::Friday),
    ("sat", Weekday::Saturday),
    ("sun", Weekday::Sunday),
];

fn day_name(day: Weekday) -> &'static str {
    DAYS.iter().find(|(_, d)| *d == day).map_or("?", |(n, _)| n)
}

fn parse_time(text: &str) -> Result<Time, String> {
    let (h, m) = text
        .trim()
        .split_once(':')
        .ok_or_else(|| format!("`{text}` is not a time; write `HH:MM`"))?;
    let h: i8 = h
        .parse()
        .map_err(|_| format!("`{text}` is not a time; write `HH:MM`"))?;
    let m: i8 = m
        .parse()
        .map_err(|_| format!("`{text}` is not a time; write `HH:MM`"))?;
    if h == 24 && m == 0 {
        return Ok(Time::MAX);
    }
    Time::new(h, m, 0, 0).map_err(|_| format!("`{text}` is not a time of day"))
}

impl Window {
    /// Checks and resolves the configuration.
    pub fn from_config(config: &WindowConfig) -> Result<Window, String> {
        let mut days = Vec::new();
        for day in &config.days {
            let key = day.trim().to_ascii_lowercase();
            let key = key.get(..3).unwrap_or(&key);
            match DAYS.iter().find(|(n, _)| *n == key) {
                Some((_, d)) => days.push(*d),
                None => return Err(format!("`{day}` is not a weekday; use `mon` … `sun`")),
            }
        }
        let hours = match &config.hours {
            Some(range) => {
                let (from, to) = range
                    .split_once('-')
                    .ok_or_else(|| format!("hours `{range}` must look like `09:00-17:00`"))?;
                let (from, to) = (parse_time(from)?, parse_time(to)?);
                if from >= to {
                    return Err(format!("hours `{range}` end before they start"));
                }
                Some((from, to))
            }
            None => None,
        };
        let zone_name = config.timezone.clone().unwrap_or_else(|| "UTC".to_owned());
        let zone = TimeZone::get(&zone_name).map_err(|_| {
            format!("unknown time zone `{zone_name}`; use an IANA name such as `Europe/Berlin`")
        })?;
        let mut freezes = Vec::new();
        for freeze in &config.freeze {
            let from: Date = freeze
                .from
                .parse()
                .map_err(|_| format!("freeze date `{}` is not `YYYY-MM-DD`", freeze.from))?;
            let to: Date = freeze
                .to
                .parse()
                .map_err(|_| format!("freeze date `{}` is not `YYYY-MM-DD`", freeze.to))?;
            if to < from {
                return Err(format!(
                    "freeze `{}` to `{}` ends before it starts",
                    freeze.from, freeze.to
                ));
            }
            freezes.push((from, to, freeze.reason.clone()));
        }
        Ok(Window {
            days,
            hours,
            zone,
            zone_name,
            freezes,
        })
    }

    /// `Ok(description)` when `now` is inside the window, else `Err(why not)`.
    pub fn check(&self, now: Timestamp) -> Result<String, String> {
        let local = now.to_zoned_datetime(self.zone.clone());
        let date = local.date();
        let time = local.time();
        let when = format!(
            "{} {} {}",
            day_name(date.weekday()),
            local.strftime("%Y-%m-%d %H:%M"),
            self.zone_name
        );
        for (from, to, reason) in &self.freezes {
            if *from <= date && date <= *to {
                let why = if reason.is_empty() {
                    String::new()
                } else {
                    format!(" ({reason})")
                };
                return Err(format!("{when} is in the freeze from {from} to {to}{why}"));
            }
        }
        if !self.days.is_empty() && !self.days.contains(&date.weekday()) {
            let allowed: Vec<&str> = self.days.iter().map(|d| day_name(*d)).collect();
            return Err(format!(
                "{when} is not on an allowed day ({})",
                allowed.join(", ")
            ));
        }
        if let Some((from, to)) = self.hours {
            if time < from || time >= to {
                return Err(format!(
                    "{when} is outside the allowed hours {}-{}",
                    from.strftime("%H:%M"),
                    to.strftime("%H:%M")
                ));
            }
        }
        Ok(format!("{when} is inside the release window"))
    }
}

#[cfg(test)]
mod tests {
    use super::FreezeConfig;
    use super::*;

    fn window() -> Window {
        Window::from_config(&WindowConfig {
            days: vec!["mon".into(), "Tuesday".into(), "wed".into(), "thu".into()],
            hours: Some("09:00-16:00".into()),
            timezone: Some("Europe/Berlin".into()),
            freeze: vec![FreezeConfig {
                from: "2026-12-21".into(),
                to: "2027-01-04".into(),
                reason: "holidays".into(),
            }],
        })
        .unwrap()
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn inside_and_outside() {
        let w = window();
        // Thursday 2026-11-26 10:00 in Berlin (09:00 UTC).
        assert!(w.check(at("2026-11-26T09:00:00Z")).is_ok());
        // Thursday 16:30 Berlin.
        assert!(
            w.check(at("2026-11-26T15:30:00Z"))
                .unwrap_err()
                .contains("allowed hours")
        );
        // Friday.
        assert!(
            w.check(at("2026-11-27T09:00:00Z"))
                .unwrap_err()
                .contains("allowed day")
        );
        // In the freeze (a Tuesday).
        let err = w.check(at("2026-12-22T09:00:00Z")).unwrap_err();
        assert!(err.contains("freeze") && err.contains("holidays"), "{err}");
    }

    #[test]
    fn bad_config() {
        for (days, hours, tz) in [
            (vec!["funday"], None, None),
            (vec![], Some("9-5"), None),
            (vec![], Some("17:00-09:00"), None),
            (vec![], None, Some("Mars/Olympus")),
        ] {
            let config = WindowConfig {
                days: days.into_iter().map(str::to_owned).collect(),
                hours: hours.map(str::to_owned),
                timezone: tz.map(str::to_owned),
                freeze: Vec::new(),
            };
            assert!(Window::from_config(&config).is_err());
        }
    }
}
