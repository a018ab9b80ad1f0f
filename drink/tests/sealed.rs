//! Sealed offers (commit–reveal) through the real contracts: nothing about an offer is public
//! before its reveal, reveals are checked against commitments and deposits, unrevealed
//! commitments forfeit a share of their deposit, and a sealed interval clears exactly like the
//! same offers in the open.
//!
//! `MarketConfig::sealed()`: hourly intervals, a ten-minute reveal window after each, a bond of
//! 100_000 per kWh, half of an unrevealed deposit forfeited, at least 10_000. Interval 0 is
//! 22:00 UTC (grid price 280_000).

use main::Error as E;
use market::{seal, AccountId, MarketConfig, Sealing, Side};
use market_drink::{HarnessError, MainOutcome, MarketEvent, MarketSandbox};

mod common;
use common::*;

const PENALTY: u128 = Sealing::DEFAULT.penalty;
const REVEAL_MS: u64 = Sealing::DEFAULT.reveal_ms;

/// An offer as its owner keeps it until the reveal.
struct Secret {
    home: u8,
    side: Side,
    energy_wh: u64,
    price: u128,
    salt: [u8; 32],
}

impl Secret {
    fn new(home: u8, side: Side, energy_wh: u64, price: u128, salt: u8) -> Self {
        Self {
            home,
            side,
            energy_wh,
            price,
            salt: [salt; 32],
        }
    }

    /// Its commitment in `market` (bound to main's address).
    fn commitment(&self, market: &MarketSandbox, interval: u64) -> seal::Commitment {
        market::seal::commitment(
            &market.main_address(),
            &a(self.home),
            interval,
            self.side,
            self.energy_wh,
            self.price,
            &self.salt,
        )
    }

    /// `main.commit` of this offer's commitment in `interval`, as `caller`, paying `deposit`.
    fn commit(
        &self,
        market: &mut MarketSandbox,
        caller: AccountId,
        interval: u64,
        deposit: u128,
    ) -> Result<MainOutcome<()>, HarnessError> {
        let commitment = self.commitment(market, interval);
        market.tx_paying(caller, deposit, |main| main.commit(interval, commitment))
    }

    /// Its owner's `reveal` call, as dispatched (for `refused`).
    fn reveal_call(
        &self,
        market: &mut MarketSandbox,
        interval: u64,
    ) -> Result<MainOutcome<()>, HarnessError> {
        market.tx(a(self.home), |main| {
            main.reveal(interval, self.side, self.energy_wh, self.price, self.salt)
        })
    }

    fn reveal(&self, market: &mut MarketSandbox, interval: u64) -> Result<(), E> {
        self.reveal_call(market, interval).unwrap().value
    }
}

/// The offers of `money.rs`'s interval: two sellers, two buyers.
fn secrets() -> Vec<Secret> {
    vec![
        Secret::new(P1, Side::Sell, 1_000, 120_000, 11),
        Secret::new(P3, Side::Sell, 600, 100_000, 13),
        Secret::new(P2, Side::Buy, 800, 280_000, 12),
        Secret::new(P5, Side::Buy, 1_200, 150_000, 15),
    ]
}

/// What the offer's reveal needs (main's `commit_deposit`): a seller its bond, a buyer its
/// cover. In an open market: a buyer's `buy_deposit`.
fn deposit(market: &mut MarketSandbox, secret: &Secret) -> u128 {
    let sealed = market
        .read(|main| main.commit_deposit(0, secret.side, secret.energy_wh, secret.price))
        .unwrap();
    match (sealed, secret.side) {
        (Ok(deposit), _) => deposit,
        (Err(E::NotSealed), Side::Buy) => market
            .read(|main| main.buy_deposit(0, secret.energy_wh, Some(secret.price)))
            .unwrap()
            .unwrap(),
        (Err(error), side) => panic!("no deposit for a {side:?}: {error:?}"),
    }
}

#[test]
fn sealed_offers_clear_like_open_ones() {
    let mut market = registered_with(&MarketConfig::sealed());
    for secret in secrets() {
        let paid = deposit(&mut market, &secret);
        let committed = ok(secret.commit(&mut market, a(secret.home), 0, paid).unwrap());
        // The event names who committed, nothing else.
        assert_eq!(
            committed.events,
            vec![MarketEvent::OfferCommitted(main::OfferCommitted {
                interval: 0,
                account: a(secret.home),
            })]
        );
    }
    // P4 commits and never reveals.
    let silent = Secret::new(P4, Side::Buy, 300, 200_000, 14);
    ok(silent.commit(&mut market, a(P4), 0, 25_000).unwrap());
    // Before the reveal the book is empty and p2g holds hashes and deposits only.
    assert_eq!(market.read(|main| main.offer_count(0)).unwrap(), 0);
    let escrow = market
        .read_p2g(|p2g| p2g.escrow_of(a(P1), 0))
        .unwrap()
        .unwrap();
    assert_eq!(escrow.sealed, Some(secrets()[0].commitment(&market, 0)));
    // P1's bond: 1_000 Wh * 100_000 / 1000.
    assert_eq!(escrow.deposit, 100_000);
    assert_eq!(
        market.read(|main| main.interval_state(0)).unwrap(),
        market::IntervalState::Open
    );

    market.set_time(START + HOUR);
    assert_eq!(
        market.read(|main| main.interval_state(0)).unwrap(),
        market::IntervalState::Revealing
    );
    for secret in secrets() {
        assert_eq!(secret.reveal(&mut market, 0), Ok(()));
    }
    assert_eq!(market.read(|main| main.offer_count(0)).unwrap(), 4);
    market.set_time(START + HOUR + REVEAL_MS);
    assert_eq!(
        market.read(|main| main.interval_state(0)).unwrap(),
        market::IntervalState::Ended
    );
    let sealed = ok(market.close_interval(a(P6), 0).unwrap()).value.unwrap();

    // The same offers in the open market.
    let mut open = registered();
    for secret in secrets() {
        let outcome = match secret.side {
            Side::Sell => open.tx(a(secret.home), |main| {
                main.sell(0, secret.energy_wh, secret.price)
            }),
            Side::Buy => {
                let paid = deposit(&mut open, &secret);
                open.tx_paying(a(secret.home), paid, |main| {
                    main.buy(0, secret.energy_wh, Some(secret.price))
                })
            }
        };
        ok(outcome.unwrap());
    }
    open.set_time(START + HOUR);
    let cleared = ok(open.close_interval(a(P6), 0).unwrap()).value.unwrap();
    assert_eq!(sealed, cleared);
    assert_eq!(market.trades(0).unwrap(), open.trades(0).unwrap());
    for secret in secrets() {
        let home = a(secret.home);
        assert_eq!(
            market.read(|main| main.bill(home, 0)).unwrap(),
            open.read(|main| main.bill(home, 0)).unwrap()
        );
        // Sellers get their bond back on top of the same earnings: 100_000 and 60_000.
        let extra = match secret.side {
            Side::Sell => u128::from(secret.energy_wh) * 100,
            Side::Buy => 0,
        };
        assert_eq!(
            market.read(|main| main.credit_of(home)).unwrap(),
            open.read(|main| main.credit_of(home)).unwrap() + extra
        );
    }

    // P4's commitment forfeits half its deposit of 25_000 (12_500, above the 10_000 minimum)
    // to the grid operator; anyone may release it.
    let before = market.read(|main| main.credit_of(a(OPERATOR))).unwrap();
    let forfeited = ok(market.tx(a(P6), |main| main.forfeit(0, a(P4))).unwrap());
    assert_eq!(forfeited.value, Ok(12_500));
    assert_eq!(
        forfeited.events,
        vec![MarketEvent::Forfeited(p2g::Forfeited {
            interval: 0,
            account: a(P4),
            refund: 12_500,
            penalty: 12_500,
        })]
    );
    assert_eq!(market.read(|main| main.credit_of(a(P4))).unwrap(), 12_500);
    assert_eq!(
        market.read(|main| main.credit_of(a(OPERATOR))).unwrap(),
        before + 12_500
    );
    refused(&mut market, E::NoCommitment, |m| {
        m.tx(a(P6), |main| main.forfeit(0, a(P4)))
    });
    let ledger = market.read_p2g(|p2g| p2g.ledger()).unwrap();
    assert_eq!(ledger.deposits, 0);
}

#[test]
fn sealed_messages_refuse_bad_input() {
    let mut market = registered_with(&MarketConfig::sealed());
    let offer = Secret::new(P1, Side::Sell, 1_000, 120_000, 1);
    // Open offers are refused in sealed mode.
    refused(&mut market, E::Sealed, |m| {
        m.tx(a(P1), |main| main.sell(0, 100, 100_000))
    });
    refused(&mut market, E::Sealed, |m| {
        m.tx_paying(a(P2), 1_000_000, |main| main.buy(0, 100, None))
    });
    refused(&mut market, E::DepositTooLow, |m| {
        offer.commit(m, a(P1), 0, PENALTY - 1)
    });
    refused(&mut market, E::NotRegistered, |m| {
        offer.commit(m, a(STRANGER), 0, PENALTY)
    });
    refused(&mut market, E::IntervalNotOpen, |m| {
        offer.commit(m, a(P1), 1, PENALTY)
    });
    // 1 kWh's bond: 100_000.
    ok(offer.commit(&mut market, a(P1), 0, 100_000).unwrap());
    refused(&mut market, E::OfferExists, |m| {
        offer.commit(m, a(P1), 0, PENALTY)
    });
    refused(&mut market, E::IntervalNotEnded, |m| {
        offer.reveal_call(m, 0)
    });
    // A buy committed with the penalty only: its reveal is refused, so it stays sealed.
    let thin = Secret::new(P2, Side::Buy, 500, 200_000, 2);
    ok(thin.commit(&mut market, a(P2), 0, PENALTY).unwrap());
    // An offer too large to reveal.
    let huge = Secret::new(P3, Side::Sell, u64::MAX, 120_000, 3);
    ok(huge.commit(&mut market, a(P3), 0, PENALTY).unwrap());
    // An ask outside the bounds.
    let dear = Secret::new(P6, Side::Sell, 100, 400_001, 6);
    ok(dear.commit(&mut market, a(P6), 0, PENALTY).unwrap());
    // More than the default connection carries (its bond is deposited).
    let wide = Secret::new(P5, Side::Sell, 43_001, 120_000, 5);
    ok(wide.commit(&mut market, a(P5), 0, 4_300_100).unwrap());

    market.set_time(START + HOUR);
    refused(&mut market, E::IntervalNotOpen, |m| {
        offer.commit(m, a(P4), 0, PENALTY)
    });
    refused(&mut market, E::RevealOpen, |m| m.close_interval(a(P4), 0));
    refused(&mut market, E::RevealOpen, |m| {
        m.tx(a(P4), |main| main.forfeit(0, a(P2)))
    });
    refused(&mut market, E::CommitmentMismatch, |m| {
        m.tx(a(P1), |main| {
            main.reveal(0, offer.side, offer.energy_wh, offer.price, [9; 32])
        })
    });
    refused(&mut market, E::CommitmentMismatch, |m| {
        m.tx(a(P1), |main| {
            main.reveal(0, offer.side, offer.energy_wh + 1, offer.price, offer.salt)
        })
    });
    refused(&mut market, E::CommitmentMismatch, |m| {
        m.tx(a(P1), |main| {
            main.reveal(0, Side::Buy, offer.energy_wh, offer.price, offer.salt)
        })
    });
    refused(&mut market, E::NoCommitment, |m| {
        m.tx(a(P4), |main| {
            main.reveal(0, offer.side, offer.energy_wh, offer.price, offer.salt)
        })
    });
    refused(&mut market, E::NotRegistered, |m| {
        m.tx(a(STRANGER), |main| {
            main.reveal(0, offer.side, offer.energy_wh, offer.price, offer.salt)
        })
    });
    refused(&mut market, E::ZeroEnergy, |m| {
        m.tx(a(P1), |main| {
            main.reveal(0, offer.side, 0, offer.price, offer.salt)
        })
    });
    refused(&mut market, E::TooMuchEnergy, |m| huge.reveal_call(m, 0));
    refused(&mut market, E::PriceOutOfBounds, |m| dear.reveal_call(m, 0));
    refused(&mut market, E::DepositTooLow, |m| thin.reveal_call(m, 0));
    refused(&mut market, E::ExceedsCapacity, |m| wide.reveal_call(m, 0));
    assert_eq!(offer.reveal(&mut market, 0), Ok(()));
    refused(&mut market, E::NoCommitment, |m| offer.reveal_call(m, 0));

    market.set_time(START + HOUR + REVEAL_MS);
    refused(&mut market, E::RevealClosed, |m| thin.reveal_call(m, 0));
    // A revealed offer is not forfeitable; the unrevealed ones are, once.
    refused(&mut market, E::NoCommitment, |m| {
        m.tx(a(P4), |main| main.forfeit(0, a(P1)))
    });
    ok(market.close_interval(a(P4), 0).unwrap());
    for home in [P2, P3, P6] {
        assert_eq!(
            market
                .tx(a(P4), |main| main.forfeit(0, a(home)))
                .unwrap()
                .value,
            Ok(PENALTY)
        );
        assert_eq!(market.read(|main| main.credit_of(a(home))).unwrap(), 0);
    }
    // P5's 4_300_100 forfeits half.
    assert_eq!(
        market
            .tx(a(P4), |main| main.forfeit(0, a(P5)))
            .unwrap()
            .value,
        Ok(2_150_050)
    );
    assert_eq!(
        market.read(|main| main.credit_of(a(P5))).unwrap(),
        2_150_050
    );
    // The sealing settings are fixed at instantiation.
    refused(&mut market, E::InvalidSealing, |m| {
        m.tx(a(OPERATOR), |main| {
            main.update_config(MarketConfig::paper())
        })
    });
    let longer = MarketConfig {
        sealing: Some(Sealing {
            reveal_ms: 2 * REVEAL_MS,
            ..Sealing::DEFAULT
        }),
        ..MarketConfig::sealed()
    };
    refused(&mut market, E::InvalidSealing, |m| {
        m.tx(a(OPERATOR), |main| main.update_config(longer))
    });
}

#[test]
fn withdrawn_and_removed_commitments_cost_nothing() {
    let mut market = registered_with(&MarketConfig::sealed());
    let offer = Secret::new(P1, Side::Sell, 500, 100_000, 7);
    // Cancelled while the interval is open: the whole deposit comes back.
    ok(offer.commit(&mut market, a(P1), 0, 20_000).unwrap());
    ok(market.tx(a(P1), |main| main.cancel(0)).unwrap());
    assert_eq!(market.read(|main| main.credit_of(a(P1))).unwrap(), 20_000);
    refused(&mut market, E::NoOffer, |m| {
        m.tx(a(P1), |main| main.cancel(0))
    });
    // Removed by the operator after the interval, before revealing: no penalty.
    ok(offer.commit(&mut market, a(P3), 0, 20_000).unwrap());
    market.set_time(START + HOUR);
    ok(market.tx(a(OPERATOR), |main| main.remove(a(P3))).unwrap());
    market.set_time(START + HOUR + REVEAL_MS);
    assert_eq!(
        market
            .tx(a(P1), |main| main.forfeit(0, a(P3)))
            .unwrap()
            .value,
        Ok(0)
    );
    assert_eq!(market.read(|main| main.credit_of(a(P3))).unwrap(), 20_000);
}

#[test]
fn a_zero_reveal_window_is_refused() {
    let instant = MarketConfig {
        sealing: Some(Sealing {
            reveal_ms: 0,
            ..Sealing::DEFAULT
        }),
        ..MarketConfig::paper()
    };
    match deploy(&instant) {
        Err(market_drink::HarnessError::Deploy(why)) => {
            assert!(why.contains("InvalidSealing"), "{why}")
        }
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("a zero reveal window must be refused"),
    }
}
