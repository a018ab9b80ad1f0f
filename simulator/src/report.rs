//! KPIs of finished runs, kept apart from the exchange that produced them, and the output
//! files: `report.json`, `summary.csv`, `timeseries.csv`.

use std::{collections::BTreeMap, fmt::Write as _, path::Path};

use anyhow::Context;
use serde::Serialize;

use market::Bill;

use crate::{
    run::{IntervalRecord, Kind, Run},
    scenario::Loaded,
};

/// One balance unit of the default tariff is one micro-euro.
pub const UNITS_PER_EUR: f64 = 1e6;

/// A scenario's KPIs. Names follow Grid Singularity's gsy-e where the meaning is the same
/// (self-sufficiency, self-consumption, savings against the base case, peak import/export);
/// the README lists every formula.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ScenarioKpis {
    /// Peak over mean of the **physical** net import at the community's transformer (the homes'
    /// deficits less their surpluses, per interval): what the grid sees.
    pub par_physical: f64,
    /// Peak over mean of the **metered** grid purchases (the sum of the homes' bills' grid
    /// lines): the paper's reading. P2P trades lower it without moving any energy.
    pub par_metered: f64,
    /// Mean over days of each day's physical PAR (days without import skipped).
    pub par_physical_daily_mean: f64,
    /// Mean over days of each day's metered PAR (days without import skipped).
    pub par_metered_daily_mean: f64,
    /// Largest physical net import in one interval, as mean power over it, kW.
    pub peak_import_kw: f64,
    /// Largest physical net export in one interval, kW.
    pub peak_export_kw: f64,
    /// Change of `peak_import_kw` against grid-only, as a share (-0.1: 10 % lower).
    pub peak_import_change: f64,
    /// `peak_export_kw` less grid-only's (which has no export), kW.
    pub peak_export_change_kw: f64,
    /// The intervals of largest physical net import: start (ms since the epoch) and kWh.
    pub top_import_intervals: Vec<(u64, f64)>,
    /// Mean net cost per household of each group over the horizon, EUR (paid minus earned).
    /// Over the simulated days only: yearly only when `Report::days` is a year.
    pub cost_eur: BTreeMap<String, f64>,
    /// Each group's savings against grid-only per household, EUR: the distribution.
    pub savings_eur: BTreeMap<String, Spread>,
    /// Gini index of the households' savings against grid-only, all groups (mean absolute
    /// difference over twice the mean; above 1 when some households lose).
    pub savings_gini: f64,
    /// Community physical import, kWh.
    pub net_import_kwh: f64,
    /// Community physical export, kWh.
    pub net_export_kwh: f64,
    /// Metered grid purchases, kWh.
    pub grid_import_kwh: f64,
    /// Metered grid sales, kWh.
    pub grid_export_kwh: f64,
    /// Energy traded P2P, kWh.
    pub p2p_kwh: f64,
    /// Volume-weighted mean P2P price, EUR/kWh (0 without trades).
    pub p2p_mean_price: f64,
    /// What grid energy cost the homes on average, EUR/kWh.
    pub grid_mean_price: f64,
    /// What the grid paid for feed-in on average, EUR/kWh.
    pub feed_in_mean_price: f64,
    /// Share of the community's consumption met by its own generation: (PV - physical
    /// export) / load.
    pub self_sufficiency: f64,
    /// Share of the community's generation used inside it: (PV - physical export) / PV; 0
    /// without PV.
    pub self_consumption: f64,
    /// The grid operator's revenue from the community net of feed-in: energy sold plus network
    /// fees minus feed-in paid, EUR. Its own purchase cost upstream is not modelled.
    pub grid_operator_net_revenue_eur: f64,
    /// Which engine cleared the intervals.
    pub engine: String,
    /// Contract calls made.
    pub contract_calls: u64,
    /// What sealed offers would have cost, measured once on one interval (drink engine).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sealing_cost: Option<crate::engine::SealingCost>,
    /// What the contract calls weighed (drink engine): per offer, per close and per kWh traded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_chain: Option<OnChainKpis>,
    /// Imbalances, in a metered run (the hybrid scenario of a scenario with `[metering]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imbalance: Option<ImbalanceKpis>,
    /// Wall time, seconds.
    pub wall_seconds: f64,
}

/// The weight of a run's contract calls, in ref_time (picoseconds of reference execution
/// time, the unit of pallet-contracts' weights). Fees in the native token follow from the
/// chain's weight-to-fee rule and are measured on the node (`BENCHMARKS.md`), not here.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct OnChainKpis {
    /// The totals measured.
    pub totals: crate::engine::OnChainCost,
    /// Mean ref_time of placing one offer.
    pub ref_time_per_offer: f64,
    /// Mean ref_time of closing one interval (all its steps).
    pub ref_time_per_close: f64,
    /// All ref_time over the energy traded P2P, per kWh.
    pub ref_time_per_p2p_kwh: f64,
    /// All ref_time over the energy the market settled (P2P plus metered grid import and
    /// export), per kWh.
    pub ref_time_per_settled_kwh: f64,
}

impl OnChainKpis {
    /// Means of `cost` over its offers, closes, and the kWh traded and settled.
    pub fn of(cost: &crate::engine::OnChainCost, p2p_kwh: f64, settled_kwh: f64) -> Self {
        let total = (cost.offer_ref_time + cost.close_ref_time) as f64;
        Self {
            totals: *cost,
            ref_time_per_offer: ratio(cost.offer_ref_time as f64, cost.offers as f64),
            ref_time_per_close: ratio(cost.close_ref_time as f64, cost.closes as f64),
            ref_time_per_p2p_kwh: ratio(total, p2p_kwh),
            ref_time_per_settled_kwh: ratio(total, settled_kwh),
        }
    }
}

/// What forecast errors cost a metered run: offers are forecasts, meters report what flowed,
/// and the deviations are settled with the grid at the imbalance prices.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ImbalanceKpis {
    /// Energy metered below what cleared, bought from the grid, kWh.
    pub short_kwh: f64,
    /// Energy metered above what cleared, sold to the grid, kWh.
    pub long_kwh: f64,
    /// Imbalance charges, EUR.
    pub charges_eur: f64,
    /// Imbalance credits, EUR.
    pub credits_eur: f64,
    /// Energy of homes that forecast nothing for an interval and so made no offer, settled at
    /// the tariff outside the market, kWh.
    pub unoffered_kwh: f64,
    /// Per group, per household.
    pub groups: BTreeMap<String, GroupImbalance>,
}

/// One group's imbalances, mean per household.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct GroupImbalance {
    /// Energy short, kWh.
    pub short_kwh: f64,
    /// Energy long, kWh.
    pub long_kwh: f64,
    /// Imbalance charges less credits, EUR.
    pub net_cost_eur: f64,
    /// The group's saving against PV + battery before its imbalance lines: PV + battery's cost
    /// less (the hybrid cost less `net_cost_eur`), EUR. Filled by the report, which has both.
    pub saving_before_imbalances_eur: f64,
    /// `net_cost_eur` over `saving_before_imbalances_eur`: the share of the P2P saving forecast
    /// errors eat (above 1: more than all of it); `None` when there is no saving to eat.
    pub share_of_saving: Option<f64>,
}

/// A distribution's summary.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Spread {
    /// Mean.
    pub mean: f64,
    /// Smallest.
    pub min: f64,
    /// First quartile.
    pub p25: f64,
    /// Median.
    pub median: f64,
    /// Third quartile.
    pub p75: f64,
    /// Largest.
    pub max: f64,
}

impl Spread {
    /// The summary of `values` (quantiles by linear interpolation); all zero when empty.
    pub fn of(values: &[f64]) -> Self {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let quantile = |q: f64| -> f64 {
            if sorted.is_empty() {
                return 0.0;
            }
            let at = q * (sorted.len() - 1) as f64;
            let (low, high) = (at.floor() as usize, at.ceil() as usize);
            sorted[low] + (sorted[high] - sorted[low]) * (at - low as f64)
        };
        Self {
            mean: if sorted.is_empty() {
                0.0
            } else {
                sorted.iter().sum::<f64>() / sorted.len() as f64
            },
            min: quantile(0.0),
            p25: quantile(0.25),
            median: quantile(0.5),
            p75: quantile(0.75),
            max: quantile(1.0),
        }
    }
}

/// What produced a report: the data, the strategy and the rules, as the scenario names them.
#[derive(Debug, Clone, Serialize)]
pub struct Assumptions {
    /// The profiles' directory.
    pub data: String,
    /// The sellers' ask strategy (buyers bid the hour's grid price).
    pub strategy: String,
    /// The P2P pricing rule.
    pub pricing: String,
    /// The order buyers and sellers are served in within a distance step.
    pub priority: String,
    /// The order the households' offers are submitted in.
    pub submission_order: String,
    /// The tariff reading.
    pub tariff: String,
    /// What the grid pays for residual surplus.
    pub feed_in: String,
    /// Each group's battery dispatch rule.
    pub dispatch: BTreeMap<String, String>,
    /// Metered settlement of the hybrid scenario: the offers' forecast and the imbalance
    /// factors, or the paper's declared energy.
    pub metering: String,
    /// The seed of every random choice.
    pub seed: u64,
}

impl Assumptions {
    /// The assumptions of `loaded`.
    pub fn of(loaded: &Loaded) -> Self {
        let scenario = &loaded.scenario;
        Self {
            data: scenario.data_dir.display().to_string(),
            strategy: format!("{:?}", scenario.strategy),
            pricing: format!("{:?}", scenario.market.pricing),
            priority: format!("{:?}", scenario.market.priority()),
            submission_order: format!("{:?}", scenario.market.submission_order),
            tariff: format!("{:?}", scenario.market.tariff),
            feed_in: match scenario.market.feed_in_price {
                Some(price) => format!("fixed {price} units/kWh"),
                None => "the interval's P2P price, else the lowest ask (the paper)".to_string(),
            },
            dispatch: scenario
                .groups
                .iter()
                .filter_map(|g| {
                    g.battery
                        .map(|b| (g.name.clone(), format!("{:?}", b.dispatch)))
                })
                .collect(),
            metering: match &scenario.metering {
                Some(m) => format!(
                    "offers are {:?} forecasts{}; shortfalls at {} bps of the grid price, excess at \
                     {} bps of the feed-in price; every reading submitted after the close",
                    m.forecast,
                    if m.forecast == crate::scenario::OfferForecast::Noisy {
                        format!(" (relative error uniform in +-{})", m.noise)
                    } else {
                        String::new()
                    },
                    m.imbalance_bps,
                    m.feed_in_bps
                ),
                None => "declared energy (the paper): what cleared is what flowed".to_string(),
            },
            seed: scenario.seed,
        }
    }
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
    /// Whether the costs are over a whole year (the paper's bars are yearly).
    pub costs_are_yearly: bool,
    /// What produced the figures.
    pub assumptions: Assumptions,
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

/// Gini index of `values`: mean absolute difference over twice the mean's magnitude; 0 when
/// the mean is 0.
pub fn gini(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n.max(1.0);
    if mean == 0.0 {
        return 0.0;
    }
    let spread: f64 = values
        .iter()
        .map(|a| values.iter().map(|b| (a - b).abs()).sum::<f64>())
        .sum();
    spread / (2.0 * n * n * mean.abs())
}

fn daily_par(series: &[u64], per_day: usize) -> f64 {
    let daily: Vec<f64> = series
        .chunks(per_day)
        .filter(|day| day.iter().any(|&wh| wh > 0))
        .map(peak_to_average)
        .collect();
    if daily.is_empty() {
        0.0
    } else {
        daily.iter().sum::<f64>() / daily.len() as f64
    }
}

fn ratio(numerator: f64, denominator: f64) -> f64 {
    if denominator == 0.0 {
        0.0
    } else {
        numerator / denominator
    }
}

/// KPIs of one run, against the grid-only run `baseline` (the base case of the savings).
pub fn kpis(loaded: &Loaded, run: &Run, baseline: &Run, engine: &str) -> ScenarioKpis {
    let metered: Vec<u64> = run.intervals.iter().map(|r| r.import_wh).collect();
    let physical: Vec<u64> = run.intervals.iter().map(|r| r.net_import_wh).collect();
    let per_day = (86_400_000 / loaded.config.interval_ms).max(1) as usize;
    let hours = loaded.config.interval_ms as f64 / 3_600_000.0;
    let kw = |wh: u64| wh as f64 / 1000.0 / hours;
    let peak_import = |r: &Run| {
        kw(r.intervals
            .iter()
            .map(|i| i.net_import_wh)
            .max()
            .unwrap_or(0))
    };
    let peak_export = |r: &Run| {
        kw(r.intervals
            .iter()
            .map(|i| i.net_export_wh)
            .max()
            .unwrap_or(0))
    };
    let mut top: Vec<(u64, f64)> = run
        .intervals
        .iter()
        .map(|r| (r.start_ms, r.net_import_wh as f64 / 1000.0))
        .collect();
    top.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    top.truncate(10);
    let mut cost_eur = BTreeMap::new();
    let mut savings_eur = BTreeMap::new();
    let savings: Vec<f64> = run
        .homes
        .iter()
        .zip(&baseline.homes)
        .map(|(home, base)| (base.net_cost() - home.net_cost()) as f64 / UNITS_PER_EUR)
        .collect();
    for (group_index, group) in loaded.groups.iter().enumerate() {
        let members: Vec<usize> = (0..loaded.homes.len())
            .filter(|&h| loaded.homes[h].group == group_index)
            .collect();
        let costs: i128 = members.iter().map(|&h| run.homes[h].net_cost()).sum();
        let mean = costs as f64 / members.len().max(1) as f64;
        cost_eur.insert(group.clone(), mean / UNITS_PER_EUR);
        let group_savings: Vec<f64> = members.iter().map(|&h| savings[h]).collect();
        savings_eur.insert(group.clone(), Spread::of(&group_savings));
    }
    let sum = |f: fn(&IntervalRecord) -> u64| run.intervals.iter().map(f).sum::<u64>() as f64;
    let (load, pv) = (sum(|r| r.load_wh), sum(|r| r.pv_wh));
    let (net_import, net_export) = (sum(|r| r.net_import_wh), sum(|r| r.net_export_wh));
    let bill = run.homes.iter().fold(Bill::default(), |total, home| {
        total.checked_add(&home.bill).unwrap_or(total)
    });
    let eur_per_kwh =
        |money: u128, wh: u64| ratio(money as f64 / UNITS_PER_EUR, wh as f64 / 1000.0);
    let self_consumed = pv - net_export;
    ScenarioKpis {
        par_physical: peak_to_average(&physical),
        par_metered: peak_to_average(&metered),
        par_physical_daily_mean: daily_par(&physical, per_day),
        par_metered_daily_mean: daily_par(&metered, per_day),
        peak_import_kw: peak_import(run),
        peak_export_kw: peak_export(run),
        peak_import_change: ratio(peak_import(run), peak_import(baseline)) - 1.0,
        peak_export_change_kw: peak_export(run) - peak_export(baseline),
        top_import_intervals: top,
        cost_eur,
        savings_eur,
        savings_gini: gini(&savings),
        net_import_kwh: net_import / 1000.0,
        net_export_kwh: net_export / 1000.0,
        grid_import_kwh: sum(|r| r.import_wh) / 1000.0,
        grid_export_kwh: sum(|r| r.export_wh) / 1000.0,
        p2p_kwh: sum(|r| r.p2p_wh) / 1000.0,
        p2p_mean_price: eur_per_kwh(bill.p2p_paid, bill.p2p_bought_wh),
        grid_mean_price: eur_per_kwh(bill.grid_paid, bill.grid_bought_wh),
        feed_in_mean_price: eur_per_kwh(bill.grid_earned, bill.grid_sold_wh),
        self_sufficiency: ratio(self_consumed, load),
        self_consumption: ratio(self_consumed, pv),
        grid_operator_net_revenue_eur: (bill.grid_paid as f64 + bill.fees_paid as f64
            - bill.grid_earned as f64)
            / UNITS_PER_EUR,
        engine: engine.to_string(),
        contract_calls: run.calls,
        sealing_cost: run.sealing_cost.clone(),
        imbalance: loaded
            .scenario
            .metering
            .filter(|_| run.kind == Kind::HybridP2p)
            .map(|_| imbalance_kpis(loaded, run)),
        on_chain: run.on_chain.map(|cost| {
            let p2p_kwh = sum(|r| r.p2p_wh) / 1000.0;
            let settled_kwh = p2p_kwh + (sum(|r| r.import_wh) + sum(|r| r.export_wh)) / 1000.0;
            OnChainKpis::of(&cost, p2p_kwh, settled_kwh)
        }),
        wall_seconds: run.seconds,
    }
}

/// The imbalance KPIs of a metered run (the shares of the saving are filled by the report).
fn imbalance_kpis(loaded: &Loaded, run: &Run) -> ImbalanceKpis {
    let eur = |units: u128| units as f64 / UNITS_PER_EUR;
    let kwh = |wh: u64| wh as f64 / 1000.0;
    let bills = || run.homes.iter().map(|home| &home.bill);
    let mut groups = BTreeMap::new();
    for (group_index, group) in loaded.groups.iter().enumerate() {
        let members: Vec<&crate::run::HomeTotals> = run
            .homes
            .iter()
            .zip(&loaded.homes)
            .filter(|(_, spec)| spec.group == group_index)
            .map(|(home, _)| home)
            .collect();
        let n = members.len().max(1) as f64;
        let sum = |f: fn(&Bill) -> f64| members.iter().map(|h| f(&h.bill)).sum::<f64>() / n;
        groups.insert(
            group.clone(),
            GroupImbalance {
                short_kwh: sum(|b| b.imbalance_short_wh as f64 / 1000.0),
                long_kwh: sum(|b| b.imbalance_long_wh as f64 / 1000.0),
                net_cost_eur: sum(|b| {
                    (b.imbalance_paid as f64 - b.imbalance_earned as f64) / UNITS_PER_EUR
                }),
                saving_before_imbalances_eur: 0.0,
                share_of_saving: None,
            },
        );
    }
    ImbalanceKpis {
        short_kwh: kwh(bills().map(|b| b.imbalance_short_wh).sum()),
        long_kwh: kwh(bills().map(|b| b.imbalance_long_wh).sum()),
        charges_eur: eur(bills().map(|b| b.imbalance_paid).sum()),
        credits_eur: eur(bills().map(|b| b.imbalance_earned).sum()),
        unoffered_kwh: kwh(run.homes.iter().map(|h| h.unoffered_wh).sum()),
        groups,
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
        let days = intervals as f64 * loaded.config.interval_ms as f64 / 86_400_000.0;
        let baseline = runs
            .iter()
            .find(|(run, _)| run.kind == Kind::GridOnly)
            .map_or(&runs[0].0, |(run, _)| run);
        let mut scenarios: BTreeMap<String, ScenarioKpis> = runs
            .iter()
            .map(|(run, engine)| {
                let kpis = kpis(loaded, run, baseline, engine);
                (run.kind.key().to_string(), kpis)
            })
            .collect();
        // How much of the P2P saving against PV + battery forecast errors eat, per group.
        let pv_costs = scenarios
            .get(Kind::PvBattery.key())
            .map(|k| k.cost_eur.clone());
        if let (Some(pv_costs), Some(hybrid)) = (pv_costs, scenarios.get_mut(Kind::HybridP2p.key()))
        {
            if let Some(imbalance) = &mut hybrid.imbalance {
                for (group, kpis) in &mut imbalance.groups {
                    let hybrid_cost = hybrid.cost_eur.get(group).copied().unwrap_or(0.0);
                    let pv_cost = pv_costs.get(group).copied().unwrap_or(0.0);
                    kpis.saving_before_imbalances_eur = pv_cost - (hybrid_cost - kpis.net_cost_eur);
                    kpis.share_of_saving = (kpis.saving_before_imbalances_eur > 0.0)
                        .then(|| kpis.net_cost_eur / kpis.saving_before_imbalances_eur);
                }
            }
        }
        Self {
            scenario: loaded.scenario.name.clone(),
            households: loaded.homes.len(),
            groups,
            intervals,
            days,
            costs_are_yearly: days >= 365.0,
            assumptions: Assumptions::of(loaded),
            scenarios,
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
            "scenario,par_physical,par_metered,peak_import_kw,peak_export_kw,net_import_kwh,\
             net_export_kwh,grid_import_kwh,grid_export_kwh,p2p_kwh,p2p_mean_price_eur,\
             self_sufficiency,self_consumption,savings_gini,grid_operator_net_revenue_eur",
        );
        for group in &groups {
            write!(summary, ",cost_{group}_eur,savings_{group}_median_eur")?;
        }
        summary.push('\n');
        for (key, k) in self.in_order() {
            write!(
                summary,
                "{key},{:.4},{:.4},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3},{:.4},{:.4},{:.4},{:.4},{:.2}",
                k.par_physical,
                k.par_metered,
                k.peak_import_kw,
                k.peak_export_kw,
                k.net_import_kwh,
                k.net_export_kwh,
                k.grid_import_kwh,
                k.grid_export_kwh,
                k.p2p_kwh,
                k.p2p_mean_price,
                k.self_sufficiency,
                k.self_consumption,
                k.savings_gini,
                k.grid_operator_net_revenue_eur,
            )?;
            for group in &groups {
                write!(
                    summary,
                    ",{:.2},{:.2}",
                    k.cost_eur.get(*group).copied().unwrap_or(0.0),
                    k.savings_eur.get(*group).map_or(0.0, |s| s.median)
                )?;
            }
            summary.push('\n');
        }
        std::fs::write(dir.join("summary.csv"), summary)?;

        let mut series = String::from(
            "scenario,interval,start_ms,load_wh,pv_wh,grid_import_wh,grid_export_wh,\
             net_import_wh,net_export_wh,p2p_wh,stored_wh,price_per_kwh,cleared_net_wh,\
             metered_net_wh,imbalance_short_wh,imbalance_long_wh\n",
        );
        for (run, _) in runs {
            for (index, r) in run.intervals.iter().enumerate() {
                let price = r.price.map_or(String::new(), |p| p.to_string());
                writeln!(
                    series,
                    "{},{index},{},{},{},{},{},{},{},{},{},{price},{},{},{},{}",
                    run.kind.key(),
                    r.start_ms,
                    r.load_wh,
                    r.pv_wh,
                    r.import_wh,
                    r.export_wh,
                    r.net_import_wh,
                    r.net_export_wh,
                    r.p2p_wh,
                    r.stored_wh,
                    r.cleared_net_wh,
                    r.metered_net_wh,
                    r.imbalance_short_wh,
                    r.imbalance_long_wh,
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
            "{:<11} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9} {:>6}",
            "scenario", "PAR phys", "PAR metr", "peak in", "peak out", "P2P kWh", "P2P EUR", "self"
        );
        for group in &groups {
            let _ = write!(out, " {:>12}", format!("{group} EUR"));
        }
        out.push('\n');
        for (key, k) in self.in_order() {
            let _ = write!(
                out,
                "{key:<11} {:>8.4} {:>8.4} {:>6.1}kW {:>6.1}kW {:>9.1} {:>9.4} {:>5.1}%",
                k.par_physical,
                k.par_metered,
                k.peak_import_kw,
                k.peak_export_kw,
                k.p2p_kwh,
                k.p2p_mean_price,
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
        let _ = writeln!(
            out,
            "costs over {:.1} days{}; strategy {}, pricing {} ({} priority, offers {}), feed-in: {}",
            self.days,
            if self.costs_are_yearly {
                ""
            } else {
                " (not a year: the paper's bars are yearly)"
            },
            self.assumptions.strategy,
            self.assumptions.pricing,
            self.assumptions.priority,
            self.assumptions.submission_order,
            self.assumptions.feed_in
        );
        if let Some(imbalance) = self
            .scenarios
            .get(Kind::HybridP2p.key())
            .and_then(|k| k.imbalance.as_ref())
        {
            let _ = write!(
                out,
                "imbalances  {:.1} kWh short, {:.1} kWh long, {:.2} EUR charged, {:.2} EUR credited, \
                 {:.1} kWh unoffered; share of the P2P saving eaten:",
                imbalance.short_kwh,
                imbalance.long_kwh,
                imbalance.charges_eur,
                imbalance.credits_eur,
                imbalance.unoffered_kwh
            );
            for (group, g) in &imbalance.groups {
                match g.share_of_saving {
                    Some(share) => {
                        let _ = write!(out, " {group} {:.1}%", share * 100.0);
                    }
                    None => {
                        let _ = write!(out, " {group} (no saving before imbalances)");
                    }
                }
            }
            let _ = writeln!(out, " ({})", self.assumptions.metering);
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
    fn spread_and_gini() {
        let spread = Spread::of(&[4.0, 1.0, 3.0, 2.0]);
        assert_eq!(
            (spread.min, spread.median, spread.max, spread.mean),
            (1.0, 2.5, 4.0, 2.5)
        );
        assert_eq!((spread.p25, spread.p75), (1.75, 3.25));
        assert_eq!(gini(&[5.0, 5.0, 5.0]), 0.0);
        // One of four holds everything: (3 * 4 * 2) / (2 * 16 * 1) = 0.75.
        assert_eq!(gini(&[0.0, 0.0, 0.0, 4.0]), 0.75);
        assert_eq!(gini(&[]), 0.0);
    }

    #[test]
    fn peak_to_average_of_series() {
        assert_eq!(peak_to_average(&[1, 1, 1, 1]), 1.0);
        assert_eq!(peak_to_average(&[0, 0, 0, 4]), 4.0);
        assert_eq!(peak_to_average(&[0, 0]), 0.0);
    }
}
