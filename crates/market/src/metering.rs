//! Metering and ex-post imbalance settlement, the pure rules: an offer is a forecast, a meter
//! reading says what flowed, and the difference is settled with the grid after the interval.
//!
//! # Meters and the window
//! A participant's reading is submitted by its own meter account (its smart-meter gateway key,
//! registered by the operator) or, for participants without one, by the market's metering
//! operator ([`Metering::operator`]): [`Metering::may_submit`]. Readings of an interval are
//! accepted from its close (when its grid settlement completes) for [`Metering::window_ms`],
//! so a late close never shortens the window; the deadline is fixed by the close. Each reading
//! is settled as it arrives; after the deadline anyone settles the missing ones by the
//! default, in bounded steps ([`MAX_SETTLEMENTS_PER_CALL`]).
//!
//! # Bonds and held money
//! Every offer in a metered market bonds its worst imbalance within its connection
//! ([`Metering::bond`]), and everything its settlement would credit (the rest of its deposit,
//! its P2P and grid earnings) stays held until its imbalance is settled
//! ([`crate::treasury::Treasury::settle_imbalance`]), so every imbalance charge is covered.
//!
//! # Position and imbalance
//! A participant's *cleared* net export is the energy its offer sold (P2P and grid together)
//! less the energy it bought; its *metered* net export is the delivered less the consumed Wh
//! of its reading. The imbalance is metered minus cleared:
//! - **short** (metered below cleared: a seller delivered less than it sold, or a buyer
//!   consumed more than it bought) buys the missing energy from the grid at the *imbalance
//!   price*, the hour's grid price times [`Metering::imbalance_bps`] (above 10 000: a
//!   deviation costs more than planned energy);
//! - **long** (metered above cleared) sells the extra to the grid at the *imbalance feed-in
//!   price*, the interval's feed-in price times [`Metering::feed_in_bps`] (at most 10 000).
//!
//! Netting the two directions is deliberate: a home that exported and imported in one interval
//! has one position at the meter, as at the transformer. Cleared plus imbalance equals metered,
//! so energy is whole, and the grid operator is the counterparty of every imbalance, so what a
//! participant pays the grid receives and what it is paid the grid pays: money is whole.
//!
//! # Rounding
//! Both imbalance prices are whole units per kWh: the imbalance price is rounded up and the
//! imbalance feed-in price down, then a charge is rounded up and a credit down, once per
//! participant and interval. Every rounding favours the grid by less than one unit per step,
//! so a deviation is never cheaper than its exact price.
//!
//! # Missing readings
//! A reading missing at the deadline is settled by [`Metering::missing`]: by default
//! [`MissingReading::NothingDelivered`] (a seller delivered nothing, a buyer consumed what it
//! bought), so that not reporting never pays better than reporting.

use crate::{
    config::BPS, value_of, AccountId, Balance, EnergyWh, MarketError, PricePerKwh, Side,
    TimestampMs,
};

/// Most readings one call submits, and most missing readings one call settles by default:
/// each settles a participant (its bill, its monthly bill, its held escrow and its credit).
pub const MAX_SETTLEMENTS_PER_CALL: u32 = 50;

/// How a missing reading is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum MissingReading {
    /// A seller delivered nothing; a buyer consumed exactly what it bought.
    #[default]
    NothingDelivered,
    /// The participant delivered and consumed exactly what cleared: no imbalance.
    AsCleared,
}

/// The metering rules of a market.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Metering {
    /// How long after an interval's end its readings are accepted, ms.
    pub window_ms: TimestampMs,
    /// The imbalance price as a share of the hour's grid price, basis points; above 10 000.
    pub imbalance_bps: u32,
    /// The imbalance feed-in price as a share of the interval's feed-in price, basis points;
    /// at most 10 000.
    pub feed_in_bps: u32,
    /// How a missing reading is settled.
    pub missing: MissingReading,
    /// The market's metering operator, who submits the readings of every participant without
    /// a meter account of its own; `None`: only participants' own meters submit.
    pub operator: Option<AccountId>,
}

/// Most basis points an imbalance price may take: ten times the grid price.
pub const MAX_IMBALANCE_BPS: u32 = 100_000;

impl Metering {
    /// The defaults: readings for 15 minutes after the interval (a quarter of an hourly
    /// interval), shortfalls at 1.5 times the grid price, excess fed in at half the feed-in
    /// price, a missing reading as nothing delivered, no metering operator.
    pub const DEFAULT: Metering = Metering {
        window_ms: 900_000,
        imbalance_bps: 15_000,
        feed_in_bps: 5_000,
        missing: MissingReading::NothingDelivered,
        operator: None,
    };

    /// Whether `caller` may submit the reading of a participant whose own meter account is
    /// `meter`: that meter if it has one, the market's metering operator otherwise.
    pub fn may_submit(&self, meter: Option<AccountId>, caller: &AccountId) -> bool {
        match meter {
            Some(meter) => meter == *caller,
            None => self.operator.as_ref() == Some(caller),
        }
    }

    /// Checks the rules.
    ///
    /// # Errors
    /// [`MarketError::InvalidMetering`] for a window of zero, an imbalance factor of at most
    /// 10 000 or above [`MAX_IMBALANCE_BPS`] basis points, or a feed-in factor above 10 000.
    pub fn validate(&self) -> Result<(), MarketError> {
        let bps = u32::from(BPS);
        if self.window_ms == 0
            || self.imbalance_bps <= bps
            || self.imbalance_bps > MAX_IMBALANCE_BPS
            || self.feed_in_bps > bps
        {
            return Err(MarketError::InvalidMetering);
        }
        Ok(())
    }

    /// Whether a reading for an interval that ended at `end_ms` is accepted at `now_ms`: from
    /// the end until the metering deadline, `end_ms + window_ms`, exclusive.
    pub fn accepts(&self, end_ms: TimestampMs, now_ms: TimestampMs) -> bool {
        now_ms >= end_ms && now_ms < end_ms.saturating_add(self.window_ms)
    }

    /// The imbalance price per kWh for an hour whose grid price is `grid_price`, rounded up.
    ///
    /// # Errors
    /// [`MarketError::Overflow`].
    pub fn imbalance_price(&self, grid_price: PricePerKwh) -> Result<PricePerKwh, MarketError> {
        grid_price
            .checked_mul(u128::from(self.imbalance_bps))
            .map(|scaled| scaled.div_ceil(u128::from(BPS)))
            .ok_or(MarketError::Overflow)
    }

    /// The imbalance feed-in price per kWh for an interval whose feed-in price is `feed_in`,
    /// rounded down.
    ///
    /// # Errors
    /// [`MarketError::Overflow`].
    pub fn imbalance_feed_in_price(
        &self,
        feed_in: PricePerKwh,
    ) -> Result<PricePerKwh, MarketError> {
        feed_in
            .checked_mul(u128::from(self.feed_in_bps))
            .and_then(|scaled| scaled.checked_div(u128::from(BPS)))
            .ok_or(MarketError::Overflow)
    }

    /// The worst shortfall an offer of `energy_wh` on `side` can meter, for a participant
    /// whose connection imports at most `import_wh` per interval (readings above the
    /// connection are refused): a seller that sold everything, delivered nothing and consumed
    /// its whole import, `energy_wh + import_wh`; a buyer that bought `energy_wh` and consumed
    /// its whole import, `import_wh - energy_wh`.
    pub fn worst_short_wh(side: Side, energy_wh: EnergyWh, import_wh: EnergyWh) -> EnergyWh {
        match side {
            Side::Sell => energy_wh.saturating_add(import_wh),
            Side::Buy => import_wh.saturating_sub(energy_wh),
        }
    }

    /// The bond an offer must add to its deposit so that its worst imbalance is covered:
    /// [`Metering::worst_short_wh`] at the imbalance price of the interval's hour, rounded up.
    ///
    /// # Errors
    /// [`MarketError::Overflow`].
    pub fn bond(
        &self,
        side: Side,
        energy_wh: EnergyWh,
        import_wh: EnergyWh,
        grid_price: PricePerKwh,
    ) -> Result<Balance, MarketError> {
        value_up(
            Self::worst_short_wh(side, energy_wh, import_wh),
            self.imbalance_price(grid_price)?,
        )
    }

    /// Settles one participant's interval: its cleared energy against its reading (`None`:
    /// missing at the deadline), at the hour's `grid_price` and the interval's `feed_in` price.
    ///
    /// # Errors
    /// [`MarketError::Overflow`].
    pub fn settle(
        &self,
        cleared: Cleared,
        reading: Option<Reading>,
        grid_price: PricePerKwh,
        feed_in: PricePerKwh,
    ) -> Result<Imbalance, MarketError> {
        let defaulted = reading.is_none();
        let metered = reading.unwrap_or(match self.missing {
            MissingReading::NothingDelivered => Reading {
                delivered_wh: 0,
                consumed_wh: cleared.bought_wh,
            },
            MissingReading::AsCleared => Reading {
                delivered_wh: cleared.sold_wh,
                consumed_wh: cleared.bought_wh,
            },
        });
        // Net exports as signed sums: each term fits an i128, whatever the u64 inputs.
        let net = |export: EnergyWh, import: EnergyWh| {
            i128::from(export)
                .checked_sub(i128::from(import))
                .ok_or(MarketError::Overflow)
        };
        let deviation = net(metered.delivered_wh, metered.consumed_wh)?
            .checked_sub(net(cleared.sold_wh, cleared.bought_wh)?)
            .ok_or(MarketError::Overflow)?;
        let wh = EnergyWh::try_from(deviation.unsigned_abs()).map_err(|_| MarketError::Overflow)?;
        let (short_wh, long_wh) = if deviation < 0 { (wh, 0) } else { (0, wh) };
        Ok(Imbalance {
            short_wh,
            long_wh,
            charge: value_up(short_wh, self.imbalance_price(grid_price)?)?,
            credit: value_of(long_wh, self.imbalance_feed_in_price(feed_in)?)?,
            defaulted,
        })
    }
}

impl Default for Metering {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// What cleared for one participant in one interval, P2P and grid together, Wh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct Cleared {
    /// Energy its sell offer sold.
    pub sold_wh: EnergyWh,
    /// Energy its buy offer bought.
    pub bought_wh: EnergyWh,
}

/// What a participant's meter reported for one interval, Wh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Reading {
    /// Energy delivered to the grid.
    pub delivered_wh: EnergyWh,
    /// Energy consumed from the grid.
    pub consumed_wh: EnergyWh,
}

/// One participant's imbalance in one interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct Imbalance {
    /// Energy metered below what cleared, bought from the grid, Wh.
    pub short_wh: EnergyWh,
    /// Energy metered above what cleared, sold to the grid, Wh.
    pub long_wh: EnergyWh,
    /// What the participant pays the grid for `short_wh`, rounded up.
    pub charge: Balance,
    /// What the grid pays the participant for `long_wh`, rounded down.
    pub credit: Balance,
    /// Whether the reading was missing and [`Metering::missing`] stood in for it.
    pub defaulted: bool,
}

/// Where an interval's metering stands, and what its imbalances came to. Created when its grid
/// settlement completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct MeterStatus {
    /// Readings are accepted until this time (exclusive), ms; after it the missing ones are
    /// settled by the default.
    pub deadline_ms: TimestampMs,
    /// Participants settled with the grid whose imbalance is to be settled.
    pub positions: u32,
    /// Imbalances settled on a reading.
    pub metered: u32,
    /// Imbalances settled by the default for a missing reading.
    pub defaulted: u32,
    /// How far the default sweep has walked the interval's offers (by slot).
    pub next_slot: u32,
    /// Energy metered below what cleared, bought from the grid, Wh.
    pub short_wh: EnergyWh,
    /// Energy metered above what cleared, sold to the grid, Wh.
    pub long_wh: EnergyWh,
    /// Imbalance charges, to the grid operator.
    pub charges: Balance,
    /// Imbalance credits, from the grid operator.
    pub credits: Balance,
}

impl MeterStatus {
    /// The status of an interval whose `positions` await their readings until `deadline_ms`.
    pub fn new(positions: u32, deadline_ms: TimestampMs) -> Self {
        Self {
            deadline_ms,
            positions,
            ..Self::default()
        }
    }

    /// A status of the size of every status, for storage reserved ahead.
    pub fn placeholder() -> Self {
        Self::default()
    }

    /// Imbalances settled, on readings and by default.
    pub fn settled(&self) -> u32 {
        self.metered.saturating_add(self.defaulted)
    }

    /// Whether every position's imbalance is settled.
    pub fn complete(&self) -> bool {
        self.settled() >= self.positions
    }

    /// Whether a reading is accepted at `now_ms`.
    pub fn accepts_readings(&self, now_ms: TimestampMs) -> bool {
        !self.complete() && now_ms < self.deadline_ms
    }

    /// Whether missing readings may be settled by the default at `now_ms`.
    pub fn sweepable(&self, now_ms: TimestampMs) -> bool {
        !self.complete() && now_ms >= self.deadline_ms
    }

    /// Counts one settled imbalance.
    ///
    /// # Errors
    /// [`MarketError::Overflow`].
    pub fn record(&mut self, imbalance: &Imbalance) -> Result<(), MarketError> {
        let next = |count: u32| count.checked_add(1).ok_or(MarketError::Overflow);
        if imbalance.defaulted {
            self.defaulted = next(self.defaulted)?;
        } else {
            self.metered = next(self.metered)?;
        }
        self.short_wh = self
            .short_wh
            .checked_add(imbalance.short_wh)
            .ok_or(MarketError::Overflow)?;
        self.long_wh = self
            .long_wh
            .checked_add(imbalance.long_wh)
            .ok_or(MarketError::Overflow)?;
        self.charges = self
            .charges
            .checked_add(imbalance.charge)
            .ok_or(MarketError::Overflow)?;
        self.credits = self
            .credits
            .checked_add(imbalance.credit)
            .ok_or(MarketError::Overflow)?;
        Ok(())
    }
}

/// Value of `energy` at `price` per kWh, rounded up to a whole balance unit.
fn value_up(energy: EnergyWh, price: PricePerKwh) -> Result<Balance, MarketError> {
    u128::from(energy)
        .checked_mul(price)
        .map(|milli| milli.div_ceil(1000))
        .ok_or(MarketError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRID: PricePerKwh = 300_000;
    const FEED_IN: PricePerKwh = 80_000;

    fn sold(wh: EnergyWh) -> Cleared {
        Cleared {
            sold_wh: wh,
            bought_wh: 0,
        }
    }

    fn bought(wh: EnergyWh) -> Cleared {
        Cleared {
            sold_wh: 0,
            bought_wh: wh,
        }
    }

    fn read(delivered_wh: EnergyWh, consumed_wh: EnergyWh) -> Option<Reading> {
        Some(Reading {
            delivered_wh,
            consumed_wh,
        })
    }

    fn settle(cleared: Cleared, reading: Option<Reading>) -> Imbalance {
        Metering::DEFAULT
            .settle(cleared, reading, GRID, FEED_IN)
            .unwrap()
    }

    #[test]
    fn prices_follow_the_factors() {
        let m = Metering::DEFAULT;
        // 300_000 * 1.5 = 450_000; 80_000 * 0.5 = 40_000.
        assert_eq!(m.imbalance_price(GRID), Ok(450_000));
        assert_eq!(m.imbalance_feed_in_price(FEED_IN), Ok(40_000));
        // 1 * 1.5 = 1.5 rounds up to 2; 1 * 0.5 rounds down to 0.
        assert_eq!(m.imbalance_price(1), Ok(2));
        assert_eq!(m.imbalance_feed_in_price(1), Ok(0));
    }

    #[test]
    fn a_seller_short_of_what_it_sold_buys_the_shortfall() {
        // Sold 1000 Wh, delivered 700: 300 Wh at 450_000 per kWh = 135_000.
        let imbalance = settle(sold(1_000), read(700, 0));
        assert_eq!((imbalance.short_wh, imbalance.long_wh), (300, 0));
        assert_eq!((imbalance.charge, imbalance.credit), (135_000, 0));
        assert!(!imbalance.defaulted);
    }

    #[test]
    fn a_seller_over_what_it_sold_feeds_the_excess_in() {
        // Sold 1000 Wh, delivered 1250: 250 Wh at 40_000 per kWh = 10_000.
        let imbalance = settle(sold(1_000), read(1_250, 0));
        assert_eq!((imbalance.short_wh, imbalance.long_wh), (0, 250));
        assert_eq!((imbalance.charge, imbalance.credit), (0, 10_000));
    }

    #[test]
    fn a_buyer_over_what_it_bought_buys_the_excess() {
        // Bought 500 Wh, consumed 620: 120 Wh at 450_000 = 54_000.
        let imbalance = settle(bought(500), read(0, 620));
        assert_eq!((imbalance.short_wh, imbalance.charge), (120, 54_000));
    }

    #[test]
    fn a_buyer_under_what_it_bought_sells_the_unused_energy_back() {
        // Bought 500 Wh, consumed 380: 120 Wh at 40_000 = 4_800.
        let imbalance = settle(bought(500), read(0, 380));
        assert_eq!((imbalance.long_wh, imbalance.credit), (120, 4_800));
    }

    #[test]
    fn both_directions_net_at_the_meter() {
        // Sold 400 Wh; the meter saw 300 delivered and 50 consumed: net 250 against 400, short
        // 150 Wh: 67_500.
        let imbalance = settle(sold(400), read(300, 50));
        assert_eq!((imbalance.short_wh, imbalance.charge), (150, 67_500));
        // Exactly as cleared: nothing to settle.
        assert_eq!(settle(sold(400), read(400, 0)), Imbalance::default());
    }

    #[test]
    fn a_missing_reading_is_settled_by_the_market_default() {
        // A seller that does not report delivered nothing: the whole 1000 Wh at 450_000.
        let seller = settle(sold(1_000), None);
        assert_eq!(
            (seller.short_wh, seller.charge, seller.defaulted),
            (1_000, 450_000, true)
        );
        // A buyer that does not report consumed what it bought.
        let buyer = settle(bought(500), None);
        assert_eq!(
            (buyer.short_wh, buyer.long_wh, buyer.defaulted),
            (0, 0, true)
        );
        let lenient = Metering {
            missing: MissingReading::AsCleared,
            ..Metering::DEFAULT
        };
        let seller = lenient.settle(sold(1_000), None, GRID, FEED_IN).unwrap();
        assert_eq!((seller.short_wh, seller.charge), (0, 0));
        // Not reporting never pays better than any report.
        for delivered in [0, 1, 500, 999, 1_000, 2_000] {
            let reported = settle(sold(1_000), read(delivered, 0));
            let missing = settle(sold(1_000), None);
            let net = |i: Imbalance| {
                i128::try_from(i.credit).unwrap() - i128::try_from(i.charge).unwrap()
            };
            assert!(net(reported) >= net(missing), "delivered {delivered}");
        }
    }

    #[test]
    fn the_bond_covers_the_worst_case_and_rounding_favours_the_grid() {
        let m = Metering::DEFAULT;
        for wh in [0u64, 1, 7, 999, 1_000, 123_457] {
            let worst = settle(sold(wh), read(0, 0));
            assert_eq!(m.bond(Side::Sell, wh, 0, GRID), Ok(worst.charge));
            // Within a connection of 5 000 Wh import the worst seller also consumed 5 000 Wh;
            // the worst buyer consumed 5 000 Wh whatever it bought.
            let import = 5_000;
            let seller = settle(sold(wh), read(0, import));
            assert_eq!(m.bond(Side::Sell, wh, import, GRID), Ok(seller.charge));
            let bought_wh = wh.min(import);
            let buyer = settle(bought(bought_wh), read(0, import));
            assert_eq!(m.bond(Side::Buy, bought_wh, import, GRID), Ok(buyer.charge));
            // Rounded up: never below the exact price (wh * 450 units).
            assert!(worst.charge * 1000 >= u128::from(wh) * 450_000);
            // A credit never exceeds the exact price (wh * 40 units).
            let long = settle(sold(0), read(wh, 0));
            assert!(long.credit * 1000 <= u128::from(wh) * 40_000);
        }
        // At a grid price of 1 unit per kWh the imbalance price is 2 (1.5 rounded up), and 1 Wh
        // short is 0.002 units: charged 1; 1 Wh long at a feed-in price of 0 is credited 0.
        let tiny = m.settle(sold(1), read(0, 0), 1, 1).unwrap();
        assert_eq!(tiny.charge, 1);
        assert_eq!(m.settle(sold(0), read(1, 0), 1, 1).unwrap().credit, 0);
    }

    #[test]
    fn a_participants_meter_or_else_the_metering_operator_submits() {
        let meter = AccountId::from([1; 32]);
        let operator = AccountId::from([2; 32]);
        let other = AccountId::from([3; 32]);
        let m = Metering {
            operator: Some(operator),
            ..Metering::DEFAULT
        };
        assert!(m.may_submit(Some(meter), &meter));
        assert!(!m.may_submit(Some(meter), &operator));
        assert!(m.may_submit(None, &operator));
        assert!(!m.may_submit(None, &other));
        assert!(!Metering::DEFAULT.may_submit(None, &operator));
    }

    #[test]
    fn the_status_counts_both_kinds_and_completes() {
        let mut status = MeterStatus::new(2, 1_000);
        assert!(status.accepts_readings(999));
        assert!(!status.accepts_readings(1_000));
        assert!(!status.sweepable(999));
        assert!(status.sweepable(1_000));
        status.record(&settle(sold(1_000), read(700, 0))).unwrap();
        assert!(!status.complete());
        status.record(&settle(bought(500), None)).unwrap();
        assert!(status.complete());
        assert!(!status.sweepable(5_000) && !status.accepts_readings(0));
        assert_eq!(
            (
                status.metered,
                status.defaulted,
                status.short_wh,
                status.charges
            ),
            (1, 1, 300, 135_000)
        );
        // An interval without positions is complete from the start.
        assert!(MeterStatus::new(0, 1_000).complete());
    }

    #[test]
    fn energy_is_whole_for_every_reading() {
        // cleared + imbalance = metered, net export, for every pair.
        for (cleared, reading) in [
            (sold(1_000), (700, 0)),
            (sold(1_000), (1_300, 20)),
            (bought(500), (0, 900)),
            (bought(500), (100, 200)),
            (sold(0), (0, 0)),
        ] {
            let imbalance = settle(cleared, read(reading.0, reading.1));
            let cleared_net = i128::from(cleared.sold_wh) - i128::from(cleared.bought_wh);
            let metered_net = i128::from(reading.0) - i128::from(reading.1);
            let deviation = i128::from(imbalance.long_wh) - i128::from(imbalance.short_wh);
            assert_eq!(cleared_net + deviation, metered_net);
        }
    }

    #[test]
    fn readings_are_accepted_from_the_end_until_the_deadline() {
        let m = Metering::DEFAULT;
        let end = 3_600_000;
        assert!(!m.accepts(end, end - 1));
        assert!(m.accepts(end, end));
        assert!(m.accepts(end, end + 899_999));
        assert!(!m.accepts(end, end + 900_000));
    }

    #[test]
    fn bad_rules_are_refused() {
        assert_eq!(Metering::DEFAULT.validate(), Ok(()));
        for bad in [
            Metering {
                window_ms: 0,
                ..Metering::DEFAULT
            },
            Metering {
                imbalance_bps: 10_000,
                ..Metering::DEFAULT
            },
            Metering {
                imbalance_bps: MAX_IMBALANCE_BPS + 1,
                ..Metering::DEFAULT
            },
            Metering {
                feed_in_bps: 10_001,
                ..Metering::DEFAULT
            },
        ] {
            assert_eq!(bad.validate(), Err(MarketError::InvalidMetering), "{bad:?}");
        }
    }

    #[test]
    fn the_largest_figures_overflow_cleanly() {
        let m = Metering::DEFAULT;
        assert_eq!(m.imbalance_price(u128::MAX), Err(MarketError::Overflow));
        // Sold everything a u64 holds and consumed as much: the deviation does not fit in Wh.
        let extreme = m.settle(sold(u64::MAX), read(0, u64::MAX), GRID, FEED_IN);
        assert_eq!(extreme, Err(MarketError::Overflow));
        // The largest deviation that fits is settled.
        assert!(m.settle(sold(u64::MAX), read(0, 0), GRID, FEED_IN).is_ok());
    }
}
