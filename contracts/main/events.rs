//! The events main emits (p2p and p2g emit their own as the close goes).

use ink::primitives::AccountId;
use market::{AreaId, EnergyWh, IntervalIndex, PricePerKwh, Side};

/// A participant was registered.
#[ink::event]
#[derive(Debug, PartialEq, Eq)]
pub struct ParticipantRegistered {
    /// The participant.
    #[ink(topic)]
    pub account: AccountId,
    /// Its area tag.
    pub area: AreaId,
}

/// A participant was removed.
#[ink::event]
#[derive(Debug, PartialEq, Eq)]
pub struct ParticipantRemoved {
    /// The former participant.
    #[ink(topic)]
    pub account: AccountId,
}

/// The operator replaced the configuration, for the intervals from `from_interval` on.
#[ink::event]
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigUpdated {
    /// The first interval the new configuration governs: the one after the current.
    pub from_interval: IntervalIndex,
}

/// An offer entered the book. No price: the book is closed.
#[ink::event]
#[derive(Debug, PartialEq, Eq)]
pub struct OfferAccepted {
    /// The interval.
    #[ink(topic)]
    pub interval: IntervalIndex,
    /// Who offered.
    #[ink(topic)]
    pub account: AccountId,
    /// Selling surplus or buying deficit.
    pub side: Side,
    /// Energy, Wh.
    pub energy_wh: EnergyWh,
}

/// A sealed offer was committed. Nothing about the offer is public until it is revealed.
#[ink::event]
#[derive(Debug, PartialEq, Eq)]
pub struct OfferCommitted {
    /// The interval.
    #[ink(topic)]
    pub interval: IntervalIndex,
    /// Who committed.
    #[ink(topic)]
    pub account: AccountId,
}

/// An offer (or a sealed commitment) left the book before the close; its deposit was
/// credited back.
#[ink::event]
#[derive(Debug, PartialEq, Eq)]
pub struct OfferCancelled {
    /// The interval.
    #[ink(topic)]
    pub interval: IntervalIndex,
    /// Whose offer.
    #[ink(topic)]
    pub account: AccountId,
}

/// An interval was cleared and settled.
#[ink::event]
#[derive(Debug, PartialEq, Eq)]
pub struct IntervalCleared {
    /// The interval.
    #[ink(topic)]
    pub interval: IntervalIndex,
    /// The uniform P2P price, if energy was traded P2P.
    pub price: Option<PricePerKwh>,
    /// Energy traded P2P, Wh.
    pub p2p_volume_wh: EnergyWh,
    /// Residual deficit bought from the grid, Wh.
    pub grid_import_wh: EnergyWh,
    /// Residual surplus sold to the grid, Wh.
    pub grid_export_wh: EnergyWh,
}
