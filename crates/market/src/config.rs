//! The market's whole configuration, as the operator gives it to main.

use crate::{AccountId, AuctionRules, Balance, MarketError, Tariff};

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
}

/// The settings of sealed offers: during an interval participants commit to their offers with
/// a deposit of at least `penalty`; after it they have `reveal_ms` to reveal them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Sealing {
    /// Length of the reveal window that follows each interval, milliseconds.
    pub reveal_ms: u64,
    /// What an unrevealed commitment forfeits to the grid operator, balance units; also the
    /// least deposit a commitment must carry, so that the penalty is always covered.
    pub penalty: Balance,
}

impl Sealing {
    /// A ten-minute reveal window and a penalty of 10 000 units (one cent in the default
    /// reading of micro-euro).
    pub const DEFAULT: Sealing = Sealing {
        reveal_ms: 600_000,
        penalty: 10_000,
    };
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
        }
    }

    /// [`MarketConfig::paper`] with sealed offers ([`Sealing::DEFAULT`]): what deployments use.
    pub fn sealed() -> Self {
        Self {
            sealing: Some(Sealing::DEFAULT),
            ..Self::paper()
        }
    }

    /// Checks every part.
    ///
    /// # Errors
    /// [`MarketError::InvalidInterval`], [`MarketError::InvalidTopology`] or
    /// [`MarketError::InvalidTariff`], [`MarketError::InvalidLimits`] or
    /// [`MarketError::InvalidSealing`] (a reveal window of zero).
    pub fn validate(&self) -> Result<(), MarketError> {
        if self.interval_ms == 0 {
            return Err(MarketError::InvalidInterval);
        }
        if self.sealing.is_some_and(|sealing| sealing.reveal_ms == 0) {
            return Err(MarketError::InvalidSealing);
        }
        if self.limits.max_offers == 0 || self.limits.step_items == 0 {
            return Err(MarketError::InvalidLimits);
        }
        self.auction.topology.validate()?;
        self.tariff.validate()
    }
}

impl Default for MarketConfig {
    fn default() -> Self {
        Self::paper()
    }
}
