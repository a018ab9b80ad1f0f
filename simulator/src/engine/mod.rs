//! Where an interval's offers are cleared and settled.
//!
//! - [`DrinkEngine`]: the three real contract bundles in drink's runtime: offers go through
//!   main, main closes the interval, and the bills come back from p2p's and p2g's events (and
//!   are checked against p2g's monthly bills at the end).
//! - [`NativeEngine`]: the same scenario through the shared `market` crate only, the code the
//!   contracts run, without a runtime: clearing, settlement, and the money through
//!   `market::treasury` as p2g runs it (deposits escrowed, bills charged, the grid deposit
//!   paying feed-in). With `p2p: false` it is the baselines' grid: every residual settles with
//!   the tariff, nothing trades between homes.
//! - [`ParallelDrink`]: the native engine drives and several drink sandboxes, one thread each,
//!   replay every interval and must reproduce its outcome exactly (`--jobs`).

mod drink;
mod native;
mod parallel;

pub use self::drink::DrinkEngine;
pub use native::NativeEngine;
pub use parallel::ParallelDrink;

use ink::primitives::AccountId;
use market::{metering::Reading, Balance, Bill, EnergyWh, MarketConfig, PricePerKwh, Side};

/// One home's offer in an interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfferSpec {
    /// Index of the home.
    pub home: usize,
    /// Selling surplus or buying deficit.
    pub side: Side,
    /// Energy, Wh (never zero).
    pub energy_wh: EnergyWh,
    /// The seller's ask; buyers use the default limit (the hour's grid price).
    pub ask: Option<PricePerKwh>,
}

/// The weight of the contract calls of a run, as drink measures it (`ref_time`, picoseconds of
/// reference execution time; pallet-contracts charges fees by weight).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct OnChainCost {
    /// Offers placed (one call each).
    pub offers: u64,
    /// Their ref_time.
    pub offer_ref_time: u64,
    /// Intervals closed.
    pub closes: u64,
    /// Closing steps (calls).
    pub close_steps: u64,
    /// Their ref_time.
    pub close_ref_time: u64,
    /// Calls that submitted meter readings (metered markets).
    pub reading_calls: u64,
    /// Their ref_time.
    pub reading_ref_time: u64,
}

/// What sealing cost, measured once per drink run: the first interval with both sellers and
/// buyers is replayed in a second, sealed market (commit during the interval, reveal after
/// it, close after the reveal window) and compared with the open run's calls for it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SealingCost {
    /// The interval replayed.
    pub interval: u64,
    /// Its offers.
    pub offers: usize,
    /// Contract calls of the open run: one per offer, then the closing steps.
    pub open_calls: u64,
    /// Their ref_time, picoseconds.
    pub open_ref_time: u64,
    /// Contract calls of the sealed replay: a commit and a reveal per offer, then the
    /// closing steps.
    pub sealed_calls: u64,
    /// Their ref_time, picoseconds.
    pub sealed_ref_time: u64,
    /// Whether the sealed replay cleared to the same result.
    pub same_result: bool,
}

/// An interval's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleared {
    /// The uniform P2P price, if energy traded P2P.
    pub price: Option<PricePerKwh>,
    /// Energy traded P2P, Wh.
    pub p2p_wh: EnergyWh,
    /// Community grid import, Wh.
    pub import_wh: EnergyWh,
    /// Community grid export, Wh.
    pub export_wh: EnergyWh,
    /// One bill per offer, in offer order.
    pub bills: Vec<Bill>,
}

/// Clears intervals.
pub trait Engine {
    /// Places the offers of `interval`, closes it and returns its outcome. Intervals come in
    /// increasing order. In a metered market `readings` carries each offer's meter reading (in
    /// offer order), submitted after the close; the bills then carry the imbalance lines.
    ///
    /// # Errors
    /// Any refusal by the market or the runtime.
    fn clear_interval(
        &mut self,
        interval: u64,
        offers: &[OfferSpec],
        readings: Option<&[Reading]>,
    ) -> anyhow::Result<Cleared>;

    /// Contract calls made so far (zero for the native engine).
    fn calls(&self) -> u64;

    /// What sealed offers would have cost, measured once (drink only).
    fn sealing_cost(&self) -> Option<SealingCost> {
        None
    }

    /// The weight the contract calls so far consumed (drink only).
    fn on_chain_cost(&self) -> Option<OnChainCost> {
        None
    }

    /// Where the money stands after the intervals cleared so far; `None` for an engine that
    /// does not keep it. Queries only: not counted in [`Engine::calls`].
    ///
    /// # Errors
    /// A refused query.
    fn money(&mut self) -> anyhow::Result<Option<Money>> {
        Ok(None)
    }

    /// Checks the engine's own records at the end of a run (drink: the monthly bills in p2g
    /// against the sums of the interval bills this engine reported).
    ///
    /// # Errors
    /// A mismatch.
    fn finish(&mut self) -> anyhow::Result<()> {
        Ok(())
    }
}

/// Where the money stands, balance units: what p2g's ledger and credits say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    /// Each home's credit (its deposits' refunds and its earnings, not withdrawn), by home.
    pub credits: Vec<Balance>,
    /// The grid operator's credit: grid energy and network fees.
    pub operator: Balance,
    /// What is left of the grid deposit that pays feed-in.
    pub grid_deposit: Balance,
}

/// The account of home `index` (actors 1 and 2 are the operator and spare).
pub fn home_account(index: usize) -> AccountId {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&(index as u64 + 16).to_le_bytes());
    bytes[31] = 0xee;
    AccountId::from(bytes)
}

/// What the operator puts in the grid deposit, which pays feed-in: 10^14 units (100 million
/// euro in micro-euro), far more than a community's year of exports.
const GRID_DEPOSIT: u128 = 100_000_000_000_000;

/// The deposit `offer` needs in `hour`, as main asks it: a buy's cover at the grid's price, and
/// in a metered market every offer's imbalance bond for the default connection the homes are
/// registered with. Computed with the shared market crate instead of a query per offer.
fn offer_deposit(config: &MarketConfig, hour: u8, offer: &OfferSpec) -> anyhow::Result<u128> {
    let price = match offer.side {
        Side::Sell => offer.ask,
        Side::Buy => None,
    };
    market::deposits::offer_cover(
        config,
        hour,
        offer.side,
        offer.energy_wh,
        price,
        market::Capacity::DEFAULT.import_wh,
    )
    .map(|(_, deposit)| deposit)
    .map_err(|e| anyhow::anyhow!("{e:?}"))
}
