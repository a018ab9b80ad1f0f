//! [`NativeEngine`]: the scenario through the shared `market` crate alone.

use anyhow::Context;
use ink::primitives::AccountId;
use market::{
    clear, grid_settlement, hour_of, metering::Reading, Batch, MarketConfig, MemoryVault, Offer,
    Position, Timing, Treasury, Vault,
};
use market_drink::actor;

use super::{home_account, offer_deposit, Cleared, Engine, Money, OfferSpec, GRID_DEPOSIT};

/// The market crate alone.
pub struct NativeEngine {
    config: MarketConfig,
    timing: Timing,
    areas: Vec<u8>,
    p2p: bool,
    /// The money, as p2g keeps it.
    treasury: Treasury,
    vault: MemoryVault,
    operator: AccountId,
}

impl NativeEngine {
    /// A market for homes in `areas`, starting at `start_ms`, with the grid deposit funded as
    /// the drink engine funds it; `p2p: false` settles every offer with the grid (the
    /// baselines).
    ///
    /// # Errors
    /// None in practice: funding a fresh treasury cannot fail.
    pub fn new(
        config: MarketConfig,
        start_ms: u64,
        areas: Vec<u8>,
        p2p: bool,
    ) -> anyhow::Result<Self> {
        let timing = Timing {
            start_ms,
            interval_ms: config.interval_ms,
        };
        let mut treasury = Treasury::new();
        let mut vault = MemoryVault::default();
        treasury
            .fund_grid(&mut vault, GRID_DEPOSIT)
            .context("funding the grid deposit")?;
        Ok(Self {
            config,
            timing,
            areas,
            p2p,
            treasury,
            vault,
            operator: actor(1),
        })
    }
}

impl Engine for NativeEngine {
    fn clear_interval(
        &mut self,
        interval: u64,
        offers: &[OfferSpec],
        readings: Option<&[Reading]>,
    ) -> anyhow::Result<Cleared> {
        let hour = hour_of(
            self.timing
                .start_of(interval)
                .map_err(|e| anyhow::anyhow!("{e:?}"))?,
        );
        let metering = match readings {
            Some(readings) => {
                anyhow::ensure!(readings.len() == offers.len(), "one reading per offer");
                Some(
                    self.config
                        .metering
                        .context("readings in a market without metering")?,
                )
            }
            None => None,
        };
        // Each offer escrows what main asks of it: a buy its cover, in a metered market every
        // offer its imbalance bond (p2g then escrows even a zero deposit); an unmetered sell
        // carries none.
        for offer in offers {
            let deposit = offer_deposit(&self.config, hour, offer)?;
            if deposit > 0 || metering.is_some() {
                self.treasury
                    .escrow(
                        &mut self.vault,
                        interval,
                        home_account(offer.home),
                        deposit,
                        None,
                        self.config.limits.max_offers,
                    )
                    .with_context(|| {
                        format!(
                            "interval {interval}: deposit of home {} refused",
                            offer.home
                        )
                    })?;
            }
        }
        let grid_price = self
            .config
            .tariff
            .grid_price(hour)
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let book: Vec<Offer> = offers
            .iter()
            .map(|offer| Offer {
                account: home_account(offer.home),
                area: self.areas[offer.home],
                side: offer.side,
                energy_wh: offer.energy_wh,
                price: offer.ask.unwrap_or(grid_price),
            })
            .collect();
        let (price, p2p_wh, positions) = if self.p2p {
            let clearing = clear(&book, &self.config.auction)
                .map_err(|e| anyhow::anyhow!("clearing: {e:?}"))?;
            (clearing.price, clearing.volume_wh, clearing.positions)
        } else {
            // No P2P market: every offer is a residual for the grid.
            (None, 0, book.iter().map(Position::unmatched).collect())
        };
        let settlement = grid_settlement(&positions, price, hour, &self.config.tariff)
            .map_err(|e| anyhow::anyhow!("settlement: {e:?}"))?;
        // Every bill charged to its deposit in one batch, as p2g does; the bill as charged
        // (cut to the deposit, which with an unchanged configuration never happens).
        let mut batch = Batch::default();
        let mut bills = Vec::with_capacity(settlement.bills.len());
        let hold = metering.is_some();
        for (account, bill) in settlement.bills {
            let charged = self
                .treasury
                .charge(&mut self.vault, &mut batch, interval, account, bill, hold)
                .with_context(|| format!("interval {interval}: charging a bill"))?;
            bills.push(charged);
        }
        self.treasury
            .finish_batch(&mut self.vault, batch, self.operator)
            .with_context(|| format!("interval {interval}: crediting the grid operator"))?;
        // The readings after the close, settled one by one as p2g settles them.
        if let (Some(metering), Some(readings)) = (metering, readings) {
            let mut batch = Batch::default();
            for ((offer, reading), bill) in offers.iter().zip(readings).zip(&mut bills) {
                let fail = |e: &dyn std::fmt::Debug| {
                    anyhow::anyhow!(
                        "interval {interval}: home {}'s imbalance: {e:?}",
                        offer.home
                    )
                };
                let cleared = bill.cleared().map_err(|e| fail(&e))?;
                let imbalance = metering
                    .settle(
                        cleared,
                        Some(*reading),
                        settlement.grid_price,
                        settlement.feed_in_price,
                    )
                    .map_err(|e| fail(&e))?;
                let charged = self
                    .treasury
                    .settle_imbalance(
                        &mut self.vault,
                        &mut batch,
                        interval,
                        home_account(offer.home),
                        imbalance,
                    )
                    .map_err(|e| fail(&e))?;
                *bill = bill.with_imbalance(&charged).map_err(|e| fail(&e))?;
            }
            self.treasury
                .finish_batch(&mut self.vault, batch, self.operator)
                .with_context(|| format!("interval {interval}: crediting the imbalances"))?;
        }
        Ok(Cleared {
            price,
            p2p_wh,
            import_wh: settlement.totals.import_wh,
            export_wh: settlement.totals.export_wh,
            bills,
        })
    }

    fn calls(&self) -> u64 {
        0
    }

    fn money(&mut self) -> anyhow::Result<Option<Money>> {
        Ok(Some(Money {
            credits: (0..self.areas.len())
                .map(|home| self.vault.credit(&home_account(home)))
                .collect(),
            operator: self.vault.credit(&self.operator),
            grid_deposit: self.treasury.ledger.grid_deposit,
        }))
    }
}
