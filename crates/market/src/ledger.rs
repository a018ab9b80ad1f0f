//! Money in the native token: what a buyer must deposit with an offer, and how each bill turns
//! into transfers once an interval is settled. Nothing here moves tokens; the contracts do,
//! pull-style, from these figures.
//!
//! Conservation: over an interval, buyers' charges equal sellers' P2P earnings plus the grid
//! operator's credit (grid energy and network fees), and the grid deposit pays exactly the
//! sellers' feed-in earnings.

use crate::{AuctionRules, Balance, Bill, EnergyWh, MarketError, PricePerKwh};

/// The highest price per kWh a buyer can end up paying: its P2P limit plus the network fee of
/// the farthest area, or the grid's price for what stays unmatched, whichever is higher.
///
/// # Errors
/// [`MarketError::Overflow`].
pub fn cover_price(
    limit: PricePerKwh,
    rules: &AuctionRules,
    grid_price: PricePerKwh,
) -> Result<PricePerKwh, MarketError> {
    let fee = rules
        .grid_fee_per_kwh_step
        .checked_mul(u128::from(rules.topology.max_distance()))
        .ok_or(MarketError::Overflow)?;
    let p2p = limit.checked_add(fee).ok_or(MarketError::Overflow)?;
    Ok(p2p.max(grid_price))
}

/// The deposit that covers `energy_wh` at `cover` per kWh: rounded up, so that the line items,
/// each rounded down, never exceed it.
///
/// # Errors
/// [`MarketError::Overflow`].
pub fn deposit_for(energy_wh: EnergyWh, cover: PricePerKwh) -> Result<Balance, MarketError> {
    u128::from(energy_wh)
        .checked_mul(cover)
        .and_then(|milli| milli.checked_add(999))
        .map(|milli| milli / 1000)
        .ok_or(MarketError::Overflow)
}

/// Who gets what from one settled bill.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Transfers {
    /// Back to the participant: its deposit minus what it was charged.
    pub refund: Balance,
    /// To the participant: P2P and feed-in earnings.
    pub earned: Balance,
    /// To the grid operator: grid energy and network fees.
    pub to_operator: Balance,
    /// Out of the grid deposit: the feed-in earnings.
    pub from_grid_deposit: Balance,
}

/// The transfers of one bill, given the participant's deposit.
///
/// # Errors
/// [`MarketError::Overflow`] if the charges exceed the deposit (the deposit rule prevents it).
pub fn transfers(bill: &Bill, deposit: Balance) -> Result<Transfers, MarketError> {
    let charged = bill
        .p2p_paid
        .checked_add(bill.fees_paid)
        .and_then(|sum| sum.checked_add(bill.grid_paid))
        .ok_or(MarketError::Overflow)?;
    Ok(Transfers {
        refund: deposit.checked_sub(charged).ok_or(MarketError::Overflow)?,
        earned: bill
            .p2p_earned
            .checked_add(bill.grid_earned)
            .ok_or(MarketError::Overflow)?,
        to_operator: bill
            .grid_paid
            .checked_add(bill.fees_paid)
            .ok_or(MarketError::Overflow)?,
        from_grid_deposit: bill.grid_earned,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Topology, Trade};

    #[test]
    fn cover_is_the_dearer_of_p2p_with_the_farthest_fee_and_the_grid() {
        let rules = AuctionRules {
            topology: Topology::Line { areas: 3 },
            grid_fee_per_kwh_step: 10_000,
            ..AuctionRules::paper()
        };
        // 250_000 + 2 steps * 10_000 = 270_000 < grid 300_000.
        assert_eq!(cover_price(250_000, &rules, 300_000), Ok(300_000));
        assert_eq!(cover_price(290_000, &rules, 300_000), Ok(310_000));
        assert_eq!(
            cover_price(u128::MAX, &rules, 0),
            Err(MarketError::Overflow)
        );
    }

    #[test]
    fn deposits_round_up() {
        assert_eq!(deposit_for(1, 999), Ok(1));
        assert_eq!(deposit_for(1_500, 300_000), Ok(450_000));
        assert_eq!(deposit_for(333, 1_001), Ok(334));
    }

    #[test]
    fn a_trade_moves_money_without_creating_or_losing_any() {
        // 600 Wh at 100_000 per kWh over one step at 10_000: payment 60_000, fee 6_000.
        let trade = Trade {
            seller: crate::AccountId::from([1; 32]),
            buyer: crate::AccountId::from([2; 32]),
            distance: 1,
            energy_wh: 600,
            price: 100_000,
            payment: 60_000,
            fee: 6_000,
        };
        let buyer = Bill {
            p2p_bought_wh: trade.energy_wh,
            p2p_paid: trade.payment,
            fees_paid: trade.fee,
            grid_bought_wh: 400,
            grid_paid: 120_000,
            ..Bill::default()
        };
        let seller = Bill {
            p2p_sold_wh: trade.energy_wh,
            p2p_earned: trade.payment,
            grid_sold_wh: 100,
            grid_earned: 10_000,
            ..Bill::default()
        };
        let deposit = deposit_for(1_000, 310_000).unwrap();
        let b = transfers(&buyer, deposit).unwrap();
        let s = transfers(&seller, 0).unwrap();
        assert_eq!(b.refund, deposit - 186_000);
        // In: the buyer's deposit and the grid deposit's feed-in. Out: refund, earnings,
        // operator.
        let into = deposit + s.from_grid_deposit;
        let out = b.refund + s.refund + s.earned + b.to_operator + s.to_operator;
        assert_eq!(into, out);
        assert_eq!(transfers(&buyer, 1), Err(MarketError::Overflow));
    }
}
