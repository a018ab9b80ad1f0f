//! Where the treasury keeps what is per account, interval or claim: the [`Vault`] trait, which
//! the p2g contract implements over its storage mappings, and [`MemoryVault`] over maps.

use alloc::vec::Vec;

use super::{Claim, Escrow, TreasuryEvent};
use crate::{AccountId, Balance, IntervalIndex};
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
