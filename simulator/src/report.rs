//! KPIs of finished runs, kept apart from the exchange that produced them, and the output
//! files: `report.json`, `summary.csv`, `timeseries.csv`.

use std::{collections::BTreeMap, fmt::Write as _, path::Path};

use anyhow::Context;
use serde::Serialize;

use crate::{
    run::{Kind, Run},
    scenario::Loaded,
};

/// One balance unit of the default tariff is one micro-euro.
pub const UNITS_PER_EUR: f64 = 1e6;

/// A scenario's KPIs.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ScenarioKpis {
    /// Peak over mean of the community's grid import per interval over the horizon.
    pub par: f64,
    /// Mean over days of each day's peak over mean grid import (days without import skipped).
    pub par_daily_mean: f64,
    /// Mean net cost per household of each group over the horizon, EUR (paid minus earned).
    pub cost_eur: BTreeMap<String, f64>,
    /// Community grid import, kWh.
    pub grid_import_kwh: f64,
    /// Community grid export, kWh.
    pub grid_export_kwh: f64,
    /// Energy traded P2P, kWh.
    pub p2p_kwh: f64,
    /// Share of the community's load not bought from the grid.
    pub self_sufficiency: f64,
    /// Which engine cleared the intervals.
    pub engine: String,
    /// Contract calls made.
    pub contract_calls: u64,
    /// What sealed offers would have cost, measured once on one interval (drink engine).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sealing_cost: Option<crate::engine::SealingCost>,
    /// Wall time, seconds.
    pub wall_seconds: f64,
}

/// The paper's published figures (section V), for side-by-side reading.
#[derive(Debug, Clone, Serialize)]
pub struct PaperFigures {
    /// PAR without and with P2P trading (Fig. 2).
    pub par: BTreeMap<&'static str, f64>,
    /// Cost per group, EUR, without and with P2P trading (Fig. 3).
    pub cost_eur: BTreeMap<&'static str, BTreeMap<&'static str, f64>>,
}

impl PaperFigures {
    /// The figures as printed in the paper.
    pub fn published() -> Self {
        let costs = |single, student, family| {
            BTreeMap::from([("single", single), ("student", student), ("family", family)])
        };
        Self {
            par: BTreeMap::from([("conventional", 3.8607), ("hybrid_p2p", 3.6304)]),
            cost_eur: BTreeMap::from([
                ("conventional", costs(459.1710, 491.2680, 700.0)),
                ("hybrid_p2p", costs(394.8177, 444.1003, 190.2050)),
            ]),
        }
    }
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Scenario name.
    pub scenario: String,
    /// Households simulated.
    pub households: usize,
    /// Households per group.
    pub groups: BTreeMap<String, usize>,
    /// Intervals simulated.
    pub intervals: usize,
    /// Days simulated.
    pub days: f64,
    /// KPIs per scenario: `grid_only`, `pv_battery`, `hybrid_p2p`.
    #[serde(flatten)]
    pub scenarios: BTreeMap<String, ScenarioKpis>,
    /// The paper's figures.
    pub paper: PaperFigures,
}

/// Peak over mean of a series; 0 for an all-zero series.
pub fn peak_to_average(series: &[u64]) -> f64 {
    let total: u64 = series.iter().sum();
    if total == 0 {
        return 0.0;
    }
    let mean = total as f64 / series.len() as f64;
    *series.iter().max().unwrap_or(&0) as f64 / mean
}

/// KPIs of one run.
pub fn kpis(loaded: &Loaded, run: &Run, engine: &str) -> ScenarioKpis {
    let import: Vec<u64> = run.intervals.iter().map(|r| r.import_wh).collect();
    let per_day = (86_400_000 / loaded.config.interval_ms).max(1) as usize;
    let daily: Vec<f64> = import
        .chunks(per_day)
        .filter(|day| day.iter().any(|&wh| wh > 0))
        .map(peak_to_average)
        .collect();
    let mut cost_eur = BTreeMap::new();
    for (group_index, group) in loaded.groups.iter().enumerate() {
        let members: Vec<i128> = loaded
            .homes
            .iter()
            .zip(&run.homes)
            .filter(|(spec, _)| spec.group == group_index)
            .map(|(_, totals)| totals.net_cost())
            .collect();
        let mean = members.iter().sum::<i128>() as f64 / members.len().max(1) as f64;
        cost_eur.insert(group.clone(), mean / UNITS_PER_EUR);
    }
    let load: u64 = run.intervals.iter().map(|r| r.load_wh).sum();
    let grid_import: u64 = import.iter().sum();
    ScenarioKpis {
        par: peak_to_average(&import),
        par_daily_mean: if daily.is_empty() {
            0.0
        } else {
            daily.iter().sum::<f64>() / daily.len() as f64
        },
        cost_eur,
        grid_import_kwh: grid_import as f64 / 1000.0,
        grid_export_kwh: run.intervals.iter().map(|r| r.export_wh).sum::<u64>() as f64 / 1000.0,
        p2p_kwh: run.intervals.iter().map(|r| r.p2p_wh).sum::<u64>() as f64 / 1000.0,
        self_sufficiency: if load == 0 {
            0.0
        } else {
            1.0 - grid_import as f64 / load as f64
        },
        engine: engine.to_string(),
        contract_calls: run.calls,
        sealing_cost: run.sealing_cost.clone(),
        wall_seconds: run.seconds,
    }
}

impl Report {
    /// A report of `runs` (one per scenario kind) with their engines' names.
    pub fn new(loaded: &Loaded, runs: &[(Run, String)]) -> Self {
        let intervals = runs.first().map_or(0, |(run, _)| run.intervals.len());
        let mut groups = BTreeMap::new();
        for spec in &loaded.homes {
            *groups.entry(loaded.groups[spec.group].clone()).or_insert(0) += 1;
        }
        Self {
            scenario: loaded.scenario.name.clone(),
            households: loaded.homes.len(),
            groups,
            intervals,
            days: intervals as f64 * loaded.config.interval_ms as f64 / 86_400_000.0,
            scenarios: runs
                .iter()
                .map(|(run, engine)| (run.kind.key().to_string(), kpis(loaded, run, engine)))
                .collect(),
            paper: PaperFigures::published(),
        }
    }

    /// Writes `report.json`, `summary.csv` and `timeseries.csv` into `dir`.
    ///
    /// # Errors
    /// I/O errors.
    pub fn write(&self, dir: &Path, runs: &[(Run, String)]) -> anyhow::Result<()> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let json = serde_json::to_string_pretty(self)?;
        std::fs::write(dir.join("report.json"), json + "\n")?;

        let groups: Vec<&String> = self.groups.keys().collect();
        let mut summary = String::from(
            "scenario,par,par_daily_mean,grid_import_kwh,grid_export_kwh,p2p_kwh,self_sufficiency",
        );
        for group in &groups {
            write!(summary, ",cost_{group}_eur")?;
        }
        summary.push('\n');
        for (key, k) in self.in_order() {
            write!(
                summary,
                "{key},{:.4},{:.4},{:.3},{:.3},{:.3},{:.4}",
                k.par,
                k.par_daily_mean,
                k.grid_import_kwh,
                k.grid_export_kwh,
                k.p2p_kwh,
                k.self_sufficiency
            )?;
            for group in &groups {
                write!(
                    summary,
                    ",{:.2}",
                    k.cost_eur.get(*group).copied().unwrap_or(0.0)
                )?;
            }
            summary.push('\n');
        }
        std::fs::write(dir.join("summary.csv"), summary)?;

        let mut series = String::from("scenario,interval,start_ms,load_wh,grid_import_wh,grid_export_wh,p2p_wh,price_per_kwh\n");
        for (run, _) in runs {
            for (index, r) in run.intervals.iter().enumerate() {
                let price = r.price.map_or(String::new(), |p| p.to_string());
                writeln!(
                    series,
                    "{},{index},{},{},{},{},{},{price}",
                    run.kind.key(),
                    r.start_ms,
                    r.load_wh,
                    r.import_wh,
                    r.export_wh,
                    r.p2p_wh
                )?;
            }
        }
        std::fs::write(dir.join("timeseries.csv"), series)?;
        Ok(())
    }

    /// The scenarios in report order: baselines first.
    fn in_order(&self) -> impl Iterator<Item = (&'static str, &ScenarioKpis)> {
        Kind::ALL
            .into_iter()
            .filter_map(|kind| self.scenarios.get(kind.key()).map(|k| (kind.key(), k)))
    }

    /// The summary table printed at the end of a run.
    pub fn table(&self) -> String {
        let groups: Vec<&String> = self.groups.keys().collect();
        let mut out = format!(
            "{:<11} {:>7} {:>9} {:>12} {:>12} {:>9} {:>7}",
            "scenario", "PAR", "PAR/day", "import kWh", "export kWh", "P2P kWh", "self"
        );
        for group in &groups {
            let _ = write!(out, " {:>12}", format!("{group} EUR"));
        }
        out.push('\n');
        for (key, k) in self.in_order() {
            let _ = write!(
                out,
                "{key:<11} {:>7.4} {:>9.4} {:>12.1} {:>12.1} {:>9.1} {:>6.1}%",
                k.par,
                k.par_daily_mean,
                k.grid_import_kwh,
                k.grid_export_kwh,
                k.p2p_kwh,
                k.self_sufficiency * 100.0
            );
            for group in &groups {
                let _ = write!(
                    out,
                    " {:>12.2}",
                    k.cost_eur.get(*group).copied().unwrap_or(0.0)
                );
            }
            out.push('\n');
        }
        let paper = &self.paper;
        let _ = writeln!(
            out,
            "paper       PAR {} -> {}; cost EUR single {} -> {}, student {} -> {}, family {} -> {}",
            paper.par["conventional"],
            paper.par["hybrid_p2p"],
            paper.cost_eur["conventional"]["single"],
            paper.cost_eur["hybrid_p2p"]["single"],
            paper.cost_eur["conventional"]["student"],
            paper.cost_eur["hybrid_p2p"]["student"],
            paper.cost_eur["conventional"]["family"],
            paper.cost_eur["hybrid_p2p"]["family"],
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_to_average_of_series() {
        assert_eq!(peak_to_average(&[1, 1, 1, 1]), 1.0);
        assert_eq!(peak_to_average(&[0, 0, 0, 4]), 4.0);
        assert_eq!(peak_to_average(&[0, 0]), 0.0);
    }
}
