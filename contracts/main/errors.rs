//! Why a main call fails, and how its callees' failures map onto that: every error a
//! participant can cause has its own variant; the callees' internal ones become `CalleeFailed`.

use market::{EnergyWh, MarketError, MAX_OFFER_WH};

/// Why a main call failed. A failed call changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum Error {
    /// Only the operator may do this.
    NotOperator,
    /// The caller (or the account named) is not a registered participant.
    NotRegistered,
    /// The account is registered already.
    AlreadyRegistered,
    /// The area tag lies outside the topology (for an offer: that of the interval's
    /// configuration).
    UnknownArea,
    /// The offer's energy exceeds the participant's connection capacity (export for a
    /// sell, import for a buy).
    ExceedsCapacity,
    /// The new topology drops an area in which participants are registered; remove them
    /// (or register them again in another area) first.
    AreaInUse,
    /// An offer must have energy.
    ZeroEnergy,
    /// An offer may carry at most `market::MAX_OFFER_WH` (1 GWh).
    TooMuchEnergy,
    /// An ask must lie within the tariff's `[min_price, max_price]`.
    PriceOutOfBounds,
    /// The value sent is below the deposit required: for a buy, energy times the worst
    /// price it may pay (`buy_deposit`); for a commitment, the sealing penalty; for a
    /// reveal, the offer's bond and, for a buy, its cover (`commit_deposit`).
    DepositTooLow,
    /// The market takes sealed offers: `commit`, then `reveal`.
    Sealed,
    /// The market takes open offers: `sell` and `buy`.
    NotSealed,
    /// The reveal window of the interval has closed.
    RevealClosed,
    /// The reveal window of the interval is still open.
    RevealOpen,
    /// The caller has no unrevealed commitment in the interval (none was made, or it was
    /// revealed, cancelled or forfeited).
    NoCommitment,
    /// The revealed offer and salt do not hash to the commitment.
    CommitmentMismatch,
    /// A reveal window of zero, or an update tried to change the sealing settings.
    InvalidSealing,
    /// Offers are accepted for the current interval only.
    IntervalNotOpen,
    /// The interval has not ended yet, so it cannot be closed.
    IntervalNotEnded,
    /// The interval has been cleared already.
    AlreadyCleared,
    /// The participant already has an offer in this interval; cancel it first.
    OfferExists,
    /// The participant has no offer in this interval.
    NoOffer,
    /// The interval's book has had `max_offers` offers cancelled (a cancelled offer's
    /// slot stays in the book, and every closing pass walks it).
    CancelLimit,
    /// The interval's book holds the configured maximum of offers.
    BookFull,
    /// A closing step needs a budget of at least one item.
    ZeroBudget,
    /// The offer cap or the step budget of a configuration is zero.
    InvalidLimits,
    /// The interval length is zero, or an update tried to change it.
    InvalidInterval,
    /// The topology is malformed.
    InvalidTopology,
    /// The tariff is malformed, or a price exceeds `market::MAX_PRICE` (a fixed feed-in
    /// price: `max_price`).
    InvalidTariff,
    /// The network fee over the farthest distance exceeds `market::MAX_PRICE`.
    InvalidFee,
    /// The caller has no credit to withdraw.
    NothingToWithdraw,
    /// The chain refused the transfer of a withdrawal (e.g. it would leave a new account
    /// below the existential deposit).
    TransferFailed,
    /// Funding the grid deposit needs a non-zero amount.
    ZeroAmount,
    /// The metering settings are out of bounds (`market::metering::Metering::validate`).
    InvalidMetering,
    /// The interval is not metered: its configuration has no metering.
    NotMetered,
    /// The caller is not the meter of the participant named (its own meter account, or the
    /// market's metering operator if it has none).
    NotMeter,
    /// A batch of readings must carry at least one.
    NoReadings,
    /// A batch carries more than `market::metering::MAX_SETTLEMENTS_PER_CALL` readings.
    TooManyReadings,
    /// A reading reports more than the participant's connection carries (export delivered,
    /// import consumed).
    ReadingAboveCapacity,
    /// The interval is not closed yet: readings and imbalances wait for its close.
    NotCleared,
    /// The interval's metering window has closed (its deadline has passed, or every
    /// imbalance is settled).
    MeteringClosed,
    /// The interval's metering window is open: missing readings are settled by the default
    /// after its deadline.
    MeteringOpen,
    /// The participant has no settled offer in the interval.
    NoPosition,
    /// The participant's reading for the interval has been submitted, or its imbalance
    /// settled, already (also a participant twice in one batch).
    DuplicateReading,
    /// Every imbalance of the interval is settled.
    ImbalancesSettled,
    /// A sum overflowed.
    Overflow,
    /// An internal failure: a callee trapped, ran out of gas or could not be instantiated,
    /// or refused a call main never makes (one not from main, a settlement main did not
    /// prepare). Never the result of a participant's input.
    CalleeFailed,
}

impl From<MarketError> for Error {
    fn from(error: MarketError) -> Self {
        match error {
            MarketError::Overflow => Error::Overflow,
            MarketError::UnknownArea => Error::UnknownArea,
            MarketError::InvalidTopology => Error::InvalidTopology,
            MarketError::InvalidTariff => Error::InvalidTariff,
            MarketError::InvalidFee => Error::InvalidFee,
            MarketError::InvalidInterval => Error::InvalidInterval,
            MarketError::InvalidLimits => Error::InvalidLimits,
            MarketError::InvalidSealing => Error::InvalidSealing,
            MarketError::NotStarted => Error::IntervalNotOpen,
            MarketError::InvalidMetering => Error::InvalidMetering,
        }
    }
}

/// Every p2p error a participant can cause has its own main error; the rest are internal.
impl From<p2p::Error> for Error {
    fn from(error: p2p::Error) -> Self {
        match error {
            p2p::Error::OfferExists => Error::OfferExists,
            p2p::Error::AlreadyCleared => Error::AlreadyCleared,
            p2p::Error::ZeroEnergy => Error::ZeroEnergy,
            p2p::Error::UnknownArea => Error::UnknownArea,
            p2p::Error::BookFull => Error::BookFull,
            p2p::Error::ZeroBudget => Error::ZeroBudget,
            p2p::Error::CancelLimit => Error::CancelLimit,
            p2p::Error::Overflow => Error::Overflow,
            p2p::Error::NotMain | p2p::Error::InvalidRules => Error::CalleeFailed,
        }
    }
}

/// Every p2g error a participant can cause has its own main error; the rest are internal.
impl From<p2g::Error> for Error {
    fn from(error: p2g::Error) -> Self {
        match error {
            p2g::Error::OfferExists => Error::OfferExists,
            p2g::Error::BookFull => Error::BookFull,
            p2g::Error::NoCommitment => Error::NoCommitment,
            p2g::Error::CommitmentMismatch => Error::CommitmentMismatch,
            p2g::Error::NothingToWithdraw => Error::NothingToWithdraw,
            p2g::Error::TransferFailed => Error::TransferFailed,
            p2g::Error::ZeroAmount => Error::ZeroAmount,
            p2g::Error::Overflow => Error::Overflow,
            p2g::Error::NotCleared => Error::NotCleared,
            p2g::Error::NotMetered => Error::NotMetered,
            p2g::Error::MeteringClosed => Error::MeteringClosed,
            p2g::Error::MeteringOpen => Error::MeteringOpen,
            p2g::Error::NoPosition => Error::NoPosition,
            p2g::Error::DuplicateReading => Error::DuplicateReading,
            // main validates every tariff, closes an interval once, hands each position over
            // once and sweeps missing readings only while some wait: these arise only from a
            // call main never makes.
            p2g::Error::NotMain
            | p2g::Error::AlreadySettled
            | p2g::Error::InvalidTariff
            | p2g::Error::DuplicatePosition => Error::CalleeFailed,
        }
    }
}

/// The result of main messages.
pub type Result<T> = core::result::Result<T, Error>;

/// An offer's energy: more than nothing, at most `MAX_OFFER_WH`.
pub(crate) fn check_energy(energy_wh: EnergyWh) -> Result<()> {
    match energy_wh {
        0 => Err(Error::ZeroEnergy),
        energy if energy > MAX_OFFER_WH => Err(Error::TooMuchEnergy),
        _ => Ok(()),
    }
}

/// Unwraps a cross-contract call's three layers (environment, language, callee) into one.
pub(crate) fn outcome<T, E: Into<Error>>(
    call: core::result::Result<ink::MessageResult<core::result::Result<T, E>>, ink::env::Error>,
) -> Result<T> {
    match call {
        Ok(Ok(Ok(value))) => Ok(value),
        Ok(Ok(Err(error))) => Err(error.into()),
        Ok(Err(_)) | Err(_) => Err(Error::CalleeFailed),
    }
}
