//! What the drink test files share: the community of six homes in three areas, deployment,
//! and `refused`, which proves that a failed call reverted, emitted nothing and changed no
//! contract's storage, no query's answer and no balance.

#![allow(dead_code)] // Each test file uses its own part.

use ink::primitives::AccountId;
use main::Error as E;
use market::{Bill, Capacity, IntervalState, MarketConfig, Trade};
use market_drink::{
    actor, Bundles, Community, HarnessError, Home, MainOutcome, MarketEvent, MarketSandbox,
};

/// 2026-11-30T22:00:00Z: intervals 0 and 1 fall in November, 2 and 3 in December.
pub const START: u64 = 1_796_076_000_000;
pub const HOUR: u64 = 3_600_000;
pub const NOVEMBER: u32 = 202_611;
pub const DECEMBER: u32 = 202_612;
/// What the operator puts in the grid deposit at deployment: pays feed-in.
pub const GRID_FUNDS: u128 = 1_000_000_000;

pub const OPERATOR: u8 = 1;
/// Area 0: P1 prosumer, P2 consumer. Area 1: P3 prosumer, P4 consumer. Area 2: P5 consumer,
/// P6 prosumer.
pub const P1: u8 = 2;
pub const P2: u8 = 3;
pub const P3: u8 = 4;
pub const P4: u8 = 5;
pub const P5: u8 = 6;
pub const P6: u8 = 7;
pub const STRANGER: u8 = 9;
pub const PARTICIPANTS: [(u8, u8); 6] = [(P1, 0), (P2, 0), (P3, 1), (P4, 1), (P5, 2), (P6, 2)];

pub fn a(n: u8) -> AccountId {
    actor(n)
}

pub fn ok<T: std::fmt::Debug>(outcome: MainOutcome<T>) -> MainOutcome<T> {
    assert!(!outcome.reverted, "call reverted: {:?}", outcome.value);
    assert!(outcome.value.is_ok(), "call failed: {:?}", outcome.value);
    outcome
}

/// Deploys at 22:05, funds every home, and puts `GRID_FUNDS` in the grid deposit.
pub fn deploy(config: &MarketConfig) -> Result<MarketSandbox, HarnessError> {
    let mut market = deploy_unfunded(config)?;
    let funded = market.tx_paying(a(OPERATOR), GRID_FUNDS, |main| main.fund_grid())?;
    assert_eq!(funded.value, Ok(GRID_FUNDS));
    Ok(market)
}

/// Deploys at 22:05 and funds every home; the grid deposit stays empty.
pub fn deploy_unfunded(config: &MarketConfig) -> Result<MarketSandbox, HarnessError> {
    let bundles = Bundles::load(&Bundles::default_dir())?;
    let mut market = MarketSandbox::deploy(&bundles, config, a(OPERATOR), START + 5_000)?;
    for (n, _) in PARTICIPANTS {
        market.fund(a(n))?;
    }
    market.fund(a(STRANGER))?;
    Ok(market)
}

/// The paper's open market with the six homes registered.
pub fn registered() -> MarketSandbox {
    registered_with(&MarketConfig::paper())
}

/// A market with `config` and the six homes registered.
pub fn registered_with(config: &MarketConfig) -> MarketSandbox {
    community_with(config, None)
}

/// The six homes registered with `capacity` (`None`: the default), the grid deposit funded
/// with `GRID_FUNDS` and the stranger funded, deployed at 22:05.
pub fn community_with(config: &MarketConfig, capacity: Option<Capacity>) -> MarketSandbox {
    let homes = PARTICIPANTS
        .iter()
        .map(|&(n, area)| Home {
            capacity,
            ..Home::new(a(n), area)
        })
        .collect();
    let community = Community {
        operator: a(OPERATOR),
        start_ms: START + 5_000,
        homes,
        grid_funds: GRID_FUNDS,
    };
    let bundles = Bundles::load(&Bundles::default_dir()).expect("load the bundles");
    let mut market = community
        .deploy(&bundles, config)
        .expect("deploy the community");
    market.fund(a(STRANGER)).expect("fund the stranger");
    market
}

/// A connection that carries the most one offer may (`MAX_OFFER_WH`) each way: a plant's.
pub const PLANT: Capacity = Capacity {
    export_wh: market::MAX_OFFER_WH,
    import_wh: market::MAX_OFFER_WH,
};

/// A market with `config` and the six homes registered as plants ([`PLANT`]), for offers
/// beyond a house connection.
pub fn plants_with(config: &MarketConfig) -> MarketSandbox {
    community_with(config, Some(PLANT))
}

/// Registers the six homes with the default connection.
pub fn register_all(market: MarketSandbox) -> MarketSandbox {
    register_all_with(market, None)
}

/// Registers the six homes with `capacity` (`None`: the default).
pub fn register_all_with(mut market: MarketSandbox, capacity: Option<Capacity>) -> MarketSandbox {
    for (n, area) in PARTICIPANTS {
        let outcome = ok(market
            .tx(a(OPERATOR), |main| main.register(a(n), area, capacity))
            .unwrap());
        assert_eq!(
            outcome.events,
            vec![MarketEvent::ParticipantRegistered(
                main::ParticipantRegistered {
                    account: a(n),
                    area
                }
            )]
        );
    }
    market
}

/// Everything a user can read, to prove a failed call changed nothing.
#[derive(Debug, PartialEq)]
pub struct View {
    config: MarketConfig,
    participants: Vec<Option<main::Participant>>,
    participant_count: u32,
    offers: Vec<u32>,
    states: Vec<IntervalState>,
    results: Vec<Option<main::IntervalResult>>,
    trades: Vec<Vec<Trade>>,
    bills: Vec<Option<Bill>>,
    monthly: Vec<Option<Bill>>,
    ledger: p2g::Ledger,
    credits: Vec<u128>,
    escrows: Vec<Option<p2g::Escrow>>,
    metering: Vec<Option<market::metering::MeterStatus>>,
    readings: Vec<Option<market::metering::Reading>>,
    balances: Vec<u128>,
}

pub fn view(market: &mut MarketSandbox) -> View {
    let everyone: Vec<u8> = PARTICIPANTS
        .iter()
        .map(|(n, _)| *n)
        .chain([STRANGER])
        .collect();
    let intervals = 0..5u64;
    View {
        config: market.read(|main| main.config()).unwrap(),
        participants: everyone
            .iter()
            .map(|n| market.read(|main| main.participant(a(*n))).unwrap())
            .collect(),
        participant_count: market.read(|main| main.participant_count()).unwrap(),
        offers: intervals
            .clone()
            .map(|i| market.read(|main| main.offer_count(i)).unwrap())
            .collect(),
        states: intervals
            .clone()
            .map(|i| market.read(|main| main.interval_state(i)).unwrap())
            .collect(),
        results: intervals
            .clone()
            .map(|i| market.read(|main| main.interval_result(i)).unwrap())
            .collect(),
        trades: intervals
            .clone()
            .map(|i| market.trades(i).unwrap())
            .collect(),
        bills: everyone
            .iter()
            .flat_map(|n| intervals.clone().map(move |i| (*n, i)))
            .map(|(n, i)| market.read(|main| main.bill(a(n), i)).unwrap())
            .collect(),
        monthly: everyone
            .iter()
            .flat_map(|n| [(*n, NOVEMBER), (*n, DECEMBER)])
            .map(|(n, month)| market.read(|main| main.monthly_bill(a(n), month)).unwrap())
            .collect(),
        ledger: market.read_p2g(|p2g| p2g.ledger()).unwrap(),
        credits: everyone
            .iter()
            .chain([&OPERATOR])
            .map(|n| market.read(|main| main.credit_of(a(*n))).unwrap())
            .collect(),
        escrows: everyone
            .iter()
            .flat_map(|n| intervals.clone().map(move |i| (*n, i)))
            .map(|(n, i)| market.read_p2g(|p2g| p2g.escrow_of(a(n), i)).unwrap())
            .collect(),
        metering: intervals
            .clone()
            .map(|i| market.read(|main| main.metering_status(i)).unwrap())
            .collect(),
        readings: everyone
            .iter()
            .flat_map(|n| intervals.clone().map(move |i| (*n, i)))
            .map(|(n, i)| market.read_p2g(|p2g| p2g.reading(a(n), i)).unwrap())
            .collect(),
        balances: everyone
            .iter()
            .map(|n| a(*n))
            .chain([a(OPERATOR), market.p2g_address()])
            .map(|account| market.balance(account))
            .collect(),
    }
}

/// Runs a call that must fail with `expected`, revert, emit nothing, and change neither any
/// contract's storage (storage roots and account records: `MarketSandbox::state_digest`) nor
/// any query's answer or balance.
pub fn refused<T: std::fmt::Debug>(
    market: &mut MarketSandbox,
    expected: E,
    call: impl FnOnce(&mut MarketSandbox) -> Result<MainOutcome<T>, HarnessError>,
) {
    let before = view(market);
    let digest = market.state_digest();
    let outcome = call(market).expect("the call is dispatched");
    assert!(
        market.state_digest() == digest,
        "a failed call ({expected:?}) changed contract storage"
    );
    match outcome.value {
        Err(error) => assert_eq!(error, expected),
        Ok(value) => panic!("expected {expected:?}, got Ok({value:?})"),
    }
    assert!(outcome.reverted, "a failed call must revert");
    assert!(outcome.events.is_empty(), "a failed call emits nothing");
    assert_eq!(view(market), before, "a failed call changed state");
}
