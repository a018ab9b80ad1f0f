//! main's internals: the checks and steps its messages share (entering an offer, reserving
//! its storage, configuration versions, settlement batches, the guards). Inherent methods of
//! [`Main`], kept out of the contract module so that it reads as the list of messages.

use ink::{
    codegen::{Env, TraitCallBuilder},
    prelude::vec::Vec,
    primitives::AccountId,
};
use market::{
    deposits, hour_of, month_of, seal::Commitment, version_at, Balance, EnergyWh, IntervalIndex,
    MarketConfig, Offer, Position, PricePerKwh, Reserved, Side,
};
use p2g::IntervalKey;

use crate::{
    errors::{check_energy, outcome, Error, Result},
    events::OfferAccepted,
    types::{IntervalResult, Participant},
    Main,
};

impl Main {
    /// Checks an open offer in the order a participant would fix it (who, what, how, when),
    /// enters it in p2p's book and escrows its deposit in p2g.
    pub(crate) fn offer(
        &mut self,
        interval: IntervalIndex,
        side: Side,
        energy_wh: EnergyWh,
        price: Option<PricePerKwh>,
    ) -> Result<()> {
        let account = self.env().caller();
        let participant = self.participant_of(account)?;
        check_energy(energy_wh)?;
        if !participant.capacity.admits(side, energy_wh) {
            return Err(Error::ExceedsCapacity);
        }
        if self.sealing.is_some() {
            return Err(Error::Sealed);
        }
        self.ensure_open(interval)?;
        let config = self.config_of(interval);
        let deposit = self.env().transferred_value();
        let offer = Offer {
            account,
            area: participant.area,
            side,
            energy_wh,
            price: 0,
        };
        let import_wh = participant.capacity.import_wh;
        self.enter(interval, offer, price, deposit, import_wh, &config)?;
        self.reserve(interval, account, None, deposit, &config)
    }

    /// Has p2g reserve the storage that the settlement of `account`'s offer or commitment
    /// will write, and escrow `deposit`: every offer's own transaction pays the storage
    /// its close fills in, so closing costs its caller no storage deposit
    /// (`market::reserved`).
    pub(crate) fn reserve(
        &mut self,
        interval: IntervalIndex,
        account: AccountId,
        sealed: Option<Commitment>,
        deposit: Balance,
        config: &MarketConfig,
    ) -> Result<()> {
        let key = self.interval_key(interval)?;
        let grid_operator = self.grid_operator(config);
        outcome(
            self.p2g
                .call_mut()
                .reserve(
                    key,
                    account,
                    sealed,
                    config.limits.max_offers,
                    grid_operator,
                    config.metering.is_some(),
                )
                .transferred_value(deposit)
                .try_invoke(),
        )
    }

    /// Checks an offer's area against the interval's topology, prices it (an ask within
    /// the tariff's bounds; a buy's limit, the grid's price by default), checks that the
    /// deposit covers it (a buy's cover, a metered market's imbalance bond for a connection
    /// importing `import_wh`, a revealed offer's sealing bond) and enters it in p2p's book.
    pub(crate) fn enter(
        &mut self,
        interval: IntervalIndex,
        mut offer: Offer,
        price: Option<PricePerKwh>,
        deposit: Balance,
        import_wh: EnergyWh,
        config: &MarketConfig,
    ) -> Result<()> {
        if !config.auction.topology.contains(offer.area) {
            return Err(Error::UnknownArea);
        }
        if offer.side == Side::Sell && !price.is_some_and(|ask| config.tariff.admits_ask(ask)) {
            return Err(Error::PriceOutOfBounds);
        }
        let hour = hour_of(self.timing.start_of(interval)?);
        let (price, cover) =
            deposits::offer_cover(config, hour, offer.side, offer.energy_wh, price, import_wh)?;
        if deposit < deposits::required_deposit(cover, self.sealing.as_ref(), offer.energy_wh)? {
            return Err(Error::DepositTooLow);
        }
        offer.price = price;
        let accepted = OfferAccepted {
            interval,
            account: offer.account,
            side: offer.side,
            energy_wh: offer.energy_wh,
        };
        let slot = outcome(
            self.p2p
                .call_mut()
                .place(
                    interval,
                    offer,
                    config.limits.max_offers,
                    config.auction.priority,
                )
                .try_invoke(),
        )?;
        // The interval's first offer pays for the entry its result will fill.
        if slot == 0 {
            self.results
                .insert(interval, &Reserved::empty(IntervalResult::placeholder()));
        }
        self.env().emit_event(accepted);
        Ok(())
    }

    /// A buy's limit (the grid's price by default) and the deposit that covers it.
    pub(crate) fn buy_cover(
        &self,
        interval: IntervalIndex,
        energy_wh: EnergyWh,
        limit: Option<PricePerKwh>,
        config: &MarketConfig,
    ) -> Result<(PricePerKwh, Balance)> {
        let hour = hour_of(self.timing.start_of(interval)?);
        Ok(deposits::buy_cover(config, hour, energy_wh, limit)?)
    }

    /// Withdraws `account`'s offer (open mode) or commitment (sealed mode) from `interval`
    /// and credits its deposit, if any, back; an open offer only while fewer than
    /// `max_cancels` (if set) have been cancelled. Returns whether there was one.
    pub(crate) fn withdraw_offer(
        &mut self,
        interval: IntervalIndex,
        account: AccountId,
        max_cancels: Option<u32>,
    ) -> Result<bool> {
        let withdrawn = self.sealing.is_none()
            && outcome(
                self.p2p
                    .call_mut()
                    .cancel(interval, account, max_cancels)
                    .try_invoke(),
            )?;
        let refunded = outcome(self.p2g.call_mut().refund(interval, account).try_invoke())?;
        Ok(withdrawn || refunded)
    }

    /// Closing, and releasing unrevealed commitments, wait for the interval's end and its
    /// reveal window.
    pub(crate) fn ensure_settleable(&self, interval: IntervalIndex) -> Result<()> {
        if interval >= self.current_interval()? {
            return Err(Error::IntervalNotEnded);
        }
        if self.env().block_timestamp() < self.timing.settles_at(interval, self.reveal_ms())? {
            return Err(Error::RevealOpen);
        }
        Ok(())
    }

    /// The reveal window that follows each interval: zero for open offers.
    pub(crate) fn reveal_ms(&self) -> u64 {
        self.sealing.map_or(0, |sealing| sealing.reveal_ms)
    }

    pub(crate) fn grid_operator(&self, config: &MarketConfig) -> AccountId {
        config.grid_operator.unwrap_or(self.operator)
    }

    /// The configuration governing `interval`. One copy of the config's decoding for every
    /// message that reads it: the contract's code size is part of every call's weight.
    #[inline(never)]
    pub(crate) fn config_of(&self, interval: IntervalIndex) -> MarketConfig {
        let version = version_at(self.versions, interval, |version| {
            self.version_starts.get(version).unwrap_or(0)
        });
        self.configs.get(version).unwrap_or_default()
    }

    /// The newest configuration version: what every future interval will use.
    pub(crate) fn newest_config(&self) -> MarketConfig {
        self.config_of(IntervalIndex::MAX)
    }

    /// Hands a batch of final positions to p2g; `last` completes the interval.
    pub(crate) fn settle_batch(
        &mut self,
        interval: IntervalIndex,
        p2p_price: Option<PricePerKwh>,
        positions: Vec<Position>,
        config: &MarketConfig,
        last: bool,
    ) -> Result<p2g::GridResult> {
        let key = self.interval_key(interval)?;
        let grid_operator = self.grid_operator(config);
        outcome(
            self.p2g
                .call_mut()
                .settle_batch(
                    key,
                    p2p_price,
                    positions,
                    p2g::Terms {
                        tariff: config.tariff.clone(),
                        grid_operator,
                        metering: config.metering,
                    },
                    last,
                )
                .try_invoke(),
        )
    }

    /// Where and when `interval` lies, for p2g.
    pub(crate) fn interval_key(&self, interval: IntervalIndex) -> Result<IntervalKey> {
        let start = self.timing.start_of(interval)?;
        Ok(IntervalKey {
            index: interval,
            hour: hour_of(start),
            month: month_of(start),
        })
    }

    pub(crate) fn participant_of(&self, account: AccountId) -> Result<Participant> {
        self.participants.get(account).ok_or(Error::NotRegistered)
    }

    pub(crate) fn ensure_open(&self, interval: IntervalIndex) -> Result<()> {
        if self.current_interval()? == interval {
            Ok(())
        } else {
            Err(Error::IntervalNotOpen)
        }
    }

    pub(crate) fn ensure_operator(&self) -> Result<()> {
        if self.env().caller() == self.operator {
            Ok(())
        } else {
            Err(Error::NotOperator)
        }
    }
}
