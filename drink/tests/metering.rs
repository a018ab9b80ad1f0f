//! Metered settlement through the real contracts: offers are forecasts, meters report what
//! flowed, and deviations are settled with the grid after the close. Three intervals with every
//! kind of deviation (a seller short and one long, a buyer over and one under, a home that
//! exported and imported, missing readings of a buyer and of a seller), with exact bonds,
//! bills, credits and events, and every refusal of the new messages.
//!
//! The homes' connections carry 5 000 Wh each way per interval. The market runs
//! `Metering::DEFAULT` (readings for 15 minutes after the close, shortfalls at 1.5 times the
//! grid price, excess at half the feed-in price, a missing reading as nothing delivered) with a
//! metering operator; P1 has a meter account of its own. Money in balance units.
//!
//! - Interval 0, 22:00 UTC: grid 280 000 per kWh, imbalance price 420 000; feed-in at the P2P
//!   price 100 000, imbalance feed-in 50 000.
//! - Interval 1, 23:00: grid 280 000, imbalance 420 000; P2P price 90 000, imbalance feed-in
//!   45 000.
//! - Interval 2, 00:00 on 1 December: off-peak grid 247 000, imbalance 370 500.

use main::Error as E;
use market::metering::{MeterStatus, Metering, Reading, MAX_SETTLEMENTS_PER_CALL};
use market::{Bill, Capacity, MarketConfig, Side};
use market_drink::{MarketEvent, MarketSandbox};

mod common;
use common::*;

/// The market's metering operator: submits the readings of homes without a meter of their own.
const METER_OP: u8 = 10;
/// P1's own meter account.
const METER1: u8 = 11;
const CONNECTION: Capacity = Capacity {
    export_wh: 5_000,
    import_wh: 5_000,
};

fn metered_config() -> MarketConfig {
    MarketConfig {
        metering: Some(Metering {
            operator: Some(a(METER_OP)),
            ..Metering::DEFAULT
        }),
        ..MarketConfig::paper()
    }
}

fn metered_market() -> MarketSandbox {
    let mut market = community_with(&metered_config(), Some(CONNECTION));
    market.fund(a(METER_OP)).unwrap();
    market.fund(a(METER1)).unwrap();
    ok(market
        .tx(a(OPERATOR), |main| main.set_meter(a(P1), Some(a(METER1))))
        .unwrap());
    market
}

fn read(delivered_wh: u64, consumed_wh: u64) -> Reading {
    Reading {
        delivered_wh,
        consumed_wh,
    }
}

fn bond(market: &mut MarketSandbox, interval: u64, n: u8, side: Side, energy_wh: u64) -> u128 {
    market
        .read(|main| main.imbalance_bond(interval, a(n), side, energy_wh))
        .unwrap()
        .unwrap()
}

fn credit(market: &mut MarketSandbox, n: u8) -> u128 {
    market.read(|main| main.credit_of(a(n))).unwrap()
}

fn bill(market: &mut MarketSandbox, n: u8, interval: u64) -> Bill {
    market
        .read(|main| main.bill(a(n), interval))
        .unwrap()
        .unwrap()
}

fn status(market: &mut MarketSandbox, interval: u64) -> MeterStatus {
    market
        .read(|main| main.metering_status(interval))
        .unwrap()
        .unwrap()
}

fn settled(
    interval: u64,
    n: u8,
    (short_wh, long_wh): (u64, u64),
    (charge, credit): (u128, u128),
    defaulted: bool,
) -> MarketEvent {
    MarketEvent::ImbalanceSettled(p2g::ImbalanceSettled {
        interval,
        account: a(n),
        short_wh,
        long_wh,
        charge,
        credit,
        defaulted,
    })
}

fn metered(interval: u64, n: u8, reading: Reading) -> MarketEvent {
    MarketEvent::Metered(p2g::Metered {
        interval,
        account: a(n),
        delivered_wh: reading.delivered_wh,
        consumed_wh: reading.consumed_wh,
    })
}

/// The p2g contract holds exactly what its ledger says.
fn balanced(market: &mut MarketSandbox) {
    let ledger = market.read_p2g(|p2g| p2g.ledger()).unwrap();
    let held = market.balance(market.p2g_address());
    // p2g's balance also carries the storage deposits of its entries and its existential
    // deposit, which the ledger does not count.
    assert!(held >= ledger.total(), "{held} < {ledger:?}");
}

#[test]
fn three_intervals_settle_every_deviation_against_the_meters() {
    let mut market = metered_market();
    // ---- Interval 0 ----
    // Bonds: the worst shortfall within a 5 000 Wh connection at 420 000 per kWh.
    assert_eq!(bond(&mut market, 0, P1, Side::Sell, 1_000), 2_520_000);
    assert_eq!(bond(&mut market, 0, P3, Side::Sell, 600), 2_352_000);
    assert_eq!(bond(&mut market, 0, P2, Side::Buy, 800), 1_764_000);
    assert_eq!(bond(&mut market, 0, P5, Side::Buy, 1_200), 1_596_000);
    refused(&mut market, E::DepositTooLow, |m| {
        m.tx_paying(a(P1), 2_519_999, |main| main.sell(0, 1_000, 120_000))
    });
    ok(market
        .tx_paying(a(P1), 2_520_000, |main| main.sell(0, 1_000, 120_000))
        .unwrap());
    ok(market
        .tx_paying(a(P3), 2_352_000, |main| main.sell(0, 600, 100_000))
        .unwrap());
    // A buy deposits its cover (800 Wh at 280 000) and its bond.
    refused(&mut market, E::DepositTooLow, |m| {
        m.tx_paying(a(P2), 1_987_999, |main| main.buy(0, 800, None))
    });
    ok(market
        .tx_paying(a(P2), 1_988_000, |main| main.buy(0, 800, None))
        .unwrap());
    ok(market
        .tx_paying(a(P5), 1_932_000, |main| main.buy(0, 1_200, Some(150_000)))
        .unwrap());
    // Not closed yet: nothing to meter.
    market.set_time(START + HOUR);
    refused(&mut market, E::NotCleared, |m| {
        m.tx(a(METER_OP), |main| {
            main.submit_readings(0, vec![(a(P2), read(0, 950))])
        })
    });
    refused(&mut market, E::NotCleared, |m| {
        m.tx(a(STRANGER), |main| main.settle_imbalances(0))
    });

    market.set_time(START + HOUR + 1_000);
    let result = ok(market.close_interval(a(P4), 0).unwrap()).value.unwrap();
    assert_eq!((result.price, result.p2p_volume_wh), (Some(100_000), 1_600));
    // Nothing is credited to the homes before their imbalances: it is held. The grid operator
    // has its 400 Wh at 280 000.
    for n in [P1, P2, P3, P5] {
        assert_eq!(credit(&mut market, n), 0);
    }
    assert_eq!(credit(&mut market, OPERATOR), 112_000);
    let held = |market: &mut MarketSandbox, n: u8| {
        let escrow = market
            .read_p2g(|p2g| p2g.escrow_of(a(n), 0))
            .unwrap()
            .unwrap();
        assert!(escrow.held);
        escrow.deposit
    };
    // Bond plus earnings; deposit less the bill.
    assert_eq!(held(&mut market, P1), 2_520_000 + 100_000);
    assert_eq!(held(&mut market, P3), 2_352_000 + 60_000);
    assert_eq!(held(&mut market, P2), 1_988_000 - 80_000);
    assert_eq!(held(&mut market, P5), 1_932_000 - 80_000 - 112_000);
    let deadline = START + HOUR + 1_000 + 900_000;
    assert_eq!(status(&mut market, 0), MeterStatus::new(4, deadline));

    market.set_time(START + HOUR + 2_000);
    // P1's reading is its own meter's: the metering operator may not submit it.
    refused(&mut market, E::NotMeter, |m| {
        m.tx(a(METER_OP), |main| {
            main.submit_readings(0, vec![(a(P1), read(700, 0))])
        })
    });
    refused(&mut market, E::NotMeter, |m| {
        m.tx(a(STRANGER), |main| {
            main.submit_readings(0, vec![(a(P2), read(0, 950))])
        })
    });
    refused(&mut market, E::NoReadings, |m| {
        m.tx(a(METER_OP), |main| main.submit_readings(0, vec![]))
    });
    let too_many = vec![(a(P2), read(0, 1)); MAX_SETTLEMENTS_PER_CALL as usize + 1];
    refused(&mut market, E::TooManyReadings, |m| {
        m.tx(a(METER_OP), |main| main.submit_readings(0, too_many))
    });
    refused(&mut market, E::NotRegistered, |m| {
        m.tx(a(METER_OP), |main| {
            main.submit_readings(0, vec![(a(STRANGER), read(0, 1))])
        })
    });
    refused(&mut market, E::ReadingAboveCapacity, |m| {
        m.tx(a(METER_OP), |main| {
            main.submit_readings(0, vec![(a(P2), read(0, 5_001))])
        })
    });
    refused(&mut market, E::ReadingAboveCapacity, |m| {
        m.tx(a(METER1), |main| {
            main.submit_readings(0, vec![(a(P1), read(5_001, 0))])
        })
    });
    // P4 made no offer in interval 0.
    refused(&mut market, E::NoPosition, |m| {
        m.tx(a(METER_OP), |main| {
            main.submit_readings(0, vec![(a(P4), read(0, 10))])
        })
    });
    // The same home twice in one batch: all or nothing.
    refused(&mut market, E::DuplicateReading, |m| {
        m.tx(a(METER_OP), |main| {
            main.submit_readings(0, vec![(a(P2), read(0, 950)), (a(P2), read(0, 900))])
        })
    });
    // Missing readings wait for the deadline.
    refused(&mut market, E::MeteringOpen, |m| {
        m.tx(a(STRANGER), |main| main.settle_imbalances(0))
    });

    // P1 sold 1 000 Wh and delivered 700: it buys the 300 Wh its buyers got from the grid at
    // 420 000 per kWh, 126 000, out of what is held.
    let outcome = ok(market
        .tx(a(METER1), |main| {
            main.submit_readings(0, vec![(a(P1), read(700, 0))])
        })
        .unwrap());
    assert_eq!(
        outcome.events,
        vec![
            metered(0, P1, read(700, 0)),
            settled(0, P1, (300, 0), (126_000, 0), false)
        ]
    );
    assert_eq!(credit(&mut market, P1), 2_620_000 - 126_000);
    refused(&mut market, E::DuplicateReading, |m| {
        m.tx(a(METER1), |main| {
            main.submit_readings(0, vec![(a(P1), read(1_000, 0))])
        })
    });
    // P3 sold 600 and delivered 750: 150 Wh at 50 000, 7 500, out of the grid deposit. P2
    // bought 800 and consumed 950: 150 Wh at 420 000, 63 000.
    let grid_deposit = market.read_p2g(|p2g| p2g.ledger()).unwrap().grid_deposit;
    let outcome = ok(market
        .tx(a(METER_OP), |main| {
            main.submit_readings(0, vec![(a(P3), read(750, 0)), (a(P2), read(0, 950))])
        })
        .unwrap());
    assert_eq!(
        outcome.events,
        vec![
            metered(0, P3, read(750, 0)),
            settled(0, P3, (0, 150), (0, 7_500), false),
            metered(0, P2, read(0, 950)),
            settled(0, P2, (150, 0), (63_000, 0), false),
        ]
    );
    let after = outcome.value.unwrap();
    assert_eq!((after.metered, after.defaulted, after.positions), (3, 0, 4));
    assert_eq!(
        market.read_p2g(|p2g| p2g.ledger()).unwrap().grid_deposit,
        grid_deposit - 7_500
    );
    assert_eq!(credit(&mut market, P3), 2_412_000 + 7_500);
    assert_eq!(credit(&mut market, P2), 1_908_000 - 63_000);
    assert_eq!(
        market.read_p2g(|p2g| p2g.reading(a(P2), 0)).unwrap(),
        Some(read(0, 950))
    );
    // The bills carry the imbalance lines; cleared + imbalance = metered.
    let p1 = bill(&mut market, P1, 0);
    assert_eq!((p1.p2p_sold_wh, p1.p2p_earned), (1_000, 100_000));
    assert_eq!((p1.imbalance_short_wh, p1.imbalance_paid), (300, 126_000));
    let p3 = bill(&mut market, P3, 0);
    assert_eq!((p3.imbalance_long_wh, p3.imbalance_earned), (150, 7_500));
    assert_eq!(p3.p2p_sold_wh + p3.imbalance_long_wh, 750);

    // ---- Interval 1: both directions at one meter, and a buyer under its purchase ----
    ok(market
        .tx_paying(a(P6), 2_310_000, |main| main.sell(1, 500, 90_000))
        .unwrap());
    ok(market
        .tx_paying(a(P4), 2_058_000, |main| main.buy(1, 300, None))
        .unwrap());

    // Interval 0's deadline passes with P5's reading missing.
    market.set_time(deadline - 1);
    refused(&mut market, E::MeteringOpen, |m| {
        m.tx(a(STRANGER), |main| main.settle_imbalances(0))
    });
    market.set_time(deadline);
    refused(&mut market, E::MeteringClosed, |m| {
        m.tx(a(METER_OP), |main| {
            main.submit_readings(0, vec![(a(P5), read(0, 1_200))])
        })
    });
    // A missing buyer's reading is taken as consuming what it bought: no imbalance.
    let outcome = ok(market
        .tx(a(STRANGER), |main| main.settle_imbalances(0))
        .unwrap());
    assert_eq!(outcome.events, vec![settled(0, P5, (0, 0), (0, 0), true)]);
    let done = outcome.value.unwrap();
    assert!(done.complete());
    assert_eq!(
        (done.short_wh, done.long_wh, done.charges, done.credits),
        (450, 150, 189_000, 7_500)
    );
    assert_eq!(credit(&mut market, P5), 1_740_000);
    assert_eq!(credit(&mut market, OPERATOR), 112_000 + 126_000 + 63_000);
    refused(&mut market, E::ImbalancesSettled, |m| {
        m.tx(a(STRANGER), |main| main.settle_imbalances(0))
    });
    refused(&mut market, E::MeteringClosed, |m| {
        m.tx(a(METER_OP), |main| {
            main.submit_readings(0, vec![(a(P5), read(0, 1))])
        })
    });

    market.set_time(START + 2 * HOUR);
    refused(&mut market, E::NotCleared, |m| {
        m.tx(a(METER_OP), |main| {
            main.submit_readings(1, vec![(a(P4), read(0, 200))])
        })
    });
    ok(market.close_interval(a(STRANGER), 1).unwrap());
    // P6 sold 500 (300 to P4 at 90 000, 200 fed in at 90 000) and its meter saw 400 out and
    // 100 in: net 300, short 200 at 420 000 = 84 000. P4 bought 300 and used 200: 100 Wh back
    // at 45 000 = 4 500.
    let outcome = ok(market
        .tx(a(METER_OP), |main| {
            main.submit_readings(1, vec![(a(P6), read(400, 100)), (a(P4), read(0, 200))])
        })
        .unwrap());
    assert_eq!(
        outcome.events,
        vec![
            metered(1, P6, read(400, 100)),
            settled(1, P6, (200, 0), (84_000, 0), false),
            metered(1, P4, read(0, 200)),
            settled(1, P4, (0, 100), (0, 4_500), false),
        ]
    );
    // Every reading in: complete before the deadline, nothing left to sweep.
    assert!(outcome.value.unwrap().complete());
    refused(&mut market, E::ImbalancesSettled, |m| {
        m.tx(a(STRANGER), |main| main.settle_imbalances(1))
    });
    assert_eq!(
        credit(&mut market, P6),
        2_310_000 + 27_000 + 18_000 - 84_000
    );
    assert_eq!(credit(&mut market, P4), 2_058_000 - 27_000 + 4_500);

    // ---- Interval 2: a seller that sold energy it never delivered ----
    ok(market
        .tx_paying(a(P1), 2_223_000, |main| main.sell(2, 1_000, 100_000))
        .unwrap());
    ok(market
        .tx_paying(a(P2), 1_729_000, |main| main.buy(2, 1_000, None))
        .unwrap());
    market.set_time(START + 3 * HOUR);
    ok(market.close_interval(a(STRANGER), 2).unwrap());
    let before = credit(&mut market, P1);
    market.set_time(START + 3 * HOUR + 900_000);
    let outcome = ok(market
        .tx(a(STRANGER), |main| main.settle_imbalances(2))
        .unwrap());
    // Its reading is missing: nothing delivered, the whole 1 000 Wh bought back at 370 500.
    assert_eq!(
        outcome.events,
        vec![
            settled(2, P1, (1_000, 0), (370_500, 0), true),
            settled(2, P2, (0, 0), (0, 0), true),
        ]
    );
    // It earned 100 000 from P2 and paid 370 500: selling what it did not have cost it.
    assert_eq!(
        credit(&mut market, P1) - before,
        2_223_000 + 100_000 - 370_500
    );
    let p1 = bill(&mut market, P1, 2);
    assert!(p1.total_paid() > p1.total_earned());

    // The monthly bills carry the imbalance lines of their intervals.
    let november = market
        .read(|main| main.monthly_bill(a(P1), NOVEMBER))
        .unwrap()
        .unwrap();
    assert_eq!(
        (november.imbalance_short_wh, november.imbalance_paid),
        (300, 126_000)
    );
    let december = market
        .read(|main| main.monthly_bill(a(P1), DECEMBER))
        .unwrap()
        .unwrap();
    assert_eq!(
        (december.p2p_earned, december.imbalance_paid),
        (100_000, 370_500)
    );

    // Nothing is held any more, and every credit is withdrawable.
    let ledger = market.read_p2g(|p2g| p2g.ledger()).unwrap();
    assert_eq!(ledger.deposits, 0);
    balanced(&mut market);
    for n in [P1, P2, P3, P4, P5, P6, OPERATOR] {
        ok(market.tx(a(n), |main| main.withdraw()).unwrap());
    }
    let ledger = market.read_p2g(|p2g| p2g.ledger()).unwrap();
    assert_eq!((ledger.credits, ledger.deposits, ledger.claims), (0, 0, 0));
}

#[test]
fn metering_messages_refuse_what_they_must() {
    // A market without metering.
    let mut paper = registered();
    ok(paper.tx(a(P1), |main| main.sell(0, 500, 100_000)).unwrap());
    paper.set_time(START + HOUR);
    ok(paper.close_interval(a(P1), 0).unwrap());
    refused(&mut paper, E::NotMetered, |m| {
        m.tx(a(P1), |main| {
            main.submit_readings(0, vec![(a(P1), read(500, 0))])
        })
    });
    refused(&mut paper, E::NotMetered, |m| {
        m.tx(a(P1), |main| main.settle_imbalances(0))
    });
    assert_eq!(paper.read(|main| main.metering_status(0)).unwrap(), None);
    assert_eq!(
        paper
            .read(|main| main.imbalance_bond(0, a(P1), Side::Sell, 500))
            .unwrap(),
        Ok(0)
    );

    let mut market = metered_market();
    refused(&mut market, E::NotOperator, |m| {
        m.tx(a(P1), |main| main.set_meter(a(P1), Some(a(P1))))
    });
    refused(&mut market, E::NotRegistered, |m| {
        m.tx(a(OPERATOR), |main| main.set_meter(a(STRANGER), Some(a(P1))))
    });
    assert_eq!(
        market
            .read(|main| main.imbalance_bond(0, a(STRANGER), Side::Sell, 500))
            .unwrap(),
        Err(E::NotRegistered)
    );
    for bad in [
        Metering {
            imbalance_bps: 10_000,
            ..Metering::DEFAULT
        },
        Metering {
            window_ms: 0,
            ..Metering::DEFAULT
        },
        Metering {
            feed_in_bps: 10_001,
            ..Metering::DEFAULT
        },
    ] {
        let config = MarketConfig {
            metering: Some(bad),
            ..MarketConfig::paper()
        };
        refused(&mut market, E::InvalidMetering, |m| {
            m.tx(a(OPERATOR), |main| main.update_config(config))
        });
    }
    // The operator can take P1's meter back to the metering operator.
    ok(market
        .tx(a(OPERATOR), |main| main.set_meter(a(P1), None))
        .unwrap());
    assert_eq!(
        market
            .read(|main| main.participant(a(P1)))
            .unwrap()
            .unwrap()
            .meter,
        None
    );
}
