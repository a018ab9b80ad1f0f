//! The three market contracts, deployed from their built bundles into drink's in-process
//! runtime, behind typed calls.
//!
//! Arguments are SCALE-encoded through the contracts' own call builders (so a signature change
//! breaks the build, not a test at run time) and results decode into the contracts' own types.
//! Calls go straight to the sandbox, without drink's `Session`, whose call record grows with
//! every call: a year-long simulation would hold it all.

use std::path::{Path, PathBuf};

use drink::{
    minimal::{MinimalSandbox, MinimalSandboxRuntime, RuntimeEvent},
    pallet_contracts::{self, Determinism},
    sandbox_api::prelude::*,
    session::ContractBundle,
    AccountId32, Sandbox, Weight,
};
use ink::{
    codegen::TraitCallBuilder,
    env::{call::FromAccountId, DefaultEnvironment, Event},
    primitives::{AccountId, Hash},
};
use main::MainRef;
use market::{
    seal::{Commitment, Salt},
    AreaId, Balance, Capacity, EnergyWh, IntervalIndex, MarketConfig, PricePerKwh, Side, Trade,
};
use p2g::P2gRef;
use scale::{Decode, Encode};

pub use drink;

/// Balance minted to every actor: plenty for storage deposits.
const ACTOR_FUNDS: u128 = 1_000_000_000_000_000;

/// What can go wrong driving the sandbox (not the contracts' own typed errors).
#[derive(Debug)]
pub enum HarnessError {
    /// A `.contract` bundle is missing or unreadable.
    Bundle(PathBuf, String),
    /// The pallet refused to upload or instantiate.
    Deploy(String),
    /// The pallet refused the call before the contract ran (gas, funds, no contract).
    Dispatch(String),
    /// The contract trapped or returned bytes that do not decode.
    Decode(String),
    /// main refused a setup call of [`Community::deploy`] (what, and main's error).
    Refused(String, main::Error),
}

impl std::fmt::Display for HarnessError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HarnessError::Bundle(path, why) => write!(
                f,
                "cannot load {}: {why} (build the contracts with scripts/build-contracts.sh)",
                path.display()
            ),
            HarnessError::Deploy(why) => write!(f, "deployment failed: {why}"),
            HarnessError::Dispatch(why) => write!(f, "call dispatch failed: {why}"),
            HarnessError::Decode(why) => write!(f, "cannot decode the call's output: {why}"),
            HarnessError::Refused(what, error) => write!(f, "{what} refused: {error:?}"),
        }
    }
}

impl std::error::Error for HarnessError {}

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

/// Declares [`MarketEvent`] and the sandbox's decoder from one list: each contract, then each
/// of its events with the variant that carries it. A new event is one line here. (Typed
/// decoding needs the contracts' Rust types, which the bundles' metadata does not carry;
/// Cardinal's `ink-wrapper`, which generates such code from metadata, targets ink! 4 and
/// drink 0.8 and builds only on a 2023 nightly, so it does not fit ink! 5.1 and drink 0.18.)
macro_rules! market_events {
    ($($contract:ident { $($(#[doc = $doc:literal])* $variant:ident($event:ty),)* })*) => {
        /// An event of one of the three contracts, decoded into the contract's own type.
        #[derive(Debug, PartialEq, Eq)]
        pub enum MarketEvent {
            $($($(#[doc = $doc])* $variant($event),)*)*
        }

        impl MarketSandbox {
            /// The market event in `record`: one of the three contracts' events whose signature
            /// topic and data decode as one of the types above.
            fn decode_event(
                &self,
                record: &ink_sandbox::EventRecordOf<MinimalSandboxRuntime>,
            ) -> Option<MarketEvent> {
                let RuntimeEvent::Contracts(pallet_contracts::Event::ContractEmitted {
                    contract,
                    data,
                }) = &record.event
                else {
                    return None;
                };
                let topic = record.topics.first()?.to_fixed_bytes();
                $(
                    if *contract == self.$contract {
                        $(
                            if <$event as Event>::SIGNATURE_TOPIC.as_ref() == Some(&topic) {
                                return <$event>::decode(&mut &data[..]).ok().map(MarketEvent::$variant);
                            }
                        )*
                    }
                )*
                None
            }
        }
    };
}

market_events! {
    main {
        /// main: a participant was registered.
        ParticipantRegistered(main::ParticipantRegistered),
        /// main: a participant was removed.
        ParticipantRemoved(main::ParticipantRemoved),
        /// main: the configuration was replaced.
        ConfigUpdated(main::ConfigUpdated),
        /// main: an offer entered the book.
        OfferAccepted(main::OfferAccepted),
        /// main: an offer left the book.
        OfferCancelled(main::OfferCancelled),
        /// main: a sealed offer was committed.
        OfferCommitted(main::OfferCommitted),
        /// main: an interval was cleared.
        IntervalCleared(main::IntervalCleared),
    }
    p2p {
        /// p2p: a trade.
        TradeExecuted(p2p::TradeExecuted),
    }
    p2g {
        /// p2g: a residual settled with the grid.
        GridSettled(p2g::GridSettled),
        /// p2g: a credit was withdrawn.
        Withdrawn(p2g::Withdrawn),
        /// p2g: the grid deposit was topped up.
        GridFunded(p2g::GridFunded),
        /// p2g: an unrevealed commitment was released.
        Forfeited(p2g::Forfeited),
        /// p2g: feed-in the grid deposit could not pay became a claim.
        FeedInOwed(p2g::FeedInOwed),
        /// p2g: a feed-in claim was (partly) paid.
        ClaimPaid(p2g::ClaimPaid),
    }
}

/// A call's value, whether the contract reverted, what it cost and what it emitted.
#[derive(Debug)]
pub struct Outcome<T> {
    /// The message's return value.
    pub value: T,
    /// Whether the contract reverted (all its state changes were discarded).
    pub reverted: bool,
    /// Weight consumed.
    pub weight: Weight,
    /// Events of the market's contracts, in emission order.
    pub events: Vec<MarketEvent>,
    /// Contract calls made (more than one for a stepped close).
    pub steps: u32,
}

/// A deployed market in its own sandbox.
pub struct MarketSandbox {
    sandbox: MinimalSandbox,
    operator: AccountId32,
    main: AccountId32,
    p2p: AccountId32,
    p2g: AccountId32,
    gas_limit: Weight,
}

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

/// An ink! account id as the sandbox's account id.
pub fn chain_account(account: &AccountId) -> AccountId32 {
    AccountId32::new(*account.as_ref())
}

/// A sandbox account id as ink!'s account id.
pub fn ink_account(account: &AccountId32) -> AccountId {
    AccountId::from(*<AccountId32 as AsRef<[u8; 32]>>::as_ref(account))
}

/// The `n`-th test actor: `[n; 32]` (1 is the sandbox's funded default account).
pub fn actor(n: u8) -> AccountId {
    AccountId::from([n; 32])
}

impl MarketSandbox {
    /// Uploads p2p and p2g, instantiates main (which instantiates them) with `config` at block
    /// time `now_ms`, as `operator`.
    ///
    /// # Errors
    /// [`HarnessError::Deploy`] if an upload or the instantiation fails or reverts; the revert
    /// data is decoded as main's `Error`.
    pub fn deploy(
        bundles: &Bundles,
        config: &MarketConfig,
        operator: AccountId,
        now_ms: u64,
    ) -> Result<Self, HarnessError> {
        let mut sandbox = MinimalSandbox::default();
        let operator = chain_account(&operator);
        sandbox
            .mint_into(&operator, ACTOR_FUNDS)
            .map_err(|error| HarnessError::Deploy(format!("funding the operator: {error:?}")))?;
        sandbox.build_block();
        sandbox.set_timestamp(now_ms);
        let mut upload = |bundle: &ContractBundle| {
            sandbox
                .upload_contract(
                    bundle.wasm.clone(),
                    operator.clone(),
                    None,
                    Determinism::Enforced,
                )
                .map(|uploaded| Hash::from(uploaded.code_hash.to_fixed_bytes()))
                .map_err(|error| HarnessError::Deploy(format!("upload: {error:?}")))
        };
        let p2p_code = upload(&bundles.p2p)?;
        let p2g_code = upload(&bundles.p2g)?;
        let mut data = ink::selector_bytes!("new").to_vec();
        (config, p2p_code, p2g_code).encode_to(&mut data);
        let gas_limit = Weight::from_parts(u64::MAX / 4, u64::MAX / 4);
        let result = sandbox.deploy_contract(
            bundles.main.wasm.clone(),
            0,
            data,
            Vec::new(),
            operator.clone(),
            gas_limit,
            None,
        );
        let instantiated = result
            .result
            .map_err(|error| HarnessError::Deploy(format!("{error:?}")))?;
        if instantiated.result.did_revert() {
            let error = ink::ConstructorResult::<Result<(), main::Error>>::decode(
                &mut &instantiated.result.data[..],
            );
            return Err(HarnessError::Deploy(format!("main reverted: {error:?}")));
        }
        let main = instantiated.account_id;
        // Calls report the events of the block so far: start them from none.
        sandbox.reset_events();
        let mut market = Self {
            sandbox,
            operator,
            p2p: main.clone(),
            p2g: main.clone(),
            main,
            gas_limit,
        };
        market.p2p = chain_account(&market.read(|main| main.p2p_address())?);
        market.p2g = chain_account(&market.read(|main| main.p2g_address())?);
        Ok(market)
    }

    /// Sets the weight limit of every following call (default: practically unlimited).
    pub fn set_gas_limit(&mut self, limit: Weight) {
        self.gas_limit = limit;
    }

    /// The operator's account.
    pub fn operator(&self) -> AccountId {
        ink_account(&self.operator)
    }

    /// main's address.
    pub fn main_address(&self) -> AccountId {
        ink_account(&self.main)
    }

    /// p2p's address.
    pub fn p2p_address(&self) -> AccountId {
        ink_account(&self.p2p)
    }

    /// p2g's address.
    pub fn p2g_address(&self) -> AccountId {
        ink_account(&self.p2g)
    }

    /// Gives `account` funds for storage deposits.
    ///
    /// # Errors
    /// [`HarnessError::Dispatch`] if minting fails.
    pub fn fund(&mut self, account: AccountId) -> Result<(), HarnessError> {
        self.mint(account, ACTOR_FUNDS)
    }

    /// Mints `amount` into `account`.
    ///
    /// # Errors
    /// [`HarnessError::Dispatch`] if the runtime refuses.
    pub fn mint(&mut self, account: AccountId, amount: Balance) -> Result<(), HarnessError> {
        self.sandbox
            .mint_into(&chain_account(&account), amount)
            .map(|_| ())
            .map_err(|error| HarnessError::Dispatch(format!("{error:?}")))
    }

    /// Sets the block time to `now_ms`, within the current block. Building a block per step
    /// would make the runtime compute a storage root over every change since the session
    /// began (the sandbox never commits its overlay), which grows with the run: a year of
    /// hourly intervals slowed down quadratically. The contracts read only the timestamp.
    pub fn set_time(&mut self, now_ms: u64) {
        self.sandbox.set_timestamp(now_ms);
    }

    /// Calls `contract` as `caller`, transferring `value`, with encoded `input` and decodes the
    /// message's return value.
    ///
    /// # Errors
    /// [`HarnessError::Dispatch`] if the pallet refuses the call, [`HarnessError::Decode`] if
    /// the contract trapped or its output does not decode as `T`.
    pub fn call_raw<T: Decode>(
        &mut self,
        contract: &AccountId32,
        caller: &AccountId,
        value: Balance,
        input: Vec<u8>,
    ) -> Result<Outcome<T>, HarnessError> {
        let (data, outcome) = self.call_bytes(contract, caller, value, input)?;
        let value = ink::MessageResult::<T>::decode(&mut &data[..])
            .map_err(|error| HarnessError::Decode(format!("{error}: {data:?}")))?
            .map_err(|error| HarnessError::Decode(format!("{error:?}")))?;
        Ok(Outcome {
            value,
            reverted: outcome.reverted,
            weight: outcome.weight,
            events: outcome.events,
            steps: 1,
        })
    }

    /// The call itself, kept free of type parameters: the runtime's generic code is then
    /// instantiated (and optimised, see the workspace's profile) in this crate, not in each
    /// caller.
    fn call_bytes(
        &mut self,
        contract: &AccountId32,
        caller: &AccountId,
        value: Balance,
        input: Vec<u8>,
    ) -> Result<(Vec<u8>, Outcome<()>), HarnessError> {
        let result = self.sandbox.call_contract(
            contract.clone(),
            value,
            input,
            chain_account(caller),
            self.gas_limit,
            None,
            Determinism::Enforced,
        );
        let executed = result
            .result
            .map_err(|error| HarnessError::Dispatch(format!("{error:?}")))?;
        let records = result.events.unwrap_or_default();
        let events = records
            .iter()
            .filter_map(|record| self.decode_event(record))
            .collect();
        self.forget_events(&records);
        let outcome = Outcome {
            value: (),
            reverted: executed.did_revert(),
            weight: result.gas_consumed,
            events,
            steps: 1,
        };
        Ok((executed.data, outcome))
    }

    /// Removes the events of the block so far, so that the next call reports its own only and
    /// a long run does not accumulate them. The pallet's `reset_events` would do it, but it
    /// clears the topic index with a prefix scan over every change the sandbox holds (it never
    /// commits them), deleted topics included: a scan that grows with every interval of a run.
    /// Removing the topics just emitted, by key, costs the same at the end of a year as at its
    /// start.
    fn forget_events(&mut self, records: &[ink_sandbox::EventRecordOf<MinimalSandboxRuntime>]) {
        use drink::frame_support::{
            storage::{storage_prefix, unhashed},
            Blake2_128Concat, StorageHasher,
        };
        self.sandbox.execute_with(|| {
            unhashed::kill(&storage_prefix(b"System", b"Events"));
            unhashed::kill(&storage_prefix(b"System", b"EventCount"));
            let topics = storage_prefix(b"System", b"EventTopics");
            for topic in records.iter().flat_map(|record| &record.topics) {
                let mut key = topics.to_vec();
                key.extend(Blake2_128Concat::hash(topic.as_ref()));
                unhashed::kill(&key);
            }
        });
    }

    /// Uploads and instantiates another contract in this sandbox as the operator (for example
    /// a benchmark's yardstick); `constructor` is the encoded selector and arguments.
    ///
    /// # Errors
    /// [`HarnessError::Deploy`] if the upload or instantiation fails or reverts.
    pub fn instantiate(
        &mut self,
        bundle: &ContractBundle,
        constructor: Vec<u8>,
        salt: Vec<u8>,
    ) -> Result<AccountId, HarnessError> {
        let result = self.sandbox.deploy_contract(
            bundle.wasm.clone(),
            0,
            constructor,
            salt,
            self.operator.clone(),
            self.gas_limit,
            None,
        );
        let instantiated = result
            .result
            .map_err(|error| HarnessError::Deploy(format!("{error:?}")))?;
        if instantiated.result.did_revert() {
            return Err(HarnessError::Deploy("the constructor reverted".into()));
        }
        self.sandbox.reset_events();
        Ok(ink_account(&instantiated.account_id))
    }

    /// Calls a payable main message as `caller`, transferring `value`.
    ///
    /// # Errors
    /// As [`MarketSandbox::call_raw`].
    pub fn call_main_paying<T: Decode, Args: Encode, R>(
        &mut self,
        caller: AccountId,
        value: Balance,
        build: impl FnOnce(&mut MainRef) -> Message<Args, R>,
    ) -> Result<Outcome<T>, HarnessError> {
        let main = self.main.clone();
        self.call_built(&main, caller, value, build)
    }

    /// Calls a p2g message directly, as `caller` (queries, and attempts to bypass main).
    ///
    /// # Errors
    /// As [`MarketSandbox::call_raw`].
    pub fn call_p2g<T: Decode, Args: Encode, R>(
        &mut self,
        caller: AccountId,
        build: impl FnOnce(&mut P2gRef) -> Message<Args, R>,
    ) -> Result<Outcome<T>, HarnessError> {
        let p2g = self.p2g.clone();
        self.call_built(&p2g, caller, 0, build)
    }

    /// Calls a p2p message directly, as `caller` (attempts to bypass main).
    ///
    /// # Errors
    /// As [`MarketSandbox::call_raw`].
    pub fn call_p2p<T: Decode, Args: Encode, R>(
        &mut self,
        caller: AccountId,
        build: impl FnOnce(&mut p2p::P2pRef) -> Message<Args, R>,
    ) -> Result<Outcome<T>, HarnessError> {
        let p2p = self.p2p.clone();
        self.call_built(&p2p, caller, 0, build)
    }

    /// Calls the message that `build` makes with the contract reference of `contract`.
    fn call_built<Ref: FromAccountId<DefaultEnvironment>, T: Decode, Args: Encode, R>(
        &mut self,
        contract: &AccountId32,
        caller: AccountId,
        value: Balance,
        build: impl FnOnce(&mut Ref) -> Message<Args, R>,
    ) -> Result<Outcome<T>, HarnessError> {
        let mut reference = Ref::from_account_id(ink_account(contract));
        let input = build(&mut reference).params().exec_input().encode();
        self.call_raw(contract, &caller, value, input)
    }

    /// An account's free balance.
    pub fn balance(&mut self, account: AccountId) -> Balance {
        self.sandbox.free_balance(&chain_account(&account))
    }

    /// A fingerprint of the three contracts' state: each one's storage root and account info
    /// (storage counters and deposits). Equal fingerprints mean no contract storage changed.
    pub fn state_digest(&mut self) -> Vec<u8> {
        use drink::frame_support::{
            sp_runtime::StateVersion,
            storage::{child, storage_prefix, unhashed},
            StorageHasher, Twox64Concat,
        };
        let contracts = [self.main.clone(), self.p2p.clone(), self.p2g.clone()];
        self.sandbox.execute_with(|| {
            let mut digest = Vec::new();
            for contract in &contracts {
                // `Contracts::ContractInfoOf` is private to the pallet: read it raw. Its value
                // starts with the trie id of the contract's storage.
                let mut key = storage_prefix(b"Contracts", b"ContractInfoOf").to_vec();
                key.extend(Twox64Concat::hash(contract.as_ref()));
                let info = unhashed::get_raw(&key).unwrap_or_default();
                let trie_id = Vec::<u8>::decode(&mut &info[..]).unwrap_or_default();
                let storage = child::ChildInfo::new_default(&trie_id);
                digest.extend(child::root(&storage, StateVersion::V1));
                digest.extend(info);
            }
            digest
        })
    }

    /// The chain's existential deposit.
    pub fn existential_deposit(&self) -> Balance {
        use drink::frame_support::traits::Get;
        <MinimalSandboxRuntime as drink::pallet_balances::Config>::ExistentialDeposit::get()
    }
}

/// A message built by a contract's call builder: what the driver's `call_*` take.
pub type Message<Args, R> = ink::env::call::CallBuilder<
    DefaultEnvironment,
    ink::env::call::utils::Set<ink::env::call::Call<DefaultEnvironment>>,
    ink::env::call::utils::Set<ink::env::call::ExecutionInput<Args>>,
    ink::env::call::utils::Set<ink::env::call::utils::ReturnType<R>>,
>;

/// The result of a main message that returns `Result<T, main::Error>`.
pub type MainOutcome<T> = Outcome<Result<T, main::Error>>;

/// main's call builder: one method per message, generated by ink! from the contract (the same
/// source its metadata comes from). [`MarketSandbox::tx`] and [`MarketSandbox::read`] take a
/// closure over it, so a new message needs nothing here.
pub type MainCalls = <MainRef as TraitCallBuilder>::Builder;

/// p2g's call builder (queries, and attempts to bypass main).
pub type P2gCalls = <P2gRef as TraitCallBuilder>::Builder;

/// Messages of main, sent through its generated call builder, and the helpers that combine
/// several calls.
impl MarketSandbox {
    /// Sends the main message `build` makes, as `caller`: e.g.
    /// `market.tx(home, |main| main.sell(interval, 1_000, 100_000))`.
    ///
    /// # Errors
    /// As [`MarketSandbox::call_raw`].
    pub fn tx<T: Decode, Args: Encode>(
        &mut self,
        caller: AccountId,
        build: impl FnOnce(&mut MainCalls) -> Message<Args, Result<T, main::Error>>,
    ) -> Result<MainOutcome<T>, HarnessError> {
        self.tx_paying(caller, 0, build)
    }

    /// Sends the payable main message `build` makes, as `caller`, transferring `value`: e.g.
    /// `market.tx_paying(home, deposit, |main| main.buy(interval, 600, None))`.
    ///
    /// # Errors
    /// As [`MarketSandbox::call_raw`].
    pub fn tx_paying<T: Decode, Args: Encode>(
        &mut self,
        caller: AccountId,
        value: Balance,
        build: impl FnOnce(&mut MainCalls) -> Message<Args, Result<T, main::Error>>,
    ) -> Result<MainOutcome<T>, HarnessError> {
        self.call_main_paying(caller, value, |main: &mut MainRef| build(main.call_mut()))
    }

    /// Reads the main query `build` makes (as the operator; queries do not depend on the
    /// caller): e.g. `market.read(|main| main.credit_of(home))`.
    ///
    /// # Errors
    /// As [`MarketSandbox::call_raw`].
    pub fn read<T: Decode, Args: Encode>(
        &mut self,
        build: impl FnOnce(&mut MainCalls) -> Message<Args, T>,
    ) -> Result<T, HarnessError> {
        let operator = self.operator();
        self.call_main_paying::<T, Args, T>(operator, 0, |main: &mut MainRef| {
            build(main.call_mut())
        })
        .map(|outcome| outcome.value)
    }

    /// Reads the p2g query `build` makes: e.g. `market.read_p2g(|p2g| p2g.ledger())`.
    ///
    /// # Errors
    /// As [`MarketSandbox::call_raw`].
    pub fn read_p2g<T: Decode, Args: Encode>(
        &mut self,
        build: impl FnOnce(&mut P2gCalls) -> Message<Args, T>,
    ) -> Result<T, HarnessError> {
        let operator = self.operator();
        self.call_p2g::<T, Args, T>(operator, |p2g: &mut P2gRef| build(p2g.call_mut()))
            .map(|outcome| outcome.value)
    }

    /// `main.buy` with the deposit `main.buy_deposit` asks for (none if it refuses: `buy` then
    /// refuses with the same error, or a deposit error).
    ///
    /// # Errors
    /// As [`MarketSandbox::call_raw`].
    pub fn buy_covered(
        &mut self,
        caller: AccountId,
        interval: IntervalIndex,
        energy_wh: EnergyWh,
        limit: Option<PricePerKwh>,
    ) -> Result<MainOutcome<()>, HarnessError> {
        let deposit = self
            .read(|main| main.buy_deposit(interval, energy_wh, limit))?
            .unwrap_or(0);
        self.tx_paying(caller, deposit, |main| main.buy(interval, energy_wh, limit))
    }

    /// `main.close_interval(interval)` as `caller`, repeated until the interval is closed or a
    /// step fails. The outcome carries the last step's value, every step's events in order,
    /// the summed weight, and in `steps` how many calls it took.
    ///
    /// # Errors
    /// As [`MarketSandbox::call_raw`].
    pub fn close_interval(
        &mut self,
        caller: AccountId,
        interval: IntervalIndex,
    ) -> Result<MainOutcome<main::IntervalResult>, HarnessError> {
        let mut events = Vec::new();
        let mut weight = Weight::zero();
        let mut steps = 0;
        loop {
            let step = self.tx(caller, |main| main.close_interval(interval))?;
            steps += 1;
            events.extend(step.events);
            weight = weight.saturating_add(step.weight);
            let value = match step.value {
                Ok(main::CloseProgress::InProgress { .. }) => continue,
                Ok(main::CloseProgress::Closed(result)) => Ok(result),
                Err(error) => Err(error),
            };
            return Ok(Outcome {
                value,
                reverted: step.reverted,
                weight,
                events,
                steps,
            });
        }
    }

    /// The commitment to a sealed offer of `account` in this market (`market::seal::commitment`
    /// with main's address).
    pub fn commitment(
        &self,
        account: &AccountId,
        interval: IntervalIndex,
        side: Side,
        energy_wh: EnergyWh,
        price: PricePerKwh,
        salt: &Salt,
    ) -> Commitment {
        market::seal::commitment(
            &self.main_address(),
            account,
            interval,
            side,
            energy_wh,
            price,
            salt,
        )
    }

    /// All trades of an interval, read page by page with `main.trades(interval, from, max)`.
    ///
    /// # Errors
    /// As [`MarketSandbox::call_raw`].
    pub fn trades(&mut self, interval: IntervalIndex) -> Result<Vec<Trade>, HarnessError> {
        let mut trades = Vec::new();
        loop {
            let from = u32::try_from(trades.len()).unwrap_or(u32::MAX);
            let page = self.read(|main| main.trades(interval, from, p2p::MAX_PAGE))?;
            if page.is_empty() {
                return Ok(trades);
            }
            trades.extend(page);
        }
    }

    /// All trades of `account` in an interval: main's trades, filtered.
    ///
    /// # Errors
    /// As [`MarketSandbox::call_raw`].
    pub fn trades_of(
        &mut self,
        interval: IntervalIndex,
        account: AccountId,
    ) -> Result<Vec<Trade>, HarnessError> {
        let mut trades = self.trades(interval)?;
        trades.retain(|trade| trade.seller == account || trade.buyer == account);
        Ok(trades)
    }
}
