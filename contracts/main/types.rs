//! The types main's messages take and return.

use ink::primitives::{AccountId, Hash};
use market::{AreaId, Capacity, EnergyWh, PricePerKwh};

/// Where closing an interval stands after a step.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum CloseProgress {
    /// More steps are needed; this one used `used` items of its budget.
    InProgress {
        /// Items used by this step.
        used: u32,
    },
    /// The interval is cleared and settled.
    Closed(IntervalResult),
}

/// The code the market runs: main's own and that of the p2p and p2g contracts it
/// instantiated. Clients compare all three with the bundles they trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct CodeHashes {
    /// main's code hash.
    pub main: Hash,
    /// p2p's code hash.
    pub p2p: Hash,
    /// p2g's code hash.
    pub p2g: Hash,
}

/// A registered participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Participant {
    /// The area tag that decides whom it trades with first.
    pub area: AreaId,
    /// Its grid connection: the most it may sell or buy per interval, and the most a meter
    /// reading may report each way.
    pub capacity: Capacity,
    /// Its own meter account (its smart-meter gateway key), the only one that may submit its
    /// readings; `None`: the market's metering operator submits them.
    pub meter: Option<AccountId>,
}

/// The result of a cleared interval. Energy in Wh, prices per kWh.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct IntervalResult {
    /// The uniform P2P price, if energy was traded P2P.
    pub price: Option<PricePerKwh>,
    /// Energy traded P2P.
    pub p2p_volume_wh: EnergyWh,
    /// Residual deficit bought from the grid.
    pub grid_import_wh: EnergyWh,
    /// Residual surplus sold to the grid.
    pub grid_export_wh: EnergyWh,
    /// The grid's selling price in the interval's hour.
    pub grid_price: PricePerKwh,
    /// The grid's feed-in price.
    pub feed_in_price: PricePerKwh,
    /// Number of offers in the book at the close.
    pub offers: u32,
    /// Number of P2P trades.
    pub trades: u32,
}

impl IntervalResult {
    /// The largest result, for the entry an interval's first offer reserves.
    pub(crate) fn placeholder() -> Self {
        Self {
            price: Some(0),
            p2p_volume_wh: 0,
            grid_import_wh: 0,
            grid_export_wh: 0,
            grid_price: 0,
            feed_in_price: 0,
            offers: 0,
            trades: 0,
        }
    }
}
