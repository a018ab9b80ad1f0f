//! The simulator against its invariants: every household's energy balances in every interval,
//! P2P money is conserved, the real contracts in drink give exactly what the market crate
//! gives, and a short run writes a complete report.

use std::path::{Path, PathBuf};

use indicatif::ProgressBar;
use market::MarketConfig;
use market_drink::Bundles;
use simulator::{
    cli::{run_kind, Cli, EngineChoice},
    engine::{NativeEngine, ParallelDrink},
    run::{simulate, Kind},
    scenario::{
        AskStrategy, Dispatch, Forecast, Loaded, OfferForecast, PricingChoice, PriorityChoice,
        Scenario, SubmissionOrder,
    },
    sweep::{sweep, Param, SweepArgs},
};

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios")
}

/// The paper scenario from `start_day`, optionally with a network fee.
fn paper(start_day: u32, grid_fee_per_kwh_step: u64) -> Loaded {
    variant(start_day, grid_fee_per_kwh_step, |_| {})
}

/// The paper scenario from `start_day` with a network fee, changed by `change`.
fn variant(
    start_day: u32,
    grid_fee_per_kwh_step: u64,
    change: impl FnOnce(&mut Scenario),
) -> Loaded {
    let mut scenario = Scenario::read(&scenarios_dir().join("paper.toml")).unwrap();
    scenario.start_day = start_day;
    scenario.market.grid_fee_per_kwh_step = grid_fee_per_kwh_step;
    change(&mut scenario);
    scenario.load(&scenarios_dir()).unwrap()
}

/// Every model option of the scenario file at least once: each ask strategy, each dispatch
/// rule, both feed-in rules, every pricing rule, both priorities, both submission orders.
fn variants() -> Vec<(String, Loaded)> {
    let strategies = [
        AskStrategy::ZeroIntelligence,
        AskStrategy::Truthful,
        AskStrategy::GridPrice,
        AskStrategy::Fixed { price: 150_000 },
        AskStrategy::Fraction { fraction: 0.3 },
        AskStrategy::RothErev {
            levels: 5,
            recency: 0.1,
            experimentation: 0.2,
        },
    ];
    let mut out = Vec::new();
    for (n, strategy) in strategies.into_iter().enumerate() {
        let dispatch = match n % 3 {
            0 => Dispatch::Greedy,
            1 => Dispatch::Tou { reserve: 0.7 },
            _ => Dispatch::CommunityPeak {
                reserve: 0.5,
                forecast: if n == 2 {
                    Forecast::Persistence
                } else {
                    Forecast::Perfect
                },
            },
        };
        let feed_in = (n % 4 >= 2).then_some(90_000);
        let pricing = [
            PricingChoice::MarginalAsk,
            PricingChoice::LowestAsk,
            PricingChoice::MarginalBid,
            PricingChoice::PayAsBid,
            PricingChoice::Midpoint,
            PricingChoice::LowestAsk,
        ][n];
        // The rules' default priority, except submission order for the first marginal ask.
        let priority = (n == 0).then_some(PriorityChoice::Submission);
        let loaded = variant(100 + 20 * n as u32, 10_000, |s| {
            s.strategy = strategy;
            s.market.feed_in_price = feed_in;
            s.market.pricing = pricing;
            s.market.priority = priority;
            if n == 1 {
                s.market.submission_order = SubmissionOrder::Shuffled;
            }
            for group in &mut s.groups {
                if let Some(battery) = &mut group.battery {
                    battery.dispatch = dispatch;
                }
            }
        });
        let name = format!(
            "{strategy:?}, {dispatch:?}, feed-in {feed_in:?}, {pricing:?}, {priority:?}, shuffled {}",
            n == 1
        );
        out.push((name, loaded));
    }
    out
}

#[test]
fn every_model_option_balances_energy_and_only_the_signal_moves_energy() {
    for (name, loaded) in variants() {
        let hidden = ProgressBar::hidden();
        let (pv, _) = run_kind(&loaded, Kind::PvBattery, 96, None, true, &hidden).unwrap();
        let (p2p, _) = run_kind(&loaded, Kind::HybridP2p, 96, None, true, &hidden).unwrap();
        for run in [&pv, &p2p] {
            for (index, homes) in run.detail.as_ref().unwrap().iter().enumerate() {
                let (mut deficit, mut surplus) = (0u64, 0u64);
                for (step, bill) in homes {
                    assert_eq!(
                        step.load_wh + step.grid_charge_wh,
                        step.pv_used_wh
                            + step.discharge_wh
                            + bill.p2p_bought_wh
                            + bill.grid_bought_wh,
                        "{name}, interval {index}: {step:?} {bill:?}"
                    );
                    assert_eq!(
                        step.pv_wh + step.export_discharge_wh,
                        step.pv_used_wh + step.charge_wh + bill.p2p_sold_wh + bill.grid_sold_wh,
                        "{name}, interval {index}: {step:?} {bill:?}"
                    );
                    deficit += step.deficit_wh;
                    surplus += step.surplus_wh;
                }
                let record = &run.intervals[index];
                assert_eq!(
                    (record.net_import_wh, record.net_export_wh),
                    (
                        deficit.saturating_sub(surplus),
                        surplus.saturating_sub(deficit)
                    ),
                    "{name}, interval {index}"
                );
            }
        }
        // Uncoordinated dispatch does not depend on the market: P2P moves money, not energy.
        // Only the market's community signal changes what flows.
        let physical = |run: &simulator::run::Run| -> Vec<(u64, u64)> {
            run.intervals
                .iter()
                .map(|r| (r.net_import_wh, r.net_export_wh))
                .collect()
        };
        if name.contains("CommunityPeak") {
            assert_ne!(physical(&pv), physical(&p2p), "{name}");
            let exported: u64 = p2p.homes.iter().map(|h| h.energy.export_discharge_wh).sum();
            assert!(
                exported > 0,
                "{name}: coordinated batteries offer to neighbours"
            );
        } else {
            assert_eq!(physical(&pv), physical(&p2p), "{name}");
        }
        let traded: u64 = p2p.intervals.iter().map(|r| r.p2p_wh).sum();
        assert!(traded > 0, "{name}: no P2P trade in four days");
        if name.contains("Tou") {
            let grid_charged: u64 = p2p.homes.iter().map(|h| h.energy.grid_charge_wh).sum();
            assert!(
                grid_charged > 0,
                "{name}: time-of-use batteries charge off-peak"
            );
        }
    }
}

#[test]
fn drink_and_native_agree_for_every_model_option() {
    // Each variant's first two days through the real contracts and the market crate alone.
    let bundles = Bundles::load(&Bundles::default_dir())
        .expect("build the contracts first (scripts/build-contracts.sh)");
    let hidden = ProgressBar::hidden();
    for (name, loaded) in variants() {
        let (native, _) = run_kind(&loaded, Kind::HybridP2p, 48, None, true, &hidden).unwrap();
        let (drink, _) =
            run_kind(&loaded, Kind::HybridP2p, 48, Some(&bundles), true, &hidden).unwrap();
        assert_eq!(native.detail, drink.detail, "{name}");
        assert_eq!(native.intervals, drink.intervals, "{name}");
        assert_eq!(native.money, drink.money, "{name}");
    }
}

#[test]
fn parallel_sandboxes_reproduce_one_sandbox_and_stop_at_a_difference() {
    // Three days, so that each of two sandboxes replays at least one.
    let bundles = Bundles::load(&Bundles::default_dir())
        .expect("build the contracts first (scripts/build-contracts.sh)");
    let hidden = ProgressBar::hidden();
    let loaded = paper(160, 10_000);
    let areas: Vec<u8> = loaded.homes.iter().map(|h| h.area).collect();
    let (one, _) = run_kind(&loaded, Kind::HybridP2p, 72, Some(&bundles), true, &hidden).unwrap();
    let mut two = ParallelDrink::new(&bundles, &loaded.config, loaded.start_ms, &areas, 2).unwrap();
    let two = simulate(&loaded, Kind::HybridP2p, &mut two, 72, true, &hidden).unwrap();
    assert_eq!(one.detail, two.detail);
    assert_eq!(one.intervals, two.intervals);
    assert_eq!(one.money, two.money);
    let (one_cost, two_cost) = (one.on_chain.unwrap(), two.on_chain.unwrap());
    assert_eq!(one_cost.offers, two_cost.offers);
    assert_eq!(one_cost.closes, 72);
    assert_eq!(two_cost.closes, 72);
    assert!(two.sealing_cost.is_some_and(|cost| cost.same_result));

    // A market crate with another network fee than the contracts': the first interval with a
    // trade across areas differs, and the run stops with both outcomes.
    let other = NativeEngine::new(
        MarketConfig {
            auction: market::AuctionRules {
                grid_fee_per_kwh_step: 20_000,
                ..loaded.config.auction.clone()
            },
            ..loaded.config.clone()
        },
        loaded.start_ms,
        areas.clone(),
        true,
    )
    .unwrap();
    let mut checked =
        ParallelDrink::checked_against(other, &bundles, &loaded.config, loaded.start_ms, &areas, 2)
            .unwrap();
    let Err(error) = simulate(&loaded, Kind::HybridP2p, &mut checked, 72, false, &hidden) else {
        panic!("a market crate with another fee was not caught");
    };
    assert!(
        format!("{error:#}").contains("the contracts cleared"),
        "{error:#}"
    );
}

#[test]
fn energy_and_money_balance_in_every_interval() {
    // Three June days, with a network fee so that fees are exercised too.
    let loaded = paper(160, 10_000);
    for kind in Kind::ALL {
        let (run, _) = run_kind(&loaded, kind, 72, None, true, &ProgressBar::hidden()).unwrap();
        let mut traded = 0u64;
        for (index, homes) in run.detail.as_ref().unwrap().iter().enumerate() {
            let (mut paid, mut earned, mut bought, mut sold) = (0u128, 0u128, 0u64, 0u64);
            for (step, bill) in homes {
                // load = PV used + battery discharge + P2P bought + grid bought
                assert_eq!(
                    step.load_wh,
                    step.pv_used_wh + step.discharge_wh + bill.p2p_bought_wh + bill.grid_bought_wh,
                    "interval {index}: {step:?} {bill:?}"
                );
                // PV = PV used + battery charge + P2P sold + grid sold
                assert_eq!(
                    step.pv_wh,
                    step.pv_used_wh + step.charge_wh + bill.p2p_sold_wh + bill.grid_sold_wh,
                    "interval {index}: {step:?} {bill:?}"
                );
                paid += bill.p2p_paid;
                earned += bill.p2p_earned;
                bought += bill.p2p_bought_wh;
                sold += bill.p2p_sold_wh;
                if kind != Kind::HybridP2p {
                    assert_eq!(
                        bill.p2p_bought_wh + bill.p2p_sold_wh + bill.fees_paid as u64,
                        0
                    );
                }
            }
            // P2P payments equal P2P revenues; fees are billed on top, to the grid operator.
            assert_eq!(paid, earned, "interval {index}");
            assert_eq!(bought, sold, "interval {index}");
            assert_eq!(bought, run.intervals[index].p2p_wh);
            traded += bought;
        }
        if kind == Kind::HybridP2p {
            assert!(traded > 0, "June days must see P2P trades");
            let fees: u128 = run.homes.iter().map(|h| h.bill.fees_paid).sum();
            assert!(fees > 0, "trades across areas pay the network fee");
        }
        if kind == Kind::GridOnly {
            assert!(run
                .homes
                .iter()
                .all(|h| h.energy.pv_wh == 0 && h.bill.grid_bought_wh == h.energy.load_wh));
        }
    }
}

#[test]
fn drink_and_native_agree_for_fourteen_days() {
    // Two weeks of June through the real contracts and through the market crate alone:
    // every household's energy and money in every interval must be identical.
    let loaded = paper(160, 5_000);
    let bundles = Bundles::load(&Bundles::default_dir())
        .expect("build the contracts first (scripts/build-contracts.sh)");
    let intervals = 14 * 24;
    let hidden = ProgressBar::hidden();
    let (native, _) = run_kind(&loaded, Kind::HybridP2p, intervals, None, true, &hidden).unwrap();
    let (drink, engine) = run_kind(
        &loaded,
        Kind::HybridP2p,
        intervals,
        Some(&bundles),
        true,
        &hidden,
    )
    .unwrap();
    assert_eq!(engine, "drink");
    assert!(
        drink.calls > intervals as u64,
        "every interval went through the contracts"
    );
    assert_eq!(native.detail, drink.detail);
    assert_eq!(native.intervals, drink.intervals);
    assert_eq!(native.homes, drink.homes);
    // The money path too: the native engine runs `market::treasury`, the drink one p2g, which
    // stores the same treasury. Every home's credit, the operator's and the grid deposit's
    // rest agree to the unit.
    let money = native
        .money
        .as_ref()
        .expect("the native engine keeps the money");
    assert_eq!(Some(money), drink.money.as_ref());
    assert!(money.credits.iter().all(|credit| *credit > 0));
    assert!(money.operator > 0);
    let p2p: u64 = drink.intervals.iter().map(|r| r.p2p_wh).sum();
    assert!(p2p > 0, "the fortnight must include P2P trades");
}

/// The metered preset from `start_day` with offers forecast by `forecast`.
fn metered(start_day: u32, forecast: OfferForecast) -> Loaded {
    let mut scenario = Scenario::read(&scenarios_dir().join("metered.toml")).unwrap();
    scenario.start_day = start_day;
    if let Some(metering) = &mut scenario.metering {
        metering.forecast = forecast;
        metering.noise = 0.3;
    }
    scenario.load(&scenarios_dir()).unwrap()
}

#[test]
fn metered_runs_settle_what_the_meters_saw_on_both_engines() {
    // Two days in spring, each forecast model, through the real contracts and the market crate
    // alone: the same imbalances, bills and money to the unit.
    let bundles = Bundles::load(&Bundles::default_dir())
        .expect("build the contracts first (scripts/build-contracts.sh)");
    let hidden = ProgressBar::hidden();
    for forecast in [
        OfferForecast::Perfect,
        OfferForecast::Persistence,
        OfferForecast::Noisy,
    ] {
        let loaded = metered(100, forecast);
        let (native, _) = run_kind(&loaded, Kind::HybridP2p, 48, None, true, &hidden).unwrap();
        let (drink, _) =
            run_kind(&loaded, Kind::HybridP2p, 48, Some(&bundles), true, &hidden).unwrap();
        assert_eq!(native.detail, drink.detail, "{forecast:?}");
        assert_eq!(native.intervals, drink.intervals, "{forecast:?}");
        assert_eq!(native.homes, drink.homes, "{forecast:?}");
        assert_eq!(native.money, drink.money, "{forecast:?}");
        let on_chain = drink.on_chain.expect("drink measures its calls");
        assert_eq!(
            on_chain.reading_calls, 48,
            "one batch of readings per interval"
        );
        // Every home's meter agrees with its bill: what cleared plus the imbalance is what
        // flowed (for a home without an offer, its grid lines are what flowed).
        let (mut short, mut long) = (0u64, 0u64);
        for (index, homes) in native.detail.as_ref().unwrap().iter().enumerate() {
            for (step, bill) in homes {
                let out = bill.p2p_sold_wh + bill.grid_sold_wh + bill.imbalance_long_wh;
                let back = bill.p2p_bought_wh + bill.grid_bought_wh + bill.imbalance_short_wh;
                assert_eq!(
                    out as i64 - back as i64,
                    step.surplus_wh as i64 - step.deficit_wh as i64,
                    "{forecast:?}, interval {index}: {step:?} {bill:?}"
                );
                short += bill.imbalance_short_wh;
                long += bill.imbalance_long_wh;
            }
        }
        // Only a forecast that errs has imbalances; the persistence forecast errs both ways.
        match forecast {
            OfferForecast::Perfect => assert_eq!((short, long), (0, 0)),
            _ => assert!(
                short > 0 && long > 0,
                "{forecast:?}: {short} short, {long} long"
            ),
        }
        // The physical flows are the market's business neither way: the same as declared.
        let declared = {
            let mut scenario = loaded.scenario.clone();
            scenario.metering = None;
            scenario.load(&scenarios_dir()).unwrap()
        };
        let (plain, _) = run_kind(&declared, Kind::HybridP2p, 48, None, false, &hidden).unwrap();
        let physical = |run: &simulator::run::Run| -> Vec<(u64, u64)> {
            run.intervals
                .iter()
                .map(|r| (r.net_import_wh, r.net_export_wh))
                .collect()
        };
        assert_eq!(physical(&plain), physical(&native), "{forecast:?}");
        if forecast == OfferForecast::Perfect {
            // A perfect forecast clears what flows: the declared run's bills exactly.
            assert_eq!(plain.homes, native.homes);
        }
    }
}

#[test]
fn short_scenario_end_to_end() {
    let out = std::env::temp_dir().join(format!("simulator-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let cli = Cli {
        command: None,
        scenario: scenarios_dir().join("paper.toml"),
        out: out.clone(),
        start_day: Some(170),
        days: Some(2),
        engine: EngineChoice::Drink,
        bundles: None,
        jobs: Some(2),
        quiet: true,
        seeds: 1,
    };
    cli.run().unwrap();
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let on_chain = &report["hybrid_p2p"]["on_chain"];
    assert_eq!(on_chain["totals"]["closes"], 48, "{on_chain}");
    for kpi in [
        "ref_time_per_offer",
        "ref_time_per_close",
        "ref_time_per_settled_kwh",
    ] {
        assert!(on_chain[kpi].as_f64().unwrap() > 1e8, "{kpi}: {on_chain}");
    }
    assert!(report["grid_only"].get("on_chain").is_none());
    for file in [
        "report.json",
        "summary.csv",
        "timeseries.csv",
        "par.svg",
        "cost.svg",
        "duration.svg",
        "heatmap.svg",
        "soc.svg",
        "price.svg",
    ] {
        let size = std::fs::metadata(out.join(file)).unwrap().len();
        assert!(size > 100, "{file} is {size} bytes");
    }
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    for key in ["grid_only", "pv_battery", "hybrid_p2p"] {
        let scenario = &report[key];
        for field in [
            "par_physical",
            "par_metered",
            "par_physical_daily_mean",
            "par_metered_daily_mean",
            "peak_import_kw",
            "peak_export_kw",
            "net_import_kwh",
            "grid_import_kwh",
            "grid_export_kwh",
            "p2p_kwh",
            "p2p_mean_price",
            "self_sufficiency",
            "self_consumption",
            "savings_gini",
            "grid_operator_net_revenue_eur",
        ] {
            assert!(scenario[field].is_number(), "{key}.{field} missing");
        }
        for group in ["single", "student", "family"] {
            assert!(
                scenario["cost_eur"][group].is_number(),
                "{key}.cost_eur.{group} missing"
            );
        }
    }
    assert_eq!(
        report["hybrid_p2p"]["engine"],
        "drink (2 sandboxes, checked against the market crate)"
    );
    assert_eq!(report["costs_are_yearly"], false);
    assert!(report["assumptions"]["strategy"]
        .as_str()
        .unwrap()
        .contains("ZeroIntelligence"));
    // The base case saves nothing against itself.
    assert_eq!(report["grid_only"]["savings_eur"]["single"]["max"], 0.0);
    assert_eq!(report["paper"]["par"]["hybrid_p2p"], 3.6304);
    // Two days of hourly intervals for each of the three scenarios, plus the header.
    let rows = std::fs::read_to_string(out.join("timeseries.csv"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(rows, 1 + 3 * 48);
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn short_sweep_end_to_end() {
    let out = std::env::temp_dir().join(format!("simulator-sweep-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let args = SweepArgs {
        scenario: scenarios_dir().join("paper.toml"),
        out: out.clone(),
        days: Some(3),
        params: vec![
            Param {
                name: "pv_kwp".into(),
                values: vec!["2".into(), "8".into()],
            },
            Param {
                name: "battery_kwh".into(),
                values: vec!["5".into(), "10".into()],
            },
        ],
        jobs: Some(2),
    };
    let base = Scenario::read(&args.scenario).unwrap();
    let swept = sweep(&base, &scenarios_dir(), args.days, &args.params, 2).unwrap();
    assert_eq!(swept.points.len(), 4);
    // The same point run alone gives the same KPIs: threads do not change results.
    let alone = sweep(
        &base,
        &scenarios_dir(),
        args.days,
        &[
            Param {
                name: "pv_kwp".into(),
                values: vec!["8".into()],
            },
            Param {
                name: "battery_kwh".into(),
                values: vec!["10".into()],
            },
        ],
        1,
    )
    .unwrap();
    let mut last = swept.points[3].scenarios.clone();
    let mut single = alone.points[0].scenarios.clone();
    for kpis in last.values_mut().chain(single.values_mut()) {
        kpis.wall_seconds = 0.0;
    }
    assert_eq!(last, single);
    // More PV lowers the PV + battery households' import: the parameter reaches the run.
    let import = |i: usize| swept.points[i].scenarios["pv_battery"].net_import_kwh;
    assert!(import(2) < import(0), "{} !< {}", import(2), import(0));
    simulator::sweep::run(args).unwrap();
    for file in [
        "sweep.json",
        "sweep.csv",
        "sweep_pv_kwp.svg",
        "sweep_battery_kwh.svg",
    ] {
        let size = std::fs::metadata(out.join(file)).unwrap().len();
        assert!(size > 100, "{file} is {size} bytes");
    }
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 4 * 3, "{csv}");
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn bring_your_own_formats_load_and_agree_on_drink() {
    // The wide CSV and the gsy-e daily profiles of `scenarios/byo_example.toml`: five homes, a
    // week of hours, the same through the contracts as through the market crate.
    let scenario = Scenario::read(&scenarios_dir().join("byo_example.toml")).unwrap();
    let loaded = scenario.load(&scenarios_dir()).unwrap();
    assert_eq!(loaded.homes.len(), 5);
    assert_eq!(loaded.steps, 168);
    // The gsy-e file is mean power in W per hour: Wh equal W, repeated every day.
    let family = &loaded.homes[3].load;
    assert_eq!(family.at(0), family.at(24));
    let bundles = Bundles::load(&Bundles::default_dir()).unwrap();
    let hidden = ProgressBar::hidden();
    let (native, _) = run_kind(&loaded, Kind::HybridP2p, 48, None, true, &hidden).unwrap();
    let (drink, _) = run_kind(&loaded, Kind::HybridP2p, 48, Some(&bundles), true, &hidden).unwrap();
    assert_eq!(native.detail, drink.detail);
    assert_eq!(native.money, drink.money);
}

/// Every committed scenario file reads and loads, with its declared number of homes; the
/// community files give distinct households where they say so.
#[test]
fn every_committed_scenario_loads() {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(scenarios_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let scenario = Scenario::read(&path).unwrap();
            let declared: u32 = scenario.groups.iter().map(|g| g.count).sum();
            let loaded = scenario.load(&scenarios_dir()).unwrap();
            assert_eq!(loaded.homes.len(), declared as usize, "{}", path.display());
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            if name == "community_100" {
                let mut loads: Vec<&Vec<u64>> = loaded.homes.iter().map(|h| &h.load.wh).collect();
                loads.sort();
                loads.dedup();
                assert_eq!(
                    loads.len(),
                    100,
                    "every home of community_100 is its own household"
                );
            }
            if name == "community_1000" {
                let mut loads: Vec<&Vec<u64>> = loaded.homes.iter().map(|h| &h.load.wh).collect();
                loads.sort();
                loads.dedup();
                assert_eq!(loads.len(), 102, "community_1000 reuses the 102 households");
            }
            names.push(name);
        }
    }
    for expected in [
        "paper",
        "realistic",
        "community_30",
        "community_100",
        "community_1000",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected} is missing");
    }
}
