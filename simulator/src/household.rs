//! One home's interval: PV first covers the home's own load, then charges the battery; the
//! battery then covers what PV could not, as its dispatch rule allows; what remains is offered
//! to the market (surplus) or asked for (deficit). Energy is whole Wh; the battery's round-trip
//! loss is taken when charging (stored = charged x efficiency, rounded down), discharging is
//! lossless, so `load + grid_charge = pv_used + discharge + deficit` and
//! `pv = pv_used + charge + surplus` hold exactly.
//!
//! Dispatch rules ([`Dispatch`], per group in the scenario):
//! - `greedy`: charge from PV surplus only, discharge whenever the home has a deficit. A
//!   winter evening (no PV for days) finds the battery empty.
//! - `tou` (time of use): charge from PV surplus at any hour and, in the tariff's off-peak
//!   hours, from the grid up to `reserve` of capacity (the grid charge is part of the home's
//!   deficit, bought like its load); discharge only in the tariff's peak hours.
//! - `community_peak`: charge from PV surplus; the rest is decided for the whole community by
//!   [`coordinate`] against the market's published import target: discharge while the
//!   community's net import exceeds it (first for the home's own deficit, the rest offered to
//!   the neighbours as surplus: `export_discharge_wh`), charge from the grid off-peak while it
//!   is below. Then `pv + export_discharge = pv_used + charge + surplus`.

use market::HourClass;

use crate::scenario::{BatterySpec, Dispatch, HomeSpec};

/// A battery's state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Battery {
    /// Usable capacity, Wh.
    pub capacity_wh: u64,
    /// Most energy moved in or out per step, Wh.
    pub step_limit_wh: u64,
    /// Round-trip efficiency, per mille.
    pub efficiency_permille: u64,
    /// Energy stored, Wh.
    pub stored_wh: u64,
    /// When it charges and discharges.
    pub dispatch: Dispatch,
}

impl Battery {
    /// A battery from its spec, for steps of `step_ms`.
    pub fn new(spec: &BatterySpec, step_ms: u64) -> Self {
        Self {
            capacity_wh: spec.capacity_wh,
            step_limit_wh: spec.power_w * step_ms / 3_600_000,
            efficiency_permille: (spec.round_trip_efficiency * 1000.0).round() as u64,
            stored_wh: (spec.initial_soc * spec.capacity_wh as f64).round() as u64,
            dispatch: spec.dispatch,
        }
    }

    /// The energy it holds when filled to its grid-charging reserve, Wh (0 for `greedy`).
    pub fn reserve_wh(&self) -> u64 {
        match self.dispatch {
            Dispatch::Greedy => 0,
            Dispatch::Tou { reserve } | Dispatch::CommunityPeak { reserve, .. } => {
                ((reserve * self.capacity_wh as f64).round() as u64).min(self.capacity_wh)
            }
        }
    }

    /// Energy to store from the grid in an off-peak hour, Wh drawn: up to the power limit
    /// left after `charged` Wh this step, until [`Battery::reserve_wh`] is stored.
    fn grid_charge(&mut self, charged: u64) -> u64 {
        let missing = self.reserve_wh().saturating_sub(self.stored_wh);
        if missing == 0 {
            return 0;
        }
        let efficiency = self.efficiency_permille.max(1);
        let wanted = (missing * 1000).div_ceil(efficiency);
        let room = self.step_limit_wh.saturating_sub(charged);
        self.charge(wanted.min(room))
    }

    /// Charges from up to `offered` Wh; returns the Wh taken (stored = taken x efficiency,
    /// rounded down). When the battery fills up it takes the least energy that fills it.
    fn charge(&mut self, offered: u64) -> u64 {
        let room = self.capacity_wh - self.stored_wh;
        let efficiency = self.efficiency_permille.max(1);
        let limit = offered.min(self.step_limit_wh);
        let storable = limit * efficiency / 1000;
        let taken = if storable <= room {
            limit
        } else {
            (room * 1000).div_ceil(efficiency)
        };
        self.stored_wh += taken * efficiency / 1000;
        taken
    }

    /// Delivers up to `wanted` Wh; returns the Wh delivered.
    fn discharge(&mut self, wanted: u64) -> u64 {
        let delivered = wanted.min(self.step_limit_wh).min(self.stored_wh);
        self.stored_wh -= delivered;
        delivered
    }
}

/// What a home did in one step, Wh.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Step {
    /// Consumption.
    pub load_wh: u64,
    /// PV generation.
    pub pv_wh: u64,
    /// PV consumed at home.
    pub pv_used_wh: u64,
    /// PV energy put into the battery (before the round-trip loss).
    pub charge_wh: u64,
    /// Grid energy put into the battery (before the round-trip loss); part of `deficit_wh`.
    pub grid_charge_wh: u64,
    /// Battery energy used at home.
    pub discharge_wh: u64,
    /// Battery energy offered to the market beyond the home's own need; part of `surplus_wh`.
    pub export_discharge_wh: u64,
    /// Left over for the market or the grid.
    pub surplus_wh: u64,
    /// Still needed from the market or the grid.
    pub deficit_wh: u64,
}

/// A home in a running simulation.
#[derive(Debug, Clone)]
pub struct Home {
    /// Its spec.
    pub spec: HomeSpec,
    /// Its battery, if it has one and the scenario uses it.
    pub battery: Option<Battery>,
    /// Whether the scenario uses its PV.
    pub use_pv: bool,
    /// Whether a community signal steers its battery (`community_peak` with the market).
    pub coordinated: bool,
}

impl Home {
    /// A home at the start of a run; `equipped` says whether PV and battery are used,
    /// `signal` whether the market publishes the community signal (else a `community_peak`
    /// battery runs greedy).
    pub fn new(spec: HomeSpec, equipped: bool, signal: bool) -> Self {
        let step_ms = spec.load.step_ms;
        let mut battery = spec
            .battery
            .filter(|_| equipped)
            .map(|b| Battery::new(&b, step_ms));
        let mut coordinated = false;
        if let Some(battery) = &mut battery {
            if let Dispatch::CommunityPeak { .. } = battery.dispatch {
                coordinated = signal;
                if !signal {
                    battery.dispatch = Dispatch::Greedy;
                }
            }
        }
        Self {
            battery,
            use_pv: equipped && spec.pv.is_some(),
            coordinated,
            spec,
        }
    }

    /// Load less PV at step `index`, Wh (what the market forecasts from).
    pub fn net_demand_at(&self, index: usize) -> i64 {
        self.spec.load.at(index) as i64 - self.pv_at(index) as i64
    }

    /// PV generation at step `index`, Wh: the per-kWp profile times the size, rounded.
    fn pv_at(&self, index: usize) -> u64 {
        match (&self.spec.pv, self.use_pv) {
            (Some((profile, watts_peak)), true) => (profile.at(index) * watts_peak + 500) / 1000,
            _ => 0,
        }
    }

    /// Runs step `index`, an hour of class `hour`.
    pub fn step(&mut self, index: usize, hour: HourClass) -> Step {
        let load_wh = self.spec.load.at(index);
        let pv_wh = self.pv_at(index);
        let pv_used_wh = load_wh.min(pv_wh);
        let mut step = Step {
            load_wh,
            pv_wh,
            pv_used_wh,
            surplus_wh: pv_wh - pv_used_wh,
            deficit_wh: load_wh - pv_used_wh,
            ..Step::default()
        };
        if let Some(battery) = &mut self.battery {
            step.charge_wh = battery.charge(step.surplus_wh);
            step.surplus_wh -= step.charge_wh;
            let discharge = match battery.dispatch {
                Dispatch::Greedy => true,
                Dispatch::Tou { .. } => hour == HourClass::Peak,
                Dispatch::CommunityPeak { .. } => false,
            };
            if discharge {
                step.discharge_wh = battery.discharge(step.deficit_wh);
                step.deficit_wh -= step.discharge_wh;
            }
            if let (Dispatch::Tou { .. }, HourClass::OffPeak) = (battery.dispatch, hour) {
                step.grid_charge_wh = battery.grid_charge(step.charge_wh);
                step.deficit_wh += step.grid_charge_wh;
            }
        }
        step
    }
}

/// The market's community signal for one interval, from its forecast of the next day's net
/// demand (`crate::run::peak_target`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signal {
    /// The level the batteries' stored energy can shave the forecast to: above it they
    /// discharge.
    pub discharge_above_wh: u64,
    /// The level full batteries could shave the forecast to: off-peak they charge from the
    /// grid while the community imports less, never pushing its import above it.
    pub charge_below_wh: u64,
}

/// Steers the coordinated batteries of `homes` (their `steps` already taken by
/// [`Home::step`]) by the market's `signal` in an interval of class `hour`. With the
/// community's net import `R` (deficits less surpluses):
/// - `R > discharge_above`: the batteries deliver up to the difference together, shared in
///   proportion to what each can deliver (power and charge), rounded down, the remainder in
///   home order. A battery covers its home's deficit first and offers the rest as surplus.
/// - `R < charge_below` in an off-peak hour: they charge from the grid up to the difference
///   together, each up to its `reserve`, shared in the same way.
pub fn coordinate(homes: &mut [Home], steps: &mut [Step], signal: Signal, hour: HourClass) {
    let deficit: u64 = steps.iter().map(|s| s.deficit_wh).sum();
    let surplus: u64 = steps.iter().map(|s| s.surplus_wh).sum();
    let coordinated: Vec<usize> = (0..homes.len()).filter(|&h| homes[h].coordinated).collect();
    if deficit > surplus.saturating_add(signal.discharge_above_wh) {
        let need = deficit - surplus - signal.discharge_above_wh;
        let can: Vec<u64> = coordinated
            .iter()
            .map(|&h| {
                homes[h]
                    .battery
                    .as_ref()
                    .map_or(0, |b| b.stored_wh.min(b.step_limit_wh))
            })
            .collect();
        for (&h, share) in coordinated.iter().zip(shares(need, &can)) {
            let Some(battery) = homes[h].battery.as_mut() else {
                continue;
            };
            let delivered = battery.discharge(share);
            let step = &mut steps[h];
            let own = delivered.min(step.deficit_wh);
            step.discharge_wh += own;
            step.deficit_wh -= own;
            step.export_discharge_wh += delivered - own;
            step.surplus_wh += delivered - own;
        }
    } else if hour == HourClass::OffPeak && deficit < surplus.saturating_add(signal.charge_below_wh)
    {
        let room = surplus + signal.charge_below_wh - deficit;
        let wants: Vec<u64> = coordinated
            .iter()
            .map(|&h| {
                let charged = steps[h].charge_wh;
                // What it would draw alone, on a copy: the shares are cut from these.
                homes[h].battery.map_or(0, |mut b| b.grid_charge(charged))
            })
            .collect();
        for (&h, share) in coordinated.iter().zip(shares(room, &wants)) {
            let Some(battery) = homes[h].battery.as_mut() else {
                continue;
            };
            let drawn = battery.charge(share);
            steps[h].grid_charge_wh += drawn;
            steps[h].deficit_wh += drawn;
        }
    }
}

/// Splits up to `total` over `caps` in proportion to them, each at most its cap: rounded down,
/// the remainder one unit at a time in order.
fn shares(total: u64, caps: &[u64]) -> Vec<u64> {
    let sum: u64 = caps.iter().sum();
    if sum <= total {
        return caps.to_vec();
    }
    let mut out: Vec<u64> = caps
        .iter()
        .map(|&c| (u128::from(total) * u128::from(c) / u128::from(sum)) as u64)
        .collect();
    let mut left = total - out.iter().sum::<u64>();
    for (share, &cap) in out.iter_mut().zip(caps) {
        if left == 0 {
            break;
        }
        if *share < cap {
            *share += 1;
            left -= 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn battery_respects_capacity_power_and_loss() {
        let spec = BatterySpec {
            capacity_wh: 1_000,
            power_w: 600,
            round_trip_efficiency: 0.9,
            initial_soc: 0.5,
            dispatch: Dispatch::Greedy,
        };
        let mut battery = Battery::new(&spec, 3_600_000);
        assert_eq!(battery.stored_wh, 500);
        // Power limit 600 Wh per hour; 600 * 0.9 = 540 > room 500: take at most 556 (stores 500).
        assert_eq!(battery.charge(2_000), 556);
        assert_eq!(battery.stored_wh, 1_000);
        assert_eq!(battery.charge(100), 0);
        assert_eq!(battery.discharge(2_000), 600);
        assert_eq!(battery.stored_wh, 400);
        assert_eq!(battery.discharge(1_000), 400);
        assert_eq!(battery.discharge(1), 0);
    }

    #[test]
    fn tou_charges_off_peak_from_the_grid_and_discharges_at_peak_only() {
        let spec = BatterySpec {
            capacity_wh: 1_000,
            power_w: 600,
            round_trip_efficiency: 0.9,
            initial_soc: 0.0,
            dispatch: Dispatch::Tou { reserve: 0.8 },
        };
        let mut battery = Battery::new(&spec, 3_600_000);
        // 800 Wh wanted: 889 Wh drawn, but the power limit allows 600 (stores 540).
        assert_eq!(battery.grid_charge(0), 600);
        assert_eq!(battery.stored_wh, 540);
        // 260 missing: 289 drawn stores 260.
        assert_eq!(battery.grid_charge(0), 289);
        assert_eq!(battery.stored_wh, 800);
        assert_eq!(battery.grid_charge(0), 0);
        // After 500 Wh of PV this step only 100 Wh of power is left.
        battery.stored_wh = 0;
        assert_eq!(battery.grid_charge(500), 100);
    }

    #[test]
    fn shares_are_proportional_capped_and_whole() {
        assert_eq!(shares(10, &[5, 5]), vec![5, 5]);
        assert_eq!(shares(20, &[5, 5]), vec![5, 5]);
        assert_eq!(shares(7, &[10, 10, 0]), vec![4, 3, 0]);
        assert_eq!(shares(5, &[1, 3]), vec![1, 3]);
        assert_eq!(shares(3, &[1, 3]).iter().sum::<u64>(), 3);
    }
}
