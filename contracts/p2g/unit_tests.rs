//! Unit tests of p2g's messages in ink!'s off-chain environment (no cross-contract calls).

use crate::p2g::*;
use ink::prelude::vec;
use ink::{env::DefaultEnvironment as Environment, primitives::AccountId};
use market::Side;
use market::{
    treasury::Ledger, Balance, GridTotals, IntervalIndex, Position, PricePerKwh, Sealing, Tariff,
};

fn accounts() -> ink::env::test::DefaultAccounts<Environment> {
    ink::env::test::default_accounts::<Environment>()
}

/// The grid operator in these tests.
fn operator() -> AccountId {
    accounts().frank
}

fn key(index: IntervalIndex) -> IntervalKey {
    IntervalKey {
        index,
        hour: 18,
        month: 202_611,
    }
}

fn buyer(account: AccountId, offered_wh: u64, matched_wh: u64, value: u128) -> Position {
    Position {
        account,
        side: Side::Buy,
        offered_wh,
        matched_wh,
        value,
        fees: 0,
    }
}

/// Calls `reserve` as main (alice) with `deposit` transferred.
fn escrow(p2g: &mut P2g, interval: IntervalIndex, account: AccountId, deposit: Balance) {
    ink::env::test::set_value_transferred::<Environment>(deposit);
    p2g.reserve(key(interval), account, None, 10, operator(), false)
        .unwrap();
    ink::env::test::set_value_transferred::<Environment>(0);
}

fn fund(p2g: &mut P2g, amount: Balance) -> Result<Balance> {
    ink::env::test::set_value_transferred::<Environment>(amount);
    let funded = p2g.fund_grid();
    ink::env::test::set_value_transferred::<Environment>(0);
    funded
}

fn settle(
    p2g: &mut P2g,
    index: IntervalIndex,
    price: Option<PricePerKwh>,
    positions: Vec<Position>,
    tariff: Tariff,
    last: bool,
) -> Result<GridResult> {
    p2g.settle_batch(
        key(index),
        price,
        positions,
        Terms {
            tariff,
            grid_operator: operator(),
            metering: None,
        },
        last,
    )
}

#[ink::test]
fn settles_residuals_and_books_monthly_bills() {
    let mut p2g = P2g::new();
    let a = accounts();
    let seller = Position {
        account: a.bob,
        side: Side::Sell,
        offered_wh: 1_000,
        matched_wh: 600,
        value: 60_000,
        fees: 0,
    };
    escrow(&mut p2g, 0, a.charlie, 500_000);
    fund(&mut p2g, 40_000).unwrap();
    let positions = vec![seller, buyer(a.charlie, 1_000, 600, 60_000)];
    let result = settle(
        &mut p2g,
        0,
        Some(100_000),
        positions.clone(),
        Tariff::paper(),
        true,
    )
    .unwrap();
    // 18:00 is peak: 320_000 * 1.2 = 384_000 per kWh; 400 Wh cost 153_600.
    // Feed-in at the P2P price: 400 Wh * 100_000 per kWh = 40_000.
    assert_eq!(result.grid_price, 384_000);
    assert_eq!(result.feed_in_price, 100_000);
    assert_eq!(
        result.totals,
        GridTotals {
            import_wh: 400,
            export_wh: 400,
            import_paid: 153_600,
            export_earned: 40_000,
            fees: 0
        }
    );
    assert!(result.complete);
    let charlie = p2g.bill(a.charlie, 0).unwrap();
    assert_eq!((charlie.p2p_paid, charlie.grid_paid), (60_000, 153_600));
    assert_eq!(p2g.bill(a.bob, 0).unwrap().grid_earned, 40_000);
    // Events: the grid funding and two grid settlements.
    assert_eq!(ink::env::test::recorded_events().count(), 3);
    // Money: charlie's deposit pays bob 60_000 and the grid 153_600, the rest back;
    // the grid deposit pays bob's feed-in.
    assert_eq!(p2g.credit_of(a.charlie), 500_000 - 60_000 - 153_600);
    assert_eq!(p2g.credit_of(a.bob), 60_000 + 40_000);
    assert_eq!(p2g.credit_of(operator()), 153_600);
    assert_eq!(
        p2g.ledger(),
        Ledger {
            deposits: 0,
            credits: 540_000,
            ..Ledger::default()
        }
    );

    escrow(&mut p2g, 1, a.charlie, 200_000);
    let later = vec![buyer(a.charlie, 500, 0, 0)];
    settle(&mut p2g, 1, None, later, Tariff::paper(), true).unwrap();
    let month = p2g.monthly_bill(a.charlie, 202_611).unwrap();
    // 153_600 + 500 Wh at 384_000 per kWh (192_000, within the 200_000 deposit).
    assert_eq!(month.grid_paid, 153_600 + 192_000);
    assert_eq!(month.grid_bought_wh, 900);
    assert_eq!(p2g.monthly_bill(a.charlie, 202_612), None);
}

#[ink::test]
fn payments_in_transit_between_batches_keep_the_ledger_whole() {
    let mut p2g = P2g::new();
    let a = accounts();
    escrow(&mut p2g, 0, a.charlie, 100_000);
    let total = p2g.ledger().total();
    let seller = Position {
        account: a.bob,
        side: Side::Sell,
        offered_wh: 500,
        matched_wh: 500,
        value: 50_000,
        fees: 0,
    };
    // The seller is settled first: its earnings are advanced.
    settle(
        &mut p2g,
        0,
        Some(100_000),
        vec![seller],
        Tariff::paper(),
        false,
    )
    .unwrap();
    assert_eq!(p2g.ledger().p2p_advanced, 50_000);
    assert_eq!(p2g.ledger().total(), total);
    settle(
        &mut p2g,
        0,
        Some(100_000),
        vec![buyer(a.charlie, 500, 500, 50_000)],
        Tariff::paper(),
        true,
    )
    .unwrap();
    let ledger = p2g.ledger();
    assert_eq!((ledger.p2p_advanced, ledger.p2p_collected), (0, 0));
    assert_eq!(ledger.total(), total);
    assert_eq!(p2g.credit_of(a.bob), 50_000);
    assert_eq!(p2g.credit_of(a.charlie), 50_000);
}

#[ink::test]
fn a_buyer_pays_at_most_its_deposit() {
    let mut p2g = P2g::new();
    let a = accounts();
    escrow(&mut p2g, 0, a.charlie, 100_000);
    let result = settle(
        &mut p2g,
        0,
        None,
        vec![buyer(a.charlie, 500, 0, 0)],
        Tariff::paper(),
        true,
    )
    .unwrap();
    // 500 Wh at 384_000 would be 192_000: the grid receives the deposit.
    assert_eq!(result.totals.import_paid, 100_000);
    assert_eq!(p2g.bill(a.charlie, 0).unwrap().grid_paid, 100_000);
    assert_eq!(p2g.credit_of(a.charlie), 0);
    assert_eq!(p2g.credit_of(operator()), 100_000);
}

#[ink::test]
fn refuses_strangers_and_second_settlement() {
    let mut p2g = P2g::new();
    let a = accounts();
    escrow(&mut p2g, 0, a.charlie, 1_000_000);
    let positions = vec![buyer(a.charlie, 100, 0, 0)];
    ink::env::test::set_caller::<Environment>(a.charlie);
    assert_eq!(
        settle(&mut p2g, 0, None, positions.clone(), Tariff::paper(), true),
        Err(Error::NotMain)
    );
    assert_eq!(
        p2g.reserve(key(1), a.charlie, None, 10, operator(), false),
        Err(Error::NotMain)
    );
    assert_eq!(p2g.refund(0, a.charlie), Err(Error::NotMain));
    assert_eq!(p2g.unseal(0, a.charlie, [0; 32]), Err(Error::NotMain));
    assert_eq!(
        p2g.forfeit(0, a.charlie, None, a.charlie),
        Err(Error::NotMain)
    );
    assert_eq!(p2g.withdraw(a.charlie), Err(Error::NotMain));
    assert_eq!(fund(&mut p2g, 1), Err(Error::NotMain));
    assert_eq!(p2g.bill(a.charlie, 0), None);
    ink::env::test::set_caller::<Environment>(a.alice);
    settle(&mut p2g, 0, None, positions.clone(), Tariff::paper(), true).unwrap();
    assert_eq!(
        settle(&mut p2g, 0, None, positions, Tariff::paper(), true),
        Err(Error::AlreadySettled)
    );
}

#[ink::test]
fn refuses_bad_hour_and_duplicates() {
    let mut p2g = P2g::new();
    let a = accounts();
    let bad_hour = IntervalKey { hour: 24, ..key(0) };
    let positions = vec![buyer(a.charlie, 100, 0, 0)];
    assert_eq!(
        p2g.settle_batch(
            bad_hour,
            None,
            positions.clone(),
            Terms {
                tariff: Tariff::paper(),
                grid_operator: operator(),
                metering: None,
            },
            true,
        ),
        Err(Error::InvalidTariff)
    );
    escrow(&mut p2g, 1, a.charlie, 100_000);
    let twice = vec![buyer(a.charlie, 100, 0, 0), buyer(a.charlie, 50, 0, 0)];
    assert_eq!(
        settle(&mut p2g, 1, None, twice, Tariff::paper(), true),
        Err(Error::DuplicatePosition)
    );
}

#[ink::test]
fn unpaid_feed_in_becomes_a_claim_paid_in_order() {
    let mut p2g = P2g::new();
    let a = accounts();
    let seller = |account, offered_wh| Position {
        account,
        side: Side::Sell,
        offered_wh,
        matched_wh: 0,
        value: 0,
        fees: 0,
    };
    // 1 kWh at the paper's min_price of 80_000 each, for bob then django; the grid
    // deposit holds 79_999: bob is paid 79_999 and owed 1, django owed all 80_000.
    fund(&mut p2g, 79_999).unwrap();
    let positions = vec![seller(a.bob, 1_000), seller(a.django, 1_000)];
    let result = settle(&mut p2g, 0, None, positions, Tariff::paper(), true).unwrap();
    assert!(
        result.complete,
        "the settlement does not wait for the grid deposit"
    );
    assert_eq!(p2g.credit_of(a.bob), 79_999);
    assert_eq!((p2g.claim_of(a.bob), p2g.claim_of(a.django)), (1, 80_000));
    assert_eq!(p2g.ledger().grid_deposit, 0);
    assert_eq!(p2g.ledger().claims, 80_001);
    assert_eq!(p2g.claims(0, 10).len(), 2);
    // A later interval's feed-in queues behind them even when money is there.
    assert_eq!(fund(&mut p2g, 0), Err(Error::ZeroAmount));
    fund(&mut p2g, 40_001).unwrap();
    assert_eq!(p2g.claim_of(a.bob), 0);
    assert_eq!(p2g.claim_of(a.django), 40_000);
    assert_eq!(p2g.credit_of(a.django), 40_000);
    let later = vec![seller(a.eve, 500)];
    settle(&mut p2g, 1, None, later, Tariff::paper(), true).unwrap();
    assert_eq!(p2g.claim_of(a.eve), 40_000);
    // Funding pays django's rest first, then eve.
    fund(&mut p2g, 60_000).unwrap();
    assert_eq!(p2g.claim_of(a.django), 0);
    assert_eq!(p2g.claim_of(a.eve), 20_000);
    assert_eq!(p2g.credit_of(a.eve), 20_000);
    assert_eq!(p2g.pay_claims(10), Ok(1));
    fund(&mut p2g, 20_000).unwrap();
    assert_eq!(p2g.pay_claims(10), Ok(0));
    assert_eq!(p2g.claims(0, 10), Vec::new());
    let ledger = p2g.ledger();
    assert_eq!((ledger.claims, ledger.grid_deposit), (0, 0));
    // Everything funded went to the sellers: 79_999 + 40_001 + 60_000 + 20_000.
    assert_eq!(ledger.credits, 200_000);
    assert_eq!(ledger.total(), 200_000);
}

#[ink::test]
fn commitments_open_once_and_forfeit_at_most_the_deposit() {
    let mut p2g = P2g::new();
    let a = accounts();
    ink::env::test::set_value_transferred::<Environment>(25_000);
    p2g.reserve(key(0), a.bob, Some([7; 32]), 1, operator(), false)
        .unwrap();
    assert_eq!(
        p2g.reserve(key(0), a.bob, None, 10, operator(), false),
        Err(Error::OfferExists)
    );
    assert_eq!(
        p2g.reserve(key(0), a.charlie, None, 1, operator(), false),
        Err(Error::BookFull)
    );
    ink::env::test::set_value_transferred::<Environment>(0);
    assert_eq!(
        p2g.unseal(0, a.bob, [8; 32]),
        Err(Error::CommitmentMismatch)
    );
    assert_eq!(p2g.unseal(0, a.charlie, [7; 32]), Err(Error::NoCommitment));
    assert_eq!(p2g.unseal(0, a.bob, [7; 32]), Ok(25_000));
    assert_eq!(p2g.unseal(0, a.bob, [7; 32]), Err(Error::NoCommitment));
    // Revealed: no longer forfeitable.
    assert_eq!(
        p2g.forfeit(0, a.bob, Some(Sealing::DEFAULT), operator()),
        Err(Error::NoCommitment)
    );
    escrow(&mut p2g, 1, a.charlie, 4_000);
    ink::env::test::set_value_transferred::<Environment>(4_000);
    p2g.reserve(key(2), a.charlie, Some([1; 32]), 10, operator(), false)
        .unwrap();
    ink::env::test::set_value_transferred::<Environment>(0);
    // Sealing::DEFAULT: half of 4_000 is below the 10_000 penalty, which is cut to the
    // deposit: all 4_000.
    assert_eq!(
        p2g.forfeit(2, a.charlie, Some(Sealing::DEFAULT), operator()),
        Ok(4_000)
    );
    assert_eq!(p2g.credit_of(operator()), 4_000);
    assert_eq!(p2g.refund(1, a.charlie), Ok(true));
    assert_eq!(p2g.refund(1, a.charlie), Ok(false));
    assert_eq!(p2g.credit_of(a.charlie), 4_000);
    assert_eq!(p2g.ledger().deposits, 25_000);
    assert_eq!(p2g.ledger().credits, 8_000);
}

#[ink::test]
fn forfeits_a_share_of_the_deposit_and_nothing_without_sealing() {
    let mut p2g = P2g::new();
    let a = accounts();
    for (interval, account) in [(0, a.bob), (0, a.charlie)] {
        ink::env::test::set_value_transferred::<Environment>(30_000);
        p2g.reserve(key(interval), account, Some([3; 32]), 10, operator(), false)
            .unwrap();
    }
    ink::env::test::set_value_transferred::<Environment>(0);
    // Half of 30_000 is 15_000, above the 10_000 penalty.
    assert_eq!(
        p2g.forfeit(0, a.bob, Some(Sealing::DEFAULT), operator()),
        Ok(15_000)
    );
    // The operator removed charlie: nothing is forfeited.
    assert_eq!(p2g.forfeit(0, a.charlie, None, operator()), Ok(0));
    assert_eq!(p2g.credit_of(a.bob), 15_000);
    assert_eq!(p2g.credit_of(a.charlie), 30_000);
    assert_eq!(p2g.credit_of(operator()), 15_000);
    assert_eq!(p2g.escrow_of(a.bob, 0), None);
    // Two escrows, two forfeits.
    assert_eq!(ink::env::test::recorded_events().count(), 2);
    assert_eq!(p2g.ledger().credits, 60_000);
}

#[ink::test]
fn withdraws_once() {
    let mut p2g = P2g::new();
    let a = accounts();
    escrow(&mut p2g, 0, a.charlie, 4_000);
    p2g.refund(0, a.charlie).unwrap();
    let before = ink::env::test::get_account_balance::<Environment>(a.charlie).unwrap();
    assert_eq!(p2g.withdraw(a.charlie), Ok(4_000));
    let after = ink::env::test::get_account_balance::<Environment>(a.charlie).unwrap();
    assert_eq!(after - before, 4_000);
    assert_eq!(p2g.withdraw(a.charlie), Err(Error::NothingToWithdraw));
    assert_eq!(p2g.ledger(), Ledger::default());
}

#[ink::test]
fn batches_add_up_at_the_first_batchs_prices() {
    let mut p2g = P2g::new();
    let a = accounts();
    for (interval, account) in [(0, a.bob), (0, a.charlie), (1, a.bob)] {
        escrow(&mut p2g, interval, account, 1_000_000);
    }
    let first = settle(
        &mut p2g,
        0,
        None,
        vec![buyer(a.bob, 100, 0, 0)],
        Tariff::paper(),
        false,
    )
    .unwrap();
    assert!(!first.complete);
    let cheaper = Tariff {
        hourly_prices: [1; 24],
        ..Tariff::paper()
    };
    let last = settle(
        &mut p2g,
        0,
        None,
        vec![buyer(a.charlie, 200, 0, 0)],
        cheaper,
        true,
    )
    .unwrap();
    assert!(last.complete);
    assert_eq!(last.grid_price, 384_000);
    assert_eq!(last.totals.import_wh, 300);
    // 300 Wh at 384_000 per kWh, billed per participant: 38_400 + 76_800.
    assert_eq!(last.totals.import_paid, 115_200);
    assert_eq!(
        settle(
            &mut p2g,
            0,
            None,
            vec![buyer(a.bob, 100, 0, 0)],
            Tariff::paper(),
            true
        ),
        Err(Error::AlreadySettled)
    );
    let again = settle(
        &mut p2g,
        1,
        None,
        vec![buyer(a.bob, 1, 0, 0)],
        Tariff::paper(),
        false,
    );
    assert!(again.is_ok());
    assert_eq!(
        settle(
            &mut p2g,
            1,
            None,
            vec![buyer(a.bob, 1, 0, 0)],
            Tariff::paper(),
            true
        ),
        Err(Error::DuplicatePosition)
    );
}
