//! Time comes in as a value: `--date` and `SOURCE_DATE_EPOCH` for dates in
//! output, `GIT_RELEASE_NOW` for "now" in policy checks (evidence age,
//! release windows, key validity), so runs are reproducible and testable.

use jiff::Timestamp;

use crate::Error;

/// The moment policy checks run at: `GIT_RELEASE_NOW` (RFC 3339) or now.
pub fn now() -> Result<Timestamp, Error> {
    match std::env::var("GIT_RELEASE_NOW") {
        Ok(text) => text.trim().parse().map_err(|e| {
            Error::refused(
                format!("GIT_RELEASE_NOW `{text}` is not an RFC 3339 time: {e}"),
                &["write it as `2026-11-27T09:00:00Z`, or unset it"],
            )
        }),
        Err(_) => Ok(Timestamp::now()),
    }
}

/// The release date for unreleased changes, in seconds: `--date`, else
/// `SOURCE_DATE_EPOCH`, else now.
pub fn timestamp(date: Option<&str>) -> Result<i64, Error> {
    if let Some(date) = date {
        let parsed: jiff::civil::Date = date.parse().map_err(|e| {
            Error::refused(
                format!("`--date {date}` is not a date: {e}"),
                &["write the date as YYYY-MM-DD"],
            )
        })?;
        return parsed
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp().as_second())
            .map_err(|e| {
                Error::refused(
                    format!("`--date {date}`: {e}"),
                    &["give a date between 0001-01-01 and 9999-12-31"],
                )
            });
    }
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        return epoch.trim().parse::<i64>().map_err(|_| {
            Error::refused(
                format!("SOURCE_DATE_EPOCH `{epoch}` is not a number of seconds"),
                &["set SOURCE_DATE_EPOCH to seconds since 1970, e.g. `$(git log -1 --format=%ct)`"],
            )
        });
    }
    Ok(now()?.as_second())
}

/// The moment a reproducible output is made "as of", when one is pinned:
/// `GIT_RELEASE_NOW`, else `SOURCE_DATE_EPOCH`, with the variable's name.
/// `None` when neither is set (the caller picks a time from the data, never
/// the wall clock).
pub fn pinned() -> Result<Option<(Timestamp, &'static str)>, Error> {
    if std::env::var_os("GIT_RELEASE_NOW").is_some() {
        return Ok(Some((now()?, "GIT_RELEASE_NOW")));
    }
    if std::env::var_os("SOURCE_DATE_EPOCH").is_some() {
        let seconds = timestamp(None)?;
        let at = Timestamp::from_second(seconds).map_err(|e| {
            Error::refused(
                format!("SOURCE_DATE_EPOCH `{seconds}` is out of range: {e}"),
                &["set SOURCE_DATE_EPOCH to seconds since 1970, e.g. `$(git log -1 --format=%ct)`"],
            )
        })?;
        return Ok(Some((at, "SOURCE_DATE_EPOCH")));
    }
    Ok(None)
}
