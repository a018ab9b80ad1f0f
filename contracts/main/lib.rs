#![cfg_attr(not(feature = "std"), no_std, no_main)]
// `scale_info::TypeInfo`'s derive casts a variant index `usize as u8` for `CloseProgress`'s
// variants, which carry data; cargo-contract's lints would reject the generated code.
#![allow(clippy::cast_possible_truncation)]

//! # main: the market's single entry point
//!
//! The operator (who instantiates it) configures the market and registers participants with an
//! area tag. Participants sell surplus or buy deficit for the current interval through main,
//! which routes the offers to p2p and their deposits (native token) to p2g. In sealed mode they
//! commit to offers during the interval and reveal them in a window after it, so no price or
//! energy is public before the book closes. After an interval (and its reveal window) ends,
//! anyone may close it, in bounded steps
//! so that no call's weight depends on the size of the book: each step has p2p clear part of
//! the book and p2g settle the final positions with the grid and bill them; the last step
//! records the interval's result. Everyone withdraws refunds and earnings pull-style. Main
//! instantiates p2p and p2g itself, so they answer to it alone.

mod errors;
mod events;
mod internals;
mod types;

pub use self::main::{Main, MainRef};
pub use errors::{Error, Result};
pub use events::{
    ConfigUpdated, IntervalCleared, OfferAccepted, OfferCancelled, OfferCommitted,
    ParticipantRegistered, ParticipantRemoved,
};
pub use types::{CloseProgress, CodeHashes, IntervalResult, Participant};

#[ink::contract]
mod main {
    use ink::{codegen::TraitCallBuilder, prelude::vec::Vec, storage::Mapping};
    use market::{
        deposits, hour_of,
        metering::{MeterStatus, Reading, MAX_SETTLEMENTS_PER_CALL},
        reserved::{filled_value, is_filled},
        seal::{self, Commitment, Salt},
        AreaId, Bill, Capacity, EnergyWh, IntervalIndex, IntervalState, MarketConfig, MonthKey,
        Offer, PricePerKwh, Reserved, Sealing, Side, Timing, Trade,
    };
    use p2g::P2gRef;
    use p2p::P2pRef;

    use crate::{
        errors::{check_energy, outcome, Error, Result},
        events::{
            ConfigUpdated, IntervalCleared, OfferCancelled, OfferCommitted, ParticipantRegistered,
            ParticipantRemoved,
        },
        types::{CloseProgress, CodeHashes, IntervalResult, Participant},
    };

    #[ink(storage)]
    pub struct Main {
        /// Configures the market and registers participants.
        pub(crate) operator: AccountId,
        /// The market clock, fixed at instantiation.
        pub(crate) timing: Timing,
        /// Number of configuration versions. Version `v` (`configs[v]`) governs every interval
        /// from `version_starts[v]` until the next version's start: an interval keeps the
        /// rules in force when it started, from its first offer to its last closing step.
        pub(crate) versions: u32,
        /// Each version's configuration (auction rules, tariff, limits, grid operator), handed
        /// to p2p and p2g with each call.
        pub(crate) configs: Mapping<u32, MarketConfig>,
        /// The first interval each version governs (version 0: interval 0).
        pub(crate) version_starts: Mapping<u32, IntervalIndex>,
        /// The sealing settings, fixed at instantiation (every version carries the same), kept
        /// apart so that the messages that only need the mode do not decode a configuration.
        pub(crate) sealing: Option<Sealing>,
        /// The P2P auction, instantiated by and answering to this contract.
        pub(crate) p2p: P2pRef,
        /// The grid contract, instantiated by and answering to this contract.
        pub(crate) p2g: P2gRef,
        /// Registered participants.
        pub(crate) participants: Mapping<AccountId, Participant>,
        /// Number of registered participants.
        pub(crate) participant_count: u32,
        /// Registered participants per area: a topology may not drop an area still in use.
        pub(crate) area_counts: Mapping<AreaId, u32>,
        /// Results of cleared intervals.
        pub(crate) results: Mapping<IntervalIndex, Reserved<IntervalResult>>,
    }

    impl Main {
        /// Creates the market: validates `config`, starts the clock at the interval containing
        /// the current block time, and instantiates p2p and p2g from their uploaded code. The
        /// caller becomes the operator.
        ///
        /// # Errors
        /// `InvalidInterval`, `InvalidTopology`, `InvalidTariff`, `InvalidFee`,
        /// `InvalidLimits`, `InvalidSealing`, `CalleeFailed`.
        #[ink(constructor)]
        pub fn new(config: MarketConfig, p2p_code_hash: Hash, p2g_code_hash: Hash) -> Result<Self> {
            config.validate()?;
            let timing = Timing::aligned(Self::env().block_timestamp(), config.interval_ms)?;
            let p2p = P2pRef::new()
                .code_hash(p2p_code_hash)
                .endowment(0)
                .salt_bytes(b"p2p")
                .try_instantiate()
                .map_err(|_| Error::CalleeFailed)?
                .map_err(|_| Error::CalleeFailed)?;
            let p2g = P2gRef::new()
                .code_hash(p2g_code_hash)
                .endowment(0)
                .salt_bytes(b"p2g")
                .try_instantiate()
                .map_err(|_| Error::CalleeFailed)?
                .map_err(|_| Error::CalleeFailed)?;
            let mut configs = Mapping::default();
            configs.insert(0, &config);
            let mut version_starts = Mapping::default();
            version_starts.insert(0, &0);
            Ok(Self {
                operator: Self::env().caller(),
                timing,
                versions: 1,
                sealing: config.sealing,
                configs,
                version_starts,
                p2p,
                p2g,
                participants: Mapping::default(),
                participant_count: 0,
                area_counts: Mapping::default(),
                results: Mapping::default(),
            })
        }

        /// Registers `account` as a participant in `area` of the newest configuration's
        /// topology, with its connection's `capacity` per interval (default `Capacity::DEFAULT`:
        /// 43 000 Wh each way, a 43 kW house connection over an hour). Offers
        /// above it are refused. Operator only. (If the interval open now runs under an older
        /// topology without that area, its offers wait for the next interval: `UnknownArea`.)
        /// To change an area or a capacity, `remove` the participant and register it again.
        ///
        /// # Errors
        /// `NotOperator`, `UnknownArea`, `AlreadyRegistered`, `Overflow`.
        ///
        /// # Events
        /// `ParticipantRegistered`.
        #[ink(message)]
        pub fn register(
            &mut self,
            account: AccountId,
            area: AreaId,
            capacity: Option<Capacity>,
        ) -> Result<()> {
            self.ensure_operator()?;
            if !self.newest_config().auction.topology.contains(area) {
                return Err(Error::UnknownArea);
            }
            if self.participants.contains(account) {
                return Err(Error::AlreadyRegistered);
            }
            self.participant_count = self
                .participant_count
                .checked_add(1)
                .ok_or(Error::Overflow)?;
            let in_area = self.area_counts.get(area).unwrap_or(0);
            self.area_counts
                .insert(area, &in_area.checked_add(1).ok_or(Error::Overflow)?);
            let capacity = capacity.unwrap_or(Capacity::DEFAULT);
            self.participants.insert(
                account,
                &Participant {
                    area,
                    capacity,
                    meter: None,
                },
            );
            self.env()
                .emit_event(ParticipantRegistered { account, area });
            Ok(())
        }

        /// Removes a participant. Operator only. Its offer in the open interval is withdrawn;
        /// offers in ended intervals still clear, as they were valid when placed.
        ///
        /// # Errors
        /// `NotOperator`, `NotRegistered`, `CalleeFailed`.
        ///
        /// # Events
        /// `ParticipantRemoved`, and `OfferCancelled` if an open offer was withdrawn.
        #[ink(message)]
        pub fn remove(&mut self, account: AccountId) -> Result<()> {
            self.ensure_operator()?;
            let participant = self
                .participants
                .take(account)
                .ok_or(Error::NotRegistered)?;
            self.participant_count = self.participant_count.saturating_sub(1);
            let in_area = self.area_counts.get(participant.area).unwrap_or(0);
            let left = in_area.saturating_sub(1);
            if left == 0 {
                self.area_counts.remove(participant.area);
            } else {
                self.area_counts.insert(participant.area, &left);
            }
            let interval = self.current_interval()?;
            if self.withdraw_offer(interval, account, None)? {
                self.env().emit_event(OfferCancelled { interval, account });
            }
            self.env().emit_event(ParticipantRemoved { account });
            Ok(())
        }

        /// Names `meter` as the meter account of participant `account`: the only account that
        /// may submit its readings from now on (`None`: the market's metering operator, if the
        /// configuration names one). Operator only.
        ///
        /// # Errors
        /// `NotOperator`, `NotRegistered`.
        #[ink(message)]
        pub fn set_meter(&mut self, account: AccountId, meter: Option<AccountId>) -> Result<()> {
            self.ensure_operator()?;
            let mut participant = self.participant_of(account)?;
            participant.meter = meter;
            self.participants.insert(account, &participant);
            Ok(())
        }

        /// Replaces the auction rules, tariff, limits and grid operator from the next interval
        /// on. Operator only. Every interval keeps the configuration in force when it started
        /// for everything: its offers, reveals and deposits, and every step of its close, so a
        /// change never touches an interval that has started (a second update in the same
        /// interval replaces the first). The interval length and the sealing settings are fixed
        /// at instantiation; a topology must keep every area with registered participants.
        ///
        /// # Errors
        /// `NotOperator`, `InvalidInterval` (a different length), `InvalidTopology`,
        /// `AreaInUse`, `InvalidTariff`, `InvalidFee`, `InvalidLimits`, `InvalidSealing`
        /// (different settings), `Overflow`.
        ///
        /// # Events
        /// `ConfigUpdated`.
        #[ink(message)]
        pub fn update_config(&mut self, config: MarketConfig) -> Result<()> {
            self.ensure_operator()?;
            config.validate()?;
            let newest = self.newest_config();
            if config.interval_ms != self.timing.interval_ms {
                return Err(Error::InvalidInterval);
            }
            if config.sealing != self.sealing {
                return Err(Error::InvalidSealing);
            }
            // Every registered participant lies in the newest topology, so only its areas
            // beyond the new one's can be in use.
            for area in config.auction.topology.areas()..newest.auction.topology.areas() {
                if self.area_counts.contains(area) {
                    return Err(Error::AreaInUse);
                }
            }
            let from_interval = self
                .current_interval()?
                .checked_add(1)
                .ok_or(Error::Overflow)?;
            let last = self.versions.saturating_sub(1);
            let version = if self.version_starts.get(last) == Some(from_interval) {
                last
            } else {
                let next = self.versions;
                self.versions = next.checked_add(1).ok_or(Error::Overflow)?;
                self.version_starts.insert(next, &from_interval);
                next
            };
            self.configs.insert(version, &config);
            self.env().emit_event(ConfigUpdated { from_interval });
            Ok(())
        }

        /// Offers `energy_wh` of surplus in the current interval `interval`, asking `ask` per
        /// kWh (open mode). Naming the interval makes a late transaction fail instead of
        /// landing in the next one. All sellers are paid the interval's uniform price. A seller
        /// needs no deposit but, in a metered market, its `imbalance_bond`; any value sent
        /// beyond what its settlement charges is credited back after the close (in a metered
        /// market, after its imbalance is settled).
        ///
        /// # Errors
        /// `NotRegistered`, `ZeroEnergy`, `TooMuchEnergy`, `ExceedsCapacity`, `Sealed`,
        /// `IntervalNotOpen`, `UnknownArea`, `PriceOutOfBounds`, `OfferExists`, `BookFull`,
        /// `CalleeFailed`.
        ///
        /// # Events
        /// `OfferAccepted`.
        #[ink(message, payable)]
        pub fn sell(
            &mut self,
            interval: IntervalIndex,
            energy_wh: EnergyWh,
            ask: PricePerKwh,
        ) -> Result<()> {
            self.offer(interval, Side::Sell, energy_wh, Some(ask))
        }

        /// Asks for `energy_wh` of deficit in the current interval `interval`, paying at most
        /// `limit` per kWh P2P (default: the grid's price in the interval's hour); open mode.
        /// Whatever is not bought P2P is bought from the grid at the close. The value sent is
        /// the deposit: at least `buy_deposit(interval, energy_wh, limit)`, plus the
        /// `imbalance_bond` in a metered market; what the bill does not use is credited back at
        /// the close (in a metered market, once its imbalance is settled).
        ///
        /// # Errors
        /// `NotRegistered`, `ZeroEnergy`, `TooMuchEnergy`, `ExceedsCapacity`, `Sealed`,
        /// `IntervalNotOpen`, `UnknownArea`, `DepositTooLow`, `OfferExists`, `BookFull`,
        /// `Overflow`, `CalleeFailed`.
        ///
        /// # Events
        /// `OfferAccepted`.
        #[ink(message, payable)]
        pub fn buy(
            &mut self,
            interval: IntervalIndex,
            energy_wh: EnergyWh,
            limit: Option<PricePerKwh>,
        ) -> Result<()> {
            self.offer(interval, Side::Buy, energy_wh, limit)
        }

        /// The least deposit a buy of `energy_wh` with `limit` (as in `buy`) in `interval`
        /// must carry: the energy at its worst price, the limit plus the farthest network fee
        /// or the grid's price, whichever is higher, rounded up.
        ///
        /// # Errors
        /// `IntervalNotOpen` before the market's start, `Overflow`.
        #[ink(message)]
        pub fn buy_deposit(
            &self,
            interval: IntervalIndex,
            energy_wh: EnergyWh,
            limit: Option<PricePerKwh>,
        ) -> Result<Balance> {
            Ok(self
                .buy_cover(interval, energy_wh, limit, &self.config_of(interval))?
                .1)
        }

        /// The least deposit a sealed offer (as in `commit` and `reveal`) must carry for its
        /// reveal to succeed in `interval`: its bond, `energy_wh` times the sealing's
        /// `bond_per_kwh` (at least the penalty), and for a buy with limit `price` also
        /// `buy_deposit`, plus in a metered market the caller's `imbalance_bond`, whichever is
        /// higher. A dry run of this query tells the node's RPC the offer, so clients may
        /// compute it instead (`market::deposits::sealed_deposit`).
        ///
        /// # Errors
        /// `NotSealed`, `ZeroEnergy`, `TooMuchEnergy`, `IntervalNotOpen` before the market's
        /// start, `Overflow`.
        #[ink(message)]
        pub fn commit_deposit(
            &self,
            interval: IntervalIndex,
            side: Side,
            energy_wh: EnergyWh,
            price: PricePerKwh,
        ) -> Result<Balance> {
            check_energy(energy_wh)?;
            let config = self.config_of(interval);
            let hour = hour_of(self.timing.start_of(interval)?);
            let import_wh = self
                .participants
                .get(self.env().caller())
                .map_or(Capacity::DEFAULT, |participant| participant.capacity)
                .import_wh;
            deposits::sealed_deposit(&config, hour, side, energy_wh, price, import_wh)?
                .ok_or(Error::NotSealed)
        }

        /// The imbalance bond an offer of `energy_wh` on `side` by `account` adds to its
        /// deposit in `interval`: its worst imbalance within its connection at the imbalance
        /// price (`market::metering::Metering::bond`); zero if the interval is not metered.
        ///
        /// # Errors
        /// `NotRegistered`, `IntervalNotOpen` before the market's start, `Overflow`.
        #[ink(message)]
        pub fn imbalance_bond(
            &self,
            interval: IntervalIndex,
            account: AccountId,
            side: Side,
            energy_wh: EnergyWh,
        ) -> Result<Balance> {
            let participant = self.participant_of(account)?;
            let hour = hour_of(self.timing.start_of(interval)?);
            Ok(deposits::imbalance_bond(
                &self.config_of(interval),
                hour,
                side,
                energy_wh,
                participant.capacity.import_wh,
            )?)
        }

        /// Commits to a sealed offer in the current interval `interval` (sealed mode):
        /// `commitment` is `market::seal::commitment(main, caller, interval, side, energy_wh,
        /// price, salt)`, the BLAKE2b-256 hash of their SCALE encoding, with this contract's
        /// address as `main` so that it is valid in this market only. The value sent is the
        /// deposit: at least the sealing penalty here, and at reveal the offer's bond and, for a
        /// buy, its cover (`commit_deposit` says how much). Reveal it with `reveal` after the
        /// interval, or forfeit a share of the deposit (`Sealing::forfeit_of`).
        ///
        /// # Errors
        /// `NotRegistered`, `NotSealed`, `IntervalNotOpen`, `UnknownArea`, `DepositTooLow`,
        /// `OfferExists`, `BookFull`, `CalleeFailed`.
        ///
        /// # Events
        /// `OfferCommitted`.
        #[ink(message, payable)]
        pub fn commit(&mut self, interval: IntervalIndex, commitment: Commitment) -> Result<()> {
            let account = self.env().caller();
            let participant = self.participant_of(account)?;
            let sealing = self.sealing.ok_or(Error::NotSealed)?;
            self.ensure_open(interval)?;
            let config = self.config_of(interval);
            if !config.auction.topology.contains(participant.area) {
                return Err(Error::UnknownArea);
            }
            let deposit = self.env().transferred_value();
            if deposit < sealing.penalty {
                return Err(Error::DepositTooLow);
            }
            self.reserve(interval, account, Some(commitment), deposit, &config)?;
            self.env().emit_event(OfferCommitted { interval, account });
            Ok(())
        }

        /// Reveals the caller's sealed offer for the ended interval `interval` within its
        /// reveal window: the offer enters the book if it hashes to the commitment, under the
        /// same rules as `sell` and `buy` in the interval's configuration (a buy's `price` is
        /// its limit), and if the deposit covers the offer's bond and, for a buy, its cover
        /// (`commit_deposit`). The interval's configuration is fixed, so no change after the
        /// commitment can refuse an honest reveal. A failed reveal changes nothing and may be
        /// retried within the window.
        ///
        /// # Errors
        /// `NotRegistered`, `NotSealed`, `ZeroEnergy`, `TooMuchEnergy`, `ExceedsCapacity`,
        /// `IntervalNotEnded`, `RevealClosed`, `NoCommitment`, `CommitmentMismatch`,
        /// `UnknownArea`, `PriceOutOfBounds`, `DepositTooLow`, `BookFull`, `Overflow`,
        /// `CalleeFailed`.
        ///
        /// # Events
        /// `OfferAccepted`.
        #[ink(message)]
        pub fn reveal(
            &mut self,
            interval: IntervalIndex,
            side: Side,
            energy_wh: EnergyWh,
            price: PricePerKwh,
            salt: Salt,
        ) -> Result<()> {
            let account = self.env().caller();
            let participant = self.participant_of(account)?;
            let sealing = self.sealing.ok_or(Error::NotSealed)?;
            check_energy(energy_wh)?;
            if !participant.capacity.admits(side, energy_wh) {
                return Err(Error::ExceedsCapacity);
            }
            if interval >= self.current_interval()? {
                return Err(Error::IntervalNotEnded);
            }
            if self.env().block_timestamp()
                >= self.timing.settles_at(interval, sealing.reveal_ms)?
            {
                return Err(Error::RevealClosed);
            }
            let market = self.env().account_id();
            let commitment =
                seal::commitment(&market, &account, interval, side, energy_wh, price, &salt);
            let deposit = outcome(
                self.p2g
                    .call_mut()
                    .unseal(interval, account, commitment)
                    .try_invoke(),
            )?;
            let offer = Offer {
                account,
                area: participant.area,
                side,
                energy_wh,
                price,
            };
            let config = self.config_of(interval);
            let import_wh = participant.capacity.import_wh;
            self.enter(interval, offer, Some(price), deposit, import_wh, &config)
        }

        /// Releases the commitment `account` did not reveal in `interval`, once the reveal
        /// window has closed; anyone may call. The deposit less the forfeit
        /// (`Sealing::forfeit_of`: `forfeit_bps` of the deposit, at least the penalty) is
        /// credited back, the forfeit to the grid operator (nothing is forfeited if the
        /// operator has removed the participant since). Returns the forfeit.
        ///
        /// # Errors
        /// `NotSealed`, `IntervalNotEnded`, `RevealOpen`, `NoCommitment`, `CalleeFailed`.
        ///
        /// # Events
        /// `Forfeited` from p2g.
        #[ink(message)]
        pub fn forfeit(&mut self, interval: IntervalIndex, account: AccountId) -> Result<Balance> {
            let sealing = self.sealing.ok_or(Error::NotSealed)?;
            self.ensure_settleable(interval)?;
            let sealing = self.participants.contains(account).then_some(sealing);
            let grid_operator = self.grid_operator(&self.config_of(interval));
            outcome(
                self.p2g
                    .call_mut()
                    .forfeit(interval, account, sealing, grid_operator)
                    .try_invoke(),
            )
        }

        /// Withdraws the caller's offer or commitment from the current interval `interval`;
        /// its deposit is credited back. At most `max_offers` offers may be cancelled per
        /// interval.
        ///
        /// # Errors
        /// `NotRegistered`, `IntervalNotOpen`, `NoOffer`, `CancelLimit`, `CalleeFailed`.
        ///
        /// # Events
        /// `OfferCancelled`.
        #[ink(message)]
        pub fn cancel(&mut self, interval: IntervalIndex) -> Result<()> {
            let account = self.env().caller();
            self.participant_of(account)?;
            self.ensure_open(interval)?;
            // Only open offers count against the cancel cap: a commitment has no slot.
            let max_cancels = match self.sealing {
                None => Some(self.config_of(interval).limits.max_cancels()),
                Some(_) => None,
            };
            if !self.withdraw_offer(interval, account, max_cancels)? {
                return Err(Error::NoOffer);
            }
            self.env().emit_event(OfferCancelled { interval, account });
            Ok(())
        }

        /// Pays the caller everything credited to it: refunds of deposits, earnings, and for
        /// the grid operator grid sales, fees and penalties. Returns the amount.
        ///
        /// # Errors
        /// `NothingToWithdraw`, `TransferFailed`, `CalleeFailed`.
        ///
        /// # Events
        /// `Withdrawn` from p2g.
        #[ink(message)]
        pub fn withdraw(&mut self) -> Result<Balance> {
            let account = self.env().caller();
            outcome(self.p2g.call_mut().withdraw(account).try_invoke())
        }

        /// Adds the value sent to the grid deposit, from which feed-in (residual surplus sold to
        /// the grid) is paid, and pays the feed-in claims waiting, oldest first (at most
        /// `p2g::MAX_CLAIMS_PER_CALL`; `pay_claims` pays more). Anyone may fund; it is the grid
        /// operator's duty. Returns the grid deposit left.
        ///
        /// # Errors
        /// `ZeroAmount`, `CalleeFailed`.
        ///
        /// # Events
        /// `GridFunded` and `ClaimPaid` from p2g.
        #[ink(message, payable)]
        pub fn fund_grid(&mut self) -> Result<Balance> {
            let amount = self.env().transferred_value();
            outcome(
                self.p2g
                    .call_mut()
                    .fund_grid()
                    .transferred_value(amount)
                    .try_invoke(),
            )
        }

        /// Pays feed-in claims waiting out of the grid deposit, oldest first, at most
        /// `p2g::MAX_CLAIMS_PER_CALL` per call; anyone may call. Returns how many still wait
        /// (p2g's `claims` and `claim_of` list them).
        ///
        /// # Errors
        /// `CalleeFailed`.
        ///
        /// # Events
        /// `ClaimPaid` from p2g.
        #[ink(message)]
        pub fn pay_claims(&mut self) -> Result<u32> {
            outcome(
                self.p2g
                    .call_mut()
                    .pay_claims(p2g::MAX_CLAIMS_PER_CALL)
                    .try_invoke(),
            )
        }

        /// What `account` may withdraw, balance units.
        #[ink(message)]
        pub fn credit_of(&self, account: AccountId) -> Balance {
            self.p2g.credit_of(account)
        }

        /// Takes one step towards closing an ended interval (in sealed mode, once its reveal
        /// window has closed); anyone may call, until it reports
        /// `Closed`. Each step does at most the configured `step_items` items of work: p2p
        /// prices and matches the book (uniform price, area-ordered matching), then hands the
        /// final positions to p2g, which buys every residual deficit from the grid, takes every
        /// residual surplus, bills everyone and credits refunds and earnings. The last step
        /// records the result. Every step uses the interval's configuration. Feed-in the grid
        /// deposit cannot pay becomes a claim (see `pay_claims`), so no close waits for it.
        ///
        /// # Errors
        /// `IntervalNotEnded`, `RevealOpen`, `AlreadyCleared`, `Overflow`, `CalleeFailed`.
        ///
        /// # Events
        /// `IntervalCleared` here on the last step, `TradeExecuted` from p2p, `GridSettled`
        /// and `FeedInOwed` from p2g.
        #[ink(message)]
        pub fn close_interval(&mut self, interval: IntervalIndex) -> Result<CloseProgress> {
            self.close(interval, None)
        }

        /// `close_interval` with a budget of at most `max_items` (capped at the configured
        /// `step_items`): for callers who want smaller, cheaper steps.
        ///
        /// # Errors
        /// `ZeroBudget`, and those of `close_interval`.
        ///
        /// # Events
        /// Those of `close_interval`.
        #[ink(message)]
        pub fn close_step(
            &mut self,
            interval: IntervalIndex,
            max_items: u32,
        ) -> Result<CloseProgress> {
            if max_items == 0 {
                return Err(Error::ZeroBudget);
            }
            self.close(interval, Some(max_items))
        }

        /// The config's `step_items`, or fewer if the caller asks for fewer.
        fn close(
            &mut self,
            interval: IntervalIndex,
            max_items: Option<u32>,
        ) -> Result<CloseProgress> {
            self.ensure_settleable(interval)?;
            if is_filled(self.results.get(interval)) {
                return Err(Error::AlreadyCleared);
            }
            let config = self.config_of(interval);
            let budget = max_items.map_or(config.limits.step_items, |max| {
                max.min(config.limits.step_items)
            });
            let step = outcome(
                self.p2p
                    .call_mut()
                    .auction_step(interval, config.auction.clone(), budget)
                    .try_invoke(),
            )?;
            let Some(book) = step.result else {
                if !step.positions.is_empty() {
                    self.settle_batch(interval, step.price, step.positions, &config, false)?;
                }
                return Ok(CloseProgress::InProgress { used: step.used });
            };
            let grid = self.settle_batch(interval, step.price, step.positions, &config, true)?;
            let result = IntervalResult {
                price: book.price,
                p2p_volume_wh: book.volume_wh,
                grid_import_wh: grid.totals.import_wh,
                grid_export_wh: grid.totals.export_wh,
                grid_price: grid.grid_price,
                feed_in_price: grid.feed_in_price,
                offers: book.offers,
                trades: book.trades,
            };
            self.results
                .insert(interval, &Reserved::filled(result.clone()));
            self.env().emit_event(IntervalCleared {
                interval,
                price: result.price,
                p2p_volume_wh: result.p2p_volume_wh,
                grid_import_wh: result.grid_import_wh,
                grid_export_wh: result.grid_export_wh,
            });
            Ok(CloseProgress::Closed(result))
        }

        /// Submits meter readings for the closed, metered interval `interval`, as the meter
        /// of each participant named (its own meter account, or the market's metering operator
        /// for a participant without one), within the metering window: from the close until
        /// `window_ms` after it. Each reading is settled at once against what cleared
        /// (`market::metering`): a shortfall is bought at the imbalance price, an excess sold at
        /// the imbalance feed-in price, and the participant's held refund and earnings, less
        /// the charge, are credited. At most `MAX_SETTLEMENTS_PER_CALL` (50) readings; all or
        /// nothing. Returns the interval's metering status.
        ///
        /// # Errors
        /// `NotMetered`, `NoReadings`, `TooManyReadings`, `NotRegistered`, `NotMeter`,
        /// `ReadingAboveCapacity`, `NotCleared`, `MeteringClosed`, `NoPosition`,
        /// `DuplicateReading`, `Overflow`, `CalleeFailed`.
        ///
        /// # Events
        /// `Metered` and `ImbalanceSettled` from p2g for each reading, `FeedInOwed` for a
        /// credit the grid deposit could not pay.
        #[ink(message)]
        pub fn submit_readings(
            &mut self,
            interval: IntervalIndex,
            readings: Vec<(AccountId, Reading)>,
        ) -> Result<MeterStatus> {
            let config = self.config_of(interval);
            let metering = config.metering.ok_or(Error::NotMetered)?;
            if readings.is_empty() {
                return Err(Error::NoReadings);
            }
            if u32::try_from(readings.len()).map_or(true, |count| count > MAX_SETTLEMENTS_PER_CALL)
            {
                return Err(Error::TooManyReadings);
            }
            let caller = self.env().caller();
            for (account, reading) in &readings {
                let participant = self.participant_of(*account)?;
                if !metering.may_submit(participant.meter, &caller) {
                    return Err(Error::NotMeter);
                }
                let capacity = participant.capacity;
                if reading.delivered_wh > capacity.export_wh
                    || reading.consumed_wh > capacity.import_wh
                {
                    return Err(Error::ReadingAboveCapacity);
                }
            }
            let key = self.interval_key(interval)?;
            let grid_operator = self.grid_operator(&config);
            outcome(
                self.p2g
                    .call_mut()
                    .meter(key, readings, metering, grid_operator)
                    .try_invoke(),
            )
        }

        /// Settles, after the metering deadline of `interval`, the imbalances of participants
        /// whose reading is missing, by the market's default (`Metering::missing`), walking up
        /// to `MAX_SETTLEMENTS_PER_CALL` of the interval's offers per call; anyone may call
        /// until the status is complete. Returns the interval's metering status.
        ///
        /// # Errors
        /// `NotMetered`, `NotCleared`, `ImbalancesSettled`, `MeteringOpen`, `Overflow`,
        /// `CalleeFailed`.
        ///
        /// # Events
        /// `ImbalanceSettled` from p2g for each participant settled.
        #[ink(message)]
        pub fn settle_imbalances(&mut self, interval: IntervalIndex) -> Result<MeterStatus> {
            let config = self.config_of(interval);
            let metering = config.metering.ok_or(Error::NotMetered)?;
            let status = self
                .p2g
                .metering_status(interval)
                .ok_or(Error::NotCleared)?;
            if status.complete() {
                return Err(Error::ImbalancesSettled);
            }
            let (accounts, next_slot) =
                self.p2p
                    .offer_accounts(interval, status.next_slot, MAX_SETTLEMENTS_PER_CALL);
            let key = self.interval_key(interval)?;
            let grid_operator = self.grid_operator(&config);
            outcome(
                self.p2g
                    .call_mut()
                    .settle_missing(key, accounts, next_slot, metering, grid_operator)
                    .try_invoke(),
            )
        }

        /// Where the metering of `interval` stands: its deadline, positions, readings and
        /// defaults settled, and its imbalance totals; `None` unless it was (partly) settled
        /// under metering. Readings themselves: p2g's `reading`.
        #[ink(message)]
        pub fn metering_status(&self, interval: IntervalIndex) -> Option<MeterStatus> {
            self.p2g.metering_status(interval)
        }

        /// The operator's account.
        #[ink(message)]
        pub fn operator(&self) -> AccountId {
            self.operator
        }

        /// The newest configuration: the one the operator set last, which governs the intervals
        /// from the one after its update on (`config_at` gives any interval's).
        #[ink(message)]
        pub fn config(&self) -> MarketConfig {
            self.newest_config()
        }

        /// The configuration that governs `interval`: the one in force when it started.
        #[ink(message)]
        pub fn config_at(&self, interval: IntervalIndex) -> MarketConfig {
            self.config_of(interval)
        }

        /// The code hashes of main, p2p and p2g as the chain runs them, for clients to compare
        /// with the bundles they trust: a main paired with any other p2p or p2g shows here.
        ///
        /// # Errors
        /// `CalleeFailed` if the chain knows no code for one of them.
        #[ink(message)]
        pub fn code_hashes(&self) -> Result<CodeHashes> {
            let code_of = |contract: &AccountId| {
                self.env()
                    .code_hash(contract)
                    .map_err(|_| Error::CalleeFailed)
            };
            Ok(CodeHashes {
                main: self
                    .env()
                    .own_code_hash()
                    .map_err(|_| Error::CalleeFailed)?,
                p2p: code_of(&ink::ToAccountId::to_account_id(&self.p2p))?,
                p2g: code_of(&ink::ToAccountId::to_account_id(&self.p2g))?,
            })
        }

        /// The market clock: start of interval 0 (ms since the epoch) and interval length (ms).
        #[ink(message)]
        pub fn timing(&self) -> Timing {
            self.timing
        }

        /// The p2p contract's address.
        #[ink(message)]
        pub fn p2p_address(&self) -> AccountId {
            ink::ToAccountId::to_account_id(&self.p2p)
        }

        /// The p2g contract's address.
        #[ink(message)]
        pub fn p2g_address(&self) -> AccountId {
            ink::ToAccountId::to_account_id(&self.p2g)
        }

        /// A participant's registration, `None` if not registered.
        #[ink(message)]
        pub fn participant(&self, account: AccountId) -> Option<Participant> {
            self.participants.get(account)
        }

        /// Number of registered participants.
        #[ink(message)]
        pub fn participant_count(&self) -> u32 {
            self.participant_count
        }

        /// The interval open for offers now.
        ///
        /// # Errors
        /// `IntervalNotOpen` if the block time lies before the market's start.
        #[ink(message)]
        pub fn current_interval(&self) -> Result<IntervalIndex> {
            Ok(self.timing.interval_at(self.env().block_timestamp())?)
        }

        /// Where an interval stands: `Future`, `Open`, `Revealing` (sealed mode), `Ended`
        /// (closable) or `Cleared`.
        #[ink(message)]
        pub fn interval_state(&self, interval: IntervalIndex) -> IntervalState {
            self.timing.state(
                interval,
                self.env().block_timestamp(),
                self.reveal_ms(),
                is_filled(self.results.get(interval)),
            )
        }

        /// Number of offers in an interval's book (the book is closed: no prices).
        #[ink(message)]
        pub fn offer_count(&self, interval: IntervalIndex) -> u32 {
            self.p2p.offer_count(interval)
        }

        /// The result of a cleared interval, `None` before.
        #[ink(message)]
        pub fn interval_result(&self, interval: IntervalIndex) -> Option<IntervalResult> {
            filled_value(self.results.get(interval))
        }

        /// Up to 100 P2P trades of a cleared interval from index `from` on, in matching order
        /// (`IntervalResult::trades` says how many there are). One participant's trades: p2p's
        /// `trades_of`, or these filtered (main leaves that query out to stay under 32 KiB,
        /// since every call pays for loading main's code).
        #[ink(message)]
        pub fn trades(&self, interval: IntervalIndex, from: u32, max: u32) -> Vec<Trade> {
            self.p2p.trades(interval, from, max)
        }

        /// A participant's bill for a cleared interval (P2P and grid lines).
        #[ink(message)]
        pub fn bill(&self, account: AccountId, interval: IntervalIndex) -> Option<Bill> {
            self.p2g.bill(account, interval)
        }

        /// A participant's bill for a UTC calendar month, `year * 100 + month` (e.g. 202611).
        #[ink(message)]
        pub fn monthly_bill(&self, account: AccountId, month: MonthKey) -> Option<Bill> {
            self.p2g.monthly_bill(account, month)
        }

        /// The grid's selling price per kWh in a UTC hour (peak and off-peak applied) under
        /// the configuration of the interval open now.
        ///
        /// # Errors
        /// `InvalidTariff` for an hour outside 0..24, `IntervalNotOpen` before the start.
        #[ink(message)]
        pub fn grid_price(&self, hour: u8) -> Result<PricePerKwh> {
            let current = self.current_interval()?;
            Ok(self.config_of(current).tariff.grid_price(hour)?)
        }
    }
}
