//! Clearing and settlement against hand-computed figures. Prices are per kWh, energy in Wh,
//! money in balance units; every `value` is `wh * price / 1000` rounded down.

use market::{
    clear, grid_settlement, AccountId, AuctionRules, Clearing, MarketError, Offer, PricingRule,
    Priority, Side, Tariff, Topology, Trade,
};

fn who(n: u8) -> AccountId {
    AccountId::from([n; 32])
}

fn sell(n: u8, area: u8, energy_wh: u64, ask: u128) -> Offer {
    Offer {
        account: who(n),
        area,
        side: Side::Sell,
        energy_wh,
        price: ask,
    }
}

fn buy(n: u8, area: u8, energy_wh: u64, limit: u128) -> Offer {
    Offer {
        account: who(n),
        area,
        side: Side::Buy,
        energy_wh,
        price: limit,
    }
}

fn trade(seller: u8, buyer: u8, distance: u8, energy_wh: u64, price: u128) -> Trade {
    Trade {
        seller: who(seller),
        buyer: who(buyer),
        distance,
        energy_wh,
        price,
        payment: u128::from(energy_wh) * price / 1000,
        fee: 0,
    }
}

fn paper(offers: &[Offer]) -> Clearing {
    clear(offers, &AuctionRules::paper()).unwrap()
}

/// Buyers pay exactly what sellers earn, fees are what buyers pay on top, energy matches.
fn assert_conserved(clearing: &Clearing) {
    let (mut paid, mut earned, mut fees, mut bought, mut sold) = (0u128, 0u128, 0u128, 0u64, 0u64);
    for position in &clearing.positions {
        match position.side {
            Side::Buy => {
                paid += position.value;
                fees += position.fees;
                bought += position.matched_wh;
            }
            Side::Sell => {
                earned += position.value;
                sold += position.matched_wh;
            }
        }
        assert!(position.matched_wh <= position.offered_wh);
    }
    assert_eq!(paid, earned);
    assert_eq!(
        paid,
        clearing.trades.iter().map(|t| t.payment).sum::<u128>()
    );
    assert_eq!(fees, clearing.trades.iter().map(|t| t.fee).sum::<u128>());
    assert_eq!(bought, sold);
    assert_eq!(bought, clearing.volume_wh);
}

#[test]
fn same_area_first() {
    // Seller 1 in area 0 and seller 2 in area 1; buyer 3 in area 1 takes from its own area first.
    let offers = [
        sell(1, 0, 500, 100_000),
        sell(2, 1, 500, 120_000),
        buy(3, 1, 400, 300_000),
    ];
    let clearing = paper(&offers);
    assert_eq!(clearing.price, Some(100_000));
    assert_eq!(clearing.trades, vec![trade(2, 3, 0, 400, 100_000)]);
    assert_conserved(&clearing);
}

#[test]
fn adjacent_then_far_areas() {
    // Buyer 5 in area 0 wants 900 Wh: seller 1 (area 0) has 300, seller 2 (area 1) 300, seller 3
    // (area 2) 600. Same area 300, adjacent 300, far 300; seller 3 keeps 300 for the grid.
    let offers = [
        sell(3, 2, 600, 90_000),
        sell(2, 1, 300, 110_000),
        sell(1, 0, 300, 100_000),
        buy(5, 0, 900, 300_000),
    ];
    let clearing = paper(&offers);
    assert_eq!(clearing.price, Some(90_000));
    assert_eq!(
        clearing.trades,
        vec![
            trade(1, 5, 0, 300, 90_000),
            trade(2, 5, 1, 300, 90_000),
            trade(3, 5, 2, 300, 90_000),
        ]
    );
    assert_eq!(clearing.positions[0].residual_wh(), 300);
    assert_eq!(clearing.volume_wh, 900);
    assert_conserved(&clearing);
}

#[test]
fn partial_fill_of_a_seller() {
    // 1000 Wh offered, 250 + 250 bought: the seller keeps 500 for the grid.
    let offers = [
        sell(1, 0, 1_000, 150_000),
        buy(2, 0, 250, 300_000),
        buy(3, 0, 250, 300_000),
    ];
    let clearing = paper(&offers);
    assert_eq!(
        clearing.trades,
        vec![trade(1, 2, 0, 250, 150_000), trade(1, 3, 0, 250, 150_000)]
    );
    assert_eq!(clearing.positions[0].residual_wh(), 500);
    // 250 Wh * 150_000 / 1000 = 37_500 each; the seller earns 75_000.
    assert_eq!(clearing.positions[0].value, 75_000);
    assert_conserved(&clearing);
}

#[test]
fn partial_fill_of_a_buyer() {
    // The buyer wants 1000 Wh, two sellers have 300 and 200: 500 Wh left for the grid.
    let offers = [
        sell(1, 0, 300, 150_000),
        sell(2, 0, 200, 160_000),
        buy(3, 0, 1_000, 300_000),
    ];
    let clearing = paper(&offers);
    assert_eq!(
        clearing.trades,
        vec![trade(1, 3, 0, 300, 150_000), trade(2, 3, 0, 200, 150_000)]
    );
    assert_eq!(clearing.positions[2].residual_wh(), 500);
    assert_eq!(clearing.positions[2].value, 45_000 + 30_000);
    assert_conserved(&clearing);
}

#[test]
fn exact_fill_leaves_no_residual() {
    let offers = [sell(1, 1, 700, 120_000), buy(2, 1, 700, 300_000)];
    let clearing = paper(&offers);
    assert_eq!(clearing.trades, vec![trade(1, 2, 0, 700, 120_000)]);
    assert!(clearing.positions.iter().all(|p| p.residual_wh() == 0));
    assert_conserved(&clearing);
}

#[test]
fn tied_asks_match_in_submission_order() {
    // Sellers 1 and 2 both ask 100_000 in the buyer's area; seller 1 came first and fills first.
    let offers = [
        sell(1, 0, 300, 100_000),
        sell(2, 0, 300, 100_000),
        buy(3, 0, 400, 200_000),
    ];
    let clearing = paper(&offers);
    assert_eq!(
        clearing.trades,
        vec![trade(1, 3, 0, 300, 100_000), trade(2, 3, 0, 100, 100_000)]
    );
    // Submission order decides, not the order of arguments to a sort: swap them and seller 2
    // fills first.
    let swapped = [offers[1].clone(), offers[0].clone(), offers[2].clone()];
    assert_eq!(paper(&swapped).trades[0], trade(2, 3, 0, 300, 100_000));
}

#[test]
fn no_sellers_no_buyers_one_side_only() {
    let empty = paper(&[]);
    assert_eq!((empty.price, empty.volume_wh), (None, 0));
    assert!(empty.trades.is_empty() && empty.positions.is_empty());

    let buyers_only = paper(&[buy(1, 0, 100, 300_000), buy(2, 2, 200, 300_000)]);
    assert_eq!((buyers_only.price, buyers_only.volume_wh), (None, 0));
    assert_eq!(buyers_only.positions[1].residual_wh(), 200);

    let sellers_only = paper(&[sell(1, 0, 100, 90_000), sell(2, 1, 50, 80_000)]);
    assert_eq!((sellers_only.price, sellers_only.volume_wh), (None, 0));
    assert_eq!(sellers_only.positions[0].residual_wh(), 100);
}

#[test]
fn buyers_below_the_price_stay_out() {
    // Lowest ask 200_000; both buyers' limits are lower: no P2P trade, everyone to the grid.
    let offers = [
        sell(1, 0, 500, 200_000),
        buy(2, 0, 100, 199_999),
        buy(3, 1, 100, 150_000),
    ];
    let clearing = paper(&offers);
    assert_eq!((clearing.price, clearing.volume_wh), (None, 0));
    assert!(clearing.trades.is_empty());
    // One buyer at the price is in; the other is out.
    let offers = [
        sell(1, 0, 500, 200_000),
        buy(2, 0, 100, 200_000),
        buy(3, 0, 100, 150_000),
    ];
    let clearing = paper(&offers);
    assert_eq!(clearing.trades, vec![trade(1, 2, 0, 100, 200_000)]);
    assert_eq!(clearing.positions[2].residual_wh(), 100);
}

#[test]
fn rounding_conserves_money() {
    // 333 Wh at 100_001 per kWh = 33_300.333 -> 33_300 for buyer and seller alike.
    let offers = [
        sell(1, 0, 1_000, 100_001),
        buy(2, 0, 333, 300_000),
        buy(3, 1, 333, 300_000),
    ];
    let clearing = paper(&offers);
    assert_eq!(clearing.trades[0].payment, 33_300);
    assert_eq!(clearing.positions[0].value, 66_600);
    assert_conserved(&clearing);
}

#[test]
fn network_fee_per_distance_step() {
    // 2 steps at 10_000 per kWh per step = 20_000 per kWh; 300 Wh -> 6_000 on top of the energy.
    let rules = AuctionRules {
        grid_fee_per_kwh_step: 10_000,
        ..AuctionRules::paper()
    };
    let offers = [sell(1, 2, 300, 100_000), buy(2, 0, 300, 300_000)];
    let clearing = clear(&offers, &rules).unwrap();
    assert_eq!(clearing.trades[0].payment, 30_000);
    assert_eq!(clearing.trades[0].fee, 6_000);
    assert_eq!(
        (clearing.positions[1].value, clearing.positions[1].fees),
        (30_000, 6_000)
    );
    assert_eq!(clearing.positions[0].value, 30_000);
    assert_conserved(&clearing);
}

#[test]
fn a_network_fee_never_takes_a_buyer_past_its_limit() {
    // The price is 100_000; 2 steps at 50_000 put energy from area 2 at 200_000 per kWh for a
    // buyer in area 0. A limit of 100_001 covers the seller next door only (0 steps).
    let rules = AuctionRules {
        grid_fee_per_kwh_step: 50_000,
        ..AuctionRules::paper()
    };
    let offers = [
        sell(1, 2, 300, 100_000),
        buy(2, 0, 300, 100_001),
        buy(3, 2, 100, 100_000),
        buy(4, 1, 100, 150_000),
    ];
    let clearing = clear(&offers, &rules).unwrap();
    // Buyer 3 (same area, limit = price) and buyer 4 (one step: 150_000 <= 150_000) trade;
    // buyer 2 would pay 200_000 per kWh and stays out.
    assert_eq!(clearing.volume_wh, 200);
    assert!(clearing.trades.iter().all(|t| t.buyer != who(2)));
    assert_eq!(clearing.positions[1].matched_wh, 0);
    assert_eq!(clearing.positions[3].fees, 5_000);
    assert_conserved(&clearing);
}

#[test]
fn merit_order_price_where_supply_meets_demand() {
    // Asks: 100 Wh at 100_000, 100 Wh at 150_000, 100 Wh at 250_000.
    // Bids: 150 Wh up to 300_000, 100 Wh up to 160_000.
    // Volume at 100_000: min(100, 250) = 100; at 150_000: min(200, 250) = 200;
    // at 250_000: min(300, 150) = 150. The price is 150_000; seller 3 (250_000) stays out.
    let rules = AuctionRules {
        pricing: PricingRule::MarginalAsk,
        ..AuctionRules::paper()
    };
    let offers = [
        sell(1, 0, 100, 100_000),
        sell(2, 0, 100, 150_000),
        sell(3, 0, 100, 250_000),
        buy(4, 0, 150, 300_000),
        buy(5, 0, 100, 160_000),
    ];
    let clearing = clear(&offers, &rules).unwrap();
    assert_eq!(clearing.price, Some(150_000));
    assert_eq!(
        clearing.trades,
        vec![
            trade(1, 4, 0, 100, 150_000),
            trade(2, 4, 0, 50, 150_000),
            trade(2, 5, 0, 50, 150_000),
        ]
    );
    assert_eq!(clearing.positions[2].residual_wh(), 100);
    assert_eq!(clearing.positions[4].residual_wh(), 50);
    assert_conserved(&clearing);
    // The paper's rule on the same book: everyone sells at the lowest ask.
    assert_eq!(paper(&offers).price, Some(100_000));
    assert_eq!(paper(&offers).volume_wh, 250);
}

#[test]
fn marginal_bid_and_midpoint_on_the_same_book() {
    // The book of `merit_order_price_where_supply_meets_demand`: the largest volume, 200 Wh,
    // trades at every price from the marginal ask 150_000 up to the marginal bid 160_000 (above
    // it buyer 5 drops out and the volume falls to 150). The trades are the same; only the
    // price moves inside the interval.
    let offers = [
        sell(1, 0, 100, 100_000),
        sell(2, 0, 100, 150_000),
        sell(3, 0, 100, 250_000),
        buy(4, 0, 150, 300_000),
        buy(5, 0, 100, 160_000),
    ];
    for (pricing, price) in [
        (PricingRule::MarginalAsk, 150_000),
        (PricingRule::MarginalBid, 160_000),
        (PricingRule::Midpoint, 155_000),
    ] {
        let rules = AuctionRules {
            pricing,
            ..AuctionRules::paper()
        };
        let clearing = clear(&offers, &rules).unwrap();
        assert_eq!(clearing.price, Some(price), "{pricing:?}");
        assert_eq!(
            clearing.trades,
            vec![
                trade(1, 4, 0, 100, price),
                trade(2, 4, 0, 50, price),
                trade(2, 5, 0, 50, price),
            ],
            "{pricing:?}"
        );
        assert_conserved(&clearing);
    }
    // Lowest-ask prices outside the interval: 100_000 < 150_000.
    assert_eq!(paper(&offers).price, Some(100_000));
}

#[test]
fn marginal_bid_where_demand_still_covers_the_volume() {
    // One ask of 100 Wh at 100_000; bids of 60 Wh at 200_000 and 60 Wh at 180_000. Up to
    // 180_000 demand is 120 and the volume 100; above it demand is 60. The interval is
    // [100_000, 180_000]; the marginal buyer (180_000) is filled partially, 40 of 60 Wh.
    let offers = [
        sell(1, 0, 100, 100_000),
        buy(2, 0, 60, 200_000),
        buy(3, 0, 60, 180_000),
    ];
    for (pricing, price) in [
        (PricingRule::MarginalAsk, 100_000),
        (PricingRule::MarginalBid, 180_000),
        (PricingRule::Midpoint, 140_000),
    ] {
        let rules = AuctionRules {
            pricing,
            ..AuctionRules::paper()
        };
        let clearing = clear(&offers, &rules).unwrap();
        assert_eq!(clearing.price, Some(price), "{pricing:?}");
        assert_eq!(
            clearing.trades,
            vec![trade(1, 2, 0, 60, price), trade(1, 3, 0, 40, price)]
        );
        assert_eq!(clearing.positions[2].residual_wh(), 20);
        assert_conserved(&clearing);
    }
}

#[test]
fn midpoint_rounds_down_and_ties_collapse_the_interval() {
    let midpoint = AuctionRules {
        pricing: PricingRule::Midpoint,
        ..AuctionRules::paper()
    };
    // [100_001, 100_004]: 100_001 + 3 / 2 = 100_002.
    let clearing = clear(
        &[sell(1, 0, 100, 100_001), buy(2, 0, 100, 100_004)],
        &midpoint,
    )
    .unwrap();
    assert_eq!(clearing.price, Some(100_002));
    // An ask equal to the bid: the interval is one price, and every rule picks it.
    for pricing in [
        PricingRule::MarginalAsk,
        PricingRule::MarginalBid,
        PricingRule::Midpoint,
    ] {
        let rules = AuctionRules {
            pricing,
            ..AuctionRules::paper()
        };
        let clearing = clear(&[sell(1, 0, 100, 150_000), buy(2, 0, 100, 150_000)], &rules).unwrap();
        assert_eq!(clearing.price, Some(150_000), "{pricing:?}");
        assert_eq!(clearing.volume_wh, 100);
    }
}

#[test]
fn merit_order_without_a_crossing() {
    for pricing in [
        PricingRule::MarginalAsk,
        PricingRule::MarginalBid,
        PricingRule::Midpoint,
    ] {
        let rules = AuctionRules {
            pricing,
            ..AuctionRules::paper()
        };
        let clearing = clear(&[sell(1, 0, 100, 200_000), buy(2, 0, 100, 100_000)], &rules).unwrap();
        assert_eq!((clearing.price, clearing.volume_wh), (None, 0));
    }
}

#[test]
fn unknown_area_is_refused() {
    let rules = AuctionRules {
        topology: Topology::Line { areas: 2 },
        ..AuctionRules::paper()
    };
    assert_eq!(
        clear(&[sell(1, 2, 100, 100_000)], &rules),
        Err(MarketError::UnknownArea)
    );
}

#[test]
fn settlement_sends_residuals_to_the_grid() {
    // Seller 1 (1000 Wh) and buyers 2 (400 Wh) and 3 (900 Wh, area 2) at 18:00 (peak).
    let offers = [
        sell(1, 0, 1_000, 100_000),
        buy(2, 0, 400, 384_000),
        buy(3, 2, 900, 384_000),
    ];
    let clearing = paper(&offers);
    // Buyer 2 takes 400 in area 0, buyer 3 the remaining 600 from two steps away.
    assert_eq!(clearing.volume_wh, 1_000);
    let settlement =
        grid_settlement(&clearing.positions, clearing.price, 18, &Tariff::paper()).unwrap();
    // Grid price 320_000 * 1.2 = 384_000; buyer 3's 300 Wh residual costs 115_200.
    assert_eq!(settlement.grid_price, 384_000);
    assert_eq!(settlement.totals.import_wh, 300);
    assert_eq!(settlement.totals.import_paid, 115_200);
    assert_eq!(settlement.totals.export_wh, 0);
    let (account, bill) = &settlement.bills[2];
    assert_eq!(*account, who(3));
    assert_eq!(bill.p2p_bought_wh, 600);
    assert_eq!(bill.p2p_paid, 60_000);
    assert_eq!(bill.total_paid(), 175_200);
    let seller = &settlement.bills[0].1;
    assert_eq!(
        (seller.p2p_sold_wh, seller.p2p_earned, seller.grid_sold_wh),
        (1_000, 100_000, 0)
    );
}

#[test]
fn surplus_is_fed_in_at_the_p2p_price_or_the_floor() {
    let tariff = Tariff::paper();
    // With a P2P trade: 500 Wh residual at the P2P price 100_000 -> 50_000.
    let clearing = paper(&[sell(1, 0, 1_000, 100_000), buy(2, 0, 500, 300_000)]);
    let settlement = grid_settlement(&clearing.positions, clearing.price, 12, &tariff).unwrap();
    assert_eq!(settlement.bills[0].1.grid_earned, 50_000);
    // Without: 1000 Wh at the floor 80_000 -> 80_000.
    let clearing = paper(&[sell(1, 0, 1_000, 100_000)]);
    let settlement = grid_settlement(&clearing.positions, clearing.price, 12, &tariff).unwrap();
    assert_eq!(settlement.bills[0].1.grid_earned, 80_000);
    assert_eq!(settlement.totals.export_wh, 1_000);
}

fn marginal_ask(priority: Priority) -> AuctionRules {
    AuctionRules {
        pricing: PricingRule::MarginalAsk,
        priority,
        ..AuctionRules::paper()
    }
}

#[test]
fn price_priority_sells_the_cheapest_energy_first() {
    // Asks: seller 1 100 Wh at 200_000 (first), seller 2 100 Wh at 100_000.
    // Bids: buyer 3 60 Wh up to 250_000 (first), buyer 4 60 Wh up to 600_000.
    // Volume at 100_000: min(100, 120) = 100; at 200_000: min(200, 120) = 120: the price is
    // 200_000 and the sellers are rationed to 120 of their 200 Wh.
    let offers = [
        sell(1, 0, 100, 200_000),
        sell(2, 0, 100, 100_000),
        buy(3, 0, 60, 250_000),
        buy(4, 0, 60, 600_000),
    ];
    // Submission order: the seller asking 200_000 sells all it has, the one asking 100_000 20 Wh.
    let by_submission = clear(&offers, &marginal_ask(Priority::Submission)).unwrap();
    assert_eq!(
        by_submission.trades,
        vec![
            trade(1, 3, 0, 60, 200_000),
            trade(1, 4, 0, 40, 200_000),
            trade(2, 4, 0, 20, 200_000),
        ]
    );
    // Price priority: the cheaper seller sells all it has, to the higher bid first.
    let by_price = clear(&offers, &marginal_ask(Priority::PriceTime)).unwrap();
    assert_eq!(by_price.price, Some(200_000));
    assert_eq!(
        by_price.trades,
        vec![
            trade(2, 4, 0, 60, 200_000),
            trade(2, 3, 0, 40, 200_000),
            trade(1, 3, 0, 20, 200_000),
        ]
    );
    let matched: Vec<u64> = by_price.positions.iter().map(|p| p.matched_wh).collect();
    assert_eq!(matched, vec![20, 100, 60, 60]);
    assert_conserved(&by_price);
}

#[test]
fn price_priority_serves_the_highest_bid_first() {
    // One seller, 100 Wh at 100_000; buyer 2 wants 80 Wh up to 150_000 (first), buyer 3 80 Wh
    // up to 600_000. The price is 100_000 and the buyers are rationed to 100 of their 160 Wh.
    let offers = [
        sell(1, 0, 100, 100_000),
        buy(2, 0, 80, 150_000),
        buy(3, 0, 80, 600_000),
    ];
    let by_submission = clear(&offers, &marginal_ask(Priority::Submission)).unwrap();
    assert_eq!(
        by_submission.trades,
        vec![trade(1, 2, 0, 80, 100_000), trade(1, 3, 0, 20, 100_000)]
    );
    let by_price = clear(&offers, &marginal_ask(Priority::PriceTime)).unwrap();
    assert_eq!(
        by_price.trades,
        vec![trade(1, 3, 0, 80, 100_000), trade(1, 2, 0, 20, 100_000)]
    );
    assert_conserved(&by_price);
}

#[test]
fn price_priority_keeps_submission_order_on_ties() {
    // Two sellers at the same ask, two buyers at the same limit: submission order decides.
    let offers = [
        sell(1, 0, 50, 120_000),
        buy(2, 0, 30, 200_000),
        sell(3, 0, 50, 120_000),
        buy(4, 0, 30, 200_000),
    ];
    let clearing = clear(&offers, &marginal_ask(Priority::PriceTime)).unwrap();
    assert_eq!(
        clearing.trades,
        vec![
            trade(1, 2, 0, 30, 120_000),
            trade(1, 4, 0, 20, 120_000),
            trade(3, 4, 0, 10, 120_000)
        ]
    );
}

#[test]
fn pay_as_bid_prices_each_trade_at_its_buyers_limit() {
    // The merit-order book: the marginal ask is 150_000 and both sellers take part. With price
    // priority buyer 4 (300_000) takes seller 1's 100 Wh and 50 of seller 2's, buyer 5
    // (160_000) the other 50; each trade at its buyer's limit.
    let rules = AuctionRules {
        pricing: PricingRule::PayAsBid,
        priority: Priority::PriceTime,
        ..AuctionRules::paper()
    };
    let offers = [
        sell(1, 0, 100, 100_000),
        sell(2, 0, 100, 150_000),
        sell(3, 0, 100, 250_000),
        buy(4, 0, 150, 300_000),
        buy(5, 0, 100, 160_000),
    ];
    let clearing = clear(&offers, &rules).unwrap();
    assert_eq!(clearing.price, Some(150_000));
    assert_eq!(
        clearing.trades,
        vec![
            trade(1, 4, 0, 100, 300_000),
            trade(2, 4, 0, 50, 300_000),
            trade(2, 5, 0, 50, 160_000),
        ]
    );
    // 30_000 + 15_000 and 8_000.
    let values: Vec<u128> = clearing.positions.iter().map(|p| p.value).collect();
    assert_eq!(values, vec![30_000, 23_000, 0, 45_000, 8_000]);
    assert_conserved(&clearing);
}

#[test]
fn pay_as_bid_leaves_the_network_fee_inside_the_limit() {
    // One step away with a fee of 20_000 per kWh: the buyer pays 280_000 to the seller and
    // 20_000 to the grid, its limit of 300_000 in all.
    let rules = AuctionRules {
        topology: Topology::Line { areas: 2 },
        pricing: PricingRule::PayAsBid,
        priority: Priority::PriceTime,
        grid_fee_per_kwh_step: 20_000,
    };
    let clearing = clear(&[sell(1, 1, 100, 100_000), buy(2, 0, 100, 300_000)], &rules).unwrap();
    assert_eq!(clearing.trades.len(), 1);
    let trade = &clearing.trades[0];
    assert_eq!(
        (trade.price, trade.payment, trade.fee),
        (280_000, 28_000, 2_000)
    );
}

#[test]
fn distance_comes_before_price() {
    // Lowest-ask pricing admits every seller. The buyer in area 0 takes its neighbour's 100 Wh
    // at distance 0 although the seller one area away asks less.
    let rules = AuctionRules {
        topology: Topology::Line { areas: 2 },
        priority: Priority::PriceTime,
        ..AuctionRules::paper()
    };
    let offers = [
        sell(1, 1, 100, 100_000),
        sell(2, 0, 100, 200_000),
        buy(3, 0, 150, 300_000),
    ];
    let clearing = clear(&offers, &rules).unwrap();
    assert_eq!(
        clearing.trades,
        vec![trade(2, 3, 0, 100, 100_000), trade(1, 3, 1, 50, 100_000)]
    );
}
