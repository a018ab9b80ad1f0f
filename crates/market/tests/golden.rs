//! Golden vectors for the JavaScript client: figures computed here by the market crate, written
//! to `clients/js/test/golden.json`, which `clients/js/test/golden.test.mjs` checks the client's
//! helpers against (no chain needed). They cover `market::seal::commitment`, `market::hour_of`,
//! `market::month_of`, `market::value_of`, `market::deposits::{buy_cover, required_deposit,
//! imbalance_bond, sealed_deposit}`, `Timing::interval_at` and `Timing::state`, and the constants the client
//! mirrors (`MAX_OFFER_WH`, `MAX_PRICE`, `Capacity::DEFAULT`, ...).
//!
//! The test compares the vectors it computes with the committed file and fails on any
//! difference. After a deliberate change of a rule, rewrite the file and commit it with the
//! change:
//!
//! ```text
//! UPDATE_GOLDEN=1 cargo test --locked -p market --test golden
//! ```
//!
//! The JSON is written by hand (the crate has no JSON dependency): one vector per line, integers
//! up to 2^53 - 1 (`Number.MAX_SAFE_INTEGER`) as JSON numbers and larger ones as decimal strings,
//! so that JavaScript reads every figure exactly. A `Result` is `"result": ...` or
//! `"err": "Variant"` (the `MarketError` variant); `Option::None` is `null`.

use market::deposits::{buy_cover, imbalance_bond, required_deposit, sealed_deposit};
use market::metering::{Metering, MissingReading, MAX_SETTLEMENTS_PER_CALL};
use market::seal::commitment;
use market::{
    hour_of, month_of, value_of, AccountId, AuctionRules, Capacity, FeedInRule, IntervalState,
    MarketConfig, MarketError, PricingRule, Priority, Sealing, Side, Tariff, Timing, Topology, BPS,
    MAX_CLAIMS_PER_CALL, MAX_OFFERS, MAX_OFFER_WH, MAX_PRICE,
};
use scale_info::{TypeDef, TypeInfo};

const GOLDEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../clients/js/test/golden.json"
);
/// `Number.MAX_SAFE_INTEGER`: larger integers are written as strings.
const MAX_SAFE: u128 = (1 << 53) - 1;

/// An integer as JSON: a number up to 2^53 - 1, else a decimal string.
fn n(value: impl Into<u128>) -> String {
    let value = value.into();
    if value <= MAX_SAFE {
        value.to_string()
    } else {
        format!("\"{value}\"")
    }
}

fn s(text: &str) -> String {
    format!("\"{text}\"")
}

fn hex(bytes: &[u8]) -> String {
    let digits: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("\"0x{digits}\"")
}

fn obj(fields: &[(&str, String)]) -> String {
    let inner: Vec<String> = fields
        .iter()
        .map(|(key, value)| format!("\"{key}\": {value}"))
        .collect();
    format!("{{{}}}", inner.join(", "))
}

fn list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

/// One vector per line.
fn lines(items: &[String]) -> String {
    if items.is_empty() {
        return "[]".into();
    }
    format!("[\n    {}\n  ]", items.join(",\n    "))
}

fn option(value: Option<String>) -> String {
    value.unwrap_or_else(|| "null".into())
}

/// A `Result` as the `result` or `err` field of a vector.
fn outcome<T>(
    result: Result<T, MarketError>,
    ok: impl FnOnce(T) -> String,
) -> (&'static str, String) {
    match result {
        Ok(value) => ("result", ok(value)),
        Err(error) => ("err", s(&format!("{error:?}"))),
    }
}

fn side(side: Side) -> String {
    s(match side {
        Side::Sell => "Sell",
        Side::Buy => "Buy",
    })
}

fn state(state: IntervalState) -> String {
    s(&format!("{state:?}"))
}

fn sealing_json(sealing: &Sealing) -> String {
    obj(&[
        ("reveal_ms", n(sealing.reveal_ms)),
        ("penalty", n(sealing.penalty)),
        ("forfeit_bps", n(sealing.forfeit_bps)),
        ("bond_per_kwh", n(sealing.bond_per_kwh)),
    ])
}

fn metering_json(metering: &Metering) -> String {
    obj(&[
        ("window_ms", n(metering.window_ms)),
        ("imbalance_bps", n(metering.imbalance_bps)),
        ("feed_in_bps", n(metering.feed_in_bps)),
        (
            "missing",
            s(match metering.missing {
                MissingReading::NothingDelivered => "NothingDelivered",
                MissingReading::AsCleared => "AsCleared",
            }),
        ),
        ("operator", "null".into()),
    ])
}

/// A `MarketConfig` in the client's plain form (the metadata's snake_case, as
/// `deployments/config/*.json` and `Market#config` have it).
fn config_json(config: &MarketConfig) -> String {
    let topology = match &config.auction.topology {
        Topology::Line { areas } => obj(&[("Line", obj(&[("areas", n(*areas))]))]),
        Topology::Matrix { areas, distances } => {
            let distances: Vec<String> = distances.iter().map(|d| n(*d)).collect();
            obj(&[(
                "Matrix",
                obj(&[("areas", n(*areas)), ("distances", list(&distances))]),
            )])
        }
    };
    let pricing = match config.auction.pricing {
        PricingRule::LowestAsk => "LowestAsk",
        PricingRule::MarginalAsk => "MarginalAsk",
        PricingRule::MarginalBid => "MarginalBid",
        PricingRule::Midpoint => "Midpoint",
        PricingRule::PayAsBid => "PayAsBid",
    };
    let priority = match config.auction.priority {
        Priority::Submission => "Submission",
        Priority::PriceTime => "PriceTime",
    };
    let tariff = &config.tariff;
    let prices: Vec<String> = tariff.hourly_prices.iter().map(|p| n(*p)).collect();
    let feed_in = match tariff.feed_in {
        FeedInRule::ClearingPriceOrMin => s("ClearingPriceOrMin"),
        FeedInRule::Fixed(price) => obj(&[("Fixed", n(price))]),
    };
    obj(&[
        ("interval_ms", n(config.interval_ms)),
        (
            "auction",
            obj(&[
                ("topology", topology),
                ("pricing", s(pricing)),
                ("priority", s(priority)),
                (
                    "grid_fee_per_kwh_step",
                    n(config.auction.grid_fee_per_kwh_step),
                ),
            ]),
        ),
        (
            "tariff",
            obj(&[
                ("hourly_prices", list(&prices)),
                ("peak_hours", n(tariff.peak_hours)),
                ("off_peak_hours", n(tariff.off_peak_hours)),
                ("peak_multiplier_bps", n(tariff.peak_multiplier_bps)),
                ("off_peak_multiplier_bps", n(tariff.off_peak_multiplier_bps)),
                ("min_price", n(tariff.min_price)),
                ("max_price", n(tariff.max_price)),
                ("feed_in", feed_in),
            ]),
        ),
        (
            "limits",
            obj(&[
                ("max_offers", n(config.limits.max_offers)),
                ("step_items", n(config.limits.step_items)),
            ]),
        ),
        ("grid_operator", "null".into()),
        ("sealing", option(config.sealing.as_ref().map(sealing_json))),
        (
            "metering",
            option(config.metering.as_ref().map(metering_json)),
        ),
    ])
}

/// The configurations the deposit vectors use, by name.
fn configs() -> Vec<(&'static str, MarketConfig)> {
    // A ring of three areas with a network fee, merit order, the pseudo-code tariff and a
    // sealing of its own.
    let ring = MarketConfig {
        auction: AuctionRules {
            topology: Topology::Matrix {
                areas: 3,
                distances: vec![0, 1, 2, 1, 0, 1, 2, 1, 0],
            },
            pricing: PricingRule::MarginalAsk,
            priority: Priority::PriceTime,
            grid_fee_per_kwh_step: 12_345,
        },
        tariff: Tariff {
            feed_in: FeedInRule::Fixed(70_000),
            ..Tariff::paper_pseudocode()
        },
        sealing: Some(Sealing {
            reveal_ms: 10_000,
            penalty: 1,
            forfeit_bps: 3_333,
            bond_per_kwh: 333_333,
        }),
        // Factors that do not divide evenly, so that the bond's rounding up shows.
        metering: Some(Metering {
            imbalance_bps: 12_345,
            feed_in_bps: 3_333,
            missing: MissingReading::AsCleared,
            ..Metering::DEFAULT
        }),
        ..MarketConfig::paper()
    };
    // Every figure at its bound: prices at MAX_PRICE, a 10x peak, the largest fee.
    let mut extreme = MarketConfig::sealed();
    extreme.tariff.hourly_prices = [MAX_PRICE; 24];
    extreme.tariff.peak_multiplier_bps = 100_000;
    extreme.tariff.off_peak_multiplier_bps = 1;
    extreme.tariff.max_price = MAX_PRICE;
    extreme.auction.grid_fee_per_kwh_step = MAX_PRICE / 2;
    extreme.sealing = Some(Sealing {
        bond_per_kwh: MAX_PRICE,
        penalty: u128::MAX,
        ..Sealing::DEFAULT
    });
    // Small, odd figures, so that rounding shows: four areas on a line (farthest fee 3 * 7),
    // base prices 1, 38, 75, ... per kWh, multipliers that do not divide evenly.
    let mut odd = MarketConfig::paper();
    odd.auction.topology = Topology::Line { areas: 4 };
    odd.auction.grid_fee_per_kwh_step = 7;
    odd.tariff.hourly_prices = core::array::from_fn(|hour| hour as u128 * 37 + 1);
    odd.tariff.peak_multiplier_bps = 12_345;
    odd.tariff.off_peak_multiplier_bps = 9_999;
    odd.sealing = Some(Sealing {
        penalty: 0,
        bond_per_kwh: 1_001,
        ..Sealing::DEFAULT
    });
    let metered = MarketConfig {
        metering: Some(Metering::DEFAULT),
        ..MarketConfig::paper()
    };
    extreme.metering = Some(Metering {
        imbalance_bps: market::metering::MAX_IMBALANCE_BPS,
        ..Metering::DEFAULT
    });
    vec![
        ("paper", MarketConfig::paper()),
        ("metered", metered),
        ("odd", odd),
        ("sealed", MarketConfig::sealed()),
        ("ring", ring),
        ("extreme", extreme),
    ]
}

fn variants<T: TypeInfo + 'static>() -> String {
    match T::type_info().type_def {
        TypeDef::Variant(def) => {
            let names: Vec<String> = def.variants.iter().map(|v| s(v.name)).collect();
            list(&names)
        }
        _ => panic!("not an enum"),
    }
}

fn constants() -> String {
    let capacity = Capacity::DEFAULT;
    obj(&[
        ("MAX_OFFER_WH", n(MAX_OFFER_WH)),
        ("MAX_PRICE", n(MAX_PRICE)),
        ("MAX_OFFERS", n(MAX_OFFERS)),
        ("BPS", n(BPS)),
        ("HOUR_MS", n(market::config::HOUR_MS)),
        ("MAX_CLAIMS_PER_CALL", n(MAX_CLAIMS_PER_CALL)),
        ("MAX_SETTLEMENTS_PER_CALL", n(MAX_SETTLEMENTS_PER_CALL)),
        (
            "DEFAULT_CAPACITY",
            obj(&[
                ("export_wh", n(capacity.export_wh)),
                ("import_wh", n(capacity.import_wh)),
            ]),
        ),
    ])
}

/// `(market, account, interval, side, energy_wh, price, salt)`: what a commitment binds.
type Sealed = ([u8; 32], [u8; 32], u64, Side, u64, u128, [u8; 32]);

fn commitments() -> Vec<String> {
    let pattern: [u8; 32] = core::array::from_fn(|i| i as u8);
    let cases: [Sealed; 9] = [
        ([7; 32], [1; 32], 7, Side::Buy, 1_000, 300_000, [9; 32]),
        ([7; 32], [1; 32], 7, Side::Sell, 1_000, 300_000, [9; 32]),
        ([8; 32], [1; 32], 7, Side::Buy, 1_000, 300_000, [9; 32]),
        ([7; 32], [2; 32], 7, Side::Buy, 1_000, 300_000, [9; 32]),
        ([7; 32], [1; 32], 7, Side::Buy, 1_000, 300_000, [8; 32]),
        ([0; 32], [0; 32], 0, Side::Sell, 0, 0, [0; 32]),
        (
            [0xff; 32],
            [0xff; 32],
            u64::MAX,
            Side::Buy,
            u64::MAX,
            u128::MAX,
            [0xff; 32],
        ),
        (
            pattern,
            [0xa5; 32],
            1 << 53,
            Side::Sell,
            MAX_OFFER_WH,
            MAX_PRICE,
            pattern,
        ),
        (
            [3; 32],
            pattern,
            29_929_000,
            Side::Buy,
            1_500,
            250_000,
            [0x5a; 32],
        ),
    ];
    cases
        .iter()
        .map(
            |(market, account, interval, which, energy_wh, price, salt)| {
                let hash = commitment(
                    &AccountId::from(*market),
                    &AccountId::from(*account),
                    *interval,
                    *which,
                    *energy_wh,
                    *price,
                    salt,
                );
                obj(&[
                    ("market", hex(market)),
                    ("account", hex(account)),
                    ("interval", n(*interval)),
                    ("side", side(*which)),
                    ("energy_wh", n(*energy_wh)),
                    ("price", n(*price)),
                    ("salt", hex(salt)),
                    ("commitment", hex(&hash)),
                ])
            },
        )
        .collect()
}

/// Timestamps around hour, day, month and year boundaries (2024-02-29 is a leap day, 2000 a
/// leap century, 2100 not), 2^53 and `u64::MAX`.
const TIMESTAMPS: [u64; 24] = [
    0,
    3_599_999,
    3_600_000,
    86_399_999,
    86_400_000,
    946_684_799_999,     // 1999-12-31T23:59:59.999Z
    946_684_800_000,     // 2000-01-01
    951_782_400_000,     // 2000-02-29
    951_868_799_999,     // 2000-02-29T23:59:59.999Z
    951_868_800_000,     // 2000-03-01
    1_704_067_199_999,   // 2023-12-31T23:59:59.999Z
    1_704_067_200_000,   // 2024-01-01
    1_709_164_800_000,   // 2024-02-29
    1_709_251_199_999,   // 2024-02-29T23:59:59.999Z
    1_709_251_200_000,   // 2024-03-01
    1_795_637_700_000,   // 2026-11-25T20:15Z
    4_107_542_399_999,   // 2100-02-28T23:59:59.999Z
    4_107_542_400_000,   // 2100-03-01
    253_402_300_799_999, // 9999-12-31T23:59:59.999Z
    253_402_300_800_000, // 10000-01-01
    (1 << 53) - 1,
    1 << 53,
    (1 << 53) + 1,
    u64::MAX,
];

fn hours() -> Vec<String> {
    TIMESTAMPS
        .iter()
        .map(|ms| obj(&[("ms", n(*ms)), ("hour", n(hour_of(*ms)))]))
        .collect()
}

fn months() -> Vec<String> {
    TIMESTAMPS
        .iter()
        .map(|ms| obj(&[("ms", n(*ms)), ("month", n(month_of(*ms)))]))
        .collect()
}

fn values() -> Vec<String> {
    let cases: [(u64, u128); 12] = [
        (1, 999),
        (1, 1_000),
        (999, 1),
        (1_000, 1),
        (1_500, 300_000),
        (333, 1_001),
        (0, u128::MAX),
        (MAX_OFFER_WH, MAX_PRICE),
        (MAX_OFFER_WH, MAX_PRICE * 10),
        (u64::MAX, u128::from(u64::MAX)),
        (u64::MAX, u128::MAX / u128::from(u64::MAX)),
        (u64::MAX, u128::MAX),
    ];
    cases
        .iter()
        .map(|(energy_wh, price)| {
            let (key, value) = outcome(value_of(*energy_wh, *price), n);
            obj(&[
                ("energy_wh", n(*energy_wh)),
                ("price", n(*price)),
                (key, value),
            ])
        })
        .collect()
}

const ENERGIES: [u64; 6] = [1, 999, 1_500, 2_001, MAX_OFFER_WH, u64::MAX];

fn buy_covers(configs: &[(&str, MarketConfig)]) -> Vec<String> {
    let mut out = Vec::new();
    for (name, config) in configs.iter().filter(|(name, _)| *name != "sealed") {
        for hour in [0u8, 5, 6, 17, 21, 22, 24] {
            for energy_wh in ENERGIES {
                for limit in [
                    None,
                    Some(0),
                    Some(980),
                    Some(250_000),
                    Some(MAX_PRICE),
                    Some(u128::MAX),
                ] {
                    let (key, value) = outcome(
                        buy_cover(config, hour, energy_wh, limit),
                        |(limit, deposit)| obj(&[("limit", n(limit)), ("deposit", n(deposit))]),
                    );
                    out.push(obj(&[
                        ("config", s(name)),
                        ("hour", n(hour)),
                        ("energy_wh", n(energy_wh)),
                        ("limit", option(limit.map(n))),
                        (key, value),
                    ]));
                }
            }
        }
    }
    out
}

fn required_deposits() -> Vec<String> {
    let sealings = [
        None,
        Some(Sealing::DEFAULT),
        Some(Sealing {
            penalty: 0,
            bond_per_kwh: MAX_PRICE,
            ..Sealing::DEFAULT
        }),
        Some(Sealing {
            penalty: 7,
            bond_per_kwh: 1,
            ..Sealing::DEFAULT
        }),
        Some(Sealing {
            penalty: 0,
            bond_per_kwh: 1,
            ..Sealing::DEFAULT
        }),
    ];
    let mut out = Vec::new();
    for cover in [0u128, 5, 450_000, u128::MAX] {
        for sealing in &sealings {
            for energy_wh in [0u64, 1, 3, 999, 1_000, 1_001, 2_001, MAX_OFFER_WH, u64::MAX] {
                let (key, value) = outcome(required_deposit(cover, sealing.as_ref(), energy_wh), n);
                out.push(obj(&[
                    ("cover", n(cover)),
                    ("sealing", option(sealing.as_ref().map(sealing_json))),
                    ("energy_wh", n(energy_wh)),
                    (key, value),
                ]));
            }
        }
    }
    out
}

fn sealed_deposits(configs: &[(&str, MarketConfig)]) -> Vec<String> {
    let mut out = Vec::new();
    for (name, config) in configs {
        for hour in [3u8, 12, 18, 24] {
            for which in [Side::Sell, Side::Buy] {
                for energy_wh in ENERGIES {
                    for price in [0u128, 979, 100_000, MAX_PRICE] {
                        let import_wh = Capacity::DEFAULT.import_wh;
                        let result =
                            sealed_deposit(config, hour, which, energy_wh, price, import_wh);
                        let (key, value) = outcome(result, |deposit| option(deposit.map(n)));
                        out.push(obj(&[
                            ("config", s(name)),
                            ("hour", n(hour)),
                            ("side", side(which)),
                            ("energy_wh", n(energy_wh)),
                            ("price", n(price)),
                            ("import_wh", n(import_wh)),
                            (key, value),
                        ]));
                    }
                }
            }
        }
    }
    out
}

fn imbalance_bonds(configs: &[(&str, MarketConfig)]) -> Vec<String> {
    let mut out = Vec::new();
    for (name, config) in configs {
        for hour in [3u8, 18, 24] {
            for which in [Side::Sell, Side::Buy] {
                for energy_wh in ENERGIES {
                    for import_wh in [0u64, 1_000, Capacity::DEFAULT.import_wh, u64::MAX] {
                        let result = imbalance_bond(config, hour, which, energy_wh, import_wh);
                        let (key, value) = outcome(result, n);
                        out.push(obj(&[
                            ("config", s(name)),
                            ("hour", n(hour)),
                            ("side", side(which)),
                            ("energy_wh", n(energy_wh)),
                            ("import_wh", n(import_wh)),
                            (key, value),
                        ]));
                    }
                }
            }
        }
    }
    out
}

fn timing_json(timing: &Timing) -> String {
    obj(&[
        ("start_ms", n(timing.start_ms)),
        ("interval_ms", n(timing.interval_ms)),
    ])
}

const TIMINGS: [Timing; 5] = [
    Timing {
        start_ms: 7_200_000,
        interval_ms: 3_600_000,
    },
    Timing {
        start_ms: 1_795_636_800_000,
        interval_ms: 20_000,
    },
    Timing {
        start_ms: 0,
        interval_ms: 1,
    },
    Timing {
        start_ms: u64::MAX - 10,
        interval_ms: 5,
    },
    Timing {
        start_ms: 5,
        interval_ms: 0,
    },
];

fn intervals_at() -> Vec<String> {
    let mut out = Vec::new();
    for timing in &TIMINGS {
        let start = timing.start_ms;
        let len = timing.interval_ms;
        let mut nows = vec![
            0,
            start.saturating_sub(1),
            start,
            start.saturating_add(len.saturating_sub(1)),
            start.saturating_add(len),
            start
                .saturating_add(len.saturating_mul(7))
                .saturating_add(3),
            u64::MAX,
        ];
        nows.sort_unstable();
        nows.dedup();
        for now in nows {
            let (key, value) = outcome(timing.interval_at(now), n);
            out.push(obj(&[
                ("timing", timing_json(timing)),
                ("now", n(now)),
                (key, value),
            ]));
        }
    }
    out
}

fn states() -> Vec<String> {
    let mut out = Vec::new();
    for timing in &TIMINGS {
        for interval in [0u64, 1, 2, u64::MAX] {
            for reveal_ms in [0u64, 10_000, 600_000, u64::MAX] {
                let start = timing
                    .start_ms
                    .saturating_add(interval.saturating_mul(timing.interval_ms));
                let end = start.saturating_add(timing.interval_ms);
                let mut nows = vec![
                    0,
                    start.saturating_sub(1),
                    start,
                    end.saturating_sub(1),
                    end,
                    end.saturating_add(reveal_ms).saturating_sub(1),
                    end.saturating_add(reveal_ms),
                    u64::MAX,
                ];
                nows.sort_unstable();
                nows.dedup();
                for now in nows {
                    for cleared in [false, true] {
                        // Cleared wins whatever the time: one time is enough to show it.
                        if cleared && now != end {
                            continue;
                        }
                        let got = timing.state(interval, now, reveal_ms, cleared);
                        out.push(obj(&[
                            ("timing", timing_json(timing)),
                            ("interval", n(interval)),
                            ("now", n(now)),
                            ("reveal_ms", n(reveal_ms)),
                            ("cleared", cleared.to_string()),
                            ("state", state(got)),
                        ]));
                    }
                }
            }
        }
    }
    out
}

fn golden() -> String {
    let configs = configs();
    let config_fields: Vec<(&str, String)> = configs
        .iter()
        .map(|(name, config)| (*name, config_json(config)))
        .collect();
    let configs_json = format!(
        "{{\n    {}\n  }}",
        config_fields
            .iter()
            .map(|(name, json)| format!("\"{name}\": {json}"))
            .collect::<Vec<_>>()
            .join(",\n    ")
    );
    let sections = [
        (
            "about",
            s("Golden vectors computed by crates/market (tests/golden.rs) and checked by clients/js/test/golden.test.mjs. Do not edit: rewrite with UPDATE_GOLDEN=1 cargo test --locked -p market --test golden. Integers above 2^53 - 1 are decimal strings."),
        ),
        ("constants", constants()),
        (
            "enums",
            obj(&[
                ("IntervalState", variants::<IntervalState>()),
                ("Side", variants::<Side>()),
            ]),
        ),
        ("configs", configs_json),
        ("commitment", lines(&commitments())),
        ("hour_of", lines(&hours())),
        ("month_of", lines(&months())),
        ("value_of", lines(&values())),
        ("buy_cover", lines(&buy_covers(&configs))),
        ("required_deposit", lines(&required_deposits())),
        ("sealed_deposit", lines(&sealed_deposits(&configs))),
        ("imbalance_bond", lines(&imbalance_bonds(&configs))),
        ("interval_at", lines(&intervals_at())),
        ("interval_state", lines(&states())),
    ];
    let body: Vec<String> = sections
        .iter()
        .map(|(key, value)| format!("  \"{key}\": {value}"))
        .collect();
    format!("{{\n{}\n}}\n", body.join(",\n"))
}

#[test]
fn golden_vectors_match_the_committed_file() {
    let computed = golden();
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::write(GOLDEN, &computed).expect("cannot write clients/js/test/golden.json");
        return;
    }
    let committed = std::fs::read_to_string(GOLDEN).unwrap_or_default();
    if committed != computed {
        let first = committed
            .lines()
            .zip(computed.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(computed.lines().count()));
        panic!(
            "clients/js/test/golden.json differs from what the market crate computes (first at \
             line {}):\n  committed: {}\n  computed:  {}\nIf the rule changed on purpose, run \
             UPDATE_GOLDEN=1 cargo test --locked -p market --test golden and commit the file.",
            first + 1,
            committed.lines().nth(first).unwrap_or("<end of file>"),
            computed.lines().nth(first).unwrap_or("<end of file>"),
        );
    }
}

#[test]
fn vectors_cover_both_sides_every_state_and_errors() {
    let text = golden();
    for needle in [
        "\"side\": \"Sell\"",
        "\"side\": \"Buy\"",
        "\"state\": \"Future\"",
        "\"state\": \"Open\"",
        "\"state\": \"Revealing\"",
        "\"state\": \"Ended\"",
        "\"state\": \"Cleared\"",
        "\"err\": \"Overflow\"",
        "\"err\": \"InvalidTariff\"",
        "\"err\": \"NotStarted\"",
        "\"err\": \"InvalidInterval\"",
        "\"result\": null",
    ] {
        assert!(text.contains(needle), "no vector with {needle}");
    }
}
