//! Profiles: one CSV per household or per kWp of PV, header `timestamp,wh`, one row per step
//! with the ISO-8601 UTC start of the step and the energy in Wh during it.

use std::path::Path;

use anyhow::{bail, Context};

/// A profile: equally spaced steps of energy in Wh.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Start of the first step, ms since the epoch (UTC).
    pub start_ms: u64,
    /// Step length, ms.
    pub step_ms: u64,
    /// Energy per step, Wh.
    pub wh: Vec<u64>,
}

impl Profile {
    /// Reads and checks a profile: the header, whole non-negative Wh, equal steps.
    ///
    /// # Errors
    /// Names the file and line of the first problem.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read profile {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("in profile {}", path.display()))
    }

    /// Parses the CSV text of a profile.
    ///
    /// # Errors
    /// A bad header, timestamp or value, fewer than two rows, or unequal steps.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let mut lines = text.lines();
        if lines.next().map(str::trim) != Some("timestamp,wh") {
            bail!("the first line must be `timestamp,wh`");
        }
        let mut times = Vec::new();
        let mut wh = Vec::new();
        for (number, line) in lines.enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let row = number + 2;
            let (time, value) = line
                .split_once(',')
                .with_context(|| format!("line {row}: expected `timestamp,wh`"))?;
            times.push(parse_utc(time.trim()).with_context(|| format!("line {row}"))?);
            wh.push(
                value.trim().parse::<u64>().with_context(|| {
                    format!("line {row}: `{value}` is not a whole number of Wh")
                })?,
            );
        }
        if times.len() < 2 {
            bail!("a profile needs at least two steps");
        }
        let step_ms = times[1].saturating_sub(times[0]);
        if step_ms == 0 || times.windows(2).any(|w| w[1] != w[0] + step_ms) {
            bail!("steps must be equally spaced and increasing");
        }
        Ok(Self {
            start_ms: times[0],
            step_ms,
            wh,
        })
    }

    /// Energy in step `index`, Wh.
    pub fn at(&self, index: usize) -> u64 {
        self.wh[index]
    }
}

/// Parses `YYYY-MM-DDTHH:MM:SSZ` into ms since the epoch.
fn parse_utc(text: &str) -> anyhow::Result<u64> {
    let bytes = text.as_bytes();
    let valid_shape = bytes.len() == 20
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes[10] == b'T'
        && bytes[13] == b':'
        && bytes[16] == b':'
        && bytes[19] == b'Z';
    if !valid_shape {
        bail!("`{text}` is not a UTC timestamp like 2021-01-01T00:00:00Z");
    }
    let number = |range: std::ops::Range<usize>| -> anyhow::Result<u64> {
        text[range]
            .parse::<u64>()
            .with_context(|| format!("`{text}` has a non-numeric field"))
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 59
    {
        bail!("`{text}` is out of range");
    }
    // Days from civil (H. Hinnant), the inverse of `market::month_of`'s algorithm.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Ok(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_profile() {
        let profile =
            Profile::parse("timestamp,wh\n2021-01-01T00:00:00Z,250\n2021-01-01T01:00:00Z,246\n")
                .unwrap();
        assert_eq!(profile.start_ms, 1_609_459_200_000);
        assert_eq!(profile.step_ms, 3_600_000);
        assert_eq!(profile.wh, vec![250, 246]);
        assert_eq!(
            market::month_of(parse_utc("2024-02-29T23:00:00Z").unwrap()),
            202_402
        );
    }

    #[test]
    fn refuses_bad_profiles() {
        assert!(Profile::parse("time,kw\n").is_err());
        assert!(
            Profile::parse("timestamp,wh\n2021-01-01T00:00:00Z,-3\n2021-01-01T01:00:00Z,1\n")
                .is_err()
        );
        assert!(Profile::parse("timestamp,wh\n2021-01-01T00:00:00Z,3\n2021-01-01T02:00:00Z,1\n2021-01-01T03:00:00Z,1\n").is_err());
        assert!(
            Profile::parse("timestamp,wh\n2021-01-01 00:00,3\n2021-01-01T01:00:00Z,1\n").is_err()
        );
    }
}
