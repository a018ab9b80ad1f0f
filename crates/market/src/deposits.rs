//! Deposits in the native token: what an offer must deposit, and how each bill is charged to
//! its deposit once an interval is settled (the money p2g holds is `treasury::Ledger`'s).
//! Nothing here moves tokens; the contracts do, pull-style, from these figures.
//!
//! Conservation: over an interval, buyers' charges equal sellers' P2P earnings plus the grid
//! operator's credit (grid energy and network fees), and the grid deposit pays exactly the
//! sellers' feed-in earnings.

use crate::{AuctionRules, Balance, Bill, EnergyWh, MarketConfig, MarketError, PricePerKwh};

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

/// A buy's limit in the UTC hour `hour` under `config` (`limit`, or the hour's grid price by
/// default) and the deposit that covers `energy_wh` at it: what main asks of a buy.
///
/// # Errors
/// [`MarketError::InvalidTariff`] for an hour outside 0..24, [`MarketError::Overflow`].
pub fn buy_cover(
    config: &MarketConfig,
    hour: u8,
    energy_wh: EnergyWh,
    limit: Option<PricePerKwh>,
) -> Result<(PricePerKwh, Balance), MarketError> {
    let grid_price = config.tariff.grid_price(hour)?;
    let limit = limit.unwrap_or(grid_price);
    let cover = cover_price(limit, &config.auction, grid_price)?;
    Ok((limit, deposit_for(energy_wh, cover)?))
}

/// The least deposit an offer needs when it enters the book: a buy's `cover` (zero for a
/// sell) and, for a revealed sealed offer, its bond ([`crate::Sealing::bond_for`]), whichever
/// is higher.
///
/// # Errors
/// [`MarketError::Overflow`].
pub fn required_deposit(
    cover: Balance,
    sealing: Option<&crate::Sealing>,
    energy_wh: EnergyWh,
) -> Result<Balance, MarketError> {
    let bond = match sealing {
        Some(sealing) => sealing.bond_for(energy_wh)?,
        None => 0,
    };
    Ok(cover.max(bond))
}
/// The imbalance bond an offer of `energy_wh` on `side` adds to its deposit in the UTC hour
/// `hour` under `config`, for a participant whose connection imports at most `import_wh`
/// ([`crate::metering::Metering::bond`]); zero without metering.
///
/// # Errors
/// [`MarketError::InvalidTariff`] for an hour outside 0..24, [`MarketError::Overflow`].
pub fn imbalance_bond(
    config: &MarketConfig,
    hour: u8,
    side: crate::Side,
    energy_wh: EnergyWh,
    import_wh: EnergyWh,
) -> Result<Balance, MarketError> {
    match &config.metering {
        Some(metering) => {
            metering.bond(side, energy_wh, import_wh, config.tariff.grid_price(hour)?)
        }
        None => Ok(0),
    }
}

/// What an offer of `energy_wh` on `side` covers before any sealing bond: a buy's cover at
/// its limit `price` ([`buy_cover`]; a sell covers nothing) plus its [`imbalance_bond`].
///
/// # Errors
/// [`MarketError::InvalidTariff`] for an hour outside 0..24, [`MarketError::Overflow`].
pub fn offer_cover(
    config: &MarketConfig,
    hour: u8,
    side: crate::Side,
    energy_wh: EnergyWh,
    price: Option<PricePerKwh>,
    import_wh: EnergyWh,
) -> Result<(PricePerKwh, Balance), MarketError> {
    let (price, cover) = match side {
        crate::Side::Sell => (price.unwrap_or(0), 0),
        crate::Side::Buy => buy_cover(config, hour, energy_wh, price)?,
    };
    let bond = imbalance_bond(config, hour, side, energy_wh, import_wh)?;
    Ok((price, cover.checked_add(bond).ok_or(MarketError::Overflow)?))
}

/// What a sealed offer must have deposited by its reveal in the UTC hour `hour` under
/// `config`: [`required_deposit`] of its [`offer_cover`] (a buy's `price` is its limit;
/// `import_wh` is the participant's import capacity, which sizes a metered market's bond).
/// `None` when `config` takes open offers.
///
/// # Errors
/// [`MarketError::InvalidTariff`] for an hour outside 0..24, [`MarketError::Overflow`].
pub fn sealed_deposit(
    config: &MarketConfig,
    hour: u8,
    side: crate::Side,
    energy_wh: EnergyWh,
    price: PricePerKwh,
    import_wh: EnergyWh,
) -> Result<Option<Balance>, MarketError> {
    let Some(sealing) = &config.sealing else {
        return Ok(None);
    };
    let (_, cover) = offer_cover(config, hour, side, energy_wh, Some(price), import_wh)?;
    required_deposit(cover, Some(sealing), energy_wh).map(Some)
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

/// Charges one bill to the participant's deposit and says who gets what.
///
/// The P2P line comes first: the buyer's limit is at most its cover price, so the deposit
/// always covers it. Network fees and then grid energy are cut to what the deposit still
/// covers: a buyer never pays more than it escrowed, even when the operator raised the tariff
/// or the fee after the offer was placed; the grid operator then receives less. With an
/// unchanged configuration nothing is ever cut. Returns the bill as charged.
///
/// # Errors
/// [`MarketError::Overflow`] if the P2P line alone exceeds the deposit (the deposit rule
/// prevents it) or a sum overflows.
pub fn charge(mut bill: Bill, deposit: Balance) -> Result<(Bill, Transfers), MarketError> {
    let mut left = deposit
        .checked_sub(bill.p2p_paid)
        .ok_or(MarketError::Overflow)?;
    bill.fees_paid = bill.fees_paid.min(left);
    left = left.saturating_sub(bill.fees_paid);
    bill.grid_paid = bill.grid_paid.min(left);
    left = left.saturating_sub(bill.grid_paid);
    let transfers = Transfers {
        refund: left,
        earned: bill
            .p2p_earned
            .checked_add(bill.grid_earned)
            .ok_or(MarketError::Overflow)?,
        to_operator: bill
            .grid_paid
            .checked_add(bill.fees_paid)
            .ok_or(MarketError::Overflow)?,
        from_grid_deposit: bill.grid_earned,
    };
    Ok((bill, transfers))
}

/// Pays `owed` feed-in out of the grid deposit as far as it goes, unless earlier claims wait
/// (`claims_waiting`): they are paid first, in order. Returns `(paid, claim)`, which add up to
/// `owed`; the claim is what the grid operator still owes the seller. A close never waits for
/// the grid deposit: the seller's P2P earnings and every buyer's refund are credited at once,
/// and only the unpaid feed-in waits, as a claim, for `fund_grid`.
pub fn pay_feed_in(
    grid_deposit: Balance,
    owed: Balance,
    claims_waiting: bool,
) -> (Balance, Balance) {
    let paid = if claims_waiting {
        0
    } else {
        owed.min(grid_deposit)
    };
    (paid, owed.saturating_sub(paid))
}

/// What an unrevealed commitment with `deposit` forfeits under `sealing` (nothing without it:
/// the participant has been removed). Returns `(refund, penalty)`, which add up to the deposit.
pub fn forfeit(deposit: Balance, sealing: Option<&crate::Sealing>) -> (Balance, Balance) {
    let penalty = sealing.map_or(0, |sealing| sealing.forfeit_of(deposit));
    (deposit.saturating_sub(penalty), penalty)
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
    fn a_buy_is_covered_at_its_limit_or_the_grid_price() {
        let config = MarketConfig::paper();
        // 18:00 is peak: 320_000 * 1.2 = 384_000 per kWh.
        assert_eq!(buy_cover(&config, 18, 1_000, None), Ok((384_000, 384_000)));
        assert_eq!(
            buy_cover(&config, 18, 1_000, Some(100_000)),
            Ok((100_000, 384_000))
        );
        assert_eq!(
            buy_cover(&config, 18, 1_000, Some(400_000)),
            Ok((400_000, 400_000))
        );
        assert_eq!(
            buy_cover(&config, 24, 1, None),
            Err(MarketError::InvalidTariff)
        );
    }

    #[test]
    fn a_sealed_offer_deposits_its_bond_and_a_buy_its_cover() {
        let config = MarketConfig::sealed();
        // A sell of 2 kWh: bond 2_000 * 100_000 / 1000 = 200_000.
        assert_eq!(
            sealed_deposit(&config, 18, crate::Side::Sell, 2_000, 250_000, 0),
            Ok(Some(200_000))
        );
        // A buy of 2 kWh at 18:00 with limit 100_000: cover at the grid's 384_000 = 768_000,
        // above its bond.
        assert_eq!(
            sealed_deposit(&config, 18, crate::Side::Buy, 2_000, 100_000, 0),
            Ok(Some(768_000))
        );
        // 1 Wh: the bond's 10_000 minimum.
        assert_eq!(
            sealed_deposit(&config, 18, crate::Side::Sell, 1, 250_000, 0),
            Ok(Some(10_000))
        );
        assert_eq!(
            sealed_deposit(&MarketConfig::paper(), 18, crate::Side::Sell, 1, 250_000, 0),
            Ok(None)
        );
        assert_eq!(required_deposit(5, None, 1_000), Ok(5));
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
        let (charged, b) = charge(buyer.clone(), deposit).unwrap();
        assert_eq!(charged, buyer);
        let (_, s) = charge(seller, 0).unwrap();
        assert_eq!(b.refund, deposit - 186_000);
        // In: the buyer's deposit and the grid deposit's feed-in. Out: refund, earnings,
        // operator.
        let into = deposit + s.from_grid_deposit;
        let out = b.refund + s.refund + s.earned + b.to_operator + s.to_operator;
        assert_eq!(into, out);
        assert_eq!(charge(buyer, 1), Err(MarketError::Overflow));
    }

    #[test]
    fn a_buyer_never_pays_more_than_its_deposit() {
        let bill = Bill {
            p2p_bought_wh: 500,
            p2p_paid: 50_000,
            fees_paid: 5_000,
            grid_bought_wh: 500,
            grid_paid: 200_000,
            ..Bill::default()
        };
        // A tariff raised after the deposit: grid energy is cut to what is left.
        let (charged, t) = charge(bill.clone(), 100_000).unwrap();
        assert_eq!((charged.p2p_paid, charged.fees_paid), (50_000, 5_000));
        assert_eq!(charged.grid_paid, 45_000);
        assert_eq!((t.refund, t.to_operator), (0, 50_000));
        assert_eq!(t.refund + charged.total_paid(), 100_000);
        // Fees raised too: they are cut before the grid line.
        let (charged, t) = charge(bill, 52_000).unwrap();
        assert_eq!((charged.fees_paid, charged.grid_paid), (2_000, 0));
        assert_eq!((t.refund, t.to_operator), (0, 2_000));
    }

    #[test]
    fn feed_in_is_paid_as_far_as_the_grid_deposit_goes_and_claims_wait_in_order() {
        assert_eq!(pay_feed_in(1_000, 400, false), (400, 0));
        assert_eq!(pay_feed_in(300, 400, false), (300, 100));
        assert_eq!(pay_feed_in(0, 400, false), (0, 400));
        // Earlier claims come first, whatever the deposit holds.
        assert_eq!(pay_feed_in(1_000, 400, true), (0, 400));
        assert_eq!(pay_feed_in(0, 0, false), (0, 0));
    }

    #[test]
    fn forfeits_at_most_the_deposit() {
        let sealing = crate::Sealing::DEFAULT;
        assert_eq!(forfeit(25_000, Some(&sealing)), (12_500, 12_500));
        assert_eq!(forfeit(15_000, Some(&sealing)), (5_000, 10_000));
        assert_eq!(forfeit(4_000, Some(&sealing)), (0, 4_000));
        assert_eq!(forfeit(4_000, None), (4_000, 0));
    }
}
