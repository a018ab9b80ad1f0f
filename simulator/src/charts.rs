//! The report's charts as SVG: `par.svg` (the paper's Fig. 2: PAR per scenario, physical and
//! metered, and the mean daily curve of the physical net import), `cost.svg` (Fig. 3: mean
//! cost per household of each group per scenario, beside the paper's figures) and
//! `duration.svg` (load-duration curves of the physical net import and export), `heatmap.svg`
//! (hour of day x day of the hybrid run's physical net import), `soc.svg` (the batteries' stored
//! energy over the week of the import peak), `price.svg` (P2P clearing price against the grid
//! price per interval) and, for a metered scenario, `metering.svg` (the offering homes' cleared
//! against their metered net export over the first week, with the imbalances).

use std::path::Path;

use anyhow::anyhow;
use plotters::prelude::*;

use crate::{
    report::{Report, UNITS_PER_EUR},
    run::Run,
};

const SCENARIO_COLORS: [RGBColor; 3] = [
    RGBColor(120, 120, 120),
    RGBColor(230, 159, 0),
    RGBColor(0, 114, 178),
];
const PAPER_COLORS: [RGBColor; 2] = [RGBColor(200, 200, 200), RGBColor(150, 190, 220)];

/// Writes `par.svg`, `cost.svg`, `duration.svg`, `heatmap.svg`, `soc.svg` and `price.svg`
/// into `dir`.
///
/// # Errors
/// Drawing or I/O errors.
pub fn write(
    dir: &Path,
    report: &Report,
    runs: &[(Run, String)],
    interval_ms: u64,
) -> anyhow::Result<()> {
    par_chart(&dir.join("par.svg"), report, runs, interval_ms)
        .map_err(|e| anyhow!("par.svg: {e}"))?;
    cost_chart(&dir.join("cost.svg"), report).map_err(|e| anyhow!("cost.svg: {e}"))?;
    duration_chart(&dir.join("duration.svg"), runs, interval_ms)
        .map_err(|e| anyhow!("duration.svg: {e}"))?;
    heatmap_chart(&dir.join("heatmap.svg"), runs, interval_ms)
        .map_err(|e| anyhow!("heatmap.svg: {e}"))?;
    soc_chart(&dir.join("soc.svg"), runs, interval_ms).map_err(|e| anyhow!("soc.svg: {e}"))?;
    price_chart(&dir.join("price.svg"), runs, interval_ms)
        .map_err(|e| anyhow!("price.svg: {e}"))?;
    let metered = report
        .scenarios
        .get(crate::run::Kind::HybridP2p.key())
        .is_some_and(|k| k.imbalance.is_some());
    if metered {
        metering_chart(&dir.join("metering.svg"), runs, interval_ms)
            .map_err(|e| anyhow!("metering.svg: {e}"))?;
    }
    Ok(())
}

type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// A legend entry: a short line in `style`.
pub(crate) fn legend_line(style: ShapeStyle) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style)
}

/// Draws the series' labels at `position`, in every chart's legend style.
pub(crate) fn draw_legend<'a, 'b: 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, SVGBackend<'b>, CT>,
    position: SeriesLabelPosition,
) -> DrawResult {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}

/// Bar charts put slot `i` on `[i, i + 1)`: the tick in the middle of a slot carries its label.
fn slot_label(labels: &[String], x: f64) -> String {
    let slot = x.floor() as usize;
    if (x - slot as f64 - 0.5).abs() < 0.26 {
        labels.get(slot).cloned().unwrap_or_default()
    } else {
        String::new()
    }
}

fn par_chart(path: &Path, report: &Report, runs: &[(Run, String)], interval_ms: u64) -> DrawResult {
    let root = SVGBackend::new(path, (1300, 460)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(620);

    // Left: PAR per scenario, physical (solid) and metered (pale), then the paper's figures.
    let mut bars: Vec<(String, f64, RGBColor)> = Vec::new();
    for ((run, _), color) in runs.iter().zip(SCENARIO_COLORS) {
        let kpis = &report.scenarios[run.kind.key()];
        let RGBColor(r, g, b) = color;
        let pale = RGBColor(r / 2 + 128, g / 2 + 128, b / 2 + 128);
        bars.push((format!("{} phys.", short(run)), kpis.par_physical, color));
        bars.push((format!("{} meter", short(run)), kpis.par_metered, pale));
    }
    bars.push((
        "paper conv.".into(),
        report.paper.par["conventional"],
        PAPER_COLORS[0],
    ));
    bars.push((
        "paper P2P".into(),
        report.paper.par["hybrid_p2p"],
        PAPER_COLORS[1],
    ));
    let top = bars.iter().map(|b| b.1).fold(0.0, f64::max) * 1.15;
    let mut chart = ChartBuilder::on(&left)
        .caption(
            "Peak-to-average ratio: physical net import and metered purchases",
            ("sans-serif", 16),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(45)
        .build_cartesian_2d(0f64..bars.len() as f64, 0f64..top.max(1.0))?;
    let labels: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(bars.len() * 2 + 1)
        .x_label_formatter(&|x| slot_label(&labels, *x))
        .y_desc("PAR")
        .draw()?;
    chart.draw_series(bars.iter().enumerate().map(|(i, (_, value, color))| {
        Rectangle::new(
            [(i as f64 + 0.15, 0.0), (i as f64 + 0.85, *value)],
            color.filled(),
        )
    }))?;
    chart.draw_series(bars.iter().enumerate().map(|(i, (_, value, _))| {
        Text::new(
            format!("{value:.2}"),
            (i as f64 + 0.3, *value + top * 0.02),
            ("sans-serif", 13),
        )
    }))?;

    // Right: the mean physical net import per hour of the day.
    let per_day = (86_400_000 / interval_ms).max(1) as usize;
    let curves: Vec<(String, Vec<f64>, RGBColor)> = runs
        .iter()
        .zip(SCENARIO_COLORS)
        .map(|((run, _), color)| {
            let mut sums = vec![0f64; per_day];
            let mut counts = vec![0usize; per_day];
            for (index, record) in run.intervals.iter().enumerate() {
                sums[index % per_day] += record.net_import_wh as f64 / 1000.0;
                counts[index % per_day] += 1;
            }
            let mean = sums
                .iter()
                .zip(&counts)
                .map(|(s, c)| s / (*c).max(1) as f64)
                .collect();
            (run.kind.key().to_string(), mean, color)
        })
        .collect();
    let peak = curves
        .iter()
        .flat_map(|c| c.1.iter().copied())
        .fold(0.0, f64::max)
        * 1.1;
    let hours_per_step = interval_ms as f64 / 3_600_000.0;
    let mut chart = ChartBuilder::on(&right)
        .caption("Mean daily physical net import (UTC)", ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(55)
        .build_cartesian_2d(0f64..24f64, 0f64..peak.max(0.1))?;
    chart
        .configure_mesh()
        .x_desc("hour of day")
        .y_desc("kWh per hour")
        .draw()?;
    for (name, curve, color) in curves {
        let per_hour = 1.0 / hours_per_step;
        chart
            .draw_series(LineSeries::new(
                curve
                    .iter()
                    .enumerate()
                    .map(|(i, kwh)| (i as f64 * hours_per_step, kwh * per_hour)),
                color.stroke_width(2),
            ))?
            .label(name)
            .legend(legend_line(color.stroke_width(2)));
    }
    draw_legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
    root.present()?;
    Ok(())
}

/// A scenario's short label.
fn short(run: &Run) -> &'static str {
    match run.kind {
        crate::run::Kind::GridOnly => "grid",
        crate::run::Kind::PvBattery => "pv+bat",
        crate::run::Kind::HybridP2p => "p2p",
    }
}

/// One of an interval's flows, Wh.
type Flow = fn(&crate::run::IntervalRecord) -> u64;

/// Load-duration curves: each scenario's physical net import (left) and export (right) per
/// interval, sorted from the largest, as mean power over the interval.
fn duration_chart(path: &Path, runs: &[(Run, String)], interval_ms: u64) -> DrawResult {
    let root = SVGBackend::new(path, (1100, 420)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(550);
    let hours = interval_ms as f64 / 3_600_000.0;
    let import: Flow = |r| r.net_import_wh;
    let export: Flow = |r| r.net_export_wh;
    let panels = [
        (&left, "Import duration (physical)", import),
        (&right, "Export duration (physical)", export),
    ];
    for (area, caption, flow) in panels {
        let curves: Vec<Vec<f64>> = runs
            .iter()
            .map(|(run, _)| {
                let mut kw: Vec<f64> = run
                    .intervals
                    .iter()
                    .map(|r| flow(r) as f64 / 1000.0 / hours)
                    .collect();
                kw.sort_by(|a, b| b.total_cmp(a));
                kw
            })
            .collect();
        let top = curves.iter().flatten().copied().fold(0.0, f64::max) * 1.1;
        let len = curves.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let mut chart = ChartBuilder::on(area)
            .caption(caption, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0f64..len as f64 * hours, 0f64..top.max(0.1))?;
        chart
            .configure_mesh()
            .x_desc("hours at or above")
            .y_desc("kW")
            .draw()?;
        for ((run, _), (curve, color)) in runs.iter().zip(curves.iter().zip(SCENARIO_COLORS)) {
            chart
                .draw_series(LineSeries::new(
                    curve
                        .iter()
                        .enumerate()
                        .map(|(i, kw)| (i as f64 * hours, *kw)),
                    color.stroke_width(2),
                ))?
                .label(run.kind.key())
                .legend(legend_line(color.stroke_width(2)));
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    }
    root.present()?;
    Ok(())
}

fn cost_chart(path: &Path, report: &Report) -> DrawResult {
    let root = SVGBackend::new(path, (900, 460)).into_drawing_area();
    root.fill(&WHITE)?;
    let groups: Vec<String> = report.groups.keys().cloned().collect();
    let scenario_keys = ["grid_only", "pv_battery", "hybrid_p2p"];
    let series = scenario_keys.len() + 2;
    let mut values = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        for (s, key) in scenario_keys.iter().enumerate() {
            let value = report
                .scenarios
                .get(*key)
                .and_then(|k| k.cost_eur.get(group))
                .copied()
                .unwrap_or(0.0);
            values.push((g, s, value, SCENARIO_COLORS[s]));
        }
        for (p, (era, color)) in [
            ("conventional", PAPER_COLORS[0]),
            ("hybrid_p2p", PAPER_COLORS[1]),
        ]
        .into_iter()
        .enumerate()
        {
            if let Some(value) = report.paper.cost_eur[era].get(group.as_str()) {
                values.push((g, scenario_keys.len() + p, *value, color));
            }
        }
    }
    let low = values.iter().map(|v| v.2).fold(0.0, f64::min) * 1.15;
    let high = values.iter().map(|v| v.2).fold(0.0, f64::max) * 1.15;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Mean cost per household over the horizon (EUR)",
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(55)
        .build_cartesian_2d(0f64..groups.len() as f64, low.min(0.0)..high.max(1.0))?;
    let labels = groups.clone();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(groups.len() * 2 + 1)
        .x_label_formatter(&|x| slot_label(&labels, *x))
        .y_desc("EUR")
        .draw()?;
    let width = 0.8 / series as f64;
    for (name, index, color) in scenario_keys
        .iter()
        .map(|k| k.to_string())
        .enumerate()
        .map(|(i, k)| (k, i, SCENARIO_COLORS[i]))
        .chain([
            ("paper conventional".to_string(), 3, PAPER_COLORS[0]),
            ("paper hybrid P2P".to_string(), 4, PAPER_COLORS[1]),
        ])
    {
        let bars: Vec<_> = values.iter().filter(|v| v.1 == index).collect();
        chart
            .draw_series(bars.iter().map(|(g, s, value, c)| {
                let x0 = *g as f64 + 0.1 + *s as f64 * width;
                Rectangle::new([(x0, 0.0), (x0 + width * 0.9, *value)], c.filled())
            }))?
            .label(name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], color.filled()));
    }
    draw_legend(&mut chart, SeriesLabelPosition::UpperMiddle)?;
    root.present()?;
    Ok(())
}

/// The hybrid P2P run, if there is one.
fn hybrid(runs: &[(Run, String)]) -> Option<&Run> {
    runs.iter()
        .map(|(run, _)| run)
        .find(|run| run.kind == crate::run::Kind::HybridP2p)
}

/// A signed physical net import, kWh (negative: export).
fn signed_kwh(record: &crate::run::IntervalRecord) -> f64 {
    (record.net_import_wh as f64 - record.net_export_wh as f64) / 1000.0
}

/// Colour of a signed value: white at zero, reds for import, blues for export.
fn heat_color(value: f64, max_import: f64, max_export: f64) -> RGBColor {
    let mix = |t: f64, to: (u8, u8, u8)| {
        let t = t.clamp(0.0, 1.0);
        let c = |x: u8| (255.0 - (255.0 - f64::from(x)) * t).round() as u8;
        RGBColor(c(to.0), c(to.1), c(to.2))
    };
    if value >= 0.0 {
        mix(value / max_import.max(1e-9), (178, 24, 43))
    } else {
        mix(-value / max_export.max(1e-9), (33, 102, 172))
    }
}

/// Hour of day x day heat map of the hybrid run's physical net import per hour, kWh.
fn heatmap_chart(path: &Path, runs: &[(Run, String)], interval_ms: u64) -> DrawResult {
    let Some(run) = hybrid(runs) else {
        return Ok(());
    };
    let per_hour = (3_600_000 / interval_ms).max(1) as usize;
    let hours = run.intervals.len().div_ceil(per_hour);
    let days = hours.div_ceil(24).max(1);
    let mut cells = vec![0f64; days * 24];
    for (index, record) in run.intervals.iter().enumerate() {
        cells[index / per_hour] += signed_kwh(record);
    }
    let max_import = cells.iter().copied().fold(0.0, f64::max);
    let max_export = -cells.iter().copied().fold(0.0, f64::min);
    let root = SVGBackend::new(path, (1100, 460)).into_drawing_area();
    root.fill(&WHITE)?;
    let (main, legend) = root.split_horizontally(980);
    let mut chart = ChartBuilder::on(&main)
        .caption(
            format!("Hybrid P2P: physical net import per hour (kWh), {days} days (UTC)"),
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(45)
        .build_cartesian_2d(0f64..days as f64, 0f64..24f64)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("day of horizon")
        .y_desc("hour of day")
        .draw()?;
    chart.draw_series(cells.iter().enumerate().map(|(i, kwh)| {
        let (day, hour) = ((i / 24) as f64, (i % 24) as f64);
        Rectangle::new(
            [(day, hour), (day + 1.0, hour + 1.0)],
            heat_color(*kwh, max_import, max_export).filled(),
        )
    }))?;
    // Colour scale: export (blue) at the bottom, import (red) at the top.
    let low = -max_export;
    let high = max_import.max(low + 1e-6);
    let mut scale = ChartBuilder::on(&legend)
        .caption("kWh", ("sans-serif", 14))
        .margin_top(40)
        .margin_bottom(52)
        .margin_right(10)
        .y_label_area_size(60)
        .build_cartesian_2d(0f64..1f64, low..high)?;
    scale
        .configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_labels(8)
        .y_label_formatter(&|v| format!("{v:.1}"))
        .draw()?;
    let steps = 100;
    scale.draw_series((0..steps).map(|i| {
        let a = low + (high - low) * i as f64 / steps as f64;
        let b = low + (high - low) * (i + 1) as f64 / steps as f64;
        Rectangle::new(
            [(0.0, a), (1.0, b)],
            heat_color((a + b) / 2.0, max_import, max_export).filled(),
        )
    }))?;
    root.present()?;
    Ok(())
}

/// The batteries' stored energy (sum over homes) over the week holding the hybrid run's
/// largest physical import interval, for the runs that have batteries.
fn soc_chart(path: &Path, runs: &[(Run, String)], interval_ms: u64) -> DrawResult {
    let per_day = (86_400_000 / interval_ms).max(1) as usize;
    let week = per_day * 7;
    let with_battery: Vec<(&Run, RGBColor)> = runs
        .iter()
        .zip(SCENARIO_COLORS)
        .map(|((run, _), color)| (run, color))
        .filter(|(run, _)| run.intervals.iter().any(|r| r.stored_wh > 0))
        .collect();
    let Some(reference) = hybrid(runs).or_else(|| with_battery.first().map(|(run, _)| *run)) else {
        return Ok(());
    };
    let len = reference.intervals.len();
    let (first, caption) = if len <= week {
        (0, "first 7 days".to_string())
    } else {
        let peak = reference
            .intervals
            .iter()
            .enumerate()
            .max_by_key(|(_, r)| r.net_import_wh)
            .map_or(0, |(i, _)| i);
        let first = (peak / week * week).min(len - week);
        (
            first,
            format!(
                "days {}-{}, the week of the hybrid run's import peak",
                first / per_day + 1,
                first / per_day + 7
            ),
        )
    };
    let last = (first + week).min(len);
    let hours = interval_ms as f64 / 3_600_000.0;
    let top = with_battery
        .iter()
        .flat_map(|(run, _)| run.intervals[first..last.min(run.intervals.len())].iter())
        .map(|r| r.stored_wh as f64 / 1000.0)
        .fold(0.0, f64::max)
        * 1.1;
    let root = SVGBackend::new(path, (1100, 420)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("Energy stored in the community's batteries, {caption}"),
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(55)
        .build_cartesian_2d(
            first as f64 * hours / 24.0 + 1.0..last as f64 * hours / 24.0 + 1.0,
            0f64..top.max(0.1),
        )?;
    chart
        .configure_mesh()
        .x_desc("day of horizon (end of interval)")
        .y_desc("kWh stored (sum over homes)")
        .draw()?;
    for (run, color) in with_battery {
        let end = last.min(run.intervals.len());
        chart
            .draw_series(LineSeries::new(
                (first..end).map(|i| {
                    (
                        (i + 1) as f64 * hours / 24.0 + 1.0,
                        run.intervals[i].stored_wh as f64 / 1000.0,
                    )
                }),
                color.stroke_width(2),
            ))?
            .label(run.kind.key())
            .legend(legend_line(color.stroke_width(2)));
    }
    draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    root.present()?;
    Ok(())
}

/// The hybrid run's P2P clearing price (points, intervals with a trade) against the grid
/// tariff's price (line), EUR/kWh.
fn price_chart(path: &Path, runs: &[(Run, String)], interval_ms: u64) -> DrawResult {
    let Some(run) = hybrid(runs) else {
        return Ok(());
    };
    let days_per_step = interval_ms as f64 / 86_400_000.0;
    let day = |i: usize| i as f64 * days_per_step + 1.0;
    let eur = |p: u128| p as f64 / UNITS_PER_EUR;
    let trades: Vec<(f64, f64)> = run
        .intervals
        .iter()
        .enumerate()
        .filter(|(_, r)| r.p2p_wh > 0)
        .filter_map(|(i, r)| r.price.map(|p| (day(i), eur(p))))
        .collect();
    let top = run
        .intervals
        .iter()
        .map(|r| eur(r.grid_price))
        .chain(trades.iter().map(|t| t.1))
        .fold(0.0, f64::max)
        * 1.1;
    let len = run.intervals.len();
    let root = SVGBackend::new(path, (1100, 420)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!(
                "Hybrid P2P: clearing price vs grid price, {:.0} days",
                len as f64 * days_per_step
            ),
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(1f64..day(len.max(1)), 0f64..top.max(0.01))?;
    chart
        .configure_mesh()
        .x_desc("day of horizon")
        .y_desc("EUR/kWh")
        .y_label_formatter(&|v| format!("{v:.3}"))
        .draw()?;
    let grid = SCENARIO_COLORS[0];
    chart
        .draw_series(LineSeries::new(
            run.intervals
                .iter()
                .enumerate()
                .flat_map(|(i, r)| [(day(i), eur(r.grid_price)), (day(i + 1), eur(r.grid_price))]),
            grid.stroke_width(1),
        ))?
        .label("grid tariff price")
        .legend(legend_line(grid.stroke_width(2)));
    let p2p = SCENARIO_COLORS[2];
    chart
        .draw_series(
            trades
                .iter()
                .map(|(x, y)| Circle::new((*x + days_per_step / 2.0, *y), 2, p2p.filled())),
        )?
        .label(format!(
            "P2P clearing price ({} intervals with trades)",
            trades.len()
        ))
        .legend(move |(x, y)| Circle::new((x + 9, y), 3, p2p.filled()));
    draw_legend(&mut chart, SeriesLabelPosition::LowerRight)?;
    root.present()?;
    Ok(())
}

/// Cleared against metered net export of the offering homes over the first week (or the
/// horizon, if shorter), with the imbalance energy per interval as bars: short below the axis,
/// long above.
fn metering_chart(path: &Path, runs: &[(Run, String)], interval_ms: u64) -> DrawResult {
    let Some(run) = hybrid(runs) else {
        return Ok(());
    };
    let per_day = (86_400_000 / interval_ms).max(1) as usize;
    let week: Vec<&crate::run::IntervalRecord> = run.intervals.iter().take(7 * per_day).collect();
    let days_per_step = interval_ms as f64 / 86_400_000.0;
    let day = |i: usize| i as f64 * days_per_step + 1.0;
    let kwh = |wh: i64| wh as f64 / 1000.0;
    let values = week.iter().flat_map(|r| {
        [
            kwh(r.cleared_net_wh),
            kwh(r.metered_net_wh),
            kwh(r.imbalance_long_wh as i64),
            -kwh(r.imbalance_short_wh as i64),
        ]
    });
    let (low, high) = values.fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let pad = (high - low).max(0.1) * 0.08;
    let root = SVGBackend::new(path, (1100, 440)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Hybrid P2P, metered: offering homes' net export as cleared (their forecasts) and \
             as metered",
            ("sans-serif", 17),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(1f64..day(week.len().max(1)), (low - pad)..(high + pad))?;
    chart
        .configure_mesh()
        .x_desc("day of horizon")
        .y_desc("kWh per interval (export > 0)")
        .draw()?;
    let bar = |i: usize, value: f64, color: RGBColor| {
        Rectangle::new(
            [
                (day(i) + days_per_step * 0.1, 0.0),
                (day(i) + days_per_step * 0.9, value),
            ],
            color.mix(0.5).filled(),
        )
    };
    let long = RGBColor(0, 158, 115);
    let short_color = RGBColor(213, 94, 0);
    chart
        .draw_series(
            week.iter()
                .enumerate()
                .map(|(i, r)| bar(i, kwh(r.imbalance_long_wh as i64), long)),
        )?
        .label("imbalance long (sold to the grid)")
        .legend(move |(x, y)| {
            Rectangle::new([(x, y - 4), (x + 18, y + 4)], long.mix(0.5).filled())
        });
    chart
        .draw_series(
            week.iter()
                .enumerate()
                .map(|(i, r)| bar(i, -kwh(r.imbalance_short_wh as i64), short_color)),
        )?
        .label("imbalance short (bought from the grid)")
        .legend(move |(x, y)| {
            Rectangle::new([(x, y - 4), (x + 18, y + 4)], short_color.mix(0.5).filled())
        });
    let cleared = SCENARIO_COLORS[2];
    chart
        .draw_series(LineSeries::new(
            week.iter()
                .enumerate()
                .map(|(i, r)| (day(i) + days_per_step / 2.0, kwh(r.cleared_net_wh))),
            cleared.stroke_width(2),
        ))?
        .label("cleared")
        .legend(legend_line(cleared.stroke_width(2)));
    let metered = BLACK;
    chart
        .draw_series(LineSeries::new(
            week.iter()
                .enumerate()
                .map(|(i, r)| (day(i) + days_per_step / 2.0, kwh(r.metered_net_wh))),
            metered.stroke_width(1),
        ))?
        .label("metered")
        .legend(legend_line(metered.stroke_width(2)));
    draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    root.present()?;
    Ok(())
}
