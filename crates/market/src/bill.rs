//! Grid settlement of residuals and the bills that combine P2P and grid lines.

use alloc::vec::Vec;

use crate::{
    value_of, AccountId, Balance, EnergyWh, MarketError, Position, PricePerKwh, Side, Tariff,
};

/// One participant's bill for an interval or a month. Energy in Wh, money in balance units.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Bill {
    /// Energy bought from peers.
    pub p2p_bought_wh: EnergyWh,
    /// Paid to peers for it.
    pub p2p_paid: Balance,
    /// Network fees paid to the grid operator for P2P energy from other areas.
    pub fees_paid: Balance,
    /// Energy sold to peers.
    pub p2p_sold_wh: EnergyWh,
    /// Earned from peers for it.
    pub p2p_earned: Balance,
    /// Residual deficit bought from the grid.
    pub grid_bought_wh: EnergyWh,
    /// Paid to the grid for it.
    pub grid_paid: Balance,
    /// Residual surplus sold to the grid.
    pub grid_sold_wh: EnergyWh,
    /// Earned from the grid for it.
    pub grid_earned: Balance,
    /// Energy metered below what cleared, bought from the grid ([`crate::metering`]).
    pub imbalance_short_wh: EnergyWh,
    /// Paid to the grid for it, at the imbalance price.
    pub imbalance_paid: Balance,
    /// Energy metered above what cleared, sold to the grid.
    pub imbalance_long_wh: EnergyWh,
    /// Earned from the grid for it, at the imbalance feed-in price.
    pub imbalance_earned: Balance,
}

impl Bill {
    /// The sum of two bills, line by line.
    ///
    /// # Errors
    /// [`MarketError::Overflow`].
    pub fn checked_add(&self, other: &Bill) -> Result<Bill, MarketError> {
        fn add<T: CheckedAdd>(a: T, b: T) -> Result<T, MarketError> {
            a.add(b).ok_or(MarketError::Overflow)
        }
        Ok(Bill {
            p2p_bought_wh: add(self.p2p_bought_wh, other.p2p_bought_wh)?,
            p2p_paid: add(self.p2p_paid, other.p2p_paid)?,
            fees_paid: add(self.fees_paid, other.fees_paid)?,
            p2p_sold_wh: add(self.p2p_sold_wh, other.p2p_sold_wh)?,
            p2p_earned: add(self.p2p_earned, other.p2p_earned)?,
            grid_bought_wh: add(self.grid_bought_wh, other.grid_bought_wh)?,
            grid_paid: add(self.grid_paid, other.grid_paid)?,
            grid_sold_wh: add(self.grid_sold_wh, other.grid_sold_wh)?,
            grid_earned: add(self.grid_earned, other.grid_earned)?,
            imbalance_short_wh: add(self.imbalance_short_wh, other.imbalance_short_wh)?,
            imbalance_paid: add(self.imbalance_paid, other.imbalance_paid)?,
            imbalance_long_wh: add(self.imbalance_long_wh, other.imbalance_long_wh)?,
            imbalance_earned: add(self.imbalance_earned, other.imbalance_earned)?,
        })
    }

    /// Everything paid: P2P energy, fees, grid energy and imbalances.
    pub fn total_paid(&self) -> Balance {
        self.p2p_paid
            .saturating_add(self.fees_paid)
            .saturating_add(self.grid_paid)
            .saturating_add(self.imbalance_paid)
    }

    /// Everything earned: P2P and grid sales and imbalance credits.
    pub fn total_earned(&self) -> Balance {
        self.p2p_earned
            .saturating_add(self.grid_earned)
            .saturating_add(self.imbalance_earned)
    }

    /// What cleared for the participant, P2P and grid together: the position its imbalance
    /// is measured against.
    ///
    /// # Errors
    /// [`MarketError::Overflow`].
    pub fn cleared(&self) -> Result<crate::metering::Cleared, MarketError> {
        Ok(crate::metering::Cleared {
            sold_wh: add_u64(self.p2p_sold_wh, self.grid_sold_wh)?,
            bought_wh: add_u64(self.p2p_bought_wh, self.grid_bought_wh)?,
        })
    }

    /// The bill with `imbalance`'s lines.
    ///
    /// # Errors
    /// [`MarketError::Overflow`].
    pub fn with_imbalance(
        &self,
        imbalance: &crate::metering::Imbalance,
    ) -> Result<Bill, MarketError> {
        self.checked_add(&Bill {
            imbalance_short_wh: imbalance.short_wh,
            imbalance_paid: imbalance.charge,
            imbalance_long_wh: imbalance.long_wh,
            imbalance_earned: imbalance.credit,
            ..Bill::default()
        })
    }
}

trait CheckedAdd: Sized {
    fn add(self, other: Self) -> Option<Self>;
}
impl CheckedAdd for u64 {
    fn add(self, other: Self) -> Option<Self> {
        self.checked_add(other)
    }
}
impl CheckedAdd for u128 {
    fn add(self, other: Self) -> Option<Self> {
        self.checked_add(other)
    }
}

/// Energy and money that crossed the grid connection in one interval.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct GridTotals {
    /// Residual deficit supplied by the grid, Wh.
    pub import_wh: EnergyWh,
    /// Residual surplus taken by the grid, Wh.
    pub export_wh: EnergyWh,
    /// What participants paid the grid for the import.
    pub import_paid: Balance,
    /// What the grid paid participants for the export.
    pub export_earned: Balance,
    /// Network fees the grid operator collected on P2P trades.
    pub fees: Balance,
}

impl GridTotals {
    /// What one bill moved across the grid connection.
    pub fn of(bill: &Bill) -> GridTotals {
        GridTotals {
            import_wh: bill.grid_bought_wh,
            export_wh: bill.grid_sold_wh,
            import_paid: bill.grid_paid,
            export_earned: bill.grid_earned,
            fees: bill.fees_paid,
        }
    }

    /// The sum of two totals.
    ///
    /// # Errors
    /// [`MarketError::Overflow`].
    pub fn checked_add(&self, other: &GridTotals) -> Result<GridTotals, MarketError> {
        Ok(GridTotals {
            import_wh: add_u64(self.import_wh, other.import_wh)?,
            export_wh: add_u64(self.export_wh, other.export_wh)?,
            import_paid: add_u128(self.import_paid, other.import_paid)?,
            export_earned: add_u128(self.export_earned, other.export_earned)?,
            fees: add_u128(self.fees, other.fees)?,
        })
    }
}

/// The grid settlement of one interval: a bill per position and the totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    /// The grid's selling price this interval.
    pub grid_price: PricePerKwh,
    /// The grid's buying (feed-in) price this interval.
    pub feed_in_price: PricePerKwh,
    /// One bill per position, in position order.
    pub bills: Vec<(AccountId, Bill)>,
    /// Sums over all bills.
    pub totals: GridTotals,
}

/// Settles an interval's positions with the grid: each buyer's residual deficit is bought from
/// the grid at the hour's grid price, each seller's residual surplus is sold at the feed-in
/// price, and each position becomes a bill with its P2P and grid lines.
///
/// # Errors
/// [`MarketError::InvalidTariff`] for an hour outside 0..24, [`MarketError::Overflow`].
pub fn grid_settlement(
    positions: &[Position],
    p2p_price: Option<PricePerKwh>,
    hour: u8,
    tariff: &Tariff,
) -> Result<Settlement, MarketError> {
    grid_settlement_at(
        positions,
        tariff.grid_price(hour)?,
        tariff.feed_in_price(p2p_price),
    )
}

/// [`grid_settlement`] at given grid and feed-in prices: for settling an interval in batches at the
/// prices fixed by its first batch.
///
/// # Errors
/// [`MarketError::Overflow`].
pub fn grid_settlement_at(
    positions: &[Position],
    grid_price: PricePerKwh,
    feed_in_price: PricePerKwh,
) -> Result<Settlement, MarketError> {
    let mut totals = GridTotals::default();
    let mut bills = Vec::with_capacity(positions.len());
    for position in positions {
        let residual = position.residual_wh();
        let bill = match position.side {
            Side::Buy => Bill {
                p2p_bought_wh: position.matched_wh,
                p2p_paid: position.value,
                fees_paid: position.fees,
                grid_bought_wh: residual,
                grid_paid: value_of(residual, grid_price)?,
                ..Bill::default()
            },
            Side::Sell => Bill {
                p2p_sold_wh: position.matched_wh,
                p2p_earned: position.value,
                grid_sold_wh: residual,
                grid_earned: value_of(residual, feed_in_price)?,
                ..Bill::default()
            },
        };
        totals = totals.checked_add(&GridTotals::of(&bill))?;
        bills.push((position.account, bill));
    }
    Ok(Settlement {
        grid_price,
        feed_in_price,
        bills,
        totals,
    })
}

fn add_u64(a: u64, b: u64) -> Result<u64, MarketError> {
    a.checked_add(b).ok_or(MarketError::Overflow)
}

fn add_u128(a: u128, b: u128) -> Result<u128, MarketError> {
    a.checked_add(b).ok_or(MarketError::Overflow)
}
