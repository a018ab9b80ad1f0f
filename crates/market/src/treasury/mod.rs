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

mod records;
#[cfg(test)]
mod tests;
mod vault;

pub use records::*;
pub use vault::{MemoryVault, Vault};

use alloc::vec::Vec;

use crate::{
    deposits, metering::Imbalance, seal::Commitment, AccountId, Balance, Bill, IntervalIndex,
    MarketError, Sealing,
};
/// Most feed-in claims one call ([`Treasury::fund_grid`], [`Treasury::pay_claims`]) pays, so
/// that its weight is bounded however many claims wait.
pub const MAX_CLAIMS_PER_CALL: u32 = 50;

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
        vault.set_escrow(
            &account,
            interval,
            &Escrow {
                deposit,
                sealed,
                held: false,
            },
        );
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
    /// no longer counts against the interval's maximum. Returns whether there was one (money
    /// held for metering is no deposit: only [`Treasury::settle_imbalance`] releases it).
    ///
    /// # Errors
    /// [`TreasuryError::Overflow`].
    pub fn refund(
        &mut self,
        vault: &mut impl Vault,
        interval: IntervalIndex,
        account: AccountId,
    ) -> Result<bool, TreasuryError> {
        let Some(escrow) = vault
            .escrow(&account, interval)
            .filter(|escrow| !escrow.held)
        else {
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
    /// [`Claim`]; grid energy and fees are added to `batch` for the grid operator. With
    /// `hold` (a metered market) what would be credited to `account` stays in its escrow,
    /// marked held, until [`Treasury::settle_imbalance`]. Returns the bill as charged. Finish
    /// every batch with [`Treasury::finish_batch`].
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
        hold: bool,
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
        let (deposits, credits, credit) = if hold {
            (add(deposits, credited)?, self.ledger.credits, None)
        } else {
            (
                deposits,
                add(self.ledger.credits, credited)?,
                Credit::plan(vault, account, credited)?,
            )
        };
        let queued = if claim > 0 {
            Some(self.plan_claim(vault, account, claim)?)
        } else {
            None
        };
        let p2p_collected = add(self.ledger.p2p_collected, bill.p2p_paid)?;
        let p2p_advanced = add(self.ledger.p2p_advanced, bill.p2p_earned)?;
        let to_operator = add(batch.to_operator, transfers.to_operator)?;

        if hold {
            vault.set_escrow(
                &account,
                interval,
                &Escrow {
                    deposit: credited,
                    sealed: None,
                    held: true,
                },
            );
        } else if escrow.is_some() {
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

    /// Settles `account`'s imbalance in `interval` against what its grid settlement holds
    /// ([`Treasury::charge`] with `hold`): the charge goes to `batch` for the grid operator, the
    /// credit is paid out of the grid deposit like feed-in (the rest queued as a [`Claim`]),
    /// and what was held less the charge is credited to `account`. The bond makes the held
    /// money cover every charge a reading within the participant's connection can cause; a
    /// charge above it (the operator registered a larger connection between the offer and the
    /// reading) is cut to what is held, so that a settlement never fails. Returns the
    /// imbalance as charged. Finish every batch with [`Treasury::finish_batch`].
    ///
    /// # Errors
    /// [`TreasuryError::NotHeld`], [`TreasuryError::Overflow`].
    ///
    /// # Events
    /// [`TreasuryEvent::FeedInOwed`] when the grid deposit could not pay all the credit.
    pub fn settle_imbalance(
        &mut self,
        vault: &mut impl Vault,
        batch: &mut Batch,
        interval: IntervalIndex,
        account: AccountId,
        imbalance: Imbalance,
    ) -> Result<Imbalance, TreasuryError> {
        let held = match vault.escrow(&account, interval) {
            Some(escrow) if escrow.held => escrow.deposit,
            _ => return Err(TreasuryError::NotHeld),
        };
        let charge = imbalance.charge.min(held);
        let (paid, claim) = deposits::pay_feed_in(
            self.ledger.grid_deposit,
            imbalance.credit,
            self.claims_waiting() > 0,
        );
        let grid_deposit = sub(self.ledger.grid_deposit, paid)?;
        let deposits = sub(self.ledger.deposits, held)?;
        let credited = add(sub(held, charge)?, paid)?;
        let credits = add(self.ledger.credits, credited)?;
        let credit = Credit::plan(vault, account, credited)?;
        let queued = if claim > 0 {
            Some(self.plan_claim(vault, account, claim)?)
        } else {
            None
        };
        let to_operator = add(batch.to_operator, charge)?;

        vault.remove_escrow(&account, interval);
        if let Some(credit) = credit {
            credit.write(vault);
        }
        self.ledger.deposits = deposits;
        self.ledger.credits = credits;
        self.ledger.grid_deposit = grid_deposit;
        batch.to_operator = to_operator;
        if let Some(queued) = queued {
            self.write_claim(vault, interval, account, claim, queued);
        }
        Ok(Imbalance {
            charge,
            ..imbalance
        })
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
