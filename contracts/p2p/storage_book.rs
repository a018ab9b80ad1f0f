//! The stepped clearing's storage: [`StorageBook`], the `market::Book` a clearing step runs
//! on, over p2p's mappings, with a small cache of the entries a step touches again and again;
//! and [`QueueLinks`], the `market::Links` that offers are queued in.

use ink::{
    prelude::vec::Vec,
    storage::{traits::StorageKey, Mapping},
};
use market::{AreaId, Book, Fill, IntervalIndex, Link, Links, Offer, Trade, END};

use crate::P2p;

/// One interval's queue entries, for `market::enqueue`.
pub(crate) struct QueueLinks<'a, K: StorageKey> {
    links: &'a mut Mapping<(IntervalIndex, u32), Link, K>,
    interval: IntervalIndex,
}

impl<'a, K: StorageKey> QueueLinks<'a, K> {
    pub(crate) fn new(
        links: &'a mut Mapping<(IntervalIndex, u32), Link, K>,
        interval: IntervalIndex,
    ) -> Self {
        Self { links, interval }
    }
}

impl<K: StorageKey> Links for QueueLinks<'_, K> {
    fn link(&mut self, slot: u32) -> Option<Link> {
        self.links.get((self.interval, slot))
    }
    fn set_link(&mut self, slot: u32, link: Link) {
        self.links.insert((self.interval, slot), &link);
    }
}

/// The stepped clearing's view of one interval's storage, with a few recently used entries
/// kept in memory: the head seller of an area is looked at by buyer after buyer, and a fill
/// changes with every trade, so a step reads the hot entries once and writes them back once.
/// The caches are small vectors, not maps: a map would add kilobytes of code, and every call
/// of p2p pays for loading its code.
pub(crate) struct StorageBook<'a> {
    p2p: &'a mut P2p,
    interval: IntervalIndex,
    slots: u32,
    first_buyer: u32,
    offers: Recent<Option<Offer>>,
    fills: Recent<Fill>,
    heads: Recent<u32>,
    /// Trades made in this step, for the events.
    trades: Vec<Trade>,
}

/// A direct-mapped cache: entry `key % CACHED` holds the latest `key` that mapped there,
/// with whether it changed. Constant work per access and no allocation churn, which matter
/// because every Wasm instruction is charged.
struct Recent<V> {
    entries: Vec<Option<(u32, V, bool)>>,
}

/// Entries of each kind a step keeps in memory.
const CACHED: usize = 16;

impl<V: Clone> Recent<V> {
    fn new() -> Self {
        Self {
            entries: (0..CACHED).map(|_| None).collect(),
        }
    }

    fn index(key: u32) -> usize {
        usize::try_from(key).unwrap_or(0) % CACHED
    }

    /// The entry for `key`, loaded on a miss; returns an evicted changed entry to write.
    fn get(&mut self, key: u32, load: impl FnOnce() -> V) -> (V, Option<(u32, V)>) {
        let Some(cell) = self.entries.get_mut(Self::index(key)) else {
            return (load(), None);
        };
        match cell {
            Some((k, value, _)) if *k == key => (value.clone(), None),
            _ => {
                let value = load();
                let evicted = cell.replace((key, value.clone(), false));
                (value, Self::changed_entry(evicted))
            }
        }
    }

    /// Changes the entry for `key`; returns an evicted changed entry to write.
    fn set(&mut self, key: u32, value: V) -> Option<(u32, V)> {
        let cell = self.entries.get_mut(Self::index(key))?;
        let evicted = cell.replace((key, value, true));
        match evicted {
            Some((k, _, _)) if k == key => None,
            other => Self::changed_entry(other),
        }
    }

    fn changed_entry(entry: Option<(u32, V, bool)>) -> Option<(u32, V)> {
        entry.and_then(|(key, value, changed)| changed.then_some((key, value)))
    }

    /// The changed entries, to write back.
    fn changed(self) -> impl Iterator<Item = (u32, V)> {
        self.entries.into_iter().filter_map(Self::changed_entry)
    }
}

impl<'a> StorageBook<'a> {
    pub(crate) fn new(
        p2p: &'a mut P2p,
        interval: IntervalIndex,
        slots: u32,
        first_buyer: u32,
    ) -> Self {
        Self {
            p2p,
            interval,
            slots,
            first_buyer,
            offers: Recent::new(),
            fills: Recent::new(),
            heads: Recent::new(),
            trades: Vec::new(),
        }
    }

    fn write_fill(&mut self, evicted: Option<(u32, Fill)>) {
        if let Some((slot, fill)) = evicted {
            self.p2p.fills.insert((self.interval, slot), &fill);
        }
    }

    fn write_head(&mut self, evicted: Option<(u32, u32)>) {
        if let Some((area, head)) = evicted {
            self.write_head_of(area, head);
        }
    }

    fn write_head_of(&mut self, area: u32, head: u32) {
        if let Ok(area) = AreaId::try_from(area) {
            self.p2p.heads.insert((self.interval, area), &head);
        }
    }

    /// Writes back what changed and returns the trades made.
    pub(crate) fn flush(mut self) -> Vec<Trade> {
        let fills = core::mem::replace(&mut self.fills, Recent::new());
        for (slot, fill) in fills.changed() {
            self.p2p.fills.insert((self.interval, slot), &fill);
        }
        let heads = core::mem::replace(&mut self.heads, Recent::new());
        for (area, head) in heads.changed() {
            self.write_head_of(area, head);
        }
        self.trades
    }
}

impl Book for StorageBook<'_> {
    fn slots(&mut self) -> u32 {
        self.slots
    }
    fn offer(&mut self, slot: u32) -> Option<Offer> {
        let (p2p, interval) = (&self.p2p, self.interval);
        // Offers never change during clearing: nothing to write back.
        self.offers.get(slot, || p2p.offers.get((interval, slot))).0
    }
    fn first_buyer(&mut self) -> u32 {
        self.first_buyer
    }
    fn next(&mut self, slot: u32) -> u32 {
        // Links never change during clearing: read, never cached for writing.
        self.p2p
            .links
            .get((self.interval, slot))
            .map_or(END, |link| link.next)
    }
    fn head(&mut self, area: AreaId) -> u32 {
        let (p2p, interval) = (&self.p2p, self.interval);
        let (head, evicted) = self.heads.get(u32::from(area), || {
            p2p.heads.get((interval, area)).unwrap_or(END)
        });
        self.write_head(evicted);
        head
    }
    fn set_head(&mut self, area: AreaId, slot: u32) {
        let evicted = self.heads.set(u32::from(area), slot);
        self.write_head(evicted);
    }
    fn fill(&mut self, slot: u32) -> Fill {
        let (p2p, interval) = (&self.p2p, self.interval);
        let (fill, evicted) = self
            .fills
            .get(slot, || p2p.fills.get((interval, slot)).unwrap_or_default());
        self.write_fill(evicted);
        fill
    }
    fn set_fill(&mut self, slot: u32, fill: &Fill) {
        let evicted = self.fills.set(slot, *fill);
        self.write_fill(evicted);
    }
    fn record_trade(&mut self, index: u32, trade: &Trade) {
        self.p2p.trades.insert((self.interval, index), trade);
        self.trades.push(trade.clone());
    }
}
