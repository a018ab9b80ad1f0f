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

use crate::scenario::{BatterySpec, Dispatch, HomeSpec};

/// Where an interval's hour lies in the tariff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HourClass {
    /// A peak hour (surcharge).
    Peak,
    /// An off-peak hour (discount).
    OffPeak,
    /// Neither.
    Shoulder,
}

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

    /// Energy to store from the grid in an off-peak hour, Wh drawn: up to the power limit
    /// left after `charged` Wh this step, until `reserve` of capacity is stored.
    fn grid_charge(&mut self, reserve: f64, charged: u64) -> u64 {
        let target = (reserve * self.capacity_wh as f64).round() as u64;
        let missing = target.min(self.capacity_wh).saturating_sub(self.stored_wh);
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
}

impl Home {
    /// A home at the start of a run; `equipped` says whether PV and battery are used.
    pub fn new(spec: HomeSpec, equipped: bool) -> Self {
        let step_ms = spec.load.step_ms;
        let battery = spec
            .battery
            .filter(|_| equipped)
            .map(|b| Battery::new(&b, step_ms));
        Self {
            battery,
            use_pv: equipped && spec.pv.is_some(),
            spec,
        }
    }

    /// Runs step `index`, an hour of class `hour`.
    pub fn step(&mut self, index: usize, hour: HourClass) -> Step {
        let load_wh = self.spec.load.at(index);
        let pv_wh = match (&self.spec.pv, self.use_pv) {
            (Some((profile, watts_peak)), true) => (profile.at(index) * watts_peak + 500) / 1000,
            _ => 0,
        };
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
            };
            if discharge {
                step.discharge_wh = battery.discharge(step.deficit_wh);
                step.deficit_wh -= step.discharge_wh;
            }
            if let (Dispatch::Tou { reserve }, HourClass::OffPeak) = (battery.dispatch, hour) {
                step.grid_charge_wh = battery.grid_charge(reserve, step.charge_wh);
                step.deficit_wh += step.grid_charge_wh;
            }
        }
        step
    }
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
        assert_eq!(battery.grid_charge(0.8, 0), 600);
        assert_eq!(battery.stored_wh, 540);
        // 260 missing: 289 drawn stores 260.
        assert_eq!(battery.grid_charge(0.8, 0), 289);
        assert_eq!(battery.stored_wh, 800);
        assert_eq!(battery.grid_charge(0.8, 0), 0);
        // After 500 Wh of PV this step only 100 Wh of power is left.
        battery.stored_wh = 0;
        assert_eq!(battery.grid_charge(0.8, 500), 100);
    }
}
