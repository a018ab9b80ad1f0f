//! Command line: which scenario, where to write, how long, on which engine.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use market_drink::Bundles;

use crate::{
    charts,
    engine::{DrinkEngine, Engine, NativeEngine, ParallelDrink},
    report::Report,
    run::{simulate, Kind, Run},
    scenario::{Loaded, Scenario},
    seeds::SeedSummary,
    sweep::SweepArgs,
};

/// Which engine clears the hybrid scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineChoice {
    /// The real contract bundles in drink's runtime.
    Drink,
    /// The shared market crate without a runtime.
    Native,
}

/// Replays a community's household profiles through the hybrid P2P market and two baselines,
/// and writes report.json, summary.csv, timeseries.csv, par.svg and cost.svg.
#[derive(Debug, Parser)]
#[command(version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// `sweep`: a grid over parameters instead of one scenario run.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The scenario file.
    #[arg(long, default_value = "scenarios/paper.toml")]
    pub scenario: PathBuf,
    /// Output directory.
    #[arg(long, default_value = "results/paper")]
    pub out: PathBuf,
    /// First day to simulate, from the data's first day (default: the scenario's, else 0).
    #[arg(long)]
    pub start_day: Option<u32>,
    /// Simulate only N days (default: the scenario's horizon, else all the data).
    #[arg(long)]
    pub days: Option<u32>,
    /// Engine of the hybrid P2P scenario (the baselines have no P2P market and settle with the
    /// tariff through the market crate).
    #[arg(long, value_enum, default_value_t = EngineChoice::Drink)]
    pub engine: EngineChoice,
    /// Directory of the contract bundles (default: target/ink).
    #[arg(long)]
    pub bundles: Option<PathBuf>,
    /// Drink sandboxes for the hybrid scenario (default: the machine's cores). With 1 the
    /// contracts' outcomes drive the run; with more the market crate drives it and each
    /// sandbox, on its own core, replays every `jobs`-th day and must reproduce every
    /// interval's bills exactly (the run stops at the first difference).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub jobs: Option<u64>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Run N seeds (the scenario's seed, then the next N - 1): report.json and the charts are
    /// of the first, seeds.json holds every KPI's mean and 95 % confidence interval.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub seeds: u64,
}

/// Subcommands beside the default run.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Runs a grid over scenario parameters natively, in parallel, and writes sweep.json,
    /// sweep.csv and one chart per swept parameter.
    Sweep(SweepArgs),
}

impl Cli {
    /// Runs the three scenarios and writes the report (or the sweep).
    ///
    /// # Errors
    /// Scenario, data, engine or I/O errors.
    pub fn run(self) -> anyhow::Result<()> {
        if let Some(Command::Sweep(args)) = self.command {
            return crate::sweep::run(args);
        }
        let mut scenario = Scenario::read(&self.scenario)?;
        if let Some(day) = self.start_day {
            scenario.start_day = day;
        }
        let loaded = scenario.load(self.scenario.parent().unwrap_or(".".as_ref()))?;
        let intervals = loaded.intervals(self.days);
        let bundles = match self.engine {
            EngineChoice::Drink => {
                let dir = self.bundles.clone().unwrap_or_else(Bundles::default_dir);
                Some(Bundles::load(&dir).context("the drink engine needs the built contracts")?)
            }
            EngineChoice::Native => None,
        };
        println!(
            "{}: {} households, {} intervals of {} min, hybrid engine: {:?}",
            loaded.scenario.name,
            loaded.homes.len(),
            intervals,
            loaded.config.interval_ms / 60_000,
            self.engine
        );
        let jobs = self.jobs.map_or_else(
            || std::thread::available_parallelism().map_or(1, usize::from),
            |jobs| jobs as usize,
        );
        let hybrid = match &bundles {
            Some(bundles) => Hybrid::Drink { bundles, jobs },
            None => Hybrid::Native,
        };
        let mut runs = Vec::new();
        for kind in Kind::ALL {
            let progress = progress_bar(intervals, kind, self.quiet);
            let (run, engine) = run_kind_on(&loaded, kind, intervals, hybrid, false, &progress)?;
            progress.finish_and_clear();
            println!(
                "  {:<10} {:>8.1} s on {engine}{}",
                kind.key(),
                run.seconds,
                if run.calls > 0 {
                    format!(
                        ", {} contract calls ({:.0}/s)",
                        run.calls,
                        run.calls as f64 / run.seconds
                    )
                } else {
                    String::new()
                }
            );
            if let Some(cost) = &run.on_chain {
                println!(
                    "  weight: {:.3e} ref_time per offer ({} offers), {:.3e} per interval closed ({} closes, {} steps)",
                    cost.offer_ref_time as f64 / cost.offers.max(1) as f64,
                    cost.offers,
                    cost.close_ref_time as f64 / cost.closes.max(1) as f64,
                    cost.closes,
                    cost.close_steps
                );
            }
            if let Some(cost) = &run.sealing_cost {
                println!(
                    "  sealed mode, measured once on interval {} ({} offers): {} calls, {:.3e} ref_time, against {} calls, {:.3e} open ({:.2}x); same result: {}",
                    cost.interval,
                    cost.offers,
                    cost.sealed_calls,
                    cost.sealed_ref_time as f64,
                    cost.open_calls,
                    cost.open_ref_time as f64,
                    cost.sealed_ref_time as f64 / cost.open_ref_time.max(1) as f64,
                    if cost.same_result { "yes" } else { "NO" }
                );
            }
            runs.push((run, engine));
        }
        let report = Report::new(&loaded, &runs);
        report.write(&self.out, &runs)?;
        charts::write(&self.out, &report, &runs, loaded.config.interval_ms)?;
        println!("\n{}", report.table());
        if self.seeds > 1 {
            let first = loaded.scenario.seed;
            let mut reports = vec![report];
            for seed in first + 1..first + self.seeds {
                let mut again = loaded.clone();
                again.scenario.seed = seed;
                let runs = Kind::ALL
                    .into_iter()
                    .map(|kind| {
                        let hidden = ProgressBar::hidden();
                        run_kind_on(&again, kind, intervals, hybrid, false, &hidden)
                    })
                    .collect::<anyhow::Result<Vec<_>>>()?;
                reports.push(Report::new(&again, &runs));
            }
            let summary = SeedSummary::new((first..first + self.seeds).collect(), &reports);
            summary.write(&self.out)?;
            println!("{}", summary.table());
        }
        println!(
            "wrote {}/{{report.json,summary.csv,timeseries.csv,par.svg,cost.svg,duration.svg,heatmap.svg,soc.svg,price.svg{}{}}}",
            self.out.display(),
            if loaded.scenario.metering.is_some() {
                ",metering.svg"
            } else {
                ""
            },
            if self.seeds > 1 { ",seeds.json" } else { "" }
        );

        Ok(())
    }
}

/// Where the hybrid scenario clears.
#[derive(Clone, Copy)]
pub enum Hybrid<'a> {
    /// The market crate.
    Native,
    /// The contracts in `jobs` drink sandboxes (one: [`DrinkEngine`], more: [`ParallelDrink`]).
    Drink {
        /// The contract bundles.
        bundles: &'a Bundles,
        /// Sandboxes, one thread each.
        jobs: usize,
    },
}

/// Runs one scenario kind: the hybrid one on drink in one sandbox when bundles are given, else
/// natively; the baselines natively without P2P.
///
/// # Errors
/// Engine errors.
pub fn run_kind(
    loaded: &Loaded,
    kind: Kind,
    intervals: usize,
    bundles: Option<&Bundles>,
    keep_detail: bool,
    progress: &ProgressBar,
) -> anyhow::Result<(Run, String)> {
    let hybrid = match bundles {
        Some(bundles) => Hybrid::Drink { bundles, jobs: 1 },
        None => Hybrid::Native,
    };
    run_kind_on(loaded, kind, intervals, hybrid, keep_detail, progress)
}

/// Runs one scenario kind, the hybrid one on `hybrid`, the baselines natively without P2P.
///
/// # Errors
/// Engine errors.
pub fn run_kind_on(
    loaded: &Loaded,
    kind: Kind,
    intervals: usize,
    hybrid: Hybrid<'_>,
    keep_detail: bool,
    progress: &ProgressBar,
) -> anyhow::Result<(Run, String)> {
    let areas: Vec<u8> = loaded.homes.iter().map(|h| h.area).collect();
    let parallel_name;
    let (mut engine, name): (Box<dyn Engine>, &str) = match (kind, hybrid) {
        (Kind::HybridP2p, Hybrid::Drink { bundles, jobs: 1 }) => (
            Box::new(DrinkEngine::new(
                bundles,
                &loaded.config,
                loaded.start_ms,
                &areas,
            )?),
            "drink",
        ),
        (Kind::HybridP2p, Hybrid::Drink { bundles, jobs }) => {
            parallel_name = format!("drink ({jobs} sandboxes, checked against the market crate)");
            (
                Box::new(ParallelDrink::new(
                    bundles,
                    &loaded.config,
                    loaded.start_ms,
                    &areas,
                    jobs,
                )?),
                parallel_name.as_str(),
            )
        }
        (Kind::HybridP2p, Hybrid::Native) => (
            Box::new(NativeEngine::new(
                loaded.config.clone(),
                loaded.start_ms,
                areas,
                true,
            )?),
            "native",
        ),
        _ => (
            Box::new(NativeEngine::new(
                loaded.config.clone(),
                loaded.start_ms,
                areas,
                false,
            )?),
            "native (no P2P)",
        ),
    };
    let run = simulate(
        loaded,
        kind,
        engine.as_mut(),
        intervals,
        keep_detail,
        progress,
    )?;
    Ok((run, name.to_string()))
}

fn progress_bar(intervals: usize, kind: Kind, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(intervals as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "  {prefix:<10} [{bar:40}] {pos}/{len} intervals, {per_sec}, ETA {eta}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_prefix(kind.key());
    bar
}
