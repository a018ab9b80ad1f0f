//! One setup for every user of the sandbox: deploy the market, fund the grid deposit, fund
//! and register the homes.

use ink::primitives::AccountId;
use market::{AreaId, Balance, Capacity, MarketConfig};

use crate::{Bundles, HarnessError, MarketSandbox};

/// A home of a [`Community`]: its account, area and connection (`None`: the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Home {
    /// The home's account.
    pub account: AccountId,
    /// Its area tag.
    pub area: AreaId,
    /// Its grid connection.
    pub capacity: Option<Capacity>,
}

impl Home {
    /// A home in `area` with the default connection.
    pub fn new(account: AccountId, area: AreaId) -> Self {
        Self {
            account,
            area,
            capacity: None,
        }
    }
}

/// A market and its community: who operates it, from when, its homes and the grid deposit.
/// [`Community::deploy`] is the one setup the simulator, the drink tests, the bench runner and
/// the demo share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Community {
    /// The operator: instantiates main, funds the grid deposit and registers the homes.
    pub operator: AccountId,
    /// The block time of the deployment, ms.
    pub start_ms: u64,
    /// The homes, registered in this order.
    pub homes: Vec<Home>,
    /// Put in the grid deposit before anything else (nothing if zero).
    pub grid_funds: Balance,
}

impl Community {
    /// Deploys the market with `config`, funds the grid deposit with `grid_funds`, then gives
    /// every home funds for storage deposits and registers it.
    ///
    /// # Errors
    /// [`HarnessError::Refused`] if main refuses a funding or a registration, and those of
    /// [`MarketSandbox::deploy`].
    pub fn deploy(
        &self,
        bundles: &Bundles,
        config: &MarketConfig,
    ) -> Result<MarketSandbox, HarnessError> {
        let mut market = MarketSandbox::deploy(bundles, config, self.operator, self.start_ms)?;
        if self.grid_funds > 0 {
            market
                .tx_paying(self.operator, self.grid_funds, |main| main.fund_grid())?
                .value
                .map_err(|error| HarnessError::Refused("funding the grid deposit".into(), error))?;
        }
        for home in &self.homes {
            market.fund(home.account)?;
            market
                .tx(self.operator, |main| {
                    main.register(home.account, home.area, home.capacity)
                })?
                .value
                .map_err(|error| {
                    HarnessError::Refused(format!("registering {:?}", home.account), error)
                })?;
        }
        Ok(market)
    }
}
