//! The scenario file (TOML): the community's households, the market, the sellers' ask strategy
//! and the horizon. Unknown keys are errors, so a typo cannot silently change a run.

use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context};
use market::{
    AuctionRules, FeedInRule, Limits, MarketConfig, PricingRule, Priority, Tariff, Topology,
};
use serde::Deserialize;

use crate::profiles::Profile;

/// A scenario as written in its TOML file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// A short name for reports.
    pub name: String,
    /// Directory of the profiles, relative to the scenario file.
    pub data_dir: PathBuf,
    /// Seed of every random choice (sellers' asks).
    pub seed: u64,
    /// First day to simulate, counted from the data's first day (default 0).
    #[serde(default)]
    pub start_day: u32,
    /// Days to simulate; default: the rest of the data.
    pub days: Option<u32>,
    /// The market's configuration.
    pub market: MarketSection,
    /// How sellers choose their asks.
    pub strategy: AskStrategy,
    /// The household groups.
    #[serde(rename = "group")]
    pub groups: Vec<Group>,
    /// Metered settlement (`[metering]`): households offer a forecast and are metered with
    /// what really flowed; deviations are settled as imbalances. Absent: the paper's declared
    /// energy, where an offer is what flows.
    pub metering: Option<MeteringSection>,
}

/// `[metering]`: how households forecast the interval they offer for, and the imbalance rules
/// (`market::metering::Metering`; the window and the missing-reading default are the
/// contract's defaults: every reading arrives).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MeteringSection {
    /// `perfect`, `persistence` or `noisy`.
    pub forecast: OfferForecast,
    /// `noisy` only: the bound of the relative error, 0 to 1. The forecast is the actual net
    /// position times `1 + e`, `e` uniform in `[-noise, noise]`, drawn per home and interval
    /// from the scenario's seed (its own stream), rounded to the Wh. Default 0.2.
    #[serde(default = "default_noise")]
    pub noise: f64,
    /// The imbalance price as a share of the hour's grid price, basis points (default 15 000).
    #[serde(default = "default_imbalance_bps")]
    pub imbalance_bps: u32,
    /// The imbalance feed-in price as a share of the interval's feed-in price, basis points
    /// (default 5 000).
    #[serde(default = "default_feed_in_bps")]
    pub feed_in_bps: u32,
}

fn default_noise() -> f64 {
    0.2
}

fn default_imbalance_bps() -> u32 {
    market::metering::Metering::DEFAULT.imbalance_bps
}

fn default_feed_in_bps() -> u32 {
    market::metering::Metering::DEFAULT.feed_in_bps
}

/// What a household offers for the coming interval: its forecast of its net position (surplus
/// less deficit, after its battery). The battery acts on the actual energy, which the meter
/// reports.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OfferForecast {
    /// The actual position: no imbalance (an upper bound on what forecasting can do).
    Perfect,
    /// The home's metered position 24 hours earlier (on the first day, its load less PV of
    /// the data's day before, without the battery).
    Persistence,
    /// The actual position with a seeded, bounded relative error (`noise`).
    Noisy,
}

/// The market part of a scenario.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketSection {
    /// `paper` (+20 % peak, -5 % off-peak) or `paper_pseudocode` (x1.8, x0.05).
    pub tariff: TariffChoice,
    /// `lowest_ask` (the paper), `marginal_ask` (alias `merit_order`), `marginal_bid`,
    /// `midpoint` or `pay_as_bid`.
    pub pricing: PricingChoice,
    /// The order buyers and sellers are served in within a distance step: `price_time` (price
    /// priority, submission order on ties) or `submission`. Absent: `submission` under
    /// `lowest_ask` (the paper), `price_time` under every other rule.
    pub priority: Option<PriorityChoice>,
    /// The order the households' offers reach the market each interval: `by_home` (the
    /// scenario's group and home order, the default: the first group submits first) or
    /// `shuffled` (a permutation drawn per interval from the scenario's seed). Submission
    /// order decides ties under `price_time` and everything under `submission`.
    #[serde(default)]
    pub submission_order: SubmissionOrder,
    /// Number of areas on a line.
    pub areas: u8,
    /// Network fee per kWh and distance step, balance units.
    #[serde(default)]
    pub grid_fee_per_kwh_step: u64,
    /// A fixed feed-in price per kWh for residual surplus, balance units. Absent: the paper's
    /// rule (the interval's P2P price, else the tariff's lowest ask).
    pub feed_in_price: Option<u64>,
}

impl MarketSection {
    /// The priority order: the one chosen, else the pricing rule's default.
    pub fn priority(&self) -> Priority {
        match (self.priority, self.pricing) {
            (Some(PriorityChoice::Submission), _) | (None, PricingChoice::LowestAsk) => {
                Priority::Submission
            }
            (Some(PriorityChoice::PriceTime), _) | (None, _) => Priority::PriceTime,
        }
    }
}

/// Which tariff reading.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TariffChoice {
    /// The paper's text: +20 % peak, -5 % off-peak.
    Paper,
    /// The paper's pseudo-code: x1.8 peak, x0.05 off-peak.
    PaperPseudocode,
}

/// Which pricing rule.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PricingChoice {
    /// The lowest ask (the paper).
    LowestAsk,
    /// The marginal ask: where supply and demand cross (`market::PricingRule::MarginalAsk`).
    #[serde(alias = "merit_order")]
    MarginalAsk,
    /// The marginal bid: the highest price of the largest volume (`PricingRule::MarginalBid`).
    MarginalBid,
    /// The midpoint of the marginal ask and bid, the k-double auction with k = 1/2
    /// (`PricingRule::Midpoint`).
    Midpoint,
    /// Pay as bid: the marginal ask's offers trade, each at its buyer's limit
    /// (`PricingRule::PayAsBid`).
    PayAsBid,
}

/// The order offers are submitted in within an interval.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionOrder {
    /// Group by group, home by home, as the scenario lists them.
    #[default]
    ByHome,
    /// A seeded random permutation per interval.
    Shuffled,
}

/// Which priority order (`market::Priority`).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PriorityChoice {
    /// Submission order on both sides (the paper).
    Submission,
    /// Buyers by limit descending, sellers by ask ascending, submission order on ties.
    PriceTime,
}

/// How a seller picks its ask inside the tariff's bounds. Buyers always bid their marginal
/// value, the hour's grid price (main's default limit).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(tag = "ask", rename_all = "snake_case", deny_unknown_fields)]
pub enum AskStrategy {
    /// "Zero-intelligence" traders (Gode and Sunder 1993): uniformly random in
    /// `[min_price, max_price]`, from the scenario's seed. Not a model of rational sellers.
    #[serde(alias = "uniform")]
    ZeroIntelligence,
    /// The seller's marginal value of its surplus: what the grid pays for it otherwise (the
    /// fixed feed-in price; under the paper's feed-in rule the tariff's lowest ask, the least
    /// it can be paid).
    Truthful,
    /// The hour's grid price, within the ask bounds: the buyers' limit, so the rational ask
    /// under lowest-ask pricing.
    GridPrice,
    /// Always the same ask, balance units per kWh.
    Fixed {
        /// The ask.
        price: u64,
    },
    /// `min_price + fraction * (max_price - min_price)`.
    Fraction {
        /// Between 0 and 1.
        fraction: f64,
    },
    /// An adaptive learner per seller: the modified Roth-Erev rule (Nicolaisen, Petrov and
    /// Tesfatsion 2001) over `levels` asks evenly spaced in `[min_price, max_price]`. After
    /// each interval it sold in, the chosen ask's propensity gains the reward (revenue per kWh
    /// sold over `max_price`, so in [0, 1]); all propensities decay by `recency`, and
    /// `experimentation` spreads over the others. Seeded.
    RothErev {
        /// Number of ask levels (at least 2).
        #[serde(default = "default_levels")]
        levels: u32,
        /// Forgetting, 0 to 1.
        #[serde(default = "default_recency")]
        recency: f64,
        /// Experimentation, 0 to 1.
        #[serde(default = "default_experimentation")]
        experimentation: f64,
    },
}

fn default_levels() -> u32 {
    9
}

fn default_recency() -> f64 {
    0.1
}

fn default_experimentation() -> f64 {
    0.2
}

/// A group of similar households.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// The group's name in reports (the paper's: `single`, `student`, `family`).
    pub name: String,
    /// Number of households.
    pub count: u32,
    /// Where the load profiles come from (see [`ProfileSource`]).
    pub profiles: ProfileSource,
    /// PV profile per kWp (file name), if the group has PV.
    pub pv: Option<String>,
    /// PV size, kWp.
    #[serde(default)]
    pub pv_kwp: f64,
    /// The group's battery, if any.
    pub battery: Option<BatterySpec>,
}

/// A group's load profiles.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum ProfileSource {
    /// One `timestamp,wh` file per household; `{n}` becomes the household's number, 1-based.
    Files(String),
    /// One wide CSV with a column per household.
    Wide(WideSource),
    /// One gsy-e style file per household (`{n}` as above).
    GsyE(GsyESource),
}

/// `profiles = { wide = "file.csv", columns = ["h1", "h2"] }`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WideSource {
    /// The file, header `timestamp,<household>,...`, whole Wh per step.
    pub wide: String,
    /// The columns to use, `count` of them; default: the first `count` columns.
    pub columns: Option<Vec<String>>,
    /// Without `columns`: when `count` exceeds the columns, reuse them in order (home `k` takes
    /// column `k mod columns`), so the copies are identical and in lockstep. Default false:
    /// too few columns is an error.
    #[serde(default)]
    pub reuse: bool,
}

/// `profiles = { gsy_e = "load_{n}.csv", unit = "w" }`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GsyESource {
    /// The file name; `{n}` becomes the household's number.
    pub gsy_e: String,
    /// `w` (mean power per interval, the default) or `kwh` (energy per interval).
    #[serde(default)]
    pub unit: crate::profiles::GsyUnit,
    /// First day of a daily `HH:MM` profile, `YYYY-MM-DD`.
    pub start_date: Option<String>,
    /// Days to repeat a daily `HH:MM` profile for.
    pub days: Option<u32>,
}

/// A home battery.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BatterySpec {
    /// Usable capacity, Wh.
    pub capacity_wh: u64,
    /// Largest charge or discharge power, W.
    pub power_w: u64,
    /// Round-trip efficiency, 0 to 1 (applied when charging).
    pub round_trip_efficiency: f64,
    /// State of charge at the start, 0 to 1.
    pub initial_soc: f64,
    /// When it charges and discharges (default `greedy`).
    #[serde(default)]
    pub dispatch: Dispatch,
}

/// A battery's dispatch rule (`crate::household` describes them), e.g.
/// `dispatch = { rule = "tou", reserve = 0.8 }`.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum Dispatch {
    /// Charge from PV surplus, discharge whenever there is a deficit.
    #[default]
    Greedy,
    /// Charge from PV, and from the grid off-peak up to `reserve`; discharge at peak only.
    Tou {
        /// Share of capacity to fill from the grid off-peak, 0 to 1.
        reserve: f64,
    },
    /// Coordinated by the market's community signal: discharge (to the home and beyond, as
    /// offers to the neighbours) while the community's net import exceeds its published
    /// target, and charge from the grid off-peak while it is below, up to `reserve`. Without
    /// the market (the PV + battery baseline) there is no signal and the battery runs greedy.
    CommunityPeak {
        /// Share of capacity to fill from the grid off-peak, 0 to 1.
        reserve: f64,
        /// What the market forecasts the next day's net demand from (default `persistence`).
        #[serde(default)]
        forecast: Forecast,
    },
}

/// The market's forecast of the community's net demand (load less PV) over the next day.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Forecast {
    /// The same hours of the day before (the data's year wraps around for the first week).
    #[default]
    Persistence,
    /// For each hour, the largest of the same hour over the last seven days: a cautious
    /// forecast that keeps energy for the coldest recent evening.
    WeekMax,
    /// The next day as it will be: perfect foresight, an upper bound on what a forecast buys.
    Perfect,
}

/// One household of a loaded scenario.
#[derive(Debug, Clone)]
pub struct HomeSpec {
    /// `group-n`, e.g. `family-3`.
    pub name: String,
    /// Index of its group in [`Loaded::groups`].
    pub group: usize,
    /// Area tag: households of a group are spread round-robin over the areas.
    pub area: u8,
    /// Its load profile.
    pub load: Profile,
    /// Its PV: the per-kWp profile and the size in Wp.
    pub pv: Option<(Profile, u64)>,
    /// Its battery.
    pub battery: Option<BatterySpec>,
}

/// A scenario with its profiles read and checked.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The scenario as written.
    pub scenario: Scenario,
    /// Group names, in file order.
    pub groups: Vec<String>,
    /// Every household.
    pub homes: Vec<HomeSpec>,
    /// The market configuration the scenario describes.
    pub config: MarketConfig,
    /// Start of the first simulated interval, ms since the epoch.
    pub start_ms: u64,
    /// Index of the profiles' step that is the first simulated interval.
    pub first_step: usize,
    /// Steps available in every profile.
    pub steps: usize,
}

impl Scenario {
    /// Reads a scenario file.
    ///
    /// # Errors
    /// Unreadable file, TOML errors (including unknown keys).
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read scenario {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("in scenario {}", path.display()))
    }

    /// Reads the profiles (relative to `base`, the scenario file's directory) and checks that
    /// they share one time axis.
    ///
    /// # Errors
    /// Missing or malformed profiles, mismatched time axes, invalid market settings.
    pub fn load(self, base: &Path) -> anyhow::Result<Loaded> {
        ensure!(
            !self.groups.is_empty(),
            "a scenario needs at least one [[group]]"
        );
        ensure!(self.market.areas > 0, "market.areas must be at least 1");
        match self.strategy {
            AskStrategy::Fraction { fraction } => ensure!(
                (0.0..=1.0).contains(&fraction),
                "strategy.fraction must lie in [0, 1]"
            ),
            AskStrategy::RothErev {
                levels,
                recency,
                experimentation,
            } => ensure!(
                levels >= 2
                    && (0.0..=1.0).contains(&recency)
                    && (0.0..=1.0).contains(&experimentation),
                "strategy roth_erev needs levels >= 2 and recency, experimentation in [0, 1]"
            ),
            _ => {}
        }
        let dir = base.join(&self.data_dir);
        let mut homes = Vec::new();
        for (group_index, group) in self.groups.iter().enumerate() {
            let pv = match &group.pv {
                Some(file) => {
                    ensure!(
                        group.pv_kwp > 0.0,
                        "group {}: pv needs pv_kwp > 0",
                        group.name
                    );
                    let watts_peak = (group.pv_kwp * 1000.0).round() as u64;
                    Some((Profile::load(&dir.join(file))?, watts_peak))
                }
                None => None,
            };
            if let Some(battery) = group.battery {
                ensure!(
                    battery.round_trip_efficiency > 0.0 && battery.round_trip_efficiency <= 1.0,
                    "group {}: round_trip_efficiency must lie in (0, 1]",
                    group.name
                );
                ensure!(
                    (0.0..=1.0).contains(&battery.initial_soc),
                    "group {}: initial_soc must lie in [0, 1]",
                    group.name
                );
                if let Dispatch::Tou { reserve } | Dispatch::CommunityPeak { reserve, .. } =
                    battery.dispatch
                {
                    ensure!(
                        (0.0..=1.0).contains(&reserve),
                        "group {}: dispatch reserve must lie in [0, 1]",
                        group.name
                    );
                }
            }
            let read = |file: &str| {
                let path = dir.join(file);
                std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read profile {}", path.display()))
                    .map(|text| (path, text))
            };
            let loads: Vec<Profile> = match &group.profiles {
                ProfileSource::Files(pattern) => (1..=group.count)
                    .map(|n| Profile::load(&dir.join(pattern.replace("{n}", &n.to_string()))))
                    .collect::<anyhow::Result<_>>()?,
                ProfileSource::Wide(source) => {
                    let (path, text) = read(&source.wide)?;
                    crate::profiles::parse_wide(
                        &text,
                        source.columns.as_deref(),
                        group.count as usize,
                        source.reuse,
                    )
                    .with_context(|| format!("in profile {}", path.display()))?
                    .into_iter()
                    .map(|(_, profile)| profile)
                    .collect()
                }
                ProfileSource::GsyE(source) => (1..=group.count)
                    .map(|n| {
                        let (path, text) = read(&source.gsy_e.replace("{n}", &n.to_string()))?;
                        crate::profiles::parse_gsy_e(
                            &text,
                            source.unit,
                            source.start_date.as_deref(),
                            source.days,
                        )
                        .with_context(|| format!("in profile {}", path.display()))
                    })
                    .collect::<anyhow::Result<_>>()?,
            };
            for (n, load) in (1..=group.count).zip(loads) {
                homes.push(HomeSpec {
                    name: format!("{}-{n}", group.name),
                    group: group_index,
                    area: u8::try_from((n - 1) % u32::from(self.market.areas))?,
                    load,
                    pv: pv.clone(),
                    battery: group.battery,
                });
            }
        }
        let first = &homes.first().context("the groups have no households")?.load;
        let (start_ms, step_ms, steps) = (first.start_ms, first.step_ms, first.wh.len());
        for home in &homes {
            let profiles = std::iter::once(&home.load).chain(home.pv.as_ref().map(|(p, _)| p));
            for profile in profiles {
                if profile.start_ms != start_ms
                    || profile.step_ms != step_ms
                    || profile.wh.len() != steps
                {
                    bail!(
                        "{}: every profile must share the first profile's time axis",
                        home.name
                    );
                }
            }
        }
        let mut tariff = match self.market.tariff {
            TariffChoice::Paper => Tariff::paper(),
            TariffChoice::PaperPseudocode => Tariff::paper_pseudocode(),
        };
        if let Some(price) = self.market.feed_in_price {
            tariff.feed_in = FeedInRule::Fixed(u128::from(price));
        }
        if let Some(metering) = &self.metering {
            ensure!(
                (0.0..=1.0).contains(&metering.noise),
                "metering.noise must lie in [0, 1]"
            );
        }
        let config = MarketConfig {
            interval_ms: step_ms,
            auction: AuctionRules {
                topology: Topology::Line {
                    areas: self.market.areas,
                },
                pricing: match self.market.pricing {
                    PricingChoice::LowestAsk => PricingRule::LowestAsk,
                    PricingChoice::MarginalAsk => PricingRule::MarginalAsk,
                    PricingChoice::MarginalBid => PricingRule::MarginalBid,
                    PricingChoice::Midpoint => PricingRule::Midpoint,
                    PricingChoice::PayAsBid => PricingRule::PayAsBid,
                },
                priority: self.market.priority(),
                grid_fee_per_kwh_step: u128::from(self.market.grid_fee_per_kwh_step),
            },
            tariff,
            limits: Limits::DEFAULT,
            // The operator collects grid sales and fees; the simulator replays open offers
            // (sealed mode would clear the same offers to the same bills, one call later).
            grid_operator: None,
            sealing: None,
            // The operator (the engines' actor 1) meters every home.
            metering: self.metering.map(|metering| market::metering::Metering {
                imbalance_bps: metering.imbalance_bps,
                feed_in_bps: metering.feed_in_bps,
                operator: Some(market_drink::actor(1)),
                ..market::metering::Metering::DEFAULT
            }),
        };
        config
            .validate()
            .map_err(|e| anyhow::anyhow!("invalid market settings: {e:?}"))?;
        let first_step = (u64::from(self.start_day) * 86_400_000 / step_ms) as usize;
        ensure!(
            first_step < steps,
            "start_day {} lies beyond the data",
            self.start_day
        );
        let start_ms = start_ms + first_step as u64 * step_ms;
        let groups = self.groups.iter().map(|g| g.name.clone()).collect();
        Ok(Loaded {
            scenario: self,
            groups,
            homes,
            config,
            start_ms,
            first_step,
            steps,
        })
    }
}

impl Loaded {
    /// Number of intervals to simulate: `days` (if given, else the scenario's), at most the
    /// rest of the data after `start_day`.
    pub fn intervals(&self, days: Option<u32>) -> usize {
        let left = self.steps - self.first_step;
        match days.or(self.scenario.days) {
            Some(days) => {
                ((u64::from(days) * 86_400_000 / self.config.interval_ms) as usize).min(left)
            }
            None => left,
        }
    }
}
