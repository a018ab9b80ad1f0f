//! A small market day on the real contracts in drink: six homes in three areas trade for four
//! hours; each cleared interval is printed with its trades and grid settlement.
//!
//! Run with `scripts/demo.sh` (builds the contracts first).

use market::{MarketConfig, PricePerKwh};
use market_drink::{actor, Bundles, Community, Home};

/// 2026-06-21T10:00:00Z, a sunny morning.
const START: u64 = 1_782_036_000_000;
const HOUR: u64 = 3_600_000;

/// The homes: name, actor id, area.
const HOMES: [(&str, u8, u8); 6] = [
    ("family A", 2, 0),
    ("single A", 3, 0),
    ("family B", 4, 1),
    ("student B", 5, 1),
    ("single C", 6, 2),
    ("family C", 7, 2),
];

/// Net energy per home and hour in Wh (positive: surplus to sell) and the sellers' asks.
const NET_WH: [[i64; 6]; 4] = [
    [1_800, -450, 900, -600, -500, 300],
    [2_400, -300, 1_500, -350, -700, 1_100],
    [2_100, -800, 600, -900, -400, -200],
    [-300, -1_200, -100, -700, -900, 400],
];
const ASKS: [PricePerKwh; 6] = [110_000, 0, 95_000, 0, 0, 130_000];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bundles = Bundles::load(&Bundles::default_dir())?;
    let operator = actor(1);
    // The grid operator's deposit pays for residual surplus fed into the grid: 10 EUR.
    let community = Community {
        operator,
        start_ms: START,
        homes: HOMES
            .iter()
            .map(|&(_, id, area)| Home::new(actor(id), area))
            .collect(),
        grid_funds: 10_000_000,
    };
    let mut market = community.deploy(&bundles, &MarketConfig::paper())?;
    println!(
        "main {:?}\np2p  {:?}\np2g  {:?}",
        market.main_address(),
        market.p2p_address(),
        market.p2g_address()
    );
    for (interval, net) in NET_WH.iter().enumerate() {
        let interval = interval as u64;
        market.set_time(START + interval * HOUR + 60_000);
        for ((_, id, _), (&wh, &ask)) in HOMES.iter().zip(net.iter().zip(ASKS.iter())) {
            let placed = if wh > 0 {
                market.tx(actor(*id), |main| {
                    main.sell(interval, wh.unsigned_abs(), ask)
                })?
            } else {
                market.buy_covered(actor(*id), interval, wh.unsigned_abs(), None)?
            };
            placed.value.map_err(|e| format!("{e:?}"))?;
        }
        market.set_time(START + (interval + 1) * HOUR);
        let result = market
            .close_interval(operator, interval)?
            .value
            .map_err(|e| format!("{e:?}"))?;
        let hour = 10 + interval;
        let price = result.price.map_or("none".to_string(), |p| {
            format!("{:.3} EUR/kWh", p as f64 / 1e6)
        });
        println!(
            "\ninterval {interval} ({hour}:00 UTC): P2P price {price}, P2P {} Wh, grid import {} Wh at {:.3} EUR/kWh, export {} Wh at {:.3} EUR/kWh",
            result.p2p_volume_wh,
            result.grid_import_wh,
            result.grid_price as f64 / 1e6,
            result.grid_export_wh,
            result.feed_in_price as f64 / 1e6,
        );
        for trade in market.trades(interval)? {
            println!(
                "  trade {:>9} -> {:<9} {:>5} Wh over {} step(s): {:.4} EUR",
                name(&trade.seller),
                name(&trade.buyer),
                trade.energy_wh,
                trade.distance,
                trade.payment as f64 / 1e6
            );
        }
        for (home, id, _) in HOMES {
            if let Some(bill) = market.read(|main| main.bill(actor(id), interval))? {
                let net = bill.total_paid() as f64 - bill.total_earned() as f64;
                println!("  bill  {home:<9} net {:+.4} EUR", net / 1e6);
            }
        }
    }
    // Buyers deposited their worst case with each buy; what their bills did not use, and every
    // seller's earnings, wait as credits until each withdraws them.
    println!();
    for (home, id, _) in HOMES.iter().copied().chain([("operator", 1, 0)]) {
        let credit = market.read(|main| main.credit_of(actor(id)))?;
        if credit > 0 {
            let paid = market
                .tx(actor(id), |main| main.withdraw())?
                .value
                .map_err(|e| format!("{e:?}"))?;
            println!("withdrawn by {home:<9} {:.4} EUR", paid as f64 / 1e6);
        }
    }
    Ok(())
}

fn name(account: &ink::primitives::AccountId) -> &'static str {
    HOMES
        .iter()
        .find(|(_, id, _)| actor(*id) == *account)
        .map_or("?", |(name, _, _)| name)
}
