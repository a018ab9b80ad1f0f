/**
 * polkadot.js client of the hybrid P2P electricity market: deploys the three ink! contracts
 * (main, p2p, p2g) from their built `.contract` bundles and wraps every message and query of
 * main, the market's single entry point.
 *
 * Conventions, chosen so that what a caller reads matches the contracts' Rust types and the
 * metadata JSON:
 * - Names are snake_case as in the metadata (`energy_wh`, `grid_import_wh`); polkadot.js
 *   camelCases them internally, this module maps them back.
 * - Integers of 64 bits and more (`u64` energy, intervals and timestamps, `u128` prices and
 *   money) are returned as `BigInt`, smaller ones (`u8` areas, `u32` counts and months) as
 *   `number`. Inputs accept `BigInt`, `number` or a decimal string.
 * - Accounts are returned as SS58 strings of the connected chain; inputs accept SS58 strings,
 *   keyring pairs or 32-byte public keys.
 * - Unit enum variants are strings (`'Sell'`, `'LowestAsk'`), variants with data are
 *   one-key objects (`{ Line: { areas: 3 } }`), `Option` is `null` or the value.
 *
 * - Money (deposits, credits, the grid deposit) is in the chain's native token, in its
 *   smallest units, as `BigInt`; a payable message's `value` is transferred with the call.
 *
 * A message is always dry-run first, carrying the value the transaction will carry: the dry run
 * gives the gas and storage deposit the transaction needs, and a typed `Err(Error::Variant)` is
 * thrown as a {@link ContractError} before anything is signed.
 *
 * This module runs in browsers as well as Node.js (the DApp in `app/` bundles it): it reads no
 * files and no environment. `market.mjs` is the Node.js entry point; it adds reading bundles
 * from `target/ink` and makes them the default of {@link Market.at} and {@link Market.deploy}.
 */
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import { Abi } from '@polkadot/api-contract';
import {
  Bytes,
  Enum,
  GenericAccountId,
  Null,
  Option,
  Result,
  Struct,
  Tuple,
  U8aFixed,
  Vec,
  VecFixed,
  bool as Bool,
} from '@polkadot/types';
import {
  bnToU8a,
  compactAddLength,
  hexToU8a,
  isHex,
  stringCamelCase,
  u8aConcat,
  u8aToHex,
} from '@polkadot/util';
import {
  blake2AsHex,
  blake2AsU8a,
  cryptoWaitReady,
  decodeAddress,
  randomAsU8a,
} from '@polkadot/util-crypto';

/** The three contracts, in the order they are uploaded. */
export const CONTRACT_NAMES = ['p2p', 'p2g', 'main'];

/** The order in which messages name the contracts: the entry point first. */
const SHOWN_ORDER = ['main', 'p2p', 'p2g'];

// ---------------------------------------------------------------------------------------------
// Bundles
// ---------------------------------------------------------------------------------------------

/**
 * A bundle from its parsed `.contract` JSON (metadata and Wasm together), checked: the Wasm must
 * hash to the code hash the metadata claims, so a stale or hand-edited bundle is caught before
 * it is uploaded or trusted. `file` names where it came from, for messages.
 *
 * @returns {{name: string, file: string, json: object, wasm: Uint8Array, codeHash: string}}
 */
export function bundleFromJson(name, json, file = `${name}.contract`) {
  if (!json?.source?.wasm || !json.source?.hash) {
    throw new Error(`${file} is not a full bundle: it has no source.wasm / source.hash`);
  }
  const wasm = hexToU8a(json.source.wasm);
  const codeHash = blake2AsHex(wasm, 256);
  if (codeHash !== json.source.hash) {
    throw new Error(`${file}: the Wasm hashes to ${codeHash}, the metadata says ${json.source.hash}`);
  }
  return { name, file, json, wasm, codeHash };
}

/** Checks that `bundles` holds all three contracts' bundles (a Market needs them). */
function requireBundles(bundles, what) {
  const missing = CONTRACT_NAMES.filter((name) => !bundles?.[name]?.json);
  if (missing.length > 0) {
    throw new TypeError(`${what}: pass { bundles } with the bundles of ${CONTRACT_NAMES.join(', ')} ` +
      `(missing: ${missing.join(', ')}; in Node.js, market.mjs loads them from target/ink)`);
  }
}

// ---------------------------------------------------------------------------------------------
// Connection and accounts
// ---------------------------------------------------------------------------------------------

/**
 * Connects to a node. Fails after `timeoutMs` instead of retrying forever (polkadot.js's
 * default), so a wrong URL is an error rather than a hang.
 */
export async function connect(url, { timeoutMs = 30_000 } = {}) {
  if (typeof url !== 'string' || !/^wss?:\/\//.test(url)) {
    throw new TypeError(`connect: the node's URL must be ws://... or wss://..., got ${url}`);
  }
  await cryptoWaitReady();
  const provider = new WsProvider(url, false);
  try {
    await withTimeout(provider.connect(), timeoutMs, `no node answers at ${url}`);
    const api = new ApiPromise({ provider, noInitWarn: true });
    await withTimeout(api.isReadyOrError, timeoutMs, `node at ${url} did not get ready`);
    return api;
  } catch (error) {
    await provider.disconnect().catch(() => {});
    throw new Error(`cannot connect to ${url}: ${error.message}`);
  }
}

/** `promise`, or a rejection after `ms`; the timer is always cleared so it cannot hold the process. */
async function withTimeout(promise, ms, message) {
  let timer;
  try {
    return await Promise.race([
      promise,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A keyring pair from a secret URI such as `//Alice` (sr25519, the dev chain's scheme). */
export function account(uri, ss58Format = 42) {
  return new Keyring({ type: 'sr25519', ss58Format }).addFromUri(uri);
}

/** The 32-byte public key behind an SS58 string, a keyring pair or raw bytes, as hex. */
export function accountHex(who) {
  if (who && typeof who === 'object' && 'address' in who) {
    // A keyring pair has its public key; an extension account `{address, signer}` only its address.
    return who.publicKey ? u8aToHex(who.publicKey) : u8aToHex(decodeAddress(who.address));
  }
  if (who instanceof Uint8Array) return u8aToHex(who);
  if (isHex(who) && who.length === 66) return who;
  return u8aToHex(decodeAddress(who));
}

function addressOf(who) {
  return who && typeof who === 'object' && 'address' in who ? who.address : who;
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/**
 * A contract message or constructor returned `Err(Error::Variant)`. `variant` is the variant's
 * name as in Rust (`'NotRegistered'`, `'CommitmentMismatch'`: main's errors are flat, a callee's
 * refusal surfaces as main's own variant). Should a variant carry data, `detail` holds it and the
 * message shows `Variant(detail)`. `code` is the variant as the message shows it.
 *
 * `meaning` is the variant's doc comment as the contract's metadata carries it ("The caller (or
 * the account named) is not a registered participant."), `detailMeaning` the inner variant's;
 * empty when the metadata has no docs. A user interface shows `code` and these.
 *
 * Usually thrown by the dry run, before anything is signed. If the dry run passed but the
 * transaction reverted in its block (the chain's state or clock moved in between), `reverted`
 * is true, `blockHash` names that block, and the variant comes from a dry run on it.
 */
export class ContractError extends Error {
  constructor(contract, message, variant, detail = null) {
    const shown = detail === null ? variant : `${variant}(${detail})`;
    super(`${contract}.${message} failed: ${shown}`);
    this.name = 'ContractError';
    this.contract = contract;
    this.messageName = message;
    this.variant = variant;
    this.detail = detail;
    this.code = shown;
    this.meaning = '';
    this.detailMeaning = '';
  }
}

/**
 * The chain refused or aborted a call outside the contract's typed errors: a dispatch error
 * (`contracts.ContractTrapped`, `contracts.OutOfGas`, ...), an ink! `LangError`, or a
 * transaction pool rejection. `reason` is e.g. `'contracts.ContractTrapped'`.
 */
export class ChainError extends Error {
  constructor(what, reason, debugMessage = '') {
    super(`${what} failed: ${reason}${debugMessage ? ` (${debugMessage})` : ''}`);
    this.name = 'ChainError';
    this.reason = reason;
    this.debugMessage = debugMessage;
  }
}

function dispatchErrorName(api, dispatchError) {
  if (dispatchError.isModule) {
    const { section, name } = api.registry.findMetaError(dispatchError.asModule);
    return `${section}.${name}`;
  }
  return dispatchError.toString();
}

/**
 * What each contract's `Error` variants mean: per contract, variant name -> `{doc, inner}`, where
 * `doc` is the variant's doc comment from the metadata and `inner` maps the variants of an error
 * a variant wraps, if any, to theirs.
 */
function errorMeanings(bundles) {
  const meanings = {};
  for (const name of CONTRACT_NAMES) {
    const { types } = bundles[name].json;
    const byId = new Map(types.map(({ id, type }) => [id, type]));
    const docOf = (item) => (item.docs ?? []).map((line) => line.trim()).join(' ').trim();
    const variantsOf = (type) => type?.def.variant?.variants ?? [];
    const error = types.find(({ type }) => type.path?.[0] === name && type.path.at(-1) === 'Error');
    const table = new Map();
    for (const variant of variantsOf(error?.type)) {
      const fields = variant.fields ?? [];
      const wrapped = fields.length === 1 ? byId.get(fields[0].type) : null;
      table.set(variant.name, {
        doc: docOf(variant),
        inner: new Map(variantsOf(wrapped).map((inner) => [inner.name, docOf(inner)])),
      });
    }
    meanings[name] = table;
  }
  return meanings;
}

// ---------------------------------------------------------------------------------------------
// Values: strict encoding of inputs, plain decoding of outputs
// ---------------------------------------------------------------------------------------------

/**
 * snake_case names of every struct field, enum field and argument in the bundles, keyed by the
 * camelCase form polkadot.js gives them. Names not in the map are kept as they are.
 */
function snakeNames(bundles) {
  const names = new Map();
  const add = (name) => name && names.set(stringCamelCase(name), name);
  for (const { json } of bundles) {
    for (const { type } of json.types) {
      for (const field of type.def.composite?.fields ?? []) add(field.name);
      for (const variant of type.def.variant?.variants ?? []) {
        for (const field of variant.fields ?? []) add(field.name);
      }
    }
    for (const event of json.spec.events) for (const arg of event.args) add(arg.label);
    for (const item of [...json.spec.messages, ...json.spec.constructors]) {
      for (const arg of item.args) add(arg.label);
    }
  }
  return names;
}

/**
 * Converts a decoded SCALE value into plain JavaScript (see the module's conventions). Order of
 * the checks matters: `Result` is an `Enum`, `GenericAccountId` a `U8aFixed`, `Bytes` a byte
 * array.
 */
function toPlain(codec, names) {
  if (codec instanceof Option) return codec.isSome ? toPlain(codec.unwrap(), names) : null;
  if (codec instanceof Result) {
    return codec.isOk ? { Ok: toPlain(codec.asOk, names) } : { Err: toPlain(codec.asErr, names) };
  }
  if (codec instanceof Enum) {
    return codec.value instanceof Null ? codec.type : { [codec.type]: toPlain(codec.value, names) };
  }
  if (codec instanceof Struct) {
    const out = {};
    for (const [key, value] of codec.entries()) out[names.get(key) ?? key] = toPlain(value, names);
    return out;
  }
  if (codec instanceof Tuple || codec instanceof Vec || codec instanceof VecFixed) {
    return codec.map((item) => toPlain(item, names));
  }
  if (codec instanceof GenericAccountId) return codec.toString();
  if (codec instanceof U8aFixed) return codec.toHex();
  if (codec instanceof Bytes) return Array.from(codec);
  if (codec instanceof Bool) return codec.isTrue;
  if (codec instanceof Null) return null;
  if (typeof codec.toBigInt === 'function' && typeof codec.bitLength === 'function') {
    return codec.bitLength() > 32 ? codec.toBigInt() : codec.toNumber();
  }
  return codec.toJSON();
}

/**
 * Deep equality of an input value and its decoded round trip; numbers compare as integers,
 * accounts by their public key (an input may be hex where the decoded value is SS58).
 */
export function sameValue(input, decoded) {
  const isInt = (v) => typeof v === 'bigint' || typeof v === 'number' ||
    (typeof v === 'string' && /^\d+$/.test(v));
  if (isInt(input) && isInt(decoded)) {
    try {
      return BigInt(input) === BigInt(decoded);
    } catch {
      return false;
    }
  }
  if (input === null || input === undefined) return decoded === null;
  if (Array.isArray(input) || Array.isArray(decoded)) {
    return Array.isArray(input) && Array.isArray(decoded) && input.length === decoded.length &&
      input.every((item, i) => sameValue(item, decoded[i]));
  }
  if (typeof input === 'object' && typeof decoded === 'object' && decoded !== null) {
    const keys = Object.keys(input);
    return keys.length === Object.keys(decoded).length &&
      keys.every((key) => key in decoded && sameValue(input[key], decoded[key]));
  }
  if (typeof input === 'string' && typeof decoded === 'string' && input !== decoded) {
    try {
      return accountHex(input) === accountHex(decoded);
    } catch {
      return false;
    }
  }
  return input === decoded;
}

/** JSON for values with BigInts: integers that fit a double stay numbers, larger ones strings. */
export function toJsonSafe(value) {
  return JSON.parse(JSON.stringify(value, (_, v) => {
    if (typeof v !== 'bigint') return v;
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  }));
}

// ---------------------------------------------------------------------------------------------
// Transactions
// ---------------------------------------------------------------------------------------------

/**
 * Signs and submits an extrinsic and resolves once it is in a block (instant seal makes one
 * block per transaction, so this is quick on a dev node). Rejects with a {@link ChainError} if
 * the pool refuses it or the dispatch fails. `signer` is a keyring pair, or an account of a
 * browser extension as `{address, signer}` (its injected signer).
 *
 * @returns {Promise<{blockHash: string, blockNumber: number, blockTime: number,
 *   txHash: string, fee: bigint, events: object[]}>} `events` are this extrinsic's
 *   `EventRecord`s, `fee` the transaction fee and tip the signer paid
 *   (`transactionPayment.TransactionFeePaid`).
 */
export function submit(api, extrinsic, signer, what = 'transaction') {
  return new Promise((resolve, reject) => {
    let unsubscribe = null;
    let done = false;
    const finish = (fn, value) => {
      if (done) return;
      done = true;
      if (unsubscribe) unsubscribe();
      fn(value);
    };
    // A keyring pair signs itself; an extension account `{address, signer}` signs through its
    // injected signer (the extension asks its user).
    const [origin, options] = signer?.signer && !signer.sign
      ? [signer.address, { nonce: -1, signer: signer.signer }]
      : [signer, { nonce: -1 }];
    extrinsic
      .signAndSend(origin, options, (result) => {
        const { status, dispatchError } = result;
        if (status.isInBlock || status.isFinalized) {
          const blockHash = (status.isInBlock ? status.asInBlock : status.asFinalized).toHex();
          if (dispatchError) {
            const failure = new ChainError(what, dispatchErrorName(api, dispatchError));
            failure.blockHash = blockHash;
            finish(reject, failure);
            return;
          }
          finish(resolve, { blockHash, txHash: result.txHash.toHex(), events: result.events });
        } else if (status.isInvalid || status.isDropped || status.isUsurped) {
          finish(reject, new ChainError(what, `transaction ${status.type}`));
        }
      })
      .then((unsub) => {
        unsubscribe = unsub;
        if (done) unsub();
      }, (error) => finish(reject, new ChainError(what, error.message)));
  }).then(async (included) => {
    const [header, now] = await Promise.all([
      api.rpc.chain.getHeader(included.blockHash),
      api.query.timestamp.now.at(included.blockHash),
    ]);
    const paid = included.events.find(({ event }) =>
      api.events.transactionPayment?.TransactionFeePaid.is(event));
    const fee = paid ? paid.event.data[1].toBigInt() + paid.event.data[2].toBigInt() : 0n;
    return { ...included, blockNumber: header.number.toNumber(), blockTime: now.toNumber(), fee };
  });
}

/**
 * The timestamp (ms) of the best block. Contracts read the block timestamp, and queries run on
 * the best block, so this is the "now" every query sees.
 */
export async function chainTime(api) {
  return (await api.query.timestamp.now()).toNumber();
}

/**
 * Makes a block by submitting an empty `system.remark`. On an instant-seal dev node the chain's
 * clock only moves when a block is made: queries (`current_interval`, `interval_state`) and dry
 * runs read the last block's timestamp, which can lie far behind the wall clock after a quiet
 * spell. A fresh block brings them up to date. Returns the new block's timestamp.
 */
export async function makeBlock(api, signer) {
  const included = await submit(api, api.tx.system.remark('0x'), signer, 'system.remark');
  return included.blockTime;
}

/**
 * Uploads a bundle's Wasm unless the chain has it already (then it only checks the hash), so
 * deploying again costs nothing. Determinism `Enforced`: the code may be called on-chain.
 *
 * @returns {Promise<{codeHash: string, uploaded: boolean}>}
 */
export async function uploadCode(api, signer, bundle) {
  const existing = await api.query.contracts.codeInfoOf(bundle.codeHash);
  if (existing.isSome) return { codeHash: bundle.codeHash, uploaded: false };
  // A Uint8Array given for a `Bytes` argument is read as already SCALE-encoded (length
  // prefix first), so the raw Wasm must get its compact length prefix, as CodePromise does.
  const code = compactAddLength(bundle.wasm);
  const included = await submit(api, api.tx.contracts.uploadCode(code, null, 'Enforced'),
    signer, `contracts.uploadCode(${bundle.name})`);
  const stored = included.events.find(({ event }) => api.events.contracts.CodeStored.is(event));
  const codeHash = stored?.event.data[0].toHex();
  if (codeHash !== bundle.codeHash) {
    throw new Error(`uploading ${bundle.name} stored code ${codeHash}, expected ${bundle.codeHash}`);
  }
  return { codeHash, uploaded: true };
}

/**
 * Instantiates main from code already on chain (`bundles.main`'s): `new(config, p2p_code_hash,
 * p2g_code_hash)`, dry-run first (a typed error is thrown as a {@link ContractError} before
 * signing); main then instantiates p2p and p2g from the code hashes given. {@link Market.deploy}
 * uploads the three bundles and calls this with their hashes; the code hashes are arguments so
 * that a test can build a deployment that {@link verifyDeployment} must refuse.
 *
 * @returns {Promise<{address: string, blockHash: string, blockNumber: number,
 *   blockTime: number, gasRequired: object}>} main's address and the instantiation's block.
 */
export async function instantiateMain(api, signer, config,
  { bundles, p2pCodeHash, p2gCodeHash, salt } = {}) {
  const abi = new Abi(bundles.main.json, api.registry.getChainProperties());
  const names = snakeNames(Object.values(bundles));
  const constructor = abi.findConstructor('new');
  const data = constructor.toU8a(encodeArgs(abi, constructor, [config, p2pCodeHash, p2gCodeHash],
    names));
  const saltBytes = salt ?? u8aToHex(globalThis.crypto.getRandomValues(new Uint8Array(16)));
  const codeHash = bundles.main.codeHash;
  const dry = await api.call.contractsApi.instantiate(signer.address, 0, null, null,
    { Existing: codeHash }, data, saltBytes);
  if (dry.result.isErr) {
    throw new ChainError('main.new (dry run)', dispatchErrorName(api, dry.result.asErr),
      dry.debugMessage.toString());
  }
  const output = abi.registry.createTypeUnsafe(constructor.returnType.lookupName ||
    constructor.returnType.type, [dry.result.asOk.result.data.toU8a(true)], { isPedantic: true });
  unwrapResult(output, 'main', 'new', names, errorMeanings(bundles));
  const gasLimit = dry.gasRequired;
  const storageDepositLimit = dry.storageDeposit.isCharge ? dry.storageDeposit.asCharge : 0;
  const included = await submit(api, api.tx.contracts.instantiate(0, gasLimit,
    storageDepositLimit, codeHash, data, saltBytes), signer, 'main.new');
  const instantiated = included.events
    .filter(({ event }) => api.events.contracts.Instantiated.is(event))
    .find(({ event }) => event.data[0].eq(signer.address));
  if (!instantiated) throw new Error('main.new: no Instantiated event from the signer');
  return {
    address: instantiated.event.data[1].toString(),
    blockHash: included.blockHash,
    blockNumber: included.blockNumber,
    blockTime: included.blockTime,
    gasRequired: gasLimit,
  };
}

/** The code hash the chain runs at `address` (hex); throws if no contract lives there. */
async function codeHashAt(api, address) {
  const info = await api.query.contracts.contractInfoOf(address);
  if (info.isNone) throw new Error(`no contract lives at ${address}`);
  return info.unwrap().codeHash.toHex();
}

/**
 * A market runs other code than the bundles a client trusts. `mismatches` lists each contract
 * that differs as `{contract, address, codeHash, expected}` (`codeHash` what the chain runs,
 * `expected` the bundle's); the message names them all, e.g. `p2g at 5F… runs code 0xab…, not
 * the p2g bundle's 0xcd…`.
 */
export class DeploymentMismatch extends Error {
  constructor(mismatches) {
    super(`the market does not run the code of its bundles: ${mismatches.map(({ contract,
      address, codeHash, expected }) => `${contract} at ${address} runs code ${codeHash}, not ` +
      `the ${contract} bundle's ${expected}`).join('; ')}`);
    this.name = 'DeploymentMismatch';
    this.mismatches = mismatches;
  }
}

/**
 * Verifies a deployment: the code hashes main answers for itself and for the p2p and p2g it
 * instantiated (`code_hashes()`, which reads them from the chain) must equal those of
 * `bundles` (default: the market's own), contract by contract. A main is only as trustworthy
 * as the p2p and p2g it calls: one instantiated with a foreign p2g would hold the deposits in
 * code nobody audited. {@link Market.at} calls this (the DApp and `deploy.mjs` attach through
 * it); call it again to re-check a long-lived session.
 *
 * @returns {Promise<{main: string, p2p: string, p2g: string}>} the code hashes, all as the
 *   bundles have them.
 * @throws {DeploymentMismatch} naming every contract that runs other code.
 */
export async function verifyDeployment(market, bundles = market.bundles) {
  const running = await market.codeHashes();
  const mismatches = SHOWN_ORDER
    .filter((name) => running[name] !== bundles[name].codeHash)
    .map((name) => ({ contract: name, address: market.addresses[name], codeHash: running[name],
      expected: bundles[name].codeHash }));
  if (mismatches.length > 0) throw new DeploymentMismatch(mismatches);
  return running;
}

// ---------------------------------------------------------------------------------------------
// The market
// ---------------------------------------------------------------------------------------------

/** Most trades main's `trades` returns per call (p2p's `MAX_PAGE`). */
export const TRADES_PAGE = 100;

/** Most feed-in claims p2g's `claims` returns, and `fund_grid` or `pay_claims` pays, per call. */
export const CLAIMS_PAGE = 50;

/**
 * A deployed market: main at `address` with its p2p and p2g. Create it with
 * {@link Market.deploy} or {@link Market.at}.
 *
 * Queries and dry runs execute on the best block, so they see that block's timestamp. On an
 * instant-seal dev node no block is made without a transaction, so "now" for a query can lag
 * the wall clock arbitrarily: use {@link Market#openInterval} and {@link Market#waitUntilEnded}
 * (which make a block first) rather than reading `current_interval` after a pause.
 *
 * Every message method (those that sign) resolves, once its transaction is in a block, to
 * `{value, paid, events, records, blockHash, blockNumber, blockTime, txHash, fee, gasRequired,
 * storageDeposit}`: `value` the message's return value (`Ok` unwrapped), `paid` the value
 * transferred with it, `events` the contract events decoded ({@link Market#decodeEvents}),
 * `records` the extrinsic's raw `EventRecord`s, `fee` the transaction fee the signer paid,
 * `gasRequired` and `storageDeposit` the dry run's figures the transaction was sent with.
 */
export class Market {
  /** @private Use {@link Market.at} or {@link Market.deploy}. */
  constructor(api, bundles, addresses, operator) {
    this.api = api;
    this.bundles = bundles;
    const properties = api.registry.getChainProperties();
    /** One Abi per contract, each with its own type registry. */
    this.abis = Object.fromEntries(CONTRACT_NAMES.map((name) => [
      name, new Abi(bundles[name].json, properties)]));
    this.names = snakeNames(Object.values(bundles));
    /** What each contract's error variants mean (their doc comments), for {@link ContractError}. */
    this.meanings = errorMeanings(bundles);
    /** SS58 addresses of main, p2p and p2g. */
    this.addresses = addresses;
    /** The operator (main's instantiator); the default origin of queries. */
    this.operator = operator;
  }

  /** Main's address. */
  get address() {
    return this.addresses.main;
  }

  /**
   * Attaches to a deployed main: checks that a contract lives at `address` running the
   * bundle's main code, reads its operator and the addresses of its p2p and p2g, and checks
   * that all three run the bundles' code ({@link verifyDeployment}): a main paired with a
   * foreign p2p or p2g is refused with a {@link DeploymentMismatch}.
   */
  static async at(api, address, { bundles } = {}) {
    requireBundles(bundles, 'Market.at');
    const main = api.registry.createType('AccountId', address).toString();
    // main's own code first: only then do its queries mean what main's metadata says.
    const codeHash = await codeHashAt(api, main);
    if (codeHash !== bundles.main.codeHash) {
      throw new DeploymentMismatch([{ contract: 'main', address: main, codeHash,
        expected: bundles.main.codeHash }]);
    }
    const market = new this(api, bundles, { main }, main);
    market.operator = await market.#query('operator', [], main);
    market.addresses.p2p = await market.#query('p2p_address', []);
    market.addresses.p2g = await market.#query('p2g_address', []);
    await verifyDeployment(market);
    return market;
  }

  /**
   * Deploys a fresh market: uploads the code of p2p, p2g and main (skipping code the chain
   * has), then instantiates main with `new(config, p2p_code_hash, p2g_code_hash)`
   * ({@link instantiateMain}); main instantiates p2p and p2g itself. The signer becomes the
   * operator. A random salt lets the same operator deploy the same configuration more than
   * once. The new market is attached with {@link Market.at}, so its code is verified too.
   *
   * @param {object} config a `MarketConfig` as plain JSON (snake_case fields, see
   *   deployments/config/local.json); checked field by field before encoding.
   * @returns {Promise<{market: Market, blockHash: string, blockNumber: number,
   *   blockTime: number, codeHashes: object, uploaded: string[], gasRequired: object}>}
   */
  static async deploy(api, signer, config, { bundles, salt } = {}) {
    requireBundles(bundles, 'Market.deploy');
    const codeHashes = {};
    const uploaded = [];
    for (const name of CONTRACT_NAMES) {
      const result = await uploadCode(api, signer, bundles[name]);
      codeHashes[name] = result.codeHash;
      if (result.uploaded) uploaded.push(name);
    }
    const instantiated = await instantiateMain(api, signer, config, {
      bundles, p2pCodeHash: codeHashes.p2p, p2gCodeHash: codeHashes.p2g, salt,
    });
    const market = await this.at(api, instantiated.address, { bundles });
    return {
      market,
      blockHash: instantiated.blockHash,
      blockNumber: instantiated.blockNumber,
      blockTime: instantiated.blockTime,
      codeHashes,
      uploaded,
      gasRequired: toPlain(instantiated.gasRequired, market.names),
    };
  }

  // -- operator messages ------------------------------------------------------------------

  /**
   * `register(account, area, capacity)`: operator only. `capacity` is the connection's
   * `{export_wh, import_wh}` per interval, or `null` for the default (43 000 Wh each way, a
   * 43 kW house connection over an hour); offers above it fail with `ExceedsCapacity`. Emits
   * `ParticipantRegistered`.
   */
  register(signer, who, area, capacity = null) {
    return this.#call(signer, 'register', [accountHex(who), area, capacity]);
  }

  /** `remove(account)`: operator only. Emits `ParticipantRemoved` (and `OfferCancelled`). */
  remove(signer, who) {
    return this.#call(signer, 'remove', [accountHex(who)]);
  }

  /**
   * `update_config(config)`: operator only. The new configuration governs the intervals from
   * the next one on: the interval open now, and every interval before it, keep theirs to the
   * end of their close (a second update in the same interval replaces the first). The interval
   * length and the sealing settings are fixed (`InvalidInterval`, `InvalidSealing`); a topology
   * that drops an area in which participants are registered is refused with `AreaInUse`.
   * main emits `ConfigUpdated { from_interval }`, the first interval the update governs;
   * {@link Market#configAt} reads any interval's configuration.
   */
  updateConfig(signer, config) {
    return this.#call(signer, 'update_config', [config]);
  }

  /**
   * `fund_grid()`, paying `amount` (> 0): adds it to the grid deposit in p2g, which pays
   * feed-in (residual surplus sold to the grid), then pays the feed-in claims waiting out of
   * it, oldest first (at most {@link CLAIMS_PAGE} per call). A close never waits for the grid
   * deposit: feed-in it cannot pay becomes a claim of the seller (p2g's `FeedInOwed`; see
   * {@link Market#claimOf}, {@link Market#claims}). Anyone may fund; it is the grid operator's
   * duty. `value` is the grid deposit left after the claims paid; p2g emits `GridFunded`, then
   * `ClaimPaid { interval, account, amount }` for each claim (partly) paid.
   */
  fundGrid(signer, amount) {
    return this.#call(signer, 'fund_grid', [], { value: amount });
  }

  /**
   * `pay_claims()`: pays feed-in claims waiting out of the grid deposit, oldest first, at most
   * {@link CLAIMS_PAGE} per call (for when more wait than one `fund_grid` pays); anyone may
   * call. `value` is the number of claims still waiting (0: all paid); p2g emits `ClaimPaid`
   * for each claim (partly) paid. With an empty grid deposit it pays nothing.
   */
  payClaims(signer) {
    return this.#call(signer, 'pay_claims', []);
  }

  // -- participant messages: open mode (`sealing` null) ------------------------------------

  /**
   * `sell(interval, energy_wh, ask)`: surplus for the current interval, ask per kWh. A seller
   * needs no deposit; `value` (default 0), if any, is credited back after the close.
   */
  sell(signer, interval, energyWh, ask, { value = 0n } = {}) {
    return this.#call(signer, 'sell', [interval, energyWh, ask], { value });
  }

  /**
   * `buy(interval, energy_wh, limit)`: deficit; `limit` null means the hour's grid price. Pays
   * its deposit: `value`, by default exactly {@link Market#buyDeposit} (less fails with
   * `DepositTooLow`). What the bill does not use is credited back at the close.
   */
  async buy(signer, interval, energyWh, limit = null, { value } = {}) {
    const deposit = value ?? await this.buyDeposit(interval, energyWh, limit, { origin: signer });
    return this.#call(signer, 'buy', [interval, energyWh, limit], { value: deposit });
  }

  /**
   * `cancel(interval)`: withdraws the signer's offer (open mode) or commitment (sealed mode)
   * while the interval is open; its whole deposit is credited back. Emits `OfferCancelled`.
   * At most `limits.max_offers` offers may be cancelled per interval (`CancelLimit` beyond: a
   * cancelled offer's slot stays in the book, which every closing pass walks).
   */
  cancel(signer, interval) {
    return this.#call(signer, 'cancel', [interval]);
  }

  // -- participant messages: sealed mode (`sealing` set) -----------------------------------

  /**
   * `commit(interval, commitment)` in the open interval, paying `value`: at least the sealing
   * penalty, and what the reveal will need, the offer's bond and for a buy its cover (see
   * {@link Market#commitDeposit}; `value` is required, so that an offer is not left uncovered
   * by mistake). `commitment` is
   * {@link commitment} of the offer (32 bytes, hex or `Uint8Array`). Emits `OfferCommitted`,
   * nothing about the offer.
   */
  async commit(signer, interval, commitmentBytes, { value } = {}) {
    if (value === undefined || value === null) {
      throw new TypeError('commit: pass { value }, at least Market#commitDeposit(interval, side, ' +
        'energy_wh, price) (the offer\'s bond; for a buy its buy_deposit if higher)');
    }
    return this.#call(signer, 'commit', [interval, bytes32(commitmentBytes, 'commitment')],
      { value });
  }

  /**
   * main's `commit_deposit(interval, side, energy_wh, price)`: the least value a commitment to
   * this offer must carry for its reveal to succeed, its bond (energy times the sealing's
   * `bond_per_kwh`, at least the penalty) or for a buy its `buy_deposit` if higher. Fails with
   * `NotSealed` if the market takes open offers. The query is a dry run on the node you are
   * connected to, which therefore sees the offer: use a node you trust.
   */
  commitDeposit(interval, side, energyWh, price, options) {
    return this.#query('commit_deposit', [interval, side, energyWh, price], options?.origin);
  }

  /**
   * Seals and commits an offer in one go: {@link sealOffer} for this market (a fresh random
   * salt), then
   * {@link Market#commit} with `value` (default {@link Market#commitDeposit}). Returns the
   * transaction's result and `sealed`, everything {@link Market#revealOffer} needs later:
   * `{interval, side, energy_wh, price, salt, commitment}`. Keep it secret until the reveal.
   */
  async commitOffer(signer, interval, side, energyWh, price, { value, salt } = {}) {
    const seal = sealOffer(this.address, signer, interval, side, energyWh, price,
      salt ? { salt } : {});
    const deposit = value ?? await this.commitDeposit(interval, side, energyWh, price,
      { origin: signer });
    const tx = await this.commit(signer, interval, seal.commitment, { value: deposit });
    return {
      ...tx,
      sealed: {
        interval: BigInt(interval), side, energy_wh: BigInt(energyWh), price: BigInt(price),
        ...seal,
      },
    };
  }

  /**
   * `reveal(interval, side, energy_wh, price, salt)` within the reveal window after the
   * interval ended (`IntervalNotEnded` before, `RevealClosed` after): the offer enters the book
   * if it hashes to the signer's commitment (else `CommitmentMismatch`, or `NoCommitment`),
   * under the rules of `sell` and `buy` (`price` is the ask or the limit) and if the deposit
   * covers it ({@link Market#commitDeposit}, else `DepositTooLow`). A failed reveal changes
   * nothing and may be retried. Emits `OfferAccepted`.
   */
  reveal(signer, interval, side, energyWh, price, salt) {
    return this.#call(signer, 'reveal', [interval, side, energyWh, price, bytes32(salt, 'salt')]);
  }

  /** {@link Market#reveal} of the `sealed` offer {@link Market#commitOffer} returned. */
  revealOffer(signer, sealed) {
    const { interval, side, energy_wh: energyWh, price, salt } = sealed;
    return this.reveal(signer, interval, side, energyWh, price, salt);
  }

  /**
   * `forfeit(interval, account)`: releases `who`'s commitment that was not revealed, once the
   * reveal window has closed (`RevealOpen` before); anyone may call. Its deposit less the
   * forfeit (`forfeit_bps` of the deposit, at least the penalty) is credited back, the forfeit
   * to the grid operator. `value` is the forfeit; p2g emits `Forfeited`.
   */
  forfeit(signer, interval, who) {
    return this.#call(signer, 'forfeit', [interval, accountHex(who)]);
  }

  // -- money --------------------------------------------------------------------------------

  /**
   * `withdraw()`: pays the signer its whole credit (refunds, earnings, and for the grid
   * operator grid sales, fees and penalties). `value` is the amount; p2g emits `Withdrawn`.
   * `NothingToWithdraw` with no credit.
   */
  withdraw(signer) {
    return this.#call(signer, 'withdraw', []);
  }

  /**
   * Closes an ended interval: anyone may, once it has ended by the chain's clock. Each
   * `close_interval` transaction does one bounded step (at most the configuration's
   * `limits.step_items` items), so this repeats it until main reports `Closed`; a small book
   * closes in one step.
   *
   * `value` is the `IntervalResult`, `events` hold every step's events in order (`TradeExecuted`
   * from p2p, `GridSettled` from p2g, `IntervalCleared` from main on the last step), `steps` each
   * step's own result (its `value` the raw `CloseProgress`); the block fields are the last
   * step's. Should another account finish the close between two of our steps, the stored result
   * is returned with the events of our steps only.
   */
  async closeInterval(signer, interval) {
    const steps = [];
    for (;;) {
      let step;
      try {
        step = await this.#call(signer, 'close_interval', [interval]);
      } catch (error) {
        if (steps.length === 0 || !(error instanceof ContractError) ||
            error.variant !== 'AlreadyCleared') {
          throw error;
        }
        return {
          ...steps.at(-1),
          value: await this.intervalResult(interval),
          events: steps.flatMap((done) => done.events),
          steps,
        };
      }
      steps.push(step);
      if (step.value.Closed) {
        return {
          ...step,
          value: step.value.Closed,
          events: steps.flatMap((done) => done.events),
          steps,
        };
      }
    }
  }

  /**
   * `close_step(interval, max_items)`: one step of closing with a budget of at most `maxItems`
   * items (capped at `limits.step_items`; 0 is refused with `ZeroBudget`), for callers who want
   * smaller, cheaper transactions. `value` is the raw `CloseProgress`:
   * `{InProgress: {used}}` or `{Closed: IntervalResult}`; repeat until `Closed`.
   */
  closeStep(signer, interval, maxItems) {
    return this.#call(signer, 'close_step', [interval, maxItems]);
  }

  // -- queries (all read the best block) ----------------------------------------------------

  /**
   * The newest `MarketConfig`: the one the operator set last, which governs the intervals
   * from the one after its update on (it may not govern the interval open now: see
   * {@link Market#configAt}).
   */
  config(options) { return this.#query('config', [], options?.origin); }
  /**
   * `config_at(interval)`: the `MarketConfig` that governs `interval`, the one in force when it
   * started. Its offers (ask bounds, topology, deposits), reveals and every step of its close
   * use it, whatever the operator changes meanwhile.
   */
  configAt(interval, options) {
    return this.#query('config_at', [interval], options?.origin);
  }
  /**
   * `code_hashes()`: the code hashes the chain runs for main and for the p2p and p2g main
   * instantiated, `{main, p2p, p2g}` as 0x-prefixed hex. {@link verifyDeployment} compares them
   * with the bundles.
   */
  codeHashes(options) { return this.#query('code_hashes', [], options?.origin); }
  /** `{start_ms, interval_ms}`: interval i covers [start + i*len, start + (i+1)*len). */
  timing(options) { return this.#query('timing', [], options?.origin); }
  /** The interval open at the best block's time; throws `IntervalNotOpen` before the start. */
  currentInterval(options) { return this.#query('current_interval', [], options?.origin); }
  /**
   * `'Future' | 'Open' | 'Revealing' | 'Ended' | 'Cleared'`; `Revealing` (sealed mode) is the
   * reveal window after the interval, `Ended` means closable.
   */
  intervalState(interval, options) {
    return this.#query('interval_state', [interval], options?.origin);
  }
  /** The `IntervalResult` of a cleared interval, or null. */
  intervalResult(interval, options) {
    return this.#query('interval_result', [interval], options?.origin);
  }
  /**
   * All P2P trades of a cleared interval, in matching order (`[]` before it is cleared). main
   * returns them in pages of at most {@link TRADES_PAGE}; this reads the count from the
   * interval's result and fetches every page.
   */
  trades(interval, options) {
    return this.#allTrades('trades', [interval], options?.origin);
  }
  /**
   * All trades of a cleared interval in which `who` sold or bought: {@link trades}, filtered
   * (main has no `trades_of`: it stays under 32 KiB, since every call pays for its code).
   */
  async tradesOf(interval, who, options) {
    const id = accountHex(who);
    const mine = (account) => accountHex(account) === id;
    return (await this.trades(interval, options))
      .filter((trade) => mine(trade.seller) || mine(trade.buyer));
  }
  /** `who`'s `Bill` for a cleared interval, or null. */
  bill(who, interval, options) {
    return this.#query('bill', [accountHex(who), interval], options?.origin);
  }
  /** `who`'s `Bill` for UTC month `YYYYMM` (e.g. 202611), or null. */
  monthlyBill(who, month, options) {
    return this.#query('monthly_bill', [accountHex(who), month], options?.origin);
  }
  /** `{area}` of a participant, or null. */
  participant(who, options) {
    return this.#query('participant', [accountHex(who)], options?.origin);
  }
  /** Number of registered participants. */
  participantCount(options) { return this.#query('participant_count', [], options?.origin); }
  /** Number of offers in an interval's book (no prices: the book is closed). */
  offerCount(interval, options) {
    return this.#query('offer_count', [interval], options?.origin);
  }
  /**
   * `buy_deposit(interval, energy_wh, limit)`: the least deposit a buy must carry, the energy
   * at its cover price `max(limit + grid_fee_per_kwh_step * farthest distance, grid price of
   * the interval's hour)` (`limit` null: the grid price), rounded up, under the configuration
   * of `interval` ({@link Market#configAt}).
   */
  buyDeposit(interval, energyWh, limit = null, options) {
    return this.#query('buy_deposit', [interval, energyWh, limit], options?.origin);
  }
  /** What `who` may withdraw now (main's `credit_of`), balance units. */
  creditOf(who, options) { return this.#query('credit_of', [accountHex(who)], options?.origin); }
  /**
   * p2g's `ledger()`: where the money p2g holds belongs, `{deposits, credits, grid_deposit,
   * p2p_collected, p2p_advanced, claims}` (offers' deposits not settled yet, credits not
   * withdrawn yet, what is left of the grid deposit, and P2P payments in transit while an
   * interval is settled in several steps). p2g's balance equals `deposits + credits +
   * grid_deposit + p2p_collected - p2p_advanced`, plus the existential deposit. `claims` is
   * not held: it is the feed-in the grid operator owes sellers and has not funded yet.
   */
  ledger(options) { return this.#query('ledger', [], options?.origin, 'p2g'); }
  /**
   * p2g's `claim_of(account)`: the feed-in the grid operator still owes `who` (claims the
   * grid deposit could not pay when their intervals settled), balance units; 0 when none.
   * It is credited as `fund_grid` or `pay_claims` pays it.
   */
  claimOf(who, options) {
    return this.#query('claim_of', [accountHex(who)], options?.origin, 'p2g');
  }
  /**
   * p2g's `claims(from, max)`: the feed-in claims waiting, oldest first (the order they are
   * paid in), `[{account, interval, amount}]`, from the `from`-th waiting one on, at most
   * `max` (p2g caps it at {@link CLAIMS_PAGE}).
   */
  claims(from = 0, max = CLAIMS_PAGE, options) {
    return this.#query('claims', [from, max], options?.origin, 'p2g');
  }
  /**
   * p2g's `escrow_of(account, interval)`: `who`'s deposit in `interval` and, until revealed,
   * its commitment, `{deposit, sealed}`; null once settled, refunded or forfeited.
   */
  escrowOf(who, interval, options) {
    return this.#query('escrow_of', [accountHex(who), interval], options?.origin, 'p2g');
  }
  /**
   * The grid's price per kWh in UTC hour `hour` (0..24), peak/off-peak applied, under the
   * configuration of the interval open now (`IntervalNotOpen` before the market's start).
   */
  gridPrice(hour, options) { return this.#query('grid_price', [hour], options?.origin); }
  /** main's operator. */
  operatorAccount(options) { return this.#query('operator', [], options?.origin); }
  /** p2p's address. */
  p2pAddress(options) { return this.#query('p2p_address', [], options?.origin); }
  /** p2g's address. */
  p2gAddress(options) { return this.#query('p2g_address', [], options?.origin); }

  // -- costs -------------------------------------------------------------------------------

  /**
   * Dry-runs any message of main from `origin` (default: the operator) at the best block, with
   * the block's maximum weight as gas limit, and reports what it would cost. `args` are in the
   * message's order, accounts as 32-byte hex ({@link accountHex}); `value` is transferred with
   * a payable message (a buy's deposit). Typed errors are thrown as for a call, so a figure is
   * always that of a successful run.
   *
   * @returns {Promise<{value: *, gasRequired: {ref_time: bigint, proof_size: bigint},
   *   storageDeposit: object}>} `gasRequired` is the weight a transaction must offer as its
   *   gas limit (the call's peak need, which can exceed what it consumes in the end).
   */
  async estimate(message, args, origin = this.operator, { value = 0n } = {}) {
    const { outcome, output } = await this.#dryRun(message, args, addressOf(origin), { value });
    const { refTime, proofSize } = outcome.gasRequired;
    return {
      value: unwrapResult(output, 'main', message, this.names, this.meanings),
      gasRequired: { ref_time: refTime.toBigInt(), proof_size: proofSize.toBigInt() },
      storageDeposit: toPlain(outcome.storageDeposit, this.names),
    };
  }

  // -- market time -------------------------------------------------------------------------

  /**
   * The interval open for offers now, with a fresh chain clock: makes a block first (see
   * {@link makeBlock}: queries read the last block's time), then reads `current_interval`. If
   * less than `minRemainingMs` of wall-clock time is left in it, waits for the next interval
   * and tries again, so that offers placed right after land in the interval they name.
   *
   * @returns {Promise<{interval: bigint, timing: object, endsAt: bigint}>} `endsAt`: the
   *   interval's last millisecond + 1, wall-clock ms since the epoch.
   */
  async openInterval(signer, { minRemainingMs = 0 } = {}) {
    const timing = await this.timing();
    for (;;) {
      await makeBlock(this.api, signer);
      const interval = await this.currentInterval();
      const endsAt = intervalStart(timing, interval + 1n);
      if (endsAt - BigInt(Date.now()) >= BigInt(minRemainingMs)) return { interval, timing, endsAt };
      await sleep(endsAt - BigInt(Date.now()) + 50n);
    }
  }

  /**
   * Waits (wall clock) until `interval` has ended, then makes a block so the chain's clock is
   * past it too, and returns the interval's state: `'Ended'` (or `'Cleared'` if someone closed
   * it already) in open mode, `'Revealing'` in sealed mode while its reveal window is open.
   * Throws if the chain disagrees, e.g. a node whose clock lags.
   */
  async waitUntilEnded(signer, interval, { marginMs = 200 } = {}) {
    const timing = await this.timing();
    const endsAt = intervalStart(timing, BigInt(interval) + 1n);
    return this.#waitUntil(signer, interval, endsAt, ['Revealing', 'Ended', 'Cleared'], marginMs);
  }

  /**
   * Waits (wall clock) until `interval` can be closed, its end plus the reveal window in sealed
   * mode (just its end in open mode), then makes a block and returns the interval's state
   * (`'Ended'`, or `'Cleared'`). Unrevealed commitments can be forfeited from then on.
   */
  async waitUntilClosable(signer, interval, { marginMs = 200 } = {}) {
    const [timing, { sealing }] = await Promise.all([this.timing(), this.configAt(interval)]);
    const closableAt = intervalStart(timing, BigInt(interval) + 1n) + (sealing?.reveal_ms ?? 0n);
    return this.#waitUntil(signer, interval, closableAt, ['Ended', 'Cleared'], marginMs);
  }

  /**
   * When `interval`'s reveal window opens (its end) and closes (end + `reveal_ms`), wall-clock
   * ms since the epoch; `{opensAt, closesAt}` equal in open mode.
   */
  async revealWindow(interval) {
    const [timing, { sealing }] = await Promise.all([this.timing(), this.configAt(interval)]);
    const opensAt = intervalStart(timing, BigInt(interval) + 1n);
    return { opensAt, closesAt: opensAt + (sealing?.reveal_ms ?? 0n) };
  }

  /** Sleeps until `at` (+ margin), makes a block and checks the interval's state is `expected`. */
  async #waitUntil(signer, interval, at, expected, marginMs) {
    await sleep(at - BigInt(Date.now()) + BigInt(marginMs));
    const blockTime = await makeBlock(this.api, signer);
    const state = await this.intervalState(interval);
    if (!expected.includes(state)) {
      throw new Error(`interval ${interval} should be ${expected.join(' or ')} at ${at} by the ` +
        `wall clock, but the chain says ${state} at block time ${blockTime}`);
    }
    return state;
  }

  // -- events ------------------------------------------------------------------------------

  /**
   * Decodes the contract events among `records` (a transaction's `EventRecord`s): each with the
   * Abi of the contract that emitted it (main's events with main's metadata, `TradeExecuted`
   * with p2p's, `GridSettled` with p2g's). Events of other contracts are left out.
   *
   * @returns {{contract: string, address: string, name: string, args: object}[]}
   */
  decodeEvents(records) {
    const byAddress = new Map(Object.entries(this.addresses).map(([name, address]) => [
      address, name]));
    const decoded = [];
    for (const record of records) {
      if (!this.api.events.contracts.ContractEmitted.is(record.event)) continue;
      const address = record.event.data[0].toString();
      const contract = byAddress.get(address);
      if (!contract) continue;
      const { event, args } = this.abis[contract].decodeEvent(record);
      decoded.push({
        contract,
        address,
        name: event.identifier.split('::').pop(),
        args: Object.fromEntries(event.args.map((arg, i) => [
          this.names.get(arg.name) ?? arg.name, toPlain(args[i], this.names)])),
      });
    }
    return decoded;
  }

  // -- plumbing ----------------------------------------------------------------------------

  /**
   * Dry-runs `message` on `contract` (main unless a p2g query) from `origin` at the best block,
   * transferring `value` as the transaction would (a payable message checks it).
   * @returns the raw outcome and the decoded return value (still wrapped in its Results).
   */
  async #dryRun(message, args, origin, { value = 0n, contract = 'main' } = {}) {
    const abi = this.abis[contract];
    const spec = abi.findMessage(stringCamelCase(message));
    const data = spec.toU8a(encodeArgs(abi, spec, args, this.names));
    const amount = toValue(value, `${contract}.${message}`);
    if (amount !== 0n && !spec.isPayable) {
      throw new TypeError(`${contract}.${message} is not payable: it takes no value`);
    }
    const outcome = await this.api.call.contractsApi.call(origin, this.addresses[contract],
      amount, null, null, data);
    if (outcome.result.isErr) {
      throw new ChainError(`${contract}.${message} (dry run)`,
        dispatchErrorName(this.api, outcome.result.asErr), outcome.debugMessage.toString());
    }
    const output = abi.registry.createTypeUnsafe(spec.returnType.lookupName ||
      spec.returnType.type, [outcome.result.asOk.data.toU8a(true)], { isPedantic: true });
    return { outcome, data, output };
  }

  /** A query: the dry run's value, with an `Err` thrown as a {@link ContractError}. */
  async #query(message, args, origin, contract = 'main') {
    const { output } = await this.#dryRun(message, args, addressOf(origin) ?? this.operator,
      { contract });
    return unwrapResult(output, contract, message, this.names, this.meanings);
  }

  /**
   * Every page of a paged trade query (whose last two arguments are `from` and `max`), counted
   * from the result's `trades`.
   */
  async #allTrades(message, args, origin) {
    const result = await this.#query('interval_result', [args[0]], origin);
    const trades = [];
    for (let from = 0; from < (result?.trades ?? 0); from += TRADES_PAGE) {
      trades.push(...await this.#query(message, [...args, from, TRADES_PAGE], origin));
    }
    return trades;
  }

  /**
   * A transaction: dry run (typed errors thrown here, before signing), then the call with the
   * dry run's gas and storage deposit, then inclusion.
   *
   * If the transaction itself reverts (`contracts.ContractReverted`, e.g. the chain's clock
   * moved into the next interval between the dry run and the block), the dry run is repeated
   * on the new block to name the typed error.
   *
   * `paid` (default 0) is transferred with the call, and with its dry run.
   *
   * @returns {Promise<object>} see {@link Market} (what every message method resolves to).
   */
  async #call(signer, message, args, { value: paid = 0n } = {}) {
    const amount = toValue(paid, `main.${message}`);
    const { outcome, data, output } = await this.#dryRun(message, args, signer.address,
      { value: amount });
    const value = unwrapResult(output, 'main', message, this.names, this.meanings);
    const gasLimit = outcome.gasRequired;
    const storageDepositLimit = outcome.storageDeposit.isCharge
      ? outcome.storageDeposit.asCharge : 0;
    const tx = this.api.tx.contracts.call(this.address, amount, gasLimit, storageDepositLimit,
      data);
    let included;
    try {
      included = await submit(this.api, tx, signer, `main.${message}`);
    } catch (error) {
      if (error instanceof ChainError && error.reason === 'contracts.ContractReverted') {
        const again = await this.#dryRun(message, args, signer.address, { value: amount });
        try {
          unwrapResult(again.output, 'main', message, this.names, this.meanings);
        } catch (typed) {
          if (typed instanceof ContractError) {
            typed.reverted = true;
            typed.blockHash = error.blockHash;
            typed.message += ' (the transaction reverted on-chain; a dry run on its block ' +
              'names the error)';
          }
          throw typed;
        }
      }
      throw error;
    }
    return {
      value,
      paid: amount,
      events: this.decodeEvents(included.events),
      records: included.events,
      blockHash: included.blockHash,
      blockNumber: included.blockNumber,
      blockTime: included.blockTime,
      txHash: included.txHash,
      fee: included.fee,
      gasRequired: toPlain(gasLimit, this.names),
      storageDeposit: toPlain(outcome.storageDeposit, this.names),
    };
  }
}

/**
 * Checks and prepares a message's arguments. polkadot.js silently fills missing struct fields
 * with zeros and ignores unknown ones, which would turn a misspelt config field into a zero
 * tariff on-chain; so each argument is encoded, decoded back and compared with the input, and
 * any difference is an error naming the argument.
 */
function encodeArgs(abi, spec, args, names) {
  if (args.length !== spec.args.length) {
    throw new TypeError(`${spec.identifier} takes ${spec.args.length} arguments, got ${args.length}`);
  }
  return spec.args.map((param, i) => {
    const typeName = param.type.lookupName || param.type.type;
    let codec;
    try {
      codec = abi.registry.createType(typeName, args[i]);
    } catch (error) {
      throw new TypeError(`${spec.identifier}: argument ${names.get(param.name) ?? param.name}: ` +
        error.message);
    }
    if (!['AccountId', 'Hash'].includes(param.type.type) &&
        !sameValue(args[i], toPlain(codec, names))) {
      throw new TypeError(`${spec.identifier}: argument ${names.get(param.name) ?? param.name} ` +
        `does not match its type ${param.type.displayName || typeName}: ` +
        `${JSON.stringify(toJsonSafe(args[i]))} encodes as ` +
        `${JSON.stringify(toJsonSafe(toPlain(codec, names)))}`);
    }
    return codec;
  });
}

/** A value to transfer (`BigInt`, `number` or decimal string) as a non-negative `BigInt`. */
function toValue(value, what) {
  let amount;
  try {
    amount = BigInt(value);
  } catch {
    throw new TypeError(`${what}: value ${value} is not an integer`);
  }
  if (amount < 0n) throw new RangeError(`${what}: value ${amount} is negative`);
  return amount;
}

/**
 * Unwraps a message's return value `Result<T, LangError>` and, where `T` is main's
 * `Result<U, Error>`, the inner one too, throwing typed errors.
 */
function unwrapResult(output, contract, message, names, meanings) {
  if (!(output instanceof Result)) return toPlain(output, names);
  if (output.isErr) {
    throw new ChainError(`${contract}.${message}`, `LangError ${output.asErr.type}`);
  }
  const inner = output.asOk;
  if (!(inner instanceof Result)) return toPlain(inner, names);
  if (inner.isErr) {
    const error = inner.asErr;
    const detail = error.value instanceof Null ? null : toPlain(error.value, names);
    const shownDetail = detail === null || typeof detail === 'string'
      ? detail : JSON.stringify(toJsonSafe(detail));
    const failure = new ContractError(contract, message, error.type, shownDetail);
    const meaning = meanings?.[contract]?.get(error.type);
    failure.meaning = meaning?.doc ?? '';
    failure.detailMeaning = (typeof detail === 'string' && meaning?.inner.get(detail)) || '';
    throw failure;
  }
  return toPlain(inner.asOk, names);
}

// ---------------------------------------------------------------------------------------------
// Sealed offers (commit-reveal)
// ---------------------------------------------------------------------------------------------

/** `value` as an unsigned integer of `bits` bits, little-endian, as SCALE encodes it. */
function uintLe(value, bits, what) {
  let n;
  try {
    n = BigInt(value);
  } catch {
    throw new TypeError(`${what}: ${value} is not an integer`);
  }
  if (n < 0n || n >= 1n << BigInt(bits)) throw new RangeError(`${what}: ${n} does not fit a u${bits}`);
  return bnToU8a(n, { bitLength: bits, isLe: true });
}

/**
 * 32 bytes (a salt or a commitment) given as a `Uint8Array` or hex, as lowercase hex; anything
 * else is a `TypeError` naming `what`.
 */
export function bytes32(value, what = 'value') {
  const bytes = value instanceof Uint8Array ? value : isHex(value) ? hexToU8a(value) : null;
  if (bytes === null || bytes.length !== 32) {
    throw new TypeError(`${what} must be 32 bytes (a Uint8Array or 0x-prefixed hex), got ` +
      `${bytes === null ? typeof value : `${bytes.length} bytes`}`);
  }
  return u8aToHex(bytes);
}

/**
 * The commitment to a sealed offer, as main checks it at `reveal`: the BLAKE2b-256 hash of the
 * SCALE encoding of `(market, account, interval, side, energy_wh, price, salt)`, i.e. of the
 * bytes market (32) ‖ account (32) ‖ interval (u64 LE) ‖ side (`Sell` 0x00, `Buy` 0x01) ‖
 * energy_wh (u64 LE) ‖ price (u128 LE) ‖ salt (32), as `market::seal::commitment` computes it.
 * `market` is main's address: main recomputes the hash with its own, so a commitment is valid
 * in one deployment only. `price` is the ask of a sell or the limit of a buy.
 *
 * @param {string|object|Uint8Array} market main's address (SS58, public key, or a
 *   {@link Market}): a commitment binds its market.
 * @param {string|object|Uint8Array} who the account that will commit and reveal (SS58, pair or
 *   public key): a commitment binds its maker.
 * @param {'Sell'|'Buy'} side
 * @param {Uint8Array|string} salt 32 secret random bytes (see {@link sealOffer}).
 * @returns {string} the commitment, 0x-prefixed hex of 32 bytes.
 */
export function commitment(market, who, interval, side, energyWh, price, salt) {
  if (side !== 'Sell' && side !== 'Buy') {
    throw new TypeError(`side must be 'Sell' or 'Buy', got ${JSON.stringify(side)}`);
  }
  const bytes = u8aConcat(
    hexToU8a(accountHex(market)),
    hexToU8a(accountHex(who)),
    uintLe(interval, 64, 'interval'),
    new Uint8Array([side === 'Sell' ? 0 : 1]),
    uintLe(energyWh, 64, 'energy_wh'),
    uintLe(price, 128, 'price'),
    hexToU8a(bytes32(salt, 'salt')),
  );
  return u8aToHex(blake2AsU8a(bytes, 256));
}

/**
 * Seals an offer for the market whose main is at `market`: draws a random 32-byte salt (unless
 * `salt` is given) and computes the {@link commitment}. Keep both, and the offer, until the
 * reveal: without the salt the offer cannot be revealed and its commitment forfeits a share
 * of its deposit.
 *
 * @returns {{commitment: string, salt: string}} both 0x-prefixed hex.
 */
export function sealOffer(market, who, interval, side, energyWh, price,
  { salt = randomAsU8a(32) } = {}) {
  const hex = bytes32(salt, 'salt');
  return { commitment: commitment(market, who, interval, side, energyWh, price, hex), salt: hex };
}

// ---------------------------------------------------------------------------------------------
// Market time and tariff arithmetic (mirrors crates/market; used to wait for intervals)
// ---------------------------------------------------------------------------------------------

/** First millisecond of `interval` under `timing` (`start_ms + interval * interval_ms`). */
export function intervalStart(timing, interval) {
  return timing.start_ms + BigInt(interval) * timing.interval_ms;
}

/** The UTC hour (0..24) of a timestamp in ms, as the tariff reads it. */
export function utcHour(ms) {
  return new Date(Number(ms)).getUTCHours();
}

/** The UTC month key `year * 100 + month` of a timestamp in ms, as monthly bills use it. */
export function monthKey(ms) {
  const date = new Date(Number(ms));
  return date.getUTCFullYear() * 100 + date.getUTCMonth() + 1;
}

/** `energy_wh * price / 1000`, rounded down: how every money line is computed. */
export function valueOf(energyWh, pricePerKwh) {
  return (BigInt(energyWh) * BigInt(pricePerKwh)) / 1000n;
}

/** Resolves after `ms` milliseconds of wall-clock time. */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(ms))));
}
