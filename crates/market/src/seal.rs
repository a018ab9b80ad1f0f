//! Sealed offers (commit–reveal): during an interval a participant publishes only a commitment
//! to its offer; after the interval it reveals the offer and the salt, and the book admits the
//! offer only if it hashes to the commitment. Nobody can read a price or an energy before the
//! reveal, and nobody, the participant included, can change the offer after seeing others.

use crate::{AccountId, EnergyWh, IntervalIndex, PricePerKwh, Side};

/// A secret a participant picks at random for each sealed offer, so that equal offers do not
/// give equal commitments and a commitment cannot be guessed from a small set of likely offers.
pub type Salt = [u8; 32];

/// A commitment: the BLAKE2b-256 hash of the SCALE encoding of
/// `(market, account, interval, side, energy_wh, price, salt)`.
pub type Commitment = [u8; 32];

/// The commitment to an offer in the market whose main contract is `market`. Binding the
/// market stops a commitment from being valid in any other deployment; binding the account and
/// the interval stops anyone from replaying someone else's commitment or an old one of their
/// own.
pub fn commitment(
    market: &AccountId,
    account: &AccountId,
    interval: IntervalIndex,
    side: Side,
    energy_wh: EnergyWh,
    price: PricePerKwh,
    salt: &Salt,
) -> Commitment {
    let mut out = [0u8; 32];
    ink::env::hash_encoded::<ink::env::hash::Blake2x256, _>(
        &(market, account, interval, side, energy_wh, price, salt),
        &mut out,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn market() -> AccountId {
        AccountId::from([7; 32])
    }

    fn alice() -> AccountId {
        AccountId::from([1; 32])
    }

    fn sealed(
        market: AccountId,
        account: AccountId,
        interval: IntervalIndex,
        side: Side,
        energy_wh: EnergyWh,
        price: PricePerKwh,
        salt: u8,
    ) -> Commitment {
        commitment(
            &market,
            &account,
            interval,
            side,
            energy_wh,
            price,
            &[salt; 32],
        )
    }

    #[test]
    fn binds_every_field() {
        let base = sealed(market(), alice(), 7, Side::Buy, 1_000, 300_000, 9);
        assert_eq!(
            base,
            sealed(market(), alice(), 7, Side::Buy, 1_000, 300_000, 9)
        );
        let others = [
            sealed(
                AccountId::from([8; 32]),
                alice(),
                7,
                Side::Buy,
                1_000,
                300_000,
                9,
            ),
            sealed(
                market(),
                AccountId::from([2; 32]),
                7,
                Side::Buy,
                1_000,
                300_000,
                9,
            ),
            sealed(market(), alice(), 8, Side::Buy, 1_000, 300_000, 9),
            sealed(market(), alice(), 7, Side::Sell, 1_000, 300_000, 9),
            sealed(market(), alice(), 7, Side::Buy, 1_001, 300_000, 9),
            sealed(market(), alice(), 7, Side::Buy, 1_000, 300_001, 9),
            sealed(market(), alice(), 7, Side::Buy, 1_000, 300_000, 8),
        ];
        for other in others {
            assert_ne!(base, other);
        }
    }
}
