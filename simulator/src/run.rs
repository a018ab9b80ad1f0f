//! The interval loop: every home steps, offers its surplus or asks for its deficit, the engine
//! clears the interval, and the run records what crossed the grid and what everyone paid.

use std::time::Instant;

use anyhow::ensure;
use indicatif::ProgressBar;
use market::{Bill, PricePerKwh, Side};

use crate::{
    engine::{Engine, OfferSpec},
    household::{Home, HourClass, Step},
    scenario::Loaded,
    strategy::Sellers,
};

/// The three scenarios of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// No PV, no battery: every home buys its whole load from the grid at the tariff.
    GridOnly,
    /// PV and batteries where the scenario has them; surplus fed into the grid, no P2P.
    PvBattery,
    /// PV and batteries with the hybrid P2P market.
    HybridP2p,
}

impl Kind {
    /// All three, in report order.
    pub const ALL: [Kind; 3] = [Kind::GridOnly, Kind::PvBattery, Kind::HybridP2p];

    /// The report key.
    pub fn key(self) -> &'static str {
        match self {
            Kind::GridOnly => "grid_only",
            Kind::PvBattery => "pv_battery",
            Kind::HybridP2p => "hybrid_p2p",
        }
    }
}

/// One interval of the community.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntervalRecord {
    /// Start, ms since the epoch.
    pub start_ms: u64,
    /// Total consumption, Wh.
    pub load_wh: u64,
    /// PV generation, Wh.
    pub pv_wh: u64,
    /// Energy the homes' meters bought from the grid (their bills' grid lines), Wh.
    pub import_wh: u64,
    /// Energy the homes' meters sold to the grid, Wh.
    pub export_wh: u64,
    /// Physical flow into the community at its transformer: the homes' deficits less their
    /// surpluses, if positive, Wh. P2P trades do not change it: they only say who pays whom.
    pub net_import_wh: u64,
    /// Physical flow out of the community: surpluses less deficits, if positive, Wh.
    pub net_export_wh: u64,
    /// Energy the batteries hold at the end of the interval, Wh.
    pub stored_wh: u64,
    /// Energy traded P2P, Wh.
    pub p2p_wh: u64,
    /// The uniform P2P price, if any.
    pub price: Option<PricePerKwh>,
}

/// A home's sums over the run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HomeTotals {
    /// Energy flows at home, summed.
    pub energy: Step,
    /// Its bills, summed.
    pub bill: Bill,
}

impl HomeTotals {
    /// What the home paid minus what it earned, balance units (negative: it earned more).
    pub fn net_cost(&self) -> i128 {
        self.bill.total_paid() as i128 - self.bill.total_earned() as i128
    }
}

/// A finished run.
#[derive(Debug, Clone)]
pub struct Run {
    /// Which scenario.
    pub kind: Kind,
    /// One record per interval.
    pub intervals: Vec<IntervalRecord>,
    /// One total per home.
    pub homes: Vec<HomeTotals>,
    /// Per interval, each home's step and bill (kept only when asked for: tests).
    pub detail: Option<Vec<Vec<(Step, Bill)>>>,
    /// Contract calls the engine made.
    pub calls: u64,
    /// What sealed offers would have cost (drink engine, measured once).
    pub sealing_cost: Option<crate::engine::SealingCost>,
    /// Where the money stands after the last interval (credits, grid deposit), if the engine
    /// keeps it.
    pub money: Option<crate::engine::Money>,
    /// Wall time, seconds.
    pub seconds: f64,
}

/// Runs `intervals` intervals of scenario `kind` on `engine`.
///
/// # Errors
/// The engine's errors, or a broken energy balance (which would be a bug).
pub fn simulate(
    loaded: &Loaded,
    kind: Kind,
    engine: &mut dyn Engine,
    intervals: usize,
    keep_detail: bool,
    progress: &ProgressBar,
) -> anyhow::Result<Run> {
    let began = Instant::now();
    let equipped = kind != Kind::GridOnly;
    let mut homes: Vec<Home> = loaded
        .homes
        .iter()
        .map(|spec| Home::new(spec.clone(), equipped))
        .collect();
    let mut totals = vec![HomeTotals::default(); homes.len()];
    let mut records = Vec::with_capacity(intervals);
    let mut detail = keep_detail.then(Vec::new);
    let mut sellers = Sellers::new(loaded.scenario.strategy, loaded.scenario.seed, homes.len());
    let tariff = &loaded.config.tariff;
    for index in 0..intervals {
        let start_ms = loaded.start_ms + index as u64 * loaded.config.interval_ms;
        let hour = market::hour_of(start_ms);
        let grid_price = tariff
            .grid_price(hour)
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let class = hour_class(tariff, hour);
        let steps: Vec<Step> = homes
            .iter_mut()
            .map(|home| home.step(loaded.first_step + index, class))
            .collect();
        let mut offers = Vec::new();
        for (home, step) in steps.iter().enumerate() {
            if step.surplus_wh > 0 {
                let ask = sellers.ask(home, tariff, grid_price);
                offers.push(OfferSpec {
                    home,
                    side: Side::Sell,
                    energy_wh: step.surplus_wh,
                    ask: Some(ask),
                });
            } else if step.deficit_wh > 0 {
                offers.push(OfferSpec {
                    home,
                    side: Side::Buy,
                    energy_wh: step.deficit_wh,
                    ask: None,
                });
            }
        }
        let cleared = engine.clear_interval(index as u64, &offers)?;
        let mut bills = vec![Bill::default(); homes.len()];
        for (offer, bill) in offers.iter().zip(&cleared.bills) {
            let step = &steps[offer.home];
            // Every Wh offered is either traded P2P or settled with the grid.
            ensure!(
                bill.p2p_sold_wh + bill.grid_sold_wh == step.surplus_wh
                    && bill.p2p_bought_wh + bill.grid_bought_wh == step.deficit_wh,
                "interval {index}: home {} energy does not balance: {step:?} vs {bill:?}",
                offer.home
            );
            if offer.side == Side::Sell {
                sellers.learn(offer.home, bill, tariff);
            }
            bills[offer.home] = bill.clone();
        }
        for ((total, step), bill) in totals.iter_mut().zip(&steps).zip(&bills) {
            let e = &mut total.energy;
            e.load_wh += step.load_wh;
            e.pv_wh += step.pv_wh;
            e.pv_used_wh += step.pv_used_wh;
            e.charge_wh += step.charge_wh;
            e.grid_charge_wh += step.grid_charge_wh;
            e.discharge_wh += step.discharge_wh;
            e.surplus_wh += step.surplus_wh;
            e.deficit_wh += step.deficit_wh;
            total.bill = total
                .bill
                .checked_add(bill)
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        }
        let deficit: u64 = steps.iter().map(|s| s.deficit_wh).sum();
        let surplus: u64 = steps.iter().map(|s| s.surplus_wh).sum();
        records.push(IntervalRecord {
            start_ms,
            load_wh: steps.iter().map(|s| s.load_wh).sum(),
            pv_wh: steps.iter().map(|s| s.pv_wh).sum(),
            import_wh: cleared.import_wh,
            export_wh: cleared.export_wh,
            net_import_wh: deficit.saturating_sub(surplus),
            net_export_wh: surplus.saturating_sub(deficit),
            stored_wh: homes
                .iter()
                .filter_map(|h| h.battery.map(|b| b.stored_wh))
                .sum(),
            p2p_wh: cleared.p2p_wh,
            price: cleared.price,
        });
        if let Some(detail) = &mut detail {
            detail.push(steps.into_iter().zip(bills).collect());
        }
        progress.inc(1);
    }
    engine.finish()?;
    let money = engine.money()?;
    Ok(Run {
        kind,
        intervals: records,
        homes: totals,
        detail,
        calls: engine.calls(),
        sealing_cost: engine.sealing_cost(),
        money,
        seconds: began.elapsed().as_secs_f64(),
    })
}

/// Where UTC hour `hour` lies in `tariff`.
pub fn hour_class(tariff: &market::Tariff, hour: u8) -> HourClass {
    let bit = 1u32 << hour;
    if tariff.peak_hours & bit != 0 {
        HourClass::Peak
    } else if tariff.off_peak_hours & bit != 0 {
        HourClass::OffPeak
    } else {
        HourClass::Shoulder
    }
}
