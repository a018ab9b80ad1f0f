//! The money a market holds, in the chain's native token: each offer's deposit (escrowed with
//! its commitment in sealed mode), the grid deposit that pays feed-in, everyone's credits, which
//! their owners withdraw pull-style, and the feed-in claims the grid deposit could not pay yet.
//!
//! [`Treasury`] holds the rules and the figures that fit in one storage cell (the [`Ledger`]
//! and the ends of the claims queue); everything kept per account, interval or claim lives
//! behind the [`Vault`] trait, which the p2g contract implements over its storage mappings and
//! [`MemoryVault`] over maps. The treasury emits its events through the vault.
//!
//! # Invariants
//! - A failed call has written nothing and emitted nothing: every method checks all that can
//!   fail before its first write. (Paying claims checks the sum of what it may pay up front,
//!   so the payments themselves cannot overflow while the vault agrees with the ledger.)
//! - The ledger's figures are the sums over the vault: `deposits` of the escrows, `credits` of
//!   the credits, `claims` of what is owed and of the queued claims.
//! - Money in (deposits escrowed, grid funding) less money out (withdrawals) equals
//!   [`Ledger::total`] between settlement batches; within one, the [`Batch`] carries what is
//!   owed to the grid operator until [`Treasury::finish_batch`] credits it.

use alloc::vec::Vec;

use crate::{
    deposits, seal::Commitment, AccountId, Balance, Bill, IntervalIndex, MarketError, Sealing,
};

/// Most feed-in claims one call ([`Treasury::fund_grid`], [`Treasury::pay_claims`]) pays, so
/// that its weight is bounded however many claims wait.
pub const MAX_CLAIMS_PER_CALL: u32 = 50;

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
        })
    }
}

#[cfg(feature = "std")]
impl std::error::Error for TreasuryError {}

/// The treasury's storage: what it keeps per account, interval and claim. The p2g contract
/// implements it over its mappings, [`MemoryVault`] over maps. Setting a zero count, credit or
/// debt removes the entry, so that storage never holds a zero.
pub trait Vault {
    /// `account`'s escrow in `interval`.
    fn escrow(&self, account: &AccountId, interval: IntervalIndex) -> Option<Escrow>;
    /// Stores `account`'s escrow in `interval`.
    fn set_escrow(&mut self, account: &AccountId, interval: IntervalIndex, escrow: &Escrow);
    /// Removes `account`'s escrow in `interval`.
    fn remove_escrow(&mut self, account: &AccountId, interval: IntervalIndex);
    /// Escrows made in `interval`, less those refunded.
    fn escrow_count(&self, interval: IntervalIndex) -> u32;
    /// Stores the escrow count of `interval`; zero removes it.
    fn set_escrow_count(&mut self, interval: IntervalIndex, count: u32);
    /// What `account` may withdraw.
    fn credit(&self, account: &AccountId) -> Balance;
    /// Stores what `account` may withdraw. A vault may keep a zero entry (p2g does, so that a
    /// settlement writes over the entry an offer reserved: `crate::reserved`) or remove it.
    fn set_credit(&mut self, account: &AccountId, credit: Balance);
    /// What the grid operator still owes `account` in claims.
    fn owed(&self, account: &AccountId) -> Balance;
    /// Stores what `account` is owed in claims; zero removes it.
    fn set_owed(&mut self, account: &AccountId, owed: Balance);
    /// The claim at `index` in the queue.
    fn claim(&self, index: u32) -> Option<Claim>;
    /// Stores the claim at `index` in the queue.
    fn set_claim(&mut self, index: u32, claim: &Claim);
    /// Removes the claim at `index` from the queue.
    fn remove_claim(&mut self, index: u32);
    /// Emits `event` (the contract as an ink! event).
    fn emit(&mut self, event: TreasuryEvent);
}

/// A [`Vault`] over maps: for tests, the simulator and off-chain replays. Records the events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryVault {
    escrows: alloc::collections::BTreeMap<(AccountId, IntervalIndex), Escrow>,
    escrow_counts: alloc::collections::BTreeMap<IntervalIndex, u32>,
    credits: alloc::collections::BTreeMap<AccountId, Balance>,
    owed: alloc::collections::BTreeMap<AccountId, Balance>,
    claims: alloc::collections::BTreeMap<u32, Claim>,
    /// The events emitted, in order.
    pub events: Vec<TreasuryEvent>,
}

impl MemoryVault {
    /// The escrows by account and interval.
    pub fn escrows(&self) -> &alloc::collections::BTreeMap<(AccountId, IntervalIndex), Escrow> {
        &self.escrows
    }

    /// The escrow counts by interval.
    pub fn escrow_counts(&self) -> &alloc::collections::BTreeMap<IntervalIndex, u32> {
        &self.escrow_counts
    }

    /// The credits by account.
    pub fn credits(&self) -> &alloc::collections::BTreeMap<AccountId, Balance> {
        &self.credits
    }

    /// What each account is owed in claims.
    pub fn debts(&self) -> &alloc::collections::BTreeMap<AccountId, Balance> {
        &self.owed
    }

    /// The queued claims by their place in the queue.
    pub fn queued_claims(&self) -> &alloc::collections::BTreeMap<u32, Claim> {
        &self.claims
    }
}

/// Stores `value` under `key`, or removes the entry if `value` is zero.
fn put_nonzero<K: Ord, V: Default + PartialEq>(
    map: &mut alloc::collections::BTreeMap<K, V>,
    key: K,
    value: V,
) {
    if value == V::default() {
        map.remove(&key);
    } else {
        map.insert(key, value);
    }
}

impl Vault for MemoryVault {
    fn escrow(&self, account: &AccountId, interval: IntervalIndex) -> Option<Escrow> {
        self.escrows.get(&(*account, interval)).copied()
    }
    fn set_escrow(&mut self, account: &AccountId, interval: IntervalIndex, escrow: &Escrow) {
        self.escrows.insert((*account, interval), *escrow);
    }
    fn remove_escrow(&mut self, account: &AccountId, interval: IntervalIndex) {
        self.escrows.remove(&(*account, interval));
    }
    fn escrow_count(&self, interval: IntervalIndex) -> u32 {
        self.escrow_counts.get(&interval).copied().unwrap_or(0)
    }
    fn set_escrow_count(&mut self, interval: IntervalIndex, count: u32) {
        put_nonzero(&mut self.escrow_counts, interval, count);
    }
    fn credit(&self, account: &AccountId) -> Balance {
        self.credits.get(account).copied().unwrap_or(0)
    }
    fn set_credit(&mut self, account: &AccountId, credit: Balance) {
        put_nonzero(&mut self.credits, *account, credit);
    }
    fn owed(&self, account: &AccountId) -> Balance {
        self.owed.get(account).copied().unwrap_or(0)
    }
    fn set_owed(&mut self, account: &AccountId, owed: Balance) {
        put_nonzero(&mut self.owed, *account, owed);
    }
    fn claim(&self, index: u32) -> Option<Claim> {
        self.claims.get(&index).copied()
    }
    fn set_claim(&mut self, index: u32, claim: &Claim) {
        self.claims.insert(index, *claim);
    }
    fn remove_claim(&mut self, index: u32) {
        self.claims.remove(&index);
    }
    fn emit(&mut self, event: TreasuryEvent) {
        self.events.push(event);
    }
}

/// One settlement batch in progress: what its charged bills owe the grid operator (grid
/// energy and network fees), credited at once by [`Treasury::finish_batch`]. Until then the
/// amount is in none of the ledger's figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[must_use = "a batch's grid energy and fees are only credited by `Treasury::finish_batch`"]
pub struct Batch {
    to_operator: Balance,
}

impl Batch {
    /// What the bills charged so far owe the grid operator.
    pub fn to_operator(&self) -> Balance {
        self.to_operator
    }
}

/// The market's money rules over a [`Vault`], with the figures that fit in one storage cell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Treasury {
    /// Where the money belongs.
    pub ledger: Ledger,
    /// The oldest unpaid claim (the next one paid).
    pub claims_head: u32,
    /// Where the next claim goes.
    pub claims_next: u32,
}

/// A credit whose sum has been checked and is still to be written.
struct Credit {
    account: AccountId,
    balance: Balance,
}

impl Credit {
    /// `account`'s credit plus `amount`; `None` when `amount` is zero (nothing to write).
    fn plan(
        vault: &impl Vault,
        account: AccountId,
        amount: Balance,
    ) -> Result<Option<Self>, TreasuryError> {
        if amount == 0 {
            return Ok(None);
        }
        Ok(Some(Self {
            account,
            balance: add(vault.credit(&account), amount)?,
        }))
    }

    fn write(self, vault: &mut impl Vault) {
        vault.set_credit(&self.account, self.balance);
    }
}

impl Treasury {
    /// An empty treasury.
    pub fn new() -> Self {
        Self::default()
    }

    /// Escrows `deposit` as `account`'s offer in `interval`, with the offer's commitment in
    /// sealed mode. At most `max_offers` escrows per interval, refunded ones not counted.
    ///
    /// # Errors
    /// [`TreasuryError::OfferExists`], [`TreasuryError::BookFull`], [`TreasuryError::Overflow`].
    pub fn escrow(
        &mut self,
        vault: &mut impl Vault,
        interval: IntervalIndex,
        account: AccountId,
        deposit: Balance,
        sealed: Option<Commitment>,
        max_offers: u32,
    ) -> Result<(), TreasuryError> {
        if vault.escrow(&account, interval).is_some() {
            return Err(TreasuryError::OfferExists);
        }
        let count = vault.escrow_count(interval);
        if count >= max_offers {
            return Err(TreasuryError::BookFull);
        }
        let count = count.checked_add(1).ok_or(TreasuryError::Overflow)?;
        let deposits = add(self.ledger.deposits, deposit)?;
        vault.set_escrow_count(interval, count);
        vault.set_escrow(&account, interval, &Escrow { deposit, sealed });
        self.ledger.deposits = deposits;
        Ok(())
    }

    /// Opens `account`'s sealed escrow in `interval` if `commitment` (what the revealed offer
    /// hashes to) is its commitment, and keeps the deposit for settlement. Returns the deposit.
    ///
    /// # Errors
    /// [`TreasuryError::NoCommitment`], [`TreasuryError::CommitmentMismatch`].
    pub fn unseal(
        &mut self,
        vault: &mut impl Vault,
        interval: IntervalIndex,
        account: AccountId,
        commitment: Commitment,
    ) -> Result<Balance, TreasuryError> {
        let mut escrow = sealed_escrow(vault, interval, &account)?;
        if escrow.sealed != Some(commitment) {
            return Err(TreasuryError::CommitmentMismatch);
        }
        escrow.sealed = None;
        vault.set_escrow(&account, interval, &escrow);
        Ok(escrow.deposit)
    }

    /// Credits back the whole deposit of `account`'s offer or commitment in `interval`, which
    /// no longer counts against the interval's maximum. Returns whether there was one.
    ///
    /// # Errors
    /// [`TreasuryError::Overflow`].
    pub fn refund(
        &mut self,
        vault: &mut impl Vault,
        interval: IntervalIndex,
        account: AccountId,
    ) -> Result<bool, TreasuryError> {
        let Some(escrow) = vault.escrow(&account, interval) else {
            return Ok(false);
        };
        let count = vault
            .escrow_count(interval)
            .checked_sub(1)
            .ok_or(TreasuryError::Overflow)?;
        let deposits = sub(self.ledger.deposits, escrow.deposit)?;
        let credits = add(self.ledger.credits, escrow.deposit)?;
        let credit = Credit::plan(vault, account, escrow.deposit)?;
        vault.remove_escrow(&account, interval);
        vault.set_escrow_count(interval, count);
        if let Some(credit) = credit {
            credit.write(vault);
        }
        self.ledger.deposits = deposits;
        self.ledger.credits = credits;
        Ok(true)
    }

    /// Releases `account`'s commitment in `interval`, which was not revealed in time: the
    /// deposit less its forfeit under `sealing` ([`Sealing::forfeit_of`]; nothing without
    /// sealing) is credited back, the forfeit to `grid_operator`. Returns the forfeit.
    ///
    /// # Errors
    /// [`TreasuryError::NoCommitment`], [`TreasuryError::Overflow`].
    ///
    /// # Events
    /// [`TreasuryEvent::Forfeited`].
    pub fn forfeit(
        &mut self,
        vault: &mut impl Vault,
        interval: IntervalIndex,
        account: AccountId,
        sealing: Option<&Sealing>,
        grid_operator: AccountId,
    ) -> Result<Balance, TreasuryError> {
        let escrow = sealed_escrow(vault, interval, &account)?;
        let (refund, penalty) = deposits::forfeit(escrow.deposit, sealing);
        let deposits = sub(self.ledger.deposits, escrow.deposit)?;
        let credits = add(self.ledger.credits, add(refund, penalty)?)?;
        // The grid operator may forfeit its own commitment: then it is credited once, with both.
        let (own, operator) = if grid_operator == account {
            (Credit::plan(vault, account, add(refund, penalty)?)?, None)
        } else {
            (
                Credit::plan(vault, account, refund)?,
                Credit::plan(vault, grid_operator, penalty)?,
            )
        };
        vault.remove_escrow(&account, interval);
        for credit in [own, operator].into_iter().flatten() {
            credit.write(vault);
        }
        self.ledger.deposits = deposits;
        self.ledger.credits = credits;
        vault.emit(TreasuryEvent::Forfeited {
            interval,
            account,
            refund,
            penalty,
        });
        Ok(penalty)
    }

    /// Charges one settled bill of `interval` to `account`'s deposit
    /// ([`deposits::charge`], which cuts fees and grid energy to what the deposit covers): the
    /// rest of the deposit and the earnings are credited to `account`, feed-in is paid out of
    /// the grid deposit as far as it goes ([`deposits::pay_feed_in`]) and the rest queued as a
    /// [`Claim`]; grid energy and fees are added to `batch` for the grid operator. Returns the
    /// bill as charged. Finish every batch with [`Treasury::finish_batch`].
    ///
    /// # Errors
    /// [`TreasuryError::Overflow`], also when the bill's P2P line exceeds the deposit.
    ///
    /// # Events
    /// [`TreasuryEvent::FeedInOwed`] when the grid deposit could not pay all the feed-in.
    pub fn charge(
        &mut self,
        vault: &mut impl Vault,
        batch: &mut Batch,
        interval: IntervalIndex,
        account: AccountId,
        bill: Bill,
    ) -> Result<Bill, TreasuryError> {
        let escrow = vault.escrow(&account, interval);
        let deposit = escrow.map_or(0, |escrow| escrow.deposit);
        let deposits = sub(self.ledger.deposits, deposit)?;
        // `deposits::charge` fails only when a sum overflows or the P2P line exceeds the deposit.
        let (bill, transfers) =
            deposits::charge(bill, deposit).map_err(|_: MarketError| TreasuryError::Overflow)?;
        let (paid, claim) = deposits::pay_feed_in(
            self.ledger.grid_deposit,
            transfers.from_grid_deposit,
            self.claims_waiting() > 0,
        );
        let grid_deposit = sub(self.ledger.grid_deposit, paid)?;
        let credited = add(transfers.refund, sub(transfers.earned, claim)?)?;
        let credits = add(self.ledger.credits, credited)?;
        let credit = Credit::plan(vault, account, credited)?;
        let queued = if claim > 0 {
            Some(self.plan_claim(vault, account, claim)?)
        } else {
            None
        };
        let p2p_collected = add(self.ledger.p2p_collected, bill.p2p_paid)?;
        let p2p_advanced = add(self.ledger.p2p_advanced, bill.p2p_earned)?;
        let to_operator = add(batch.to_operator, transfers.to_operator)?;

        if escrow.is_some() {
            vault.remove_escrow(&account, interval);
        }
        if let Some(credit) = credit {
            credit.write(vault);
        }
        self.ledger.deposits = deposits;
        self.ledger.credits = credits;
        self.ledger.grid_deposit = grid_deposit;
        self.ledger.p2p_collected = p2p_collected;
        self.ledger.p2p_advanced = p2p_advanced;
        batch.to_operator = to_operator;
        if let Some(queued) = queued {
            self.write_claim(vault, interval, account, claim, queued);
        }
        Ok(bill)
    }

    /// Ends a settlement batch: credits `grid_operator` what the batch's bills owe it and nets
    /// the P2P payments collected from buyers against the earnings advanced to sellers, so
    /// that one of them is zero.
    ///
    /// # Errors
    /// [`TreasuryError::Overflow`].
    pub fn finish_batch(
        &mut self,
        vault: &mut impl Vault,
        batch: Batch,
        grid_operator: AccountId,
    ) -> Result<(), TreasuryError> {
        let credits = add(self.ledger.credits, batch.to_operator)?;
        let credit = Credit::plan(vault, grid_operator, batch.to_operator)?;
        let in_transit = self.ledger.p2p_collected.min(self.ledger.p2p_advanced);
        let p2p_collected = sub(self.ledger.p2p_collected, in_transit)?;
        let p2p_advanced = sub(self.ledger.p2p_advanced, in_transit)?;
        if let Some(credit) = credit {
            credit.write(vault);
        }
        self.ledger.credits = credits;
        self.ledger.p2p_collected = p2p_collected;
        self.ledger.p2p_advanced = p2p_advanced;
        Ok(())
    }

    /// Adds `amount` to the grid deposit, which pays feed-in, and pays waiting claims out of
    /// it, oldest first (at most [`MAX_CLAIMS_PER_CALL`]). Returns the grid deposit left.
    ///
    /// # Errors
    /// [`TreasuryError::ZeroAmount`], [`TreasuryError::Overflow`].
    ///
    /// # Events
    /// [`TreasuryEvent::GridFunded`], then [`TreasuryEvent::ClaimPaid`] for each claim (partly)
    /// paid.
    pub fn fund_grid(
        &mut self,
        vault: &mut impl Vault,
        amount: Balance,
    ) -> Result<Balance, TreasuryError> {
        if amount == 0 {
            return Err(TreasuryError::ZeroAmount);
        }
        let grid_deposit = add(self.ledger.grid_deposit, amount)?;
        self.check_payable(grid_deposit)?;
        self.ledger.grid_deposit = grid_deposit;
        vault.emit(TreasuryEvent::GridFunded {
            amount,
            grid_deposit,
        });
        self.pay_waiting(vault, MAX_CLAIMS_PER_CALL)?;
        Ok(self.ledger.grid_deposit)
    }

    /// Pays waiting claims out of the grid deposit, oldest first, at most `max` of them (and at
    /// most [`MAX_CLAIMS_PER_CALL`]). Returns how many claims still wait.
    ///
    /// # Errors
    /// [`TreasuryError::Overflow`].
    ///
    /// # Events
    /// [`TreasuryEvent::ClaimPaid`] for each claim (partly) paid.
    pub fn pay_claims(&mut self, vault: &mut impl Vault, max: u32) -> Result<u32, TreasuryError> {
        self.check_payable(self.ledger.grid_deposit)?;
        self.pay_waiting(vault, max.min(MAX_CLAIMS_PER_CALL))?;
        Ok(self.claims_waiting())
    }

    /// Takes `account`'s whole credit out of the ledger, for the caller to transfer. The
    /// ledger is updated first: a caller whose transfer fails must fail as a whole (a contract
    /// message returning an error reverts, the event included). Returns the amount.
    ///
    /// # Errors
    /// [`TreasuryError::NothingToWithdraw`], [`TreasuryError::Overflow`].
    ///
    /// # Events
    /// [`TreasuryEvent::Withdrawn`].
    pub fn withdraw(
        &mut self,
        vault: &mut impl Vault,
        account: AccountId,
    ) -> Result<Balance, TreasuryError> {
        let amount = vault.credit(&account);
        if amount == 0 {
            return Err(TreasuryError::NothingToWithdraw);
        }
        let credits = sub(self.ledger.credits, amount)?;
        vault.set_credit(&account, 0);
        self.ledger.credits = credits;
        vault.emit(TreasuryEvent::Withdrawn { account, amount });
        Ok(amount)
    }

    /// How many claims wait.
    pub fn claims_waiting(&self) -> u32 {
        self.claims_next.saturating_sub(self.claims_head)
    }

    /// The claims waiting, oldest first: up to `max` (at most [`MAX_CLAIMS_PER_CALL`]) from
    /// the `from`-th waiting one on.
    pub fn claims(&self, vault: &impl Vault, from: u32, max: u32) -> Vec<Claim> {
        let start = self.claims_head.saturating_add(from);
        let end = start
            .saturating_add(max.min(MAX_CLAIMS_PER_CALL))
            .min(self.claims_next);
        (start..end.max(start))
            .filter_map(|index| vault.claim(index))
            .collect()
    }

    /// Checks that crediting every claim the grid deposit `grid_deposit` can pay keeps the
    /// credits in range, so that paying them one by one cannot fail halfway: a claimant's
    /// credit is part of `credits`, and the payments add up to at most the smaller of the grid
    /// deposit and the claims.
    fn check_payable(&self, grid_deposit: Balance) -> Result<(), TreasuryError> {
        add(self.ledger.credits, grid_deposit.min(self.ledger.claims)).map(|_| ())
    }

    /// The queue place and new debt of a claim of `amount` for `account`, checked.
    fn plan_claim(
        &self,
        vault: &impl Vault,
        account: AccountId,
        amount: Balance,
    ) -> Result<QueuedClaim, TreasuryError> {
        Ok(QueuedClaim {
            next: self
                .claims_next
                .checked_add(1)
                .ok_or(TreasuryError::Overflow)?,
            owed: add(vault.owed(&account), amount)?,
            claims: add(self.ledger.claims, amount)?,
        })
    }

    /// Queues a planned claim: feed-in the grid deposit could not pay.
    fn write_claim(
        &mut self,
        vault: &mut impl Vault,
        interval: IntervalIndex,
        account: AccountId,
        amount: Balance,
        queued: QueuedClaim,
    ) {
        vault.set_claim(
            self.claims_next,
            &Claim {
                account,
                interval,
                amount,
            },
        );
        vault.set_owed(&account, queued.owed);
        self.claims_next = queued.next;
        self.ledger.claims = queued.claims;
        vault.emit(TreasuryEvent::FeedInOwed {
            interval,
            account,
            amount,
        });
    }

    /// Pays up to `max` waiting claims, oldest first, as far as the grid deposit goes; the
    /// last one paid may be paid in part. Each claim is checked before it is written; after
    /// [`Treasury::check_payable`] none of the checks can fail while the vault agrees with the
    /// ledger.
    fn pay_waiting(&mut self, vault: &mut impl Vault, max: u32) -> Result<(), TreasuryError> {
        let mut visited = 0u32;
        while visited < max && self.claims_waiting() > 0 && self.ledger.grid_deposit > 0 {
            visited = visited.saturating_add(1);
            let head = self.claims_head;
            let mut claim = vault.claim(head).ok_or(TreasuryError::Overflow)?;
            let amount = claim.amount.min(self.ledger.grid_deposit);
            let grid_deposit = sub(self.ledger.grid_deposit, amount)?;
            let claims = sub(self.ledger.claims, amount)?;
            let owed = sub(vault.owed(&claim.account), amount)?;
            let credits = add(self.ledger.credits, amount)?;
            let credit = Credit::plan(vault, claim.account, amount)?;
            claim.amount = sub(claim.amount, amount)?;

            self.ledger.grid_deposit = grid_deposit;
            self.ledger.claims = claims;
            self.ledger.credits = credits;
            vault.set_owed(&claim.account, owed);
            if let Some(credit) = credit {
                credit.write(vault);
            }
            if claim.amount == 0 {
                vault.remove_claim(head);
                self.claims_head = head.saturating_add(1);
            } else {
                vault.set_claim(head, &claim);
            }
            vault.emit(TreasuryEvent::ClaimPaid {
                interval: claim.interval,
                account: claim.account,
                amount,
            });
        }
        Ok(())
    }
}

/// A claim's sums, checked before it is queued.
struct QueuedClaim {
    next: u32,
    owed: Balance,
    claims: Balance,
}

fn sealed_escrow(
    vault: &impl Vault,
    interval: IntervalIndex,
    account: &AccountId,
) -> Result<Escrow, TreasuryError> {
    match vault.escrow(account, interval) {
        Some(escrow) if escrow.sealed.is_some() => Ok(escrow),
        _ => Err(TreasuryError::NoCommitment),
    }
}

fn add(a: Balance, b: Balance) -> Result<Balance, TreasuryError> {
    a.checked_add(b).ok_or(TreasuryError::Overflow)
}

fn sub(a: Balance, b: Balance) -> Result<Balance, TreasuryError> {
    a.checked_sub(b).ok_or(TreasuryError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn account(n: u8) -> AccountId {
        AccountId::from([n; 32])
    }

    const OPERATOR: u8 = 9;

    fn setup() -> (Treasury, MemoryVault) {
        (Treasury::new(), MemoryVault::default())
    }

    fn buyer_bill(p2p_paid: Balance, fees_paid: Balance, grid_paid: Balance) -> Bill {
        Bill {
            p2p_bought_wh: 1_000,
            p2p_paid,
            fees_paid,
            grid_bought_wh: 500,
            grid_paid,
            ..Bill::default()
        }
    }

    fn seller_bill(p2p_earned: Balance, grid_earned: Balance) -> Bill {
        Bill {
            p2p_sold_wh: 1_000,
            p2p_earned,
            grid_sold_wh: 500,
            grid_earned,
            ..Bill::default()
        }
    }

    /// Charges `bills` of `interval` as one batch.
    fn settle(
        treasury: &mut Treasury,
        vault: &mut MemoryVault,
        interval: IntervalIndex,
        bills: &[(AccountId, Bill)],
    ) -> Result<Vec<Bill>, TreasuryError> {
        let mut batch = Batch::default();
        let mut charged = Vec::new();
        for (account, bill) in bills {
            charged.push(treasury.charge(vault, &mut batch, interval, *account, bill.clone())?);
        }
        treasury.finish_batch(vault, batch, account(OPERATOR))?;
        Ok(charged)
    }

    #[test]
    fn escrows_one_offer_per_account_up_to_the_maximum() {
        let (mut t, mut v) = setup();
        t.escrow(&mut v, 0, account(1), 1_000, None, 2).unwrap();
        assert_eq!(
            t.escrow(&mut v, 0, account(1), 5, None, 2),
            Err(TreasuryError::OfferExists)
        );
        t.escrow(&mut v, 0, account(2), 0, Some([1; 32]), 2)
            .unwrap();
        assert_eq!(
            t.escrow(&mut v, 0, account(3), 5, None, 2),
            Err(TreasuryError::BookFull)
        );
        // Another interval has its own count.
        t.escrow(&mut v, 1, account(3), 5, None, 2).unwrap();
        // A refunded escrow leaves room.
        assert_eq!(t.refund(&mut v, 0, account(2)), Ok(true));
        t.escrow(&mut v, 0, account(3), 7, None, 2).unwrap();
        // 1_000 + 5 + 7; the refunded 0 is a credit of nothing.
        assert_eq!(t.ledger.deposits, 1_012);
        assert_eq!(v.escrow_count(0), 2);
        assert_eq!(
            v.escrow(&account(2), 0),
            None,
            "the refunded escrow is gone"
        );
    }

    #[test]
    fn a_failed_call_writes_nothing() {
        let (mut t, mut v) = setup();
        t.escrow(&mut v, 0, account(1), Balance::MAX, None, 10)
            .unwrap();
        let before = (t.clone(), v.clone());
        // Balance::MAX + 1 does not fit.
        assert_eq!(
            t.escrow(&mut v, 0, account(2), 1, None, 10),
            Err(TreasuryError::Overflow)
        );
        assert_eq!((t.clone(), v.clone()), before);
        // A P2P line above the deposit (none here): the deposit rule prevents it, the charge
        // refuses it.
        let mut batch = Batch::default();
        assert_eq!(
            t.charge(&mut v, &mut batch, 0, account(3), buyer_bill(1, 0, 0)),
            Err(TreasuryError::Overflow)
        );
        assert_eq!(
            (t.clone(), v.clone(), batch),
            (before.0, before.1, Batch::default())
        );
        t.fund_grid(&mut v, Balance::MAX).unwrap();
        let before = (t.clone(), v.clone());
        assert_eq!(t.fund_grid(&mut v, 1), Err(TreasuryError::Overflow));
        assert_eq!((t, v), before);
    }

    #[test]
    fn unseals_the_matching_commitment_once() {
        let (mut t, mut v) = setup();
        t.escrow(&mut v, 0, account(1), 25_000, Some([7; 32]), 10)
            .unwrap();
        t.escrow(&mut v, 0, account(2), 4_000, None, 10).unwrap();
        assert_eq!(
            t.unseal(&mut v, 0, account(1), [8; 32]),
            Err(TreasuryError::CommitmentMismatch)
        );
        assert_eq!(
            t.unseal(&mut v, 0, account(2), [7; 32]),
            Err(TreasuryError::NoCommitment),
            "an open offer has no commitment"
        );
        assert_eq!(
            t.unseal(&mut v, 0, account(3), [7; 32]),
            Err(TreasuryError::NoCommitment)
        );
        assert_eq!(t.unseal(&mut v, 0, account(1), [7; 32]), Ok(25_000));
        assert_eq!(
            t.unseal(&mut v, 0, account(1), [7; 32]),
            Err(TreasuryError::NoCommitment)
        );
        assert_eq!(
            v.escrow(&account(1), 0),
            Some(Escrow {
                deposit: 25_000,
                sealed: None
            })
        );
        assert_eq!(t.ledger.deposits, 29_000);
    }

    #[test]
    fn refunds_the_whole_deposit() {
        let (mut t, mut v) = setup();
        t.escrow(&mut v, 3, account(1), 4_000, Some([1; 32]), 10)
            .unwrap();
        assert_eq!(t.refund(&mut v, 3, account(2)), Ok(false));
        assert_eq!(t.refund(&mut v, 3, account(1)), Ok(true));
        assert_eq!(t.refund(&mut v, 3, account(1)), Ok(false));
        assert_eq!(v.credit(&account(1)), 4_000);
        assert_eq!(
            t.ledger,
            Ledger {
                credits: 4_000,
                ..Ledger::default()
            }
        );
        assert!(v.escrow_counts().is_empty(), "a zero count is removed");
    }

    #[test]
    fn forfeits_the_sealing_share_to_the_grid_operator() {
        let (mut t, mut v) = setup();
        let operator = account(OPERATOR);
        let sealing = Sealing::DEFAULT;
        for (n, deposit) in [(1, 25_000), (2, 4_000), (3, 6_000)] {
            t.escrow(&mut v, 0, account(n), deposit, Some([n; 32]), 10)
                .unwrap();
        }
        // Half of 25_000 is 12_500, above the 10_000 penalty.
        assert_eq!(
            t.forfeit(&mut v, 0, account(1), Some(&sealing), operator),
            Ok(12_500)
        );
        // Half of 4_000 is 2_000: the 10_000 penalty, cut to the deposit, takes all of it.
        assert_eq!(
            t.forfeit(&mut v, 0, account(2), Some(&sealing), operator),
            Ok(4_000)
        );
        // Without sealing (the participant was removed) nothing is forfeited.
        assert_eq!(t.forfeit(&mut v, 0, account(3), None, operator), Ok(0));
        assert_eq!(
            t.forfeit(&mut v, 0, account(3), None, operator),
            Err(TreasuryError::NoCommitment)
        );
        assert_eq!(v.credit(&account(1)), 12_500);
        assert_eq!(v.credit(&account(2)), 0);
        assert_eq!(v.credit(&account(3)), 6_000);
        assert_eq!(v.credit(&operator), 12_500 + 4_000);
        assert_eq!(t.ledger.credits, 35_000);
        assert_eq!(t.ledger.deposits, 0);
        assert_eq!(
            v.events[0],
            TreasuryEvent::Forfeited {
                interval: 0,
                account: account(1),
                refund: 12_500,
                penalty: 12_500
            }
        );
        // The operator forfeiting its own commitment is credited the whole deposit.
        t.escrow(&mut v, 1, operator, 30_000, Some([0; 32]), 10)
            .unwrap();
        assert_eq!(
            t.forfeit(&mut v, 1, operator, Some(&sealing), operator),
            Ok(15_000)
        );
        assert_eq!(v.credit(&operator), 16_500 + 30_000);
    }

    #[test]
    fn a_batch_charges_deposits_and_credits_everyone() {
        let (mut t, mut v) = setup();
        t.fund_grid(&mut v, 100_000).unwrap();
        t.escrow(&mut v, 0, account(1), 500_000, None, 10).unwrap();
        let bills = [
            (account(2), seller_bill(60_000, 40_000)),
            (account(1), buyer_bill(60_000, 6_000, 153_600)),
        ];
        let charged = settle(&mut t, &mut v, 0, &bills).unwrap();
        assert_eq!(charged, vec![bills[0].1.clone(), bills[1].1.clone()]);
        // Buyer: 500_000 - 60_000 - 6_000 - 153_600 back.
        assert_eq!(v.credit(&account(1)), 280_400);
        // Seller: 60_000 P2P and 40_000 feed-in out of the grid deposit.
        assert_eq!(v.credit(&account(2)), 100_000);
        assert_eq!(v.credit(&account(OPERATOR)), 159_600);
        assert_eq!(
            t.ledger,
            Ledger {
                credits: 540_000,
                grid_deposit: 60_000,
                ..Ledger::default()
            }
        );
        // 500_000 escrowed + 100_000 funded.
        assert_eq!(t.ledger.total(), 600_000);
        assert!(v.escrows().is_empty());
    }

    #[test]
    fn payments_in_transit_between_batches_keep_the_total() {
        let (mut t, mut v) = setup();
        t.escrow(&mut v, 0, account(1), 100_000, None, 10).unwrap();
        // The seller's batch first: its earnings are advanced.
        settle(&mut t, &mut v, 0, &[(account(2), seller_bill(50_000, 0))]).unwrap();
        assert_eq!((t.ledger.p2p_advanced, t.ledger.p2p_collected), (50_000, 0));
        assert_eq!(t.ledger.total(), 100_000);
        settle(&mut t, &mut v, 0, &[(account(1), buyer_bill(50_000, 0, 0))]).unwrap();
        assert_eq!((t.ledger.p2p_advanced, t.ledger.p2p_collected), (0, 0));
        assert_eq!(t.ledger.total(), 100_000);
        // Buyer first: the payment is collected until the seller is settled.
        t.escrow(&mut v, 1, account(1), 10_000, None, 10).unwrap();
        settle(&mut t, &mut v, 1, &[(account(1), buyer_bill(7_000, 0, 0))]).unwrap();
        assert_eq!((t.ledger.p2p_advanced, t.ledger.p2p_collected), (0, 7_000));
        settle(&mut t, &mut v, 1, &[(account(2), seller_bill(7_000, 0))]).unwrap();
        assert_eq!((t.ledger.p2p_advanced, t.ledger.p2p_collected), (0, 0));
        // 50_000 + 3_000 back to the buyer, 50_000 + 7_000 to the seller.
        assert_eq!(v.credit(&account(1)), 53_000);
        assert_eq!(v.credit(&account(2)), 57_000);
        assert_eq!(t.ledger.total(), 110_000);
    }

    #[test]
    fn a_buyer_pays_at_most_its_deposit() {
        let (mut t, mut v) = setup();
        t.escrow(&mut v, 0, account(1), 100_000, None, 10).unwrap();
        let charged = settle(
            &mut t,
            &mut v,
            0,
            &[(account(1), buyer_bill(50_000, 5_000, 200_000))],
        )
        .unwrap();
        // 100_000 - 50_000 - 5_000 leaves 45_000 of the 200_000 grid line.
        assert_eq!(charged[0].grid_paid, 45_000);
        assert_eq!(v.credit(&account(1)), 0);
        assert_eq!(v.credit(&account(OPERATOR)), 50_000);
        assert_eq!(t.ledger.p2p_collected, 50_000);
    }

    #[test]
    fn unpaid_feed_in_becomes_a_claim_paid_in_order() {
        let (mut t, mut v) = setup();
        // The grid deposit holds 79_999 of two feed-ins of 80_000: the first seller is paid
        // 79_999 and owed 1, the second owed all 80_000.
        t.fund_grid(&mut v, 79_999).unwrap();
        let sellers = [
            (account(1), seller_bill(0, 80_000)),
            (account(2), seller_bill(0, 80_000)),
        ];
        settle(&mut t, &mut v, 0, &sellers).unwrap();
        assert_eq!(v.credit(&account(1)), 79_999);
        assert_eq!((v.owed(&account(1)), v.owed(&account(2))), (1, 80_000));
        assert_eq!((t.ledger.grid_deposit, t.ledger.claims), (0, 80_001));
        assert_eq!(t.claims_waiting(), 2);
        assert_eq!(
            t.claims(&v, 1, 10),
            vec![Claim {
                account: account(2),
                interval: 0,
                amount: 80_000
            }]
        );
        assert_eq!(t.fund_grid(&mut v, 0), Err(TreasuryError::ZeroAmount));
        // 40_001 pays the first seller's 1, then 40_000 of the second's 80_000.
        assert_eq!(t.fund_grid(&mut v, 40_001), Ok(0));
        assert_eq!((v.owed(&account(1)), v.owed(&account(2))), (0, 40_000));
        assert_eq!(v.credit(&account(2)), 40_000);
        settle(&mut t, &mut v, 1, &[(account(3), seller_bill(0, 1_000))]).unwrap();
        assert_eq!(v.owed(&account(3)), 1_000);
        // 45_000 pays the second seller's 40_000, then the third's 1_000: 4_000 are left.
        assert_eq!(t.fund_grid(&mut v, 45_000), Ok(4_000));
        assert_eq!(t.claims_waiting(), 0);
        assert!(v.debts().is_empty() && v.queued_claims().is_empty());
        assert_eq!(t.ledger.claims, 0);
        // Everything funded went to the sellers but what is left:
        // 79_999 + 40_001 + 45_000 - 4_000.
        assert_eq!(t.ledger.credits, 161_000);
        let paid: Balance = v
            .events
            .iter()
            .map(|event| match event {
                TreasuryEvent::ClaimPaid { amount, .. } => *amount,
                _ => 0,
            })
            .sum();
        // 1 + 40_000 + 40_000 + 1_000.
        assert_eq!(paid, 81_001);
    }

    #[test]
    fn one_call_pays_at_most_max_claims_per_call() {
        let (mut t, mut v) = setup();
        let sellers: Vec<_> = (0..60u8)
            .map(|n| (account(n), seller_bill(0, 100)))
            .collect();
        settle(&mut t, &mut v, 0, &sellers).unwrap();
        assert_eq!(t.claims_waiting(), 60);
        assert_eq!(t.claims(&v, 0, 100).len(), 50);
        // 60 * 100 owed; funding 6_000 pays the first 50 claims, 5_000.
        assert_eq!(t.fund_grid(&mut v, 6_000), Ok(1_000));
        assert_eq!(t.claims_waiting(), 10);
        // A new feed-in queues behind the waiting claims although the grid deposit holds some.
        settle(&mut t, &mut v, 1, &[(account(200), seller_bill(0, 500))]).unwrap();
        assert_eq!((t.ledger.grid_deposit, t.claims_waiting()), (1_000, 11));
        // 3 * 100 paid, then the other 7 * 100; the 500 waits for money.
        assert_eq!(t.pay_claims(&mut v, 3), Ok(8));
        assert_eq!(t.pay_claims(&mut v, 1_000), Ok(1));
        assert_eq!(t.fund_grid(&mut v, 500), Ok(0));
        assert_eq!((t.ledger.grid_deposit, t.ledger.claims), (0, 0));
        assert_eq!(t.ledger.credits, 6_500);
    }

    #[test]
    fn withdraws_the_whole_credit_once() {
        let (mut t, mut v) = setup();
        t.escrow(&mut v, 0, account(1), 4_000, None, 10).unwrap();
        assert_eq!(
            t.withdraw(&mut v, account(1)),
            Err(TreasuryError::NothingToWithdraw)
        );
        t.refund(&mut v, 0, account(1)).unwrap();
        assert_eq!(t.withdraw(&mut v, account(1)), Ok(4_000));
        assert_eq!(
            t.withdraw(&mut v, account(1)),
            Err(TreasuryError::NothingToWithdraw)
        );
        assert_eq!(t.ledger, Ledger::default());
        assert!(v.credits().is_empty());
        assert_eq!(
            v.events,
            vec![TreasuryEvent::Withdrawn {
                account: account(1),
                amount: 4_000
            }]
        );
    }

    #[test]
    fn errors_read_as_sentences() {
        assert_eq!(
            alloc::format!("{}", TreasuryError::NothingToWithdraw),
            "no credit to withdraw"
        );
    }
}
