//! The closed-book P2P auction: one uniform price per interval and area-ordered matching with
//! partial fills on both sides.
//!
//! # Price
//! - [`PricingRule::LowestAsk`] (the paper): the price is the lowest ask; every seller sells at
//!   it, and buyers whose limit is below it stay out of the P2P market.
//! - The double-auction rules price inside the *competitive interval* `[p_low, p_high]`: the
//!   prices `p` at which the volume `V(p) = min(S(p), D(p))` is largest, where `S(p)` is the
//!   energy asking at most `p` and `D(p)` the energy bidding at least `p`. `p_low` is always an
//!   ask (the marginal ask) and `p_high` a bid (the marginal bid).
//!   - [`PricingRule::MarginalAsk`] (a merit-order auction): `p_low`, the lowest price of
//!     largest volume; it favours buyers.
//!   - [`PricingRule::MarginalBid`]: `p_high`, the highest price of largest volume; it favours
//!     sellers.
//!   - [`PricingRule::Midpoint`] (the k-double auction with k = 1/2): `p_low + (p_high -
//!     p_low) / 2`, rounded down; the surplus at the margin is split evenly.
//!
//!   Sellers asking more and buyers bidding less than the price stay out. None of the three
//!   can price outside the interval (property-tested). [`PricingRule::LowestAsk`] can: its
//!   price is below `p_low` whenever a seller asks less than the marginal one.
//! - [`PricingRule::PayAsBid`] (discriminatory pricing): the offers taking part are those of
//!   the marginal ask, but each trade is priced at its buyer's limit less the network fee, so
//!   every buyer pays exactly its limit per kWh and every seller earns at least its ask. The
//!   reported price is `p_low`, the lowest price any trade can have (the feed-in rule's "P2P
//!   price"); each [`Trade`] carries its own.
//!
//! The reported price is `Some` exactly when some energy was traded.
//!
//! # Matching
//! For distance `d = 0, 1, 2, ...` (same area first), for each eligible buyer in priority
//! order, for each eligible seller in priority order at distance `d`: trade the smaller of the
//! two remainders. A buyer is eligible at distance `d` only if its limit covers the price plus
//! the network fee for `d` steps, so no buyer pays more than its limit per kWh. Buyers and
//! sellers can both be filled partially; the remainders are the residuals that go to the grid.
//!
//! The [`Priority`] orders each side:
//! - [`Priority::PriceTime`] (standard price priority): buyers by limit, highest first, sellers
//!   by ask, lowest first, submission order on ties. When one side is rationed at a distance,
//!   the offers that value the trade most trade first, so no seller asking 1 stays idle while
//!   one asking 2 sells.
//! - [`Priority::Submission`] (the paper): submission order on both sides, whatever the price.

use alloc::vec::Vec;

use crate::{
    book::Fill, topology::AreaId, value_of, AccountId, Balance, EnergyWh, MarketError, PricePerKwh,
    Topology,
};

/// Which side of the market an offer is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum Side {
    /// Surplus energy offered by a prosumer.
    Sell,
    /// Deficit energy wanted by a consumer or prosumer.
    Buy,
}

/// One participant's offer for one interval.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Offer {
    /// Who offers.
    pub account: AccountId,
    /// The participant's area tag.
    pub area: AreaId,
    /// Selling surplus or buying deficit.
    pub side: Side,
    /// Energy offered or wanted, Wh; never zero.
    pub energy_wh: EnergyWh,
    /// A seller's ask or a buyer's limit, per kWh.
    pub price: PricePerKwh,
}

/// How the uniform price is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum PricingRule {
    /// The paper's rule: the lowest ask.
    #[default]
    LowestAsk,
    /// The marginal ask: the lowest price at which supply and demand trade the most (a
    /// merit-order double auction).
    MarginalAsk,
    /// The marginal bid: the highest price at which supply and demand trade the most.
    MarginalBid,
    /// The midpoint of the marginal ask and bid (the k-double auction, k = 1/2), rounded down.
    Midpoint,
    /// Pay as bid: the marginal ask's offers trade, each at its buyer's limit less the network
    /// fee.
    PayAsBid,
}

impl PricingRule {
    /// The uniform price this rule picks from the competitive interval `[low, high]` (the
    /// marginal ask and bid). Not used by [`PricingRule::LowestAsk`].
    pub fn within(self, low: PricePerKwh, high: PricePerKwh) -> PricePerKwh {
        match self {
            PricingRule::LowestAsk | PricingRule::MarginalAsk | PricingRule::PayAsBid => low,
            PricingRule::MarginalBid => high,
            PricingRule::Midpoint => low.saturating_add(high.saturating_sub(low) / 2),
        }
    }

    /// Whether the rule needs the marginal bid (the top of the competitive interval).
    pub fn needs_marginal_bid(self) -> bool {
        matches!(self, PricingRule::MarginalBid | PricingRule::Midpoint)
    }
}

/// The order in which eligible buyers and sellers are served within a distance step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum Priority {
    /// Submission order on both sides (the paper).
    #[default]
    Submission,
    /// Price priority, then submission order: buyers by limit descending, sellers by ask
    /// ascending.
    PriceTime,
}

impl Priority {
    /// An offer's place in its side's queue: offers are served by ascending key, ties in
    /// submission order. Every key is the same under [`Priority::Submission`].
    pub fn key(self, side: Side, price: PricePerKwh) -> PricePerKwh {
        match (self, side) {
            (Priority::Submission, _) => 0,
            (Priority::PriceTime, Side::Sell) => price,
            (Priority::PriceTime, Side::Buy) => PricePerKwh::MAX.saturating_sub(price),
        }
    }
}

/// The rules p2p applies when it clears an interval.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct AuctionRules {
    /// The areas and their distances.
    pub topology: Topology,
    /// How the uniform price is found.
    pub pricing: PricingRule,
    /// The order in which buyers and sellers are served within a distance step.
    pub priority: Priority,
    /// Network fee per kWh and per distance step between the two areas of a trade, paid by the
    /// buyer on top of the energy price, to the grid operator. Zero within an area.
    pub grid_fee_per_kwh_step: PricePerKwh,
}

impl AuctionRules {
    /// A trade of `energy_wh` between `seller` and `buyer`, `distance` steps apart, at the
    /// uniform `price` (under [`PricingRule::PayAsBid`] at the buyer's limit less the network
    /// fee): the payment and the network fee, each rounded down once.
    ///
    /// # Errors
    /// [`MarketError::Overflow`].
    pub fn trade(
        &self,
        seller: &Offer,
        buyer: &Offer,
        distance: u8,
        energy_wh: EnergyWh,
        price: PricePerKwh,
    ) -> Result<Trade, MarketError> {
        let fee_rate = self
            .grid_fee_per_kwh_step
            .checked_mul(u128::from(distance))
            .ok_or(MarketError::Overflow)?;
        let price = match self.pricing {
            // Admitted buyers bid at least `price + fee_rate`, so this is at least `price`.
            PricingRule::PayAsBid => buyer.price.saturating_sub(fee_rate).max(price),
            _ => price,
        };
        Ok(Trade {
            seller: seller.account,
            buyer: buyer.account,
            distance,
            energy_wh,
            price,
            payment: value_of(energy_wh, price)?,
            fee: value_of(energy_wh, fee_rate)?,
        })
    }

    /// What a buyer pays per kWh for energy from `distance` steps away at the uniform `price`:
    /// the price plus the network fee.
    ///
    /// # Errors
    /// [`MarketError::Overflow`] (a validated configuration never overflows).
    pub fn delivered_price(
        &self,
        price: PricePerKwh,
        distance: u8,
    ) -> Result<PricePerKwh, MarketError> {
        self.grid_fee_per_kwh_step
            .checked_mul(u128::from(distance))
            .and_then(|fee| fee.checked_add(price))
            .ok_or(MarketError::Overflow)
    }

    /// Whether a buyer with `limit` may take energy from `distance` steps away at `price`: only
    /// if the price plus the network fee stays within its limit, so no buyer pays more than its
    /// limit per kWh P2P. The fee grows with the distance, so a buyer left out at one distance
    /// is left out at every larger one.
    ///
    /// # Errors
    /// [`MarketError::Overflow`].
    pub fn buyer_admitted(
        &self,
        limit: PricePerKwh,
        price: PricePerKwh,
        distance: u8,
    ) -> Result<bool, MarketError> {
        Ok(limit >= self.delivered_price(price, distance)?)
    }

    /// The paper's auction: three areas on a line, lowest-ask price, submission order, no
    /// network fee.
    pub fn paper() -> Self {
        Self {
            topology: Topology::paper(),
            pricing: PricingRule::LowestAsk,
            priority: Priority::Submission,
            grid_fee_per_kwh_step: 0,
        }
    }
}

/// Energy traded between one seller and one buyer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Trade {
    /// Who delivers.
    pub seller: AccountId,
    /// Who receives.
    pub buyer: AccountId,
    /// Distance between their areas, in steps.
    pub distance: u8,
    /// Energy traded, Wh.
    pub energy_wh: EnergyWh,
    /// The price per kWh: the interval's uniform price, or under [`PricingRule::PayAsBid`] the
    /// trade's own.
    pub price: PricePerKwh,
    /// What the buyer pays the seller: `energy_wh * price / 1000`, rounded down.
    pub payment: Balance,
    /// What the buyer pays the grid operator for the distance: rounded down.
    pub fee: Balance,
}

impl Trade {
    /// A zero trade of the same encoded size as every trade: what an offer writes where its
    /// close may record a trade (see [`crate::reserved`]). Each trade uses up one side's
    /// offer, so an interval has at most as many trades as offers and the `n`-th trade fits
    /// in the place the `n`-th slot reserved.
    pub fn placeholder() -> Self {
        Self {
            seller: AccountId::from([0; 32]),
            buyer: AccountId::from([0; 32]),
            distance: 0,
            energy_wh: 0,
            price: 0,
            payment: 0,
            fee: 0,
        }
    }
}

/// One offer after matching: what was traded and what is left for the grid.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Position {
    /// The offer's owner.
    pub account: AccountId,
    /// The offer's side.
    pub side: Side,
    /// Energy offered or wanted, Wh.
    pub offered_wh: EnergyWh,
    /// Energy traded P2P, Wh.
    pub matched_wh: EnergyWh,
    /// P2P money: paid by a buyer, earned by a seller.
    pub value: Balance,
    /// Network fees paid by a buyer (zero for sellers).
    pub fees: Balance,
}

impl Position {
    /// An offer before matching: nothing traded, everything left for the grid.
    pub fn unmatched(offer: &Offer) -> Self {
        Self {
            account: offer.account,
            side: offer.side,
            offered_wh: offer.energy_wh,
            matched_wh: 0,
            value: 0,
            fees: 0,
        }
    }

    /// Energy left for the grid: a buyer's deficit or a seller's surplus.
    pub fn residual_wh(&self) -> EnergyWh {
        self.offered_wh.saturating_sub(self.matched_wh)
    }
}

/// The outcome of clearing one interval.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct Clearing {
    /// The uniform price, if any energy was traded.
    pub price: Option<PricePerKwh>,
    /// Energy traded P2P, Wh.
    pub volume_wh: EnergyWh,
    /// The trades, in matching order.
    pub trades: Vec<Trade>,
    /// One position per offer, in submission order.
    pub positions: Vec<Position>,
}

/// Clears a book: finds the uniform price and matches buyers to sellers by distance.
///
/// `offers` are in submission order (cancelled offers removed).
///
/// # Errors
/// [`MarketError::UnknownArea`] for an offer outside the topology, [`MarketError::Overflow`]
/// if a money or energy sum overflows.
pub fn clear(offers: &[Offer], rules: &AuctionRules) -> Result<Clearing, MarketError> {
    for offer in offers {
        if !rules.topology.contains(offer.area) {
            return Err(MarketError::UnknownArea);
        }
    }
    let mut fills = alloc::vec![Fill::default(); offers.len()];
    let positions = |fills: &[Fill]| -> Vec<Position> {
        offers
            .iter()
            .zip(fills)
            .map(|(offer, fill)| fill.position(offer))
            .collect()
    };
    let Some(price) = uniform_price(offers, rules.pricing)? else {
        return Ok(Clearing {
            price: None,
            volume_wh: 0,
            trades: Vec::new(),
            positions: positions(&fills),
        });
    };

    let sellers: Vec<usize> = eligible(offers, Side::Sell, rules.priority, |ask| {
        rules.pricing == PricingRule::LowestAsk || ask <= price
    });
    let buyers: Vec<usize> = eligible(offers, Side::Buy, rules.priority, |limit| limit >= price);

    let mut trades = Vec::new();
    let mut volume_wh: EnergyWh = 0;
    for distance in 0..=rules.topology.max_distance() {
        for &buyer in &buyers {
            for &seller in &sellers {
                let wanted = fills[buyer].residual_wh(&offers[buyer]);
                if wanted == 0 {
                    break;
                }
                let available = fills[seller].residual_wh(&offers[seller]);
                if available == 0
                    || rules
                        .topology
                        .distance(offers[buyer].area, offers[seller].area)?
                        != distance
                    || !rules.buyer_admitted(offers[buyer].price, price, distance)?
                {
                    continue;
                }
                let trade = rules.trade(
                    &offers[seller],
                    &offers[buyer],
                    distance,
                    wanted.min(available),
                    price,
                )?;
                fills[seller].add(trade.energy_wh, trade.payment, 0)?;
                fills[buyer].add(trade.energy_wh, trade.payment, trade.fee)?;
                volume_wh = volume_wh
                    .checked_add(trade.energy_wh)
                    .ok_or(MarketError::Overflow)?;
                trades.push(trade);
            }
        }
    }
    Ok(Clearing {
        price: (volume_wh > 0).then_some(price),
        volume_wh,
        trades,
        positions: positions(&fills),
    })
}

/// Indices of the offers on `side` whose price passes `admits`, in `priority` order.
fn eligible(
    offers: &[Offer],
    side: Side,
    priority: Priority,
    admits: impl Fn(PricePerKwh) -> bool,
) -> Vec<usize> {
    let mut eligible: Vec<usize> = offers
        .iter()
        .enumerate()
        .filter(|(_, offer)| offer.side == side && admits(offer.price))
        .map(|(index, _)| index)
        .collect();
    // Stable: submission order on ties.
    eligible.sort_by_key(|&index| priority.key(side, offers[index].price));
    eligible
}

/// The interval's uniform price candidate under `rule`, before matching.
fn uniform_price(offers: &[Offer], rule: PricingRule) -> Result<Option<PricePerKwh>, MarketError> {
    let asks = offers.iter().filter(|offer| offer.side == Side::Sell);
    match rule {
        PricingRule::LowestAsk => Ok(asks.map(|offer| offer.price).min()),
        PricingRule::MarginalAsk
        | PricingRule::MarginalBid
        | PricingRule::Midpoint
        | PricingRule::PayAsBid => {
            let mut best: Option<(u128, PricePerKwh)> = None;
            for candidate in asks.map(|offer| offer.price) {
                let supply = total_energy(offers, Side::Sell, |ask| ask <= candidate)?;
                let demand = total_energy(offers, Side::Buy, |limit| limit >= candidate)?;
                let volume = supply.min(demand);
                let better = match best {
                    None => volume > 0,
                    Some((best_volume, best_price)) => {
                        volume > best_volume || (volume == best_volume && candidate < best_price)
                    }
                };
                if better {
                    best = Some((volume, candidate));
                }
            }
            let Some((volume, low)) = best else {
                return Ok(None);
            };
            if !rule.needs_marginal_bid() {
                return Ok(Some(low));
            }
            // The marginal bid: the highest bid from `low` on that still has the volume.
            let mut high = low;
            for bid in offers.iter().filter(|offer| offer.side == Side::Buy) {
                if bid.price > high
                    && total_energy(offers, Side::Buy, |limit| limit >= bid.price)? >= volume
                {
                    high = bid.price;
                }
            }
            Ok(Some(rule.within(low, high)))
        }
    }
}

fn total_energy(
    offers: &[Offer],
    side: Side,
    admits: impl Fn(PricePerKwh) -> bool,
) -> Result<u128, MarketError> {
    offers
        .iter()
        .filter(|offer| offer.side == side && admits(offer.price))
        .try_fold(0u128, |sum, offer| {
            sum.checked_add(u128::from(offer.energy_wh))
                .ok_or(MarketError::Overflow)
        })
}
