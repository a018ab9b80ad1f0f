//! The three market contracts, deployed from their built bundles into drink's in-process
//! runtime, behind typed calls.
//!
//! Arguments are SCALE-encoded through the contracts' own call builders (so a signature change
//! breaks the build, not a test at run time) and results decode into the contracts' own types.
//! Calls go straight to the sandbox, without drink's `Session`, whose call record grows with
//! every call: a year-long simulation would hold it all.

mod bundles;
mod community;
mod events;
mod messages;
mod sandbox;

pub use bundles::Bundles;
pub use community::{Community, Home};
pub use events::{MarketEvent, Outcome};
pub use messages::{MainCalls, MainOutcome, P2gCalls};
pub use sandbox::{MarketSandbox, Message};

use std::path::PathBuf;

use drink::AccountId32;
use ink::primitives::AccountId;

pub use drink;

/// Balance minted to every actor: plenty for storage deposits.
const ACTOR_FUNDS: u128 = 1_000_000_000_000_000;

/// What can go wrong driving the sandbox (not the contracts' own typed errors).
#[derive(Debug)]
pub enum HarnessError {
    /// A `.contract` bundle is missing or unreadable.
    Bundle(PathBuf, String),
    /// The pallet refused to upload or instantiate.
    Deploy(String),
    /// The pallet refused the call before the contract ran (gas, funds, no contract).
    Dispatch(String),
    /// The contract trapped or returned bytes that do not decode.
    Decode(String),
    /// main refused a setup call of [`Community::deploy`] (what, and main's error).
    Refused(String, main::Error),
}

impl std::fmt::Display for HarnessError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HarnessError::Bundle(path, why) => write!(
                f,
                "cannot load {}: {why} (build the contracts with scripts/build-contracts.sh)",
                path.display()
            ),
            HarnessError::Deploy(why) => write!(f, "deployment failed: {why}"),
            HarnessError::Dispatch(why) => write!(f, "call dispatch failed: {why}"),
            HarnessError::Decode(why) => write!(f, "cannot decode the call's output: {why}"),
            HarnessError::Refused(what, error) => write!(f, "{what} refused: {error:?}"),
        }
    }
}

impl std::error::Error for HarnessError {}

/// An ink! account id as the sandbox's account id.
pub fn chain_account(account: &AccountId) -> AccountId32 {
    AccountId32::new(*account.as_ref())
}

/// A sandbox account id as ink!'s account id.
pub fn ink_account(account: &AccountId32) -> AccountId {
    AccountId::from(*<AccountId32 as AsRef<[u8; 32]>>::as_ref(account))
}

/// The `n`-th test actor: `[n; 32]` (1 is the sandbox's funded default account).
pub fn actor(n: u8) -> AccountId {
    AccountId::from([n; 32])
}
