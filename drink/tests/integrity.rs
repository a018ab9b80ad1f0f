//! The market keeps its promises under any configuration and any participant: regression
//! tests for the sequences of issue 15, each played through the real contracts. On the
//! contracts before the fix each one failed as its comment says; each test asserts the promise
//! that now holds (the interval closes, every deposit is withdrawable, the honest reveal
//! succeeds, the refusal and its typed error with no state change).
//!
//! The paper's market: hourly intervals, interval 0 is 22:00 UTC (grid price 280_000 per kWh),
//! asks within [80_000, 400_000]. Areas: P1, P2 in 0; P3, P4 in 1; P5, P6 in 2.

use main::Error as E;
use market::{
    AuctionRules, Capacity, FeedInRule, Limits, MarketConfig, PricingRule, Sealing, Side, Topology,
    MAX_OFFERS, MAX_OFFER_WH, MAX_PRICE,
};
use market_drink::{Bundles, HarnessError, MarketEvent, MarketSandbox};

mod common;
use common::*;

fn with_areas(areas: u8) -> MarketConfig {
    let mut config = MarketConfig::paper();
    config.auction.topology = Topology::Line { areas };
    config
}

fn close_in_steps(market: &mut MarketSandbox, interval: u64, budget: u32) -> main::IntervalResult {
    for _ in 0..10_000 {
        match ok(market
            .tx(a(STRANGER), |main| main.close_step(interval, budget))
            .unwrap())
        .value
        {
            Ok(main::CloseProgress::Closed(result)) => return result,
            Ok(main::CloseProgress::InProgress { .. }) => {}
            Err(error) => panic!("interval {interval} cannot close: {error:?}"),
        }
    }
    panic!("interval {interval} did not close in 10 000 steps")
}

fn withdraw_all(market: &mut MarketSandbox, homes: &[u8]) {
    for home in homes {
        let credit = market.read(|main| main.credit_of(a(*home))).unwrap();
        assert!(credit > 0, "home {home} has nothing to withdraw");
        assert_eq!(
            ok(market.tx(a(*home), |main| main.withdraw()).unwrap()).value,
            Ok(credit)
        );
    }
}

/// Sequence 1. Before: after interval 0 ended the operator shrank the topology to two areas;
/// the first one-item closing step froze those rules and every later step failed
/// `UnknownArea`, so both buyers' deposits stayed in escrow for good, and a participant left
/// in the dropped area could keep placing offers. Now an interval keeps the configuration it
/// started under, a topology cannot drop an area in use, and offers are checked against their
/// interval's topology.
#[test]
fn a_topology_shrink_never_strands_an_interval() {
    let mut market = registered();
    ok(market
        .tx(a(P1), |main| main.sell(0, 1_000, 100_000))
        .unwrap());
    ok(market
        .tx_paying(a(P2), 168_000, |main| main.buy(0, 600, None))
        .unwrap());
    // P5 in area 2, 500 Wh at the grid's 280_000: a deposit of 140_000.
    ok(market
        .tx_paying(a(P5), 140_000, |main| main.buy(0, 500, None))
        .unwrap());
    market.set_time(START + HOUR);

    refused(&mut market, E::AreaInUse, |m| {
        m.tx(a(OPERATOR), |main| main.update_config(with_areas(2)))
    });
    ok(market.tx(a(OPERATOR), |main| main.remove(a(P5))).unwrap());
    ok(market.tx(a(OPERATOR), |main| main.remove(a(P6))).unwrap());
    let updated = ok(market
        .tx(a(OPERATOR), |main| main.update_config(with_areas(2)))
        .unwrap());
    assert_eq!(
        updated.events,
        vec![MarketEvent::ConfigUpdated(main::ConfigUpdated {
            from_interval: 2
        })]
    );
    assert_eq!(
        market.read(|main| main.config_at(0)).unwrap(),
        MarketConfig::paper()
    );
    assert_eq!(
        market.read(|main| main.config_at(1)).unwrap(),
        MarketConfig::paper()
    );
    assert_eq!(
        market.read(|main| main.config_at(2)).unwrap(),
        with_areas(2)
    );

    // Interval 0 closes one item at a time under its own three areas: P2 takes 600 Wh next
    // door, P5 (removed since, but its offer was valid) 400 Wh two areas away, 100 Wh from the
    // grid at 280_000.
    let result = close_in_steps(&mut market, 0, 1);
    assert_eq!((result.price, result.p2p_volume_wh), (Some(100_000), 1_000));
    assert_eq!(result.grid_import_wh, 100);
    // P2: 168_000 - 60_000. P5: 140_000 - 40_000 - 28_000. P1: 1000 Wh at 100_000.
    assert_eq!(market.read(|main| main.credit_of(a(P2))).unwrap(), 108_000);
    assert_eq!(market.read(|main| main.credit_of(a(P5))).unwrap(), 72_000);
    withdraw_all(&mut market, &[P1, P2, P5]);
    assert_eq!(market.read_p2g(|p2g| p2g.ledger()).unwrap().deposits, 0);

    // Nobody can join the dropped area while it is dropped.
    refused(&mut market, E::UnknownArea, |m| {
        m.tx(a(OPERATOR), |main| main.register(a(P5), 2, None))
    });
    // Interval 2 runs on two areas; the operator restores three from interval 3 on. P5 joins
    // area 2 at once, but its offers wait for an interval whose topology has area 2.
    market.set_time(START + 2 * HOUR);
    ok(market
        .tx(a(OPERATOR), |main| {
            main.update_config(MarketConfig::paper())
        })
        .unwrap());
    ok(market
        .tx(a(OPERATOR), |main| main.register(a(P5), 2, None))
        .unwrap());
    refused(&mut market, E::UnknownArea, |m| {
        m.tx(a(P5), |main| main.sell(2, 100, 100_000))
    });
    ok(market.buy_covered(a(P2), 2, 100, None).unwrap());
    market.set_time(START + 3 * HOUR);
    ok(market.tx(a(P5), |main| main.sell(3, 100, 100_000)).unwrap());
    for interval in 1..=2 {
        close_in_steps(&mut market, interval, 1);
    }
    market.set_time(START + 4 * HOUR);
    assert_eq!(close_in_steps(&mut market, 3, 2).p2p_volume_wh, 0);
}

/// Sequence 2. Before: the operator set a fixed feed-in of 10^30 per kWh, closed an interval
/// until its first batch fixed that price, then restored the config: the next seller was owed
/// more than the chain's issuance. Hourly prices or fees near `u128::MAX / 10^9` overflowed
/// `value_of`, and a merit order with `max_price = u128::MAX` its price search. Now every price
/// and fee is bounded by `MAX_PRICE`, a fixed feed-in by `max_price`, and a change never
/// reaches an interval that has started.
#[test]
fn no_configuration_can_price_an_interval_beyond_its_sums() {
    let mut market = registered();
    ok(market
        .tx(a(OPERATOR), |main| main.register(a(OPERATOR), 0, None))
        .unwrap());
    ok(market.buy_covered(a(OPERATOR), 0, 10, None).unwrap());
    ok(market
        .tx(a(P1), |main| main.sell(0, 1_000, 100_000))
        .unwrap());
    let mut absurd = MarketConfig::paper();
    absurd.tariff.feed_in = FeedInRule::Fixed(10u128.pow(30));
    refused(&mut market, E::InvalidTariff, |m| {
        m.tx(a(OPERATOR), |main| main.update_config(absurd))
    });
    let mut hourly = MarketConfig::paper();
    hourly.tariff.hourly_prices[22] = u128::MAX / 1_000_000_000;
    refused(&mut market, E::InvalidTariff, |m| {
        m.tx(a(OPERATOR), |main| main.update_config(hourly))
    });
    let mut fee = MarketConfig::paper();
    fee.auction.grid_fee_per_kwh_step = u128::MAX / 1_000_000_000;
    refused(&mut market, E::InvalidFee, |m| {
        m.tx(a(OPERATOR), |main| main.update_config(fee))
    });
    let mut merit = MarketConfig::paper();
    merit.auction.pricing = PricingRule::MarginalAsk;
    merit.tariff.max_price = u128::MAX;
    refused(&mut market, E::InvalidTariff, |m| {
        m.tx(a(OPERATOR), |main| main.update_config(merit))
    });
    // The dearest feed-in a configuration may set is max_price, and only from interval 1 on.
    let mut dearest = MarketConfig::paper();
    dearest.tariff.feed_in = FeedInRule::Fixed(400_000);
    ok(market
        .tx(a(OPERATOR), |main| main.update_config(dearest))
        .unwrap());
    market.set_time(START + HOUR);
    let result = close_in_steps(&mut market, 0, 1);
    // Interval 0's own rule: feed-in at the P2P price.
    assert_eq!(result.feed_in_price, 100_000);
    // P1's 990 unmatched Wh at 100_000: 99_000, paid in full from the grid deposit.
    assert_eq!(
        market.read(|main| main.credit_of(a(P1))).unwrap(),
        1_000 + 99_000
    );
    assert_eq!(market.read_p2g(|p2g| p2g.claim_of(a(P1))).unwrap(), 0);
}

/// The bounds are enough: an interval with every price at `MAX_PRICE`, the fee at its bound,
/// the offer cap at `MAX_OFFERS`, a merit order and offers of `MAX_OFFER_WH` still closes
/// without an overflow, and every unit is withdrawable once the grid operator pays its claims.
#[test]
fn an_interval_at_every_bound_still_closes() {
    let mut config = MarketConfig::paper();
    config.auction.pricing = PricingRule::MarginalAsk;
    config.auction.grid_fee_per_kwh_step = MAX_PRICE / 2;
    config.tariff.hourly_prices = [MAX_PRICE; 24];
    config.tariff.max_price = MAX_PRICE;
    config.tariff.feed_in = FeedInRule::Fixed(MAX_PRICE);
    config.limits.max_offers = MAX_OFFERS;
    let mut market = plants_with(&config);
    ok(market
        .tx(a(P1), |main| main.sell(0, MAX_OFFER_WH, MAX_PRICE))
        .unwrap());
    ok(market
        .tx(a(P3), |main| main.sell(0, MAX_OFFER_WH, 80_000))
        .unwrap());
    // A buy's cover is its limit plus two steps of fee: 2 * 10^18 per kWh, for 10^9 Wh.
    let deposit = market
        .read(|main| main.buy_deposit(0, MAX_OFFER_WH, Some(MAX_PRICE)))
        .unwrap()
        .unwrap();
    assert_eq!(deposit, 2 * 10u128.pow(24));
    for home in [P2, P5] {
        market.mint(a(home), deposit).unwrap();
        ok(market
            .tx_paying(a(home), deposit, |main| {
                main.buy(0, MAX_OFFER_WH, Some(MAX_PRICE))
            })
            .unwrap());
    }
    market.set_time(START + HOUR);
    let result = close_in_steps(&mut market, 0, 3);
    // Price 10^18: P2 takes P1's GWh next door; for P5 in area 2 the fee would pass its limit,
    // so it buys from the grid, and P3's GWh is fed in at 10^18: a claim of 10^24 beyond the
    // grid deposit.
    assert_eq!(result.price, Some(MAX_PRICE));
    assert_eq!(result.p2p_volume_wh, MAX_OFFER_WH);
    let claim = market.read_p2g(|p2g| p2g.claim_of(a(P3))).unwrap();
    assert_eq!(claim, 10u128.pow(24) - GRID_FUNDS);
    market.mint(a(OPERATOR), claim).unwrap();
    ok(market
        .tx_paying(a(OPERATOR), claim, |main| main.fund_grid())
        .unwrap());
    assert_eq!(market.read_p2g(|p2g| p2g.claim_of(a(P3))).unwrap(), 0);
    withdraw_all(&mut market, &[P1, P2, P3, P5, OPERATOR]);
    let ledger = market.read_p2g(|p2g| p2g.ledger()).unwrap();
    assert_eq!((ledger.deposits, ledger.credits, ledger.claims), (0, 0, 0));
}

/// Sequence 3. Before: a home sold 1 GWh at `min_price`, set the price for everyone, and the
/// unmatched rest was owed ~8 * 10^10 units of feed-in: the close waited on
/// `GridDepositShort`, and with it every buyer's deposit. Now a home's offer is bounded by its
/// connection (`ExceedsCapacity` above 43 000 Wh by default, nothing changed); a plant whose
/// connection does carry the gigawatt-hour still cannot hold the buyers hostage: the interval
/// closes, their refunds are credited at once, and the unpaid feed-in is its claim on the grid
/// operator.
#[test]
fn energy_nobody_has_cannot_hold_the_buyers_hostage() {
    let mut market = registered();
    let home = market
        .read(|main| main.participant(a(P1)))
        .unwrap()
        .unwrap();
    assert_eq!(home.capacity, Capacity::DEFAULT);
    refused(&mut market, E::ExceedsCapacity, |m| {
        m.tx(a(P1), |main| main.sell(0, MAX_OFFER_WH, 80_000))
    });
    refused(&mut market, E::ExceedsCapacity, |m| {
        m.tx(a(P1), |main| {
            main.sell(0, Capacity::DEFAULT.export_wh + 1, 80_000)
        })
    });
    refused(&mut market, E::ExceedsCapacity, |m| {
        m.tx_paying(a(P2), u128::from(u32::MAX), |main| {
            main.buy(0, Capacity::DEFAULT.import_wh + 1, None)
        })
    });
    // A connection may be asymmetric: this one exports nothing.
    ok(market
        .tx(a(OPERATOR), |main| {
            main.register(
                a(STRANGER),
                1,
                Some(Capacity {
                    export_wh: 0,
                    import_wh: 5_000,
                }),
            )
        })
        .unwrap());
    refused(&mut market, E::ExceedsCapacity, |m| {
        m.tx(a(STRANGER), |main| main.sell(0, 1, 80_000))
    });
    ok(market
        .tx(a(P1), |main| {
            main.sell(0, Capacity::DEFAULT.export_wh, 80_000)
        })
        .unwrap());
    ok(market.tx(a(OPERATOR), |main| main.remove(a(P1))).unwrap());

    let mut market = plants_with(&MarketConfig::paper());
    ok(market
        .tx(a(P1), |main| main.sell(0, MAX_OFFER_WH, 80_000))
        .unwrap());
    ok(market
        .tx_paying(a(P2), 280_000, |main| main.buy(0, 1_000, None))
        .unwrap());
    ok(market
        .tx_paying(a(P4), 560_000, |main| main.buy(0, 2_000, None))
        .unwrap());
    market.set_time(START + HOUR);
    let result = ok(market.close_interval(a(P2), 0).unwrap()).value.unwrap();
    assert_eq!((result.price, result.p2p_volume_wh), (Some(80_000), 3_000));
    // The buyers paid 80_000 per kWh and are refunded the rest of their deposits.
    assert_eq!(market.read(|main| main.credit_of(a(P2))).unwrap(), 200_000);
    assert_eq!(market.read(|main| main.credit_of(a(P4))).unwrap(), 400_000);
    withdraw_all(&mut market, &[P2, P4]);
    // The seller: 3 kWh sold P2P (240_000), (10^9 - 3_000) Wh fed in at 80_000 =
    // 79_999_760_000, of which the grid deposit paid 10^9.
    assert_eq!(
        market.read(|main| main.credit_of(a(P1))).unwrap(),
        240_000 + GRID_FUNDS
    );
    assert_eq!(
        market.read_p2g(|p2g| p2g.claim_of(a(P1))).unwrap(),
        79_999_760_000 - GRID_FUNDS
    );
    assert_eq!(market.read_p2g(|p2g| p2g.ledger()).unwrap().deposits, 0);
}

/// Sequence 4. Before: after the commitments the operator raised `min_price`, the grid price
/// and the fee and lowered `max_offers`; the honest reveals failed (`PriceOutOfBounds`,
/// `DepositTooLow`, `BookFull`) and `forfeit` paid their penalties to the operator. Now reveals
/// are checked against their interval's configuration.
#[test]
fn a_config_change_cannot_refuse_an_honest_reveal() {
    let mut market = registered_with(&MarketConfig::sealed());
    let seller = (Side::Sell, 1_000, 100_000, [11; 32]);
    let buyer = (Side::Buy, 800, 280_000, [12; 32]);
    let seal =
        |m: &MarketSandbox, home: u8, (side, energy, price, salt): (Side, u64, u128, [u8; 32])| {
            market::seal::commitment(&m.main_address(), &a(home), 0, side, energy, price, &salt)
        };
    // 1 kWh's bond: 1_000 Wh * 100_000 / 1000 = 100_000.
    let sealed = seal(&market, P1, seller);
    ok(market
        .tx_paying(a(P1), 100_000, |main| main.commit(0, sealed))
        .unwrap());
    // 800 Wh at 280_000: 224_000, just enough.
    let sealed = seal(&market, P2, buyer);
    ok(market
        .tx_paying(a(P2), 224_000, |main| main.commit(0, sealed))
        .unwrap());
    let mut hostile = MarketConfig::sealed();
    hostile.tariff.min_price = 200_000;
    for price in &mut hostile.tariff.hourly_prices {
        *price *= 2;
    }
    hostile.auction.grid_fee_per_kwh_step = 50_000;
    hostile.limits = Limits {
        max_offers: 1,
        step_items: 1,
    };
    ok(market
        .tx(a(OPERATOR), |main| main.update_config(hostile))
        .unwrap());
    market.set_time(START + HOUR);
    for (home, (side, energy, price, salt)) in [(P1, seller), (P2, buyer)] {
        ok(market
            .tx(a(home), |main| main.reveal(0, side, energy, price, salt))
            .unwrap());
    }
    market.set_time(START + HOUR + Sealing::DEFAULT.reveal_ms);
    let result = ok(market.close_interval(a(P3), 0).unwrap()).value.unwrap();
    assert_eq!((result.price, result.grid_price), (Some(100_000), 280_000));
    assert_eq!(result.p2p_volume_wh, 800);
    // Nothing was forfeited: both reveals went through.
    refused(&mut market, E::NoCommitment, |m| {
        m.tx(a(P3), |main| main.forfeit(0, a(P1)))
    });
    // P2 paid 80_000 of its 224_000.
    assert_eq!(market.read(|main| main.credit_of(a(P2))).unwrap(), 144_000);
}

/// Sequence 5. Before: the flat penalty (10 000 units) did not scale with the offer, so a home
/// could commit up to 1 GWh and reveal only if the price suited it. Now a reveal needs the
/// offer's bond deposited (`bond_per_kwh` per kWh: 100_000, so 10^11 units for a GWh) and an
/// unrevealed commitment forfeits `forfeit_bps` (half) of its deposit: skipping the reveal of a
/// gigawatt-hour costs 5 * 10^10 units, of a kilowatt-hour 50_000.
#[test]
fn skipping_a_reveal_costs_in_proportion_to_the_offer() {
    let sealing = Sealing::DEFAULT;
    let mut market = plants_with(&MarketConfig::sealed());
    let big = (Side::Sell, MAX_OFFER_WH, 80_000, [21; 32]);
    let small = (Side::Sell, 1_000, 80_000, [22; 32]);
    let thin = (Side::Sell, 1_000, 80_000, [23; 32]);
    let bond = |m: &mut MarketSandbox, (side, energy, price, _): (Side, u64, u128, [u8; 32])| {
        m.read(|main| main.commit_deposit(0, side, energy, price))
            .unwrap()
            .unwrap()
    };
    assert_eq!(bond(&mut market, big), 100_000_000_000);
    // The query refuses what a reveal would refuse for its energy.
    assert_eq!(
        market
            .read(|main| main.commit_deposit(0, Side::Sell, 0, 80_000))
            .unwrap(),
        Err(E::ZeroEnergy)
    );
    assert_eq!(
        market
            .read(|main| main.commit_deposit(0, Side::Buy, MAX_OFFER_WH + 1, 80_000))
            .unwrap(),
        Err(E::TooMuchEnergy)
    );
    assert_eq!(bond(&mut market, small), 100_000);
    // A buy deposits its cover if that is more: 1 kWh at 22:00's grid price 280_000.
    assert_eq!(
        market
            .read(|main| main.commit_deposit(0, Side::Buy, 1_000, 100_000))
            .unwrap()
            .unwrap(),
        280_000
    );
    for (home, offer, deposit) in [
        (P1, big, 100_000_000_000),
        (P3, small, 100_000),
        (P5, thin, sealing.penalty),
    ] {
        let (side, energy, price, salt) = offer;
        let sealed = market::seal::commitment(
            &market.main_address(),
            &a(home),
            0,
            side,
            energy,
            price,
            &salt,
        );
        market.mint(a(home), deposit).unwrap();
        ok(market
            .tx_paying(a(home), deposit, |main| main.commit(0, sealed))
            .unwrap());
    }
    market.set_time(START + HOUR);
    // P5 deposited only the penalty: its reveal is refused and changes nothing.
    let (side, energy, price, salt) = thin;
    refused(&mut market, E::DepositTooLow, |m| {
        m.tx(a(P5), |main| main.reveal(0, side, energy, price, salt))
    });
    market.set_time(START + HOUR + sealing.reveal_ms);
    // Nobody revealed. Each forfeit is half the deposit, at least the 10_000 penalty.
    for (home, deposit, forfeit) in [
        (P1, 100_000_000_000u128, 50_000_000_000u128),
        (P3, 100_000, 50_000),
        (P5, 10_000, 10_000),
    ] {
        let outcome = ok(market.tx(a(P2), |main| main.forfeit(0, a(home))).unwrap());
        assert_eq!(outcome.value, Ok(forfeit));
        assert_eq!(
            outcome.events,
            vec![MarketEvent::Forfeited(p2g::Forfeited {
                interval: 0,
                account: a(home),
                refund: deposit - forfeit,
                penalty: forfeit,
            })]
        );
        assert_eq!(
            market.read(|main| main.credit_of(a(home))).unwrap(),
            deposit - forfeit
        );
    }
    assert_eq!(
        market.read(|main| main.credit_of(a(OPERATOR))).unwrap(),
        50_000_000_000 + 50_000 + 10_000
    );
    let result = ok(market.close_interval(a(P2), 0).unwrap()).value.unwrap();
    assert_eq!((result.offers, result.price), (0, None));
}

/// Sequence 6. Before: only live offers were capped, so place and cancel repeated thousands
/// of times added slots and queue entries that every closing pass walked. Now at most
/// `max_offers` offers may be cancelled per interval, so a book has at most `2 * max_offers`
/// slots; placing is never refused because of others' churn.
#[test]
fn churn_cannot_grow_a_book_past_twice_its_cap() {
    let config = MarketConfig {
        limits: Limits {
            max_offers: 2,
            step_items: 250,
        },
        ..MarketConfig::paper()
    };
    let mut market = registered_with(&config);
    for _ in 0..2 {
        ok(market.tx(a(P1), |main| main.sell(0, 100, 100_000)).unwrap());
        ok(market.tx(a(P1), |main| main.cancel(0)).unwrap());
    }
    ok(market.tx(a(P1), |main| main.sell(0, 100, 100_000)).unwrap());
    refused(&mut market, E::CancelLimit, |m| {
        m.tx(a(P1), |main| main.cancel(0))
    });
    ok(market.buy_covered(a(P2), 0, 100, None).unwrap());
    refused(&mut market, E::BookFull, |m| {
        m.tx(a(P3), |main| main.sell(0, 100, 100_000))
    });
    // The operator can still remove a participant, and its offer with it.
    ok(market.tx(a(OPERATOR), |main| main.remove(a(P1))).unwrap());
    assert_eq!(market.read(|main| main.offer_count(0)).unwrap(), 1);
    market.set_time(START + HOUR);
    let result = ok(market.close_interval(a(P2), 0).unwrap()).value.unwrap();
    assert_eq!((result.offers, result.p2p_volume_wh), (1, 0));
}

/// Sequence 7. Before: eligibility checked `limit >= price`, but a buyer pays the price plus
/// the network fee: with a fee of 50_000 per step, a buyer with limit 100_001 paid 200_000 per
/// kWh for energy from two areas away. Now it is eligible at distance `d` only if `limit >=
/// price + fee * d`.
#[test]
fn a_network_fee_never_takes_a_buyer_past_its_limit() {
    let mut config = MarketConfig::paper();
    config.auction.grid_fee_per_kwh_step = 50_000;
    let mut market = registered_with(&config);
    ok(market.tx(a(P6), |main| main.sell(0, 300, 100_000)).unwrap());
    ok(market.buy_covered(a(P2), 0, 300, Some(100_001)).unwrap());
    ok(market.buy_covered(a(P4), 0, 100, Some(150_000)).unwrap());
    ok(market.buy_covered(a(P5), 0, 100, Some(100_000)).unwrap());
    market.set_time(START + HOUR);
    ok(market.close_interval(a(P3), 0).unwrap());
    let trades = market.trades(0).unwrap();
    // P5 next door at 100_000; P4 one step away at 100_000 + 50_000 = its limit.
    assert_eq!(trades.len(), 2);
    assert!(trades.iter().all(|trade| trade.buyer != a(P2)));
    for trade in &trades {
        let limit = if trade.buyer == a(P4) {
            150_000
        } else {
            100_000
        };
        assert!(trade.price + 50_000 * u128::from(trade.distance) <= limit);
    }
    let bill = market.read(|main| main.bill(a(P2), 0)).unwrap().unwrap();
    assert_eq!((bill.p2p_bought_wh, bill.grid_bought_wh), (0, 300));
    // One step, 100 Wh, 50_000 per kWh.
    assert_eq!(
        market
            .read(|main| main.bill(a(P4), 0))
            .unwrap()
            .unwrap()
            .fees_paid,
        5_000
    );
}

/// Sequence 8. Before: main accepted any code as its p2p and p2g, and nothing a client could
/// query from main revealed a main paired with a look-alike p2g. Now `code_hashes` answers the
/// code the chain runs for all three, and clients compare it with their bundles.
#[test]
fn a_look_alike_callee_shows_in_the_code_hashes() {
    let bundles = Bundles::load(&Bundles::default_dir()).unwrap();
    let trusted = bundles.code_hashes();
    let mut genuine =
        MarketSandbox::deploy(&bundles, &MarketConfig::paper(), a(OPERATOR), START).unwrap();
    assert_eq!(
        genuine.read(|main| main.code_hashes()).unwrap(),
        Ok(trusted)
    );
    // p2p's code instantiates as a p2g: its constructor has the same selector.
    let look_alike = Bundles {
        main: bundles.main.clone(),
        p2p: bundles.p2p.clone(),
        p2g: bundles.p2p.clone(),
    };
    let mut fake =
        MarketSandbox::deploy(&look_alike, &MarketConfig::paper(), a(OPERATOR), START).unwrap();
    let answered = fake.read(|main| main.code_hashes()).unwrap().unwrap();
    assert_eq!((answered.main, answered.p2p), (trusted.main, trusted.p2p));
    assert_ne!(answered.p2g, trusted.p2g, "the look-alike p2g must show");
    assert_eq!(answered.p2g, trusted.p2p);
}

/// Sequence 9. Before: the commitment hash had no market in it, so a commitment was valid in
/// every deployment. Now it binds main's address: the same offer committed for another market
/// does not reveal here.
#[test]
fn a_commitment_is_valid_in_one_market_only() {
    let mut market = registered_with(&MarketConfig::sealed());
    let salt = [5; 32];
    let elsewhere =
        market::seal::commitment(&a(STRANGER), &a(P1), 0, Side::Sell, 500, 100_000, &salt);
    let here = market::seal::commitment(
        &market.main_address(),
        &a(P3),
        0,
        Side::Sell,
        500,
        100_000,
        &salt,
    );
    ok(market
        .tx_paying(a(P1), Sealing::DEFAULT.penalty, |main| {
            main.commit(0, elsewhere)
        })
        .unwrap());
    // 500 Wh's bond: 500 * 100_000 / 1000 = 50_000.
    ok(market
        .tx_paying(a(P3), 50_000, |main| main.commit(0, here))
        .unwrap());
    market.set_time(START + HOUR);
    refused(&mut market, E::CommitmentMismatch, |m| {
        m.tx(a(P1), |main| main.reveal(0, Side::Sell, 500, 100_000, salt))
    });
    ok(market
        .tx(a(P3), |main| main.reveal(0, Side::Sell, 500, 100_000, salt))
        .unwrap());
}

/// A version with a matrix topology, the merit order and a fee governs the interval after
/// its update, through every closing step: the rules p2p clears with are the version's.
#[test]
fn a_matrix_topology_with_merit_order_clears_under_its_own_version() {
    let mut config = MarketConfig::paper();
    config.auction = AuctionRules {
        topology: Topology::Matrix {
            areas: 3,
            distances: vec![0, 1, 1, 1, 0, 1, 1, 1, 0],
        },
        pricing: PricingRule::MarginalAsk,
        priority: market::Priority::PriceTime,
        grid_fee_per_kwh_step: 10_000,
    };
    let mut market = registered();
    ok(market
        .tx(a(OPERATOR), |main| main.update_config(config.clone()))
        .unwrap());
    market.set_time(START + HOUR);
    assert_eq!(market.read(|main| main.config_at(1)).unwrap(), config);
    ok(market.tx(a(P6), |main| main.sell(1, 500, 150_000)).unwrap());
    ok(market.buy_covered(a(P2), 1, 500, Some(160_000)).unwrap());
    market.set_time(START + 2 * HOUR);
    let result = close_in_steps(&mut market, 1, 1);
    // On the ring P2 (area 0) and P6 (area 2) are one step apart: 150_000 + 10_000 = 160_000.
    assert_eq!((result.price, result.p2p_volume_wh), (Some(150_000), 500));
}

/// Direct calls to p2p and p2g, with value attached to every message (payable or not), revert
/// with `NotMain`, emit nothing and change no storage and no balance.
#[test]
fn callees_refuse_direct_calls_even_with_value() {
    use ink::{codegen::TraitCallBuilder, env::call::FromAccountId, env::DefaultEnvironment};
    use market_drink::chain_account;
    use scale::Encode;
    let mut market = registered();
    ok(market
        .tx(a(P1), |main| main.sell(0, 1_000, 100_000))
        .unwrap());
    let (p2p_address, p2g_address) = (market.p2p_address(), market.p2g_address());
    let mut p2p = <p2p::P2pRef as FromAccountId<DefaultEnvironment>>::from_account_id(p2p_address);
    let mut p2g = <p2g::P2gRef as FromAccountId<DefaultEnvironment>>::from_account_id(p2g_address);
    let caller = a(P2);
    let offer = market::Offer {
        account: caller,
        area: 0,
        side: Side::Buy,
        energy_wh: 1,
        price: 1,
    };
    let key = p2g::IntervalKey {
        index: 0,
        hour: 22,
        month: NOVEMBER,
    };
    let calls: Vec<(market::AccountId, Vec<u8>)> = vec![
        (
            p2p_address,
            p2p.call_mut()
                .place(0, offer, 10, market::Priority::Submission)
                .params()
                .exec_input()
                .encode(),
        ),
        (
            p2p_address,
            p2p.call_mut()
                .cancel(0, a(P1), None)
                .params()
                .exec_input()
                .encode(),
        ),
        (
            p2p_address,
            p2p.call_mut()
                .auction_step(0, AuctionRules::paper(), 10)
                .params()
                .exec_input()
                .encode(),
        ),
        (
            p2g_address,
            p2g.call_mut()
                .settle_batch(
                    key,
                    None,
                    vec![],
                    p2g::Terms {
                        tariff: market::Tariff::paper(),
                        grid_operator: caller,
                        metering: None,
                    },
                    true,
                )
                .params()
                .exec_input()
                .encode(),
        ),
        (
            p2g_address,
            p2g.call_mut()
                .reserve(key, caller, None, 10, caller, false)
                .params()
                .exec_input()
                .encode(),
        ),
        (
            p2g_address,
            p2g.call_mut()
                .refund(0, a(P1))
                .params()
                .exec_input()
                .encode(),
        ),
        (
            p2g_address,
            p2g.call_mut()
                .unseal(0, caller, [0; 32])
                .params()
                .exec_input()
                .encode(),
        ),
        (
            p2g_address,
            p2g.call_mut()
                .forfeit(0, caller, None, caller)
                .params()
                .exec_input()
                .encode(),
        ),
        (
            p2g_address,
            p2g.call_mut()
                .withdraw(caller)
                .params()
                .exec_input()
                .encode(),
        ),
        (
            p2g_address,
            p2g.call_mut().fund_grid().params().exec_input().encode(),
        ),
        (
            p2g_address,
            p2g.call_mut().pay_claims(10).params().exec_input().encode(),
        ),
    ];
    for (contract, input) in calls {
        let before = view(&mut market);
        let digest = market.state_digest();
        // A payable message refuses with `NotMain` and reverts; a message that is not
        // payable traps on the value before it runs. Either way nothing may change.
        match market.call_raw::<()>(&chain_account(&contract), &caller, 1_000, input) {
            Ok(outcome) => {
                assert!(outcome.reverted, "a direct call went through");
                assert!(outcome.events.is_empty(), "a direct call emitted events");
            }
            Err(HarnessError::Dispatch(why)) => assert!(why.contains("ContractTrapped"), "{why}"),
            Err(other) => panic!("{other}"),
        }
        assert_eq!(market.state_digest(), digest);
        assert_eq!(view(&mut market), before);
    }
}

/// Sealed refusals through main itself: a commitment beyond the offer cap (`BookFull`), and
/// reveals with a wrong price or a wrong salt (`CommitmentMismatch`), each with no state change.
#[test]
fn sealed_refusals_through_main() {
    let config = MarketConfig {
        limits: Limits {
            max_offers: 1,
            step_items: 250,
        },
        ..MarketConfig::sealed()
    };
    let mut market = registered_with(&config);
    let salt = [3; 32];
    let sealed = market::seal::commitment(
        &market.main_address(),
        &a(P1),
        0,
        Side::Sell,
        500,
        100_000,
        &salt,
    );
    // 500 Wh's bond: 50_000.
    ok(market
        .tx_paying(a(P1), 50_000, |main| main.commit(0, sealed))
        .unwrap());
    let other = market::seal::commitment(
        &market.main_address(),
        &a(P3),
        0,
        Side::Sell,
        500,
        100_000,
        &salt,
    );
    refused(&mut market, E::BookFull, |m| {
        m.tx_paying(a(P3), Sealing::DEFAULT.penalty, |main| {
            main.commit(0, other)
        })
    });
    market.set_time(START + HOUR);
    refused(&mut market, E::CommitmentMismatch, |m| {
        m.tx(a(P1), |main| main.reveal(0, Side::Sell, 500, 100_001, salt))
    });
    refused(&mut market, E::CommitmentMismatch, |m| {
        m.tx(a(P1), |main| {
            main.reveal(0, Side::Sell, 500, 100_000, [4; 32])
        })
    });
    ok(market
        .tx(a(P1), |main| main.reveal(0, Side::Sell, 500, 100_000, salt))
        .unwrap());
}

/// How one account's free balance changed over `f`, in units (drink's runtime charges a unit
/// per storage item and per byte, and no transaction fees).
fn balance_change(
    market: &mut MarketSandbox,
    account: u8,
    f: impl FnOnce(&mut MarketSandbox),
) -> i128 {
    let before = market.balance(a(account));
    f(market);
    let after = market.balance(a(account));
    i128::try_from(after).unwrap() - i128::try_from(before).unwrap()
}

/// Most the first close step may cost its caller in this runtime: the bytes of the clearing's
/// progress it adds to the book's header (106 for these rules), which the last step removes.
/// Here every later step costs nothing: under lowest-ask pricing the progress never grows (a
/// merit-order search stage is larger than the scan: the invariant run bounds the whole close).
const FIRST_STEP_BYTES: i128 = 120;

/// "Closing pays for itself." Before: whoever closed an interval paid the storage deposit of
/// every entry the close created (each offer's fill, trade, bill, monthly bill and credit entry,
/// the three results, the clearing's progress): closing interval 0 of this book one item at a
/// time cost its closer 1 801 units in this runtime, single steps up to 341. Now every offer's
/// own transaction creates, at full size, the entries its close will write
/// (`market::reserved`), and a close only writes over them: the closer pays no entry and gains
/// the deposits of the buyers' escrow entries it removes (51 units here), whether one account
/// closes the whole interval or several share its steps.
#[test]
fn closing_pays_for_itself() {
    let mut market = registered();
    let other_closer = 10;
    market.fund(a(other_closer)).unwrap();
    for interval in 0..2u64 {
        market.set_time(START + interval * HOUR + 5_000);
        // Sellers without a deposit in areas 0 and 1, buyers with theirs in areas 0 and 2, one
        // buyer whose limit is below the price (all from the grid), a seller left with a
        // residual for the grid.
        ok(market
            .tx(a(P1), |main| main.sell(interval, 1_000, 100_000))
            .unwrap());
        ok(market
            .tx(a(P3), |main| main.sell(interval, 2_000, 120_000))
            .unwrap());
        ok(market
            .tx_paying(a(P2), 200_000, |main| main.buy(interval, 600, None))
            .unwrap());
        ok(market
            .tx_paying(a(P5), 500_000, |main| main.buy(interval, 1_500, None))
            .unwrap());
        ok(market
            .tx_paying(a(P6), 250_000, |main| main.buy(interval, 700, Some(90_000)))
            .unwrap());
    }
    market.set_time(START + 2 * HOUR);

    // Interval 0: one closer, one item per step.
    let mut steps = Vec::new();
    let total = balance_change(&mut market, STRANGER, |market| loop {
        let mut closed = false;
        let change = balance_change(market, STRANGER, |market| {
            let step = ok(market
                .tx(a(STRANGER), |main| main.close_step(0, 1))
                .unwrap());
            closed = matches!(step.value, Ok(main::CloseProgress::Closed(_)));
        });
        steps.push(change);
        if closed {
            break;
        }
    });
    assert!(steps.len() > 10, "{} steps", steps.len());
    assert!(
        steps[0] >= -FIRST_STEP_BYTES,
        "the first step cost {}: {steps:?}",
        steps[0]
    );
    for (n, change) in steps.iter().enumerate().skip(1) {
        assert!(*change >= 0, "step {n} cost {change}: {steps:?}");
    }
    // The buyers' escrow entries go back to the closer, and the progress the last step
    // removes.
    assert!(
        total > 0,
        "closing interval 0 changed the closer's balance by {total}"
    );
    assert_eq!(total, steps.iter().sum::<i128>());

    // Interval 1: two closers take turns; neither pays for an entry, and together they gain.
    let mut shares = [0i128; 2];
    for turn in 0.. {
        let closer = [STRANGER, other_closer][turn % 2];
        let mut closed = false;
        let change = balance_change(&mut market, closer, |market| {
            let step = ok(market.tx(a(closer), |main| main.close_step(1, 1)).unwrap());
            closed = matches!(step.value, Ok(main::CloseProgress::Closed(_)));
        });
        let least = if turn == 0 { -FIRST_STEP_BYTES } else { 0 };
        assert!(change >= least, "turn {turn} cost {change}");
        shares[turn % 2] += change;
        if closed {
            break;
        }
    }
    assert!(shares.iter().sum::<i128>() > 0, "{shares:?}");

    // Both intervals are whole: every home withdraws, and p2g holds what its ledger says.
    withdraw_all(&mut market, &[P1, P2, P3, P5, P6]);
    let ledger = market.read_p2g(|p2g| p2g.ledger()).unwrap();
    assert_eq!(ledger.deposits, 0);
    assert_eq!(
        market.balance(market.p2g_address()),
        ledger.total() + market.existential_deposit()
    );
}
