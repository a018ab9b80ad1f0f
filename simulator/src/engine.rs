//! Where an interval's offers are cleared and settled.
//!
//! - [`DrinkEngine`]: the three real contract bundles in drink's runtime: offers go through
//!   main, main closes the interval, and the bills come back from p2p's and p2g's events (and
//!   are checked against p2g's monthly bills at the end).
//! - [`NativeEngine`]: the same scenario through the shared `market` crate only, the code the
//!   contracts run, without a runtime: clearing, settlement, and the money through
//!   `market::treasury` as p2g runs it (deposits escrowed, bills charged, the grid deposit
//!   paying feed-in). With `p2p: false` it is the baselines' grid: every residual settles with
//!   the tariff, nothing trades between homes.

use std::collections::{BTreeMap, HashMap};

use anyhow::{bail, Context};
use ink::primitives::AccountId;
use market::{
    clear, grid_settlement, hour_of, Balance, Batch, Bill, EnergyWh, MarketConfig, MemoryVault,
    MonthKey, Offer, Position, PricePerKwh, Side, Timing, Treasury, Vault,
};
use market_drink::{actor, Bundles, Community, Home, MarketEvent, MarketSandbox};

/// One home's offer in an interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfferSpec {
    /// Index of the home.
    pub home: usize,
    /// Selling surplus or buying deficit.
    pub side: Side,
    /// Energy, Wh (never zero).
    pub energy_wh: EnergyWh,
    /// The seller's ask; buyers use the default limit (the hour's grid price).
    pub ask: Option<PricePerKwh>,
}

/// What sealing cost, measured once per drink run: the first interval with both sellers and
/// buyers is replayed in a second, sealed market (commit during the interval, reveal after
/// it, close after the reveal window) and compared with the open run's calls for it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SealingCost {
    /// The interval replayed.
    pub interval: u64,
    /// Its offers.
    pub offers: usize,
    /// Contract calls of the open run: one per offer, then the closing steps.
    pub open_calls: u64,
    /// Their ref_time, picoseconds.
    pub open_ref_time: u64,
    /// Contract calls of the sealed replay: a commit and a reveal per offer, then the
    /// closing steps.
    pub sealed_calls: u64,
    /// Their ref_time, picoseconds.
    pub sealed_ref_time: u64,
    /// Whether the sealed replay cleared to the same result.
    pub same_result: bool,
}

/// An interval's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleared {
    /// The uniform P2P price, if energy traded P2P.
    pub price: Option<PricePerKwh>,
    /// Energy traded P2P, Wh.
    pub p2p_wh: EnergyWh,
    /// Community grid import, Wh.
    pub import_wh: EnergyWh,
    /// Community grid export, Wh.
    pub export_wh: EnergyWh,
    /// One bill per offer, in offer order.
    pub bills: Vec<Bill>,
}

/// Clears intervals.
pub trait Engine {
    /// Places the offers of `interval`, closes it and returns its outcome. Intervals come in
    /// increasing order.
    ///
    /// # Errors
    /// Any refusal by the market or the runtime.
    fn clear_interval(&mut self, interval: u64, offers: &[OfferSpec]) -> anyhow::Result<Cleared>;

    /// Contract calls made so far (zero for the native engine).
    fn calls(&self) -> u64;

    /// What sealed offers would have cost, measured once (drink only).
    fn sealing_cost(&self) -> Option<SealingCost> {
        None
    }

    /// Where the money stands after the intervals cleared so far; `None` for an engine that
    /// does not keep it. Queries only: not counted in [`Engine::calls`].
    ///
    /// # Errors
    /// A refused query.
    fn money(&mut self) -> anyhow::Result<Option<Money>> {
        Ok(None)
    }

    /// Checks the engine's own records at the end of a run (drink: the monthly bills in p2g
    /// against the sums of the interval bills this engine reported).
    ///
    /// # Errors
    /// A mismatch.
    fn finish(&mut self) -> anyhow::Result<()> {
        Ok(())
    }
}

/// Where the money stands, balance units: what p2g's ledger and credits say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    /// Each home's credit (its deposits' refunds and its earnings, not withdrawn), by home.
    pub credits: Vec<Balance>,
    /// The grid operator's credit: grid energy and network fees.
    pub operator: Balance,
    /// What is left of the grid deposit that pays feed-in.
    pub grid_deposit: Balance,
}

/// The account of home `index` (actors 1 and 2 are the operator and spare).
pub fn home_account(index: usize) -> AccountId {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&(index as u64 + 16).to_le_bytes());
    bytes[31] = 0xee;
    AccountId::from(bytes)
}

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
    fn clear_interval(&mut self, interval: u64, offers: &[OfferSpec]) -> anyhow::Result<Cleared> {
        let hour = hour_of(
            self.timing
                .start_of(interval)
                .map_err(|e| anyhow::anyhow!("{e:?}"))?,
        );
        // Each buy escrows its cover, as main asks of it; sells carry no deposit.
        for offer in offers.iter().filter(|offer| offer.side == Side::Buy) {
            let deposit = buy_deposit(&self.config, hour, offer.energy_wh)?;
            if deposit > 0 {
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
        for (account, bill) in settlement.bills {
            let charged = self
                .treasury
                .charge(&mut self.vault, &mut batch, interval, account, bill)
                .with_context(|| format!("interval {interval}: charging a bill"))?;
            bills.push(charged);
        }
        self.treasury
            .finish_batch(&mut self.vault, batch, self.operator)
            .with_context(|| format!("interval {interval}: crediting the grid operator"))?;
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

/// What the operator puts in the grid deposit, which pays feed-in: 10^14 units (100 million
/// euro in micro-euro), far more than a community's year of exports.
const GRID_DEPOSIT: u128 = 100_000_000_000_000;

/// The deposit a buy at the grid's price needs in `hour`: main's `buy_deposit`, computed with
/// the shared market crate instead of a query per offer.
fn buy_deposit(config: &MarketConfig, hour: u8, energy_wh: EnergyWh) -> anyhow::Result<u128> {
    market::deposits::buy_cover(config, hour, energy_wh, None)
        .map(|(_, deposit)| deposit)
        .map_err(|e| anyhow::anyhow!("{e:?}"))
}

/// Deploys the contracts with `config` at `start_ms`, funds the grid deposit, and funds and
/// registers one account per home in its area.
fn community(
    bundles: &Bundles,
    config: &MarketConfig,
    operator: AccountId,
    start_ms: u64,
    areas: &[u8],
) -> anyhow::Result<MarketSandbox> {
    let homes = areas
        .iter()
        .enumerate()
        .map(|(home, area)| Home::new(home_account(home), *area))
        .collect();
    let community = Community {
        operator,
        start_ms,
        homes,
        grid_funds: GRID_DEPOSIT,
    };
    Ok(community.deploy(bundles, config)?)
}

/// The real contracts in drink.
pub struct DrinkEngine {
    market: MarketSandbox,
    config: MarketConfig,
    bundles: Bundles,
    areas: Vec<u8>,
    sealing_cost: Option<SealingCost>,
    timing: Timing,
    operator: AccountId,
    calls: u64,
    /// Sums of the bills this engine reported, per home and month, checked in `finish`.
    monthly: BTreeMap<(usize, MonthKey), Bill>,
    homes: usize,
}

impl DrinkEngine {
    /// Deploys the bundles with `config` at `start_ms` and registers one account per home.
    ///
    /// # Errors
    /// Missing bundles, a refused deployment or registration.
    pub fn new(
        bundles: &Bundles,
        config: &MarketConfig,
        start_ms: u64,
        areas: &[u8],
    ) -> anyhow::Result<Self> {
        let operator = actor(1);
        let mut market = community(bundles, config, operator, start_ms, areas)?;
        // The deployment, the grid's funding, one registration per home and `timing`.
        let calls = 3 + areas.len() as u64;
        let timing = market.read(|main| main.timing())?;
        if timing.start_ms != start_ms {
            bail!(
                "the data must start on an interval boundary (market start {} vs data {start_ms})",
                timing.start_ms
            );
        }
        Ok(Self {
            market,
            config: config.clone(),
            bundles: Bundles {
                main: bundles.main.clone(),
                p2p: bundles.p2p.clone(),
                p2g: bundles.p2g.clone(),
            },
            areas: areas.to_vec(),
            sealing_cost: None,
            timing,
            operator,
            calls,
            monthly: BTreeMap::new(),
            homes: areas.len(),
        })
    }
}

/// An interval's price, P2P volume, grid import and export.
type Outcome = (Option<PricePerKwh>, EnergyWh, EnergyWh, EnergyWh);

impl DrinkEngine {
    /// Replays one interval's offers in a fresh sealed market (`Sealing::DEFAULT`): commits in
    /// the interval, reveals after it, closes after the reveal window. Returns its calls, their
    /// ref_time and the interval's price, P2P volume, grid import and export.
    fn replay_sealed(
        &mut self,
        interval: u64,
        offers: &[OfferSpec],
    ) -> anyhow::Result<(u64, u64, Outcome)> {
        let sealing = market::Sealing::DEFAULT;
        let config = MarketConfig {
            sealing: Some(sealing),
            ..self.config.clone()
        };
        let fail =
            |what: &str, e: &dyn std::fmt::Debug| anyhow::anyhow!("sealed replay, {what}: {e:?}");
        let mut market = community(
            &self.bundles,
            &config,
            self.operator,
            self.timing.start_ms,
            &self.areas,
        )?;
        let start = self
            .timing
            .start_of(interval)
            .map_err(|e| fail("time", &e))?;
        let end = self
            .timing
            .start_of(interval + 1)
            .map_err(|e| fail("time", &e))?;
        let grid_price = config
            .tariff
            .grid_price(hour_of(start))
            .map_err(|e| fail("tariff", &e))?;
        let sealed: Vec<_> = offers
            .iter()
            .map(|offer| {
                let price = offer.ask.unwrap_or(grid_price);
                let salt = [u8::try_from(offer.home % 256).unwrap_or(0); 32];
                (offer, price, salt)
            })
            .collect();
        let (mut calls, mut ref_time) = (0u64, 0u64);
        market.set_time(start);
        for (offer, price, salt) in &sealed {
            let account = home_account(offer.home);
            let commitment = market.commitment(
                &account,
                interval,
                offer.side,
                offer.energy_wh,
                *price,
                salt,
            );
            // What the reveal will need: the bond, and for a buy its cover.
            let deposit = market::deposits::sealed_deposit(
                &config,
                hour_of(start),
                offer.side,
                offer.energy_wh,
                *price,
            )
            .map_err(|e| fail("deposit", &e))?
            .unwrap_or(sealing.penalty);
            let committed =
                market.tx_paying(account, deposit, |main| main.commit(interval, commitment))?;
            committed.value.map_err(|e| fail("commit", &e))?;
            calls += 1;
            ref_time += committed.weight.ref_time();
        }
        market.set_time(end);
        for (offer, price, salt) in &sealed {
            let account = home_account(offer.home);
            let revealed = market.tx(account, |main| {
                main.reveal(interval, offer.side, offer.energy_wh, *price, *salt)
            })?;
            revealed.value.map_err(|e| fail("reveal", &e))?;
            calls += 1;
            ref_time += revealed.weight.ref_time();
        }
        market.set_time(end + sealing.reveal_ms);
        let closed = market.close_interval(self.operator, interval)?;
        calls += u64::from(closed.steps);
        ref_time += closed.weight.ref_time();
        let result = closed.value.map_err(|e| fail("close", &e))?;
        Ok((
            calls,
            ref_time,
            (
                result.price,
                result.p2p_volume_wh,
                result.grid_import_wh,
                result.grid_export_wh,
            ),
        ))
    }
}

impl Engine for DrinkEngine {
    fn clear_interval(&mut self, interval: u64, offers: &[OfferSpec]) -> anyhow::Result<Cleared> {
        let start = self
            .timing
            .start_of(interval)
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let end = self
            .timing
            .start_of(interval + 1)
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        self.market.set_time(start);
        let mut ref_time = 0;
        for offer in offers {
            let account = home_account(offer.home);
            let placed = match offer.side {
                Side::Sell => {
                    let ask = offer.ask.context("a sell offer needs an ask")?;
                    self.market
                        .tx(account, |main| main.sell(interval, offer.energy_wh, ask))?
                }
                Side::Buy => {
                    let deposit = buy_deposit(&self.config, hour_of(start), offer.energy_wh)?;
                    self.market.tx_paying(account, deposit, |main| {
                        main.buy(interval, offer.energy_wh, None)
                    })?
                }
            };
            self.calls += 1;
            ref_time += placed.weight.ref_time();
            placed.value.map_err(|e| {
                anyhow::anyhow!(
                    "interval {interval}: offer of home {} refused: {e:?}",
                    offer.home
                )
            })?;
        }
        self.market.set_time(end);
        let closed = self.market.close_interval(self.operator, interval)?;
        self.calls += u64::from(closed.steps);
        let result = closed
            .value
            .clone()
            .map_err(|e| anyhow::anyhow!("closing interval {interval}: {e:?}"))?;
        let both_sides = offers.iter().any(|o| o.side == Side::Sell)
            && offers.iter().any(|o| o.side == Side::Buy);
        if self.sealing_cost.is_none() && both_sides {
            let open_calls = offers.len() as u64 + u64::from(closed.steps);
            let open_ref_time = ref_time + closed.weight.ref_time();
            let (sealed_calls, sealed_ref_time, sealed_result) =
                self.replay_sealed(interval, offers)?;
            self.sealing_cost = Some(SealingCost {
                interval,
                offers: offers.len(),
                open_calls,
                open_ref_time,
                sealed_calls,
                sealed_ref_time,
                same_result: sealed_result
                    == (
                        result.price,
                        result.p2p_volume_wh,
                        result.grid_import_wh,
                        result.grid_export_wh,
                    ),
            });
        }

        // Each offer's bill from the trades and grid settlements the contracts emitted.
        let index: HashMap<AccountId, usize> = offers
            .iter()
            .enumerate()
            .map(|(i, o)| (home_account(o.home), i))
            .collect();
        let mut bills = vec![Bill::default(); offers.len()];
        for event in &closed.events {
            match event {
                MarketEvent::TradeExecuted(trade) => {
                    let seller = &mut bills[index[&trade.seller]];
                    seller.p2p_sold_wh += trade.energy_wh;
                    seller.p2p_earned += trade.payment;
                    let buyer = &mut bills[index[&trade.buyer]];
                    buyer.p2p_bought_wh += trade.energy_wh;
                    buyer.p2p_paid += trade.payment;
                    buyer.fees_paid += trade.fee;
                }
                MarketEvent::GridSettled(grid) => {
                    let bill = &mut bills[index[&grid.account]];
                    bill.grid_bought_wh += grid.bought_wh;
                    bill.grid_paid += grid.paid;
                    bill.grid_sold_wh += grid.sold_wh;
                    bill.grid_earned += grid.earned;
                }
                _ => {}
            }
        }
        let month = market::month_of(start);
        for (offer, bill) in offers.iter().zip(&bills) {
            let sum = self.monthly.entry((offer.home, month)).or_default();
            *sum = sum
                .checked_add(bill)
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        }
        Ok(Cleared {
            price: result.price,
            p2p_wh: result.p2p_volume_wh,
            import_wh: result.grid_import_wh,
            export_wh: result.grid_export_wh,
            bills,
        })
    }

    fn calls(&self) -> u64 {
        self.calls
    }

    fn sealing_cost(&self) -> Option<SealingCost> {
        self.sealing_cost.clone()
    }

    fn money(&mut self) -> anyhow::Result<Option<Money>> {
        let credits = (0..self.homes)
            .map(|home| self.market.read(|main| main.credit_of(home_account(home))))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(Money {
            credits,
            operator: self.market.read(|main| main.credit_of(self.operator))?,
            grid_deposit: self.market.read_p2g(|p2g| p2g.ledger())?.grid_deposit,
        }))
    }

    fn finish(&mut self) -> anyhow::Result<()> {
        let months: std::collections::BTreeSet<MonthKey> =
            self.monthly.keys().map(|(_, m)| *m).collect();
        for home in 0..self.homes {
            for month in &months {
                let from_chain = self
                    .market
                    .read(|main| main.monthly_bill(home_account(home), *month))?;
                self.calls += 1;
                let reported = self.monthly.get(&(home, *month));
                if from_chain.as_ref() != reported {
                    bail!("home {home}, month {month}: p2g's bill {from_chain:?} differs from the interval bills {reported:?}");
                }
            }
        }
        Ok(())
    }
}
