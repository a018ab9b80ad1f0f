//! Unit tests of p2p's messages in ink!'s off-chain environment (no cross-contract calls).

use crate::p2p::*;
use ink::{env::DefaultEnvironment as Environment, primitives::AccountId};
use market::{AuctionRules, IntervalIndex, Offer, Position};
use market::{Priority, Side, Topology};

const CAP: u32 = 10;

fn accounts() -> ink::env::test::DefaultAccounts<Environment> {
    ink::env::test::default_accounts::<Environment>()
}

fn offer(account: AccountId, area: u8, side: Side, energy_wh: u64, price: u128) -> Offer {
    Offer {
        account,
        area,
        side,
        energy_wh,
        price,
    }
}

/// The default caller (alice) deploys, so alice plays main.
fn deploy() -> P2p {
    P2p::new()
}

/// Steps with `budget` until the result is out; returns the steps and all positions.
fn clear_all(
    p2p: &mut P2p,
    interval: IntervalIndex,
    budget: u32,
) -> (u32, Vec<Position>, BookResult) {
    clear_under(p2p, interval, budget, &AuctionRules::paper())
}

fn clear_under(
    p2p: &mut P2p,
    interval: IntervalIndex,
    budget: u32,
    rules: &AuctionRules,
) -> (u32, Vec<Position>, BookResult) {
    let mut positions = Vec::new();
    for steps in 1.. {
        let step = p2p.auction_step(interval, rules.clone(), budget).unwrap();
        assert!(step.used <= budget);
        positions.extend(step.positions);
        if let Some(result) = step.result {
            return (steps, positions, result);
        }
    }
    unreachable!()
}

#[ink::test]
fn only_main_changes_state() {
    let mut p2p = deploy();
    let a = accounts();
    ink::env::test::set_caller::<Environment>(a.bob);
    let sell = offer(a.bob, 0, Side::Sell, 100, 100_000);
    assert_eq!(
        p2p.place(0, sell, CAP, Priority::Submission),
        Err(Error::NotMain)
    );
    assert_eq!(p2p.cancel(0, a.bob, None), Err(Error::NotMain));
    assert_eq!(
        p2p.auction_step(0, AuctionRules::paper(), 10),
        Err(Error::NotMain)
    );
    assert_eq!(p2p.offer_count(0), 0);
    assert_eq!(p2p.result(0), None);
}

#[ink::test]
fn place_rejects_bad_offers_without_change() {
    let mut p2p = deploy();
    let a = accounts();
    assert_eq!(
        p2p.place(
            0,
            offer(a.bob, 0, Side::Sell, 0, 100_000),
            CAP,
            Priority::Submission
        ),
        Err(Error::ZeroEnergy)
    );
    assert_eq!(p2p.offer_count(0), 0);
    assert_eq!(
        p2p.place(
            0,
            offer(a.bob, 0, Side::Sell, 10, 100_000),
            CAP,
            Priority::Submission
        ),
        Ok(0)
    );
    assert_eq!(
        p2p.place(
            0,
            offer(a.bob, 0, Side::Buy, 10, 100_000),
            CAP,
            Priority::Submission
        ),
        Err(Error::OfferExists)
    );
    assert_eq!(
        p2p.place(
            0,
            offer(a.charlie, 0, Side::Buy, 10, 100_000),
            1,
            Priority::Submission
        ),
        Err(Error::BookFull)
    );
    assert_eq!(p2p.offer_count(0), 1);
    assert!(p2p.has_offer(0, a.bob));
    assert!(!p2p.has_offer(0, a.charlie));
}

#[ink::test]
fn cancel_frees_a_place_under_the_cap() {
    let mut p2p = deploy();
    let a = accounts();
    p2p.place(
        0,
        offer(a.bob, 0, Side::Sell, 10, 100_000),
        1,
        Priority::Submission,
    )
    .unwrap();
    assert_eq!(p2p.cancel(0, a.bob, Some(1)), Ok(true));
    // A cancelled slot is not reused.
    assert_eq!(
        p2p.place(
            0,
            offer(a.charlie, 0, Side::Buy, 10, 100_000),
            1,
            Priority::Submission
        ),
        Ok(1)
    );
    assert_eq!(p2p.offer_count(0), 1);
}

#[ink::test]
fn cancellations_are_capped_but_removals_are_not() {
    let mut p2p = deploy();
    let a = accounts();
    // Two cancels allowed: bob churns twice, then his third cancel is refused and his
    // offer stays; the operator's removal (no cap) still takes it out.
    for _ in 0..2 {
        p2p.place(
            0,
            offer(a.bob, 0, Side::Sell, 10, 100_000),
            CAP,
            Priority::Submission,
        )
        .unwrap();
        assert_eq!(p2p.cancel(0, a.bob, Some(2)), Ok(true));
    }
    p2p.place(
        0,
        offer(a.bob, 0, Side::Sell, 10, 100_000),
        CAP,
        Priority::Submission,
    )
    .unwrap();
    assert_eq!(p2p.cancel(0, a.bob, Some(2)), Err(Error::CancelLimit));
    assert!(p2p.has_offer(0, a.bob));
    // Nothing to cancel is no error, even at the cap.
    assert_eq!(p2p.cancel(0, a.charlie, Some(2)), Ok(false));
    assert_eq!(p2p.cancel(0, a.bob, None), Ok(true));
    assert_eq!(p2p.offer_count(0), 0);
    // Placing is never refused by the churn of others.
    assert_eq!(
        p2p.place(
            0,
            offer(a.charlie, 0, Side::Buy, 10, 100_000),
            CAP,
            Priority::Submission
        ),
        Ok(3)
    );
}

#[ink::test]
fn cancel_then_clear_once() {
    let mut p2p = deploy();
    let a = accounts();
    p2p.place(
        0,
        offer(a.bob, 0, Side::Sell, 1_000, 100_000),
        CAP,
        Priority::Submission,
    )
    .unwrap();
    p2p.place(
        0,
        offer(a.charlie, 0, Side::Buy, 400, 300_000),
        CAP,
        Priority::Submission,
    )
    .unwrap();
    p2p.place(
        0,
        offer(a.django, 1, Side::Buy, 400, 300_000),
        CAP,
        Priority::Submission,
    )
    .unwrap();
    assert_eq!(p2p.cancel(0, a.django, Some(CAP)), Ok(true));
    assert_eq!(p2p.cancel(0, a.django, Some(CAP)), Ok(false));
    assert_eq!(p2p.offer_count(0), 2);

    let (_, positions, result) = clear_all(&mut p2p, 0, 1_000);
    // 400 Wh at 100_000 per kWh = 40_000.
    assert_eq!(
        result,
        BookResult {
            price: Some(100_000),
            volume_wh: 400,
            offers: 2,
            trades: 1
        }
    );
    assert_eq!(positions.len(), 2);
    assert_eq!(positions[0].residual_wh(), 600);
    assert_eq!(positions[1].residual_wh(), 0);
    let trades = p2p.trades(0, 0, MAX_PAGE);
    assert_eq!(trades.len(), 1);
    assert_eq!(trades[0].payment, 40_000);
    assert_eq!(p2p.trades_of(0, a.charlie, 0, 10).len(), 1);
    assert!(p2p.trades_of(0, a.django, 0, 10).is_empty());
    assert_eq!(p2p.result(0), Some(result));
    assert_eq!(ink::env::test::recorded_events().count(), 1);
    // The book is closed for good.
    assert_eq!(
        p2p.auction_step(0, AuctionRules::paper(), 10),
        Err(Error::AlreadyCleared)
    );
    assert_eq!(
        p2p.place(
            0,
            offer(a.eve, 0, Side::Buy, 1, 1),
            CAP,
            Priority::Submission
        ),
        Err(Error::AlreadyCleared)
    );
    assert_eq!(p2p.cancel(0, a.bob, None), Err(Error::AlreadyCleared));
}

#[ink::test]
fn one_item_steps_give_the_one_shot_result() {
    // One instance (off-chain, all instances share one storage): the same book cleared in one
    // step and one item at a time, in an interval of its own each, under the paper's rules and
    // under a merit-order auction with price priority (offers arrive out of price order).
    let mut p2p = deploy();
    let mut book = Vec::new();
    for n in 0..12u8 {
        let side = if n % 3 == 0 { Side::Sell } else { Side::Buy };
        let price = 100_000 + u128::from((n * 7) % 12) * 10_000;
        book.push(offer(
            AccountId::from([n; 32]),
            n % 3,
            side,
            100 + u64::from(n) * 50,
            price,
        ));
    }
    let price_time = AuctionRules {
        pricing: market::PricingRule::MarginalAsk,
        priority: Priority::PriceTime,
        ..AuctionRules::paper()
    };
    for (first, rules) in [(7, AuctionRules::paper()), (9, price_time)] {
        let (big, small) = (first, first + 1);
        for interval in [big, small] {
            for o in &book {
                p2p.place(interval, o.clone(), CAP * 2, rules.priority)
                    .unwrap();
            }
        }
        let (big_steps, big_positions, big_result) = clear_under(&mut p2p, big, u32::MAX, &rules);
        let (small_steps, small_positions, small_result) = clear_under(&mut p2p, small, 1, &rules);
        assert_eq!(big_steps, 1);
        assert!(small_steps > 20, "{small_steps} steps");
        assert_eq!(big_result, small_result);
        assert_eq!(big_positions, small_positions);
        assert_eq!(p2p.trades(big, 0, MAX_PAGE), p2p.trades(small, 0, MAX_PAGE));
        let one_shot = market::clear(&book, &rules).unwrap();
        assert!(one_shot.trades.len() >= 3);
        assert_eq!(p2p.trades(big, 0, MAX_PAGE), one_shot.trades);
        assert_eq!(big_positions, one_shot.positions);
        assert_eq!(big_result.price, one_shot.price);
        // Pages: two trades from index 1.
        assert_eq!(p2p.trades(big, 1, 2), one_shot.trades[1..3].to_vec());
    }
    // The two rule sets trade differently.
    assert_ne!(p2p.trades(7, 0, MAX_PAGE), p2p.trades(9, 0, MAX_PAGE));
}

#[ink::test]
fn later_steps_keep_the_first_steps_rules() {
    let mut p2p = deploy();
    let a = accounts();
    p2p.place(
        0,
        offer(a.bob, 2, Side::Sell, 10, 100_000),
        CAP,
        Priority::Submission,
    )
    .unwrap();
    p2p.place(
        0,
        offer(a.charlie, 0, Side::Buy, 10, 100_000),
        CAP,
        Priority::Submission,
    )
    .unwrap();
    assert!(p2p
        .auction_step(0, AuctionRules::paper(), 1)
        .unwrap()
        .result
        .is_none());
    assert!(p2p.is_clearing(0));
    let small = AuctionRules {
        topology: Topology::Line { areas: 1 },
        ..AuctionRules::paper()
    };
    let step = p2p.auction_step(0, small, 100).unwrap();
    assert_eq!(step.result.map(|result| result.volume_wh), Some(10));
    assert!(!p2p.is_clearing(0));
}

#[ink::test]
fn bad_steps_are_refused() {
    let mut p2p = deploy();
    let a = accounts();
    assert_eq!(
        p2p.auction_step(0, AuctionRules::paper(), 0),
        Err(Error::ZeroBudget)
    );
    p2p.place(
        0,
        offer(a.bob, 2, Side::Sell, 10, 100_000),
        CAP,
        Priority::Submission,
    )
    .unwrap();
    let small = AuctionRules {
        topology: Topology::Line { areas: 2 },
        ..AuctionRules::paper()
    };
    // In a real call the revert restores storage; off-chain we check the error only.
    assert_eq!(p2p.auction_step(0, small, 10), Err(Error::UnknownArea));
}
