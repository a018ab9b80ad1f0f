//! The market's whole configuration, as the operator gives it to main.

use crate::{AccountId, AuctionRules, Balance, IntervalIndex, MarketError, PricePerKwh, Tariff};

/// Everything the operator configures. Main keeps it and hands p2p the auction rules and p2g
/// the tariff with each call, so the three contracts can never disagree on it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct MarketConfig {
    /// Length of a market interval in milliseconds (default one hour).
    pub interval_ms: u64,
    /// Areas, pricing rule and network fee of the P2P auction.
    pub auction: AuctionRules,
    /// The grid's tariff, price bounds and feed-in rule.
    pub tariff: Tariff,
    /// Bounds that keep every call's weight bounded, whatever the size of the community.
    pub limits: Limits,
    /// Who is credited grid energy sales, network fees and forfeited penalties; `None`: the
    /// market's operator.
    pub grid_operator: Option<AccountId>,
    /// Sealed offers (commit, then reveal) with these settings, or open offers (`None`). Fixed
    /// at instantiation, since commitments already made rely on it.
    pub sealing: Option<Sealing>,
    /// Metered settlement ([`crate::metering`]): offers are forecasts, meter readings say what
    /// flowed, and deviations are settled with the grid after the close; `None`: the paper's
    /// declared-energy mode, where what cleared is what flowed.
    pub metering: Option<crate::metering::Metering>,
}

/// The settings of sealed offers: during an interval participants commit to their offers with
/// a deposit; after it they have `reveal_ms` to reveal them. A reveal needs a deposit that
/// covers the offer's bond ([`Sealing::bond_for`]); an unrevealed commitment forfeits a share
/// of its deposit ([`Sealing::forfeit_of`]), so skipping a reveal costs in proportion to what
/// was offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Sealing {
    /// Length of the reveal window that follows each interval, milliseconds.
    pub reveal_ms: u64,
    /// The least an unrevealed commitment forfeits to the grid operator, balance units; also
    /// the least deposit a commitment must carry, so that it is always covered.
    pub penalty: Balance,
    /// The share of its deposit an unrevealed commitment forfeits, basis points (at most
    /// 10 000), when that is more than `penalty`.
    pub forfeit_bps: u16,
    /// The bond a reveal's deposit must cover per kWh of the revealed energy, on either side
    /// (a buy's deposit must also cover its energy, as in open mode).
    pub bond_per_kwh: PricePerKwh,
}

impl Sealing {
    /// A ten-minute reveal window, a bond of 100 000 units per kWh (0.10 EUR in the default
    /// micro-euro reading, about the spread between the grid's price and its feed-in price,
    /// the most a seller can gain or lose by choosing where to sell), half of the deposit
    /// forfeited, and at least 10 000 units (one cent). Skipping the reveal of a sell of E kWh
    /// therefore costs at least 50 000 * E units; of a buy, half its deposit.
    pub const DEFAULT: Sealing = Sealing {
        reveal_ms: 600_000,
        penalty: 10_000,
        forfeit_bps: 5_000,
        bond_per_kwh: 100_000,
    };

    /// The bond a sealed offer of `energy_wh` must have deposited by its reveal:
    /// `energy_wh * bond_per_kwh / 1000`, rounded up, and at least `penalty`.
    ///
    /// # Errors
    /// [`MarketError::Overflow`].
    pub fn bond_for(&self, energy_wh: crate::EnergyWh) -> Result<Balance, MarketError> {
        Ok(crate::deposits::deposit_for(energy_wh, self.bond_per_kwh)?.max(self.penalty))
    }

    /// What an unrevealed commitment with `deposit` forfeits: `forfeit_bps` of the deposit
    /// (rounded down), at least `penalty`, at most the deposit.
    pub fn forfeit_of(&self, deposit: Balance) -> Balance {
        // At most 10 000 bps: the share never exceeds the deposit, and the division by
        // 10 000 first keeps the product in range for any deposit.
        let bps = Balance::from(self.forfeit_bps.min(BPS));
        // Literal divisors: cargo-contract's lints accept division by a non-zero literal.
        let share = (deposit / 10_000)
            .saturating_mul(bps)
            .saturating_add((deposit % 10_000).saturating_mul(bps) / 10_000);
        share.max(self.penalty).min(deposit)
    }

    fn validate(&self) -> Result<(), MarketError> {
        if self.reveal_ms == 0 || self.forfeit_bps > BPS || self.bond_per_kwh > MAX_PRICE {
            return Err(MarketError::InvalidSealing);
        }
        Ok(())
    }
}

/// Basis points in a whole.
pub const BPS: u16 = 10_000;

/// A participant's grid connection: the most energy it may sell (export) or buy (import) in
/// one interval, Wh. Offers above it are refused, so nobody can sell energy its connection
/// could not carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Capacity {
    /// Most energy sold per interval, Wh.
    pub export_wh: crate::EnergyWh,
    /// Most energy bought per interval, Wh.
    pub import_wh: crate::EnergyWh,
}

impl Capacity {
    /// The connection a participant gets unless the operator names one: 43 000 Wh each way
    /// per interval, what a three-phase 63 A house connection (3 x 63 A x 230 V = 43.5 kW)
    /// carries in an hour. The default does not scale with the interval length: a market with
    /// shorter intervals should register capacities of its own ([`Capacity::of_power`]).
    pub const DEFAULT: Capacity = Capacity {
        export_wh: 43_000,
        import_wh: 43_000,
    };

    /// The energy `power_w` carries over an interval of `interval_ms`, both ways.
    pub fn of_power(power_w: u64, interval_ms: u64) -> Self {
        // One hour in milliseconds, as a literal divisor for cargo-contract's lints.
        let wh = u128::from(power_w).saturating_mul(u128::from(interval_ms)) / 3_600_000;
        let wh = crate::EnergyWh::try_from(wh).unwrap_or(crate::EnergyWh::MAX);
        Self {
            export_wh: wh,
            import_wh: wh,
        }
    }

    /// Whether an offer of `energy_wh` on `side` fits the connection.
    pub fn admits(&self, side: crate::Side, energy_wh: crate::EnergyWh) -> bool {
        match side {
            crate::Side::Sell => energy_wh <= self.export_wh,
            crate::Side::Buy => energy_wh <= self.import_wh,
        }
    }
}

/// Bounds on the work of one interval and of one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Limits {
    /// Most live offers one interval's book may hold.
    pub max_offers: u32,
    /// Most items (see [`crate::book`]) one closing step may process; what a close call does
    /// when the caller names no smaller budget.
    pub step_items: u32,
}

impl Limits {
    /// Most cancellations participants may make in one interval: `max_offers`. A cancelled
    /// offer leaves its slot and queue entry behind, which every closing pass walks, so with
    /// this cap an interval's book has at most `2 * max_offers` slots (plus one per participant
    /// the operator removes) whatever the churn.
    pub fn max_cancels(&self) -> u32 {
        self.max_offers
    }
}

impl Limits {
    /// 10 000 offers per interval; 250 items per step, which BENCHMARKS.md measures at about a
    /// fifth of substrate-contracts-node's per-extrinsic weight limit.
    pub const DEFAULT: Limits = Limits {
        max_offers: 10_000,
        step_items: 250,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Most energy one offer may carry: 1 GWh, far above any home's hour and small enough that
/// the sums of an interval (at most `u32::MAX` offers) never overflow a `u64` of Wh. An
/// interval whose sums overflowed could never be closed, and its deposits never settled.
pub const MAX_OFFER_WH: crate::EnergyWh = 1_000_000_000;

/// The highest price per kWh a configuration may name: every hourly price, ask bound, fixed
/// feed-in price, and network fee over the farthest distance. 10^18 units per kWh is far above
/// any tariff (10^12 EUR/kWh in the default micro-euro reading; 10^6 EUR/kWh for a token with
/// 12 decimals) and small enough that every sum an interval forms fits its type:
/// `MAX_OFFERS` offers of `MAX_OFFER_WH` at ten times this price (the largest peak multiplier)
/// come to 10^6 * 10^9 * 10^19 / 1000 = 10^31 units, far below `u128::MAX` (3.4 * 10^38).
pub const MAX_PRICE: PricePerKwh = 1_000_000_000_000_000_000;

/// The largest `max_offers` a configuration may set. With [`MAX_OFFER_WH`] it bounds an
/// interval's energy to 10^15 Wh (fits a `u64`) and its slots to `2 * MAX_OFFERS` (a `u32`).
pub const MAX_OFFERS: u32 = 1_000_000;

/// One hour in milliseconds.
pub const HOUR_MS: u64 = 3_600_000;

impl MarketConfig {
    /// The paper's market as its text reads: hourly intervals, three areas on a line,
    /// lowest-ask price, no network fee, +20 % peak and -5 % off-peak.
    pub fn paper() -> Self {
        Self {
            interval_ms: HOUR_MS,
            auction: AuctionRules::paper(),
            tariff: Tariff::paper(),
            limits: Limits::DEFAULT,
            grid_operator: None,
            sealing: None,
            metering: None,
        }
    }

    /// [`MarketConfig::paper`] with sealed offers ([`Sealing::DEFAULT`]): what deployments use.
    pub fn sealed() -> Self {
        Self {
            sealing: Some(Sealing::DEFAULT),
            ..Self::paper()
        }
    }

    /// Checks every part, and bounds every price so that no sum of an interval can overflow
    /// (see [`MAX_PRICE`], [`MAX_OFFERS`]): an interval whose sums overflowed could never close.
    ///
    /// # Errors
    /// [`MarketError::InvalidInterval`], [`MarketError::InvalidTopology`],
    /// [`MarketError::InvalidTariff`] (malformed, or a price above [`MAX_PRICE`], a fixed
    /// feed-in price above `max_price`), [`MarketError::InvalidFee`] (the network fee over the
    /// farthest distance above [`MAX_PRICE`]), [`MarketError::InvalidLimits`] (zero, or more
    /// than [`MAX_OFFERS`] offers) or [`MarketError::InvalidSealing`] (a reveal window of
    /// zero, a forfeit share above 10 000 bps or a bond above [`MAX_PRICE`]).
    pub fn validate(&self) -> Result<(), MarketError> {
        if self.interval_ms == 0 {
            return Err(MarketError::InvalidInterval);
        }
        if let Some(sealing) = &self.sealing {
            sealing.validate()?;
        }
        if let Some(metering) = &self.metering {
            metering.validate()?;
        }
        if self.limits.max_offers == 0
            || self.limits.max_offers > MAX_OFFERS
            || self.limits.step_items == 0
        {
            return Err(MarketError::InvalidLimits);
        }
        self.auction.topology.validate()?;
        let farthest_fee = self
            .auction
            .grid_fee_per_kwh_step
            .checked_mul(u128::from(self.auction.topology.max_distance()))
            .ok_or(MarketError::InvalidFee)?;
        if farthest_fee > MAX_PRICE {
            return Err(MarketError::InvalidFee);
        }
        self.tariff.validate()
    }
}

/// Finds the configuration version that governs `interval`. Versions are numbered `0..count`;
/// version `v` governs the intervals from `first_interval(v)` until the next version's first
/// interval, and version 0 starts at interval 0. The newest version is tried first (it governs
/// every interval open for offers), then a binary search: O(log count) lookups.
pub fn version_at(
    count: u32,
    interval: IntervalIndex,
    mut first_interval: impl FnMut(u32) -> IntervalIndex,
) -> u32 {
    let newest = count.saturating_sub(1);
    if first_interval(newest) <= interval {
        return newest;
    }
    // Invariant: first_interval(low) <= interval < first_interval(high).
    let (mut low, mut high) = (0u32, newest);
    while high.saturating_sub(low) > 1 {
        let mid = low.saturating_add(high.saturating_sub(low) / 2);
        if first_interval(mid) <= interval {
            low = mid;
        } else {
            high = mid;
        }
    }
    low
}

impl Default for MarketConfig {
    fn default() -> Self {
        Self::paper()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FeedInRule, Topology};

    #[test]
    fn versions_govern_from_their_first_interval() {
        let firsts = [0u64, 5, 6, 9, 20];
        let at = |interval| version_at(5, interval, |v| firsts[v as usize]);
        assert_eq!(at(0), 0);
        assert_eq!(at(4), 0);
        assert_eq!(at(5), 1);
        assert_eq!(at(6), 2);
        assert_eq!(at(8), 2);
        assert_eq!(at(9), 3);
        assert_eq!(at(19), 3);
        assert_eq!(at(20), 4);
        assert_eq!(at(u64::MAX), 4);
        assert_eq!(version_at(1, 7, |_| 0), 0);
        // Every count and interval against a linear scan.
        let firsts: alloc::vec::Vec<u64> = (0..40u64).map(|v| v * 3 + v % 2).collect();
        for count in 1..=40u32 {
            for interval in 0..130u64 {
                let linear = (0..count)
                    .rev()
                    .find(|v| firsts[*v as usize] <= interval)
                    .unwrap();
                assert_eq!(version_at(count, interval, |v| firsts[v as usize]), linear);
            }
        }
    }

    #[test]
    fn prices_fees_and_limits_are_bounded() {
        assert_eq!(MarketConfig::paper().validate(), Ok(()));
        let mut config = MarketConfig::paper();
        config.tariff.hourly_prices[7] = MAX_PRICE + 1;
        assert_eq!(config.validate(), Err(MarketError::InvalidTariff));
        config.tariff.hourly_prices[7] = MAX_PRICE;
        assert_eq!(config.validate(), Ok(()));

        let mut config = MarketConfig::paper();
        config.tariff.max_price = MAX_PRICE + 1;
        assert_eq!(config.validate(), Err(MarketError::InvalidTariff));

        let mut config = MarketConfig::paper();
        config.tariff.feed_in = FeedInRule::Fixed(config.tariff.max_price + 1);
        assert_eq!(config.validate(), Err(MarketError::InvalidTariff));
        config.tariff.feed_in = FeedInRule::Fixed(config.tariff.max_price);
        assert_eq!(config.validate(), Ok(()));

        // Three areas on a line: the farthest fee is two steps.
        let mut config = MarketConfig::paper();
        config.auction.grid_fee_per_kwh_step = MAX_PRICE / 2 + 1;
        assert_eq!(config.validate(), Err(MarketError::InvalidFee));
        config.auction.grid_fee_per_kwh_step = MAX_PRICE / 2;
        assert_eq!(config.validate(), Ok(()));
        config.auction.grid_fee_per_kwh_step = u128::MAX;
        assert_eq!(config.validate(), Err(MarketError::InvalidFee));
        // One area: no distance, so any fee is harmless but still bounded by the product.
        config.auction.topology = Topology::Line { areas: 1 };
        assert_eq!(config.validate(), Ok(()));

        let mut config = MarketConfig::paper();
        config.limits.max_offers = MAX_OFFERS + 1;
        assert_eq!(config.validate(), Err(MarketError::InvalidLimits));
        config.limits.max_offers = MAX_OFFERS;
        assert_eq!(config.validate(), Ok(()));
        assert_eq!(config.limits.max_cancels(), MAX_OFFERS);

        let mut config = MarketConfig::sealed();
        assert_eq!(config.validate(), Ok(()));
        for broken in [
            Sealing {
                reveal_ms: 0,
                ..Sealing::DEFAULT
            },
            Sealing {
                forfeit_bps: BPS + 1,
                ..Sealing::DEFAULT
            },
            Sealing {
                bond_per_kwh: MAX_PRICE + 1,
                ..Sealing::DEFAULT
            },
        ] {
            config.sealing = Some(broken);
            assert_eq!(config.validate(), Err(MarketError::InvalidSealing));
        }
    }

    #[test]
    fn skipping_a_reveal_costs_in_proportion_to_the_deposit() {
        let sealing = Sealing::DEFAULT;
        // 1 kWh: 1_000 Wh * 100_000 / 1000 = 100_000; 1 Wh: 100, so the 10_000 minimum.
        assert_eq!(sealing.bond_for(1_000), Ok(100_000));
        assert_eq!(sealing.bond_for(1), Ok(10_000));
        assert_eq!(sealing.bond_for(3), Ok(10_000));
        // 5_000 bps of 100_000 is 50_000; of 12_000 it is 6_000, below the 10_000 minimum;
        // a deposit of 4_000 forfeits all of itself.
        assert_eq!(sealing.forfeit_of(100_000), 50_000);
        assert_eq!(sealing.forfeit_of(12_000), 10_000);
        assert_eq!(sealing.forfeit_of(4_000), 4_000);
        assert_eq!(sealing.forfeit_of(u128::MAX), u128::MAX / 2);
        let whole = Sealing {
            forfeit_bps: BPS,
            ..sealing
        };
        assert_eq!(whole.forfeit_of(u128::MAX), u128::MAX);
        assert_eq!(whole.forfeit_of(123_457), 123_457);
        let odd = Sealing {
            forfeit_bps: 3_333,
            penalty: 0,
            ..sealing
        };
        // 3_333 bps of 10_001: 10_001 * 3_333 / 10_000 = 3_333.33 -> 3_333.
        assert_eq!(odd.forfeit_of(10_001), 3_333);
    }

    #[test]
    fn a_connection_carries_its_power_over_an_interval() {
        assert_eq!(Capacity::of_power(43_000, HOUR_MS), Capacity::DEFAULT);
        assert_eq!(Capacity::of_power(43_000, HOUR_MS / 4).export_wh, 10_750);
        let capacity = Capacity {
            export_wh: 5_000,
            import_wh: 9_000,
        };
        assert!(capacity.admits(crate::Side::Sell, 5_000));
        assert!(!capacity.admits(crate::Side::Sell, 5_001));
        assert!(capacity.admits(crate::Side::Buy, 9_000));
        assert!(!capacity.admits(crate::Side::Buy, 9_001));
        assert_eq!(Capacity::of_power(u64::MAX, u64::MAX).import_wh, u64::MAX);
    }
}
