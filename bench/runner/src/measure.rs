//! The measurements on drink's runtime. Weights are what pallet-contracts charged
//! (`gas_consumed`): ref_time in picoseconds of reference hardware, proof_size in bytes.

use std::{
    path::{Path, PathBuf},
    time::Instant,
};

use anyhow::{ensure, Context};
use ink::{codegen::TraitCallBuilder, primitives::AccountId};
use main::{CloseProgress, MainRef};
use market::{config::HOUR_MS, IntervalIndex, MarketConfig, Side};
use market_drink::{
    actor, chain_account,
    drink::{session::ContractBundle, Weight},
    Bundles, Community, Home, MarketSandbox, Message,
};
use scale::{Decode, Encode};
use serde_json::{json, Map, Value};
use simulator::{
    cli::{run_kind_on, Hybrid},
    run::Kind,
    scenario::Scenario,
};

/// What `measure` does.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// Where the results go.
    #[arg(long, default_value = "bench/results.json")]
    out: PathBuf,
    /// Directory of the contract bundles, the yardstick's included (default: as the simulator).
    #[arg(long)]
    bundles: Option<PathBuf>,
    /// Book sizes of the clearing benchmark (half sellers, half buyers, three areas).
    #[arg(long, value_delimiter = ',', default_value = "10,100,1000,5000")]
    offers: Vec<u32>,
    /// Book sizes of the metering benchmark: half the positions metered by readings, the other
    /// half settled by the default sweep.
    #[arg(long, value_delimiter = ',', default_value = "100,5000")]
    metered_offers: Vec<u32>,
    /// The scenario of the simulator benchmark.
    #[arg(long, default_value = "scenarios/paper.toml")]
    scenario: PathBuf,
    /// Simulate only N days instead of the scenario's full horizon.
    #[arg(long)]
    days: Option<u32>,
    /// Leave out the simulator benchmark (the full year on drink takes minutes).
    #[arg(long)]
    skip_simulator: bool,
    /// drink sandboxes of the simulator benchmarks, one thread each (default: the cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// The scenario of the scale benchmark: its days on drink, its year natively.
    #[arg(long, default_value = "scenarios/community_1000.toml")]
    scale_scenario: PathBuf,
    /// Days of the scale scenario on drink.
    #[arg(long, default_value_t = 30)]
    scale_days: u32,
    /// Leave out the scale benchmark (1 000 homes for 30 days on drink take tens of minutes).
    #[arg(long)]
    skip_scale: bool,
}

/// An hour-aligned block time (2026-05-28 14:00 UTC) for every deployment.
const START_MS: u64 = 494_445 * HOUR_MS;

/// Runs every measurement and writes the results.
///
/// # Errors
/// Missing bundles, a refused call, or I/O.
pub fn run(options: &Options) -> anyhow::Result<()> {
    let dir = options.bundles.clone().unwrap_or_else(Bundles::default_dir);
    let bundles = Bundles::load(&dir)?;
    let floor_path = dir.join("floor/floor.contract");
    let floor = ContractBundle::load(&floor_path).map_err(|error| {
        anyhow::anyhow!(
            "cannot load {}: {error:?} (scripts/bench.sh builds it)",
            floor_path.display()
        )
    })?;

    let wasm_bytes = json!({
        "main": bundles.main.wasm.len(),
        "p2p": bundles.p2p.wasm.len(),
        "p2g": bundles.p2g.wasm.len(),
        "floor": floor.wasm.len(),
    });
    println!("wasm bytes: {wasm_bytes}");

    println!("message weights on drink ...");
    let (messages, floor_weight) = message_weights(&bundles, &floor)?;
    let clearing = clearing(&bundles, &options.offers)?;
    let metering = metering(&bundles, &options.metered_offers)?;
    let jobs = options.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    anyhow::ensure!(jobs >= 1, "--jobs: at least one sandbox");
    // A section left out is carried from the previous results, marked with their date, so
    // that a partial run does not drop figures nor pass old ones off as new.
    let previous: Value = std::fs::read_to_string(&options.out)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or(Value::Null);
    let carried = |section: &str| {
        let mut old = previous[section].clone();
        if !old.is_null() && old["carried_from"].is_null() {
            old["carried_from"] = previous["machine"]["date"].clone();
        }
        old
    };
    let simulator = if options.skip_simulator {
        carried("simulator")
    } else {
        simulate(&bundles, &options.scenario, options.days, None, jobs)?
    };
    let scale = if options.skip_scale {
        carried("scale")
    } else {
        simulate(
            &bundles,
            &options.scale_scenario,
            Some(options.scale_days),
            None,
            jobs,
        )?
    };

    let results = json!({
        "machine": machine(),
        "wasm_bytes": wasm_bytes,
        "message_weight": {
            "drink": messages,
            "node": Value::Null,
        },
        "floor_weight": { "drink": floor_weight, "node": Value::Null },
        "clearing": clearing,
        "metering": metering,
        "simulator": simulator,
        "scale": scale,
    });
    if let Some(parent) = options.out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&options.out, serde_json::to_string_pretty(&results)? + "\n")
        .with_context(|| format!("writing {}", options.out.display()))?;
    println!("wrote {}", options.out.display());
    Ok(())
}

fn weight_json(weight: Weight) -> Value {
    json!({ "ref_time": weight.ref_time(), "proof_size": weight.proof_size() })
}

/// Calls a main message and returns its value and weight; a revert is an error.
fn weigh<R: Decode + std::fmt::Debug, Args: Encode>(
    market: &mut MarketSandbox,
    caller: AccountId,
    build: impl FnOnce(&mut MainRef) -> Message<Args, R>,
) -> anyhow::Result<(R, Weight)> {
    weigh_paying(market, caller, 0, build)
}

/// The grid deposit of these measurements: pays every residual surplus's feed-in.
const GRID_DEPOSIT: u128 = 1_000_000_000_000;

/// A buy's deposit in these measurements: more than any of their buys needs (2 kWh at the
/// dearest hour); the rest is credited back at the close.
const BUY_DEPOSIT: u128 = 1_000_000;

/// [`weigh`] for a payable message, transferring `value`.
fn weigh_paying<R: Decode + std::fmt::Debug, Args: Encode>(
    market: &mut MarketSandbox,
    caller: AccountId,
    value: u128,
    build: impl FnOnce(&mut MainRef) -> Message<Args, R>,
) -> anyhow::Result<(R, Weight)> {
    let outcome = market.call_main_paying::<R, Args, R>(caller, value, build)?;
    ensure!(!outcome.reverted, "the call reverted: {:?}", outcome.value);
    Ok((outcome.value, outcome.weight))
}

/// The value of a message that must succeed.
fn succeeded<T>((value, _): (Result<T, main::Error>, Weight)) -> anyhow::Result<T> {
    value.map_err(|error| anyhow::anyhow!("the market refused: {error:?}"))
}

/// Asserts a message succeeded and keeps its weight under `name`.
fn record<E: std::fmt::Debug>(
    table: &mut Map<String, Value>,
    name: &str,
    (value, weight): (Result<impl Sized, E>, Weight),
) -> anyhow::Result<()> {
    if let Err(error) = value {
        anyhow::bail!("{name} failed: {error:?}");
    }
    table.insert(name.to_string(), weight_json(weight));
    Ok(())
}

/// Every participant message and query of main on a small market, and the yardstick.
fn message_weights(bundles: &Bundles, floor: &ContractBundle) -> anyhow::Result<(Value, Value)> {
    let operator = actor(1);
    let mut market = MarketSandbox::deploy(bundles, &MarketConfig::paper(), operator, START_MS)?;
    let homes: Vec<(AccountId, u8)> = (0..6).map(|n| (actor(10 + n), n / 2)).collect();
    let mut table = Map::new();
    record(
        &mut table,
        "fund_grid",
        weigh_paying(&mut market, operator, GRID_DEPOSIT, |m| {
            m.call_mut().fund_grid()
        })?,
    )?;
    for (i, (home, area)) in homes.iter().enumerate() {
        market.fund(*home)?;
        let weighed = weigh(&mut market, operator, |m| {
            m.call_mut().register(*home, *area, None)
        })?;
        if i == 0 {
            record(&mut table, "register", weighed)?;
        }
    }
    let (a, b, c, d, e, f) = (
        homes[0].0, homes[1].0, homes[2].0, homes[3].0, homes[4].0, homes[5].0,
    );
    // Interval 0: every kind of offer, and a cancel.
    record(
        &mut table,
        "sell",
        weigh(&mut market, a, |m| m.call_mut().sell(0, 1_000, 100_000))?,
    )?;
    record(
        &mut table,
        "buy",
        weigh_paying(&mut market, c, BUY_DEPOSIT, |m| {
            m.call_mut().buy(0, 800, None)
        })?,
    )?;
    record(
        &mut table,
        "buy_with_limit",
        weigh_paying(&mut market, e, BUY_DEPOSIT, |m| {
            m.call_mut().buy(0, 500, Some(300_000))
        })?,
    )?;
    succeeded(weigh(&mut market, b, |m| {
        m.call_mut().sell(0, 700, 120_000)
    })?)?;
    record(
        &mut table,
        "cancel",
        weigh(&mut market, b, |m| m.call_mut().cancel(0))?,
    )?;
    succeeded(weigh(&mut market, b, |m| {
        m.call_mut().sell(0, 700, 120_000)
    })?)?;
    succeeded(weigh_paying(&mut market, d, BUY_DEPOSIT, |m| {
        m.call_mut().buy(0, 900, None)
    })?)?;
    succeeded(weigh(&mut market, f, |m| {
        m.call_mut().sell(0, 300, 150_000)
    })?)?;
    // Interval 1: the same book, closed in one step.
    market.set_time(START_MS + HOUR_MS);
    for (home, side) in [(a, 0), (b, 0), (c, 1), (d, 1), (e, 1), (f, 0)] {
        let placed = if side == 0 {
            weigh(&mut market, home, |m| m.call_mut().sell(1, 600, 110_000))?
        } else {
            weigh_paying(&mut market, home, BUY_DEPOSIT, |m| {
                m.call_mut().buy(1, 600, None)
            })?
        };
        succeeded(placed)?;
    }
    market.set_time(START_MS + 2 * HOUR_MS);
    // A one-item step on interval 0, then its remaining steps.
    let (progress, weight) = weigh(&mut market, a, |m| m.call_mut().close_step(0, 1))?;
    ensure!(matches!(progress, Ok(CloseProgress::InProgress { .. })));
    table.insert("close_step_1_item".into(), weight_json(weight));
    ensure!(market.close_interval(a, 0)?.value.is_ok());
    let (progress, weight) = weigh(&mut market, a, |m| m.call_mut().close_interval(1))?;
    ensure!(
        matches!(progress, Ok(CloseProgress::Closed(_))),
        "six offers close in one step"
    );
    table.insert("close_interval_6_offers".into(), weight_json(weight));
    record(
        &mut table,
        "withdraw",
        weigh(&mut market, a, |m| m.call_mut().withdraw())?,
    )?;

    let month = market::month_of(START_MS);
    macro_rules! query {
        ($name:literal, $build:expr) => {{
            let (_, weight) = weigh(&mut market, f, $build)?;
            table.insert($name.into(), weight_json(weight));
        }};
    }
    query!("config", |m| m.call().config());
    query!("timing", |m| m.call().timing());
    query!("current_interval", |m| m.call().current_interval());
    query!("interval_state", |m| m.call().interval_state(1));
    query!("interval_result", |m| m.call().interval_result(1));
    query!("participant", |m| m.call().participant(a));
    query!("participant_count", |m| m.call().participant_count());
    query!("offer_count", |m| m.call().offer_count(1));
    query!("trades", |m| m.call().trades(1, 0, 100));
    query!("bill", |m| m.call().bill(a, 1));
    query!("monthly_bill", |m| m.call().monthly_bill(a, month));
    query!("grid_price", |m| m.call().grid_price(18));
    query!("operator", |m| m.call().operator());
    query!("buy_deposit", |m| m.call().buy_deposit(1, 600, None));
    query!("credit_of", |m| m.call().credit_of(a));
    query!("config_at", |m| m.call().config_at(0));
    query!("code_hashes", |m| m.call().code_hashes());
    record(
        &mut table,
        "pay_claims",
        weigh(&mut market, f, |m| m.call_mut().pay_claims())?,
    )?;
    sealed_weights(bundles, &mut table)?;

    // The yardstick: one storage write in the same runtime.
    let mut constructor = ink::selector_bytes!("new").to_vec();
    ().encode_to(&mut constructor);
    let yardstick = market.instantiate(floor, constructor, b"floor".to_vec())?;
    let mut set = ink::selector_bytes!("set").to_vec();
    42u64.encode_to(&mut set);
    let outcome = market.call_raw::<()>(&chain_account(&yardstick), &a, 0, set)?;
    ensure!(!outcome.reverted, "floor.set reverted");
    Ok((Value::Object(table), weight_json(outcome.weight)))
}

/// Sealed offers on a small sealed market: `commit` and `reveal` of a sell (what replaces one
/// `sell`), and `forfeit` of a commitment left unrevealed.
fn sealed_weights(bundles: &Bundles, table: &mut Map<String, Value>) -> anyhow::Result<()> {
    let operator = actor(1);
    let config = MarketConfig::sealed();
    let reveal_ms = config.sealing.map_or(0, |sealing| sealing.reveal_ms);
    let (seller, silent) = (actor(10), actor(11));
    let community = Community {
        operator,
        start_ms: START_MS,
        homes: vec![Home::new(seller, 0), Home::new(silent, 0)],
        grid_funds: 0,
    };
    let mut market = community.deploy(bundles, &config)?;
    let salt = [7; 32];
    let sealed = market::seal::commitment(
        &market.main_address(),
        &seller,
        0,
        Side::Sell,
        1_000,
        100_000,
        &salt,
    );
    let penalty = market::Sealing::DEFAULT.penalty;
    // The reveal of 1 kWh needs its bond deposited with the commitment.
    let bond = market::Sealing::DEFAULT.bond_for(1_000)?;
    record(
        table,
        "commit",
        weigh_paying(&mut market, seller, bond, |m| {
            m.call_mut().commit(0, sealed)
        })?,
    )?;
    succeeded(weigh_paying(&mut market, silent, penalty, |m| {
        m.call_mut().commit(0, [1; 32])
    })?)?;
    market.set_time(START_MS + HOUR_MS);
    record(
        table,
        "reveal",
        weigh(&mut market, seller, |m| {
            m.call_mut().reveal(0, Side::Sell, 1_000, 100_000, salt)
        })?,
    )?;
    market.set_time(START_MS + HOUR_MS + reveal_ms);
    record(
        table,
        "forfeit",
        weigh(&mut market, seller, |m| m.call_mut().forfeit(0, silent))?,
    )?;
    Ok(())
}

/// Distinct accounts beyond the driver's 256 actors.
fn home(n: u32) -> AccountId {
    let mut bytes = [0x42; 32];
    bytes[..4].copy_from_slice(&n.to_le_bytes());
    AccountId::from(bytes)
}

/// A market with `config` whose `offers` homes (every third in each area) are registered, the
/// grid deposit funded: the book of [`clearing`] and [`metering`].
fn book_market(
    bundles: &Bundles,
    config: &MarketConfig,
    operator: AccountId,
    offers: u32,
) -> anyhow::Result<MarketSandbox> {
    let homes = (0..offers)
        .map(|n| Ok(Home::new(home(n), u8::try_from(n % 3)?)))
        .collect::<anyhow::Result<_>>()?;
    let community = Community {
        operator,
        start_ms: START_MS,
        homes,
        grid_funds: GRID_DEPOSIT,
    };
    Ok(community.deploy(bundles, config)?)
}

/// Home `n`'s offer in the book: every other home sells, the others buy; energy and ask spread
/// deterministically.
fn book_offer(n: u32) -> (Side, u64, u128) {
    let energy_wh = 500 + u64::from(n * 37 % 1_000);
    let ask = 80_000 + u128::from(n) * 7_919 % 320_000;
    let side = if n % 2 == 0 { Side::Sell } else { Side::Buy };
    (side, energy_wh, ask)
}

/// Closes `interval` with `close_interval` until it reports `Closed`: its result and each
/// step's weight.
fn close_in_steps(
    market: &mut MarketSandbox,
    operator: AccountId,
    interval: IntervalIndex,
) -> anyhow::Result<(main::IntervalResult, Vec<Weight>)> {
    let mut steps = Vec::new();
    loop {
        let (progress, weight) =
            weigh(market, operator, |m| m.call_mut().close_interval(interval))?;
        steps.push(weight);
        match progress {
            Ok(CloseProgress::InProgress { .. }) => {}
            Ok(CloseProgress::Closed(result)) => return Ok((result, steps)),
            Err(error) => anyhow::bail!("closing interval {interval}: {error:?}"),
        }
    }
}

/// Stepped clearing of books of `sizes` offers: half sellers, half buyers, three areas.
fn clearing(bundles: &Bundles, sizes: &[u32]) -> anyhow::Result<Value> {
    let mut runs = Vec::new();
    for &offers in sizes {
        let started = Instant::now();
        let mut config = MarketConfig::paper();
        config.limits.max_offers = config.limits.max_offers.max(offers);
        let operator = actor(1);
        let mut market = book_market(bundles, &config, operator, offers)?;
        let interval: IntervalIndex = 0;
        for n in 0..offers {
            let (side, energy_wh, ask) = book_offer(n);
            let placed = if side == Side::Sell {
                weigh(&mut market, home(n), |m| {
                    m.call_mut().sell(interval, energy_wh, ask)
                })?
            } else {
                weigh_paying(&mut market, home(n), BUY_DEPOSIT, |m| {
                    m.call_mut().buy(interval, energy_wh, None)
                })?
            };
            succeeded(placed)?;
        }
        market.set_time(START_MS + HOUR_MS);
        let (result, steps) = close_in_steps(&mut market, operator, interval)?;
        let total = steps
            .iter()
            .fold(Weight::zero(), |sum, w| sum.saturating_add(*w));
        let largest = steps
            .iter()
            .copied()
            .max_by_key(|w| w.ref_time())
            .unwrap_or_default();
        println!(
            "clearing {offers:>5} offers: {} steps, {} trades, total ref_time {:.3e}, largest step {:.3e} ({:.1} s)",
            steps.len(),
            result.trades,
            total.ref_time() as f64,
            largest.ref_time() as f64,
            started.elapsed().as_secs_f64()
        );
        runs.push(json!({
            "offers": offers,
            "trades": result.trades,
            "p2p_volume_wh": result.p2p_volume_wh,
            "steps": steps.len(),
            "total": weight_json(total),
            "per_offer": weight_json(Weight::from_parts(
                total.ref_time() / u64::from(offers.max(1)),
                total.proof_size() / u64::from(offers.max(1)),
            )),
            "largest_step": weight_json(largest),
        }));
    }
    Ok(json!({ "step_items": market::Limits::DEFAULT.step_items, "runs": runs }))
}

/// A metered interval of `sizes` offers (as in [`clearing`], every offer with its imbalance
/// bond): closed, then the even slots' readings submitted in batches of
/// `MAX_SETTLEMENTS_PER_CALL` by the metering operator (each a 10 % shortfall or excess), and
/// after the deadline the odd slots settled by the default sweep.
fn metering(bundles: &Bundles, sizes: &[u32]) -> anyhow::Result<Value> {
    use market::metering::{Metering, Reading, MAX_SETTLEMENTS_PER_CALL};
    let mut runs = Vec::new();
    for &offers in sizes {
        let started = Instant::now();
        let operator = actor(1);
        let mut config = MarketConfig::paper();
        config.limits.max_offers = config.limits.max_offers.max(offers);
        config.metering = Some(Metering {
            operator: Some(operator),
            ..Metering::DEFAULT
        });
        let mut market = book_market(bundles, &config, operator, offers)?;
        let interval: IntervalIndex = 0;
        let hour = market::hour_of(START_MS);
        let (mut sells, mut buys) = (Weight::zero(), Weight::zero());
        let mut energies = Vec::new();
        for n in 0..offers {
            let (side, energy_wh, ask) = book_offer(n);
            energies.push(energy_wh);
            let price = (side == Side::Sell).then_some(ask);
            let (_, deposit) = market::deposits::offer_cover(
                &config,
                hour,
                side,
                energy_wh,
                price,
                market::Capacity::DEFAULT.import_wh,
            )
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let (value, weight) = if side == Side::Sell {
                weigh_paying(&mut market, home(n), deposit, |m| {
                    m.call_mut().sell(interval, energy_wh, ask)
                })?
            } else {
                weigh_paying(&mut market, home(n), deposit, |m| {
                    m.call_mut().buy(interval, energy_wh, None)
                })?
            };
            succeeded((value, weight))?;
            match side {
                Side::Sell => sells = sells.saturating_add(weight),
                Side::Buy => buys = buys.saturating_add(weight),
            }
        }
        market.set_time(START_MS + HOUR_MS);
        let (_, steps) = close_in_steps(&mut market, operator, interval)?;
        let close = steps
            .iter()
            .fold(Weight::zero(), |sum, w| sum.saturating_add(*w));
        // The even slots report: sellers 10 % short of what they sold, buyers 10 % over.
        let readings: Vec<(AccountId, Reading)> = (0..offers)
            .step_by(2)
            .map(|n| {
                let energy = energies[n as usize];
                let reading = if n % 4 == 0 {
                    Reading {
                        delivered_wh: energy - energy / 10,
                        consumed_wh: 0,
                    }
                } else {
                    Reading {
                        delivered_wh: energy + energy / 10,
                        consumed_wh: 0,
                    }
                };
                (home(n), reading)
            })
            .collect();
        let (mut submitted, mut largest_reading) = (Weight::zero(), Weight::zero());
        let mut reading_calls = 0u32;
        for batch in readings.chunks(MAX_SETTLEMENTS_PER_CALL as usize) {
            let (value, weight) = weigh(&mut market, operator, |m| {
                m.call_mut().submit_readings(interval, batch.to_vec())
            })?;
            succeeded((value, weight))?;
            submitted = submitted.saturating_add(weight);
            largest_reading = largest_reading.max(weight);
            reading_calls += 1;
        }
        // After the deadline, the sweep settles the odd slots by the default.
        market.set_time(START_MS + HOUR_MS + Metering::DEFAULT.window_ms);
        let (mut swept, mut largest_sweep) = (Weight::zero(), Weight::zero());
        let mut sweep_calls = 0u32;
        loop {
            let (value, weight) = weigh(&mut market, operator, |m| {
                m.call_mut().settle_imbalances(interval)
            })?;
            let status = succeeded((value, weight))?;
            swept = swept.saturating_add(weight);
            largest_sweep = largest_sweep.max(weight);
            sweep_calls += 1;
            if status.complete() {
                ensure!(
                    status.metered as usize == readings.len(),
                    "every reading counted"
                );
                break;
            }
        }
        let per = |total: Weight, count: usize| {
            weight_json(Weight::from_parts(
                total.ref_time() / count.max(1) as u64,
                total.proof_size() / count.max(1) as u64,
            ))
        };
        let defaulted = offers as usize - readings.len();
        println!(
            "metering {offers:>5} offers: readings {} calls {:.3e} ({:.3e} per reading), sweep {} calls {:.3e} ({:.3e} per default), largest call {:.3e} ({:.1} s)",
            reading_calls,
            submitted.ref_time() as f64,
            submitted.ref_time() as f64 / readings.len().max(1) as f64,
            sweep_calls,
            swept.ref_time() as f64,
            swept.ref_time() as f64 / defaulted.max(1) as f64,
            largest_reading.max(largest_sweep).ref_time() as f64,
            started.elapsed().as_secs_f64()
        );
        runs.push(json!({
            "offers": offers,
            "sell_mean": per(sells, offers.div_ceil(2) as usize),
            "buy_mean": per(buys, (offers / 2) as usize),
            "close_total": weight_json(close),
            "close_per_offer": per(close, offers as usize),
            "readings": readings.len(),
            "reading_calls": reading_calls,
            "readings_total": weight_json(submitted),
            "per_reading": per(submitted, readings.len()),
            "largest_reading_call": weight_json(largest_reading),
            "defaulted": defaulted,
            "sweep_calls": sweep_calls,
            "sweep_total": weight_json(swept),
            "per_default": per(swept, defaulted),
            "largest_sweep_call": weight_json(largest_sweep),
        }));
    }
    Ok(json!({
        "per_call": market::metering::MAX_SETTLEMENTS_PER_CALL,
        "runs": runs,
    }))
}

/// A scenario on drink (`drink_days` days, or its horizon) in `jobs` sandboxes and natively
/// (the same days, and with `native_days` that many more or its full horizon), each with its
/// wall time and the process's peak resident memory during the run. With more than one
/// sandbox every interval's outcome on drink is checked against the market crate as it runs
/// (`ParallelDrink`), so a figure here is of a run whose results equal the native engine's.
fn simulate(
    bundles: &Bundles,
    scenario: &Path,
    drink_days: Option<u32>,
    native_days: Option<u32>,
    jobs: usize,
) -> anyhow::Result<Value> {
    let loaded = Scenario::read(scenario)?.load(scenario.parent().unwrap_or(".".as_ref()))?;
    let intervals = loaded.intervals(drink_days);
    let year = loaded.intervals(native_days);
    let mut engines = Map::new();
    let mut operations = 0;
    let runs = [
        ("drink", intervals, Hybrid::Drink { bundles, jobs }),
        ("native", intervals, Hybrid::Native),
        ("native_horizon", year, Hybrid::Native),
    ];
    for (name, intervals, hybrid) in runs {
        println!(
            "simulator: {} homes, {intervals} intervals on {name} ...",
            loaded.homes.len()
        );
        let progress = indicatif::ProgressBar::new(intervals as u64);
        reset_peak_rss();
        let (run, engine) = run_kind_on(
            &loaded,
            Kind::HybridP2p,
            intervals,
            hybrid,
            false,
            &progress,
        )?;
        progress.finish_and_clear();
        if name == "drink" {
            operations = run.calls;
        }
        let rss = peak_rss_mib();
        println!("  {engine}: {:.1} s, peak RSS {rss:.0} MiB", run.seconds);
        engines.insert(
            name.into(),
            json!({
                "engine": engine,
                "intervals": intervals,
                "seconds": run.seconds,
                "calls": run.calls,
                "calls_per_second": run.calls as f64 / run.seconds,
                "peak_rss_mib": rss,
            }),
        );
    }
    let seconds = |name: &str| engines[name]["seconds"].as_f64().unwrap_or(f64::NAN);
    let (drink_seconds, native_seconds) = (seconds("drink"), seconds("native"));
    engines["drink"]["sandboxes"] = json!(jobs);
    // What one core does: the sandboxes share the calls, the driving thread runs the market
    // crate next to them.
    engines["drink"]["calls_per_second_per_sandbox"] =
        json!(operations as f64 / drink_seconds / jobs as f64);
    Ok(json!({
        "scenario": scenario.display().to_string(),
        "households": loaded.homes.len(),
        "intervals": intervals,
        "drink": engines["drink"],
        "native": engines["native"],
        "native_horizon": engines["native_horizon"],
        "drink_over_native": drink_seconds / native_seconds,
    }))
}

/// Resets the process's peak resident set (VmHWM) to its current size (Linux: `5` to
/// `/proc/self/clear_refs`), so that the next reading is the peak of one run.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The process's peak resident set since the last reset, MiB (`VmHWM`; NaN off Linux).
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|rest| {
                    rest.trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse::<f64>()
                        .ok()
                })
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// Where the figures came from.
fn machine() -> Value {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    let cpu = read("/proc/cpuinfo")
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_default();
    let memory_kib: u64 = read("/proc/meminfo")
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    let rustc = std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .unwrap_or_default();
    json!({
        "cpu": cpu,
        "cores": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "memory_gib": (memory_kib as f64 / 1_048_576.0 * 10.0).round() / 10.0,
        "kernel": read("/proc/sys/kernel/osrelease").trim(),
        "rustc": rustc,
        "date": std::process::Command::new("date").args(["-u", "+%Y-%m-%d"]).output()
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
            .unwrap_or_default(),
    })
}
