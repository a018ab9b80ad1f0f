//! The treasury against its invariants: random sequences of every operation (escrows open and
//! sealed with deposits from zero to 10^30, unseals right and wrong, refunds, forfeits under
//! random sealing, settlements in two batches with bills cut to their deposits, grid funding,
//! claim payments, withdrawals, and in metered settlements money held until imbalances, random
//! charges and credits from zero to 10^30, are settled) over six homes and four intervals.
//! After every operation:
//!
//! - a failed operation has changed nothing, the treasury, the vault and its events alike;
//! - money is conserved: what came in (deposits escrowed, grid funding) less what went out
//!   (withdrawals) is `Ledger::total`, and every ledger figure is the sum over the vault;
//!
//! and at the end every claim can be paid and every credit withdrawn, leaving exactly the grid
//! deposit.

use std::collections::BTreeSet;

use market::{
    metering::Imbalance, AccountId, Balance, Batch, Bill, IntervalIndex, Ledger, MemoryVault,
    Sealing, Treasury, TreasuryError, TreasuryEvent, Vault, BPS, MAX_CLAIMS_PER_CALL,
};
use proptest::prelude::*;

/// Homes `0..HOMES`; account `HOMES` is a grid operator that is no home.
const HOMES: u8 = 6;
const INTERVALS: IntervalIndex = 4;

fn account(n: u8) -> AccountId {
    AccountId::from([n.wrapping_add(1); 32])
}

/// What a home does in a settlement.
#[derive(Debug, Clone)]
enum Role {
    Absent,
    /// Pays these shares of its deposit, basis points: P2P (at most all of it), then fees and
    /// grid energy, which may exceed what is left and are then cut.
    Buyer {
        p2p: u16,
        fees: u16,
        grid: u16,
    },
    /// Earns a share of the buyers' P2P payments by `weight`, and `feed_in` from the grid.
    Seller {
        weight: u8,
        feed_in: Balance,
    },
}

#[derive(Debug, Clone)]
enum Op {
    Escrow {
        interval: IntervalIndex,
        home: u8,
        deposit: Balance,
        sealed: Option<u8>,
        max_offers: u32,
    },
    Unseal {
        interval: IntervalIndex,
        home: u8,
        right: bool,
    },
    Refund {
        interval: IntervalIndex,
        home: u8,
    },
    Forfeit {
        interval: IntervalIndex,
        home: u8,
        sealing: Option<Sealing>,
        operator: u8,
    },
    /// Settles the interval in two batches, split at `split`, in the order `order`; `bad`
    /// adds a bill whose P2P line exceeds that home's deposit, which must fail.
    Settle {
        interval: IntervalIndex,
        roles: Vec<Role>,
        order: Vec<u8>,
        split: usize,
        bad: Option<u8>,
        operator: u8,
        /// A metered market: what the settlement credits is held until the imbalance.
        hold: bool,
    },
    /// Settles a home's imbalance in an interval: `charge` to the grid operator (cut to what
    /// is held), `credit` out of the grid deposit.
    Imbalance {
        interval: IntervalIndex,
        home: u8,
        charge: Balance,
        credit: Balance,
        operator: u8,
    },
    /// `count` feed-ins of `amount` each, to the homes in turn, in one batch: with the grid
    /// deposit short, more claims than one call pays.
    FeedIns {
        interval: IntervalIndex,
        count: u32,
        amount: Balance,
        operator: u8,
    },
    FundGrid {
        amount: Balance,
    },
    PayClaims {
        max: u32,
    },
    Withdraw {
        account: u8,
    },
}

fn money() -> impl Strategy<Value = Balance> {
    prop_oneof![
        2 => Just(0u128),
        5 => 1u128..1_000_000,
        2 => 10u128.pow(29)..=10u128.pow(30),
        1 => Just(10u128.pow(30)),
    ]
}

fn sealing() -> impl Strategy<Value = Option<Sealing>> {
    prop::option::of(
        (
            0u16..=BPS,
            prop_oneof![Just(0u128), 1u128..100_000, money()],
        )
            .prop_map(|(forfeit_bps, penalty)| Sealing {
                reveal_ms: 1,
                penalty,
                forfeit_bps,
                bond_per_kwh: 0,
            }),
    )
}

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![
        1 => Just(Role::Absent),
        2 => (0u16..=BPS, 0u16..=12_000, 0u16..=15_000)
            .prop_map(|(p2p, fees, grid)| Role::Buyer { p2p, fees, grid }),
        2 => (1u8..10, money()).prop_map(|(weight, feed_in)| Role::Seller { weight, feed_in }),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let interval = 0..INTERVALS;
    let home = 0..HOMES;
    let anyone = 0..=HOMES;
    prop_oneof![
        6 => (interval.clone(), home.clone(), money(), prop::option::of(any::<u8>()), 1u32..=8)
            .prop_map(|(interval, home, deposit, sealed, max_offers)| Op::Escrow {
                interval,
                home,
                deposit,
                sealed,
                max_offers,
            }),
        2 => (interval.clone(), home.clone(), any::<bool>())
            .prop_map(|(interval, home, right)| Op::Unseal { interval, home, right }),
        1 => (interval.clone(), home.clone())
            .prop_map(|(interval, home)| Op::Refund { interval, home }),
        2 => (interval.clone(), home.clone(), sealing(), anyone.clone()).prop_map(
            |(interval, home, sealing, operator)| Op::Forfeit {
                interval,
                home,
                sealing,
                operator,
            }
        ),
        4 => (
            interval,
            prop::collection::vec(role(), usize::from(HOMES)),
            Just((0..HOMES).collect::<Vec<u8>>()).prop_shuffle(),
            0usize..=usize::from(HOMES),
            prop::option::of(home.clone()),
            anyone.clone(),
            any::<bool>(),
        )
            .prop_map(|(interval, roles, order, split, bad, operator, hold)| Op::Settle {
                interval,
                roles,
                order,
                split,
                bad,
                operator,
                hold,
            }),
        3 => (0..INTERVALS, home, money(), money(), anyone.clone()).prop_map(
            |(interval, home, charge, credit, operator)| Op::Imbalance {
                interval,
                home,
                charge,
                credit,
                operator,
            }
        ),
        1 => (
            0..INTERVALS,
            1u32..=70,
            prop_oneof![1u128..1_000_000, money()],
            0..=HOMES
        )
            .prop_map(|(interval, count, amount, operator)| Op::FeedIns {
                interval,
                count,
                amount,
                operator,
            }),
        2 => money().prop_map(|amount| Op::FundGrid { amount }),
        1 => (0u32..=60).prop_map(|max| Op::PayClaims { max }),
        2 => anyone.prop_map(|account| Op::Withdraw { account }),
    ]
}

/// `bps` of `amount`, rounded down; `bps` may exceed 10 000.
fn share(amount: Balance, bps: u16) -> Balance {
    let bps = Balance::from(bps);
    amount / Balance::from(BPS) * bps + amount % Balance::from(BPS) * bps / Balance::from(BPS)
}

/// The bills of one settlement: buyers' shares of their deposits, the P2P payments split
/// among the sellers, so that P2P payments equal P2P earnings.
fn bills(vault: &MemoryVault, interval: IntervalIndex, roles: &[Role]) -> Vec<Bill> {
    let deposit = |home: usize| {
        vault
            .escrow(&account(home as u8), interval)
            .map_or(0, |escrow| escrow.deposit)
    };
    let weights: u128 = roles
        .iter()
        .map(|role| match role {
            Role::Seller { weight, .. } => u128::from(*weight),
            _ => 0,
        })
        .sum();
    let mut bills: Vec<Bill> = roles
        .iter()
        .enumerate()
        .map(|(home, role)| match role {
            Role::Absent => Bill::default(),
            Role::Buyer { p2p, fees, grid } => Bill {
                p2p_paid: if weights > 0 {
                    share(deposit(home), *p2p)
                } else {
                    0
                },
                fees_paid: share(deposit(home), *fees),
                grid_paid: share(deposit(home), *grid),
                ..Bill::default()
            },
            Role::Seller { feed_in, .. } => Bill {
                grid_earned: *feed_in,
                ..Bill::default()
            },
        })
        .collect();
    let paid: Balance = bills.iter().map(|bill| bill.p2p_paid).sum();
    let mut left = paid;
    let last_seller = roles
        .iter()
        .rposition(|role| matches!(role, Role::Seller { .. }));
    for (home, role) in roles.iter().enumerate() {
        if let Role::Seller { weight, .. } = role {
            let earned = if Some(home) == last_seller {
                left
            } else {
                paid / weights * u128::from(*weight)
                    + paid % weights * u128::from(*weight) / weights
            };
            left -= earned;
            bills[home].p2p_earned = earned;
        }
    }
    bills
}

/// The test's own books.
#[derive(Default)]
struct Model {
    /// Deposits escrowed and grid funding.
    money_in: Balance,
    /// Withdrawals.
    money_out: Balance,
    /// Offers charged, forfeited or refunded since they were last escrowed.
    closed: BTreeSet<(u8, IntervalIndex)>,
    /// Events read so far, and the sums of their feed-in owed, claims paid and withdrawals.
    events_read: usize,
    owed_events: Balance,
    paid_events: Balance,
    withdrawn_events: Balance,
}

type State = (Treasury, MemoryVault);

/// Checks the invariants; `pending` is what an unfinished batch owes the grid operator.
fn check(model: &mut Model, treasury: &Treasury, vault: &MemoryVault, pending: Balance) {
    let ledger = &treasury.ledger;
    let held = (ledger.deposits + ledger.credits + ledger.grid_deposit + ledger.p2p_collected)
        .checked_sub(ledger.p2p_advanced)
        .expect("more advanced than held");
    assert_eq!(held, ledger.total());
    assert_eq!(
        model.money_in - model.money_out,
        held + pending,
        "{ledger:?}"
    );
    let deposits: Balance = vault.escrows().values().map(|e| e.deposit).sum();
    assert_eq!(ledger.deposits, deposits);
    let credits: Balance = vault.credits().values().sum();
    assert_eq!(ledger.credits, credits);
    let owed: Balance = vault.debts().values().sum();
    assert_eq!(ledger.claims, owed);
    let queued: Balance = vault.queued_claims().values().map(|c| c.amount).sum();
    assert_eq!(ledger.claims, queued);
    assert!(treasury.claims_head <= treasury.claims_next);
    assert!(vault
        .queued_claims()
        .keys()
        .copied()
        .eq(treasury.claims_head..treasury.claims_next));
    assert!(vault.queued_claims().values().all(|c| c.amount > 0));
    assert!(vault.credits().values().all(|c| *c > 0));
    assert!(vault.debts().values().all(|c| *c > 0));
    assert!(vault.escrow_counts().values().all(|c| *c > 0));
    for interval in 0..INTERVALS {
        // Held escrows no longer count: they belong to settled offers.
        let live = vault
            .escrows()
            .iter()
            .filter(|((_, i), escrow)| *i == interval && !escrow.held)
            .count();
        assert!(live <= vault.escrow_count(interval) as usize);
    }
    for (home, interval) in &model.closed {
        assert_eq!(vault.escrow(&account(*home), *interval), None);
    }
    // The events tell the same story.
    for event in &vault.events[model.events_read..] {
        match event {
            TreasuryEvent::FeedInOwed { amount, .. } => model.owed_events += amount,
            TreasuryEvent::ClaimPaid { amount, .. } => model.paid_events += amount,
            TreasuryEvent::Withdrawn { amount, .. } => model.withdrawn_events += amount,
            _ => {}
        }
    }
    model.events_read = vault.events.len();
    assert_eq!(model.owed_events - model.paid_events, ledger.claims);
    assert_eq!(model.withdrawn_events, model.money_out);
}

/// Runs `call`; if it fails, checks that it changed nothing.
fn attempt<T: std::fmt::Debug>(
    state: &mut State,
    call: impl FnOnce(&mut Treasury, &mut MemoryVault) -> Result<T, TreasuryError>,
) -> Result<T, TreasuryError> {
    // The events are compared by number: cloning them all for every call would be slow.
    let events = std::mem::take(&mut state.1.events);
    let before = state.clone();
    state.1.events = events;
    let emitted = state.1.events.len();
    let (treasury, vault) = state;
    let result = call(treasury, vault);
    if result.is_err() {
        assert_eq!(vault.events.len(), emitted, "{result:?}");
        let events = std::mem::take(&mut vault.events);
        assert_eq!((&*treasury, &*vault), (&before.0, &before.1), "{result:?}");
        vault.events = events;
    }
    result
}

/// Charges `home`'s `bill`, which is within its deposit, in `batch` and checks the charge
/// against the rules: the P2P line whole, fees then grid energy cut to the deposit, feed-in
/// out of the grid deposit unless claims wait, the rest credited.
fn charge(
    model: &mut Model,
    state: &mut State,
    batch: &mut Batch,
    interval: IntervalIndex,
    home: u8,
    bill: Bill,
    hold: bool,
) {
    let escrow = state.1.escrow(&account(home), interval);
    let credit = state.1.credit(&account(home));
    let (grid_deposit, waiting) = (state.0.ledger.grid_deposit, state.0.claims_waiting());
    let charged = state
        .0
        .charge(
            &mut state.1,
            batch,
            interval,
            account(home),
            bill.clone(),
            hold,
        )
        .expect("a bill within its deposit is charged");
    // P2P first, then fees and grid energy as far as the deposit goes.
    let left = escrow.map_or(0, |e| e.deposit) - bill.p2p_paid;
    let fees_paid = bill.fees_paid.min(left);
    let grid_paid = bill.grid_paid.min(left - fees_paid);
    assert_eq!(
        charged,
        Bill {
            fees_paid,
            grid_paid,
            ..bill.clone()
        }
    );
    // Earlier claims come first: then nothing is paid out of the grid deposit.
    let paid = if waiting > 0 {
        0
    } else {
        bill.grid_earned.min(grid_deposit)
    };
    assert_eq!(state.0.ledger.grid_deposit, grid_deposit - paid);
    let refund = left - fees_paid - grid_paid;
    let credited = refund + bill.p2p_earned + paid;
    if hold {
        // Nothing is credited yet: all of it is held for the imbalance.
        assert_eq!(state.1.credit(&account(home)), credit);
        let held = state.1.escrow(&account(home), interval).expect("held");
        assert!(held.held && held.sealed.is_none());
        assert_eq!(held.deposit, credited);
        model.closed.remove(&(home, interval));
    } else {
        assert_eq!(state.1.credit(&account(home)), credit + credited);
        if escrow.is_some() {
            model.closed.insert((home, interval));
        }
    }
    let claimed = u32::from(bill.grid_earned > paid);
    assert_eq!(state.0.claims_waiting(), waiting + claimed);
}

/// Settles `home`'s imbalance in `batch` and checks it against the rules: the charge cut to
/// what is held, the credit out of the grid deposit unless claims wait, the rest of what was
/// held credited. Returns the error if nothing was held.
fn settle_imbalance(
    model: &mut Model,
    state: &mut State,
    batch: &mut Batch,
    interval: IntervalIndex,
    home: u8,
    imbalance: Imbalance,
) -> Result<Imbalance, TreasuryError> {
    let escrow = state.1.escrow(&account(home), interval);
    let credit = state.1.credit(&account(home));
    let (grid_deposit, waiting) = (state.0.ledger.grid_deposit, state.0.claims_waiting());
    let before = *batch;
    let result = attempt(state, |t, v| {
        t.settle_imbalance(v, batch, interval, account(home), imbalance)
    });
    let Some(held) = escrow.filter(|escrow| escrow.held) else {
        assert_eq!(result, Err(TreasuryError::NotHeld));
        assert_eq!(*batch, before);
        return result;
    };
    let charged = result.expect("a held position settles");
    let charge = imbalance.charge.min(held.deposit);
    assert_eq!(
        charged,
        Imbalance {
            charge,
            ..imbalance
        }
    );
    assert_eq!(batch.to_operator(), before.to_operator() + charge);
    let paid = if waiting > 0 {
        0
    } else {
        imbalance.credit.min(grid_deposit)
    };
    assert_eq!(state.0.ledger.grid_deposit, grid_deposit - paid);
    assert_eq!(
        state.1.credit(&account(home)),
        credit + held.deposit - charge + paid
    );
    let claimed = u32::from(imbalance.credit > paid);
    assert_eq!(state.0.claims_waiting(), waiting + claimed);
    model.closed.insert((home, interval));
    result
}

/// Finishes `batch`, crediting `operator`.
fn finish(state: &mut State, batch: Batch, operator: u8) {
    let credit = state.1.credit(&account(operator));
    state
        .0
        .finish_batch(&mut state.1, batch, account(operator))
        .expect("finishing a batch");
    assert_eq!(
        state.1.credit(&account(operator)),
        credit + batch.to_operator()
    );
}

fn run(model: &mut Model, state: &mut State, op: &Op) {
    match op {
        Op::Escrow {
            interval,
            home,
            deposit,
            sealed,
            max_offers,
        } => {
            let existed = state.1.escrow(&account(*home), *interval).is_some();
            let count = state.1.escrow_count(*interval);
            let sealed = sealed.map(|seed| [seed; 32]);
            let result = attempt(state, |t, v| {
                t.escrow(v, *interval, account(*home), *deposit, sealed, *max_offers)
            });
            match result {
                Ok(()) => {
                    model.money_in += deposit;
                    model.closed.remove(&(*home, *interval));
                }
                Err(TreasuryError::OfferExists) => assert!(existed),
                Err(TreasuryError::BookFull) => assert!(!existed && count >= *max_offers),
                Err(e) => panic!("escrow: {e:?}"),
            }
        }
        Op::Unseal {
            interval,
            home,
            right,
        } => {
            let escrow = state.1.escrow(&account(*home), *interval);
            let stored = escrow.and_then(|e| e.sealed).unwrap_or([0; 32]);
            let commitment = if *right {
                stored
            } else {
                [stored[0].wrapping_add(1); 32]
            };
            let result = attempt(state, |t, v| {
                t.unseal(v, *interval, account(*home), commitment)
            });
            match (escrow, result) {
                (Some(escrow), Ok(deposit)) => {
                    assert!(escrow.sealed.is_some() && *right);
                    assert_eq!(deposit, escrow.deposit);
                }
                (Some(escrow), Err(TreasuryError::CommitmentMismatch)) => {
                    assert!(escrow.sealed.is_some() && !*right)
                }
                (escrow, Err(TreasuryError::NoCommitment)) => {
                    assert!(escrow.is_none_or(|e| e.sealed.is_none()))
                }
                other => panic!("unseal: {other:?}"),
            }
        }
        Op::Refund { interval, home } => {
            let escrow = state.1.escrow(&account(*home), *interval);
            let credit = state.1.credit(&account(*home));
            let result = attempt(state, |t, v| t.refund(v, *interval, account(*home)));
            // Money held for metering is no deposit to refund.
            let escrow = escrow.filter(|escrow| !escrow.held);
            assert_eq!(result, Ok(escrow.is_some()));
            if let Some(escrow) = escrow {
                assert_eq!(state.1.credit(&account(*home)), credit + escrow.deposit);
                model.closed.insert((*home, *interval));
            }
        }
        Op::Forfeit {
            interval,
            home,
            sealing,
            operator,
        } => {
            let escrow = state.1.escrow(&account(*home), *interval);
            let result = attempt(state, |t, v| {
                t.forfeit(
                    v,
                    *interval,
                    account(*home),
                    sealing.as_ref(),
                    account(*operator),
                )
            });
            match (escrow, result) {
                (Some(escrow), Ok(penalty)) => {
                    assert!(escrow.sealed.is_some());
                    let expected = sealing.map_or(0, |s| s.forfeit_of(escrow.deposit));
                    assert_eq!(penalty, expected);
                    assert!(penalty <= escrow.deposit);
                    model.closed.insert((*home, *interval));
                }
                (escrow, Err(TreasuryError::NoCommitment)) => {
                    assert!(escrow.is_none_or(|e| e.sealed.is_none()))
                }
                other => panic!("forfeit: {other:?}"),
            }
        }
        Op::Settle {
            interval,
            roles,
            order,
            split,
            bad,
            operator,
            hold,
        } => {
            let bills = bills(&state.1, *interval, roles);
            let mut queue: Vec<(u8, Bill)> = order
                .iter()
                .filter(|home| !matches!(roles[usize::from(**home)], Role::Absent))
                .map(|home| (*home, bills[usize::from(*home)].clone()))
                .collect();
            let split = (*split).min(queue.len());
            let second = queue.split_off(split);
            for (n, batch_bills) in [queue, second].into_iter().enumerate() {
                let mut batch = Batch::default();
                for (home, bill) in batch_bills {
                    charge(model, state, &mut batch, *interval, home, bill, *hold);
                    check(model, &state.0, &state.1, batch.to_operator());
                }
                if let (0, Some(home)) = (n, bad) {
                    let deposit = state
                        .1
                        .escrow(&account(*home), *interval)
                        .map_or(0, |e| e.deposit);
                    let bill = Bill {
                        p2p_paid: deposit + 1,
                        ..Bill::default()
                    };
                    let before = batch;
                    let result = attempt(state, |t, v| {
                        t.charge(v, &mut batch, *interval, account(*home), bill, *hold)
                    });
                    assert_eq!(result, Err(TreasuryError::Overflow));
                    assert_eq!(batch, before);
                }
                finish(state, batch, *operator);
            }
            // The interval's P2P payments and earnings are equal: nothing is in transit.
            let ledger = state.0.ledger;
            assert_eq!((ledger.p2p_collected, ledger.p2p_advanced), (0, 0));
        }
        Op::FeedIns {
            interval,
            count,
            amount,
            operator,
        } => {
            let mut batch = Batch::default();
            for n in 0..*count {
                let home = u8::try_from(n % u32::from(HOMES)).unwrap();
                let bill = Bill {
                    grid_earned: *amount,
                    ..Bill::default()
                };
                charge(model, state, &mut batch, *interval, home, bill, false);
            }
            finish(state, batch, *operator);
        }
        Op::Imbalance {
            interval,
            home,
            charge,
            credit,
            operator,
        } => {
            let mut batch = Batch::default();
            let imbalance = Imbalance {
                short_wh: 0,
                long_wh: 0,
                charge: *charge,
                credit: *credit,
                defaulted: false,
            };
            // Unheld positions fail, and then change nothing (checked by `attempt`).
            let _ = settle_imbalance(model, state, &mut batch, *interval, *home, imbalance);
            check(model, &state.0, &state.1, batch.to_operator());
            finish(state, batch, *operator);
        }
        Op::FundGrid { amount } => {
            let result = attempt(state, |t, v| t.fund_grid(v, *amount));
            match result {
                Ok(left) => {
                    assert_eq!(left, state.0.ledger.grid_deposit);
                    model.money_in += amount;
                }
                Err(TreasuryError::ZeroAmount) => assert_eq!(*amount, 0),
                Err(e) => panic!("fund_grid: {e:?}"),
            }
        }
        Op::PayClaims { max } => {
            let waiting = state.0.claims_waiting();
            let left = attempt(state, |t, v| t.pay_claims(v, *max)).expect("paying claims");
            assert_eq!(left, state.0.claims_waiting());
            assert!(left <= waiting && waiting - left <= (*max).min(MAX_CLAIMS_PER_CALL));
        }
        Op::Withdraw { account: n } => {
            let credit = state.1.credit(&account(*n));
            let result = attempt(state, |t, v| t.withdraw(v, account(*n)));
            match result {
                Ok(amount) => {
                    assert_eq!(amount, credit);
                    model.money_out += amount;
                }
                Err(TreasuryError::NothingToWithdraw) => assert_eq!(credit, 0),
                Err(e) => panic!("withdraw: {e:?}"),
            }
        }
    }
    check(model, &state.0, &state.1, 0);
}

/// Funds every claim, pays them all, refunds the open escrows and withdraws every credit:
/// only the grid deposit is left.
fn wind_up(model: &mut Model, state: &mut State) {
    // Every position held for metering settles (here without an imbalance) and is credited.
    let held: Vec<(AccountId, IntervalIndex)> = state
        .1
        .escrows()
        .iter()
        .filter(|(_, escrow)| escrow.held)
        .map(|(key, _)| *key)
        .collect();
    let mut batch = Batch::default();
    for (account, interval) in held {
        let home = <AccountId as AsRef<[u8]>>::as_ref(&account)[0] - 1;
        settle_imbalance(
            model,
            state,
            &mut batch,
            interval,
            home,
            Imbalance::default(),
        )
        .expect("a held position settles");
    }
    finish(state, batch, HOMES);
    check(model, &state.0, &state.1, 0);
    let grid_deposit = state.0.ledger.grid_deposit;
    let claims = state.0.ledger.claims;
    if claims > 0 {
        state
            .0
            .fund_grid(&mut state.1, claims)
            .expect("funding the claims");
        model.money_in += claims;
    }
    // Every call pays 50 claims until none wait.
    let calls = state.0.claims_waiting().div_ceil(MAX_CLAIMS_PER_CALL);
    for _ in 0..calls {
        state
            .0
            .pay_claims(&mut state.1, MAX_CLAIMS_PER_CALL)
            .unwrap();
    }
    assert_eq!(state.0.claims_waiting(), 0);
    assert_eq!(state.0.ledger.grid_deposit, grid_deposit);
    check(model, &state.0, &state.1, 0);
    let open: Vec<(AccountId, IntervalIndex)> = state.1.escrows().keys().copied().collect();
    for (account, interval) in open {
        assert_eq!(state.0.refund(&mut state.1, interval, account), Ok(true));
    }
    let credited: Vec<(AccountId, Balance)> = state
        .1
        .credits()
        .iter()
        .map(|(account, credit)| (*account, *credit))
        .collect();
    for (account, credit) in credited {
        assert_eq!(state.0.withdraw(&mut state.1, account), Ok(credit));
        model.money_out += credit;
    }
    assert_eq!(
        state.0.ledger,
        Ledger {
            grid_deposit,
            ..Ledger::default()
        }
    );
    assert_eq!(model.money_in - model.money_out, grid_deposit);
    let vault = &state.1;
    assert!(vault.escrows().is_empty() && vault.credits().is_empty());
    assert!(vault.debts().is_empty() && vault.queued_claims().is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn money_is_conserved_and_every_credit_withdrawable(
        ops in prop::collection::vec(op(), 20..40)
    ) {
        let mut model = Model::default();
        let mut state: State = (Treasury::new(), MemoryVault::default());
        for op in &ops {
            run(&mut model, &mut state, op);
        }
        wind_up(&mut model, &mut state);
    }
}
