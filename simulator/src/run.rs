//! The interval loop: every home steps, offers its surplus or asks for its deficit, the engine
//! clears the interval, and the run records what crossed the grid and what everyone paid.

use std::time::Instant;

use anyhow::ensure;
use indicatif::ProgressBar;
use market::{Bill, PricePerKwh, Side};

use crate::{
    engine::{Engine, OfferSpec},
    household::{Home, Step},
    scenario::{AskStrategy, Loaded},
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
    /// Energy bought from the grid, Wh.
    pub import_wh: u64,
    /// Energy sold to the grid, Wh.
    pub export_wh: u64,
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

/// A small deterministic generator (SplitMix64) for the sellers' asks: a seed gives the same
/// run on every machine.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
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
    let mut rng = SplitMix64::new(loaded.scenario.seed);
    let tariff = &loaded.config.tariff;
    for index in 0..intervals {
        let steps: Vec<Step> = homes
            .iter_mut()
            .map(|home| home.step(loaded.first_step + index))
            .collect();
        let mut offers = Vec::new();
        for (home, step) in steps.iter().enumerate() {
            if step.surplus_wh > 0 {
                let ask = match loaded.scenario.strategy {
                    AskStrategy::Uniform => {
                        let span = tariff.max_price - tariff.min_price + 1;
                        tariff.min_price + u128::from(rng.next_u64()) % span
                    }
                    AskStrategy::Fixed { price } => u128::from(price),
                    AskStrategy::Fraction { fraction } => {
                        let span = (tariff.max_price - tariff.min_price) as f64;
                        tariff.min_price + (span * fraction).round() as u128
                    }
                };
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
            bills[offer.home] = bill.clone();
        }
        for ((total, step), bill) in totals.iter_mut().zip(&steps).zip(&bills) {
            let e = &mut total.energy;
            e.load_wh += step.load_wh;
            e.pv_wh += step.pv_wh;
            e.pv_used_wh += step.pv_used_wh;
            e.charge_wh += step.charge_wh;
            e.discharge_wh += step.discharge_wh;
            e.surplus_wh += step.surplus_wh;
            e.deficit_wh += step.deficit_wh;
            total.bill = total
                .bill
                .checked_add(bill)
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        }
        records.push(IntervalRecord {
            start_ms: loaded.start_ms + index as u64 * loaded.config.interval_ms,
            load_wh: steps.iter().map(|s| s.load_wh).sum(),
            import_wh: cleared.import_wh,
            export_wh: cleared.export_wh,
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
