//! Settlement in the native token through the real contracts: buyers' deposits, sellers'
//! credits, the grid operator's credit, refunds, pull-style withdrawals, the grid deposit that
//! pays feed-in, and the refusals of every money message.
//!
//! Interval 0 is 22:00 UTC: `Tariff::paper()` sells at 280_000 per kWh; feed-in is paid at the
//! P2P price, or at `min_price` (80_000) when nothing traded P2P. Money in balance units.

use main::Error as E;
use market::{MarketConfig, MAX_OFFER_WH};
use market_drink::MarketEvent;

mod common;
use common::*;

/// P1 and P3 sell 1000 and 600 Wh (asks 120_000 and 100_000); P2 buys 800 Wh at the grid's
/// price and P5 1200 Wh with a limit of 150_000, each depositing exactly what `buy_deposit`
/// asks: 800 and 1200 Wh at the grid's 280_000 (above either limit), 224_000 and 336_000.
#[test]
fn an_interval_settles_in_the_native_token() {
    let mut market = registered();
    let ledger = market.read_p2g(|p2g| p2g.ledger()).unwrap();
    assert_eq!(ledger.total(), GRID_FUNDS);
    assert_eq!(
        market.read(|main| main.buy_deposit(0, 800, None)).unwrap(),
        Ok(224_000)
    );
    assert_eq!(
        market
            .read(|main| main.buy_deposit(0, 1_200, Some(150_000)))
            .unwrap(),
        Ok(336_000)
    );
    // 1 Wh at 280_000 per kWh is 280 units; 1 Wh at 280_001 rounds up to 281.
    assert_eq!(
        market
            .read(|main| main.buy_deposit(0, 1, Some(280_001)))
            .unwrap(),
        Ok(281)
    );

    ok(market
        .tx(a(P1), |main| main.sell(0, 1_000, 120_000))
        .unwrap());
    ok(market.tx(a(P3), |main| main.sell(0, 600, 100_000)).unwrap());
    refused(&mut market, E::DepositTooLow, |m| {
        m.tx_paying(a(P2), 223_999, |main| main.buy(0, 800, None))
    });
    ok(market
        .tx_paying(a(P2), 224_000, |main| main.buy(0, 800, None))
        .unwrap());
    ok(market
        .tx_paying(a(P5), 336_000, |main| main.buy(0, 1_200, Some(150_000)))
        .unwrap());
    let held = market.balance(market.p2g_address());
    assert_eq!(
        market.read_p2g(|p2g| p2g.ledger()).unwrap().deposits,
        560_000
    );

    market.set_time(START + HOUR);
    let result = ok(market.close_interval(a(P4), 0).unwrap()).value.unwrap();
    // Lowest ask 100_000: P2 buys 800 Wh of P1 in its own area; P5 (area 2) 600 Wh of P3
    // (area 1, one step) and the rest of P1's 200 Wh (two steps), then 400 Wh from the grid.
    assert_eq!((result.price, result.p2p_volume_wh), (Some(100_000), 1_600));
    assert_eq!(result.grid_import_wh, 400);

    // P2 pays 80_000 of its 224_000; P5 pays 80_000 P2P and 112_000 to the grid of 336_000.
    assert_eq!(market.read(|main| main.credit_of(a(P2))).unwrap(), 144_000);
    assert_eq!(market.read(|main| main.credit_of(a(P5))).unwrap(), 144_000);
    assert_eq!(market.read(|main| main.credit_of(a(P1))).unwrap(), 100_000);
    assert_eq!(market.read(|main| main.credit_of(a(P3))).unwrap(), 60_000);
    assert_eq!(
        market.read(|main| main.credit_of(a(OPERATOR))).unwrap(),
        112_000
    );
    let ledger = market.read_p2g(|p2g| p2g.ledger()).unwrap();
    assert_eq!((ledger.deposits, ledger.credits), (0, 560_000));
    assert_eq!(ledger.grid_deposit, GRID_FUNDS);
    // Settling moved money inside p2g only.
    assert_eq!(market.balance(market.p2g_address()), held);

    let before = market.balance(a(P1));
    let withdrawn = ok(market.tx(a(P1), |main| main.withdraw()).unwrap());
    assert_eq!(withdrawn.value, Ok(100_000));
    assert_eq!(
        withdrawn.events,
        vec![MarketEvent::Withdrawn(p2g::Withdrawn {
            account: a(P1),
            amount: 100_000
        })]
    );
    // The credit entry's storage deposit comes back too (a few units).
    let gained = market.balance(a(P1)) - before;
    assert!((100_000..101_000).contains(&gained), "{gained}");
    assert_eq!(market.balance(market.p2g_address()), held - 100_000);
    refused(&mut market, E::NothingToWithdraw, |m| {
        m.tx(a(P1), |main| main.withdraw())
    });
    refused(&mut market, E::NothingToWithdraw, |m| {
        m.tx(a(STRANGER), |main| main.withdraw())
    });
    ok(market.tx(a(OPERATOR), |main| main.withdraw()).unwrap());
    assert_eq!(
        market.read_p2g(|p2g| p2g.ledger()).unwrap().credits,
        560_000 - 100_000 - 112_000
    );
}

#[test]
fn cancelling_credits_the_whole_deposit_back() {
    let mut market = registered();
    ok(market
        .tx_paying(a(P2), 200_000, |main| main.buy(0, 500, None))
        .unwrap());
    ok(market.tx(a(P1), |main| main.sell(0, 500, 100_000)).unwrap());
    ok(market.tx(a(P2), |main| main.cancel(0)).unwrap());
    assert_eq!(market.read(|main| main.credit_of(a(P2))).unwrap(), 200_000);
    assert_eq!(
        market.read_p2g(|p2g| p2g.escrow_of(a(P2), 0)).unwrap(),
        None
    );
    // Removing a participant withdraws its open offer and credits its deposit the same way.
    ok(market
        .tx_paying(a(P4), 50_000, |main| main.buy(0, 100, None))
        .unwrap());
    ok(market.tx(a(OPERATOR), |main| main.remove(a(P4))).unwrap());
    assert_eq!(market.read(|main| main.credit_of(a(P4))).unwrap(), 50_000);
    let ledger = market.read_p2g(|p2g| p2g.ledger()).unwrap();
    assert_eq!((ledger.deposits, ledger.credits), (0, 250_000));
}

/// The grid deposit cannot pay feed-in: the interval still closes, buyers' refunds and the
/// seller's P2P earnings are credited at once, and the unpaid feed-in is the seller's claim on
/// the grid operator, paid as soon as anyone funds the grid deposit.
#[test]
fn a_close_never_waits_for_the_grid_deposit() {
    let mut market = register_all(deploy_unfunded(&MarketConfig::paper()).unwrap());
    ok(market
        .tx(a(P1), |main| main.sell(0, 1_000, 100_000))
        .unwrap());
    ok(market
        .tx_paying(a(P2), 112_000, |main| main.buy(0, 400, None))
        .unwrap());
    market.set_time(START + HOUR);
    refused(&mut market, E::ZeroAmount, |m| {
        m.tx_paying(a(OPERATOR), 0, |main| main.fund_grid())
    });
    let funded = ok(market
        .tx_paying(a(OPERATOR), 30_000, |main| main.fund_grid())
        .unwrap());
    assert_eq!(
        funded.events,
        vec![MarketEvent::GridFunded(p2g::GridFunded {
            amount: 30_000,
            grid_deposit: 30_000
        })]
    );
    // P2 takes 400 Wh at 100_000 (40_000); P1's other 600 Wh are fed in at the P2P price:
    // 60_000, of which the grid deposit pays 30_000.
    let closed = ok(market.close_interval(a(P2), 0).unwrap());
    assert!(closed
        .events
        .contains(&MarketEvent::FeedInOwed(p2g::FeedInOwed {
            interval: 0,
            account: a(P1),
            amount: 30_000
        })));
    assert_eq!(
        market.read(|main| main.credit_of(a(P1))).unwrap(),
        40_000 + 30_000
    );
    // P2 deposited 400 Wh at 280_000 = 112_000 and paid 40_000.
    assert_eq!(market.read(|main| main.credit_of(a(P2))).unwrap(), 72_000);
    assert_eq!(market.read_p2g(|p2g| p2g.claim_of(a(P1))).unwrap(), 30_000);
    let ledger = market.read_p2g(|p2g| p2g.ledger()).unwrap();
    assert_eq!((ledger.grid_deposit, ledger.claims), (0, 30_000));
    // Nothing to pay with: the claim waits.
    assert_eq!(
        ok(market.tx(a(STRANGER), |main| main.pay_claims()).unwrap()).value,
        Ok(1)
    );
    let funded = ok(market
        .tx_paying(a(STRANGER), 50_000, |main| main.fund_grid())
        .unwrap());
    assert_eq!(
        funded.events,
        vec![
            MarketEvent::GridFunded(p2g::GridFunded {
                amount: 50_000,
                grid_deposit: 50_000
            }),
            MarketEvent::ClaimPaid(p2g::ClaimPaid {
                interval: 0,
                account: a(P1),
                amount: 30_000
            })
        ]
    );
    assert_eq!(funded.value, Ok(20_000));
    assert_eq!(market.read_p2g(|p2g| p2g.claim_of(a(P1))).unwrap(), 0);
    assert_eq!(market.read(|main| main.credit_of(a(P1))).unwrap(), 100_000);
    assert!(market.read_p2g(|p2g| p2g.claims(0, 10)).unwrap().is_empty());
    assert_eq!(
        ok(market.tx(a(P1), |main| main.withdraw()).unwrap()).value,
        Ok(100_000)
    );
}

/// The operator doubles the tariff after P2 deposited for 1000 Wh at 280_000: interval 0 is
/// billed at the tariff it started under, so P2 pays exactly its deposit and no more; the
/// doubled tariff governs interval 1 on (its deposit, its bill).
#[test]
fn no_buyer_pays_beyond_its_deposit() {
    let mut market = registered();
    ok(market
        .tx_paying(a(P2), 280_000, |main| main.buy(0, 1_000, None))
        .unwrap());
    let mut dearer = MarketConfig::paper();
    for price in &mut dearer.tariff.hourly_prices {
        *price *= 2;
    }
    ok(market
        .tx(a(OPERATOR), |main| main.update_config(dearer))
        .unwrap());
    assert_eq!(
        market
            .read(|main| main.buy_deposit(0, 1_000, None))
            .unwrap(),
        Ok(280_000)
    );
    assert_eq!(
        market
            .read(|main| main.buy_deposit(1, 1_000, None))
            .unwrap(),
        Ok(560_000)
    );
    market.set_time(START + HOUR);
    let result = ok(market.close_interval(a(P2), 0).unwrap()).value.unwrap();
    assert_eq!(result.grid_price, 280_000);
    let bill = market.read(|main| main.bill(a(P2), 0)).unwrap().unwrap();
    assert_eq!((bill.grid_bought_wh, bill.grid_paid), (1_000, 280_000));
    assert_eq!(market.read(|main| main.credit_of(a(P2))).unwrap(), 0);
    assert_eq!(
        market.read(|main| main.credit_of(a(OPERATOR))).unwrap(),
        280_000
    );
    refused(&mut market, E::DepositTooLow, |m| {
        m.tx_paying(a(P2), 280_000, |main| main.buy(1, 1_000, None))
    });
}

/// A seller's deposit is optional; whatever it sends comes back as credit at the close.
#[test]
fn a_sellers_value_comes_back() {
    let mut market = registered();
    let sent = market
        .call_main_paying::<Result<(), E>, _, _>(a(P1), 5_000, |main| {
            ink::codegen::TraitCallBuilder::call_mut(main).sell(0, 100, 100_000)
        })
        .unwrap();
    assert_eq!(sent.value, Ok(()));
    market.set_time(START + HOUR);
    ok(market.close_interval(a(P1), 0).unwrap());
    // 5_000 back, and 100 Wh fed in at min_price 80_000: 8_000.
    assert_eq!(market.read(|main| main.credit_of(a(P1))).unwrap(), 13_000);
}

#[test]
fn money_messages_refuse_bad_input() {
    // Plants: connections that carry the most an offer may.
    let mut market = plants_with(&MarketConfig::paper());
    let max = MAX_OFFER_WH;
    refused(&mut market, E::TooMuchEnergy, |m| {
        m.tx(a(P1), |main| main.sell(0, u64::MAX, 100_000))
    });
    refused(&mut market, E::TooMuchEnergy, |m| {
        m.tx(a(P1), |main| main.sell(0, max + 1, 100_000))
    });
    refused(&mut market, E::TooMuchEnergy, |m| {
        m.tx_paying(a(P2), 1, |main| main.buy(0, u64::MAX, None))
    });
    refused(&mut market, E::PriceOutOfBounds, |m| {
        m.tx(a(P1), |main| main.sell(0, 100, u128::MAX))
    });
    refused(&mut market, E::PriceOutOfBounds, |m| {
        m.tx(a(P1), |main| main.sell(0, 100, 0))
    });
    // No deposit can cover a limit of u128::MAX: the product overflows.
    assert_eq!(
        market
            .read(|main| main.buy_deposit(0, 100, Some(u128::MAX)))
            .unwrap(),
        Err(E::Overflow)
    );
    refused(&mut market, E::Overflow, |m| {
        m.tx_paying(a(P2), 1_000_000, |main| main.buy(0, 100, Some(u128::MAX)))
    });
    refused(&mut market, E::DepositTooLow, |m| {
        m.tx_paying(a(P2), 0, |main| main.buy(0, 100, None))
    });
    // The most energy allowed, at the grid's price, is accepted.
    let deposit = market
        .read(|main| main.buy_deposit(0, max, None))
        .unwrap()
        .unwrap();
    assert_eq!(deposit, 280_000_000_000);
    ok(market
        .tx_paying(a(P2), deposit, |main| main.buy(0, max, None))
        .unwrap());
    // Sealed-mode messages in an open market.
    refused(&mut market, E::NotSealed, |m| {
        m.tx_paying(a(P1), 10_000, |main| main.commit(0, [1; 32]))
    });
    refused(&mut market, E::NotSealed, |m| {
        m.tx(a(P1), |main| {
            main.reveal(0, market::Side::Sell, 100, 100_000, [1; 32])
        })
    });
    refused(&mut market, E::NotSealed, |m| {
        m.tx(a(P1), |main| main.forfeit(0, a(P2)))
    });
    assert_eq!(
        market
            .read(|main| main.commit_deposit(0, market::Side::Sell, 100, 100_000))
            .unwrap(),
        Err(E::NotSealed)
    );
    // A removed participant may not offer.
    ok(market.tx(a(OPERATOR), |main| main.remove(a(P6))).unwrap());
    refused(&mut market, E::NotRegistered, |m| {
        m.tx(a(P6), |main| main.sell(0, 100, 100_000))
    });
    refused(&mut market, E::NotRegistered, |m| {
        m.tx_paying(a(P6), 1_000_000, |main| main.buy(0, 100, None))
    });
}
