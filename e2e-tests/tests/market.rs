//! The market on a real `substrate-contracts-node`, through ink_e2e's node backend.
//!
//! Run by `scripts/e2e.sh`, which starts one node and points the suite at it with
//! `CONTRACTS_NODE_URL` (without it, ink_e2e spawns a node per test from `CONTRACTS_NODE`).
//! Intervals last a few seconds and the suite waits for them to end in real time: the node seals
//! a block per transaction, stamped with the wall clock.
//!
//! Units: Wh, balance units per kWh, balance units; value = `Wh * price / 1000` rounded down.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ink::{env::Event, primitives::AccountId};
use ink_e2e::{subxt::dynamic::Value, ChainBackend, ContractsBackend, Keypair};
use main::{CloseProgress, Error as E, Main, MainRef};
use market::metering::{Metering, Reading};
use market::{hour_of, month_of, Bill, Capacity, MarketConfig, Side, Timing, Trade};
use p2g::P2g;
use p2p::P2p;
use scale::Decode;

type E2EResult<T> = Result<T, Box<dyn std::error::Error>>;

/// Submits `message` as `caller` (after ink_e2e's own dry run) and returns the call result.
macro_rules! submit {
    ($client:expr, $caller:expr, $message:expr) => {
        $client
            .call($caller, &$message)
            .submit()
            .await
            .expect("transaction")
    };
}

/// Submits a payable `message` as `caller`, transferring `value`.
macro_rules! submit_paying {
    ($client:expr, $caller:expr, $message:expr, $value:expr) => {
        $client
            .call($caller, &$message)
            .value($value)
            .submit()
            .await
            .expect("transaction")
    };
}

/// Submits `market.buy(interval, energy_wh, limit)` as `caller` with the deposit that
/// `buy_deposit` asks for, and returns the call result and the deposit.
macro_rules! buy {
    ($client:expr, $caller:expr, $market:expr, $interval:expr, $energy:expr, $limit:expr) => {{
        let deposit = read!(
            $client,
            $caller,
            $market.buy_deposit($interval, $energy, $limit)
        )
        .expect("a deposit");
        let bought = submit_paying!(
            $client,
            $caller,
            $market.buy($interval, $energy, $limit),
            deposit
        );
        (bought, deposit)
    }};
}

/// Dry-runs `message` as `caller`: the result, with its return value and revert flag.
macro_rules! dry_run {
    ($client:expr, $caller:expr, $message:expr) => {
        $client
            .call($caller, &$message)
            .dry_run()
            .await
            .expect("dry run")
    };
}

/// Submits closing steps (`message`: a `close_interval` or `close_step` call) as `caller` until
/// one reports `Closed`: each step does a bounded amount of work, so a large book takes several.
/// Returns the interval's result, the decoded events of all steps in order and the number of
/// steps.
macro_rules! close {
    ($client:expr, $caller:expr, $message:expr) => {{
        let mut events = Vec::new();
        let mut steps = 0_u32;
        loop {
            let step = submit!($client, $caller, $message);
            steps += 1;
            events.extend(emitted(&step.events));
            match step.return_value().expect("closing step") {
                CloseProgress::Closed(result) => break (result, events, steps),
                CloseProgress::InProgress { .. } => {}
            }
        }
    }};
}

/// Uploads p2p and p2g as `operator` and instantiates main with [`config`]; main instantiates
/// the other two.
macro_rules! deploy {
    ($client:expr, $operator:expr) => {
        deploy!($client, $operator, config())
    };
    ($client:expr, $operator:expr, $config:expr) => {{
        let p2p_code = $client
            .upload("p2p", $operator)
            .submit()
            .await
            .expect("upload")
            .code_hash;
        let p2g_code = $client
            .upload("p2g", $operator)
            .submit()
            .await
            .expect("upload")
            .code_hash;
        let mut constructor = MainRef::new($config, p2p_code, p2g_code);
        $client
            .instantiate("main", $operator, &mut constructor)
            .submit()
            .await
            .expect("instantiate")
    }};
}

/// Reads a query (a dry run) as `caller` and returns its value.
macro_rules! read {
    ($client:expr, $caller:expr, $message:expr) => {
        dry_run!($client, $caller, $message).return_value()
    };
}

/// Balance for the accounts the dev chain does not fund: storage deposits and fees.
const FUNDS: u128 = 1_000_000_000_000_000;

/// Long enough for six offers and a few refused calls to land in one interval.
const INTERVAL_MS: u64 = 15_000;

/// A page size that reads every trade of the suite's intervals in one call.
const PAGE: u32 = 100;

fn id(keypair: &Keypair) -> AccountId {
    AccountId::from(keypair.public_key().0)
}

fn config() -> MarketConfig {
    MarketConfig {
        interval_ms: INTERVAL_MS,
        ..MarketConfig::paper()
    }
}

fn wall_clock_ms() -> u64 {
    let elapsed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970");
    u64::try_from(elapsed.as_millis()).expect("ms fit in u64")
}

/// Seals a block (a `System.remark`), so that queries and dry runs see the wall-clock time: the
/// dev node makes blocks only for transactions, and ink_e2e sizes a transaction's gas from a dry
/// run on the last block, whose stale time would send it down the wrong (cheaper) path.
async fn tick<Client: ChainBackend>(client: &mut Client) {
    let remark = vec![Value::from_bytes(b"tick")];
    if client
        .runtime_call(&ink_e2e::alice(), "System", "remark", remark)
        .await
        .is_err()
    {
        panic!("System.remark failed");
    }
}

/// Waits until a fresh interval has begun (with a margin for clock skew), seals a block in it and
/// returns it.
async fn next_interval<Client: ChainBackend>(client: &mut Client, timing: &Timing) -> u64 {
    let now = wall_clock_ms();
    let current = timing.interval_at(now).expect("market started");
    let next = current + 1;
    let begins = timing.start_of(next).expect("in range") + 1_000;
    tokio::time::sleep(Duration::from_millis(begins.saturating_sub(now))).await;
    tick(client).await;
    next
}

/// Waits until `interval` has ended on the wall clock and seals a block after it.
async fn until_ended<Client: ChainBackend>(client: &mut Client, timing: &Timing, interval: u64) {
    let ends = timing.start_of(interval + 1).expect("in range") + 1_000;
    let now = wall_clock_ms();
    tokio::time::sleep(Duration::from_millis(ends.saturating_sub(now))).await;
    tick(client).await;
}

/// A contract event of the suite, decoded into the contract's own type.
#[derive(Debug, PartialEq)]
enum Emitted {
    Registered(main::ParticipantRegistered),
    Accepted(main::OfferAccepted),
    Cancelled(main::OfferCancelled),
    Cleared(main::IntervalCleared),
    Trade(p2p::TradeExecuted),
    Grid(p2g::GridSettled),
}

/// Decodes the `ContractEmitted` events of a transaction by their signature topic.
fn emitted(
    events: &ink_e2e::subxt::blocks::ExtrinsicEvents<ink_e2e::subxt::PolkadotConfig>,
) -> Vec<Emitted> {
    fn decode<T: Event + Decode>(
        topic: &[u8; 32],
        data: &[u8],
        wrap: fn(T) -> Emitted,
    ) -> Option<Emitted> {
        (T::SIGNATURE_TOPIC.as_ref() == Some(topic))
            .then(|| T::decode(&mut &data[..]).expect("event decodes"))
            .map(wrap)
    }
    let mut out = Vec::new();
    for event in events.iter() {
        let event = event.expect("event record");
        let Ok(Some(contract_event)) =
            event.as_event::<ink_e2e::events::ContractEmitted<ink::env::DefaultEnvironment>>()
        else {
            continue;
        };
        let topics = event.topics();
        let Some(topic) = topics.first() else {
            continue;
        };
        let topic: [u8; 32] = topic.0;
        let data = &contract_event.data[..];
        let decoded = decode(&topic, data, Emitted::Registered)
            .or_else(|| decode(&topic, data, Emitted::Accepted))
            .or_else(|| decode(&topic, data, Emitted::Cancelled))
            .or_else(|| decode(&topic, data, Emitted::Cleared))
            .or_else(|| decode(&topic, data, Emitted::Trade))
            .or_else(|| decode(&topic, data, Emitted::Grid));
        out.extend(decoded);
    }
    out
}

fn trade(seller: &Keypair, buyer: &Keypair, distance: u8, energy_wh: u64, price: u128) -> Trade {
    Trade {
        seller: id(seller),
        buyer: id(buyer),
        distance,
        energy_wh,
        price,
        payment: u128::from(energy_wh) * price / 1000,
        fee: 0,
    }
}

/// Six homes in three areas over two intervals: registration, offers, a cancel, refused calls,
/// the close (in one default step, then one item per step), the uniform price, area-ordered
/// partial fills, residuals to the grid, paged trades, bills per interval and per month, and the
/// decoded events.
#[ink_e2e::test]
async fn market_over_two_intervals<Client: E2EBackend>(mut client: Client) -> E2EResult<()> {
    let operator = ink_e2e::alice();
    // Area 0: bob (prosumer), charlie. Area 1: dave (prosumer), eve. Area 2: ferdie and a
    // fresh prosumer `one`. `two` never registers. The dev chain funds alice to ferdie only.
    let (bob, charlie, dave, eve, ferdie) = (
        ink_e2e::bob(),
        ink_e2e::charlie(),
        ink_e2e::dave(),
        ink_e2e::eve(),
        ink_e2e::ferdie(),
    );
    let one = client.create_and_fund_account(&operator, FUNDS).await;
    let two = client.create_and_fund_account(&operator, FUNDS).await;
    let main = deploy!(client, &operator);
    let mut market = main.call_builder::<Main>();
    // Feed-in is paid out of the grid deposit, which the operator funds.
    submit_paying!(client, &operator, market.fund_grid(), 1_000_000_000);

    for (home, area) in [
        (&bob, 0),
        (&charlie, 0),
        (&dave, 1),
        (&eve, 1),
        (&ferdie, 2),
        (&one, 2),
    ] {
        let registered = submit!(client, &operator, market.register(id(home), area, None));
        assert_eq!(
            emitted(&registered.events),
            vec![Emitted::Registered(main::ParticipantRegistered {
                account: id(home),
                area
            })]
        );
    }
    let count = dry_run!(client, &two, market.participant_count());
    assert_eq!(count.return_value(), 6);
    let timing = read!(client, &two, market.timing());

    // Interval i: the paper's rule, lowest ask.
    let i = next_interval(&mut client, &timing).await;
    submit!(client, &bob, market.sell(i, 1_000, 120_000));
    submit!(client, &dave, market.sell(i, 600, 100_000));
    submit!(client, &one, market.sell(i, 300, 150_000));
    // Buyers deposit their worst case: the energy at the grid's price (or their limit and
    // the farthest fee, if dearer).
    let (_, charlie_deposit) = buy!(client, &charlie, market, i, 800, None);
    let short = client
        .call(&ferdie, &market.buy(i, 100, None))
        .value(1)
        .dry_run()
        .await
        .expect("dry run");
    assert_eq!(short.return_value(), Err(E::DepositTooLow));
    buy!(client, &ferdie, market, i, 100, None);
    buy!(client, &eve, market, i, 500, Some(90_000));
    let cancelled = submit!(client, &ferdie, market.cancel(i));
    assert_eq!(
        emitted(&cancelled.events),
        vec![Emitted::Cancelled(main::OfferCancelled {
            interval: i,
            account: id(&ferdie)
        })]
    );
    let (placed, _) = buy!(client, &ferdie, market, i, 1_200, None);
    assert_eq!(
        emitted(&placed.events),
        vec![Emitted::Accepted(main::OfferAccepted {
            interval: i,
            account: id(&ferdie),
            side: Side::Buy,
            energy_wh: 1_200
        })]
    );

    // Refused calls, typed.
    let stranger = dry_run!(client, &two, market.sell(i, 100, 100_000));
    assert_eq!(stranger.return_value(), Err(E::NotRegistered));
    let too_cheap = dry_run!(client, &charlie, market.sell(i, 100, 79_999));
    assert_eq!(too_cheap.return_value(), Err(E::PriceOutOfBounds));
    let too_dear = dry_run!(client, &charlie, market.sell(i, 100, 400_001));
    assert_eq!(too_dear.return_value(), Err(E::PriceOutOfBounds));
    let twice = client
        .call(&bob, &market.buy(i, 100, None))
        .value(1_000_000)
        .dry_run()
        .await
        .expect("dry run");
    assert_eq!(twice.return_value(), Err(E::OfferExists));
    let early = dry_run!(client, &two, market.close_interval(i));
    assert_eq!(early.return_value().map(|_| ()), Err(E::IntervalNotEnded));

    until_ended(&mut client, &timing, i).await;
    let start = timing.start_of(i).expect("in range");
    let grid_price = read!(client, &two, market.grid_price(hour_of(start))).expect("hour in range");
    let (closed, events, steps) = close!(client, &two, market.close_interval(i));
    // Six offers are far below the default step budget: a single step closes the interval.
    assert_eq!(steps, 1);
    // Price = dave's 100_000. eve's limit 90_000 is below it: eve goes to the grid.
    // Distance 0: charlie takes 800 of bob's 1000, ferdie takes one's 300. Distance 1: ferdie
    // takes dave's 600. Distance 2: ferdie takes bob's last 200; 100 Wh remain for the grid.
    let trades = vec![
        trade(&bob, &charlie, 0, 800, 100_000),
        trade(&one, &ferdie, 0, 300, 100_000),
        trade(&dave, &ferdie, 1, 600, 100_000),
        trade(&bob, &ferdie, 2, 200, 100_000),
    ];
    let eve_grid = 500 * grid_price / 1000;
    let ferdie_grid = 100 * grid_price / 1000;
    let result = main::IntervalResult {
        price: Some(100_000),
        p2p_volume_wh: 1_900,
        grid_import_wh: 600,
        grid_export_wh: 0,
        grid_price,
        feed_in_price: 100_000,
        offers: 6,
        trades: 4,
    };
    assert_eq!(closed, result);
    assert_eq!(read!(client, &two, market.interval_result(i)), Some(result));
    let mut expected: Vec<Emitted> = trades
        .iter()
        .map(|t| Emitted::Trade(p2p::TradeExecuted::new(i, t.clone())))
        .collect();
    // Positions follow submission order: eve's offer precedes ferdie's re-placed one.
    expected.push(Emitted::Grid(p2g::GridSettled {
        interval: i,
        account: id(&eve),
        bought_wh: 500,
        paid: eve_grid,
        sold_wh: 0,
        earned: 0,
    }));
    expected.push(Emitted::Grid(p2g::GridSettled {
        interval: i,
        account: id(&ferdie),
        bought_wh: 100,
        paid: ferdie_grid,
        sold_wh: 0,
        earned: 0,
    }));
    expected.push(Emitted::Cleared(main::IntervalCleared {
        interval: i,
        price: Some(100_000),
        p2p_volume_wh: 1_900,
        grid_import_wh: 600,
        grid_export_wh: 0,
    }));
    assert_eq!(events, expected);
    let read = read!(client, &two, market.trades(i, 0, PAGE));
    assert_eq!(read, trades);
    // Pages index the interval's trades: from index 1 on, two at most.
    let page = read!(client, &two, market.trades(i, 1, 2));
    assert_eq!(page, trades[1..3].to_vec());
    let ferdies: Vec<_> = read
        .iter()
        .filter(|trade| trade.buyer == id(&ferdie) || trade.seller == id(&ferdie))
        .cloned()
        .collect();
    assert_eq!(ferdies, trades[1..].to_vec());
    let ferdie_bill = read!(client, &two, market.bill(id(&ferdie), i));
    assert_eq!(
        ferdie_bill,
        Some(Bill {
            p2p_bought_wh: 1_100,
            p2p_paid: 110_000,
            grid_bought_wh: 100,
            grid_paid: ferdie_grid,
            ..Bill::default()
        })
    );
    let again = dry_run!(client, &two, market.close_interval(i));
    assert_eq!(again.return_value().map(|_| ()), Err(E::AlreadyCleared));
    // Charlie paid 80_000 of its deposit: the rest is its credit, withdrawn pull-style.
    let credit = read!(client, &two, market.credit_of(id(&charlie)));
    assert_eq!(credit, charlie_deposit - 80_000);
    let withdrawn = submit!(client, &charlie, market.withdraw());
    assert_eq!(withdrawn.return_value(), Ok(credit));
    assert_eq!(read!(client, &two, market.credit_of(id(&charlie))), 0);
    let twice = dry_run!(client, &charlie, market.withdraw());
    assert_eq!(twice.return_value(), Err(E::NothingToWithdraw));

    // Interval j: a second round between dave (area 1) and charlie (area 0); ferdie's limit
    // is below the price, so ferdie buys from the grid.
    let j = next_interval(&mut client, &timing).await;
    submit!(client, &dave, market.sell(j, 400, 90_000));
    buy!(client, &charlie, market, j, 300, None);
    buy!(client, &ferdie, market, j, 200, Some(80_000));
    until_ended(&mut client, &timing, j).await;
    let zero = dry_run!(client, &bob, market.close_step(j, 0));
    assert_eq!(zero.return_value().map(|_| ()), Err(E::ZeroBudget));
    // Closed one item at a time: several steps, the last one reporting the whole result.
    let (closed, _, steps) = close!(client, &bob, market.close_step(j, 1));
    assert!(steps > 1, "{steps} step(s)");
    let start_j = timing.start_of(j).expect("in range");
    let grid_price_j =
        read!(client, &two, market.grid_price(hour_of(start_j))).expect("hour in range");
    assert_eq!(
        closed,
        main::IntervalResult {
            price: Some(90_000),
            p2p_volume_wh: 300,
            grid_import_wh: 200,
            grid_export_wh: 100,
            grid_price: grid_price_j,
            feed_in_price: 90_000,
            offers: 3,
            trades: 1,
        }
    );
    assert_eq!(read!(client, &two, market.interval_result(j)), Some(closed));
    let second = read!(client, &two, market.trades(j, 0, PAGE));
    assert_eq!(second, vec![trade(&dave, &charlie, 1, 300, 90_000)]);
    // dave's 100 Wh residual is fed in at the P2P price: 100 * 90_000 / 1000 = 9_000.
    let dave_bill = read!(client, &two, market.bill(id(&dave), j));
    assert_eq!(
        dave_bill,
        Some(Bill {
            p2p_sold_wh: 300,
            p2p_earned: 27_000,
            grid_sold_wh: 100,
            grid_earned: 9_000,
            ..Bill::default()
        })
    );
    // Charlie's month: 800 Wh for 80_000, then 300 Wh for 27_000 (if both fell in one month).
    let (month_i, month_j) = (month_of(start), month_of(start_j));
    let monthly = read!(client, &two, market.monthly_bill(id(&charlie), month_j))
        .expect("charlie has a bill this month");
    let (wh, paid) = if month_i == month_j {
        (1_100, 107_000)
    } else {
        (300, 27_000)
    };
    assert_eq!((monthly.p2p_bought_wh, monthly.p2p_paid), (wh, paid));
    Ok(())
}

/// One metered interval on the node: bob sells 1 000 Wh and charlie buys it, each depositing
/// its imbalance bond; eve, the metering operator, reports that bob delivered 600 Wh, and bob
/// buys the 400 Wh shortfall at 1.5 times the grid price out of what its settlement held;
/// charlie's reading is missing and, after the window, is settled as having consumed what it
/// bought. Bills and credits are read back.
#[ink_e2e::test]
async fn a_metered_interval_settles_a_shortfall<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    let operator = ink_e2e::alice();
    let (bob, charlie, eve) = (ink_e2e::bob(), ink_e2e::charlie(), ink_e2e::eve());
    let metering = Metering {
        window_ms: 6_000,
        operator: Some(id(&eve)),
        ..Metering::DEFAULT
    };
    let metered = MarketConfig {
        metering: Some(metering),
        ..config()
    };
    let main = deploy!(client, &operator, metered);
    let mut market = main.call_builder::<Main>();
    let connection = Capacity {
        export_wh: 5_000,
        import_wh: 5_000,
    };
    for home in [&bob, &charlie] {
        submit!(
            client,
            &operator,
            market.register(id(home), 0, Some(connection))
        );
    }
    let timing = read!(client, &eve, market.timing());
    let i = next_interval(&mut client, &timing).await;
    let start = timing.start_of(i).expect("in range");
    let grid_price = read!(client, &eve, market.grid_price(hour_of(start))).expect("an hour");
    let imbalance_price = metering.imbalance_price(grid_price).expect("in range");
    // A sell bonds its energy plus the connection's import at the imbalance price.
    let bond = read!(
        client,
        &bob,
        market.imbalance_bond(i, id(&bob), Side::Sell, 1_000)
    )
    .expect("a bond");
    assert_eq!(bond, (6_000 * imbalance_price).div_ceil(1000));
    let short = client
        .call(&bob, &market.sell(i, 1_000, 100_000))
        .value(bond - 1)
        .dry_run()
        .await
        .expect("dry run");
    assert_eq!(short.return_value(), Err(E::DepositTooLow));
    submit_paying!(client, &bob, market.sell(i, 1_000, 100_000), bond);
    let charlie_bond = read!(
        client,
        &charlie,
        market.imbalance_bond(i, id(&charlie), Side::Buy, 1_000)
    )
    .expect("a bond");
    let cover = read!(client, &charlie, market.buy_deposit(i, 1_000, None)).expect("a cover");
    submit_paying!(
        client,
        &charlie,
        market.buy(i, 1_000, None),
        cover + charlie_bond
    );
    until_ended(&mut client, &timing, i).await;
    let (result, _, _) = close!(client, &eve, market.close_interval(i));
    assert_eq!((result.price, result.p2p_volume_wh), (Some(100_000), 1_000));
    // Everything is held until the imbalances: no credit yet.
    assert_eq!(read!(client, &eve, market.credit_of(id(&bob))), 0);
    let status = read!(client, &eve, market.metering_status(i)).expect("metered");
    assert_eq!((status.positions, status.metered), (2, 0));

    // Only the metering operator meters them.
    let reading = Reading {
        delivered_wh: 600,
        consumed_wh: 0,
    };
    let stranger = dry_run!(
        client,
        &charlie,
        market.submit_readings(i, vec![(id(&bob), reading)])
    );
    assert_eq!(stranger.return_value().map(|_| ()), Err(E::NotMeter));
    let metered = submit!(
        client,
        &eve,
        market.submit_readings(i, vec![(id(&bob), reading)])
    );
    let status = metered.return_value().expect("metered");
    assert_eq!((status.metered, status.short_wh), (1, 400));
    let charge = (400 * imbalance_price).div_ceil(1000);
    assert_eq!(status.charges, charge);
    let bill = read!(client, &eve, market.bill(id(&bob), i)).expect("a bill");
    assert_eq!(
        bill,
        Bill {
            p2p_sold_wh: 1_000,
            p2p_earned: 100_000,
            imbalance_short_wh: 400,
            imbalance_paid: charge,
            ..Bill::default()
        }
    );
    assert_eq!(
        read!(client, &eve, market.credit_of(id(&bob))),
        bond + 100_000 - charge
    );
    // Charlie's meter stays silent: after the window it is settled by the default.
    let early = dry_run!(client, &eve, market.settle_imbalances(i));
    assert_eq!(early.return_value().map(|_| ()), Err(E::MeteringOpen));
    tokio::time::sleep(Duration::from_millis(metering.window_ms + 1_000)).await;
    tick(&mut client).await;
    let swept = submit!(client, &eve, market.settle_imbalances(i));
    let done = swept.return_value().expect("settled");
    assert!(done.complete());
    assert_eq!(done.defaulted, 1);
    assert_eq!(
        read!(client, &eve, market.credit_of(id(&charlie))),
        cover + charlie_bond - 100_000
    );
    let monthly = read!(client, &eve, market.monthly_bill(id(&bob), month_of(start)))
        .expect("a monthly bill");
    assert_eq!(monthly.imbalance_paid, charge);
    let withdrawn = submit!(client, &bob, market.withdraw());
    assert_eq!(withdrawn.return_value(), Ok(bond + 100_000 - charge));
    Ok(())
}

/// p2p and p2g refuse every state-changing call that does not come from their main contract.
#[ink_e2e::test]
async fn callees_answer_only_to_main<Client: E2EBackend>(mut client: Client) -> E2EResult<()> {
    let operator = ink_e2e::alice();
    let bob = ink_e2e::bob();
    let main = deploy!(client, &operator);
    let market = main.call_builder::<Main>();
    let p2p_address = read!(client, &bob, market.p2p_address());
    let p2g_address = read!(client, &bob, market.p2g_address());
    let mut p2p = ink_e2e::create_call_builder::<P2p>(p2p_address);
    let mut p2g = ink_e2e::create_call_builder::<P2g>(p2g_address);

    let offer = market::Offer {
        account: id(&bob),
        area: 0,
        side: Side::Sell,
        energy_wh: 100,
        price: 100_000,
    };
    let place = dry_run!(
        client,
        &bob,
        p2p.place(0, offer, 10, market::Priority::Submission)
    );
    assert_eq!(place.return_value(), Err(p2p::Error::NotMain));
    let cancel = dry_run!(client, &bob, p2p.cancel(0, id(&bob), None));
    assert_eq!(cancel.return_value(), Err(p2p::Error::NotMain));
    let clear = dry_run!(
        client,
        &bob,
        p2p.auction_step(0, market::AuctionRules::paper(), 10)
    );
    assert_eq!(clear.return_value().map(|_| ()), Err(p2p::Error::NotMain));
    let key = p2g::IntervalKey {
        index: 0,
        hour: 0,
        month: 202_611,
    };
    let settle = client
        .call(
            &bob,
            &p2g.settle_batch(
                key,
                None,
                Vec::new(),
                p2g::Terms {
                    tariff: market::Tariff::paper(),
                    grid_operator: id(&bob),
                    metering: None,
                },
                true,
            ),
        )
        .dry_run()
        .await
        .expect("dry run");
    assert_eq!(settle.return_value().map(|_| ()), Err(p2g::Error::NotMain));
    let withdraw = dry_run!(client, &bob, p2g.withdraw(id(&bob)));
    assert_eq!(withdraw.return_value(), Err(p2g::Error::NotMain));
    let reserve = dry_run!(
        client,
        &bob,
        p2g.reserve(key, id(&bob), None, 10, id(&bob), false)
    );
    assert_eq!(reserve.return_value(), Err(p2g::Error::NotMain));
    // The real transaction is refused as well (its dry run reverts) and nothing changed.
    assert!(client
        .call(
            &bob,
            &p2p.place(0, offer_again(), 10, market::Priority::Submission)
        )
        .submit()
        .await
        .is_err());
    let live = read!(client, &bob, market.offer_count(0));
    assert_eq!(live, 0);
    Ok(())
}

fn offer_again() -> market::Offer {
    market::Offer {
        account: AccountId::from([7; 32]),
        area: 0,
        side: Side::Buy,
        energy_wh: 1,
        price: 1,
    }
}
