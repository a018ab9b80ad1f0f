#![cfg_attr(not(feature = "std"), no_std, no_main)]

//! # p2g: prosumer-to-grid settlement and billing
//!
//! As p2p clears an interval, main hands p2g the final positions in batches with the tariff
//! (the first batch fixes the interval's grid prices; the last one completes it). p2g buys
//! each residual deficit from the grid at the hour's price (peak surcharge, off-peak discount),
//! sells each residual surplus at the feed-in price, and keeps every participant's bill per
//! interval and per calendar month (UTC), with the P2P and grid lines together. Only its main
//! contract may settle; everyone may read bills.

pub use self::p2g::{Error, GridResult, GridSettled, IntervalKey, P2g, P2gRef};

#[ink::contract]
mod p2g {
    use ink::{prelude::vec::Vec, storage::Mapping};
    use market::{
        Bill, EnergyWh, GridTotals, IntervalIndex, MarketError, MonthKey, Position, PricePerKwh,
        Tariff,
    };

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
    }

    #[ink(storage)]
    pub struct P2g {
        /// The main contract: the only caller allowed to settle.
        main: AccountId,
        /// Each participant's bill per interval.
        bills: Mapping<(AccountId, IntervalIndex), Bill>,
        /// Each participant's bill per calendar month.
        monthly: Mapping<(AccountId, MonthKey), Bill>,
        /// The grid side of each settled interval.
        results: Mapping<IntervalIndex, GridResult>,
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
    }

    impl From<MarketError> for Error {
        fn from(error: MarketError) -> Self {
            match error {
                MarketError::InvalidTariff => Error::InvalidTariff,
                _ => Error::Overflow,
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
                bills: Mapping::default(),
                monthly: Mapping::default(),
                results: Mapping::default(),
            }
        }

        /// Settles a batch of an interval's positions with the grid: buys each residual deficit
        /// at the hour's grid price, takes each residual surplus at the feed-in price, and books
        /// every position's bill for the interval and the month. The first batch fixes the
        /// interval's prices from `tariff` and `p2p_price`; `last` completes the interval.
        /// Returns the interval's grid side so far.
        ///
        /// # Errors
        /// `NotMain`, `AlreadySettled`, `InvalidTariff`, `DuplicatePosition`, `Overflow`.
        ///
        /// # Events
        /// `GridSettled` for each participant with a residual.
        #[ink(message)]
        pub fn settle(
            &mut self,
            interval: IntervalKey,
            p2p_price: Option<PricePerKwh>,
            positions: Vec<Position>,
            tariff: Tariff,
            last: bool,
        ) -> Result<GridResult> {
            if self.env().caller() != self.main {
                return Err(Error::NotMain);
            }
            let mut result = match self.results.get(interval.index) {
                Some(result) if result.complete => return Err(Error::AlreadySettled),
                Some(result) => result,
                None => GridResult {
                    grid_price: tariff.grid_price(interval.hour)?,
                    feed_in_price: tariff.feed_in_price(p2p_price),
                    totals: GridTotals::default(),
                    complete: false,
                },
            };
            let settlement =
                market::settle_at(&positions, result.grid_price, result.feed_in_price)?;
            for (account, bill) in &settlement.bills {
                if self.bills.contains((*account, interval.index)) {
                    return Err(Error::DuplicatePosition);
                }
                self.bills.insert((*account, interval.index), bill);
                let month = self
                    .monthly
                    .get((*account, interval.month))
                    .unwrap_or_default()
                    .checked_add(bill)?;
                self.monthly.insert((*account, interval.month), &month);
                if bill.grid_bought_wh > 0 || bill.grid_sold_wh > 0 {
                    self.env().emit_event(GridSettled {
                        interval: interval.index,
                        account: *account,
                        bought_wh: bill.grid_bought_wh,
                        paid: bill.grid_paid,
                        sold_wh: bill.grid_sold_wh,
                        earned: bill.grid_earned,
                    });
                }
            }
            result.totals = result.totals.checked_add(&settlement.totals)?;
            result.complete = last;
            self.results.insert(interval.index, &result);
            Ok(result)
        }

        /// The main contract this grid contract serves.
        #[ink(message)]
        pub fn main(&self) -> AccountId {
            self.main
        }

        /// A participant's bill for one interval, `None` if it had no offer or is not settled.
        #[ink(message)]
        pub fn bill(&self, account: AccountId, interval: IntervalIndex) -> Option<Bill> {
            self.bills.get((account, interval))
        }

        /// A participant's bill for a UTC calendar month (`year * 100 + month`, e.g. 202611).
        #[ink(message)]
        pub fn monthly_bill(&self, account: AccountId, month: MonthKey) -> Option<Bill> {
            self.monthly.get((account, month))
        }

        /// The grid side of an interval, complete or so far.
        #[ink(message)]
        pub fn result(&self, interval: IntervalIndex) -> Option<GridResult> {
            self.results.get(interval)
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use ink::prelude::vec;
        use market::Side;

        fn accounts() -> ink::env::test::DefaultAccounts<Environment> {
            ink::env::test::default_accounts::<Environment>()
        }

        fn key(index: IntervalIndex) -> IntervalKey {
            IntervalKey {
                index,
                hour: 18,
                month: 202_611,
            }
        }

        fn buyer(account: AccountId, offered_wh: u64, matched_wh: u64, value: u128) -> Position {
            Position {
                account,
                side: Side::Buy,
                offered_wh,
                matched_wh,
                value,
                fees: 0,
            }
        }

        #[ink::test]
        fn settles_residuals_and_books_monthly_bills() {
            let mut p2g = P2g::new();
            let a = accounts();
            let seller = Position {
                account: a.bob,
                side: Side::Sell,
                offered_wh: 1_000,
                matched_wh: 600,
                value: 60_000,
                fees: 0,
            };
            let positions = vec![seller, buyer(a.charlie, 1_000, 600, 60_000)];
            let result = p2g
                .settle(
                    key(0),
                    Some(100_000),
                    positions.clone(),
                    Tariff::paper(),
                    true,
                )
                .unwrap();
            // 18:00 is peak: 320_000 * 1.2 = 384_000 per kWh; 400 Wh cost 153_600.
            // Feed-in at the P2P price: 400 Wh * 100_000 per kWh = 40_000.
            assert_eq!(result.grid_price, 384_000);
            assert_eq!(result.feed_in_price, 100_000);
            assert_eq!(
                result.totals,
                GridTotals {
                    import_wh: 400,
                    export_wh: 400,
                    import_paid: 153_600,
                    export_earned: 40_000,
                    fees: 0
                }
            );
            assert!(result.complete);
            let charlie = p2g.bill(a.charlie, 0).unwrap();
            assert_eq!((charlie.p2p_paid, charlie.grid_paid), (60_000, 153_600));
            assert_eq!(p2g.bill(a.bob, 0).unwrap().grid_earned, 40_000);
            assert_eq!(ink::env::test::recorded_events().count(), 2);

            let later = vec![buyer(a.charlie, 500, 0, 0)];
            p2g.settle(key(1), None, later, Tariff::paper(), true)
                .unwrap();
            let month = p2g.monthly_bill(a.charlie, 202_611).unwrap();
            // 153_600 + 500 Wh * 384_000 / 1000 = 153_600 + 192_000.
            assert_eq!(month.grid_paid, 345_600);
            assert_eq!(month.grid_bought_wh, 900);
            assert_eq!(p2g.monthly_bill(a.charlie, 202_612), None);
        }

        #[ink::test]
        fn refuses_strangers_and_second_settlement() {
            let mut p2g = P2g::new();
            let a = accounts();
            let positions = vec![buyer(a.charlie, 100, 0, 0)];
            ink::env::test::set_caller::<Environment>(a.charlie);
            assert_eq!(
                p2g.settle(key(0), None, positions.clone(), Tariff::paper(), true),
                Err(Error::NotMain)
            );
            assert_eq!(p2g.bill(a.charlie, 0), None);
            ink::env::test::set_caller::<Environment>(a.alice);
            p2g.settle(key(0), None, positions.clone(), Tariff::paper(), true)
                .unwrap();
            assert_eq!(
                p2g.settle(key(0), None, positions, Tariff::paper(), true),
                Err(Error::AlreadySettled)
            );
        }

        #[ink::test]
        fn refuses_bad_hour_and_duplicates() {
            let mut p2g = P2g::new();
            let a = accounts();
            let bad_hour = IntervalKey { hour: 24, ..key(0) };
            let positions = vec![buyer(a.charlie, 100, 0, 0)];
            assert_eq!(
                p2g.settle(bad_hour, None, positions.clone(), Tariff::paper(), true),
                Err(Error::InvalidTariff)
            );
            let twice = vec![buyer(a.charlie, 100, 0, 0), buyer(a.charlie, 50, 0, 0)];
            assert_eq!(
                p2g.settle(key(1), None, twice, Tariff::paper(), true),
                Err(Error::DuplicatePosition)
            );
        }

        #[ink::test]
        fn batches_add_up_at_the_first_batchs_prices() {
            let mut p2g = P2g::new();
            let a = accounts();
            let first = p2g
                .settle(
                    key(0),
                    None,
                    vec![buyer(a.bob, 100, 0, 0)],
                    Tariff::paper(),
                    false,
                )
                .unwrap();
            assert!(!first.complete);
            let cheaper = Tariff {
                hourly_prices: [1; 24],
                ..Tariff::paper()
            };
            let last = p2g
                .settle(
                    key(0),
                    None,
                    vec![buyer(a.charlie, 200, 0, 0)],
                    cheaper,
                    true,
                )
                .unwrap();
            assert!(last.complete);
            assert_eq!(last.grid_price, 384_000);
            assert_eq!(last.totals.import_wh, 300);
            // 300 Wh at 384_000 per kWh, billed per participant: 38_400 + 76_800.
            assert_eq!(last.totals.import_paid, 115_200);
            assert_eq!(
                p2g.settle(
                    key(0),
                    None,
                    vec![buyer(a.bob, 100, 0, 0)],
                    Tariff::paper(),
                    true
                ),
                Err(Error::AlreadySettled)
            );
            let again = p2g.settle(
                key(1),
                None,
                vec![buyer(a.bob, 1, 0, 0)],
                Tariff::paper(),
                false,
            );
            assert!(again.is_ok());
            assert_eq!(
                p2g.settle(
                    key(1),
                    None,
                    vec![buyer(a.bob, 1, 0, 0)],
                    Tariff::paper(),
                    true
                ),
                Err(Error::DuplicatePosition)
            );
        }
    }
}
