//! The compiled contracts, loaded from the bundles cargo-contract writes.

use std::path::{Path, PathBuf};

use drink::session::ContractBundle;
use ink::primitives::Hash;

use crate::HarnessError;

/// The compiled contracts: `<dir>/<name>/<name>.contract` as cargo-contract writes them.
pub struct Bundles {
    /// main's bundle.
    pub main: ContractBundle,
    /// p2p's bundle.
    pub p2p: ContractBundle,
    /// p2g's bundle.
    pub p2g: ContractBundle,
}

impl Bundles {
    /// Where the bundles are looked for: `$MARKET_BUNDLE_DIR`, else `$CARGO_TARGET_DIR/ink`,
    /// else the workspace's `target/ink`.
    pub fn default_dir() -> PathBuf {
        if let Some(dir) = std::env::var_os("MARKET_BUNDLE_DIR") {
            return dir.into();
        }
        if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
            return PathBuf::from(target).join("ink");
        }
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/ink")
    }

    /// Loads the three bundles from `dir`.
    ///
    /// # Errors
    /// [`HarnessError::Bundle`] naming the first bundle that is missing or unreadable.
    pub fn load(dir: &Path) -> Result<Self, HarnessError> {
        let load = |name: &str| {
            let path = dir.join(name).join(format!("{name}.contract"));
            ContractBundle::load(&path)
                .map_err(|error| HarnessError::Bundle(path, format!("{error:?}")))
        };
        Ok(Self {
            main: load("main")?,
            p2p: load("p2p")?,
            p2g: load("p2g")?,
        })
    }
}

impl Bundles {
    /// The code hashes of the three bundles' Wasm (BLAKE2b-256), as `main.code_hashes()` must
    /// answer them for a genuine deployment.
    pub fn code_hashes(&self) -> main::CodeHashes {
        let hash = |bundle: &ContractBundle| {
            let mut out = [0u8; 32];
            ink::env::hash_bytes::<ink::env::hash::Blake2x256>(&bundle.wasm, &mut out);
            Hash::from(out)
        };
        main::CodeHashes {
            main: hash(&self.main),
            p2p: hash(&self.p2p),
            p2g: hash(&self.p2g),
        }
    }
}
