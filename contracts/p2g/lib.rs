#![cfg_attr(not(feature = "std"), no_std, no_main)]

//! # p2g: prosumer-to-grid settlement, billing and the money
//!
//! As p2p clears an interval, main hands p2g the final positions in batches with the tariff
//! (the first batch fixes the interval's grid prices; the last one completes it). p2g buys
//! each residual deficit from the grid at the hour's price (peak surcharge, off-peak discount),
//! sells each residual surplus at the feed-in price, and keeps every participant's bill per
//! interval and per calendar month (UTC), with the P2P and grid lines together.
//!
//! p2g also holds the money, in the chain's native token: each offer's deposit (escrowed with
//! the offer's commitment in sealed mode), the grid deposit that pays feed-in, and everyone's
//! credits, which their owners withdraw pull-style. Settling a bill turns the deposit into a
//! refund, credits the earnings and credits the grid operator. Its balance always equals
//! `Ledger::total()`. Only its main contract may change anything; everyone may read.
//!
//! In a metered market (`market::metering`) a settled bill's refund and earnings stay held
//! until its imbalance is settled: p2g settles each meter reading main forwards against the
//! cleared bill as it arrives, and after the deadline the missing ones by the market's
//! default, and adds the imbalance lines to the bills.
//!
//! The money rules are `market::treasury`'s, the same code the simulator runs: p2g stores the
//! `Treasury` and implements its `Vault` over its mappings, and emits the treasury's events as
//! its own.

pub use self::p2g::{
    ClaimPaid, Error, FeedInOwed, Forfeited, GridFunded, GridResult, GridSettled, ImbalanceSettled,
    IntervalKey, Metered, P2g, P2gRef, Terms, Withdrawn,
};
pub use market::treasury::{Claim, Escrow, Ledger, MAX_CLAIMS_PER_CALL};

#[cfg(test)]
mod unit_tests;
mod vault;

#[ink::contract]
mod p2g {
    use ink::{prelude::vec::Vec, storage::Mapping};
    use market::{
        metering::{MeterStatus, Metering, Reading},
        reserved::{filled_value, is_filled},
        seal::Commitment,
        treasury::{Batch, Claim, Escrow, Ledger, Treasury, TreasuryError, Vault},
        Bill, EnergyWh, GridTotals, IntervalIndex, MarketError, MonthKey, Position, PricePerKwh,
        Reserved, Sealing, Tariff,
    };

    use crate::vault::StorageVault;

    /// Where and when an interval lies, as main's clock says.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub struct IntervalKey {
        /// The interval's index.
        pub index: IntervalIndex,
        /// UTC hour of its start (selects the tariff's price).
        pub hour: u8,
        /// UTC calendar month of its start (selects the monthly bill).
        pub month: MonthKey,
    }

    /// What an interval settles under, from its configuration: the tariff, who is credited
    /// the grid's money, and its metering (`None`: declared energy).
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub struct Terms {
        /// The grid's tariff.
        pub tariff: Tariff,
        /// Credited grid energy, network fees and imbalance charges.
        pub grid_operator: AccountId,
        /// Metered settlement, or declared energy.
        pub metering: Option<Metering>,
    }

    /// The grid side of a settled interval.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct GridResult {
        /// The grid's selling price per kWh.
        pub grid_price: PricePerKwh,
        /// The grid's feed-in price per kWh.
        pub feed_in_price: PricePerKwh,
        /// Volumes and money across the grid connection.
        pub totals: GridTotals,
        /// Whether the last batch of the interval has been settled.
        pub complete: bool,
        /// In a metered market, its metering: positions counted as batches settle, the
        /// deadline set by the last batch.
        pub metering: Option<MeterStatus>,
    }

    impl GridResult {
        /// A result of the size of every result, for the entry an interval's first offer
        /// reserves.
        fn placeholder() -> Self {
            Self {
                grid_price: 0,
                feed_in_price: 0,
                totals: GridTotals::default(),
                complete: false,
                metering: Some(MeterStatus::placeholder()),
            }
        }
    }

    /// A bill's storage entry: created by the offer, filled by the settlement.
    type BillEntry = Reserved<Bill>;

    #[ink(storage)]
    pub struct P2g {
        /// The main contract: the only caller allowed to change anything.
        main: AccountId,
        /// Where the money belongs, and the ends of the claims queue.
        treasury: Treasury,
        /// The treasury's escrows, credits and claims.
        vault: StorageVault,
        /// Each participant's bill per interval: reserved by its offer, filled at settlement.
        bills: Mapping<(AccountId, IntervalIndex), BillEntry>,
        /// Each participant's bill per calendar month: reserved by its first offer of the
        /// month, filled from its first settlement on.
        monthly: Mapping<(AccountId, MonthKey), BillEntry>,
        /// The grid side of each interval: reserved by its first offer, filled by its first
        /// batch (which fixes its prices).
        results: Mapping<IntervalIndex, Reserved<GridResult>>,
        /// Meter readings as submitted (the meter's transaction pays for the entry).
        readings: Mapping<(AccountId, IntervalIndex), Reading>,
    }

    /// A participant's residual settled with the grid. Money in balance units.
    #[ink(event)]
    #[derive(Debug, PartialEq, Eq)]
    pub struct GridSettled {
        /// The interval.
        #[ink(topic)]
        pub interval: IntervalIndex,
        /// The participant.
        #[ink(topic)]
        pub account: AccountId,
        /// Residual deficit bought from the grid, Wh.
        pub bought_wh: EnergyWh,
        /// Paid for it.
        pub paid: Balance,
        /// Residual surplus sold to the grid, Wh.
        pub sold_wh: EnergyWh,
        /// Earned for it.
        pub earned: Balance,
    }

    /// The grid deposit could not pay a seller's feed-in when its interval settled: the rest
    /// is a claim on the grid operator, paid in order as soon as the grid deposit is funded.
    #[ink(event)]
    #[derive(Debug, PartialEq, Eq)]
    pub struct FeedInOwed {
        /// The interval.
        #[ink(topic)]
        pub interval: IntervalIndex,
        /// The seller owed.
        #[ink(topic)]
        pub account: AccountId,
        /// What is owed, balance units.
        pub amount: Balance,
    }

    /// (Part of) a feed-in claim was paid out of the grid deposit into the seller's credit.
    #[ink(event)]
    #[derive(Debug, PartialEq, Eq)]
    pub struct ClaimPaid {
        /// The interval whose feed-in it was.
        #[ink(topic)]
        pub interval: IntervalIndex,
        /// The seller paid.
        #[ink(topic)]
        pub account: AccountId,
        /// Credited now, balance units.
        pub amount: Balance,
    }

    /// Someone withdrew its credit.
    #[ink(event)]
    #[derive(Debug, PartialEq, Eq)]
    pub struct Withdrawn {
        /// Who withdrew.
        #[ink(topic)]
        pub account: AccountId,
        /// How much, balance units.
        pub amount: Balance,
    }

    /// The grid deposit was topped up.
    #[ink(event)]
    #[derive(Debug, PartialEq, Eq)]
    pub struct GridFunded {
        /// How much was added, balance units.
        pub amount: Balance,
        /// The grid deposit after it.
        pub grid_deposit: Balance,
    }

    /// An unrevealed commitment was released: its deposit less the penalty was credited back.
    #[ink(event)]
    #[derive(Debug, PartialEq, Eq)]
    pub struct Forfeited {
        /// The interval.
        #[ink(topic)]
        pub interval: IntervalIndex,
        /// Who committed and did not reveal.
        #[ink(topic)]
        pub account: AccountId,
        /// Credited back.
        pub refund: Balance,
        /// Credited to the grid operator.
        pub penalty: Balance,
    }

    /// A meter reading was accepted for a participant's interval.
    #[ink(event)]
    #[derive(Debug, PartialEq, Eq)]
    pub struct Metered {
        /// The interval.
        #[ink(topic)]
        pub interval: IntervalIndex,
        /// The participant metered.
        #[ink(topic)]
        pub account: AccountId,
        /// Energy delivered to the grid, Wh.
        pub delivered_wh: EnergyWh,
        /// Energy consumed from the grid, Wh.
        pub consumed_wh: EnergyWh,
    }

    /// A participant's imbalance was settled with the grid and its held money released.
    #[ink(event)]
    #[derive(Debug, PartialEq, Eq)]
    pub struct ImbalanceSettled {
        /// The interval.
        #[ink(topic)]
        pub interval: IntervalIndex,
        /// The participant.
        #[ink(topic)]
        pub account: AccountId,
        /// Energy metered below what cleared, bought from the grid, Wh.
        pub short_wh: EnergyWh,
        /// Energy metered above what cleared, sold to the grid, Wh.
        pub long_wh: EnergyWh,
        /// Paid for `short_wh` at the imbalance price, balance units.
        pub charge: Balance,
        /// Earned for `long_wh` at the imbalance feed-in price, balance units.
        pub credit: Balance,
        /// Whether the reading was missing and the market's default stood in for it.
        pub defaulted: bool,
    }

    /// Why a p2g call failed.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub enum Error {
        /// The caller is not this grid contract's main contract.
        NotMain,
        /// The interval's settlement is complete.
        AlreadySettled,
        /// The hour is outside 0..24 or the tariff is inconsistent.
        InvalidTariff,
        /// A participant appears twice in one settlement.
        DuplicatePosition,
        /// A sum overflowed.
        Overflow,
        /// The participant has escrowed an offer in this interval already.
        OfferExists,
        /// The participant has no unrevealed commitment in this interval.
        NoCommitment,
        /// The revealed offer and salt do not hash to the commitment.
        CommitmentMismatch,
        /// The account has no credit to withdraw.
        NothingToWithdraw,
        /// The chain refused the transfer (e.g. it would leave a new account below the
        /// existential deposit).
        TransferFailed,
        /// Funding needs a non-zero amount.
        ZeroAmount,
        /// The interval holds the configured maximum of offers and commitments.
        BookFull,
        /// The interval's grid settlement is not complete.
        NotCleared,
        /// The interval was not settled under metering.
        NotMetered,
        /// The interval's metering deadline has passed, or every imbalance is settled.
        MeteringClosed,
        /// Missing readings are settled by default only after the deadline.
        MeteringOpen,
        /// The participant has no settled position in the interval.
        NoPosition,
        /// The participant's imbalance in the interval has been settled already.
        DuplicateReading,
    }

    impl From<MarketError> for Error {
        fn from(error: MarketError) -> Self {
            match error {
                MarketError::InvalidTariff => Error::InvalidTariff,
                MarketError::Overflow => Error::Overflow,
                // p2g only prices hours with a tariff and adds up bills: areas, topologies,
                // fees, intervals, limits, sealing and the clock are main's and p2p's to check,
                // so these cannot arise here.
                MarketError::UnknownArea
                | MarketError::InvalidTopology
                | MarketError::InvalidFee
                | MarketError::InvalidInterval
                | MarketError::InvalidLimits
                | MarketError::InvalidSealing
                | MarketError::NotStarted
                | MarketError::InvalidMetering => Error::Overflow,
            }
        }
    }

    impl From<TreasuryError> for Error {
        fn from(error: TreasuryError) -> Self {
            match error {
                TreasuryError::OfferExists => Error::OfferExists,
                TreasuryError::BookFull => Error::BookFull,
                TreasuryError::NoCommitment => Error::NoCommitment,
                TreasuryError::CommitmentMismatch => Error::CommitmentMismatch,
                TreasuryError::NothingToWithdraw => Error::NothingToWithdraw,
                TreasuryError::ZeroAmount => Error::ZeroAmount,
                TreasuryError::Overflow => Error::Overflow,
                TreasuryError::NotHeld => Error::NoPosition,
            }
        }
    }

    /// The result of p2g messages.
    pub type Result<T> = core::result::Result<T, Error>;

    impl Default for P2g {
        fn default() -> Self {
            Self::new()
        }
    }

    impl P2g {
        /// Creates the grid contract; the caller becomes its main contract.
        #[ink(constructor)]
        pub fn new() -> Self {
            Self {
                main: Self::env().caller(),
                treasury: Treasury::new(),
                vault: StorageVault::default(),
                bills: Mapping::default(),
                monthly: Mapping::default(),
                results: Mapping::default(),
                readings: Mapping::default(),
            }
        }

        /// Settles a batch of an interval's positions with the grid: buys each residual deficit
        /// at the hour's grid price, takes each residual surplus at the feed-in price, and books
        /// every position's bill for the interval and the month. The first batch fixes the
        /// interval's prices from the terms' tariff and `p2p_price`; `last` completes the interval.
        /// Each bill is charged to the participant's deposit (`market::deposits::charge`): the
        /// rest of the deposit and the earnings are credited to it, grid energy and fees to
        /// `grid_operator`, and feed-in is paid out of the grid deposit as far as it goes
        /// (`market::deposits::pay_feed_in`); the rest becomes a `Claim`, so a settlement never
        /// waits for the grid deposit. Under `metering` what would be credited to the
        /// participant is held until its imbalance is settled (`meter`, `settle_missing`), and
        /// the last batch opens the readings window until `now + window_ms`. Returns the
        /// interval's grid side so far.
        ///
        /// # Errors
        /// `NotMain`, `AlreadySettled`, `InvalidTariff`, `DuplicatePosition`, `Overflow`.
        ///
        /// # Events
        /// `GridSettled` for each participant with a residual, `FeedInOwed` for each feed-in
        /// the grid deposit could not pay.
        #[ink(message)]
        pub fn settle_batch(
            &mut self,
            interval: IntervalKey,
            p2p_price: Option<PricePerKwh>,
            positions: Vec<Position>,
            terms: Terms,
            last: bool,
        ) -> Result<GridResult> {
            self.ensure_main()?;
            let Terms {
                tariff,
                grid_operator,
                metering,
            } = terms;
            let mut result = match filled_value(self.results.get(interval.index)) {
                Some(result) if result.complete => return Err(Error::AlreadySettled),
                Some(result) => result,
                None => GridResult {
                    grid_price: tariff.grid_price(interval.hour)?,
                    feed_in_price: tariff.feed_in_price(p2p_price),
                    totals: GridTotals::default(),
                    complete: false,
                    metering: metering.map(|_| MeterStatus::default()),
                },
            };
            let hold = metering.is_some();
            let positions_count = u32::try_from(positions.len()).map_err(|_| Error::Overflow)?;
            let settlement =
                market::grid_settlement_at(&positions, result.grid_price, result.feed_in_price)?;
            let mut totals = GridTotals::default();
            let mut batch = Batch::default();
            for (account, bill) in settlement.bills {
                if is_filled(self.bills.get((account, interval.index))) {
                    return Err(Error::DuplicatePosition);
                }
                let bill = self.treasury.charge(
                    &mut self.vault,
                    &mut batch,
                    interval.index,
                    account,
                    bill,
                    hold,
                )?;
                // The bill as charged: a grid line cut to the deposit counts as cut.
                totals = totals.checked_add(&GridTotals::of(&bill))?;
                let bill = &bill;
                self.bills
                    .insert((account, interval.index), &Reserved::filled(bill.clone()));
                let month = filled_value(self.monthly.get((account, interval.month)))
                    .unwrap_or_default()
                    .checked_add(bill)?;
                self.monthly
                    .insert((account, interval.month), &Reserved::filled(month));
                if bill.grid_bought_wh > 0 || bill.grid_sold_wh > 0 {
                    self.env().emit_event(GridSettled {
                        interval: interval.index,
                        account,
                        bought_wh: bill.grid_bought_wh,
                        paid: bill.grid_paid,
                        sold_wh: bill.grid_sold_wh,
                        earned: bill.grid_earned,
                    });
                }
            }
            self.treasury
                .finish_batch(&mut self.vault, batch, grid_operator)?;
            result.totals = result.totals.checked_add(&totals)?;
            result.complete = last;
            if let (Some(status), Some(metering)) = (result.metering.as_mut(), metering) {
                status.positions = status
                    .positions
                    .checked_add(positions_count)
                    .ok_or(Error::Overflow)?;
                if last {
                    status.deadline_ms = self
                        .env()
                        .block_timestamp()
                        .saturating_add(metering.window_ms);
                }
            }
            self.results
                .insert(interval.index, &Reserved::filled(result.clone()));
            Ok(result)
        }

        /// Enters `account`'s offer (or commitment) in `interval`: creates, at full size, the
        /// entries its settlement will write (its bill, its monthly bill, its and
        /// `grid_operator`'s credits, the interval's result) so that the offer's signer pays
        /// their storage deposit and the close needs none (`market::reserved`), and escrows the
        /// transferred value as the offer's deposit, with its commitment in sealed mode (and
        /// always when `metered`, even if zero). At most `max_offers` escrows per interval,
        /// withdrawn ones not counted.
        ///
        /// # Errors
        /// `NotMain`, `OfferExists`, `BookFull`, `Overflow`.
        #[ink(message, payable)]
        pub fn reserve(
            &mut self,
            interval: IntervalKey,
            account: AccountId,
            sealed: Option<Commitment>,
            max_offers: u32,
            grid_operator: AccountId,
            metered: bool,
        ) -> Result<()> {
            self.ensure_main()?;
            let deposit = self.env().transferred_value();
            // An offer without a deposit (a seller's in open mode) has nothing to escrow; in a
            // metered market every offer has an escrow, which its settlement holds.
            if deposit > 0 || sealed.is_some() || metered {
                self.treasury.escrow(
                    &mut self.vault,
                    interval.index,
                    account,
                    deposit,
                    sealed,
                    max_offers,
                )?;
            }
            let bill = (account, interval.index);
            if !self.bills.contains(bill) {
                self.bills.insert(bill, &Reserved::empty(Bill::default()));
            }
            let month = (account, interval.month);
            if !self.monthly.contains(month) {
                self.monthly
                    .insert(month, &Reserved::empty(Bill::default()));
            }
            self.vault.reserve_credit(account);
            self.vault.reserve_credit(grid_operator);
            if !self.results.contains(interval.index) {
                self.results
                    .insert(interval.index, &Reserved::empty(GridResult::placeholder()));
            }
            Ok(())
        }

        /// Opens `account`'s sealed offer in `interval`: checks that the revealed offer hashes
        /// to its commitment (main computes `commitment`) and keeps the deposit for settlement.
        /// Returns the deposit.
        ///
        /// # Errors
        /// `NotMain`, `NoCommitment`, `CommitmentMismatch`.
        #[ink(message)]
        pub fn unseal(
            &mut self,
            interval: IntervalIndex,
            account: AccountId,
            commitment: Commitment,
        ) -> Result<Balance> {
            self.ensure_main()?;
            Ok(self
                .treasury
                .unseal(&mut self.vault, interval, account, commitment)?)
        }

        /// Credits back the whole deposit of an offer or commitment withdrawn before the close.
        /// Returns whether there was one.
        ///
        /// # Errors
        /// `NotMain`, `Overflow`.
        #[ink(message)]
        pub fn refund(&mut self, interval: IntervalIndex, account: AccountId) -> Result<bool> {
            self.ensure_main()?;
            Ok(self.treasury.refund(&mut self.vault, interval, account)?)
        }

        /// Releases a commitment that was not revealed in time: its deposit less the forfeit
        /// under `sealing` (`Sealing::forfeit_of`: `forfeit_bps` of the deposit, at least the
        /// penalty, at most the deposit; nothing with `None`) is credited back, the forfeit to
        /// `grid_operator`. Returns the forfeit.
        ///
        /// # Errors
        /// `NotMain`, `NoCommitment`, `Overflow`.
        ///
        /// # Events
        /// `Forfeited`.
        #[ink(message)]
        pub fn forfeit(
            &mut self,
            interval: IntervalIndex,
            account: AccountId,
            sealing: Option<Sealing>,
            grid_operator: AccountId,
        ) -> Result<Balance> {
            self.ensure_main()?;
            Ok(self.treasury.forfeit(
                &mut self.vault,
                interval,
                account,
                sealing.as_ref(),
                grid_operator,
            )?)
        }

        /// Settles the imbalances of `readings` in the cleared, metered `interval` within its
        /// window: each reading (main has checked its meter and the connection) is settled
        /// against the participant's cleared bill under `metering` at the interval's grid and
        /// feed-in prices (`market::metering::Metering::settle`); the charge goes to
        /// `grid_operator`, the credit comes out of the grid deposit (or becomes a claim), the
        /// held money less the charge is credited, and the imbalance lines join the bill and
        /// the monthly bill. All or nothing. Returns the interval's metering status.
        ///
        /// # Errors
        /// `NotMain`, `NotCleared`, `NotMetered`, `MeteringClosed`, `NoPosition`,
        /// `DuplicateReading`, `Overflow`.
        ///
        /// # Events
        /// `Metered` and `ImbalanceSettled` for each reading, `FeedInOwed` for a credit the
        /// grid deposit could not pay.
        #[ink(message)]
        pub fn meter(
            &mut self,
            interval: IntervalKey,
            readings: Vec<(AccountId, Reading)>,
            metering: Metering,
            grid_operator: AccountId,
        ) -> Result<MeterStatus> {
            self.ensure_main()?;
            let (mut result, mut status) = self.metering_of(interval.index)?;
            if !status.accepts_readings(self.env().block_timestamp()) {
                return Err(Error::MeteringClosed);
            }
            let mut batch = Batch::default();
            for (account, reading) in readings {
                if self.readings.contains((account, interval.index)) {
                    return Err(Error::DuplicateReading);
                }
                self.readings.insert((account, interval.index), &reading);
                self.env().emit_event(Metered {
                    interval: interval.index,
                    account,
                    delivered_wh: reading.delivered_wh,
                    consumed_wh: reading.consumed_wh,
                });
                self.settle_imbalance(
                    &mut batch,
                    interval,
                    account,
                    Some(reading),
                    &metering,
                    &result,
                    &mut status,
                )?;
            }
            self.finish_metering(interval.index, batch, grid_operator, &mut result, status)
        }

        /// Settles, after the metering deadline of `interval`, the imbalances of the
        /// participants among `accounts` (the interval's offers from slot `next_slot` on, which
        /// main reads from p2p) whose reading is missing, by `metering`'s default
        /// (`market::metering::MissingReading`), as `meter` does a reading, and records that the
        /// sweep has reached `next_slot`. Returns the interval's metering status.
        ///
        /// # Errors
        /// `NotMain`, `NotCleared`, `NotMetered`, `MeteringOpen`, `AlreadySettled` (every
        /// imbalance is settled), `Overflow`.
        ///
        /// # Events
        /// `ImbalanceSettled` for each participant settled, `FeedInOwed` for a credit the grid
        /// deposit could not pay.
        #[ink(message)]
        pub fn settle_missing(
            &mut self,
            interval: IntervalKey,
            accounts: Vec<AccountId>,
            next_slot: u32,
            metering: Metering,
            grid_operator: AccountId,
        ) -> Result<MeterStatus> {
            self.ensure_main()?;
            let (mut result, mut status) = self.metering_of(interval.index)?;
            if status.complete() {
                return Err(Error::AlreadySettled);
            }
            if !status.sweepable(self.env().block_timestamp()) {
                return Err(Error::MeteringOpen);
            }
            let mut batch = Batch::default();
            for account in accounts {
                // An offer cancelled and placed again has two slots; its second one finds its
                // imbalance settled.
                let held = self
                    .vault
                    .escrow(&account, interval.index)
                    .is_some_and(|escrow| escrow.held);
                if held {
                    self.settle_imbalance(
                        &mut batch,
                        interval,
                        account,
                        None,
                        &metering,
                        &result,
                        &mut status,
                    )?;
                }
            }
            status.next_slot = status.next_slot.max(next_slot);
            self.finish_metering(interval.index, batch, grid_operator, &mut result, status)
        }

        /// Adds the transferred value to the grid deposit, which pays feed-in, and pays waiting
        /// claims out of it, oldest first (at most `MAX_CLAIMS_PER_CALL`). Returns the grid
        /// deposit left.
        ///
        /// # Errors
        /// `NotMain`, `ZeroAmount`, `Overflow`.
        ///
        /// # Events
        /// `GridFunded`, then `ClaimPaid` for each claim (partly) paid.
        #[ink(message, payable)]
        pub fn fund_grid(&mut self) -> Result<Balance> {
            self.ensure_main()?;
            let amount = self.env().transferred_value();
            Ok(self.treasury.fund_grid(&mut self.vault, amount)?)
        }

        /// Pays waiting claims out of the grid deposit, oldest first, at most `max` of them
        /// (for when more than `MAX_CLAIMS_PER_CALL` wait). Returns how many claims still wait.
        ///
        /// # Errors
        /// `NotMain`, `Overflow`.
        ///
        /// # Events
        /// `ClaimPaid` for each claim (partly) paid.
        #[ink(message)]
        pub fn pay_claims(&mut self, max: u32) -> Result<u32> {
            self.ensure_main()?;
            Ok(self.treasury.pay_claims(&mut self.vault, max)?)
        }

        /// Pays `account` its whole credit. Returns the amount.
        ///
        /// # Errors
        /// `NotMain`, `NothingToWithdraw`, `TransferFailed`.
        ///
        /// # Events
        /// `Withdrawn`.
        #[ink(message)]
        pub fn withdraw(&mut self, account: AccountId) -> Result<Balance> {
            self.ensure_main()?;
            // The ledger is updated (and `Withdrawn` emitted) first: a failed transfer fails
            // the message, which reverts all of it.
            let amount = self.treasury.withdraw(&mut self.vault, account)?;
            self.env()
                .transfer(account, amount)
                .map_err(|_| Error::TransferFailed)?;
            Ok(amount)
        }

        /// The main contract this grid contract serves.
        #[ink(message)]
        pub fn main(&self) -> AccountId {
            self.main
        }

        /// A participant's bill for one interval, `None` if it had no offer or is not settled.
        #[ink(message)]
        pub fn bill(&self, account: AccountId, interval: IntervalIndex) -> Option<Bill> {
            filled_value(self.bills.get((account, interval)))
        }

        /// A participant's bill for a UTC calendar month (`year * 100 + month`, e.g. 202611).
        #[ink(message)]
        pub fn monthly_bill(&self, account: AccountId, month: MonthKey) -> Option<Bill> {
            filled_value(self.monthly.get((account, month)))
        }

        /// The grid side of an interval, complete or so far.
        #[ink(message)]
        pub fn result(&self, interval: IntervalIndex) -> Option<GridResult> {
            filled_value(self.results.get(interval))
        }

        /// What `account` may withdraw, balance units.
        #[ink(message)]
        pub fn credit_of(&self, account: AccountId) -> Balance {
            self.vault.credit(&account)
        }

        /// What the grid operator still owes `account` in feed-in claims, balance units.
        #[ink(message)]
        pub fn claim_of(&self, account: AccountId) -> Balance {
            self.vault.owed(&account)
        }

        /// The claims waiting, oldest first: up to `max` (at most `MAX_CLAIMS_PER_CALL`) from
        /// the `from`-th waiting one on.
        #[ink(message)]
        pub fn claims(&self, from: u32, max: u32) -> Vec<Claim> {
            self.treasury.claims(&self.vault, from, max)
        }

        /// `account`'s escrow in `interval`, until its offer is settled or withdrawn.
        #[ink(message)]
        pub fn escrow_of(&self, account: AccountId, interval: IntervalIndex) -> Option<Escrow> {
            self.vault.escrow(&account, interval)
        }

        /// Where the money held belongs; p2g's balance equals its total.
        #[ink(message)]
        pub fn ledger(&self) -> Ledger {
            self.treasury.ledger
        }

        /// The metering status of `interval`, `None` unless it was settled under metering.
        #[ink(message)]
        pub fn metering_status(&self, interval: IntervalIndex) -> Option<MeterStatus> {
            self.result(interval).and_then(|result| result.metering)
        }

        /// The meter reading submitted for `account` in `interval`, `None` if none was (a
        /// missing one settled by the default included).
        #[ink(message)]
        pub fn reading(&self, account: AccountId, interval: IntervalIndex) -> Option<Reading> {
            self.readings.get((account, interval))
        }

        /// A complete, metered interval's result and metering status.
        fn metering_of(&self, interval: IntervalIndex) -> Result<(GridResult, MeterStatus)> {
            let result = self
                .result(interval)
                .filter(|result| result.complete)
                .ok_or(Error::NotCleared)?;
            let status = result.metering.ok_or(Error::NotMetered)?;
            Ok((result, status))
        }

        /// Settles one participant's imbalance from its `reading` (`None`: by the default) and
        /// books it on its bills and in `status`.
        #[allow(clippy::too_many_arguments)]
        fn settle_imbalance(
            &mut self,
            batch: &mut Batch,
            interval: IntervalKey,
            account: AccountId,
            reading: Option<Reading>,
            metering: &Metering,
            result: &GridResult,
            status: &mut MeterStatus,
        ) -> Result<()> {
            let bill =
                filled_value(self.bills.get((account, interval.index))).ok_or(Error::NoPosition)?;
            let imbalance = metering.settle(
                bill.cleared()?,
                reading,
                result.grid_price,
                result.feed_in_price,
            )?;
            let imbalance = self
                .treasury
                .settle_imbalance(&mut self.vault, batch, interval.index, account, imbalance)
                .map_err(|error| match error {
                    TreasuryError::NotHeld => Error::DuplicateReading,
                    error => error.into(),
                })?;
            status.record(&imbalance)?;
            self.bills.insert(
                (account, interval.index),
                &Reserved::filled(bill.with_imbalance(&imbalance)?),
            );
            let month = filled_value(self.monthly.get((account, interval.month)))
                .unwrap_or_default()
                .with_imbalance(&imbalance)?;
            self.monthly
                .insert((account, interval.month), &Reserved::filled(month));
            self.env().emit_event(ImbalanceSettled {
                interval: interval.index,
                account,
                short_wh: imbalance.short_wh,
                long_wh: imbalance.long_wh,
                charge: imbalance.charge,
                credit: imbalance.credit,
                defaulted: imbalance.defaulted,
            });
            Ok(())
        }

        /// Credits the grid operator a metering batch's charges and stores `status`.
        fn finish_metering(
            &mut self,
            interval: IntervalIndex,
            batch: Batch,
            grid_operator: AccountId,
            result: &mut GridResult,
            status: MeterStatus,
        ) -> Result<MeterStatus> {
            self.treasury
                .finish_batch(&mut self.vault, batch, grid_operator)?;
            result.metering = Some(status);
            self.results
                .insert(interval, &Reserved::filled(result.clone()));
            Ok(status)
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
