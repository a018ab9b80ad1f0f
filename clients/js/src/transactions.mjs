/**
 * Transactions and dry runs: signing and submitting an extrinsic and waiting for its block
 * (fee, block number and time, records), uploading code and instantiating main, checking a
 * deployment's code, and the plumbing every {@link Market} message and query goes through: a
 * dry run first (gas, storage deposit, typed errors before anything is signed), then the call,
 * then its contract events decoded with the Abi of the contract that emitted them.
 *
 * The `market` functions take a `Market` (`market-core.mjs`) for its `api`, `abis`, `names`,
 * `meanings`, `addresses` and `operator`.
 */
import { Abi } from '@polkadot/api-contract';
import { stringCamelCase, u8aToHex, compactAddLength } from '@polkadot/util';

import { SHOWN_ORDER } from './bundles.mjs';
import { encodeArgs, errorMeanings, snakeNames, toPlain, toValue, unwrapResult } from './codec.mjs';
import { addressOf } from './connection.mjs';
import { ChainError, ContractError, DeploymentMismatch, dispatchErrorName } from './errors.mjs';

/**
 * @typedef {import('@polkadot/api').ApiPromise} ApiPromise
 * @typedef {import('@polkadot/keyring/types').KeyringPair|{address: string, signer: object}} Signer
 *   a keyring pair, or a browser extension's account with its injected signer.
 */

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
 * @param {ApiPromise} api
 * @param {object} extrinsic a `SubmittableExtrinsic`.
 * @param {Signer} signer
 * @param {string} [what] the call, for messages.
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
 *
 * @param {ApiPromise} api
 * @returns {Promise<number>}
 */
export async function chainTime(api) {
  return (await api.query.timestamp.now()).toNumber();
}

/**
 * Makes a block by submitting an empty `system.remark`. On an instant-seal dev node the chain's
 * clock only moves when a block is made: queries (`current_interval`, `interval_state`) and dry
 * runs read the last block's timestamp, which can lie far behind the wall clock after a quiet
 * spell. A fresh block brings them up to date. Returns the new block's timestamp.
 *
 * @param {ApiPromise} api
 * @param {Signer} signer
 * @returns {Promise<number>}
 */
export async function makeBlock(api, signer) {
  const included = await submit(api, api.tx.system.remark('0x'), signer, 'system.remark');
  return included.blockTime;
}

/**
 * Uploads a bundle's Wasm unless the chain has it already (then it only checks the hash), so
 * deploying again costs nothing. Determinism `Enforced`: the code may be called on-chain.
 *
 * @param {ApiPromise} api
 * @param {Signer} signer
 * @param {import('./bundles.mjs').Bundle} bundle
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
 * @param {ApiPromise} api
 * @param {Signer} signer
 * @param {object} config a `MarketConfig` as plain JSON.
 * @param {{bundles: Object<string, import('./bundles.mjs').Bundle>, p2pCodeHash: string,
 *   p2gCodeHash: string, salt?: string}} options
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

/**
 * The code hash the chain runs at `address` (hex); throws if no contract lives there.
 *
 * @param {ApiPromise} api
 * @param {string} address
 * @returns {Promise<string>}
 */
export async function codeHashAt(api, address) {
  const info = await api.query.contracts.contractInfoOf(address);
  if (info.isNone) throw new Error(`no contract lives at ${address}`);
  return info.unwrap().codeHash.toHex();
}

/**
 * Verifies a deployment: the code hashes main answers for itself and for the p2p and p2g it
 * instantiated (`code_hashes()`, which reads them from the chain) must equal those of
 * `bundles` (default: the market's own), contract by contract. A main is only as trustworthy
 * as the p2p and p2g it calls: one instantiated with a foreign p2g would hold the deposits in
 * code nobody audited. {@link Market.at} calls this (the DApp and `deploy.mjs` attach through
 * it); call it again to re-check a long-lived session.
 *
 * @param {import('./market-core.mjs').Market} market
 * @param {Object<string, import('./bundles.mjs').Bundle>} [bundles]
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

/**
 * Dry-runs `message` on `contract` (main unless a p2g query) from `origin` at the best block,
 * transferring `value` as the transaction would (a payable message checks it).
 *
 * @param {import('./market-core.mjs').Market} market
 * @param {string} message snake_case.
 * @param {Array<*>} args in the message's order.
 * @param {string} origin an address.
 * @param {{value?: bigint|number|string, contract?: string}} [options]
 * @returns {Promise<{outcome: object, data: Uint8Array, output: object}>} the raw outcome, the
 *   call data and the decoded return value (still wrapped in its Results).
 */
export async function dryRun(market, message, args, origin, { value = 0n, contract = 'main' } = {}) {
  const abi = market.abis[contract];
  const spec = abi.findMessage(stringCamelCase(message));
  const data = spec.toU8a(encodeArgs(abi, spec, args, market.names));
  const amount = toValue(value, `${contract}.${message}`);
  if (amount !== 0n && !spec.isPayable) {
    throw new TypeError(`${contract}.${message} is not payable: it takes no value`);
  }
  const outcome = await market.api.call.contractsApi.call(origin, market.addresses[contract],
    amount, null, null, data);
  if (outcome.result.isErr) {
    throw new ChainError(`${contract}.${message} (dry run)`,
      dispatchErrorName(market.api, outcome.result.asErr), outcome.debugMessage.toString());
  }
  const output = abi.registry.createTypeUnsafe(spec.returnType.lookupName ||
    spec.returnType.type, [outcome.result.asOk.data.toU8a(true)], { isPedantic: true });
  return { outcome, data, output };
}

/**
 * A query: the dry run's value, with an `Err` thrown as a {@link ContractError}.
 *
 * @param {import('./market-core.mjs').Market} market
 * @param {string} message snake_case.
 * @param {Array<*>} args
 * @param {*} [origin] an address or signer; default the operator.
 * @param {string} [contract] `'main'` or `'p2g'`.
 * @returns {Promise<*>} the plain `Ok` value.
 */
export async function query(market, message, args, origin, contract = 'main') {
  const { output } = await dryRun(market, message, args, addressOf(origin) ?? market.operator,
    { contract });
  return unwrapResult(output, contract, message, market.names, market.meanings);
}

/**
 * The margin, in percent, by which a transaction's gas limit (ref_time and proof_size) and
 * storage deposit limit exceed its dry run's figures. A dry run weighs the call on the state
 * before the transactions ahead of it in the same block: under load those grow the book, and
 * exact limits failed 24 of 1 000 concurrent reveals with `contracts.OutOfGas`, on proof_size
 * (docs/load-test.md). Unused gas is refunded and only the storage actually created is
 * charged, so the margin costs nothing.
 */
export const GAS_MARGIN_PCT = 10;

/**
 * The limits a transaction is sent with: the dry run's `gasRequired` and storage deposit charge
 * raised by `refPct` (ref_time and the deposit) and `proofPct` (proof_size) percent, rounded
 * down to the unit.
 *
 * @param {object} outcome the dry run's `ContractExecResult`.
 * @param {{refPct?: number, proofPct?: number}} [margin] percent, 0 or more.
 * @returns {{required: {ref_time: bigint, proof_size: bigint},
 *   gasLimit: {ref_time: bigint, proof_size: bigint}, depositLimit: bigint}}
 */
export function limitsWithMargin(outcome, { refPct = GAS_MARGIN_PCT, proofPct = refPct } = {}) {
  for (const pct of [refPct, proofPct]) {
    if (!Number.isFinite(pct) || pct < 0) throw new RangeError(`gas margin: ${pct} % is not 0 or more`);
  }
  const raise = (x, pct) => x + (x * BigInt(Math.round(pct * 100))) / 10_000n;
  const required = { ref_time: outcome.gasRequired.refTime.toBigInt(),
    proof_size: outcome.gasRequired.proofSize.toBigInt() };
  const charge = outcome.storageDeposit.isCharge ? outcome.storageDeposit.asCharge.toBigInt() : 0n;
  return {
    required,
    gasLimit: { ref_time: raise(required.ref_time, refPct), proof_size: raise(required.proof_size, proofPct) },
    depositLimit: raise(charge, Math.max(refPct, proofPct)),
  };
}

/**
 * A transaction: dry run (typed errors thrown here, before signing), then the call with the
 * dry run's gas and storage deposit raised by `gasMarginPct` (default {@link GAS_MARGIN_PCT}),
 * then inclusion.
 *
 * If the transaction itself reverts (`contracts.ContractReverted`, e.g. the chain's clock
 * moved into the next interval between the dry run and the block), the dry run is repeated
 * on the new block to name the typed error.
 *
 * `paid` (default 0) is transferred with the call, and with its dry run.
 *
 * @param {import('./market-core.mjs').Market} market
 * @param {Signer} signer
 * @param {string} message snake_case.
 * @param {Array<*>} args
 * @param {{value?: bigint|number|string, gasMarginPct?: number}} [options]
 * @returns {Promise<object>} see `Market` (what every message method resolves to).
 */
export async function callMessage(market, signer, message, args,
  { value: paid = 0n, gasMarginPct = GAS_MARGIN_PCT } = {}) {
  const amount = toValue(paid, `main.${message}`);
  const { outcome, data, output } = await dryRun(market, message, args, signer.address,
    { value: amount });
  const value = unwrapResult(output, 'main', message, market.names, market.meanings);
  const { required, gasLimit, depositLimit } = limitsWithMargin(outcome, { refPct: gasMarginPct });
  const tx = market.api.tx.contracts.call(market.address, amount,
    { refTime: gasLimit.ref_time, proofSize: gasLimit.proof_size }, depositLimit, data);
  let included;
  try {
    included = await submit(market.api, tx, signer, `main.${message}`);
  } catch (error) {
    if (error instanceof ChainError && error.reason === 'contracts.ContractReverted') {
      const again = await dryRun(market, message, args, signer.address, { value: amount });
      try {
        unwrapResult(again.output, 'main', message, market.names, market.meanings);
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
    events: decodeEvents(market, included.events),
    records: included.events,
    blockHash: included.blockHash,
    blockNumber: included.blockNumber,
    blockTime: included.blockTime,
    txHash: included.txHash,
    fee: included.fee,
    gasRequired: required,
    gasLimit,
    storageDeposit: toPlain(outcome.storageDeposit, market.names),
  };
}

/**
 * Decodes the contract events among `records` (a transaction's `EventRecord`s): each with the
 * Abi of the contract that emitted it (main's events with main's metadata, `TradeExecuted`
 * with p2p's, `GridSettled` with p2g's). Events of other contracts are left out.
 *
 * @param {import('./market-core.mjs').Market} market
 * @param {object[]} records `EventRecord`s.
 * @returns {{contract: string, address: string, name: string, args: object}[]}
 */
export function decodeEvents(market, records) {
  const byAddress = new Map(Object.entries(market.addresses).map(([name, address]) => [
    address, name]));
  const decoded = [];
  for (const record of records) {
    if (!market.api.events.contracts.ContractEmitted.is(record.event)) continue;
    const address = record.event.data[0].toString();
    const contract = byAddress.get(address);
    if (!contract) continue;
    const { event, args } = market.abis[contract].decodeEvent(record);
    decoded.push({
      contract,
      address,
      name: event.identifier.split('::').pop(),
      args: Object.fromEntries(event.args.map((arg, i) => [
        market.names.get(arg.name) ?? arg.name, toPlain(args[i], market.names)])),
    });
  }
  return decoded;
}
