//! `simulator sweep`: a grid over scenario parameters, run natively in parallel, with one chart
//! per swept parameter.
//!
//! Every point of the grid (the Cartesian product of the `--param` lists) is the base scenario
//! with those values set, run through all three scenarios (grid-only, PV + battery, hybrid P2P)
//! on the native engine, which computes what the contracts compute (the drink equality tests
//! show it). Points run on `--jobs` threads; each point is independent, so the results do not
//! depend on the number of threads.
//!
//! Output: `sweep.json` (every point's parameters and KPIs of the three scenarios),
//! `sweep.csv` (one row per point and scenario) and `sweep_<param>.svg` per parameter: physical
//! PAR and mean cost per group against the parameter's values, each value's figure the mean
//! over the points that share it (over the other parameters' values, when several are swept).

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Mutex,
    },
};

use anyhow::{anyhow, bail, ensure, Context};
use clap::Args;
use indicatif::ProgressBar;
use plotters::prelude::*;
use serde::Serialize;

use crate::{
    cli::run_kind,
    report::{Report, ScenarioKpis},
    run::Kind,
    scenario::{AskStrategy, PricingChoice, PriorityChoice, Scenario, SubmissionOrder},
};

/// Arguments of `simulator sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The base scenario.
    #[arg(long, default_value = "scenarios/paper.toml")]
    pub scenario: PathBuf,
    /// Output directory.
    #[arg(long, default_value = "results/sweep")]
    pub out: PathBuf,
    /// Simulate only N days of each point (default: the scenario's horizon).
    #[arg(long)]
    pub days: Option<u32>,
    /// A swept parameter and its values, `NAME=v1,v2,...`; repeat for a grid. Names:
    /// `pv_kwp` (every group with PV), `battery_kwh` (every battery's capacity; power kept),
    /// `homes_per_group` (every group's count; needs that many profiles), `ask`
    /// (`zero_intelligence`, `truthful`, `grid_price`), `pricing` (`lowest_ask`,
    /// `marginal_ask`, `marginal_bid`, `midpoint`, `pay_as_bid`), `priority` (`price_time`,
    /// `submission`), `submission_order` (`by_home`, `shuffled`), `seed`, and for a scenario
    /// with `[metering]`: `forecast` (`perfect`, `persistence`, `noisy`), `noise` (0 to 1),
    /// `imbalance_bps`.
    #[arg(long = "param", required = true, value_parser = parse_param)]
    pub params: Vec<Param>,
    /// Threads (default: the machine's cores).
    #[arg(long)]
    pub jobs: Option<usize>,
}

/// One swept parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Its name.
    pub name: String,
    /// Its values, as written.
    pub values: Vec<String>,
}

fn parse_param(text: &str) -> Result<Param, String> {
    let (name, values) = text
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=v1,v2,..., got {text:?}"))?;
    let values: Vec<String> = values
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    if values.is_empty() {
        return Err(format!("{name}: no values"));
    }
    Ok(Param {
        name: name.trim().to_string(),
        values,
    })
}

/// Sets `name = value` in `scenario`.
///
/// # Errors
/// An unknown parameter or a value that does not parse.
pub fn apply(scenario: &mut Scenario, name: &str, value: &str) -> anyhow::Result<()> {
    let number = || {
        value
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| anyhow!("{name}: {value:?} is not a non-negative number"))
    };
    match name {
        "pv_kwp" => {
            let kwp = number()?;
            let mut any = false;
            for group in scenario.groups.iter_mut().filter(|g| g.pv.is_some()) {
                group.pv_kwp = kwp;
                any = true;
            }
            ensure!(any, "pv_kwp: no group of the scenario has PV");
        }
        "battery_kwh" => {
            let wh = (number()? * 1000.0).round() as u64;
            let mut any = false;
            for battery in scenario.groups.iter_mut().filter_map(|g| g.battery.as_mut()) {
                battery.capacity_wh = wh;
                any = true;
            }
            ensure!(any, "battery_kwh: no group of the scenario has a battery");
        }
        "homes_per_group" => {
            let count: u32 = value
                .parse()
                .map_err(|_| anyhow!("homes_per_group: {value:?} is not a whole number"))?;
            ensure!(count > 0, "homes_per_group: at least 1");
            for group in &mut scenario.groups {
                group.count = count;
            }
        }
        "seed" => {
            scenario.seed = value
                .parse()
                .map_err(|_| anyhow!("seed: {value:?} is not a whole number"))?;
        }
        "ask" => {
            scenario.strategy = toml::from_str::<AskStrategy>(&format!("ask = {value:?}"))
                .map_err(|e| anyhow!("ask: {value:?}: {}", e.message()))?;
        }
        "pricing" => {
            #[derive(serde::Deserialize)]
            struct Pricing {
                pricing: PricingChoice,
            }
            scenario.market.pricing = toml::from_str::<Pricing>(&format!("pricing = {value:?}"))
                .map_err(|e| anyhow!("pricing: {value:?}: {}", e.message()))?
                .pricing;
        }
        "priority" => {
            #[derive(serde::Deserialize)]
            struct Order {
                priority: PriorityChoice,
            }
            scenario.market.priority = Some(
                toml::from_str::<Order>(&format!("priority = {value:?}"))
                    .map_err(|e| anyhow!("priority: {value:?}: {}", e.message()))?
                    .priority,
            );
        }
        "submission_order" => {
            #[derive(serde::Deserialize)]
            struct Order {
                submission_order: SubmissionOrder,
            }
            scenario.market.submission_order =
                toml::from_str::<Order>(&format!("submission_order = {value:?}"))
                    .map_err(|e| anyhow!("submission_order: {value:?}: {}", e.message()))?
                    .submission_order;
        }
        "forecast" | "noise" | "imbalance_bps" => {
            let metering = scenario
                .metering
                .as_mut()
                .ok_or_else(|| anyhow!("{name}: the scenario has no [metering]"))?;
            match name {
                "forecast" => {
                    #[derive(serde::Deserialize)]
                    struct Forecast {
                        forecast: crate::scenario::OfferForecast,
                    }
                    metering.forecast =
                        toml::from_str::<Forecast>(&format!("forecast = {value:?}"))
                            .map_err(|e| anyhow!("forecast: {value:?}: {}", e.message()))?
                            .forecast;
                }
                "noise" => {
                    let noise = number()?;
                    ensure!(noise <= 1.0, "noise: at most 1");
                    metering.noise = noise;
                }
                _ => {
                    metering.imbalance_bps = value
                        .parse()
                        .map_err(|_| anyhow!("imbalance_bps: {value:?} is not a whole number"))?;
                }
            }
        }
        _ => bail!(
            "unknown sweep parameter {name:?} (pv_kwp, battery_kwh, homes_per_group, ask, pricing, priority, submission_order, seed, forecast, noise, imbalance_bps)"
        ),
    }
    Ok(())
}

/// One point of the grid and what it measured.
#[derive(Debug, Clone, Serialize)]
pub struct Point {
    /// The parameters' values, by name.
    pub params: BTreeMap<String, String>,
    /// Households simulated.
    pub households: usize,
    /// KPIs per scenario: `grid_only`, `pv_battery`, `hybrid_p2p`.
    pub scenarios: BTreeMap<String, ScenarioKpis>,
}

/// A finished sweep.
#[derive(Debug, Clone, Serialize)]
pub struct Sweep {
    /// The base scenario's name.
    pub scenario: String,
    /// Days simulated per point.
    pub days: f64,
    /// Whether costs are yearly.
    pub costs_are_yearly: bool,
    /// The swept parameters, in command-line order.
    pub params: Vec<(String, Vec<String>)>,
    /// Every point, in grid order (the last parameter varies fastest).
    pub points: Vec<Point>,
    /// Threads used.
    pub jobs: usize,
    /// Wall time of the whole sweep, seconds.
    pub wall_seconds: f64,
}

/// The grid: every combination of the parameters' values, the last varying fastest.
pub fn grid(params: &[Param]) -> Vec<Vec<(String, String)>> {
    let mut points = vec![Vec::new()];
    for param in params {
        points = points
            .into_iter()
            .flat_map(|point| {
                param.values.iter().map(move |value| {
                    let mut next = point.clone();
                    next.push((param.name.clone(), value.clone()));
                    next
                })
            })
            .collect();
    }
    points
}

/// What one point produced: its KPIs and its full report (the first point's names the sweep's
/// horizon).
type PointResult = anyhow::Result<(Point, Report)>;

/// Runs one point: the base scenario with `values` set, all three scenarios natively.
fn run_point(
    base: &Scenario,
    dir: &Path,
    days: Option<u32>,
    values: &[(String, String)],
) -> anyhow::Result<(Point, Report)> {
    let mut scenario = base.clone();
    for (name, value) in values {
        apply(&mut scenario, name, value)?;
    }
    let loaded = scenario.load(dir)?;
    let intervals = loaded.intervals(days);
    let hidden = ProgressBar::hidden();
    let runs = Kind::ALL
        .into_iter()
        .map(|kind| run_kind(&loaded, kind, intervals, None, false, &hidden))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let report = Report::new(&loaded, &runs);
    let point = Point {
        params: values.iter().cloned().collect(),
        households: report.households,
        scenarios: report.scenarios.clone(),
    };
    Ok((point, report))
}

/// Runs every point of the grid on `jobs` threads.
///
/// # Errors
/// A parameter or scenario error, at the first point that has one.
pub fn sweep(
    base: &Scenario,
    dir: &Path,
    days: Option<u32>,
    params: &[Param],
    jobs: usize,
) -> anyhow::Result<Sweep> {
    let began = std::time::Instant::now();
    let mut seen = std::collections::BTreeSet::new();
    for param in params {
        ensure!(seen.insert(&param.name), "{} swept twice", param.name);
        // Check every value before spending time on the grid.
        for value in &param.values {
            apply(&mut base.clone(), &param.name, value)?;
        }
    }
    let points = grid(params);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<PointResult>>> =
        Mutex::new((0..points.len()).map(|_| None).collect());
    let jobs = jobs.clamp(1, points.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(values) = points.get(index) else {
                    break;
                };
                let result = run_point(base, dir, days, values);
                if let Ok(mut slots) = results.lock() {
                    slots[index] = Some(result);
                }
            });
        }
    });
    let mut done = Vec::with_capacity(points.len());
    let mut first_report = None;
    for (index, result) in results
        .into_inner()
        .map_err(|_| anyhow!("a sweep thread panicked"))?
        .into_iter()
        .enumerate()
    {
        let (point, report) = result
            .ok_or_else(|| anyhow!("point {index} did not run"))?
            .with_context(|| format!("sweep point {:?}", points[index]))?;
        first_report.get_or_insert(report);
        done.push(point);
    }
    let first = first_report.ok_or_else(|| anyhow!("an empty grid"))?;
    Ok(Sweep {
        scenario: base.name.clone(),
        days: first.days,
        costs_are_yearly: first.costs_are_yearly,
        params: params
            .iter()
            .map(|p| (p.name.clone(), p.values.clone()))
            .collect(),
        points: done,
        jobs,
        wall_seconds: began.elapsed().as_secs_f64(),
    })
}

impl Sweep {
    /// Writes `sweep.json`, `sweep.csv` and one `sweep_<param>.svg` per parameter into `dir`.
    ///
    /// # Errors
    /// I/O or drawing errors.
    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        std::fs::write(dir.join("sweep.json"), serde_json::to_string_pretty(self)?)?;
        std::fs::write(dir.join("sweep.csv"), self.csv())?;
        for (name, values) in &self.params {
            let path = dir.join(format!("sweep_{name}.svg"));
            self.chart(&path, name, values)
                .map_err(|e| anyhow!("{}: {e}", path.display()))?;
        }
        Ok(())
    }

    fn groups(&self) -> Vec<String> {
        self.points
            .first()
            .and_then(|p| p.scenarios.get(Kind::HybridP2p.key()))
            .map(|k| k.cost_eur.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// One row per point and scenario.
    pub fn csv(&self) -> String {
        let groups = self.groups();
        let mut out = String::new();
        for (name, _) in &self.params {
            out.push_str(name);
            out.push(',');
        }
        out.push_str("scenario,households,par_physical,par_metered,peak_import_kw,peak_export_kw,self_sufficiency,p2p_kwh");
        for group in &groups {
            out.push_str(&format!(",cost_eur_{group}"));
        }
        out.push('\n');
        for point in &self.points {
            for (kind, kpis) in &point.scenarios {
                for (name, _) in &self.params {
                    out.push_str(point.params.get(name).map_or("", String::as_str));
                    out.push(',');
                }
                out.push_str(&format!(
                    "{kind},{},{:.4},{:.4},{:.3},{:.3},{:.4},{:.3}",
                    point.households,
                    kpis.par_physical,
                    kpis.par_metered,
                    kpis.peak_import_kw,
                    kpis.peak_export_kw,
                    kpis.self_sufficiency,
                    kpis.p2p_kwh
                ));
                for group in &groups {
                    out.push_str(&format!(
                        ",{:.2}",
                        kpis.cost_eur.get(group).copied().unwrap_or(0.0)
                    ));
                }
                out.push('\n');
            }
        }
        out
    }

    /// Mean of `kpi` of scenario `kind` over the points where `name` has `value`.
    fn mean_at(
        &self,
        name: &str,
        value: &str,
        kind: &str,
        kpi: impl Fn(&ScenarioKpis) -> f64,
    ) -> f64 {
        let values: Vec<f64> = self
            .points
            .iter()
            .filter(|p| p.params.get(name).map(String::as_str) == Some(value))
            .filter_map(|p| p.scenarios.get(kind).map(&kpi))
            .collect();
        values.iter().sum::<f64>() / values.len().max(1) as f64
    }

    fn chart(
        &self,
        path: &Path,
        name: &str,
        values: &[String],
    ) -> Result<(), Box<dyn std::error::Error>> {
        const COLORS: [RGBColor; 6] = [
            RGBColor(120, 120, 120),
            RGBColor(230, 159, 0),
            RGBColor(0, 114, 178),
            RGBColor(0, 158, 115),
            RGBColor(204, 121, 167),
            RGBColor(213, 94, 0),
        ];
        let root = SVGBackend::new(path, (1100, 440)).into_drawing_area();
        root.fill(&WHITE)?;
        let (left, right) = root.split_horizontally(550);
        let averaged = self.points.len() / values.len().max(1);
        let x_max = values.len().saturating_sub(1).max(1) as f64;
        let label = |x: &f64| {
            let slot = x.round();
            if (x - slot).abs() < 0.01 {
                values.get(slot as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        let suffix = if averaged > 1 {
            format!(" (mean of {averaged} points each)")
        } else {
            String::new()
        };
        // Left: physical PAR of the three scenarios.
        let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.key()).collect();
        let par: Vec<Vec<f64>> = kinds
            .iter()
            .map(|kind| {
                values
                    .iter()
                    .map(|v| self.mean_at(name, v, kind, |k| k.par_physical))
                    .collect()
            })
            .collect();
        let top = par.iter().flatten().copied().fold(0.0, f64::max) * 1.15;
        let mut chart = ChartBuilder::on(&left)
            .caption(
                format!("Physical PAR by {name}{suffix}"),
                ("sans-serif", 16),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(-0.2f64..x_max + 0.2, 0f64..top.max(0.1))?;
        chart
            .configure_mesh()
            .x_desc(name)
            .y_desc("PAR (physical)")
            .x_label_formatter(&label)
            .x_labels(values.len().max(2) * 4)
            .draw()?;
        let lines: Vec<(&str, &[f64])> = kinds
            .iter()
            .copied()
            .zip(par.iter().map(Vec::as_slice))
            .collect();
        draw_lines(&mut chart, &lines, &COLORS, SeriesLabelPosition::LowerRight)?;
        // Right: hybrid P2P cost per household of each group.
        let groups = self.groups();
        let hybrid = Kind::HybridP2p.key();
        let cost: Vec<Vec<f64>> = groups
            .iter()
            .map(|group| {
                values
                    .iter()
                    .map(|v| {
                        self.mean_at(name, v, hybrid, |k| {
                            k.cost_eur.get(group).copied().unwrap_or(0.0)
                        })
                    })
                    .collect()
            })
            .collect();
        let high = cost.iter().flatten().copied().fold(0.0, f64::max);
        let low = cost.iter().flatten().copied().fold(0.0, f64::min);
        let span = (high - low).max(1.0);
        let period = if self.costs_are_yearly {
            "per year".to_string()
        } else {
            format!("over {:.0} days, not yearly", self.days)
        };
        let mut chart = ChartBuilder::on(&right)
            .caption(
                format!("Hybrid P2P cost per household, {period}"),
                ("sans-serif", 16),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(-0.2f64..x_max + 0.2, low - 0.1 * span..high + 0.15 * span)?;
        chart
            .configure_mesh()
            .x_desc(name)
            .y_desc("EUR")
            .x_label_formatter(&label)
            .x_labels(values.len().max(2) * 4)
            .draw()?;
        let lines: Vec<(&str, &[f64])> = groups
            .iter()
            .map(String::as_str)
            .zip(cost.iter().map(Vec::as_slice))
            .collect();
        draw_lines(
            &mut chart,
            &lines,
            &COLORS[3..],
            SeriesLabelPosition::UpperRight,
        )?;
        root.present()?;
        Ok(())
    }

    /// A short table of the hybrid scenario's KPIs per point.
    pub fn table(&self) -> String {
        let groups = self.groups();
        let mut out = String::new();
        let header: Vec<String> = self.params.iter().map(|(n, _)| n.clone()).collect();
        out.push_str(&format!(
            "{:<28} {:>9} {:>9} {:>9}",
            header.join(" "),
            "PAR hyb",
            "PAR grid",
            "peak kW"
        ));
        for group in &groups {
            out.push_str(&format!(" {:>10}", format!("{group} EUR")));
        }
        out.push('\n');
        for point in &self.points {
            let values: Vec<&str> = self
                .params
                .iter()
                .map(|(n, _)| point.params.get(n).map_or("", String::as_str))
                .collect();
            let hybrid = &point.scenarios[Kind::HybridP2p.key()];
            let grid = &point.scenarios[Kind::GridOnly.key()];
            out.push_str(&format!(
                "{:<28} {:>9.3} {:>9.3} {:>9.1}",
                values.join(" "),
                hybrid.par_physical,
                grid.par_physical,
                hybrid.peak_import_kw
            ));
            for group in &groups {
                out.push_str(&format!(
                    " {:>10.2}",
                    hybrid.cost_eur.get(group).copied().unwrap_or(0.0)
                ));
            }
            out.push('\n');
        }
        out
    }
}

type SweepChart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// Draws each `(label, values)` as a line with dots at x = 0, 1, ..., and the legend.
fn draw_lines<'a>(
    chart: &mut SweepChart<'a, 'a>,
    lines: &[(&str, &[f64])],
    colors: &[RGBColor],
    legend: SeriesLabelPosition,
) -> Result<(), Box<dyn std::error::Error>> {
    for (&(label, series), &color) in lines.iter().zip(colors.iter().cycle()) {
        chart
            .draw_series(LineSeries::new(
                series.iter().enumerate().map(|(i, y)| (i as f64, *y)),
                color.stroke_width(2),
            ))?
            .label(label)
            .legend(crate::charts::legend_line(color.stroke_width(2)));
        chart.draw_series(
            series
                .iter()
                .enumerate()
                .map(|(i, y)| Circle::new((i as f64, *y), 3, color.filled())),
        )?;
    }
    crate::charts::draw_legend(chart, legend)?;
    Ok(())
}

/// Runs `simulator sweep`.
///
/// # Errors
/// Scenario, parameter or I/O errors.
pub fn run(args: SweepArgs) -> anyhow::Result<()> {
    let base = Scenario::read(&args.scenario)?;
    let dir = args.scenario.parent().unwrap_or(".".as_ref()).to_path_buf();
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    let points: usize = args.params.iter().map(|p| p.values.len()).product();
    println!(
        "{}: sweep of {points} points on {jobs} threads, native engine",
        base.name
    );
    let result = sweep(&base, &dir, args.days, &args.params, jobs)?;
    result.write(&args.out)?;
    println!("{}", result.table());
    println!(
        "{} points in {:.1} s; wrote {}/{{sweep.json,sweep.csv,{}}}",
        result.points.len(),
        result.wall_seconds,
        args.out.display(),
        result
            .params
            .iter()
            .map(|(n, _)| format!("sweep_{n}.svg"))
            .collect::<Vec<_>>()
            .join(",")
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_is_the_cartesian_product_last_fastest() {
        let params = [
            parse_param("a=1,2").unwrap(),
            parse_param("b=x,y,z").unwrap(),
        ];
        let points = grid(&params);
        assert_eq!(points.len(), 6);
        assert_eq!(
            points[0],
            vec![("a".into(), "1".into()), ("b".into(), "x".into())]
        );
        assert_eq!(
            points[1],
            vec![("a".into(), "1".into()), ("b".into(), "y".into())]
        );
        assert_eq!(
            points[5],
            vec![("a".into(), "2".into()), ("b".into(), "z".into())]
        );
    }

    #[test]
    fn bad_params_are_refused() {
        assert!(parse_param("pv_kwp").is_err());
        assert!(parse_param("pv_kwp=").is_err());
        let mut scenario = Scenario::read(Path::new("../scenarios/paper.toml")).unwrap();
        assert!(apply(&mut scenario, "colour", "blue").is_err());
        assert!(apply(&mut scenario, "pv_kwp", "-1").is_err());
        assert!(apply(&mut scenario, "pv_kwp", "many").is_err());
        assert!(apply(&mut scenario, "ask", "generous").is_err());
        assert!(apply(&mut scenario, "pricing", "cheapest").is_err());
        assert!(apply(&mut scenario, "homes_per_group", "0").is_err());
        apply(&mut scenario, "pv_kwp", "7.5").unwrap();
        apply(&mut scenario, "battery_kwh", "10").unwrap();
        apply(&mut scenario, "ask", "grid_price").unwrap();
        apply(&mut scenario, "pricing", "marginal_ask").unwrap();
        let family = scenario.groups.iter().find(|g| g.pv.is_some()).unwrap();
        assert_eq!(family.pv_kwp, 7.5);
        assert_eq!(family.battery.unwrap().capacity_wh, 10_000);
        assert_eq!(scenario.strategy, AskStrategy::GridPrice);
        assert_eq!(scenario.market.pricing, PricingChoice::MarginalAsk);
        assert_eq!(scenario.market.priority(), market::Priority::PriceTime);
        assert!(apply(&mut scenario, "priority", "random").is_err());
        apply(&mut scenario, "priority", "submission").unwrap();
        assert_eq!(scenario.market.priority, Some(PriorityChoice::Submission));
        assert_eq!(scenario.market.priority(), market::Priority::Submission);
        assert!(apply(&mut scenario, "submission_order", "alphabetical").is_err());
        apply(&mut scenario, "submission_order", "shuffled").unwrap();
        assert_eq!(scenario.market.submission_order, SubmissionOrder::Shuffled);
    }
}
