//! What the treasury keeps and says: its records (claims, escrows, the ledger), its events and
//! its errors.

use crate::{seal::Commitment, AccountId, Balance, IntervalIndex};

/// Feed-in the grid deposit could not pay when its interval settled: the grid operator
/// owes it to the seller, and it is paid, in the order claims arose, as money arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Claim {
    /// The seller owed.
    pub account: AccountId,
    /// The interval whose feed-in it is.
    pub interval: IntervalIndex,
    /// What is still owed, balance units.
    pub amount: Balance,
}

/// What a participant has put in for an interval's offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Escrow {
    /// The deposit, balance units: the buyer's worst case, refunded less its charges.
    pub deposit: Balance,
    /// In sealed mode, the commitment until the offer is revealed.
    pub sealed: Option<Commitment>,
    /// In a metered market, after its grid settlement: `deposit` is then what the settlement
    /// credits it (the rest of its deposit, bond included, and its earnings), held until its
    /// imbalance is settled.
    pub held: bool,
}

/// Where the money in p2g belongs. Balance units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Ledger {
    /// Deposits of offers not settled, refunded or forfeited yet.
    pub deposits: Balance,
    /// Credits not withdrawn yet.
    pub credits: Balance,
    /// What is left of the grid deposit that pays feed-in.
    pub grid_deposit: Balance,
    /// P2P payments charged to buyers whose sellers are not settled yet. An interval
    /// settles in batches of positions, in submission order, so a buyer may be settled
    /// before or after the sellers it paid; this and `p2p_advanced` carry the difference,
    /// and one of them is always zero.
    pub p2p_collected: Balance,
    /// P2P earnings credited to sellers whose buyers are not settled yet.
    pub p2p_advanced: Balance,
    /// Feed-in the grid operator owes sellers and has not funded yet (`Claim`s). Not held
    /// by p2g, so not part of `total`: it is paid out of future grid funding.
    pub claims: Balance,
}

impl Ledger {
    /// Everything p2g holds for someone: its balance must equal it.
    pub fn total(&self) -> Balance {
        self.deposits
            .saturating_add(self.credits)
            .saturating_add(self.grid_deposit)
            .saturating_add(self.p2p_collected)
            .saturating_sub(self.p2p_advanced)
    }
}

/// Something the treasury did that clients should hear of; the p2g contract emits each as its
/// ink! event of the same name and fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreasuryEvent {
    /// The grid deposit could not pay a seller's feed-in when its interval settled: `amount`
    /// is now a claim on the grid operator.
    FeedInOwed {
        /// The interval.
        interval: IntervalIndex,
        /// The seller owed.
        account: AccountId,
        /// What is owed.
        amount: Balance,
    },
    /// (Part of) a feed-in claim was paid out of the grid deposit into the seller's credit.
    ClaimPaid {
        /// The interval whose feed-in it was.
        interval: IntervalIndex,
        /// The seller paid.
        account: AccountId,
        /// Credited now.
        amount: Balance,
    },
    /// An account withdrew its whole credit.
    Withdrawn {
        /// Who withdrew.
        account: AccountId,
        /// How much.
        amount: Balance,
    },
    /// The grid deposit was topped up.
    GridFunded {
        /// How much was added.
        amount: Balance,
        /// The grid deposit after it.
        grid_deposit: Balance,
    },
    /// An unrevealed commitment was released: `refund` was credited back, `penalty` to the
    /// grid operator.
    Forfeited {
        /// The interval.
        interval: IntervalIndex,
        /// Who committed and did not reveal.
        account: AccountId,
        /// Credited back.
        refund: Balance,
        /// Credited to the grid operator.
        penalty: Balance,
    },
}

/// Why a treasury call failed. A failed call has changed nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum TreasuryError {
    /// The participant has escrowed an offer in this interval already.
    OfferExists,
    /// The interval holds the given maximum of escrows.
    BookFull,
    /// The participant has no unrevealed commitment in this interval.
    NoCommitment,
    /// The revealed offer and salt do not hash to the commitment.
    CommitmentMismatch,
    /// The account has no credit to withdraw.
    NothingToWithdraw,
    /// Funding needs a non-zero amount.
    ZeroAmount,
    /// A sum overflowed, or a bill's P2P line exceeds its deposit (which the deposit rule
    /// prevents).
    Overflow,
    /// The participant has no settled position held for metering in this interval (none was
    /// settled, or its imbalance has been settled already).
    NotHeld,
}

impl core::fmt::Display for TreasuryError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            TreasuryError::OfferExists => "an offer is escrowed in this interval already",
            TreasuryError::BookFull => "the interval holds the maximum of escrows",
            TreasuryError::NoCommitment => "no unrevealed commitment in this interval",
            TreasuryError::CommitmentMismatch => "the offer does not hash to the commitment",
            TreasuryError::NothingToWithdraw => "no credit to withdraw",
            TreasuryError::ZeroAmount => "funding needs a non-zero amount",
            TreasuryError::Overflow => "a sum overflowed or a P2P payment exceeds its deposit",
            TreasuryError::NotHeld => "no position held for metering in this interval",
        })
    }
}

#[cfg(feature = "std")]
impl std::error::Error for TreasuryError {}
