//! The sandbox a market lives in: deployment, accounts, time, and raw calls to the contracts.

use drink::{
    minimal::{MinimalSandbox, MinimalSandboxRuntime},
    pallet_contracts::Determinism,
    sandbox_api::prelude::*,
    session::ContractBundle,
    AccountId32, Sandbox, Weight,
};
use ink::{
    env::{call::FromAccountId, DefaultEnvironment},
    primitives::{AccountId, Hash},
};
use main::MainRef;
use market::{Balance, MarketConfig};
use p2g::P2gRef;
use scale::{Decode, Encode};

use crate::{chain_account, ink_account, Bundles, HarnessError, Outcome, ACTOR_FUNDS};

/// A deployed market in its own sandbox.
pub struct MarketSandbox {
    sandbox: MinimalSandbox,
    operator: AccountId32,
    pub(crate) main: AccountId32,
    pub(crate) p2p: AccountId32,
    pub(crate) p2g: AccountId32,
    gas_limit: Weight,
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
