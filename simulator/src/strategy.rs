//! How sellers choose their asks ([`AskStrategy`]), with the state an adaptive rule keeps per
//! seller. Every random choice comes from one seeded [`SplitMix64`], drawn in home order, so a
//! seed gives the same run on every machine and on both engines.

use market::{Bill, FeedInRule, PricePerKwh, Tariff};

use crate::scenario::AskStrategy;

/// A small deterministic generator (SplitMix64): a seed gives the same run on every machine.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `[0, 1)` with 53 random bits.
    pub fn next_unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// One seller's modified Roth-Erev learner: a propensity per ask level.
#[derive(Debug, Clone, PartialEq)]
pub struct RothErev {
    propensities: Vec<f64>,
    chosen: Option<usize>,
}

impl RothErev {
    /// Every level equally likely (propensity 1).
    pub fn new(levels: u32) -> Self {
        Self {
            propensities: vec![1.0; levels as usize],
            chosen: None,
        }
    }

    /// Draws a level with probability proportional to its propensity.
    fn choose(&mut self, rng: &mut SplitMix64) -> usize {
        let total: f64 = self.propensities.iter().sum();
        let mut draw = rng.next_unit() * total;
        let last = self.propensities.len() - 1;
        let level = self
            .propensities
            .iter()
            .position(|&q| {
                draw -= q;
                draw < 0.0
            })
            .unwrap_or(last);
        self.chosen = Some(level);
        level
    }

    /// The modified Roth-Erev update after the chosen level earned `reward` (0 to 1).
    fn learn(&mut self, reward: f64, recency: f64, experimentation: f64) {
        let Some(chosen) = self.chosen.take() else {
            return;
        };
        let others = (self.propensities.len() - 1).max(1) as f64;
        for (level, q) in self.propensities.iter_mut().enumerate() {
            let gain = if level == chosen {
                reward * (1.0 - experimentation)
            } else {
                *q * experimentation / others
            };
            *q = (1.0 - recency) * *q + gain;
        }
    }

    /// The propensities, for reports and tests.
    pub fn propensities(&self) -> &[f64] {
        &self.propensities
    }
}

/// The sellers of a run: the strategy, the generator and each home's learner.
#[derive(Debug, Clone)]
pub struct Sellers {
    strategy: AskStrategy,
    rng: SplitMix64,
    learners: Vec<RothErev>,
}

impl Sellers {
    /// The sellers of `homes` homes under `strategy`, seeded with `seed`.
    pub fn new(strategy: AskStrategy, seed: u64, homes: usize) -> Self {
        let learners = match strategy {
            AskStrategy::RothErev { levels, .. } => vec![RothErev::new(levels); homes],
            _ => Vec::new(),
        };
        Self {
            strategy,
            rng: SplitMix64::new(seed),
            learners,
        }
    }

    /// `home`'s ask in an interval whose grid price is `grid_price`.
    pub fn ask(&mut self, home: usize, tariff: &Tariff, grid_price: PricePerKwh) -> PricePerKwh {
        let (min, max) = (tariff.min_price, tariff.max_price);
        match self.strategy {
            AskStrategy::ZeroIntelligence => {
                min + u128::from(self.rng.next_u64()) % (max - min + 1)
            }
            AskStrategy::Truthful => match tariff.feed_in {
                FeedInRule::Fixed(price) => price.clamp(min, max),
                FeedInRule::ClearingPriceOrMin => min,
            },
            AskStrategy::GridPrice => grid_price.clamp(min, max),
            AskStrategy::Fixed { price } => u128::from(price),
            AskStrategy::Fraction { fraction } => {
                min + ((max - min) as f64 * fraction).round() as u128
            }
            AskStrategy::RothErev { levels, .. } => {
                let level = self.learners[home].choose(&mut self.rng);
                let steps = u128::from(levels - 1);
                min + (max - min) * level as u128 / steps
            }
        }
    }

    /// Lets `home` learn from the bill of an interval it sold in (adaptive rules only).
    pub fn learn(&mut self, home: usize, bill: &Bill, tariff: &Tariff) {
        let AskStrategy::RothErev {
            recency,
            experimentation,
            ..
        } = self.strategy
        else {
            return;
        };
        let sold_wh = bill.p2p_sold_wh + bill.grid_sold_wh;
        if sold_wh == 0 {
            return;
        }
        let revenue = (bill.p2p_earned + bill.grid_earned) as f64;
        let per_kwh = revenue * 1000.0 / sold_wh as f64;
        let reward = (per_kwh / tariff.max_price.max(1) as f64).clamp(0.0, 1.0);
        self.learners[home].learn(reward, recency, experimentation);
    }

    /// `home`'s learner, if the strategy learns.
    pub fn learner(&self, home: usize) -> Option<&RothErev> {
        self.learners.get(home)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sold(earned: u128, wh: u64) -> Bill {
        Bill {
            p2p_sold_wh: wh,
            p2p_earned: earned,
            ..Bill::default()
        }
    }

    #[test]
    fn rational_asks_follow_the_tariff() {
        let mut tariff = Tariff::paper();
        let grid = tariff.grid_price(18).unwrap();
        let mut sellers = Sellers::new(AskStrategy::GridPrice, 1, 1);
        assert_eq!(sellers.ask(0, &tariff, grid), grid.min(tariff.max_price));
        let mut truthful = Sellers::new(AskStrategy::Truthful, 1, 1);
        assert_eq!(truthful.ask(0, &tariff, grid), tariff.min_price);
        tariff.feed_in = FeedInRule::Fixed(90_000);
        assert_eq!(truthful.ask(0, &tariff, grid), 90_000);
    }

    #[test]
    fn roth_erev_reinforces_what_paid_and_stays_a_distribution() {
        let tariff = Tariff::paper();
        let strategy = AskStrategy::RothErev {
            levels: 3,
            recency: 0.1,
            experimentation: 0.2,
        };
        let mut sellers = Sellers::new(strategy, 7, 1);
        // Whatever level is drawn, the top level pays best: reward it and no other.
        for _ in 0..500 {
            let ask = sellers.ask(0, &tariff, 300_000);
            let earned = if ask == tariff.max_price { 400 } else { 0 };
            sellers.learn(0, &sold(earned, 1_000), &tariff);
        }
        let q = sellers.learner(0).unwrap().propensities();
        assert!(q.iter().all(|&p| p > 0.0), "{q:?}");
        assert!(q[2] > 5.0 * q[0] && q[2] > 5.0 * q[1], "{q:?}");
        // An interval without a sale teaches nothing.
        let before = q.to_vec();
        sellers.ask(0, &tariff, 300_000);
        sellers.learn(0, &Bill::default(), &tariff);
        assert_eq!(sellers.learner(0).unwrap().propensities(), &before[..]);
    }

    #[test]
    fn zero_intelligence_stays_in_bounds_and_is_seeded() {
        let tariff = Tariff::paper();
        let draws = |seed| {
            let mut s = Sellers::new(AskStrategy::ZeroIntelligence, seed, 1);
            (0..100).map(|_| s.ask(0, &tariff, 0)).collect::<Vec<_>>()
        };
        assert_eq!(draws(3), draws(3));
        assert_ne!(draws(3), draws(4));
        assert!(draws(3).iter().all(|a| tariff.admits_ask(*a)));
    }
}
