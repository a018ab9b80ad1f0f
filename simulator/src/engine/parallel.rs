//! [`ParallelDrink`]: the real contracts on several cores, every interval checked against the
//! market crate.
//!
//! A run is sequential: an adaptive seller's next ask depends on its last bill. So the run is
//! driven by the [`NativeEngine`] (the market crate, microseconds per interval), and every
//! interval is replayed on the real contracts, in one of `jobs` drink sandboxes on their own
//! threads, whose bills, price and volumes must equal the native ones exactly; the first
//! difference stops the run with both outcomes. Day `d` goes to sandbox `d mod jobs`, so each
//! sandbox sees its intervals in increasing order, as a chain would, and holds about
//! `1 / jobs` of the run's storage. At the end every sandbox checks its monthly bills
//! ([`DrinkEngine::finish`]) and the sandboxes' money, summed, must equal the native
//! treasury's.
//!
//! What differs from one sandbox ([`DrinkEngine`] alone): the market's state is split across
//! `jobs` deployments, each with its own grid deposit, so a query of one of them sees only its
//! days. The rules, offers and outcomes are the same, and the equality is checked, not
//! assumed.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use anyhow::{bail, Context};
use market::{metering::Reading, MarketConfig};
use market_drink::Bundles;

use super::{
    Cleared, DrinkEngine, Engine, Money, NativeEngine, OfferSpec, OnChainCost, SealingCost,
    GRID_DEPOSIT,
};

/// Intervals queued per sandbox before the driver waits: bounds the memory of a driver that
/// runs ahead.
const QUEUE: usize = 48;

/// One interval for a sandbox to replay, with the outcome it must reproduce.
struct Job {
    interval: u64,
    offers: Vec<OfferSpec>,
    readings: Option<Vec<Reading>>,
    expected: Cleared,
}

/// What a sandbox reports when its queue closes.
struct Report {
    calls: u64,
    on_chain: OnChainCost,
    sealing_cost: Option<SealingCost>,
    money: Option<Money>,
}

struct Worker {
    jobs: Option<SyncSender<Job>>,
    handle: Option<JoinHandle<anyhow::Result<Report>>>,
}

/// The market crate drives; `jobs` drink sandboxes replay and check every interval.
pub struct ParallelDrink {
    native: NativeEngine,
    workers: Vec<Worker>,
    intervals_per_day: u64,
    finished: Option<Finished>,
}

/// The sandboxes' summed figures, once they have all finished.
struct Finished {
    calls: u64,
    on_chain: OnChainCost,
    sealing_cost: Option<SealingCost>,
}

impl ParallelDrink {
    /// Starts `jobs` sandboxes (at least one), each deploying `bundles` with `config` at
    /// `start_ms` and registering the homes of `areas`.
    ///
    /// # Errors
    /// A thread that cannot start, or the native engine's funding.
    pub fn new(
        bundles: &Bundles,
        config: &MarketConfig,
        start_ms: u64,
        areas: &[u8],
        jobs: usize,
    ) -> anyhow::Result<Self> {
        let native = NativeEngine::new(config.clone(), start_ms, areas.to_vec(), true)?;
        Self::checked_against(native, bundles, config, start_ms, areas, jobs)
    }

    /// As [`ParallelDrink::new`], driven by `native` (which [`ParallelDrink::new`] makes from
    /// the same `config`; another one shows that a difference stops the run).
    ///
    /// # Errors
    /// A thread that cannot start.
    pub fn checked_against(
        native: NativeEngine,
        bundles: &Bundles,
        config: &MarketConfig,
        start_ms: u64,
        areas: &[u8],
        jobs: usize,
    ) -> anyhow::Result<Self> {
        let workers = (0..jobs.max(1))
            .map(|index| {
                let (sender, receiver) = sync_channel(QUEUE);
                let bundles = Bundles {
                    main: bundles.main.clone(),
                    p2p: bundles.p2p.clone(),
                    p2g: bundles.p2g.clone(),
                };
                let (config, areas) = (config.clone(), areas.to_vec());
                let handle = std::thread::Builder::new()
                    .name(format!("drink-{index}"))
                    .spawn(move || replay(&bundles, &config, start_ms, &areas, &receiver))
                    .context("starting a drink sandbox thread")?;
                Ok(Worker {
                    jobs: Some(sender),
                    handle: Some(handle),
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Self {
            native,
            workers,
            intervals_per_day: (86_400_000 / config.interval_ms).max(1),
            finished: None,
        })
    }

    /// Closes every queue and collects the sandboxes' reports (the first error, if any).
    fn join(&mut self) -> anyhow::Result<Vec<Report>> {
        for worker in &mut self.workers {
            worker.jobs = None;
        }
        let mut reports = Vec::new();
        for (index, worker) in self.workers.iter_mut().enumerate() {
            let Some(handle) = worker.handle.take() else {
                bail!("drink sandbox {index} already stopped");
            };
            let report = handle
                .join()
                .map_err(|_| anyhow::anyhow!("drink sandbox {index} panicked"))?
                .with_context(|| format!("drink sandbox {index}"))?;
            reports.push(report);
        }
        Ok(reports)
    }
}

/// A sandbox's thread: deploys, replays its intervals and checks each outcome, then checks its
/// monthly bills and reports its calls, weights and money.
fn replay(
    bundles: &Bundles,
    config: &MarketConfig,
    start_ms: u64,
    areas: &[u8],
    jobs: &Receiver<Job>,
) -> anyhow::Result<Report> {
    let mut drink = DrinkEngine::new(bundles, config, start_ms, areas)?;
    for job in jobs {
        let cleared = drink.clear_interval(job.interval, &job.offers, job.readings.as_deref())?;
        if cleared != job.expected {
            bail!(
                "interval {}: the contracts cleared {cleared:?}, the market crate {:?}",
                job.interval,
                job.expected
            );
        }
    }
    drink.finish()?;
    Ok(Report {
        calls: drink.calls(),
        on_chain: drink.on_chain_cost().unwrap_or_default(),
        sealing_cost: drink.sealing_cost(),
        money: drink.money()?,
    })
}

impl Engine for ParallelDrink {
    fn clear_interval(
        &mut self,
        interval: u64,
        offers: &[OfferSpec],
        readings: Option<&[Reading]>,
    ) -> anyhow::Result<Cleared> {
        let expected = self.native.clear_interval(interval, offers, readings)?;
        let day = interval / self.intervals_per_day;
        let index = usize::try_from(day % self.workers.len() as u64)?;
        let job = Job {
            interval,
            offers: offers.to_vec(),
            readings: readings.map(<[Reading]>::to_vec),
            expected: expected.clone(),
        };
        let sent = self.workers[index]
            .jobs
            .as_ref()
            .map(|jobs| jobs.send(job).is_ok());
        if sent != Some(true) {
            // The sandbox stopped: its error says why.
            self.join()?;
            bail!("drink sandbox {index} stopped without an error");
        }
        Ok(expected)
    }

    fn calls(&self) -> u64 {
        self.finished.as_ref().map_or(0, |f| f.calls)
    }

    fn sealing_cost(&self) -> Option<SealingCost> {
        self.finished.as_ref().and_then(|f| f.sealing_cost.clone())
    }

    fn on_chain_cost(&self) -> Option<OnChainCost> {
        self.finished.as_ref().map(|f| f.on_chain)
    }

    fn money(&mut self) -> anyhow::Result<Option<Money>> {
        self.native.money()
    }

    fn finish(&mut self) -> anyhow::Result<()> {
        let reports = self.join()?;
        let native = self
            .native
            .money()?
            .context("the native engine keeps the money")?;
        // Each sandbox funded its own grid deposit: their sum holds `jobs - 1` more of them.
        let mut summed = Money {
            credits: vec![0; native.credits.len()],
            operator: 0,
            grid_deposit: 0,
        };
        let mut finished = Finished {
            calls: 0,
            on_chain: OnChainCost::default(),
            sealing_cost: None,
        };
        for report in &reports {
            let money = report.money.as_ref().context("a sandbox keeps the money")?;
            for (sum, credit) in summed.credits.iter_mut().zip(&money.credits) {
                *sum += credit;
            }
            summed.operator += money.operator;
            summed.grid_deposit += money.grid_deposit;
            finished.calls += report.calls;
            let (sum, cost) = (&mut finished.on_chain, &report.on_chain);
            sum.offers += cost.offers;
            sum.offer_ref_time += cost.offer_ref_time;
            sum.closes += cost.closes;
            sum.close_steps += cost.close_steps;
            sum.close_ref_time += cost.close_ref_time;
            sum.reading_calls += cost.reading_calls;
            sum.reading_ref_time += cost.reading_ref_time;
            let earlier = |a: &SealingCost, b: &SealingCost| a.interval < b.interval;
            if let Some(cost) = &report.sealing_cost {
                if finished
                    .sealing_cost
                    .as_ref()
                    .is_none_or(|kept| earlier(cost, kept))
                {
                    finished.sealing_cost = Some(cost.clone());
                }
            }
        }
        let extra = GRID_DEPOSIT * (reports.len() as u128 - 1);
        summed.grid_deposit = summed
            .grid_deposit
            .checked_sub(extra)
            .context("the sandboxes' grid deposits")?;
        if summed != native {
            bail!("the sandboxes' money {summed:?} differs from the market crate's {native:?}");
        }
        self.finished = Some(finished);
        Ok(())
    }
}

impl Drop for ParallelDrink {
    fn drop(&mut self) {
        // A run that failed early: let the threads end instead of blocking on their queues.
        for worker in &mut self.workers {
            worker.jobs = None;
        }
    }
}
