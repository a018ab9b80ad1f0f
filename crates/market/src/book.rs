//! Stepped clearing: the result of [`clear`](crate::clear), computed in bounded steps over a book
//! that lives in contract storage.
//!
//! [`clear`](crate::clear) holds the whole book in memory and compares every buyer with every
//! seller, which no block can afford for thousands of offers. [`step`] does the same work as a
//! sequence of small, resumable steps: each visits at most `budget` *items* and leaves a
//! [`Cursor`] that the next step resumes from. An item is one unit of storage work that makes
//! lasting progress (one offer scanned in a pricing pass, one buyer skipped, one exhausted seller
//! passed, one fill), so any budget of at least one item finishes in finitely many steps and a
//! step's weight is bounded by its budget whatever the size of the book.
//!
//! # How it stays linear
//! Sellers sit in one queue per area, buyers in one queue, each in the rules' [`Priority`] order
//! (ascending [`Priority::key`], submission order on ties), kept sorted as offers arrive. The
//! one-shot rule (for each distance, each buyer in order takes from the sellers at that distance
//! in order) always takes from an area's first seller that still has energy, so each area keeps
//! a *head* that only moves forward. A buyer at distance `d` takes from the head, among the areas
//! at distance `d`, that comes first in priority order. The total work is one pass over the book
//! per pricing pass plus one visit per buyer and distance plus one item per fill or passed
//! seller. Under [`Priority::PriceTime`] the buyers admitted at a distance are a prefix of their
//! queue, so a pass stops at the first buyer whose limit is too low.
//!
//! # Pricing in passes
//! - [`PricingRule::LowestAsk`]: one pass finds the lowest ask.
//! - [`PricingRule::MarginalAsk`] and [`PricingRule::PayAsBid`]: supply `S(p)` (energy asking at most `p`) grows with `p` and
//!   demand `D(p)` (energy bidding at least `p`) shrinks, so the smallest price `t` with
//!   `S(t) >= D(t)` is found by binary search between the lowest and highest ask, one pass per
//!   probe. Below `t` the best ask is the highest one (volume `S` grows), from `t` on the lowest
//!   one (volume `D` shrinks); one pass finds these two asks and one more their volumes. The
//!   number of passes depends on the price range, never on the number of offers.
//! - [`PricingRule::MarginalBid`] and [`PricingRule::Midpoint`] also need the marginal bid, the
//!   highest price whose demand still covers the largest volume `V`: one pass finds the highest
//!   bid, a binary search between the marginal ask and it finds the largest `p` with
//!   `D(p) >= V` (one pass per probe), and, when the rule's price is not the marginal ask, one
//!   pass measures the supply at it.

use crate::{
    topology::AreaId, AuctionRules, Balance, EnergyWh, MarketError, Offer, Position, PricePerKwh,
    PricingRule, Priority, Side, Trade,
};

/// The end of a queue: the slot that follows the last one, and the head of an area whose
/// sellers are all used up.
pub const END: u32 = u32::MAX;

/// What an offer has traded so far; its offer gives the rest of its [`Position`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Fill {
    /// Energy traded P2P, Wh.
    pub matched_wh: EnergyWh,
    /// P2P money: paid by a buyer, earned by a seller.
    pub value: Balance,
    /// Network fees paid by a buyer.
    pub fees: Balance,
}

impl Fill {
    /// The position of `offer` after these fills.
    pub fn position(&self, offer: &Offer) -> Position {
        Position {
            account: offer.account,
            side: offer.side,
            offered_wh: offer.energy_wh,
            matched_wh: self.matched_wh,
            value: self.value,
            fees: self.fees,
        }
    }

    pub(crate) fn residual_wh(&self, offer: &Offer) -> EnergyWh {
        offer.energy_wh.saturating_sub(self.matched_wh)
    }

    pub(crate) fn add(
        &mut self,
        energy_wh: EnergyWh,
        value: Balance,
        fee: Balance,
    ) -> Result<(), MarketError> {
        self.matched_wh = self
            .matched_wh
            .checked_add(energy_wh)
            .ok_or(MarketError::Overflow)?;
        self.value = self.value.checked_add(value).ok_or(MarketError::Overflow)?;
        self.fees = self.fees.checked_add(fee).ok_or(MarketError::Overflow)?;
        Ok(())
    }
}

/// One interval's book as the stepped clearing sees it. The contract implements it over its
/// storage mappings (reads take `&mut self` so that it can cache what a step has read and write
/// back once at the end), [`MemoryBook`] over vectors.
///
/// Slots number offers in submission order; a cancelled offer leaves its slot empty. Buyers sit
/// in one queue, sellers in one queue per area, each a linked list of slots in the rules'
/// [`Priority`] order, cancelled ones included (they are skipped).
pub trait Book {
    /// Slots handed out, cancelled ones included.
    fn slots(&mut self) -> u32;
    /// The live offer in `slot`.
    fn offer(&mut self, slot: u32) -> Option<Offer>;
    /// The slot of the first buyer, [`END`] if there is none.
    fn first_buyer(&mut self) -> u32;
    /// The slot after `slot` in its queue, [`END`] after the last.
    fn next(&mut self, slot: u32) -> u32;
    /// The slot of `area`'s first seller that may still have energy, [`END`] if none.
    fn head(&mut self, area: AreaId) -> u32;
    /// Moves `area`'s head.
    fn set_head(&mut self, area: AreaId, slot: u32);
    /// What the offer in `slot` has traded so far.
    fn fill(&mut self, slot: u32) -> Fill;
    /// Records what the offer in `slot` has traded so far.
    fn set_fill(&mut self, slot: u32, fill: &Fill);
    /// Records a trade (the `index`-th of the interval, counting from zero).
    fn record_trade(&mut self, index: u32, trade: &Trade);
}

/// A slot's entry in its queue: the slot after it and its own sort key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Link {
    /// The next slot in the queue, [`END`] for the last.
    pub next: u32,
    /// The slot's [`Priority::key`]; kept when its offer is cancelled, so that the queue stays
    /// sorted.
    pub key: PricePerKwh,
}

/// The first and last slot of a queue, both [`END`] while it is empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Ends {
    /// The first slot.
    pub first: u32,
    /// The last slot.
    pub last: u32,
}

impl Default for Ends {
    fn default() -> Self {
        Self::EMPTY
    }
}

impl Ends {
    /// An empty queue.
    pub const EMPTY: Ends = Ends {
        first: END,
        last: END,
    };
}

/// Where queue entries are kept: contract storage, or vectors in [`MemoryBook`].
pub trait Links {
    /// The entry of `slot`, if it is queued.
    fn link(&mut self, slot: u32) -> Option<Link>;
    /// Writes the entry of `slot`.
    fn set_link(&mut self, slot: u32, link: Link);
}

/// Queues `slot` with `key` after every entry whose key is at most `key`, and returns the
/// queue's new ends. Slots are handed out in submission order, so equal keys stay in
/// submission order.
///
/// Appending (a key at least the last one's, always the case under [`Priority::Submission`])
/// and prepending cost one read and at most two writes; any other place walks the queue from
/// its first entry, one read per entry passed, paid by the offer that needs it.
pub fn enqueue<L: Links>(links: &mut L, ends: Ends, slot: u32, key: PricePerKwh) -> Ends {
    let last = (ends.last != END).then(|| links.link(ends.last)).flatten();
    let Some(last) = last else {
        links.set_link(slot, Link { next: END, key });
        return Ends {
            first: slot,
            last: slot,
        };
    };
    if last.key <= key {
        links.set_link(ends.last, Link { next: slot, ..last });
        links.set_link(slot, Link { next: END, key });
        return Ends { last: slot, ..ends };
    }
    let mut before = ends.first;
    let mut entry = links.link(before).unwrap_or(last);
    if key < entry.key {
        links.set_link(
            slot,
            Link {
                next: ends.first,
                key,
            },
        );
        return Ends {
            first: slot,
            ..ends
        };
    }
    // The last key is larger than `key`, so the walk ends before the end of the queue.
    loop {
        let next = entry.next;
        let Some(after) = (next != END).then(|| links.link(next)).flatten() else {
            break;
        };
        if after.key > key {
            break;
        }
        before = next;
        entry = after;
    }
    links.set_link(
        slot,
        Link {
            next: entry.next,
            key,
        },
    );
    links.set_link(
        before,
        Link {
            next: slot,
            ..entry
        },
    );
    ends
}

/// Where a stepped clearing stands.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum Stage {
    /// First pass: checks every offer's area; finds the lowest and highest ask and the supply.
    Scan {
        /// Lowest ask so far.
        lowest: Option<PricePerKwh>,
        /// Highest ask so far.
        highest: PricePerKwh,
        /// Energy offered by all sellers so far, Wh.
        supply_wh: u128,
    },
    /// Merit order: a pass measuring supply and demand at the middle of `[low, high)`.
    Search {
        /// Lowest price still possible for the threshold.
        low: PricePerKwh,
        /// Highest price still possible for the threshold.
        high: PricePerKwh,
        /// Supply asking at most the probe so far, Wh.
        supply_wh: u128,
        /// Demand bidding at least the probe so far, Wh.
        demand_wh: u128,
    },
    /// Merit order: a pass finding the highest ask below and the lowest ask from `threshold`.
    Bracket {
        /// The smallest price where supply meets demand.
        threshold: PricePerKwh,
        /// Highest ask below the threshold so far.
        below: Option<PricePerKwh>,
        /// Lowest ask from the threshold on so far.
        above: Option<PricePerKwh>,
    },
    /// Merit order: a pass measuring the traded volume at the two candidate prices.
    Volumes {
        /// The candidate below the threshold and its supply and demand so far.
        below: Option<Candidate>,
        /// The candidate from the threshold on and its supply and demand so far.
        above: Option<Candidate>,
    },
    /// Marginal bid: a pass finding the highest bid (the marginal ask is the cursor's price).
    TopBid {
        /// The largest volume, Wh: what the demand at the marginal bid must still cover.
        target_wh: u128,
        /// Highest bid so far.
        highest: PricePerKwh,
    },
    /// Marginal bid: a pass measuring the demand at the middle of `(low, high]`.
    Ceiling {
        /// Highest price known to have demand covering the target.
        low: PricePerKwh,
        /// Highest price still possible for the marginal bid.
        high: PricePerKwh,
        /// The largest volume, Wh.
        target_wh: u128,
        /// Demand bidding at least the probe so far, Wh.
        demand_wh: u128,
    },
    /// A pass measuring the supply at the rule's price inside the competitive interval.
    Supply {
        /// The price.
        price: PricePerKwh,
        /// Energy asking at most `price` so far, Wh.
        supply_wh: u128,
    },
    /// Matching at one distance, buyer by buyer.
    Match {
        /// The distance being matched.
        distance: u8,
        /// Residual demand of the eligible buyers visited in this pass, Wh.
        unmet_wh: u128,
    },
    /// Matching has finished.
    Done,
}

impl Stage {
    fn matching(distance: u8, unmet_wh: u128) -> Self {
        Stage::Match { distance, unmet_wh }
    }
}

/// A merit-order price candidate with the supply and demand measured at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Candidate {
    /// The price (an ask).
    pub price: PricePerKwh,
    /// Energy asking at most `price`, Wh.
    pub supply_wh: u128,
    /// Energy bidding at least `price`, Wh.
    pub demand_wh: u128,
}

impl Candidate {
    fn at(price: PricePerKwh) -> Self {
        Self {
            price,
            supply_wh: 0,
            demand_wh: 0,
        }
    }

    fn count(&mut self, offer: &Offer) -> Result<(), MarketError> {
        tally(&mut self.supply_wh, &mut self.demand_wh, offer, self.price)
    }

    fn volume_wh(&self) -> u128 {
        self.supply_wh.min(self.demand_wh)
    }
}

/// A resumable stepped clearing of one interval.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Cursor {
    /// The current stage.
    pub stage: Stage,
    /// The next slot to visit: in slot order in pricing passes, in the buyer queue's order in
    /// matching ([`END`] when the pass is over).
    pub next: u32,
    /// The uniform price once pricing has found one.
    pub price: Option<PricePerKwh>,
    /// Energy traded so far, Wh.
    pub volume_wh: EnergyWh,
    /// Trades recorded so far.
    pub trades: u32,
    /// Energy the eligible sellers still have, Wh (known once pricing is done).
    pub unsold_wh: u128,
}

impl Default for Cursor {
    fn default() -> Self {
        Self::new()
    }
}

impl Cursor {
    /// A clearing that has not started.
    pub fn new() -> Self {
        Self {
            stage: Stage::Scan {
                lowest: None,
                highest: 0,
                supply_wh: 0,
            },
            next: 0,
            price: None,
            volume_wh: 0,
            trades: 0,
            unsold_wh: 0,
        }
    }

    /// Whether matching has finished.
    pub fn is_done(&self) -> bool {
        self.stage == Stage::Done
    }

    /// The uniform price, reported only when energy was traded.
    pub fn traded_price(&self) -> Option<PricePerKwh> {
        self.price.filter(|_| self.volume_wh > 0)
    }

    fn finish(&mut self) {
        self.stage = Stage::Done;
        self.next = 0;
    }

    fn start_matching<B: Book>(&mut self, book: &mut B, rules: &AuctionRules) {
        self.stage = Stage::matching(0, 0);
        self.next = book.first_buyer();
        if rules.topology.areas() == 0 {
            self.finish();
        }
    }
}

/// Counts items against a step's budget.
struct Meter {
    left: u32,
}

impl Meter {
    fn charge(&mut self) -> bool {
        match self.left.checked_sub(1) {
            Some(left) => {
                self.left = left;
                true
            }
            None => false,
        }
    }
}

/// Runs one step of at most `budget` items and returns the items used. Call again with the same
/// cursor until [`Cursor::is_done`]; the trades, fills and cursor then equal what
/// [`clear`](crate::clear) computes for the same book in one go.
///
/// # Errors
/// [`MarketError::UnknownArea`] for an offer outside the topology, [`MarketError::Overflow`]
/// if a sum overflows.
pub fn step<B: Book>(
    book: &mut B,
    rules: &AuctionRules,
    cursor: &mut Cursor,
    budget: u32,
) -> Result<u32, MarketError> {
    let mut meter = Meter { left: budget };
    while !cursor.is_done() {
        let progressed = match cursor.stage {
            Stage::Match { .. } => match_buyer(book, rules, cursor, &mut meter)?,
            _ => price_pass_item(book, rules, cursor, &mut meter)?,
        };
        if !progressed {
            break;
        }
    }
    Ok(budget.saturating_sub(meter.left))
}

/// Visits the next slot of a pricing pass, or ends the pass. Returns false when out of budget.
fn price_pass_item<B: Book>(
    book: &mut B,
    rules: &AuctionRules,
    cursor: &mut Cursor,
    meter: &mut Meter,
) -> Result<bool, MarketError> {
    if cursor.next < book.slots() {
        if !meter.charge() {
            return Ok(false);
        }
        if let Some(offer) = book.offer(cursor.next) {
            visit_for_price(&mut cursor.stage, &offer, rules)?;
        }
        cursor.next = cursor.next.saturating_add(1);
        return Ok(true);
    }
    end_price_pass(book, cursor, rules)?;
    Ok(true)
}

fn visit_for_price(
    stage: &mut Stage,
    offer: &Offer,
    rules: &AuctionRules,
) -> Result<(), MarketError> {
    match stage {
        Stage::Scan {
            lowest,
            highest,
            supply_wh,
        } => {
            if !rules.topology.contains(offer.area) {
                return Err(MarketError::UnknownArea);
            }
            if offer.side == Side::Sell {
                *lowest = Some(lowest.map_or(offer.price, |low| low.min(offer.price)));
                *highest = (*highest).max(offer.price);
                *supply_wh = supply_wh
                    .checked_add(u128::from(offer.energy_wh))
                    .ok_or(MarketError::Overflow)?;
            }
        }
        Stage::Search {
            low,
            high,
            supply_wh,
            demand_wh,
        } => tally(supply_wh, demand_wh, offer, probe(*low, *high))?,
        Stage::Bracket {
            threshold,
            below,
            above,
        } => {
            if offer.side == Side::Sell {
                if offer.price < *threshold {
                    *below = Some(below.map_or(offer.price, |b| b.max(offer.price)));
                } else {
                    *above = Some(above.map_or(offer.price, |a| a.min(offer.price)));
                }
            }
        }
        Stage::Volumes { below, above } => {
            for candidate in [below, above].into_iter().flatten() {
                candidate.count(offer)?;
            }
        }
        Stage::TopBid { highest, .. } => {
            if offer.side == Side::Buy {
                *highest = (*highest).max(offer.price);
            }
        }
        Stage::Ceiling {
            low,
            high,
            demand_wh,
            ..
        } => {
            let mut unused = 0;
            tally(&mut unused, demand_wh, offer, ceiling_probe(*low, *high))?;
        }
        Stage::Supply { price, supply_wh } => {
            let mut unused = 0;
            tally(supply_wh, &mut unused, offer, *price)?;
        }
        Stage::Match { .. } | Stage::Done => {}
    }
    Ok(())
}

/// The probe of a search over `(low, high]`: its middle, rounded up.
fn ceiling_probe(low: PricePerKwh, high: PricePerKwh) -> PricePerKwh {
    let half = high.saturating_sub(low);
    low.saturating_add(half.div_ceil(2))
}

/// The next marginal-bid probe over `(low, high]`, or, once `low` is the marginal bid, the
/// rule's price: matching at once when it is the marginal ask (whose supply is known), else a
/// pass measuring the supply at it.
fn ceiling_or_price<B: Book>(
    book: &mut B,
    cursor: &mut Cursor,
    rules: &AuctionRules,
    low: PricePerKwh,
    high: PricePerKwh,
    target_wh: u128,
) {
    if low < high {
        cursor.stage = Stage::Ceiling {
            low,
            high,
            target_wh,
            demand_wh: 0,
        };
        return;
    }
    let marginal_ask = cursor.price.unwrap_or(low);
    let price = rules.pricing.within(marginal_ask, low);
    if price == marginal_ask {
        cursor.start_matching(book, rules);
    } else {
        cursor.price = Some(price);
        cursor.stage = Stage::Supply {
            price,
            supply_wh: 0,
        };
    }
}

/// Adds `offer` to the supply asking at most `price` or the demand bidding at least `price`.
fn tally(
    supply_wh: &mut u128,
    demand_wh: &mut u128,
    offer: &Offer,
    price: PricePerKwh,
) -> Result<(), MarketError> {
    let sum = match offer.side {
        Side::Sell if offer.price <= price => supply_wh,
        Side::Buy if offer.price >= price => demand_wh,
        _ => return Ok(()),
    };
    *sum = sum
        .checked_add(u128::from(offer.energy_wh))
        .ok_or(MarketError::Overflow)?;
    Ok(())
}

/// The probe of a search over `[low, high)`: its middle, rounded down.
fn probe(low: PricePerKwh, high: PricePerKwh) -> PricePerKwh {
    low.saturating_add(high.saturating_sub(low) / 2)
}

/// Decides what a finished pricing pass means and sets up the next pass or matching.
fn end_price_pass<B: Book>(
    book: &mut B,
    cursor: &mut Cursor,
    rules: &AuctionRules,
) -> Result<(), MarketError> {
    cursor.next = 0;
    match cursor.stage.clone() {
        Stage::Scan {
            lowest,
            highest,
            supply_wh,
        } => match (lowest, rules.pricing) {
            (None, _) => cursor.finish(),
            (Some(lowest), PricingRule::LowestAsk) => {
                cursor.price = Some(lowest);
                cursor.unsold_wh = supply_wh;
                cursor.start_matching(book, rules);
            }
            (
                Some(lowest),
                PricingRule::MarginalAsk
                | PricingRule::MarginalBid
                | PricingRule::Midpoint
                | PricingRule::PayAsBid,
            ) => {
                // The threshold lies in [lowest, highest + 1); `highest + 1` stands for "no ask
                // meets demand", and is never probed.
                let high = highest.checked_add(1).ok_or(MarketError::Overflow)?;
                cursor.stage = search_or_bracket(lowest, high);
            }
        },
        Stage::Search {
            low,
            high,
            supply_wh,
            demand_wh,
        } => {
            let mid = probe(low, high);
            cursor.stage = if supply_wh >= demand_wh {
                search_or_bracket(low, mid)
            } else {
                search_or_bracket(mid.saturating_add(1), high)
            };
        }
        Stage::Bracket { below, above, .. } => {
            cursor.stage = Stage::Volumes {
                below: below.map(Candidate::at),
                above: above.map(Candidate::at),
            };
        }
        Stage::Volumes { below, above } => {
            // The larger volume wins; on a tie the lower price (`below`).
            let best = match (below, above) {
                (Some(b), Some(a)) if a.volume_wh() > b.volume_wh() => Some(a),
                (Some(b), _) => Some(b),
                (None, a) => a,
            };
            match best.filter(|candidate| candidate.volume_wh() > 0) {
                Some(candidate) => {
                    cursor.price = Some(candidate.price);
                    cursor.unsold_wh = candidate.supply_wh;
                    if rules.pricing.needs_marginal_bid() {
                        cursor.stage = Stage::TopBid {
                            target_wh: candidate.volume_wh(),
                            highest: candidate.price,
                        };
                    } else {
                        cursor.start_matching(book, rules);
                    }
                }
                None => cursor.finish(),
            }
        }
        Stage::TopBid { target_wh, highest } => {
            let low = cursor.price.unwrap_or(highest);
            ceiling_or_price(book, cursor, rules, low, highest.max(low), target_wh);
        }
        Stage::Ceiling {
            low,
            high,
            target_wh,
            demand_wh,
        } => {
            let mid = ceiling_probe(low, high);
            if demand_wh >= target_wh {
                ceiling_or_price(book, cursor, rules, mid, high, target_wh);
            } else {
                ceiling_or_price(book, cursor, rules, low, mid.saturating_sub(1), target_wh);
            }
        }
        Stage::Supply { supply_wh, .. } => {
            cursor.unsold_wh = supply_wh;
            cursor.start_matching(book, rules);
        }
        Stage::Match { .. } | Stage::Done => {}
    }
    Ok(())
}

fn search_or_bracket(low: PricePerKwh, high: PricePerKwh) -> Stage {
    if low < high {
        Stage::Search {
            low,
            high,
            supply_wh: 0,
            demand_wh: 0,
        }
    } else {
        Stage::Bracket {
            threshold: low,
            below: None,
            above: None,
        }
    }
}

/// Whether a seller takes part at `price`: under the lowest-ask rule every seller does.
fn seller_admitted(rules: &AuctionRules, ask: PricePerKwh, price: PricePerKwh) -> bool {
    rules.pricing == PricingRule::LowestAsk || ask <= price
}

/// A seller at the head of its area's queue.
struct HeadSeller {
    area: AreaId,
    slot: u32,
    offer: Offer,
    fill: Fill,
}

impl HeadSeller {
    /// Whether this seller comes before `other` in `priority` order.
    fn before(&self, other: &HeadSeller, priority: Priority) -> bool {
        let key = |seller: &HeadSeller| (priority.key(Side::Sell, seller.offer.price), seller.slot);
        key(self) < key(other)
    }
}

/// What peeking at an area's head found.
enum Peek {
    Seller(HeadSeller),
    Empty,
    OutOfBudget,
}

/// The first seller of `area` with energy left, passing (and charging for) the others.
fn peek_head<B: Book>(
    book: &mut B,
    rules: &AuctionRules,
    area: AreaId,
    price: PricePerKwh,
    meter: &mut Meter,
) -> Peek {
    let mut slot = book.head(area);
    while slot != END {
        if let Some(offer) = book.offer(slot) {
            let fill = book.fill(slot);
            if seller_admitted(rules, offer.price, price) && fill.residual_wh(&offer) > 0 {
                return Peek::Seller(HeadSeller {
                    area,
                    slot,
                    offer,
                    fill,
                });
            }
        }
        if !meter.charge() {
            return Peek::OutOfBudget;
        }
        slot = book.next(slot);
        book.set_head(area, slot);
    }
    Peek::Empty
}

/// Serves the current buyer at the current distance as far as the budget allows. Returns false
/// when out of budget.
fn match_buyer<B: Book>(
    book: &mut B,
    rules: &AuctionRules,
    cursor: &mut Cursor,
    meter: &mut Meter,
) -> Result<bool, MarketError> {
    let (Stage::Match { distance, unmet_wh }, Some(price)) = (cursor.stage.clone(), cursor.price)
    else {
        return Ok(true);
    };
    if cursor.unsold_wh == 0 {
        cursor.finish();
        return Ok(true);
    }
    if cursor.next == END {
        return end_match_pass(book, cursor, rules, distance, unmet_wh);
    }
    let buyer_slot = cursor.next;
    let Some(buyer_offer) = book.offer(buyer_slot) else {
        return skip_buyer(book, cursor, meter, distance, unmet_wh, 0);
    };
    if !rules.buyer_admitted(buyer_offer.price, price, distance)? {
        if rules.priority == Priority::PriceTime {
            // Every later buyer bids at most this one's limit: none is admitted either.
            return end_match_pass(book, cursor, rules, distance, unmet_wh);
        }
        return skip_buyer(book, cursor, meter, distance, unmet_wh, 0);
    }
    let mut buyer_fill = book.fill(buyer_slot);
    let mut filled = false;
    loop {
        let wanted = buyer_fill.residual_wh(&buyer_offer);
        if wanted == 0 {
            break;
        }
        // Among the areas at this distance, the head seller submitted first.
        let mut best: Option<HeadSeller> = None;
        for area in 0..rules.topology.areas() {
            if rules.topology.distance(buyer_offer.area, area)? != distance {
                continue;
            }
            match peek_head(book, rules, area, price, meter) {
                Peek::Seller(head) => {
                    if best.as_ref().is_none_or(|b| head.before(b, rules.priority)) {
                        best = Some(head);
                    }
                }
                Peek::Empty => {}
                Peek::OutOfBudget => return Ok(false),
            }
        }
        let Some(mut seller) = best else { break };
        if !meter.charge() {
            return Ok(false);
        }
        let trade = rules.trade(
            &seller.offer,
            &buyer_offer,
            distance,
            wanted.min(seller.fill.residual_wh(&seller.offer)),
            price,
        )?;
        seller.fill.add(trade.energy_wh, trade.payment, 0)?;
        buyer_fill.add(trade.energy_wh, trade.payment, trade.fee)?;
        book.set_fill(seller.slot, &seller.fill);
        book.set_fill(buyer_slot, &buyer_fill);
        book.record_trade(cursor.trades, &trade);
        cursor.trades = cursor.trades.checked_add(1).ok_or(MarketError::Overflow)?;
        cursor.volume_wh = cursor
            .volume_wh
            .checked_add(trade.energy_wh)
            .ok_or(MarketError::Overflow)?;
        cursor.unsold_wh = cursor.unsold_wh.saturating_sub(u128::from(trade.energy_wh));
        if seller.fill.residual_wh(&seller.offer) == 0 {
            let next = book.next(seller.slot);
            book.set_head(seller.area, next);
        }
        filled = true;
        if cursor.unsold_wh == 0 {
            break;
        }
    }
    let residual = u128::from(buyer_fill.residual_wh(&buyer_offer));
    if filled {
        cursor.stage = Stage::matching(
            distance,
            unmet_wh
                .checked_add(residual)
                .ok_or(MarketError::Overflow)?,
        );
        cursor.next = book.next(buyer_slot);
        Ok(true)
    } else {
        skip_buyer(book, cursor, meter, distance, unmet_wh, residual)
    }
}

/// Moves past a buyer that traded nothing in this visit, charging one item.
fn skip_buyer<B: Book>(
    book: &mut B,
    cursor: &mut Cursor,
    meter: &mut Meter,
    distance: u8,
    unmet_wh: u128,
    residual_wh: u128,
) -> Result<bool, MarketError> {
    if !meter.charge() {
        return Ok(false);
    }
    cursor.stage = Stage::matching(
        distance,
        unmet_wh
            .checked_add(residual_wh)
            .ok_or(MarketError::Overflow)?,
    );
    cursor.next = book.next(cursor.next);
    Ok(true)
}

/// After a pass over the buyers: done when nobody eligible wants more, else the next distance.
fn end_match_pass<B: Book>(
    book: &mut B,
    cursor: &mut Cursor,
    rules: &AuctionRules,
    distance: u8,
    unmet_wh: u128,
) -> Result<bool, MarketError> {
    match next_distance(rules, distance) {
        Some(next) if unmet_wh > 0 => {
            cursor.stage = Stage::matching(next, 0);
            cursor.next = book.first_buyer();
        }
        _ => cursor.finish(),
    }
    Ok(true)
}

/// The smallest distance between two areas that is larger than `distance`.
fn next_distance(rules: &AuctionRules, distance: u8) -> Option<u8> {
    match &rules.topology {
        crate::Topology::Line { areas } => {
            let next = distance.checked_add(1)?;
            (next < *areas).then_some(next)
        }
        crate::Topology::Matrix { distances, .. } => {
            distances.iter().copied().filter(|d| *d > distance).min()
        }
    }
}

/// A [`Book`] over vectors: for tests, benchmarks and off-chain replays.
#[derive(Debug, Clone, Default)]
pub struct MemoryBook {
    offers: alloc::vec::Vec<Option<Offer>>,
    buyers: Ends,
    sellers: alloc::collections::BTreeMap<AreaId, Ends>,
    links: alloc::vec::Vec<Option<Link>>,
    heads: alloc::collections::BTreeMap<AreaId, u32>,
    fills: alloc::vec::Vec<Fill>,
    /// The trades recorded, in matching order.
    pub trades: alloc::vec::Vec<Trade>,
}

impl MemoryBook {
    /// A book holding `offers` in submission order, `None` being a cancelled slot, queued in
    /// `priority` order.
    ///
    /// # Errors
    /// [`MarketError::Overflow`] for `u32::MAX` slots or more.
    pub fn new(offers: &[Option<Offer>], priority: Priority) -> Result<Self, MarketError> {
        if u32::try_from(offers.len()).map_or(true, |slots| slots == END) {
            return Err(MarketError::Overflow);
        }
        let mut book = Self {
            offers: offers.to_vec(),
            links: alloc::vec![None; offers.len()],
            fills: alloc::vec![Fill::default(); offers.len()],
            ..Self::default()
        };
        // Queued one by one as they arrive, as p2p does.
        for (slot, offer) in (0u32..).zip(offers) {
            let Some(offer) = offer else { continue };
            let key = priority.key(offer.side, offer.price);
            match offer.side {
                Side::Buy => book.buyers = enqueue(&mut book.links, book.buyers, slot, key),
                Side::Sell => {
                    let ends = book
                        .sellers
                        .get(&offer.area)
                        .copied()
                        .unwrap_or(Ends::EMPTY);
                    let ends = enqueue(&mut book.links, ends, slot, key);
                    book.sellers.insert(offer.area, ends);
                    book.heads.insert(offer.area, ends.first);
                }
            }
        }
        Ok(book)
    }

    /// The positions of the live offers in submission order.
    pub fn positions(&self) -> alloc::vec::Vec<Position> {
        self.offers
            .iter()
            .zip(&self.fills)
            .filter_map(|(offer, fill)| offer.as_ref().map(|offer| fill.position(offer)))
            .collect()
    }
}

impl Book for MemoryBook {
    fn slots(&mut self) -> u32 {
        u32::try_from(self.offers.len()).unwrap_or(u32::MAX)
    }
    fn offer(&mut self, slot: u32) -> Option<Offer> {
        self.offers.get(index(slot)?).cloned().flatten()
    }
    fn first_buyer(&mut self) -> u32 {
        self.buyers.first
    }
    fn next(&mut self, slot: u32) -> u32 {
        self.links.link(slot).map_or(END, |link| link.next)
    }
    fn head(&mut self, area: AreaId) -> u32 {
        self.heads.get(&area).copied().unwrap_or(END)
    }
    fn set_head(&mut self, area: AreaId, slot: u32) {
        self.heads.insert(area, slot);
    }
    fn fill(&mut self, slot: u32) -> Fill {
        index(slot)
            .and_then(|i| self.fills.get(i))
            .copied()
            .unwrap_or_default()
    }
    fn set_fill(&mut self, slot: u32, fill: &Fill) {
        if let Some(entry) = index(slot).and_then(|i| self.fills.get_mut(i)) {
            *entry = *fill;
        }
    }
    fn record_trade(&mut self, _index: u32, trade: &Trade) {
        self.trades.push(trade.clone());
    }
}

impl Links for alloc::vec::Vec<Option<Link>> {
    fn link(&mut self, slot: u32) -> Option<Link> {
        index(slot).and_then(|i| self.get(i)).copied().flatten()
    }
    fn set_link(&mut self, slot: u32, link: Link) {
        if let Some(entry) = index(slot).and_then(|i| self.get_mut(i)) {
            *entry = Some(link);
        }
    }
}

fn index(position: u32) -> Option<usize> {
    usize::try_from(position).ok()
}
