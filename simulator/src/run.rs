//! The interval loop: every home steps, offers its surplus or asks for its deficit, the engine
//! clears the interval, and the run records what crossed the grid and what everyone paid.

use std::time::Instant;

use anyhow::ensure;
use indicatif::ProgressBar;
use market::{metering::Reading, Bill, HourClass, PricePerKwh, Side};

use crate::{
    engine::{Engine, OfferSpec},
    household::{coordinate, Home, Signal, Step},
    scenario::{Dispatch, Forecast, Loaded, OfferForecast, SubmissionOrder},
    strategy::{Sellers, SplitMix64},
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
    /// The grid tariff's price of the interval's hour, balance units per kWh.
    pub grid_price: PricePerKwh,
    /// Net export the offers cleared (sold less bought), Wh: what the homes declared.
    pub cleared_net_wh: i64,
    /// Net export the offering homes' meters reported (surplus less deficit), Wh. Equal to
    /// `cleared_net_wh` without metering.
    pub metered_net_wh: i64,
    /// Energy metered below what cleared, bought from the grid as imbalances, Wh.
    pub imbalance_short_wh: u64,
    /// Energy metered above what cleared, sold to the grid as imbalances, Wh.
    pub imbalance_long_wh: u64,
}

/// A home's sums over the run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HomeTotals {
    /// Energy flows at home, summed.
    pub energy: Step,
    /// Its bills, summed.
    pub bill: Bill,
    /// Energy it drew or fed in intervals it forecast nothing for, so made no offer (metered
    /// runs): settled with the grid at the tariff outside the market, Wh.
    pub unoffered_wh: u64,
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
    /// The weight of the engine's contract calls (drink only).
    pub on_chain: Option<crate::engine::OnChainCost>,
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
        .map(|spec| Home::new(spec.clone(), equipped, kind == Kind::HybridP2p))
        .collect();
    let coordinated = homes.iter().any(|home| home.coordinated);
    let forecast_rule = homes
        .iter()
        .filter(|home| home.coordinated)
        .find_map(|home| match home.battery.map(|b| b.dispatch) {
            Some(Dispatch::CommunityPeak { forecast, .. }) => Some(forecast),
            _ => None,
        })
        .unwrap_or_default();
    // The community's net demand (load less PV) at every step of the data: its last day is
    // the market's persistence forecast of the next (the data's year wraps around for the
    // first day).
    let net_demand: Vec<i64> = if coordinated {
        (0..loaded.steps)
            .map(|step| homes.iter().map(|home| home.net_demand_at(step)).sum())
            .collect()
    } else {
        Vec::new()
    };
    let mut totals = vec![HomeTotals::default(); homes.len()];
    let mut records = Vec::with_capacity(intervals);
    let mut detail = keep_detail.then(Vec::new);
    let mut sellers = Sellers::new(loaded.scenario.strategy, loaded.scenario.seed, homes.len());
    // Its own stream, so that shuffling leaves the asks' draws alone.
    let mut order_rng = SplitMix64::new(loaded.scenario.seed ^ 0x5EED_0F0F_0000_0001);
    let tariff = &loaded.config.tariff;
    let per_day = (86_400_000 / loaded.config.interval_ms).max(1) as usize;
    // Metering applies to the market: the baselines buy and sell at the tariff.
    let metering = loaded.scenario.metering.filter(|_| kind == Kind::HybridP2p);
    // Each home's metered net position (surplus less deficit) over the last day, and the noisy
    // forecast's own stream.
    let mut history = vec![vec![0i64; per_day]; homes.len()];
    let mut noise_rng = SplitMix64::new(loaded.scenario.seed ^ 0x4D45_5445_5249_4E47);
    for index in 0..intervals {
        let start_ms = loaded.start_ms + index as u64 * loaded.config.interval_ms;
        let hour = market::hour_of(start_ms);
        let grid_price = tariff
            .grid_price(hour)
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let class = tariff.hour_class(hour);
        let mut steps: Vec<Step> = homes
            .iter_mut()
            .map(|home| home.step(loaded.first_step + index, class))
            .collect();
        if coordinated {
            let now = loaded.first_step + index;
            let at = |step: usize| net_demand[step % loaded.steps];
            let ahead = now + 7 * loaded.steps;
            let forecast: Vec<i64> = (0..per_day)
                .map(|k| match forecast_rule {
                    Forecast::Persistence => at(ahead + k - per_day),
                    Forecast::WeekMax => (1..=7)
                        .map(|days| at(ahead + k - days * per_day))
                        .max()
                        .unwrap_or(0),
                    Forecast::Perfect => at(now + k),
                })
                .collect();
            let off_peak: Vec<bool> = (0..per_day as u64)
                .map(|k| {
                    let at = start_ms + k * loaded.config.interval_ms;
                    tariff.hour_class(market::hour_of(at)) == HourClass::OffPeak
                })
                .collect();
            let fleet = homes
                .iter()
                .filter(|home| home.coordinated)
                .filter_map(|home| home.battery)
                .fold(
                    Fleet {
                        efficiency_permille: 1000,
                        ..Fleet::default()
                    },
                    |f, b| Fleet {
                        stored_wh: f.stored_wh + b.stored_wh,
                        reserve_wh: f.reserve_wh + b.reserve_wh(),
                        power_wh: f.power_wh + b.step_limit_wh,
                        efficiency_permille: f.efficiency_permille.min(b.efficiency_permille),
                    },
                );
            let level = flat_level(&forecast, &off_peak, fleet);
            let signal = Signal {
                discharge_above_wh: level,
                charge_below_wh: level,
            };
            coordinate(&mut homes, &mut steps, signal, class);
        }
        // What each home offers: its position as it flows (declared energy), or as it
        // forecast it (metered).
        let actual: Vec<i64> = steps
            .iter()
            .map(|step| step.surplus_wh as i64 - step.deficit_wh as i64)
            .collect();
        let offered: Vec<i64> = match metering.map(|m| m.forecast) {
            None | Some(OfferForecast::Perfect) => actual.clone(),
            Some(OfferForecast::Persistence) => (0..homes.len())
                .map(|home| {
                    if index >= per_day {
                        history[home][index % per_day]
                    } else {
                        let step = loaded.first_step + index + loaded.steps - per_day;
                        -homes[home].net_demand_at(step % loaded.steps)
                    }
                })
                .collect(),
            Some(OfferForecast::Noisy) => {
                let noise = metering.map_or(0.0, |m| m.noise);
                actual
                    .iter()
                    .map(|&position| {
                        let error = (noise_rng.next_unit() * 2.0 - 1.0) * noise;
                        position + (position as f64 * error).round() as i64
                    })
                    .collect()
            }
        };
        let mut offers = Vec::new();
        for (home, &position) in offered.iter().enumerate() {
            let (side, ask) = match position.cmp(&0) {
                std::cmp::Ordering::Greater => {
                    (Side::Sell, Some(sellers.ask(home, tariff, grid_price)))
                }
                std::cmp::Ordering::Less => (Side::Buy, None),
                std::cmp::Ordering::Equal => continue,
            };
            offers.push(OfferSpec {
                home,
                side,
                energy_wh: position.unsigned_abs(),
                ask,
            });
        }
        if loaded.scenario.market.submission_order == SubmissionOrder::Shuffled {
            shuffle(&mut offers, &mut order_rng);
        }
        let readings: Option<Vec<Reading>> = metering.map(|_| {
            offers
                .iter()
                .map(|offer| Reading {
                    delivered_wh: steps[offer.home].surplus_wh,
                    consumed_wh: steps[offer.home].deficit_wh,
                })
                .collect()
        });
        let cleared = engine.clear_interval(index as u64, &offers, readings.as_deref())?;
        let mut bills = vec![Bill::default(); homes.len()];
        let mut offering = vec![false; homes.len()];
        let (mut cleared_net, mut metered_net) = (0i64, 0i64);
        for (offer, bill) in offers.iter().zip(&cleared.bills) {
            let step = &steps[offer.home];
            let sold = bill.p2p_sold_wh + bill.grid_sold_wh;
            let bought = bill.p2p_bought_wh + bill.grid_bought_wh;
            // Every Wh offered is either traded P2P or settled with the grid ...
            ensure!(
                (offer.side == Side::Sell && sold == offer.energy_wh && bought == 0)
                    || (offer.side == Side::Buy && bought == offer.energy_wh && sold == 0),
                "interval {index}: home {} offer does not balance: {offer:?} vs {bill:?}",
                offer.home
            );
            // ... and what the meter saw is what cleared plus the imbalance.
            let net = |out: u64, back: u64| out as i64 - back as i64;
            ensure!(
                net(sold, bought) + net(bill.imbalance_long_wh, bill.imbalance_short_wh)
                    == net(step.surplus_wh, step.deficit_wh),
                "interval {index}: home {} energy does not balance: {step:?} vs {bill:?}",
                offer.home
            );
            cleared_net += net(sold, bought);
            metered_net += net(step.surplus_wh, step.deficit_wh);
            if offer.side == Side::Sell {
                sellers.learn(offer.home, bill, tariff);
            }
            bills[offer.home] = bill.clone();
            offering[offer.home] = true;
        }
        // A home that forecast nothing made no offer: what it drew or fed is settled with the
        // grid at the tariff, outside the market (its supplier's contract).
        let feed_in_price = tariff.feed_in_price(cleared.price);
        let mut unoffered = vec![0u64; homes.len()];
        for (home, step) in steps.iter().enumerate() {
            if offering[home] || (step.surplus_wh == 0 && step.deficit_wh == 0) {
                continue;
            }
            let value = |wh: u64, price: PricePerKwh| {
                market::value_of(wh, price).map_err(|e| anyhow::anyhow!("{e:?}"))
            };
            bills[home] = Bill {
                grid_bought_wh: step.deficit_wh,
                grid_paid: value(step.deficit_wh, grid_price)?,
                grid_sold_wh: step.surplus_wh,
                grid_earned: value(step.surplus_wh, feed_in_price)?,
                ..Bill::default()
            };
            unoffered[home] = step.surplus_wh + step.deficit_wh;
        }
        for (home, position) in actual.iter().enumerate() {
            history[home][index % per_day] = *position;
        }
        for (((total, step), bill), unoffered) in
            totals.iter_mut().zip(&steps).zip(&bills).zip(&unoffered)
        {
            total.unoffered_wh += unoffered;
            let e = &mut total.energy;
            e.load_wh += step.load_wh;
            e.pv_wh += step.pv_wh;
            e.pv_used_wh += step.pv_used_wh;
            e.charge_wh += step.charge_wh;
            e.grid_charge_wh += step.grid_charge_wh;
            e.discharge_wh += step.discharge_wh;
            e.export_discharge_wh += step.export_discharge_wh;
            e.surplus_wh += step.surplus_wh;
            e.deficit_wh += step.deficit_wh;
            total.bill = total
                .bill
                .checked_add(bill)
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        }
        let deficit: u64 = steps.iter().map(|s| s.deficit_wh).sum();
        let surplus: u64 = steps.iter().map(|s| s.surplus_wh).sum();
        // What the homes' meters bought from and sold to the grid: the bills' grid and
        // imbalance lines (without metering, the grid lines: the close's totals).
        let (import_wh, export_wh) = if metering.is_some() {
            (
                bills
                    .iter()
                    .map(|b| b.grid_bought_wh + b.imbalance_short_wh)
                    .sum(),
                bills
                    .iter()
                    .map(|b| b.grid_sold_wh + b.imbalance_long_wh)
                    .sum(),
            )
        } else {
            (cleared.import_wh, cleared.export_wh)
        };
        records.push(IntervalRecord {
            start_ms,
            load_wh: steps.iter().map(|s| s.load_wh).sum(),
            pv_wh: steps.iter().map(|s| s.pv_wh).sum(),
            import_wh,
            export_wh,
            net_import_wh: deficit.saturating_sub(surplus),
            net_export_wh: surplus.saturating_sub(deficit),
            stored_wh: homes
                .iter()
                .filter_map(|h| h.battery.map(|b| b.stored_wh))
                .sum(),
            p2p_wh: cleared.p2p_wh,
            price: cleared.price,
            grid_price,
            cleared_net_wh: cleared_net,
            metered_net_wh: metered_net,
            imbalance_short_wh: bills.iter().map(|b| b.imbalance_short_wh).sum(),
            imbalance_long_wh: bills.iter().map(|b| b.imbalance_long_wh).sum(),
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
        on_chain: engine.on_chain_cost(),
        money,
        seconds: began.elapsed().as_secs_f64(),
    })
}

/// The coordinated batteries as one fleet, for the market's signal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fleet {
    /// Energy stored, Wh.
    pub stored_wh: u64,
    /// Up to what the grid may fill them (their reserves together), Wh stored.
    pub reserve_wh: u64,
    /// Joint power, Wh per interval.
    pub power_wh: u64,
    /// Round-trip efficiency, per mille (the fleet's lowest).
    pub efficiency_permille: u64,
}

/// The community import level the market publishes: the lowest level `X` at which the fleet
/// can hold the forecast at or below `X` through the forecast's intervals in order: below `X`
/// in an off-peak interval (`off_peak[k]`) it charges from the grid (up to `X`, its power and
/// its reserve, stored x efficiency), above `X` it discharges (up to its power) and must not
/// run out. Where the power cannot bring an interval down to `X`, that interval keeps what
/// the power leaves (the level is then set by the power). PV charging is left out.
pub fn flat_level(forecast: &[i64], off_peak: &[bool], fleet: Fleet) -> u64 {
    let power = i64::try_from(fleet.power_wh).unwrap_or(i64::MAX);
    let feasible = |level: i64| -> bool {
        let mut stored = fleet.stored_wh;
        for (&f, &cheap) in forecast.iter().zip(off_peak) {
            if f > level {
                let need = (f - level).min(power) as u64;
                match stored.checked_sub(need) {
                    Some(left) => stored = left,
                    None => return false,
                }
            } else if cheap && stored < fleet.reserve_wh {
                let drawn = (level - f).min(power) as u64;
                let added = drawn * fleet.efficiency_permille / 1000;
                stored = (stored + added).min(fleet.reserve_wh.max(stored));
            }
        }
        true
    };
    let peak = forecast.iter().copied().max().unwrap_or(0).max(0);
    let floor = peak.saturating_sub(power).max(0);
    let (mut low, mut high) = (floor, peak);
    while low < high {
        let mid = low + (high - low) / 2;
        if feasible(mid) {
            high = mid;
        } else {
            low = mid + 1;
        }
    }
    low as u64
}

/// A Fisher-Yates shuffle from `rng`.
fn shuffle<T>(items: &mut [T], rng: &mut SplitMix64) {
    for last in (1..items.len()).rev() {
        let pick = (rng.next_u64() % (last as u64 + 1)) as usize;
        items.swap(last, pick);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level_flattens_the_forecast_in_order_with_what_the_fleet_can_store() {
        // Peaks of 10 and 8 over a base of 2; no off-peak interval.
        let forecast = [2, 10, 2, 8, 2];
        let none = [false; 5];
        let fleet = |stored_wh, reserve_wh, power_wh| Fleet {
            stored_wh,
            reserve_wh,
            power_wh,
            efficiency_permille: 1000,
        };
        assert_eq!(flat_level(&forecast, &none, fleet(0, 0, 100)), 10);
        assert_eq!(flat_level(&forecast, &none, fleet(2, 0, 100)), 8);
        // 8 Wh shave both peaks to 5 (5 + 3); 7 Wh would not.
        assert_eq!(flat_level(&forecast, &none, fleet(8, 0, 100)), 5);
        assert_eq!(flat_level(&forecast, &none, fleet(7, 0, 100)), 6);
        assert_eq!(flat_level(&[-5, -3], &[false; 2], fleet(0, 0, 100)), 0);
        // With 3 Wh of power per interval the peak of 10 cannot come below 7.
        assert_eq!(flat_level(&forecast, &none, fleet(1_000, 0, 3)), 7);
        // Charging off-peak in the first interval pays for the peaks after it: at 5, 3 Wh
        // drawn x 0.5 (1 Wh, rounded down) + 7 stored cover the 8 needed.
        let first = [true, false, false, false, false];
        let half = Fleet {
            efficiency_permille: 500,
            ..fleet(7, 100, 100)
        };
        assert_eq!(flat_level(&forecast, &first, half), 5);
        // Without room up to the reserve, stored alone decides.
        assert_eq!(
            flat_level(
                &forecast,
                &first,
                Fleet {
                    reserve_wh: 7,
                    ..half
                }
            ),
            6
        );
        // Charging after a peak cannot pay for it: off-peak only in the last interval.
        let last = [false, false, false, false, true];
        assert_eq!(flat_level(&forecast, &last, half), 6);
    }
}
