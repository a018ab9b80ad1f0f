#![cfg_attr(not(feature = "std"), no_std, no_main)]

//! # p2p: the closed-book P2P auction
//!
//! Holds each interval's book of offers and, when main closes the interval, clears it with the
//! shared `market` crate in bounded steps (`market::book`): one uniform price, area-ordered
//! matching with partial fills, the same result as clearing the whole book at once. Keeps the
//! trades and emits one event per trade. Only its main contract (the instantiator) may change
//! anything; everyone may read the trades of cleared intervals. Offers themselves are not
//! readable: the book is closed until clearing.
//!
//! # Storage
//! Everything is keyed by interval and read entry by entry, so a call touches only what it uses:
//! offers by slot (submission order), a buyer queue and one seller queue per area (linked lists
//! kept in the interval's priority order as offers arrive, `market::enqueue`), a head per area, a
//! fill per offer, trades by index. Nothing is loaded as a whole vector.

pub use self::p2p::{
    AuctionStep, BookResult, Error, P2p, P2pRef, TradeExecuted, MAX_PAGE, MAX_POSITIONS_PER_STEP,
};

mod storage_book;
#[cfg(test)]
mod unit_tests;

#[ink::contract]
mod p2p {
    use ink::{prelude::vec::Vec, storage::Mapping};
    use market::{
        reserved::{filled_value, is_filled},
        AreaId, AuctionRules, Book, Cursor, Ends, EnergyWh, Fill, IntervalIndex, Link, MarketError,
        Offer, Position, PricePerKwh, Priority, Reserved, Side, Trade, END,
    };

    use crate::storage_book::{QueueLinks, StorageBook};

    /// Most trades a page of `trades` or `trades_of` returns: 100 trades encode to about
    /// 12 KB, within ink!'s 16 KiB buffer for a message's output.
    pub const MAX_PAGE: u32 = 100;

    /// Most positions one clearing step hands out: 100 positions encode to about 8 KB, which
    /// must fit ink!'s 16 KiB buffers as p2p's output, main's copy and p2g's input.
    pub const MAX_POSITIONS_PER_STEP: usize = 100;

    /// Summary of a cleared interval.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct BookResult {
        /// The uniform price, if energy was traded.
        pub price: Option<PricePerKwh>,
        /// Energy traded, Wh.
        pub volume_wh: EnergyWh,
        /// Offers in the book at the close.
        pub offers: u32,
        /// Number of trades.
        pub trades: u32,
    }

    /// What one clearing step did.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub struct AuctionStep {
        /// Items of the budget used.
        pub used: u32,
        /// The uniform price once matching has finished and energy was traded.
        pub price: Option<PricePerKwh>,
        /// Positions of offers whose matching is final, for grid settlement: each offer's
        /// position is handed out exactly once, in submission order.
        pub positions: Vec<Position>,
        /// The interval's summary, once the last position has been handed out.
        pub result: Option<BookResult>,
    }

    impl BookResult {
        /// The largest result, for the entry the interval's first offer reserves.
        fn placeholder() -> Self {
            Self {
                price: Some(0),
                volume_wh: 0,
                offers: 0,
                trades: 0,
            }
        }
    }

    /// Counters of one interval's book, and its clearing while one is under way.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct BookHeader {
        /// Slots handed out, cancelled ones included.
        pub slots: u32,
        /// Live offers.
        pub live: u32,
        /// The buyer queue's first and last slot.
        pub buyers: Ends,
        /// Clearing has started: the book takes no more changes.
        pub closed: bool,
        /// The clearing under way. Kept in the header, which the interval's first offer
        /// created, so that a clearing step adds bytes to an entry, never a new entry that its
        /// caller would pay the deposit of (see `market::reserved`).
        pub progress: Option<Progress>,
    }

    impl Default for BookHeader {
        fn default() -> Self {
            Self {
                slots: 0,
                live: 0,
                buyers: Ends::EMPTY,
                closed: false,
                progress: None,
            }
        }
    }

    /// A clearing in progress: matching, then handing out positions slot by slot.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Progress {
        /// The matching cursor.
        pub cursor: Cursor,
        /// Slots whose positions have been handed out.
        pub exported: u32,
        /// The rules of the first step, kept so that later steps cannot change them.
        pub rules: AuctionRules,
    }

    #[ink(storage)]
    pub struct P2p {
        /// The main contract: the only caller allowed to change state.
        pub(crate) main: AccountId,
        /// Counters of each interval's book.
        pub(crate) headers: Mapping<IntervalIndex, BookHeader>,
        /// Offers by interval and slot (submission order). A cancelled slot is removed.
        pub(crate) offers: Mapping<(IntervalIndex, u32), Offer>,
        /// The slot of each participant's live offer in an interval.
        pub(crate) slot_of: Mapping<(IntervalIndex, AccountId), u32>,
        /// Each queued slot's place in its queue: the slot after it and its sort key.
        pub(crate) links: Mapping<(IntervalIndex, u32), Link>,
        /// Each area's first seller: while the book is open the first of its queue, during
        /// clearing the first that may still have energy (absent: none).
        pub(crate) heads: Mapping<(IntervalIndex, AreaId), u32>,
        /// Each area's last seller in its queue (absent: none).
        pub(crate) tails: Mapping<(IntervalIndex, AreaId), u32>,
        /// What each offer has traded (absent: nothing).
        pub(crate) fills: Mapping<(IntervalIndex, u32), Fill>,
        /// Trades by interval and index, in matching order.
        pub(crate) trades: Mapping<(IntervalIndex, u32), Trade>,
        /// Summary of each cleared interval: reserved by the interval's first offer, filled by
        /// the last clearing step.
        pub(crate) results: Mapping<IntervalIndex, Reserved<BookResult>>,
    }

    /// A P2P trade, emitted when an interval is cleared. Money in balance units.
    #[ink(event)]
    #[derive(Debug, PartialEq, Eq)]
    pub struct TradeExecuted {
        /// The interval.
        #[ink(topic)]
        pub interval: IntervalIndex,
        /// Who delivers.
        #[ink(topic)]
        pub seller: AccountId,
        /// Who receives.
        #[ink(topic)]
        pub buyer: AccountId,
        /// Distance of their areas in steps.
        pub distance: u8,
        /// Energy traded, Wh.
        pub energy_wh: EnergyWh,
        /// Uniform price per kWh.
        pub price: PricePerKwh,
        /// Paid by the buyer to the seller.
        pub payment: Balance,
        /// Network fee paid by the buyer to the grid operator.
        pub fee: Balance,
    }

    impl TradeExecuted {
        /// The event of `trade`, made in `interval`.
        pub fn new(interval: IntervalIndex, trade: Trade) -> Self {
            Self {
                interval,
                seller: trade.seller,
                buyer: trade.buyer,
                distance: trade.distance,
                energy_wh: trade.energy_wh,
                price: trade.price,
                payment: trade.payment,
                fee: trade.fee,
            }
        }
    }

    /// Why a p2p call failed.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub enum Error {
        /// The caller is not this auction's main contract.
        NotMain,
        /// An offer must have energy.
        ZeroEnergy,
        /// The participant already has an offer in this interval.
        OfferExists,
        /// Clearing of the interval has started or finished: its book takes no changes.
        AlreadyCleared,
        /// An offer's area lies outside the topology.
        UnknownArea,
        /// A sum overflowed.
        Overflow,
        /// The interval's book holds the configured maximum of offers.
        BookFull,
        /// A clearing step needs a budget of at least one item.
        ZeroBudget,
        /// The interval's book has had `Limits::max_cancels` offers cancelled: cancelled slots
        /// stay in the book and every closing pass walks them.
        CancelLimit,
        /// The auction rules handed over are malformed (main validates every configuration
        /// before it hands its rules over, so only a call not from main can cause it).
        InvalidRules,
    }

    impl From<MarketError> for Error {
        fn from(error: MarketError) -> Self {
            match error {
                MarketError::UnknownArea => Error::UnknownArea,
                MarketError::Overflow => Error::Overflow,
                MarketError::InvalidTopology
                | MarketError::InvalidTariff
                | MarketError::InvalidFee
                | MarketError::InvalidInterval
                | MarketError::InvalidLimits
                | MarketError::InvalidSealing
                | MarketError::NotStarted
                | MarketError::InvalidMetering => Error::InvalidRules,
            }
        }
    }

    /// The result of p2p messages.
    pub type Result<T> = core::result::Result<T, Error>;

    impl Default for P2p {
        fn default() -> Self {
            Self::new()
        }
    }

    impl P2p {
        /// Creates the auction; the caller becomes its main contract.
        #[ink(constructor)]
        pub fn new() -> Self {
            Self {
                main: Self::env().caller(),
                headers: Mapping::default(),
                offers: Mapping::default(),
                slot_of: Mapping::default(),
                links: Mapping::default(),
                heads: Mapping::default(),
                tails: Mapping::default(),
                fills: Mapping::default(),
                trades: Mapping::default(),
                results: Mapping::default(),
            }
        }

        /// Adds an offer to the interval's book, which may hold at most `max_offers` live
        /// offers, queued in the interval's `priority` order, and returns its slot. Main checks
        /// the participant, the interval and the price bounds before it calls. The offer also creates, at full size, the entries its
        /// clearing will write (its fill, a trade's place, its area's head, and with the first
        /// slot the interval's result), so that the offer's signer pays their storage deposit
        /// and a clearing step needs none (`market::reserved`).
        ///
        /// # Errors
        /// `NotMain`, `ZeroEnergy`, `AlreadyCleared`, `OfferExists`, `BookFull`.
        #[ink(message)]
        pub fn place(
            &mut self,
            interval: IntervalIndex,
            offer: Offer,
            max_offers: u32,
            priority: Priority,
        ) -> Result<u32> {
            self.ensure_main()?;
            if offer.energy_wh == 0 {
                return Err(Error::ZeroEnergy);
            }
            let mut header = self.headers.get(interval).unwrap_or_default();
            if header.closed {
                return Err(Error::AlreadyCleared);
            }
            if header.live >= max_offers {
                return Err(Error::BookFull);
            }
            if self.slot_of.contains((interval, offer.account)) {
                return Err(Error::OfferExists);
            }
            let slot = header.slots;
            header.slots = slot.checked_add(1).ok_or(Error::BookFull)?;
            header.live = header.live.checked_add(1).ok_or(Error::BookFull)?;
            if slot == END {
                return Err(Error::BookFull);
            }
            let key = priority.key(offer.side, offer.price);
            let mut links = QueueLinks::new(&mut self.links, interval);
            match offer.side {
                Side::Buy => header.buyers = market::enqueue(&mut links, header.buyers, slot, key),
                Side::Sell => {
                    let queue = (interval, offer.area);
                    let ends = Ends {
                        first: self.heads.get(queue).unwrap_or(END),
                        last: self.tails.get(queue).unwrap_or(END),
                    };
                    let queued = market::enqueue(&mut links, ends, slot, key);
                    // Written at full size here, so a clearing step that moves the head
                    // changes an entry and never creates one (`market::reserved`).
                    if queued.first != ends.first {
                        self.heads.insert(queue, &queued.first);
                    }
                    if queued.last != ends.last {
                        self.tails.insert(queue, &queued.last);
                    }
                }
            }
            self.headers.insert(interval, &header);
            self.slot_of.insert((interval, offer.account), &slot);
            self.offers.insert((interval, slot), &offer);
            // A cancelled slot keeps these: trades never outnumber the live offers, so the
            // `n`-th trade always finds the `n`-th slot's place.
            self.fills.insert((interval, slot), &Fill::default());
            self.trades.insert((interval, slot), &Trade::placeholder());
            if slot == 0 {
                self.results
                    .insert(interval, &Reserved::empty(BookResult::placeholder()));
            }
            Ok(slot)
        }

        /// Removes a participant's offer from an open interval's book. Its slot and queue
        /// entry stay and are skipped at clearing, so cancellations are capped: with
        /// `max_cancels` set, a cancel is refused once the book holds that many cancelled slots
        /// (main passes `Limits::max_cancels` for a participant's cancel, and `None` when the
        /// operator removes a participant, which is bounded by the participants).
        ///
        /// Returns whether there was an offer to remove.
        ///
        /// # Errors
        /// `NotMain`, `AlreadyCleared`, `CancelLimit`.
        #[ink(message)]
        pub fn cancel(
            &mut self,
            interval: IntervalIndex,
            account: AccountId,
            max_cancels: Option<u32>,
        ) -> Result<bool> {
            self.ensure_main()?;
            let mut header = self.headers.get(interval).unwrap_or_default();
            if header.closed {
                return Err(Error::AlreadyCleared);
            }
            let cancelled = header.slots.saturating_sub(header.live);
            if max_cancels.is_some_and(|max| cancelled >= max)
                && self.slot_of.contains((interval, account))
            {
                return Err(Error::CancelLimit);
            }
            match self.slot_of.take((interval, account)) {
                Some(slot) => {
                    self.offers.remove((interval, slot));
                    header.live = header.live.saturating_sub(1);
                    self.headers.insert(interval, &header);
                    Ok(true)
                }
                None => Ok(false),
            }
        }

        /// Runs one bounded step of the interval's clearing under `rules` (those of the first
        /// step stay in force until the end): pricing passes, then matching, then handing out
        /// the final positions for grid settlement. At most `budget` items (see
        /// `market::book`), so the call's weight is bounded whatever the size of the book.
        /// Call again until the step reports the result.
        ///
        /// # Errors
        /// `NotMain`, `ZeroBudget`, `AlreadyCleared` (the result is out), `UnknownArea`,
        /// `Overflow`.
        ///
        /// # Events
        /// `TradeExecuted` for each trade made in the step.
        #[ink(message)]
        pub fn auction_step(
            &mut self,
            interval: IntervalIndex,
            rules: AuctionRules,
            budget: u32,
        ) -> Result<AuctionStep> {
            self.ensure_main()?;
            if budget == 0 {
                return Err(Error::ZeroBudget);
            }
            if is_filled(self.results.get(interval)) {
                return Err(Error::AlreadyCleared);
            }
            let mut header = self.headers.get(interval).unwrap_or_default();
            header.closed = true;
            let mut progress = header.progress.take().unwrap_or(Progress {
                cursor: Cursor::new(),
                exported: 0,
                rules,
            });

            let mut book = StorageBook::new(self, interval, header.slots, header.buyers.first);
            let rules = progress.rules.clone();
            let mut used = market::step(&mut book, &rules, &mut progress.cursor, budget)?;
            let mut positions = Vec::new();
            if progress.cursor.is_done() {
                while progress.exported < header.slots
                    && used < budget
                    && positions.len() < MAX_POSITIONS_PER_STEP
                {
                    let slot = progress.exported;
                    if let Some(offer) = book.offer(slot) {
                        positions.push(book.fill(slot).position(&offer));
                    }
                    progress.exported = slot.saturating_add(1);
                    used = used.saturating_add(1);
                }
            }
            let trades = book.flush();
            for trade in trades {
                self.env().emit_event(TradeExecuted::new(interval, trade));
            }

            let cursor = &progress.cursor;
            let price = if cursor.is_done() {
                cursor.traded_price()
            } else {
                None
            };
            let result = if cursor.is_done() && progress.exported >= header.slots {
                let result = BookResult {
                    price,
                    volume_wh: cursor.volume_wh,
                    offers: header.live,
                    trades: cursor.trades,
                };
                self.results
                    .insert(interval, &Reserved::filled(result.clone()));
                Some(result)
            } else {
                header.progress = Some(progress);
                None
            };
            self.headers.insert(interval, &header);
            Ok(AuctionStep {
                used,
                price,
                positions,
                result,
            })
        }

        /// The main contract this auction serves.
        #[ink(message)]
        pub fn main(&self) -> AccountId {
            self.main
        }

        /// Number of live offers in an interval's book (no prices: the book is closed).
        #[ink(message)]
        pub fn offer_count(&self, interval: IntervalIndex) -> u32 {
            self.headers.get(interval).map_or(0, |header| header.live)
        }

        /// Whether `account` has a live offer in `interval`.
        #[ink(message)]
        pub fn has_offer(&self, interval: IntervalIndex, account: AccountId) -> bool {
            self.slot_of.contains((interval, account))
        }

        /// The accounts of an interval's offers in up to `max` (at most `MAX_PAGE`) slots from
        /// `from` on, in submission order, cancelled slots left out, and the slot after the
        /// last one read: main walks a closed interval's offers with it to settle missing
        /// meter readings.
        #[ink(message)]
        pub fn offer_accounts(
            &self,
            interval: IntervalIndex,
            from: u32,
            max: u32,
        ) -> (Vec<AccountId>, u32) {
            let slots = self.headers.get(interval).map_or(0, |header| header.slots);
            let end = from.saturating_add(max.min(MAX_PAGE)).min(slots).max(from);
            let accounts = (from..end)
                .filter_map(|slot| self.offers.get((interval, slot)))
                .map(|offer| offer.account)
                .collect();
            (accounts, end)
        }

        /// Whether the interval's clearing has started but not finished.
        #[ink(message)]
        pub fn is_clearing(&self, interval: IntervalIndex) -> bool {
            self.headers
                .get(interval)
                .is_some_and(|header| header.progress.is_some())
        }

        /// Summary of a cleared interval, `None` before clearing has finished.
        #[ink(message)]
        pub fn result(&self, interval: IntervalIndex) -> Option<BookResult> {
            filled_value(self.results.get(interval))
        }

        /// Up to `MAX_PAGE` trades of a cleared interval from index `from` on, in matching
        /// order (`BookResult::trades` says how many there are).
        #[ink(message)]
        pub fn trades(&self, interval: IntervalIndex, from: u32, max: u32) -> Vec<Trade> {
            self.page(interval, from, max)
                .filter_map(|index| self.trades.get((interval, index)))
                .collect()
        }

        /// The trades in which `account` sold or bought among up to `MAX_PAGE` trades of a
        /// cleared interval from index `from` on.
        #[ink(message)]
        pub fn trades_of(
            &self,
            interval: IntervalIndex,
            account: AccountId,
            from: u32,
            max: u32,
        ) -> Vec<Trade> {
            self.trades(interval, from, max)
                .into_iter()
                .filter(|trade| trade.seller == account || trade.buyer == account)
                .collect()
        }

        /// Trade indices of a page: `[from, from + min(max, MAX_PAGE))` within the trades.
        fn page(&self, interval: IntervalIndex, from: u32, max: u32) -> core::ops::Range<u32> {
            let count = self.result(interval).map_or(0, |result| result.trades);
            let end = from.saturating_add(max.min(MAX_PAGE)).min(count);
            from..end.max(from)
        }

        fn ensure_main(&self) -> Result<()> {
            if self.env().caller() == self.main {
                Ok(())
            } else {
                Err(Error::NotMain)
            }
        }
    }
}
