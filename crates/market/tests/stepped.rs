//! Stepped clearing equals one-shot clearing: on random books (every pricing rule and priority,
//! line and matrix topologies, network fees, cancelled slots) and random step budgets, [`market::step`]
//! produces the same price, volume, trades in the same order and positions as [`market::clear`].

use market::{
    clear, step, AccountId, AuctionRules, Cursor, MarketError, MemoryBook, Offer, PricingRule,
    Priority, Side, Stage, Topology,
};
use proptest::prelude::*;

fn topology() -> impl Strategy<Value = Topology> {
    prop_oneof![
        (1u8..=5).prop_map(|areas| Topology::Line { areas }),
        // A symmetric matrix with a zero diagonal; distances may repeat and skip values.
        (1u8..=4)
            .prop_flat_map(|areas| {
                let cells = usize::from(areas) * usize::from(areas);
                (Just(areas), prop::collection::vec(0u8..6, cells))
            })
            .prop_map(|(areas, raw)| {
                let n = usize::from(areas);
                let mut distances = vec![0u8; n * n];
                for a in 0..n {
                    for b in (a + 1)..n {
                        let d = raw[a * n + b] + 1;
                        distances[a * n + b] = d;
                        distances[b * n + a] = d;
                    }
                }
                Topology::Matrix { areas, distances }
            }),
    ]
}

fn rules() -> impl Strategy<Value = AuctionRules> {
    (
        topology(),
        prop_oneof![
            Just(PricingRule::LowestAsk),
            Just(PricingRule::MarginalAsk),
            Just(PricingRule::MarginalBid),
            Just(PricingRule::Midpoint),
            Just(PricingRule::PayAsBid),
        ],
        prop_oneof![Just(Priority::Submission), Just(Priority::PriceTime)],
        prop_oneof![Just(0u128), 1u128..50_000],
    )
        .prop_map(
            |(topology, pricing, priority, grid_fee_per_kwh_step)| AuctionRules {
                topology,
                pricing,
                priority,
                grid_fee_per_kwh_step,
            },
        )
}

/// A book of up to 60 slots; about one in ten is cancelled. Prices come from a small set so
/// that ties (equal asks, limits equal to asks) are common.
fn book(areas: u8) -> impl Strategy<Value = Vec<Option<Offer>>> {
    let offer = (
        any::<bool>(),
        0..areas,
        prop_oneof![1u64..2_000, Just(1u64), 5_000u64..50_000],
        prop_oneof![
            prop::sample::select(vec![100_000u128, 150_000, 200_000, 250_000, 300_000]),
            50_000u128..400_000,
        ],
        0u8..10,
    );
    prop::collection::vec(offer, 0..60).prop_map(|raw| {
        raw.into_iter()
            .enumerate()
            .map(|(n, (selling, area, energy_wh, price, cancelled))| {
                (cancelled > 0).then(|| Offer {
                    account: AccountId::from([n as u8; 32]),
                    area,
                    side: if selling { Side::Sell } else { Side::Buy },
                    energy_wh,
                    price,
                })
            })
            .collect()
    })
}

fn case() -> impl Strategy<Value = (AuctionRules, Vec<Option<Offer>>, Vec<u32>)> {
    rules().prop_flat_map(|rules| {
        let areas = rules.topology.areas();
        (
            Just(rules),
            book(areas),
            prop::collection::vec(1u32..12, 1..8),
        )
    })
}

/// Runs the stepped clearing to the end, cycling through `budgets`.
fn stepped(
    rules: &AuctionRules,
    offers: &[Option<Offer>],
    budgets: &[u32],
) -> Result<(MemoryBook, Cursor, u32), MarketError> {
    let mut book = MemoryBook::new(offers, rules.priority)?;
    let mut cursor = Cursor::new();
    let mut steps = 0u32;
    for budget in budgets.iter().cycle() {
        if cursor.is_done() {
            break;
        }
        let used = step(&mut book, rules, &mut cursor, *budget)?;
        assert!(used <= *budget, "a step used {used} items of {budget}");
        steps += 1;
        assert!(steps < 1_000_000, "no progress");
    }
    Ok((book, cursor, steps))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn stepped_clearing_equals_one_shot((rules, offers, budgets) in case()) {
        let live: Vec<Offer> = offers.iter().flatten().cloned().collect();
        let one_shot = clear(&live, &rules).unwrap();
        let (book, cursor, _) = stepped(&rules, &offers, &budgets).unwrap();
        prop_assert_eq!(cursor.traded_price(), one_shot.price);
        prop_assert_eq!(cursor.volume_wh, one_shot.volume_wh);
        prop_assert_eq!(cursor.trades as usize, one_shot.trades.len());
        prop_assert_eq!(&book.trades, &one_shot.trades);
        prop_assert_eq!(book.positions(), one_shot.positions);
        // No buyer pays more than its limit per kWh, network fee included.
        for trade in &one_shot.trades {
            let limit = live.iter().find(|o| o.account == trade.buyer).unwrap().price;
            let paid_per_kwh = trade.price + rules.grid_fee_per_kwh_step * u128::from(trade.distance);
            prop_assert!(paid_per_kwh <= limit, "paid {} per kWh with limit {}", paid_per_kwh, limit);
            // Under the double-auction rules no seller earns less than its ask per kWh; pay as
            // bid charges every buyer exactly its limit.
            let ask = live.iter().find(|o| o.account == trade.seller).unwrap().price;
            if rules.pricing != PricingRule::LowestAsk {
                prop_assert!(trade.price >= ask, "earned {} per kWh asking {}", trade.price, ask);
            }
            if rules.pricing == PricingRule::PayAsBid {
                prop_assert_eq!(paid_per_kwh, limit);
            }
        }
    }

    /// Every rule but lowest-ask prices inside the competitive interval, the prices of largest
    /// volume `min(S(p), D(p))`, found here by brute force over every offer's price (the volume
    /// is constant between them); the marginal ask and bid are its ends.
    #[test]
    fn double_auction_rules_price_inside_the_competitive_interval((rules, offers, _) in case()) {
        let live: Vec<Offer> = offers.iter().flatten().cloned().collect();
        let energy = |side: Side, admits: &dyn Fn(u128) -> bool| -> u128 {
            live.iter().filter(|o| o.side == side && admits(o.price)).map(|o| u128::from(o.energy_wh)).sum()
        };
        let volume = |p: u128| energy(Side::Sell, &|ask| ask <= p).min(energy(Side::Buy, &|limit| limit >= p));
        let best = live.iter().map(|o| volume(o.price)).max().unwrap_or(0);
        let at_best: Vec<u128> = live.iter().map(|o| o.price).filter(|p| best > 0 && volume(*p) == best).collect();
        let clearing = clear(&live, &rules).unwrap();
        if rules.pricing == PricingRule::LowestAsk || best == 0 {
            return Ok(());
        }
        let (low, high) = (*at_best.iter().min().unwrap(), *at_best.iter().max().unwrap());
        // The rule's price, traded or not (with network fees nobody may be admitted).
        let mut cursor = Cursor::new();
        let mut book = MemoryBook::new(&offers, rules.priority).unwrap();
        while !matches!(cursor.stage, Stage::Match { .. } | Stage::Done) {
            step(&mut book, &rules, &mut cursor, 1).unwrap();
        }
        let price = cursor.price.expect("a crossing book has a price");
        prop_assert!(low <= price && price <= high, "{:?}: {} outside [{}, {}]", rules.pricing, price, low, high);
        let expected = match rules.pricing {
            PricingRule::MarginalAsk | PricingRule::PayAsBid => low,
            PricingRule::MarginalBid => high,
            _ => low + (high - low) / 2,
        };
        prop_assert_eq!(price, expected);
        if let Some(traded) = clearing.price {
            prop_assert_eq!(traded, expected);
        }
    }

    #[test]
    fn one_big_step_equals_many_small_ones((rules, offers, _) in case()) {
        let (big, big_cursor, steps) = stepped(&rules, &offers, &[u32::MAX]).unwrap();
        prop_assert_eq!(steps, 1);
        let (small, small_cursor, _) = stepped(&rules, &offers, &[1]).unwrap();
        prop_assert_eq!(big_cursor, small_cursor);
        prop_assert_eq!(big.trades, small.trades);
    }
}

#[test]
fn unknown_area_is_reported_by_the_first_pass() {
    let offers = vec![Some(Offer {
        account: AccountId::from([1; 32]),
        area: 3,
        side: Side::Buy,
        energy_wh: 10,
        price: 1,
    })];
    let rules = AuctionRules {
        topology: Topology::Line { areas: 2 },
        ..AuctionRules::paper()
    };
    assert_eq!(
        stepped(&rules, &offers, &[5]).map(|_| ()),
        Err(MarketError::UnknownArea)
    );
}

#[test]
fn an_empty_book_finishes_in_one_item_free_step() {
    let (_, cursor, steps) = stepped(&AuctionRules::paper(), &[], &[1]).unwrap();
    assert!(cursor.is_done());
    assert_eq!(steps, 1);
    assert_eq!(cursor.traded_price(), None);
}

/// Work grows linearly: items per offer stay flat from 100 to 5000 offers (half sellers, half
/// buyers, three areas), in either priority order. The benchmark measures weight; this pins the
/// algorithm's item count.
#[test]
fn items_per_offer_do_not_grow_with_the_book() {
    let per_offer = |rules: &AuctionRules, n: usize| {
        let offers: Vec<Option<Offer>> = (0..n)
            .map(|i| {
                Some(Offer {
                    account: AccountId::from([0; 32]),
                    area: (i % 3) as u8,
                    side: if i % 2 == 0 { Side::Sell } else { Side::Buy },
                    energy_wh: 500 + (i as u64 * 37) % 1_000,
                    price: 100_000 + (i as u128 * 7_919) % 200_000,
                })
            })
            .collect();
        let mut book = MemoryBook::new(&offers, rules.priority).unwrap();
        let mut cursor = Cursor::new();
        let items = step(&mut book, rules, &mut cursor, u32::MAX).unwrap();
        assert!(cursor.is_done());
        f64::from(items) / n as f64
    };
    for (pricing, priority) in [
        (PricingRule::LowestAsk, Priority::Submission),
        (PricingRule::MarginalAsk, Priority::PriceTime),
        (PricingRule::Midpoint, Priority::PriceTime),
    ] {
        let rules = AuctionRules {
            pricing,
            priority,
            ..AuctionRules::paper()
        };
        let (small, large) = (per_offer(&rules, 100), per_offer(&rules, 5_000));
        assert!(
            large <= small * 1.2,
            "{pricing:?}, {priority:?}: items per offer grew from {small} to {large}"
        );
    }
}
