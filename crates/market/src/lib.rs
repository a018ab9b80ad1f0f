//! Pure logic of the hybrid peer-to-peer electricity market.
//!
//! Everything here is plain `no_std` Rust with SCALE types, so the three ink! contracts and the
//! simulator use the same code and it is tested off-chain with ordinary `#[test]`s.
//!
//! # Units
//! - Energy: watt-hours, [`EnergyWh`] (`u64`).
//! - Prices: balance units per kilowatt-hour, [`PricePerKwh`] (`u128`).
//! - Money: balance units, [`Balance`] (`u128`). The default configuration reads one unit as one
//!   micro-euro (so 300 000 per kWh is 0.30 EUR/kWh).
//! - Time: milliseconds since the Unix epoch (the block timestamp), UTC.
//!
//! # Rounding
//! Every money line item is `energy_wh * price_per_kwh / 1000`, rounded down to a whole unit, once
//! per line item ([`value_of`]). A P2P trade has one payment figure that the buyer pays and the
//! seller receives, and one fee figure that the buyer pays and the grid operator receives, so
//! clearing and billing neither create nor lose a unit. Imbalance charges ([`metering`]) are
//! the one exception in the grid's favour: rounded up, as their credits are rounded down.
#![cfg_attr(not(feature = "std"), no_std)]
// `scale_info::TypeInfo`'s derive casts a variant index `usize as u8` for every enum variant that
// carries data (`Topology::Matrix`, `FeedInRule::Fixed`); cargo-contract's lints would reject the
// generated code. The crate's own casts carry their own `allow` with a reason.
#![allow(clippy::cast_possible_truncation)]

extern crate alloc;

pub mod auction;
pub mod bill;
pub mod book;
pub mod config;
pub mod deposits;
pub mod error;
pub mod metering;
pub mod reserved;
pub mod seal;
pub mod tariff;
pub mod time;
pub mod topology;
pub mod treasury;

pub use auction::{
    clear, AuctionRules, Clearing, Offer, Position, PricingRule, Priority, Side, Trade,
};
pub use bill::{grid_settlement, grid_settlement_at, Bill, GridTotals, Settlement};
pub use book::{enqueue, step, Book, Cursor, Ends, Fill, Link, Links, MemoryBook, Stage, END};
pub use config::{
    version_at, Capacity, Limits, MarketConfig, Sealing, BPS, MAX_OFFERS, MAX_OFFER_WH, MAX_PRICE,
};
pub use error::MarketError;
pub use reserved::Reserved;
pub use tariff::{FeedInRule, HourClass, Tariff};
pub use time::{hour_of, month_of, IntervalState, Timing};
pub use topology::{AreaId, Topology};
pub use treasury::{
    Batch, Claim, Escrow, Ledger, MemoryVault, Treasury, TreasuryError, TreasuryEvent, Vault,
    MAX_CLAIMS_PER_CALL,
};

/// Energy in watt-hours.
pub type EnergyWh = u64;
/// Money in the chain's balance units.
pub type Balance = u128;
/// A price in balance units per kilowatt-hour.
pub type PricePerKwh = u128;
/// Milliseconds since the Unix epoch (UTC), as the block timestamp.
pub type TimestampMs = u64;
/// Index of a market interval counted from the market's start.
pub type IntervalIndex = u64;
/// A calendar month as `year * 100 + month`, e.g. `202611` for November 2026.
pub type MonthKey = u32;
/// The account type of the chain (ink!'s default environment).
pub type AccountId = ink::primitives::AccountId;

const WH_PER_KWH: u128 = 1000;

/// Value of `energy` at `price` per kWh, rounded down to a whole balance unit.
///
/// # Errors
/// [`MarketError::Overflow`] if the product does not fit in a `u128`.
pub fn value_of(energy: EnergyWh, price: PricePerKwh) -> Result<Balance, MarketError> {
    u128::from(energy)
        .checked_mul(price)
        .map(|milli| milli / WH_PER_KWH)
        .ok_or(MarketError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_rounds_down_per_line_item() {
        // 1 Wh at 999 units/kWh is 0.999 units: rounds down to 0.
        assert_eq!(value_of(1, 999), Ok(0));
        // 1500 Wh at 300_000 units/kWh = 450_000 units exactly.
        assert_eq!(value_of(1_500, 300_000), Ok(450_000));
        // 333 Wh at 1_001 units/kWh = 333.333 -> 333.
        assert_eq!(value_of(333, 1_001), Ok(333));
    }

    #[test]
    fn value_reports_overflow() {
        assert_eq!(value_of(u64::MAX, u128::MAX), Err(MarketError::Overflow));
        assert!(value_of(u64::MAX, u128::from(u64::MAX)).is_ok());
    }
}
