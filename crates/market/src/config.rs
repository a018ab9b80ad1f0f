//! The market's whole configuration, as the operator gives it to main.

use crate::{AuctionRules, MarketError, Tariff};

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
}

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
        }
    }

    /// Checks every part.
    ///
    /// # Errors
    /// [`MarketError::InvalidInterval`], [`MarketError::InvalidTopology`] or
    /// [`MarketError::InvalidTariff`].
    pub fn validate(&self) -> Result<(), MarketError> {
        if self.interval_ms == 0 {
            return Err(MarketError::InvalidInterval);
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
