//! p2g's storage for the treasury: [`StorageVault`], the `market::treasury::Vault` over p2g's
//! mappings, which emits the treasury's events as p2g's own.

use ink::{primitives::AccountId, storage::Mapping};
use market::{
    treasury::{Claim, Escrow, TreasuryEvent, Vault},
    Balance, IntervalIndex,
};

use crate::{ClaimPaid, FeedInOwed, Forfeited, GridFunded, Withdrawn};

/// The treasury's storage: p2g's `market::treasury::Vault`. A zero count or debt is
/// removed rather than stored; a credit entry stays once an offer has created it, at zero
/// too, so that settlements never create one (`market::reserved`).
#[ink::storage_item]
#[derive(Default, Debug)]
pub(crate) struct StorageVault {
    /// Each participant's escrow per interval, until its offer is settled or withdrawn.
    escrows: Mapping<(AccountId, IntervalIndex), Escrow>,
    /// Escrows made in each interval, less those withdrawn: caps commitments like offers.
    escrow_counts: Mapping<IntervalIndex, u32>,
    /// What each account may withdraw.
    credits: Mapping<AccountId, Balance>,
    /// What each seller is still owed in claims.
    owed: Mapping<AccountId, Balance>,
    /// Unpaid feed-in claims by their place in the queue, `claims_head..claims_next`.
    claims: Mapping<u32, Claim>,
}

/// Stores `account`'s `value`, or removes the entry if `value` is zero.
fn put_nonzero<Key: ink::storage::traits::StorageKey>(
    mapping: &mut Mapping<AccountId, Balance, Key>,
    account: AccountId,
    value: Balance,
) {
    if value == 0 {
        mapping.remove(account);
    } else {
        mapping.insert(account, &value);
    }
}

impl StorageVault {
    /// Creates `account`'s credit entry, at zero, if it has none.
    pub(crate) fn reserve_credit(&mut self, account: AccountId) {
        if !self.credits.contains(account) {
            self.credits.insert(account, &0);
        }
    }
}

impl Vault for StorageVault {
    fn escrow(&self, account: &AccountId, interval: IntervalIndex) -> Option<Escrow> {
        self.escrows.get((*account, interval))
    }
    fn set_escrow(&mut self, account: &AccountId, interval: IntervalIndex, escrow: &Escrow) {
        self.escrows.insert((*account, interval), escrow);
    }
    fn remove_escrow(&mut self, account: &AccountId, interval: IntervalIndex) {
        self.escrows.remove((*account, interval));
    }
    fn escrow_count(&self, interval: IntervalIndex) -> u32 {
        self.escrow_counts.get(interval).unwrap_or(0)
    }
    fn set_escrow_count(&mut self, interval: IntervalIndex, count: u32) {
        if count == 0 {
            self.escrow_counts.remove(interval);
        } else {
            self.escrow_counts.insert(interval, &count);
        }
    }
    fn credit(&self, account: &AccountId) -> Balance {
        self.credits.get(account).unwrap_or(0)
    }
    fn set_credit(&mut self, account: &AccountId, credit: Balance) {
        self.credits.insert(*account, &credit);
    }
    fn owed(&self, account: &AccountId) -> Balance {
        self.owed.get(account).unwrap_or(0)
    }
    fn set_owed(&mut self, account: &AccountId, owed: Balance) {
        put_nonzero(&mut self.owed, *account, owed);
    }
    fn claim(&self, index: u32) -> Option<Claim> {
        self.claims.get(index)
    }
    fn set_claim(&mut self, index: u32, claim: &Claim) {
        self.claims.insert(index, claim);
    }
    fn remove_claim(&mut self, index: u32) {
        self.claims.remove(index);
    }
    fn emit(&mut self, event: TreasuryEvent) {
        match event {
            TreasuryEvent::FeedInOwed {
                interval,
                account,
                amount,
            } => emit(FeedInOwed {
                interval,
                account,
                amount,
            }),
            TreasuryEvent::ClaimPaid {
                interval,
                account,
                amount,
            } => emit(ClaimPaid {
                interval,
                account,
                amount,
            }),
            TreasuryEvent::Withdrawn { account, amount } => emit(Withdrawn { account, amount }),
            TreasuryEvent::GridFunded {
                amount,
                grid_deposit,
            } => emit(GridFunded {
                amount,
                grid_deposit,
            }),
            TreasuryEvent::Forfeited {
                interval,
                account,
                refund,
                penalty,
            } => emit(Forfeited {
                interval,
                account,
                refund,
                penalty,
            }),
        }
    }
}

fn emit<Event: ink::env::Event>(event: Event) {
    ink::env::emit_event::<ink::env::DefaultEnvironment, Event>(event);
}
