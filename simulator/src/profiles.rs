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

/// Unit of the values of a gsy-e profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GsyUnit {
    /// Mean power in W over the interval that starts at the row's time (gsy-e's `POWER(W)`).
    #[default]
    W,
    /// Energy in kWh during the interval.
    Kwh,
}

fn round_wh(value: f64, row: usize) -> anyhow::Result<u64> {
    if !value.is_finite() || value < 0.0 {
        bail!("line {row}: the value must be a non-negative number");
    }
    Ok(value.round_ties_even() as u64)
}

fn equal_steps(times: &[u64]) -> anyhow::Result<u64> {
    if times.len() < 2 {
        bail!("a profile needs at least two steps");
    }
    let step_ms = times[1].saturating_sub(times[0]);
    if step_ms == 0 || times.windows(2).any(|w| w[1] != w[0] + step_ms) {
        bail!("steps must be equally spaced and increasing");
    }
    Ok(step_ms)
}

/// Parses a wide CSV, header `timestamp,<household>,...`, whole Wh per step, and returns one
/// profile per selected column: `columns` by name, or else the first `count` columns (with
/// `reuse`, the columns in order again and again until there are `count`).
///
/// # Errors
/// A bad header, a missing column, too few columns, a ragged row, a bad timestamp or value,
/// or unequal steps.
pub fn parse_wide(
    text: &str,
    columns: Option<&[String]>,
    count: usize,
    reuse: bool,
) -> anyhow::Result<Vec<(String, Profile)>> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .context("the file is empty")?
        .split(',')
        .map(str::trim)
        .collect();
    if header.first() != Some(&"timestamp") || header.len() < 2 {
        bail!("the first line must be `timestamp,<household>,...`");
    }
    let names = &header[1..];
    let picked: Vec<usize> = match columns {
        Some(wanted) => {
            if wanted.len() != count {
                bail!("{} columns named for count = {count}", wanted.len());
            }
            wanted
                .iter()
                .map(|w| {
                    names
                        .iter()
                        .position(|n| n == w)
                        .with_context(|| format!("no column `{w}` in the header"))
                })
                .collect::<anyhow::Result<_>>()?
        }
        None if reuse => (0..count).map(|k| k % names.len()).collect(),
        None => {
            if names.len() < count {
                bail!(
                    "count = {count} but the file has {} columns (`reuse = true` reuses them)",
                    names.len()
                );
            }
            (0..count).collect()
        }
    };
    let mut times = Vec::new();
    let mut values: Vec<Vec<u64>> = vec![Vec::new(); picked.len()];
    for (number, line) in lines.enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let row = number + 2;
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() != header.len() {
            bail!(
                "line {row}: {} fields, the header has {}",
                fields.len(),
                header.len()
            );
        }
        times.push(parse_utc(fields[0]).with_context(|| format!("line {row}"))?);
        for (out, &column) in values.iter_mut().zip(&picked) {
            let value = fields[column + 1];
            out.push(
                value.parse::<u64>().with_context(|| {
                    format!("line {row}: `{value}` is not a whole number of Wh")
                })?,
            );
        }
    }
    let step_ms = equal_steps(&times)?;
    Ok(picked
        .iter()
        .zip(values)
        .map(|(&column, wh)| {
            (
                names[column].to_string(),
                Profile {
                    start_ms: times[0],
                    step_ms,
                    wh,
                },
            )
        })
        .collect())
}

/// Parses a gsy-e style profile: a header line (e.g. `INTERVAL;POWER(W)`), then rows
/// `time;value` or `time,value`. The time is `HH:MM` (a daily profile, repeated `days` times
/// from `start_date`, `YYYY-MM-DD`) or `YYYY-MM-DDTHH:MM` (UTC). Values are converted to whole
/// Wh per step, rounded half to even.
///
/// # Errors
/// A bad row, time or value, unequal steps, or a daily profile without `start_date`/`days`.
pub fn parse_gsy_e(
    text: &str,
    unit: GsyUnit,
    start_date: Option<&str>,
    days: Option<u32>,
) -> anyhow::Result<Profile> {
    let mut lines = text.lines();
    lines.next().context("the file is empty")?;
    let mut times = Vec::new();
    let mut raw = Vec::new();
    let mut daily = None;
    for (number, line) in lines.enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let row = number + 2;
        let (time, value) = line
            .split_once(';')
            .or_else(|| line.split_once(','))
            .with_context(|| format!("line {row}: expected `time;value`"))?;
        let time = time.trim();
        let is_daily = time.len() == 5;
        if *daily.get_or_insert(is_daily) != is_daily {
            bail!("line {row}: mixes HH:MM and full date times");
        }
        let full = if is_daily {
            format!("1970-01-01T{time}:00Z")
        } else if time.len() == 16 {
            format!("{time}:00Z")
        } else {
            time.to_string()
        };
        times.push(parse_utc(&full).with_context(|| format!("line {row}"))?);
        let value: f64 = value
            .trim()
            .parse()
            .with_context(|| format!("line {row}: `{}` is not a number", value.trim()))?;
        if !value.is_finite() || value < 0.0 {
            bail!("line {row}: the value must be a non-negative number");
        }
        raw.push((value, row));
    }
    let step_ms = equal_steps(&times)?;
    let hours = step_ms as f64 / 3_600_000.0;
    let one: Vec<u64> = raw
        .iter()
        .map(|&(v, row)| match unit {
            GsyUnit::W => round_wh(v * hours, row),
            GsyUnit::Kwh => round_wh(v * 1000.0, row),
        })
        .collect::<anyhow::Result<_>>()?;
    if daily != Some(true) {
        return Ok(Profile {
            start_ms: times[0],
            step_ms,
            wh: one,
        });
    }
    if times[0] != 0 || one.len() as u64 * step_ms != 86_400_000 {
        bail!("a daily HH:MM profile must cover 00:00 to the end of the day");
    }
    let (Some(date), Some(days)) = (start_date, days) else {
        bail!("a daily HH:MM profile needs `start_date` and `days`");
    };
    let start_ms = parse_utc(&format!("{date}T00:00:00Z")).context("start_date")?;
    Ok(Profile {
        start_ms,
        step_ms,
        wh: one.repeat(days as usize),
    })
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
    const T0: &str = "2021-01-01T00:00:00Z";
    const T1: &str = "2021-01-01T01:00:00Z";

    fn wide_error(text: &str, columns: Option<&[String]>, count: usize) -> String {
        format!("{:#}", parse_wide(text, columns, count, false).unwrap_err())
    }

    fn gsy_error(text: &str) -> String {
        format!(
            "{:#}",
            parse_gsy_e(text, GsyUnit::W, None, None).unwrap_err()
        )
    }

    #[test]
    fn parses_wide_profiles() {
        let text = format!("timestamp,a,b,c\n{T0},1,2,3\n{T1},4,5,6\n");
        let all = parse_wide(&text, None, 2, false).unwrap();
        assert_eq!(all[0].0, "a");
        assert_eq!(all[1].1.wh, vec![2, 5]);
        assert_eq!(all[1].1.step_ms, 3_600_000);
        let named = parse_wide(&text, Some(&["c".to_string()]), 1, false).unwrap();
        assert_eq!(named[0].1.wh, vec![3, 6]);
        assert!(wide_error(&text, Some(&["x".to_string()]), 1).contains("no column `x`"));
        assert!(wide_error(&text, None, 4).contains("has 3 columns"));
        let reused = parse_wide(&text, None, 4, true).unwrap();
        let names: Vec<&str> = reused.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c", "a"]);
        assert_eq!(reused[3].1.wh, reused[0].1.wh);
        let fraction = format!("timestamp,a\n{T0},1.5\n{T1},1\n");
        assert!(wide_error(&fraction, None, 1).contains("whole number"));
        let negative = format!("timestamp,a\n{T0},-1\n{T1},1\n");
        assert!(wide_error(&negative, None, 1).contains("whole number"));
        let ragged = format!("timestamp,a,b\n{T0},1\n{T1},1,2\n");
        assert!(wide_error(&ragged, None, 1).contains("fields"));
        let gap = format!("timestamp,a\n{T0},1\n2021-01-01T03:00:00Z,1\n2021-01-01T04:00:00Z,1\n");
        assert!(wide_error(&gap, None, 1).contains("equally spaced"));
        assert!(wide_error("time,a\n", None, 1).contains("first line"));
    }

    #[test]
    fn parses_gsy_e_profiles() {
        let dated = "INTERVAL,POWER(W)\n\
                     2019-01-01T00:00,10.0\n2019-01-01T00:15,2.0\n2019-01-01T00:30,6.0\n";
        let profile = parse_gsy_e(dated, GsyUnit::W, None, None).unwrap();
        assert_eq!(profile.step_ms, 900_000);
        // 10 W for 15 min = 2.5 Wh -> 2 (ties to even), 0.5 -> 0, 1.5 -> 2.
        assert_eq!(profile.wh, vec![2, 0, 2]);
        let mut daily = String::from("INTERVAL;ENERGY(kWh)\n");
        for hour in 0..24 {
            daily.push_str(&format!("{hour:02}:00;0.{hour:02}\n"));
        }
        let profile = parse_gsy_e(&daily, GsyUnit::Kwh, Some("2021-01-01"), Some(2)).unwrap();
        assert_eq!(profile.start_ms, 1_609_459_200_000);
        assert_eq!(profile.wh.len(), 48);
        assert_eq!(
            (profile.wh[1], profile.wh[23], profile.wh[25]),
            (10, 230, 10)
        );
        assert!(gsy_error(&daily).contains("start_date"));
        assert!(gsy_error("I;P\n00:00;1\n00:30;1\n").contains("end of the day"));
        assert!(gsy_error("I;P\n00:00;-1\n00:30;1\n").contains("non-negative"));
        assert!(gsy_error("I;P\n00:00;x\n00:30;1\n").contains("not a number"));
        assert!(gsy_error("I;P\n00:00;1\n2019-01-01T00:15;1\n").contains("mixes"));
        let gap = "I;P\n2019-01-01T00:00;1\n2019-01-01T00:15;1\n2019-01-01T00:45;1\n";
        assert!(gsy_error(gap).contains("equally"));
    }
}
