//! The three real contracts, built by cargo-contract, in drink's runtime: a market over four
//! intervals with six participants in three areas, checked against hand-computed figures, and
//! every message's failure paths, each of which must leave every query's answer unchanged.
//!
//! Units: energy in Wh, prices per kWh, money in balance units; a value is
//! `Wh * price / 1000` rounded down. Tariff: `Tariff::paper()` (22:00 and 23:00 cost 280_000,
//! 00:00 and 01:00 are off-peak: 260_000 * 0.95 = 247_000).

use ink::{codegen::TraitCallBuilder, env::call::FromAccountId};
use main::Error as E;
use market::metering::{MeterStatus, Metering, Reading};
use market::{Bill, IntervalState, MarketConfig, PricingRule, Side, Tariff, Topology, Trade};
use market_drink::{chain_account, HarnessError, MarketEvent};

mod common;
use common::*;
use p2g::{IntervalKey, P2gRef};
use p2p::P2pRef;
use scale::Encode;

fn trade(seller: u8, buyer: u8, distance: u8, energy_wh: u64, price: u128, fee: u128) -> Trade {
    Trade {
        seller: a(seller),
        buyer: a(buyer),
        distance,
        energy_wh,
        price,
        payment: u128::from(energy_wh) * price / 1000,
        fee,
    }
}

fn traded(t: &Trade, interval: u64) -> MarketEvent {
    MarketEvent::TradeExecuted(p2p::TradeExecuted::new(interval, t.clone()))
}

fn grid_settled(
    interval: u64,
    n: u8,
    bought_wh: u64,
    paid: u128,
    sold_wh: u64,
    earned: u128,
) -> MarketEvent {
    MarketEvent::GridSettled(p2g::GridSettled {
        interval,
        account: a(n),
        bought_wh,
        paid,
        sold_wh,
        earned,
    })
}

#[test]
fn four_intervals_of_hybrid_trading() {
    let mut market = registered();
    assert_eq!(market.read(|main| main.participant_count()).unwrap(), 6);
    assert_eq!(market.read(|main| main.timing()).unwrap().start_ms, START);
    assert_eq!(market.read(|main| main.current_interval()).unwrap(), Ok(0));

    // Interval 0, 22:00 UTC, paper rules: lowest ask, no fee, grid price 280_000.
    ok(market
        .tx(a(P1), |main| main.sell(0, 1_000, 120_000))
        .unwrap());
    ok(market.tx(a(P3), |main| main.sell(0, 600, 100_000)).unwrap());
    ok(market.tx(a(P6), |main| main.sell(0, 300, 150_000)).unwrap());
    ok(market.buy_covered(a(P2), 0, 800, None).unwrap());
    ok(market.buy_covered(a(P5), 0, 100, None).unwrap());
    ok(market.buy_covered(a(P4), 0, 500, Some(90_000)).unwrap());
    let cancelled = ok(market.tx(a(P5), |main| main.cancel(0)).unwrap());
    assert_eq!(
        cancelled.events,
        vec![MarketEvent::OfferCancelled(main::OfferCancelled {
            interval: 0,
            account: a(P5)
        })]
    );
    let placed = ok(market.buy_covered(a(P5), 0, 1_200, None).unwrap());
    assert_eq!(
        placed.events,
        vec![MarketEvent::OfferAccepted(main::OfferAccepted {
            interval: 0,
            account: a(P5),
            side: Side::Buy,
            energy_wh: 1_200
        })]
    );
    assert_eq!(market.read(|main| main.offer_count(0)).unwrap(), 6);
    assert_eq!(
        market.read(|main| main.interval_state(0)).unwrap(),
        IntervalState::Open
    );

    // During interval 0 the operator switches to the merit-order rule and a 5_000 per kWh per
    // step network fee: from interval 1 on, never for the interval already open.
    let merit = MarketConfig {
        auction: market::AuctionRules {
            pricing: PricingRule::MarginalAsk,
            grid_fee_per_kwh_step: 5_000,
            ..market::AuctionRules::paper()
        },
        ..MarketConfig::paper()
    };
    let updated = ok(market
        .tx(a(OPERATOR), |main| main.update_config(merit.clone()))
        .unwrap());
    assert_eq!(
        updated.events,
        vec![MarketEvent::ConfigUpdated(main::ConfigUpdated {
            from_interval: 1
        })]
    );
    assert_eq!(market.read(|main| main.config()).unwrap(), merit);
    assert_eq!(
        market.read(|main| main.config_at(0)).unwrap(),
        MarketConfig::paper()
    );

    market.set_time(START + HOUR);
    assert_eq!(
        market.read(|main| main.interval_state(0)).unwrap(),
        IntervalState::Ended
    );
    let closed = ok(market.close_interval(a(STRANGER), 0).unwrap());
    // Price = lowest ask, P3's 100_000. P4's limit 90_000 is below it: P4 goes to the grid.
    // Distance 0: P2 takes 800 of P1's 1000; P5 (area 2) takes P6's 300.
    // Distance 1: P5 takes P3's 600. Distance 2: P5 takes P1's last 200; 100 Wh remain.
    let trades0 = vec![
        trade(P1, P2, 0, 800, 100_000, 0),
        trade(P6, P5, 0, 300, 100_000, 0),
        trade(P3, P5, 1, 600, 100_000, 0),
        trade(P1, P5, 2, 200, 100_000, 0),
    ];
    assert_eq!(market.trades(0).unwrap(), trades0);
    assert_eq!(
        market.trades_of(0, a(P1)).unwrap(),
        vec![trades0[0].clone(), trades0[3].clone()]
    );
    let result0 = main::IntervalResult {
        price: Some(100_000),
        p2p_volume_wh: 1_900,
        grid_import_wh: 600,
        grid_export_wh: 0,
        grid_price: 280_000,
        feed_in_price: 100_000,
        offers: 6,
        trades: 4,
    };
    assert_eq!(closed.value, Ok(result0.clone()));
    assert_eq!(
        market.read(|main| main.interval_result(0)).unwrap(),
        Some(result0)
    );
    // Grid: P4 500 Wh * 280_000 = 140_000; P5 100 Wh * 280_000 = 28_000.
    let mut expected_events: Vec<MarketEvent> = trades0.iter().map(|t| traded(t, 0)).collect();
    expected_events.push(grid_settled(0, P4, 500, 140_000, 0, 0));
    expected_events.push(grid_settled(0, P5, 100, 28_000, 0, 0));
    expected_events.push(MarketEvent::IntervalCleared(main::IntervalCleared {
        interval: 0,
        price: Some(100_000),
        p2p_volume_wh: 1_900,
        grid_import_wh: 600,
        grid_export_wh: 0,
    }));
    assert_eq!(closed.events, expected_events);
    assert_eq!(
        market.read(|main| main.bill(a(P5), 0)).unwrap(),
        Some(Bill {
            // 300 + 600 + 200 Wh at 100_000 = 30_000 + 60_000 + 20_000.
            p2p_bought_wh: 1_100,
            p2p_paid: 110_000,
            grid_bought_wh: 100,
            grid_paid: 28_000,
            ..Bill::default()
        })
    );
    assert_eq!(
        market.read(|main| main.bill(a(P1), 0)).unwrap(),
        Some(Bill {
            p2p_sold_wh: 1_000,
            p2p_earned: 100_000,
            ..Bill::default()
        })
    );
    assert_eq!(
        market.read(|main| main.bill(a(P4), 0)).unwrap(),
        Some(Bill {
            grid_bought_wh: 500,
            grid_paid: 140_000,
            ..Bill::default()
        })
    );
    assert_eq!(
        market.read(|main| main.interval_state(0)).unwrap(),
        IntervalState::Cleared
    );

    // Interval 1, 23:00, under the merit-order rule and the fee set during interval 0.
    assert_eq!(market.read(|main| main.config_at(1)).unwrap(), merit);
    ok(market.tx(a(P1), |main| main.sell(1, 500, 200_000)).unwrap());
    ok(market.tx(a(P3), |main| main.sell(1, 400, 90_000)).unwrap());
    ok(market
        .tx(a(P6), |main| main.sell(1, 1_000, 250_000))
        .unwrap());
    ok(market.buy_covered(a(P2), 1, 300, Some(220_000)).unwrap());
    ok(market.buy_covered(a(P4), 1, 600, None).unwrap());
    ok(market.buy_covered(a(P5), 1, 200, Some(100_000)).unwrap());
    market.set_time(START + 2 * HOUR);
    let closed = ok(market.close_interval(a(P2), 1).unwrap());
    // Candidates: 200_000 -> min(500 + 400, 300 + 600) = 900; 90_000 -> min(400, 1100) = 400;
    // 250_000 -> min(1900, 600) = 600. Price 200_000: P6 (250_000) and P5 (100_000) stay out.
    // Distance 0: P2 takes 300 of P1; P4 takes P3's 400. Distance 1: P4 takes P1's last 200,
    // fee 200 Wh * 5_000 * 1 step = 1_000.
    let trades1 = vec![
        trade(P1, P2, 0, 300, 200_000, 0),
        trade(P3, P4, 0, 400, 200_000, 0),
        trade(P1, P4, 1, 200, 200_000, 1_000),
    ];
    assert_eq!(market.trades(1).unwrap(), trades1);
    let result1 = main::IntervalResult {
        price: Some(200_000),
        p2p_volume_wh: 900,
        grid_import_wh: 200,
        grid_export_wh: 1_000,
        grid_price: 280_000,
        feed_in_price: 200_000,
        offers: 6,
        trades: 3,
    };
    assert_eq!(closed.value, Ok(result1));
    // Grid: P6's 1000 Wh fed in at the P2P price: 200_000; P5's 200 Wh at 280_000 = 56_000.
    let mut expected_events: Vec<MarketEvent> = trades1.iter().map(|t| traded(t, 1)).collect();
    expected_events.push(grid_settled(1, P6, 0, 0, 1_000, 200_000));
    expected_events.push(grid_settled(1, P5, 200, 56_000, 0, 0));
    expected_events.push(MarketEvent::IntervalCleared(main::IntervalCleared {
        interval: 1,
        price: Some(200_000),
        p2p_volume_wh: 900,
        grid_import_wh: 200,
        grid_export_wh: 1_000,
    }));
    assert_eq!(closed.events, expected_events);
    assert_eq!(
        market.read(|main| main.bill(a(P4), 1)).unwrap(),
        Some(Bill {
            p2p_bought_wh: 600,
            p2p_paid: 120_000,
            fees_paid: 1_000,
            ..Bill::default()
        })
    );

    // Interval 2, 2026-12-01 00:00 (off-peak, 247_000). P6 leaves the market.
    market.set_time(START + 2 * HOUR + 60_000);
    ok(market.tx(a(OPERATOR), |main| main.remove(a(P6))).unwrap());
    assert_eq!(market.read(|main| main.participant(a(P6))).unwrap(), None);
    assert_eq!(market.read(|main| main.participant_count()).unwrap(), 5);
    refused(&mut market, E::NotRegistered, |m| {
        m.tx(a(P6), |main| main.sell(2, 100, 100_000))
    });
    ok(market
        .tx(a(P3), |main| main.sell(2, 1_000, 80_000))
        .unwrap());
    ok(market.buy_covered(a(P5), 2, 700, None).unwrap());
    ok(market.buy_covered(a(P2), 2, 500, None).unwrap());
    market.set_time(START + 3 * HOUR);
    let closed = ok(market.close_interval(a(P3), 2).unwrap());
    // Price 80_000 (supply 1000, demand 1200). No seller shares an area with a buyer:
    // distance 1: P5 takes 700 (fee 3_500), P2 takes the last 300 (fee 1_500); P2's 200 Wh
    // residual costs 200 * 247_000 / 1000 = 49_400.
    assert_eq!(
        market.trades(2).unwrap(),
        vec![
            trade(P3, P5, 1, 700, 80_000, 3_500),
            trade(P3, P2, 1, 300, 80_000, 1_500)
        ]
    );
    assert_eq!(
        closed.value,
        Ok(main::IntervalResult {
            price: Some(80_000),
            p2p_volume_wh: 1_000,
            grid_import_wh: 200,
            grid_export_wh: 0,
            grid_price: 247_000,
            feed_in_price: 80_000,
            offers: 3,
            trades: 2,
        })
    );
    assert_eq!(closed.events.len(), 2 + 1 + 1);
    assert_eq!(closed.events[2], grid_settled(2, P2, 200, 49_400, 0, 0));

    // Interval 3 nobody traded in: closable all the same, grid price of 01:00, feed-in at the
    // floor since there was no P2P price.
    market.set_time(START + 4 * HOUR);
    let closed = ok(market.close_interval(a(STRANGER), 3).unwrap());
    assert_eq!(
        closed.value,
        Ok(main::IntervalResult {
            price: None,
            p2p_volume_wh: 0,
            grid_import_wh: 0,
            grid_export_wh: 0,
            grid_price: 247_000,
            feed_in_price: 80_000,
            offers: 0,
            trades: 0,
        })
    );

    // Monthly bills split at the UTC month boundary.
    // P5, November: P2P 1100 Wh for 110_000; grid 100 + 200 Wh for 28_000 + 56_000.
    assert_eq!(
        market
            .read(|main| main.monthly_bill(a(P5), NOVEMBER))
            .unwrap(),
        Some(Bill {
            p2p_bought_wh: 1_100,
            p2p_paid: 110_000,
            grid_bought_wh: 300,
            grid_paid: 84_000,
            ..Bill::default()
        })
    );
    // P5, December: 700 Wh at 80_000 = 56_000, fee 3_500.
    assert_eq!(
        market
            .read(|main| main.monthly_bill(a(P5), DECEMBER))
            .unwrap(),
        Some(Bill {
            p2p_bought_wh: 700,
            p2p_paid: 56_000,
            fees_paid: 3_500,
            ..Bill::default()
        })
    );
    // P1 sold 1000 + 500 Wh for 100_000 + 100_000 in November and nothing in December.
    assert_eq!(
        market
            .read(|main| main.monthly_bill(a(P1), NOVEMBER))
            .unwrap(),
        Some(Bill {
            p2p_sold_wh: 1_500,
            p2p_earned: 200_000,
            ..Bill::default()
        })
    );
    assert_eq!(
        market
            .read(|main| main.monthly_bill(a(P1), DECEMBER))
            .unwrap(),
        None
    );

    // Money is whole across all intervals: buyers' P2P payments equal sellers' P2P earnings,
    // and fees are what the trades say.
    let mut paid = 0u128;
    let mut earned = 0u128;
    let mut fees = 0u128;
    for (n, _) in PARTICIPANTS {
        for month in [NOVEMBER, DECEMBER] {
            if let Some(bill) = market.read(|main| main.monthly_bill(a(n), month)).unwrap() {
                paid += bill.p2p_paid;
                earned += bill.p2p_earned;
                fees += bill.fees_paid;
            }
        }
    }
    assert_eq!(paid, earned);
    // Interval 0: 80_000 + 30_000 + 60_000 + 20_000; 1: 60_000 + 80_000 + 40_000; 2: 56_000 + 24_000.
    assert_eq!(paid, 190_000 + 180_000 + 80_000);
    assert_eq!(fees, 1_000 + 3_500 + 1_500);
}

#[test]
fn operator_messages_refuse_bad_input() {
    let mut market = registered();
    refused(&mut market, E::NotOperator, |m| {
        m.tx(a(P1), |main| main.register(a(STRANGER), 0, None))
    });
    refused(&mut market, E::UnknownArea, |m| {
        m.tx(a(OPERATOR), |main| main.register(a(STRANGER), 3, None))
    });
    refused(&mut market, E::AlreadyRegistered, |m| {
        m.tx(a(OPERATOR), |main| main.register(a(P1), 1, None))
    });
    refused(&mut market, E::NotOperator, |m| {
        m.tx(a(P1), |main| main.remove(a(P2)))
    });
    refused(&mut market, E::NotRegistered, |m| {
        m.tx(a(OPERATOR), |main| main.remove(a(STRANGER)))
    });
    refused(&mut market, E::NotOperator, |m| {
        m.tx(a(P1), |main| main.update_config(MarketConfig::paper()))
    });
    let inverted = MarketConfig {
        tariff: Tariff {
            min_price: 500_000,
            ..Tariff::paper()
        },
        ..MarketConfig::paper()
    };
    refused(&mut market, E::InvalidTariff, |m| {
        m.tx(a(OPERATOR), |main| main.update_config(inverted))
    });
    let no_areas = MarketConfig {
        auction: market::AuctionRules {
            topology: Topology::Line { areas: 0 },
            ..market::AuctionRules::paper()
        },
        ..MarketConfig::paper()
    };
    refused(&mut market, E::InvalidTopology, |m| {
        m.tx(a(OPERATOR), |main| main.update_config(no_areas))
    });
    let quarter_hours = MarketConfig {
        interval_ms: HOUR / 4,
        ..MarketConfig::paper()
    };
    refused(&mut market, E::InvalidInterval, |m| {
        m.tx(a(OPERATOR), |main| main.update_config(quarter_hours))
    });
    for limits in [
        market::Limits {
            max_offers: 0,
            ..market::Limits::DEFAULT
        },
        market::Limits {
            step_items: 0,
            ..market::Limits::DEFAULT
        },
    ] {
        let config = MarketConfig {
            limits,
            ..MarketConfig::paper()
        };
        refused(&mut market, E::InvalidLimits, |m| {
            m.tx(a(OPERATOR), |main| main.update_config(config))
        });
    }
    assert_eq!(
        market.read(|main| main.grid_price(24)).unwrap(),
        Err(E::InvalidTariff)
    );
    assert_eq!(
        market.read(|main| main.grid_price(18)).unwrap(),
        Ok(384_000)
    );
}

#[test]
fn participant_messages_refuse_bad_input() {
    let mut market = registered();
    ok(market
        .tx(a(P1), |main| main.sell(0, 1_000, 100_000))
        .unwrap());
    ok(market.buy_covered(a(P2), 0, 1_000, None).unwrap());

    refused(&mut market, E::NotRegistered, |m| {
        m.tx(a(STRANGER), |main| main.sell(0, 100, 100_000))
    });
    refused(&mut market, E::ZeroEnergy, |m| {
        m.tx(a(P3), |main| main.sell(0, 0, 100_000))
    });
    refused(&mut market, E::PriceOutOfBounds, |m| {
        m.tx(a(P3), |main| main.sell(0, 100, 79_999))
    });
    refused(&mut market, E::PriceOutOfBounds, |m| {
        m.tx(a(P3), |main| main.sell(0, 100, 400_001))
    });
    refused(&mut market, E::IntervalNotOpen, |m| {
        m.tx(a(P3), |main| main.sell(1, 100, 100_000))
    });
    refused(&mut market, E::OfferExists, |m| {
        m.tx(a(P1), |main| main.sell(0, 100, 100_000))
    });
    refused(&mut market, E::OfferExists, |m| {
        m.buy_covered(a(P1), 0, 100, None)
    });
    refused(&mut market, E::NotRegistered, |m| {
        m.buy_covered(a(STRANGER), 0, 100, None)
    });
    refused(&mut market, E::ZeroEnergy, |m| {
        m.buy_covered(a(P4), 0, 0, None)
    });
    refused(&mut market, E::IntervalNotOpen, |m| {
        m.buy_covered(a(P4), 7, 100, None)
    });
    refused(&mut market, E::NoOffer, |m| {
        m.tx(a(P4), |main| main.cancel(0))
    });
    refused(&mut market, E::NotRegistered, |m| {
        m.tx(a(STRANGER), |main| main.cancel(0))
    });
    refused(&mut market, E::IntervalNotOpen, |m| {
        m.tx(a(P1), |main| main.cancel(1))
    });
    refused(&mut market, E::IntervalNotEnded, |m| {
        m.close_interval(a(P1), 0)
    });
    refused(&mut market, E::IntervalNotEnded, |m| {
        m.close_interval(a(P1), 5)
    });
    refused(&mut market, E::IntervalNotEnded, |m| {
        m.tx(a(P1), |main| main.close_step(0, 10))
    });
    refused(&mut market, E::ZeroBudget, |m| {
        m.tx(a(P1), |main| main.close_step(0, 0))
    });

    market.set_time(START + HOUR);
    // Offers for the ended interval 0 are late now.
    refused(&mut market, E::IntervalNotOpen, |m| {
        m.tx(a(P3), |main| main.sell(0, 100, 100_000))
    });
    refused(&mut market, E::IntervalNotOpen, |m| {
        m.tx(a(P1), |main| main.cancel(0))
    });
    ok(market.close_interval(a(P1), 0).unwrap());
    refused(&mut market, E::AlreadyCleared, |m| {
        m.close_interval(a(P1), 0)
    });
    refused(&mut market, E::AlreadyCleared, |m| {
        m.close_interval(a(P2), 0)
    });
    refused(&mut market, E::AlreadyCleared, |m| {
        m.tx(a(P2), |main| main.close_step(0, 10))
    });
}

#[test]
fn a_full_book_refuses_more_offers() {
    let one_offer = MarketConfig {
        limits: market::Limits {
            max_offers: 1,
            ..market::Limits::DEFAULT
        },
        ..MarketConfig::paper()
    };
    let mut market = deploy(&one_offer).unwrap();
    for (n, area) in PARTICIPANTS {
        ok(market
            .tx(a(OPERATOR), |main| main.register(a(n), area, None))
            .unwrap());
    }
    ok(market.tx(a(P1), |main| main.sell(0, 100, 100_000)).unwrap());
    refused(&mut market, E::BookFull, |m| {
        m.buy_covered(a(P2), 0, 100, None)
    });
    refused(&mut market, E::BookFull, |m| {
        m.tx(a(P3), |main| main.sell(0, 100, 100_000))
    });
    // A cancel frees the place.
    ok(market.tx(a(P1), |main| main.cancel(0)).unwrap());
    ok(market.buy_covered(a(P2), 0, 100, None).unwrap());
}

#[test]
fn p2p_and_p2g_answer_only_to_main() {
    let mut market = registered();
    ok(market
        .tx(a(P1), |main| main.sell(0, 1_000, 100_000))
        .unwrap());
    let before = view(&mut market);
    let p2p_address = market.p2p_address();
    let p2g_address = market.p2g_address();
    let mut p2p =
        <P2pRef as FromAccountId<ink::env::DefaultEnvironment>>::from_account_id(p2p_address);
    let mut p2g =
        <P2gRef as FromAccountId<ink::env::DefaultEnvironment>>::from_account_id(p2g_address);
    // Each direct call, decoded with the message's exact return type, is refused with the
    // callee's typed `NotMain`, reverts and changes nothing.
    let place = p2p
        .call_mut()
        .place(
            0,
            market::Offer {
                account: a(P2),
                area: 0,
                side: Side::Buy,
                energy_wh: 1,
                price: 1,
            },
            10,
            market::Priority::Submission,
        )
        .params()
        .exec_input()
        .encode();
    let outcome = market
        .call_raw::<Result<(), p2p::Error>>(&chain_account(&p2p_address), &a(P2), 0, place)
        .unwrap();
    assert_eq!(
        (outcome.value, outcome.reverted),
        (Err(p2p::Error::NotMain), true)
    );
    let cancel = p2p
        .call_mut()
        .cancel(0, a(P1), None)
        .params()
        .exec_input()
        .encode();
    let outcome = market
        .call_raw::<Result<bool, p2p::Error>>(&chain_account(&p2p_address), &a(P1), 0, cancel)
        .unwrap();
    assert_eq!(
        (outcome.value, outcome.reverted),
        (Err(p2p::Error::NotMain), true)
    );
    let clear = p2p
        .call_mut()
        .auction_step(0, market::AuctionRules::paper(), 100)
        .params()
        .exec_input()
        .encode();
    let outcome = market
        .call_raw::<Result<p2p::AuctionStep, p2p::Error>>(
            &chain_account(&p2p_address),
            &a(P1),
            0,
            clear,
        )
        .unwrap();
    assert_eq!(
        (outcome.value, outcome.reverted),
        (Err(p2p::Error::NotMain), true)
    );
    let key = IntervalKey {
        index: 0,
        hour: 22,
        month: NOVEMBER,
    };
    let settle = p2g
        .call_mut()
        .settle_batch(
            key,
            None,
            vec![],
            p2g::Terms {
                tariff: Tariff::paper(),
                grid_operator: a(P1),
                metering: None,
            },
            true,
        )
        .params()
        .exec_input()
        .encode();
    let outcome = market
        .call_raw::<Result<p2g::GridResult, p2g::Error>>(
            &chain_account(&p2g_address),
            &a(P1),
            0,
            settle,
        )
        .unwrap();
    assert_eq!(
        (outcome.value, outcome.reverted),
        (Err(p2g::Error::NotMain), true)
    );
    // p2g's money messages: nobody but main may reserve, refund, unseal, forfeit, pay out or
    // fund, whatever value comes with the call.
    let caller = a(P1);
    let refusals = [
        market
            .call_p2g::<Result<(), p2g::Error>, _, _>(caller, |p2g| {
                p2g.call_mut().reserve(key, caller, None, 10, caller, true)
            })
            .unwrap()
            .value,
        market
            .call_p2g::<Result<bool, p2g::Error>, _, _>(caller, |p2g| {
                p2g.call_mut().refund(0, caller)
            })
            .unwrap()
            .value
            .map(|_| ()),
        market
            .call_p2g::<Result<u128, p2g::Error>, _, _>(caller, |p2g| {
                p2g.call_mut().unseal(0, caller, [0; 32])
            })
            .unwrap()
            .value
            .map(|_| ()),
        market
            .call_p2g::<Result<u128, p2g::Error>, _, _>(caller, |p2g| {
                p2g.call_mut().forfeit(0, caller, None, caller)
            })
            .unwrap()
            .value
            .map(|_| ()),
        market
            .call_p2g::<Result<u128, p2g::Error>, _, _>(caller, |p2g| {
                p2g.call_mut().withdraw(caller)
            })
            .unwrap()
            .value
            .map(|_| ()),
        market
            .call_p2g::<Result<u128, p2g::Error>, _, _>(caller, |p2g| p2g.call_mut().fund_grid())
            .unwrap()
            .value
            .map(|_| ()),
        market
            .call_p2g::<Result<MeterStatus, p2g::Error>, _, _>(caller, |p2g| {
                let reading = Reading {
                    delivered_wh: 0,
                    consumed_wh: 1,
                };
                p2g.call_mut()
                    .meter(key, vec![(caller, reading)], Metering::DEFAULT, caller)
            })
            .unwrap()
            .value
            .map(|_| ()),
        market
            .call_p2g::<Result<MeterStatus, p2g::Error>, _, _>(caller, |p2g| {
                p2g.call_mut()
                    .settle_missing(key, vec![caller], 1, Metering::DEFAULT, caller)
            })
            .unwrap()
            .value
            .map(|_| ()),
    ];
    for refusal in refusals {
        assert_eq!(refusal, Err(p2g::Error::NotMain));
    }
    assert_eq!(view(&mut market), before);
}

#[test]
fn deployment_refuses_an_invalid_configuration() {
    let zero_interval = MarketConfig {
        interval_ms: 0,
        ..MarketConfig::paper()
    };
    match deploy(&zero_interval) {
        Err(HarnessError::Deploy(why)) => assert!(why.contains("InvalidInterval"), "{why}"),
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("a zero interval must be refused"),
    }
}
