//! The simulator: households with load, PV and batteries trade through the market every
//! interval; the report compares the hybrid P2P market with two baselines.
//!
//! - [`scenario`]: the TOML scenario file (households, market, strategy, horizon).
//! - [`profiles`]: the `timestamp,wh` CSV profiles.
//! - [`household`]: a home's interval: PV self-use, battery, then surplus or deficit.
//! - [`engine`]: where offers are cleared: the real contracts in drink, or the market crate.
//! - [`strategy`]: how sellers choose their asks (rational, random or learning).
//! - [`run`]: the interval loop and what it records.
//! - [`report`]: KPIs (PAR, cost per group, self-sufficiency) and the output files.
//! - [`seeds`]: many seeds of a scenario, KPIs with 95 % confidence intervals.
//! - [`sweep`]: a parallel grid over scenario parameters, one chart per parameter.
//! - [`charts`]: SVG charts of PAR and cost (the paper's Fig. 2 and 3).

pub mod charts;
pub mod cli;
pub mod engine;
pub mod household;
pub mod profiles;
pub mod report;
pub mod run;
pub mod scenario;
pub mod seeds;
pub mod strategy;
pub mod sweep;
