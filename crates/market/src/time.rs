//! Market time: intervals from the block timestamp, and the UTC hour and calendar month of a
//! timestamp (for the hourly tariff and monthly bills).

use crate::{IntervalIndex, MarketError, MonthKey, TimestampMs};

const MS_PER_HOUR: u64 = 3_600_000;
const MS_PER_DAY: u64 = 86_400_000;

/// Where a market interval stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum IntervalState {
    /// Not begun yet.
    Future,
    /// The current interval: offers are accepted.
    Open,
    /// Over; sealed offers are being revealed (sealed mode only).
    Revealing,
    /// Over (and revealed), not cleared yet: anyone may close it.
    Ended,
    /// Cleared and settled; final.
    Cleared,
}

/// The market clock: interval `i` covers `[start + i * length, start + (i + 1) * length)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Timing {
    /// Start of interval 0, milliseconds since the epoch.
    pub start_ms: TimestampMs,
    /// Length of every interval in milliseconds.
    pub interval_ms: u64,
}

impl Timing {
    /// A clock whose interval 0 is the interval (aligned to multiples of its length since the
    /// epoch) that contains `now`, so hourly intervals start on the full UTC hour.
    ///
    /// # Errors
    /// [`MarketError::InvalidInterval`] if `interval_ms` is zero.
    pub fn aligned(now: TimestampMs, interval_ms: u64) -> Result<Self, MarketError> {
        let offset = now
            .checked_rem(interval_ms)
            .ok_or(MarketError::InvalidInterval)?;
        Ok(Self {
            start_ms: now.saturating_sub(offset),
            interval_ms,
        })
    }

    /// The interval that contains `now`.
    ///
    /// # Errors
    /// [`MarketError::NotStarted`] before the start, [`MarketError::InvalidInterval`] for a zero
    /// length.
    pub fn interval_at(&self, now: TimestampMs) -> Result<IntervalIndex, MarketError> {
        let elapsed = now
            .checked_sub(self.start_ms)
            .ok_or(MarketError::NotStarted)?;
        elapsed
            .checked_div(self.interval_ms)
            .ok_or(MarketError::InvalidInterval)
    }

    /// First millisecond of interval `index`.
    ///
    /// # Errors
    /// [`MarketError::Overflow`] past the end of time.
    pub fn start_of(&self, index: IntervalIndex) -> Result<TimestampMs, MarketError> {
        index
            .checked_mul(self.interval_ms)
            .and_then(|offset| offset.checked_add(self.start_ms))
            .ok_or(MarketError::Overflow)
    }

    /// When an interval can be settled: its end plus the reveal window that follows it
    /// (`reveal_ms`, zero for open offers).
    ///
    /// # Errors
    /// [`MarketError::Overflow`].
    pub fn settles_at(
        &self,
        index: IntervalIndex,
        reveal_ms: u64,
    ) -> Result<TimestampMs, MarketError> {
        let end = self.start_of(index.checked_add(1).ok_or(MarketError::Overflow)?)?;
        end.checked_add(reveal_ms).ok_or(MarketError::Overflow)
    }

    /// State of interval `index` at `now`, given the reveal window (zero for open offers) and
    /// whether it has been cleared.
    pub fn state(
        &self,
        index: IntervalIndex,
        now: TimestampMs,
        reveal_ms: u64,
        cleared: bool,
    ) -> IntervalState {
        if cleared {
            return IntervalState::Cleared;
        }
        match self.interval_at(now) {
            Ok(current) if index < current => match self.settles_at(index, reveal_ms) {
                Ok(settles) if now < settles => IntervalState::Revealing,
                _ => IntervalState::Ended,
            },
            Ok(current) if index == current => IntervalState::Open,
            _ => IntervalState::Future,
        }
    }
}

/// The UTC hour (0..24) of a timestamp.
pub fn hour_of(timestamp: TimestampMs) -> u8 {
    // The remainder is below 24, so the cast cannot truncate.
    #[allow(clippy::cast_possible_truncation, clippy::arithmetic_side_effects)]
    let hour = ((timestamp % MS_PER_DAY) / MS_PER_HOUR) as u8;
    hour
}

/// The UTC calendar month of a timestamp as `year * 100 + month`.
///
/// Uses the days-to-civil algorithm of H. Hinnant (proleptic Gregorian calendar).
pub fn month_of(timestamp: TimestampMs) -> MonthKey {
    // All values are non-negative and far from their type limits for any u64 millisecond
    // timestamp: days < 2.2e11, years < 6e8.
    #[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
    {
        let z = timestamp / MS_PER_DAY + 719_468;
        let era = z / 146_097;
        let day_of_era = z - era * 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let mp = (5 * day_of_year + 2) / 153;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = year_of_era + era * 400 + u64::from(month <= 2);
        (year * 100 + month) as MonthKey
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_month_and_hour() {
        assert_eq!(month_of(0), 197_001);
        // 2024-02-29T23:59:59.999Z (leap day) and the next millisecond.
        assert_eq!(month_of(1_709_251_199_999), 202_402);
        assert_eq!(month_of(1_709_251_200_000), 202_403);
        // 2026-11-25T20:15:00Z.
        assert_eq!(month_of(1_795_637_700_000), 202_611);
        assert_eq!(hour_of(1_795_637_700_000), 20);
        // 2023-12-31T23:00:00Z -> 2024-01-01T00:00:00Z.
        assert_eq!(month_of(1_704_063_600_000), 202_312);
        assert_eq!(hour_of(1_704_063_600_000), 23);
        assert_eq!(month_of(1_704_067_200_000), 202_401);
        assert_eq!(hour_of(1_704_067_200_000), 0);
    }

    #[test]
    fn intervals_from_aligned_start() {
        let timing = Timing::aligned(7_250_000, 3_600_000).unwrap();
        assert_eq!(timing.start_ms, 7_200_000);
        assert_eq!(timing.interval_at(7_250_000), Ok(0));
        assert_eq!(timing.interval_at(10_799_999), Ok(0));
        assert_eq!(timing.interval_at(10_800_000), Ok(1));
        assert_eq!(timing.interval_at(7_199_999), Err(MarketError::NotStarted));
        assert_eq!(timing.start_of(2), Ok(14_400_000));
        assert_eq!(timing.start_of(u64::MAX), Err(MarketError::Overflow));
        assert_eq!(timing.state(0, 10_800_000, 0, false), IntervalState::Ended);
        assert_eq!(timing.state(1, 10_800_000, 0, false), IntervalState::Open);
        assert_eq!(timing.state(2, 10_800_000, 0, false), IntervalState::Future);
        assert_eq!(timing.state(0, 10_800_000, 0, true), IntervalState::Cleared);
        // Sealed, a ten-minute reveal window after interval 0 (ends at 10_800_000).
        assert_eq!(timing.settles_at(0, 600_000), Ok(11_400_000));
        assert_eq!(
            timing.state(0, 11_399_999, 600_000, false),
            IntervalState::Revealing
        );
        assert_eq!(
            timing.state(0, 11_400_000, 600_000, false),
            IntervalState::Ended
        );
        assert_eq!(timing.settles_at(u64::MAX, 0), Err(MarketError::Overflow));
        assert_eq!(Timing::aligned(5, 0), Err(MarketError::InvalidInterval));
    }
}
