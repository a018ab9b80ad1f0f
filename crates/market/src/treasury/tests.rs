use super::*;
use alloc::vec;

fn account(n: u8) -> AccountId {
    AccountId::from([n; 32])
}

const OPERATOR: u8 = 9;

fn setup() -> (Treasury, MemoryVault) {
    (Treasury::new(), MemoryVault::default())
}

fn buyer_bill(p2p_paid: Balance, fees_paid: Balance, grid_paid: Balance) -> Bill {
    Bill {
        p2p_bought_wh: 1_000,
        p2p_paid,
        fees_paid,
        grid_bought_wh: 500,
        grid_paid,
        ..Bill::default()
    }
}

fn seller_bill(p2p_earned: Balance, grid_earned: Balance) -> Bill {
    Bill {
        p2p_sold_wh: 1_000,
        p2p_earned,
        grid_sold_wh: 500,
        grid_earned,
        ..Bill::default()
    }
}

/// Charges `bills` of `interval` as one batch.
fn settle(
    treasury: &mut Treasury,
    vault: &mut MemoryVault,
    interval: IntervalIndex,
    bills: &[(AccountId, Bill)],
) -> Result<Vec<Bill>, TreasuryError> {
    let mut batch = Batch::default();
    let mut charged = Vec::new();
    for (account, bill) in bills {
        charged.push(treasury.charge(
            vault,
            &mut batch,
            interval,
            *account,
            bill.clone(),
            false,
        )?);
    }
    treasury.finish_batch(vault, batch, account(OPERATOR))?;
    Ok(charged)
}

#[test]
fn escrows_one_offer_per_account_up_to_the_maximum() {
    let (mut t, mut v) = setup();
    t.escrow(&mut v, 0, account(1), 1_000, None, 2).unwrap();
    assert_eq!(
        t.escrow(&mut v, 0, account(1), 5, None, 2),
        Err(TreasuryError::OfferExists)
    );
    t.escrow(&mut v, 0, account(2), 0, Some([1; 32]), 2)
        .unwrap();
    assert_eq!(
        t.escrow(&mut v, 0, account(3), 5, None, 2),
        Err(TreasuryError::BookFull)
    );
    // Another interval has its own count.
    t.escrow(&mut v, 1, account(3), 5, None, 2).unwrap();
    // A refunded escrow leaves room.
    assert_eq!(t.refund(&mut v, 0, account(2)), Ok(true));
    t.escrow(&mut v, 0, account(3), 7, None, 2).unwrap();
    // 1_000 + 5 + 7; the refunded 0 is a credit of nothing.
    assert_eq!(t.ledger.deposits, 1_012);
    assert_eq!(v.escrow_count(0), 2);
    assert_eq!(
        v.escrow(&account(2), 0),
        None,
        "the refunded escrow is gone"
    );
}

#[test]
fn a_failed_call_writes_nothing() {
    let (mut t, mut v) = setup();
    t.escrow(&mut v, 0, account(1), Balance::MAX, None, 10)
        .unwrap();
    let before = (t.clone(), v.clone());
    // Balance::MAX + 1 does not fit.
    assert_eq!(
        t.escrow(&mut v, 0, account(2), 1, None, 10),
        Err(TreasuryError::Overflow)
    );
    assert_eq!((t.clone(), v.clone()), before);
    // A P2P line above the deposit (none here): the deposit rule prevents it, the charge
    // refuses it.
    let mut batch = Batch::default();
    assert_eq!(
        t.charge(
            &mut v,
            &mut batch,
            0,
            account(3),
            buyer_bill(1, 0, 0),
            false
        ),
        Err(TreasuryError::Overflow)
    );
    assert_eq!(
        (t.clone(), v.clone(), batch),
        (before.0, before.1, Batch::default())
    );
    t.fund_grid(&mut v, Balance::MAX).unwrap();
    let before = (t.clone(), v.clone());
    assert_eq!(t.fund_grid(&mut v, 1), Err(TreasuryError::Overflow));
    assert_eq!((t, v), before);
}

#[test]
fn unseals_the_matching_commitment_once() {
    let (mut t, mut v) = setup();
    t.escrow(&mut v, 0, account(1), 25_000, Some([7; 32]), 10)
        .unwrap();
    t.escrow(&mut v, 0, account(2), 4_000, None, 10).unwrap();
    assert_eq!(
        t.unseal(&mut v, 0, account(1), [8; 32]),
        Err(TreasuryError::CommitmentMismatch)
    );
    assert_eq!(
        t.unseal(&mut v, 0, account(2), [7; 32]),
        Err(TreasuryError::NoCommitment),
        "an open offer has no commitment"
    );
    assert_eq!(
        t.unseal(&mut v, 0, account(3), [7; 32]),
        Err(TreasuryError::NoCommitment)
    );
    assert_eq!(t.unseal(&mut v, 0, account(1), [7; 32]), Ok(25_000));
    assert_eq!(
        t.unseal(&mut v, 0, account(1), [7; 32]),
        Err(TreasuryError::NoCommitment)
    );
    assert_eq!(
        v.escrow(&account(1), 0),
        Some(Escrow {
            deposit: 25_000,
            sealed: None,
            held: false,
        })
    );
    assert_eq!(t.ledger.deposits, 29_000);
}

#[test]
fn refunds_the_whole_deposit() {
    let (mut t, mut v) = setup();
    t.escrow(&mut v, 3, account(1), 4_000, Some([1; 32]), 10)
        .unwrap();
    assert_eq!(t.refund(&mut v, 3, account(2)), Ok(false));
    assert_eq!(t.refund(&mut v, 3, account(1)), Ok(true));
    assert_eq!(t.refund(&mut v, 3, account(1)), Ok(false));
    assert_eq!(v.credit(&account(1)), 4_000);
    assert_eq!(
        t.ledger,
        Ledger {
            credits: 4_000,
            ..Ledger::default()
        }
    );
    assert!(v.escrow_counts().is_empty(), "a zero count is removed");
}

#[test]
fn forfeits_the_sealing_share_to_the_grid_operator() {
    let (mut t, mut v) = setup();
    let operator = account(OPERATOR);
    let sealing = Sealing::DEFAULT;
    for (n, deposit) in [(1, 25_000), (2, 4_000), (3, 6_000)] {
        t.escrow(&mut v, 0, account(n), deposit, Some([n; 32]), 10)
            .unwrap();
    }
    // Half of 25_000 is 12_500, above the 10_000 penalty.
    assert_eq!(
        t.forfeit(&mut v, 0, account(1), Some(&sealing), operator),
        Ok(12_500)
    );
    // Half of 4_000 is 2_000: the 10_000 penalty, cut to the deposit, takes all of it.
    assert_eq!(
        t.forfeit(&mut v, 0, account(2), Some(&sealing), operator),
        Ok(4_000)
    );
    // Without sealing (the participant was removed) nothing is forfeited.
    assert_eq!(t.forfeit(&mut v, 0, account(3), None, operator), Ok(0));
    assert_eq!(
        t.forfeit(&mut v, 0, account(3), None, operator),
        Err(TreasuryError::NoCommitment)
    );
    assert_eq!(v.credit(&account(1)), 12_500);
    assert_eq!(v.credit(&account(2)), 0);
    assert_eq!(v.credit(&account(3)), 6_000);
    assert_eq!(v.credit(&operator), 12_500 + 4_000);
    assert_eq!(t.ledger.credits, 35_000);
    assert_eq!(t.ledger.deposits, 0);
    assert_eq!(
        v.events[0],
        TreasuryEvent::Forfeited {
            interval: 0,
            account: account(1),
            refund: 12_500,
            penalty: 12_500
        }
    );
    // The operator forfeiting its own commitment is credited the whole deposit.
    t.escrow(&mut v, 1, operator, 30_000, Some([0; 32]), 10)
        .unwrap();
    assert_eq!(
        t.forfeit(&mut v, 1, operator, Some(&sealing), operator),
        Ok(15_000)
    );
    assert_eq!(v.credit(&operator), 16_500 + 30_000);
}

#[test]
fn a_batch_charges_deposits_and_credits_everyone() {
    let (mut t, mut v) = setup();
    t.fund_grid(&mut v, 100_000).unwrap();
    t.escrow(&mut v, 0, account(1), 500_000, None, 10).unwrap();
    let bills = [
        (account(2), seller_bill(60_000, 40_000)),
        (account(1), buyer_bill(60_000, 6_000, 153_600)),
    ];
    let charged = settle(&mut t, &mut v, 0, &bills).unwrap();
    assert_eq!(charged, vec![bills[0].1.clone(), bills[1].1.clone()]);
    // Buyer: 500_000 - 60_000 - 6_000 - 153_600 back.
    assert_eq!(v.credit(&account(1)), 280_400);
    // Seller: 60_000 P2P and 40_000 feed-in out of the grid deposit.
    assert_eq!(v.credit(&account(2)), 100_000);
    assert_eq!(v.credit(&account(OPERATOR)), 159_600);
    assert_eq!(
        t.ledger,
        Ledger {
            credits: 540_000,
            grid_deposit: 60_000,
            ..Ledger::default()
        }
    );
    // 500_000 escrowed + 100_000 funded.
    assert_eq!(t.ledger.total(), 600_000);
    assert!(v.escrows().is_empty());
}

#[test]
fn payments_in_transit_between_batches_keep_the_total() {
    let (mut t, mut v) = setup();
    t.escrow(&mut v, 0, account(1), 100_000, None, 10).unwrap();
    // The seller's batch first: its earnings are advanced.
    settle(&mut t, &mut v, 0, &[(account(2), seller_bill(50_000, 0))]).unwrap();
    assert_eq!((t.ledger.p2p_advanced, t.ledger.p2p_collected), (50_000, 0));
    assert_eq!(t.ledger.total(), 100_000);
    settle(&mut t, &mut v, 0, &[(account(1), buyer_bill(50_000, 0, 0))]).unwrap();
    assert_eq!((t.ledger.p2p_advanced, t.ledger.p2p_collected), (0, 0));
    assert_eq!(t.ledger.total(), 100_000);
    // Buyer first: the payment is collected until the seller is settled.
    t.escrow(&mut v, 1, account(1), 10_000, None, 10).unwrap();
    settle(&mut t, &mut v, 1, &[(account(1), buyer_bill(7_000, 0, 0))]).unwrap();
    assert_eq!((t.ledger.p2p_advanced, t.ledger.p2p_collected), (0, 7_000));
    settle(&mut t, &mut v, 1, &[(account(2), seller_bill(7_000, 0))]).unwrap();
    assert_eq!((t.ledger.p2p_advanced, t.ledger.p2p_collected), (0, 0));
    // 50_000 + 3_000 back to the buyer, 50_000 + 7_000 to the seller.
    assert_eq!(v.credit(&account(1)), 53_000);
    assert_eq!(v.credit(&account(2)), 57_000);
    assert_eq!(t.ledger.total(), 110_000);
}

#[test]
fn a_buyer_pays_at_most_its_deposit() {
    let (mut t, mut v) = setup();
    t.escrow(&mut v, 0, account(1), 100_000, None, 10).unwrap();
    let charged = settle(
        &mut t,
        &mut v,
        0,
        &[(account(1), buyer_bill(50_000, 5_000, 200_000))],
    )
    .unwrap();
    // 100_000 - 50_000 - 5_000 leaves 45_000 of the 200_000 grid line.
    assert_eq!(charged[0].grid_paid, 45_000);
    assert_eq!(v.credit(&account(1)), 0);
    assert_eq!(v.credit(&account(OPERATOR)), 50_000);
    assert_eq!(t.ledger.p2p_collected, 50_000);
}

#[test]
fn unpaid_feed_in_becomes_a_claim_paid_in_order() {
    let (mut t, mut v) = setup();
    // The grid deposit holds 79_999 of two feed-ins of 80_000: the first seller is paid
    // 79_999 and owed 1, the second owed all 80_000.
    t.fund_grid(&mut v, 79_999).unwrap();
    let sellers = [
        (account(1), seller_bill(0, 80_000)),
        (account(2), seller_bill(0, 80_000)),
    ];
    settle(&mut t, &mut v, 0, &sellers).unwrap();
    assert_eq!(v.credit(&account(1)), 79_999);
    assert_eq!((v.owed(&account(1)), v.owed(&account(2))), (1, 80_000));
    assert_eq!((t.ledger.grid_deposit, t.ledger.claims), (0, 80_001));
    assert_eq!(t.claims_waiting(), 2);
    assert_eq!(
        t.claims(&v, 1, 10),
        vec![Claim {
            account: account(2),
            interval: 0,
            amount: 80_000
        }]
    );
    assert_eq!(t.fund_grid(&mut v, 0), Err(TreasuryError::ZeroAmount));
    // 40_001 pays the first seller's 1, then 40_000 of the second's 80_000.
    assert_eq!(t.fund_grid(&mut v, 40_001), Ok(0));
    assert_eq!((v.owed(&account(1)), v.owed(&account(2))), (0, 40_000));
    assert_eq!(v.credit(&account(2)), 40_000);
    settle(&mut t, &mut v, 1, &[(account(3), seller_bill(0, 1_000))]).unwrap();
    assert_eq!(v.owed(&account(3)), 1_000);
    // 45_000 pays the second seller's 40_000, then the third's 1_000: 4_000 are left.
    assert_eq!(t.fund_grid(&mut v, 45_000), Ok(4_000));
    assert_eq!(t.claims_waiting(), 0);
    assert!(v.debts().is_empty() && v.queued_claims().is_empty());
    assert_eq!(t.ledger.claims, 0);
    // Everything funded went to the sellers but what is left:
    // 79_999 + 40_001 + 45_000 - 4_000.
    assert_eq!(t.ledger.credits, 161_000);
    let paid: Balance = v
        .events
        .iter()
        .map(|event| match event {
            TreasuryEvent::ClaimPaid { amount, .. } => *amount,
            _ => 0,
        })
        .sum();
    // 1 + 40_000 + 40_000 + 1_000.
    assert_eq!(paid, 81_001);
}

#[test]
fn one_call_pays_at_most_max_claims_per_call() {
    let (mut t, mut v) = setup();
    let sellers: Vec<_> = (0..60u8)
        .map(|n| (account(n), seller_bill(0, 100)))
        .collect();
    settle(&mut t, &mut v, 0, &sellers).unwrap();
    assert_eq!(t.claims_waiting(), 60);
    assert_eq!(t.claims(&v, 0, 100).len(), 50);
    // 60 * 100 owed; funding 6_000 pays the first 50 claims, 5_000.
    assert_eq!(t.fund_grid(&mut v, 6_000), Ok(1_000));
    assert_eq!(t.claims_waiting(), 10);
    // A new feed-in queues behind the waiting claims although the grid deposit holds some.
    settle(&mut t, &mut v, 1, &[(account(200), seller_bill(0, 500))]).unwrap();
    assert_eq!((t.ledger.grid_deposit, t.claims_waiting()), (1_000, 11));
    // 3 * 100 paid, then the other 7 * 100; the 500 waits for money.
    assert_eq!(t.pay_claims(&mut v, 3), Ok(8));
    assert_eq!(t.pay_claims(&mut v, 1_000), Ok(1));
    assert_eq!(t.fund_grid(&mut v, 500), Ok(0));
    assert_eq!((t.ledger.grid_deposit, t.ledger.claims), (0, 0));
    assert_eq!(t.ledger.credits, 6_500);
}

#[test]
fn withdraws_the_whole_credit_once() {
    let (mut t, mut v) = setup();
    t.escrow(&mut v, 0, account(1), 4_000, None, 10).unwrap();
    assert_eq!(
        t.withdraw(&mut v, account(1)),
        Err(TreasuryError::NothingToWithdraw)
    );
    t.refund(&mut v, 0, account(1)).unwrap();
    assert_eq!(t.withdraw(&mut v, account(1)), Ok(4_000));
    assert_eq!(
        t.withdraw(&mut v, account(1)),
        Err(TreasuryError::NothingToWithdraw)
    );
    assert_eq!(t.ledger, Ledger::default());
    assert!(v.credits().is_empty());
    assert_eq!(
        v.events,
        vec![TreasuryEvent::Withdrawn {
            account: account(1),
            amount: 4_000
        }]
    );
}

#[test]
fn errors_read_as_sentences() {
    assert_eq!(
        alloc::format!("{}", TreasuryError::NothingToWithdraw),
        "no credit to withdraw"
    );
}
