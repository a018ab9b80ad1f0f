//! The one error type of the pure market logic. Contracts map each variant to their own.

/// A failure of the pure market logic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum MarketError {
    /// An intermediate sum or product does not fit its integer type.
    Overflow,
    /// An area tag outside the configured topology.
    UnknownArea,
    /// The topology has no areas, too many, or a distance matrix of the wrong shape, with a
    /// non-zero diagonal or asymmetric.
    InvalidTopology,
    /// The tariff's bounds are inverted, its peak and off-peak hours overlap, its multipliers
    /// are out of range, a price exceeds [`crate::MAX_PRICE`] or a fixed feed-in price exceeds
    /// `max_price`.
    InvalidTariff,
    /// The network fee over the farthest distance exceeds [`crate::MAX_PRICE`].
    InvalidFee,
    /// The interval length is zero.
    InvalidInterval,
    /// An offer cap or step budget of zero.
    InvalidLimits,
    /// Sealed offers with a reveal window of zero.
    InvalidSealing,
    /// The timestamp lies before the market's start.
    NotStarted,
}
