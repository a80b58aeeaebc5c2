//! The order of records: the order they were recorded in, not the second
//! on their clock. Every record carries `seq=N`, a hybrid logical clock:
//! the recording time in microseconds since 1970, raised to one more than
//! the highest `seq` already in the notes ref when the clock is behind (or
//! several records fall in one microsecond). So a record is ordered after
//! every record its writer could see — everything earlier in the same
//! clone, and everything a `sync` brought in — and records made
//! independently in two clones fall in clock order. Records written before
//! `seq` existed order by their `at` second (as that second's first
//! microsecond), ahead of newer records in the same second. Pure.

use jiff::Timestamp;

use crate::gate::record_fields;

/// A record's place in the order: its `seq`, or its `at` in microseconds.
pub fn key(seq: Option<u64>, at: Option<Timestamp>) -> u64 {
    seq.unwrap_or_else(|| at.map_or(0, micros))
}

/// Microseconds since 1970 (0 before it).
pub fn micros(at: Timestamp) -> u64 {
    u64::try_from(at.as_microsecond()).unwrap_or(0)
}

/// The key of a record line of any kind (`Tested-by`, `Approved-by`,
/// `Deployed-to`), if its fields can be read.
pub fn key_of_line(line: &str) -> Option<u64> {
    let (_, fields) = line.split_once("; ")?;
    let fields = record_fields::parse(fields).ok()?;
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if let Some(seq) = get("seq") {
        return seq.parse().ok();
    }
    get("at")?.parse().ok().map(micros)
}

/// The `seq` for a record made at `now` in a notes ref holding `notes`:
/// `now` in microseconds, or one more than every record there.
pub fn next<'a>(notes: impl IntoIterator<Item = &'a str>, now: Timestamp) -> u64 {
    let highest = notes
        .into_iter()
        .flat_map(str::lines)
        .filter_map(key_of_line)
        .max();
    match highest {
        Some(highest) => micros(now).max(highest.saturating_add(1)),
        None => micros(now),
    }
}

/// Parses a `seq` field's value.
pub fn parse_seq(value: &str) -> Result<u64, String> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`seq` must be a whole number, found `{value}`"));
    }
    value
        .parse()
        .map_err(|_| format!("`seq` is too large: `{value}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn next_follows_the_clock_and_never_goes_back() {
        let now = t("2026-11-27T10:00:00.5Z");
        assert_eq!(next([], now), micros(now));
        // Old records order by their second; the clock is ahead of them.
        let old = "Deployed-to: prod succeeded; tag=v1; commit=x; at=2026-11-27T10:00:00Z; by=x";
        assert_eq!(next([old], now), micros(now));
        // Several records in one instant (a pinned clock): strictly increasing.
        let pinned = t("2026-11-27T10:00:00Z");
        let first = next([old], pinned);
        assert_eq!(first, micros(pinned) + 1);
        let line = format!("Approved-by: A <a@x>; tag=v1; at=2026-11-27T10:00:00Z; seq={first}");
        let note = format!("{old}\n{line}\n");
        assert_eq!(next([note.as_str()], pinned), first + 1);
        // A clock behind the records still orders after them.
        assert_eq!(next([note.as_str()], t("2020-01-01T00:00:00Z")), first + 1);
        // Unreadable lines do not count; a huge seq saturates.
        assert_eq!(next(["garbage", "Tested-by: x"], pinned), micros(pinned));
        let huge = format!("Tested-by: A <a@x>; seq={}", u64::MAX);
        assert_eq!(next([huge.as_str()], pinned), u64::MAX);
    }

    #[test]
    fn keys_and_seq_values() {
        assert_eq!(key(Some(7), Some(t("2026-01-01T00:00:00Z"))), 7);
        assert_eq!(key(None, Some(t("1970-01-01T00:00:01Z"))), 1_000_000);
        assert_eq!(key(None, None), 0);
        assert_eq!(parse_seq("12"), Ok(12));
        for bad in ["", "-1", "1.5", "x", "99999999999999999999999"] {
            assert!(parse_seq(bad).is_err(), "{bad}");
        }
    }
}
