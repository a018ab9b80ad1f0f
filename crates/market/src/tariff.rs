//! The grid's hourly tariff with peak surcharge and off-peak discount, its price bounds for P2P
//! asks, and its feed-in price for residual surplus.

use crate::{MarketError, PricePerKwh, MAX_PRICE};

const BPS: u128 = 10_000;
/// Multipliers above 10x are refused as configuration mistakes.
const MAX_MULTIPLIER_BPS: u32 = 100_000;
const ALL_HOURS: u32 = (1 << 24) - 1;

/// What the grid pays for residual surplus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum FeedInRule {
    /// The interval's P2P price when energy was traded P2P, else the tariff's `min_price`
    /// (the paper: "CPrice = MPrice").
    #[default]
    ClearingPriceOrMin,
    /// A fixed feed-in price per kWh.
    Fixed(PricePerKwh),
}

/// Where an hour lies in the tariff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HourClass {
    /// A peak hour (surcharge).
    Peak,
    /// An off-peak hour (discount).
    OffPeak,
    /// Neither.
    Shoulder,
}

/// The grid's tariff. Prices are per kWh.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Tariff {
    /// Base price of each UTC hour, 0 to 23.
    pub hourly_prices: [PricePerKwh; 24],
    /// Peak hours as a bit set: bit `h` set means hour `h` is a peak hour.
    pub peak_hours: u32,
    /// Off-peak hours as a bit set; disjoint from `peak_hours`.
    pub off_peak_hours: u32,
    /// Price multiplier in peak hours, basis points (12 000 = +20 %).
    pub peak_multiplier_bps: u32,
    /// Price multiplier in off-peak hours, basis points (9 500 = -5 %).
    pub off_peak_multiplier_bps: u32,
    /// Lowest ask a P2P seller may place.
    pub min_price: PricePerKwh,
    /// Highest ask a P2P seller may place.
    pub max_price: PricePerKwh,
    /// What the grid pays for residual surplus.
    pub feed_in: FeedInRule,
}

/// A bit set of hours `from..to` (UTC, `to` exclusive, `from <= to <= 24`).
pub const fn hours(from: u32, to: u32) -> u32 {
    // Both shifts stay below 32 for `to <= 24`, so wrapping never happens.
    (1u32.wrapping_shl(to)).wrapping_sub(1) & !(1u32.wrapping_shl(from)).wrapping_sub(1)
}

impl Tariff {
    /// The paper's tariff as its text reads it: +20 % in the evening peak (17:00 to 22:00 UTC),
    /// -5 % off-peak (00:00 to 06:00), base prices of a German household tariff shape in
    /// micro-euro per kWh, asks between 0.08 and 0.40 EUR/kWh, feed-in at the P2P price.
    pub fn paper() -> Self {
        let mut hourly_prices = [300_000; 24];
        for (hour, price) in hourly_prices.iter_mut().enumerate() {
            *price = match hour {
                0..=5 => 260_000,
                6..=16 => 300_000,
                17..=21 => 320_000,
                _ => 280_000,
            };
        }
        Self {
            hourly_prices,
            peak_hours: hours(17, 22),
            off_peak_hours: hours(0, 6),
            peak_multiplier_bps: 12_000,
            off_peak_multiplier_bps: 9_500,
            min_price: 80_000,
            max_price: 400_000,
            feed_in: FeedInRule::ClearingPriceOrMin,
        }
    }

    /// The paper's pseudo-code reading (Algorithm 3): peak price x1.8, off-peak x0.05.
    pub fn paper_pseudocode() -> Self {
        Self {
            peak_multiplier_bps: 18_000,
            off_peak_multiplier_bps: 500,
            max_price: 600_000,
            ..Self::paper()
        }
    }

    /// Checks that bounds are ordered, hour sets are disjoint and within 0..24, multipliers
    /// are at most 10x, every price is at most [`MAX_PRICE`] and a fixed feed-in price at most
    /// `max_price` (the grid never pays more for surplus than a seller may ask).
    ///
    /// # Errors
    /// [`MarketError::InvalidTariff`].
    pub fn validate(&self) -> Result<(), MarketError> {
        let feed_in_bounded = match self.feed_in {
            FeedInRule::ClearingPriceOrMin => true,
            FeedInRule::Fixed(price) => price <= self.max_price,
        };
        let valid = self.min_price <= self.max_price
            && self.max_price <= MAX_PRICE
            && self.hourly_prices.iter().all(|price| *price <= MAX_PRICE)
            && feed_in_bounded
            && self.peak_hours & !ALL_HOURS == 0
            && self.off_peak_hours & !ALL_HOURS == 0
            && self.peak_hours & self.off_peak_hours == 0
            && self.peak_multiplier_bps <= MAX_MULTIPLIER_BPS
            && self.off_peak_multiplier_bps <= MAX_MULTIPLIER_BPS;
        if valid {
            Ok(())
        } else {
            Err(MarketError::InvalidTariff)
        }
    }

    /// Whether a P2P seller may ask `price`.
    pub fn admits_ask(&self, price: PricePerKwh) -> bool {
        (self.min_price..=self.max_price).contains(&price)
    }

    /// Where UTC hour `hour` lies: in the peak hours, the off-peak hours or neither (also for
    /// an hour outside 0..24).
    pub fn hour_class(&self, hour: u8) -> HourClass {
        let bit = 1u32.checked_shl(u32::from(hour)).unwrap_or(0);
        if self.peak_hours & bit != 0 {
            HourClass::Peak
        } else if self.off_peak_hours & bit != 0 {
            HourClass::OffPeak
        } else {
            HourClass::Shoulder
        }
    }

    /// The grid's selling price in UTC hour `hour`: the base price times the peak or off-peak
    /// multiplier, rounded down.
    ///
    /// # Errors
    /// [`MarketError::InvalidTariff`] for an hour outside 0..24, [`MarketError::Overflow`].
    pub fn grid_price(&self, hour: u8) -> Result<PricePerKwh, MarketError> {
        let base = *self
            .hourly_prices
            .get(usize::from(hour))
            .ok_or(MarketError::InvalidTariff)?;
        let multiplier_bps = match self.hour_class(hour) {
            HourClass::Peak => self.peak_multiplier_bps,
            HourClass::OffPeak => self.off_peak_multiplier_bps,
            HourClass::Shoulder => return Ok(base),
        };
        base.checked_mul(u128::from(multiplier_bps))
            .map(|scaled| scaled / BPS)
            .ok_or(MarketError::Overflow)
    }

    /// What the grid pays per kWh of residual surplus, given the interval's P2P price.
    pub fn feed_in_price(&self, p2p_price: Option<PricePerKwh>) -> PricePerKwh {
        match self.feed_in {
            FeedInRule::ClearingPriceOrMin => p2p_price.unwrap_or(self.min_price),
            FeedInRule::Fixed(price) => price,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_reading_peak_and_off_peak() {
        let tariff = Tariff::paper();
        assert_eq!(tariff.validate(), Ok(()));
        // 03:00 off-peak: 260_000 * 0.95 = 247_000.
        assert_eq!(tariff.grid_price(3), Ok(247_000));
        // 12:00 shoulder: base price.
        assert_eq!(tariff.grid_price(12), Ok(300_000));
        // 18:00 peak: 320_000 * 1.2 = 384_000.
        assert_eq!(tariff.grid_price(18), Ok(384_000));
        assert_eq!(tariff.grid_price(22), Ok(280_000));
        assert_eq!(tariff.grid_price(24), Err(MarketError::InvalidTariff));
        assert_eq!(tariff.hour_class(3), HourClass::OffPeak);
        assert_eq!(tariff.hour_class(12), HourClass::Shoulder);
        assert_eq!(tariff.hour_class(18), HourClass::Peak);
        assert_eq!(tariff.hour_class(200), HourClass::Shoulder);
    }

    #[test]
    fn pseudocode_reading() {
        let tariff = Tariff::paper_pseudocode();
        assert_eq!(tariff.validate(), Ok(()));
        // 320_000 * 1.8 = 576_000; 260_000 * 0.05 = 13_000.
        assert_eq!(tariff.grid_price(18), Ok(576_000));
        assert_eq!(tariff.grid_price(3), Ok(13_000));
    }

    #[test]
    fn bounds_and_feed_in() {
        let mut tariff = Tariff::paper();
        assert!(tariff.admits_ask(80_000) && tariff.admits_ask(400_000));
        assert!(!tariff.admits_ask(79_999) && !tariff.admits_ask(400_001));
        assert_eq!(tariff.feed_in_price(Some(150_000)), 150_000);
        assert_eq!(tariff.feed_in_price(None), 80_000);
        tariff.feed_in = FeedInRule::Fixed(70_000);
        assert_eq!(tariff.feed_in_price(Some(150_000)), 70_000);
    }

    #[test]
    fn invalid_tariffs() {
        let base = Tariff::paper();
        let cases = [
            Tariff {
                min_price: 500_000,
                ..base.clone()
            },
            Tariff {
                peak_hours: hours(5, 8),
                ..base.clone()
            },
            Tariff {
                off_peak_hours: 1 << 24,
                ..base.clone()
            },
            Tariff {
                peak_multiplier_bps: 100_001,
                ..base.clone()
            },
        ];
        for tariff in cases {
            assert_eq!(tariff.validate(), Err(MarketError::InvalidTariff));
        }
        assert_eq!(hours(0, 24), ALL_HOURS);
        assert_eq!(hours(17, 22), 0b11111 << 17);
    }
}
