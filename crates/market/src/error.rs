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
    /// Sealed offers with a reveal window of zero, a forfeit share above 10 000 basis points
    /// or a bond above [`crate::MAX_PRICE`].
    InvalidSealing,
    /// The timestamp lies before the market's start.
    NotStarted,
    /// Metering with a window of zero, an imbalance factor of at most 10 000 basis points or
    /// above [`crate::metering::MAX_IMBALANCE_BPS`], or a feed-in factor above 10 000.
    InvalidMetering,
}

impl core::fmt::Display for MarketError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            MarketError::Overflow => "a sum or product does not fit its integer type",
            MarketError::UnknownArea => "the area lies outside the topology",
            MarketError::InvalidTopology => "the topology is malformed",
            MarketError::InvalidTariff => "the tariff is malformed or a price is out of bounds",
            MarketError::InvalidFee => {
                "the network fee over the farthest distance exceeds MAX_PRICE"
            }
            MarketError::InvalidInterval => "the interval length is zero",
            MarketError::InvalidLimits => "an offer cap or step budget is zero or too large",
            MarketError::InvalidSealing => "the sealing settings are out of bounds",
            MarketError::NotStarted => "the timestamp lies before the market's start",
            MarketError::InvalidMetering => "the metering settings are out of bounds",
        })
    }
}

#[cfg(feature = "std")]
impl std::error::Error for MarketError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_read_as_sentences() {
        assert_eq!(
            alloc::format!("{}", MarketError::UnknownArea),
            "the area lies outside the topology"
        );
    }
}
