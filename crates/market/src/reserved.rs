//! Storage that an offer pays for and its close fills in.
//!
//! On pallet-contracts the account that signs a transaction pays the storage deposit of every
//! entry the transaction creates (on substrate-contracts-node 0.42, 0.1 Unit per entry and
//! 0.000005 Unit per byte). A close creates an interval's bills, trades and results, so if the
//! close created those entries its caller would pay for everybody's storage and nobody would
//! want to close. Instead each offer's own transaction creates, at full size, every entry its
//! close will write: [`Reserved`] is such an entry before and after it holds a value. The close
//! overwrites it in place, which needs no new deposit.
//!
//! SCALE encodes an `Option<T>` as one byte for `None` and one plus `T`'s size for `Some`, so an
//! `Option` would still grow at the close; a [`Reserved`] has the same size empty and filled as
//! long as its placeholder is as large as any value it will hold (the placeholders of types
//! with an `Option` inside use `Some`).

/// A storage entry created before its value exists: `filled` is false until the value is
/// written, and `value` is then the value, before it a placeholder of the same encoded size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Reserved<T> {
    /// Whether `value` holds a real value.
    pub filled: bool,
    /// The value, or the placeholder while `filled` is false.
    pub value: T,
}

impl<T> Reserved<T> {
    /// An empty entry holding `placeholder`.
    pub const fn empty(placeholder: T) -> Self {
        Self {
            filled: false,
            value: placeholder,
        }
    }

    /// A filled entry.
    pub const fn filled(value: T) -> Self {
        Self {
            filled: true,
            value,
        }
    }

    /// The value, if filled.
    pub fn into_value(self) -> Option<T> {
        self.filled.then_some(self.value)
    }

    /// The value, if filled.
    pub fn value(&self) -> Option<&T> {
        self.filled.then_some(&self.value)
    }
}

/// Whether `entry` (read from storage) holds a value.
pub fn is_filled<T>(entry: Option<Reserved<T>>) -> bool {
    entry.is_some_and(|entry| entry.filled)
}

/// The value of `entry` (read from storage), if it exists and is filled.
pub fn filled_value<T>(entry: Option<Reserved<T>>) -> Option<T> {
    entry.and_then(Reserved::into_value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{auction::Trade, bill::Bill, book::Fill, AccountId};
    use scale::Encode;

    #[test]
    fn an_entry_has_the_same_size_empty_and_filled() {
        let bill = Bill {
            p2p_bought_wh: 1,
            grid_paid: u128::MAX,
            ..Bill::default()
        };
        assert_eq!(
            Reserved::empty(Bill::default()).encode().len(),
            Reserved::filled(bill).encode().len()
        );
        let price: Option<u128> = Some(7);
        assert_eq!(
            Reserved::empty(Some(0u128)).encode().len(),
            Reserved::filled(price).encode().len()
        );
        // Fixed-size types need no wrapper: their default is their placeholder.
        let trade = Trade {
            seller: AccountId::from([1; 32]),
            buyer: AccountId::from([2; 32]),
            distance: 3,
            energy_wh: u64::MAX,
            price: u128::MAX,
            payment: 5,
            fee: 6,
        };
        assert_eq!(trade.encode().len(), Trade::placeholder().encode().len());
        let fill = Fill {
            matched_wh: 9,
            value: 8,
            fees: 7,
        };
        assert_eq!(fill.encode().len(), Fill::default().encode().len());
    }

    #[test]
    fn only_a_filled_entry_has_a_value() {
        assert_eq!(Reserved::empty(0u32).into_value(), None);
        assert_eq!(Reserved::filled(4u32).into_value(), Some(4));
        assert!(!is_filled::<u32>(None));
        assert!(!is_filled(Some(Reserved::empty(0u32))));
        assert!(is_filled(Some(Reserved::filled(0u32))));
        assert_eq!(filled_value(Some(Reserved::filled(3u8))), Some(3));
        assert_eq!(filled_value(Some(Reserved::empty(3u8))), None);
    }
}
