#![cfg_attr(not(feature = "std"), no_std, no_main)]

//! # floor: the benchmarks' yardstick
//!
//! The cheapest message that does something lasting: it writes one storage value. The
//! benchmark divides the market's message weights by this one, so that the ratios say how much
//! the market costs over the bare minimum of a contract call on the same runtime.

#[ink::contract]
mod floor {
    #[ink(storage)]
    #[derive(Default)]
    pub struct Floor {
        /// The one stored value.
        value: u64,
    }

    impl Floor {
        /// Creates the yardstick with a zero value.
        #[ink(constructor)]
        pub fn new() -> Self {
            Self::default()
        }

        /// Writes one storage value.
        #[ink(message)]
        pub fn set(&mut self, value: u64) {
            self.value = value;
        }

        /// Reads the stored value.
        #[ink(message)]
        pub fn get(&self) -> u64 {
            self.value
        }
    }
}
