//! [`DrinkEngine`]: the scenario through the three real contracts in drink's runtime.

use std::collections::{BTreeMap, HashMap};

use anyhow::{bail, Context};
use ink::primitives::AccountId;
use market::{
    hour_of,
    metering::{Reading, MAX_SETTLEMENTS_PER_CALL},
    Bill, EnergyWh, MarketConfig, MonthKey, PricePerKwh, Side, Timing,
};
use market_drink::{actor, Bundles, Community, Home, MarketEvent, MarketSandbox};

use super::{
    home_account, offer_deposit, Cleared, Engine, Money, OfferSpec, OnChainCost, SealingCost,
    GRID_DEPOSIT,
};

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
    on_chain: OnChainCost,
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
            on_chain: OnChainCost::default(),
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
            let commitment = market::seal::commitment(
                &market.main_address(),
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
                // The homes are registered with the default connection.
                market::Capacity::DEFAULT.import_wh,
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
    fn clear_interval(
        &mut self,
        interval: u64,
        offers: &[OfferSpec],
        readings: Option<&[Reading]>,
    ) -> anyhow::Result<Cleared> {
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
            let deposit = offer_deposit(&self.config, hour_of(start), offer)?;
            let placed = match offer.side {
                Side::Sell => {
                    let ask = offer.ask.context("a sell offer needs an ask")?;
                    self.market.tx_paying(account, deposit, |main| {
                        main.sell(interval, offer.energy_wh, ask)
                    })?
                }
                Side::Buy => self.market.tx_paying(account, deposit, |main| {
                    main.buy(interval, offer.energy_wh, None)
                })?,
            };
            self.calls += 1;
            ref_time += placed.weight.ref_time();
            self.on_chain.offers += 1;
            self.on_chain.offer_ref_time += placed.weight.ref_time();
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
        self.on_chain.closes += 1;
        self.on_chain.close_steps += u64::from(closed.steps);
        self.on_chain.close_ref_time += closed.weight.ref_time();
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

        // In a metered market the operator, the metering operator, submits every reading right
        // after the close, in batches.
        let mut events = closed.events;
        if let Some(readings) = readings {
            let entries: Vec<(AccountId, Reading)> = offers
                .iter()
                .zip(readings)
                .map(|(offer, reading)| (home_account(offer.home), *reading))
                .collect();
            for batch in entries.chunks(MAX_SETTLEMENTS_PER_CALL as usize) {
                let metered = self.market.tx(self.operator, |main| {
                    main.submit_readings(interval, batch.to_vec())
                })?;
                self.calls += 1;
                self.on_chain.reading_calls += 1;
                self.on_chain.reading_ref_time += metered.weight.ref_time();
                metered
                    .value
                    .map_err(|e| anyhow::anyhow!("interval {interval}: readings refused: {e:?}"))?;
                events.extend(metered.events);
            }
        }

        // Each offer's bill from the trades, grid settlements and imbalances the contracts
        // emitted.
        let index: HashMap<AccountId, usize> = offers
            .iter()
            .enumerate()
            .map(|(i, o)| (home_account(o.home), i))
            .collect();
        let mut bills = vec![Bill::default(); offers.len()];
        for event in &events {
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
                MarketEvent::ImbalanceSettled(settled) => {
                    let bill = &mut bills[index[&settled.account]];
                    bill.imbalance_short_wh += settled.short_wh;
                    bill.imbalance_paid += settled.charge;
                    bill.imbalance_long_wh += settled.long_wh;
                    bill.imbalance_earned += settled.credit;
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

    fn on_chain_cost(&self) -> Option<OnChainCost> {
        Some(self.on_chain)
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
