//! Stepped clearing through the real contracts equals one-shot clearing: random books (seeded,
//! every pricing rule, a network fee, cancelled offers) placed through main and closed with
//! `close_step` at small, varying budgets give exactly the trades, price, volumes and bills that
//! `market::clear` and `market::grid_settlement` compute for the same book in one go.

use market::{
    clear, grid_settlement, AuctionRules, Limits, MarketConfig, Offer, PricingRule, Priority, Side,
    Tariff, Topology,
};
use market_drink::{actor, Bundles, MarketEvent, MarketSandbox};

/// 2026-11-30T10:00:00Z (hour 10: the base price, 300_000 per kWh).
const START: u64 = 1_796_032_800_000;
const HOUR: u64 = 3_600_000;

/// SplitMix64: the same books on every machine.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn stepped_close_equals_one_shot_clearing_on_random_books() {
    let bundles = Bundles::load(&Bundles::default_dir()).unwrap();
    for (seed, pricing, priority) in [
        (1, PricingRule::LowestAsk, Priority::Submission),
        (2, PricingRule::MarginalAsk, Priority::Submission),
        (3, PricingRule::LowestAsk, Priority::PriceTime),
        (4, PricingRule::MarginalAsk, Priority::PriceTime),
        (5, PricingRule::MarginalBid, Priority::PriceTime),
        (6, PricingRule::Midpoint, Priority::PriceTime),
        (7, PricingRule::PayAsBid, Priority::PriceTime),
    ] {
        let mut random = Random(seed);
        let rules = AuctionRules {
            topology: Topology::Line { areas: 3 },
            pricing,
            priority,
            grid_fee_per_kwh_step: 5_000,
        };
        let config = MarketConfig {
            auction: rules.clone(),
            limits: Limits {
                max_offers: 100,
                step_items: 7,
            },
            ..MarketConfig::paper()
        };
        let operator = actor(1);
        let mut market = MarketSandbox::deploy(&bundles, &config, operator, START).unwrap();
        // Feed-in is paid out of the grid deposit.
        assert!(market
            .tx_paying(operator, 1_000_000_000, |main| main.fund_grid())
            .unwrap()
            .value
            .is_ok());
        let homes: Vec<_> = (10..46).map(actor).collect();
        let mut areas = Vec::new();
        for (n, home) in homes.iter().enumerate() {
            let area = (n % 3) as u8;
            market.fund(*home).unwrap();
            assert!(market
                .tx(operator, |main| main.register(*home, area, None))
                .unwrap()
                .value
                .is_ok());
            areas.push(area);
        }
        // Every home offers; about one in eight cancels again.
        let mut book = Vec::new();
        for (home, area) in homes.iter().zip(&areas) {
            let energy_wh = 1 + random.below(3_000);
            let price = 80_000 + u128::from(random.below(33)) * 10_000;
            let side = if random.below(2) == 0 {
                Side::Sell
            } else {
                Side::Buy
            };
            let placed = match side {
                Side::Sell => market
                    .tx(*home, |main| main.sell(0, energy_wh, price))
                    .unwrap(),
                Side::Buy => market
                    .buy_covered(*home, 0, energy_wh, Some(price))
                    .unwrap(),
            };
            assert!(placed.value.is_ok(), "{:?}", placed.value);
            if random.below(8) == 0 {
                assert!(market
                    .tx(*home, |main| main.cancel(0))
                    .unwrap()
                    .value
                    .is_ok());
            } else {
                book.push(Offer {
                    account: *home,
                    area: *area,
                    side,
                    energy_wh,
                    price,
                });
            }
        }
        market.set_time(START + HOUR);

        let mut traded = Vec::new();
        let mut steps = 0;
        let result = loop {
            let budget = 1 + random.below(7) as u32;
            let step = market
                .tx(operator, |main| main.close_step(0, budget))
                .unwrap();
            steps += 1;
            traded.extend(step.events.into_iter().filter_map(|event| match event {
                MarketEvent::TradeExecuted(t) => {
                    Some((t.seller, t.buyer, t.energy_wh, t.payment, t.fee))
                }
                _ => None,
            }));
            match step.value.unwrap() {
                main::CloseProgress::InProgress { used } => assert!(used <= budget),
                main::CloseProgress::Closed(result) => break result,
            }
        };

        let one_shot = clear(&book, &rules).unwrap();
        assert!(steps > 10, "seed {seed}: {steps} steps");
        assert!(
            !one_shot.trades.is_empty(),
            "seed {seed}: a book without trades"
        );
        assert_eq!(result.price, one_shot.price, "seed {seed}");
        assert_eq!(result.p2p_volume_wh, one_shot.volume_wh, "seed {seed}");
        assert_eq!(result.offers as usize, book.len(), "seed {seed}");
        assert_eq!(market.trades(0).unwrap(), one_shot.trades, "seed {seed}");
        let expected: Vec<_> = one_shot
            .trades
            .iter()
            .map(|t| (t.seller, t.buyer, t.energy_wh, t.payment, t.fee))
            .collect();
        assert_eq!(traded, expected, "seed {seed}: the events");
        let settlement =
            grid_settlement(&one_shot.positions, one_shot.price, 10, &Tariff::paper()).unwrap();
        assert_eq!(
            result.grid_import_wh, settlement.totals.import_wh,
            "seed {seed}"
        );
        assert_eq!(
            result.grid_export_wh, settlement.totals.export_wh,
            "seed {seed}"
        );
        for (account, bill) in &settlement.bills {
            assert_eq!(
                market.read(|main| main.bill(*account, 0)).unwrap().as_ref(),
                Some(bill),
                "seed {seed}"
            );
        }
    }
}
