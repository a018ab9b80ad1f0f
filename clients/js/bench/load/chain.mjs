/**
 * Chain plumbing of the load test (`bench/load-test.mjs`): bounded concurrency, extrinsics
 * signed with an explicit nonce (the operator's batches), what an extrinsic's records say about
 * its weight, fee and storage deposits, and per-block figures read back from the chain.
 *
 * Everything a home does goes through the client (`src/`); this module only adds what the
 * client has no reason to offer: several extrinsics of one signer in flight at once, and
 * reading blocks after the fact.
 */
import { unwrapResult } from '../../src/codec.mjs';
import { dispatchErrorName } from '../../src/errors.mjs';
import { dryRun, limitsWithMargin, submit } from '../../src/transactions.mjs';

/**
 * Runs `fn(item, index)` over `items` with at most `limit` calls in flight, in order of
 * `items`; resolves to the results in that order. `fn` should not throw (a thrown error stops
 * the whole run): the load test wraps each call and records its failure.
 *
 * @template T, R
 * @param {T[]} items
 * @param {number} limit
 * @param {(item: T, index: number) => Promise<R>} fn
 * @returns {Promise<R[]>}
 */
export async function mapPool(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await fn(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/**
 * Signs `extrinsic` with `signer` at `nonce` and resolves once it is in a block, with the
 * wall-clock times of the submission and of the inclusion notice, the block, the fee paid and
 * the dispatch weight. Rejects if the pool refuses it or its dispatch fails (a `batchAll` fails
 * as a whole), and if a `utility.batch` was interrupted.
 *
 * @param {import('@polkadot/api').ApiPromise} api
 * @param {object} extrinsic a `SubmittableExtrinsic`.
 * @param {object} signer a keyring pair.
 * @param {number} nonce
 * @param {string} what for messages.
 */
export function sendWithNonce(api, extrinsic, signer, nonce, what) {
  const submittedAt = Date.now();
  return new Promise((resolve, reject) => {
    let unsubscribe = null;
    let done = false;
    const finish = (fn, value) => {
      if (done) return;
      done = true;
      if (unsubscribe) unsubscribe();
      fn(value);
    };
    extrinsic.signAndSend(signer, { nonce }, (result) => {
      const { status, dispatchError, events } = result;
      if (status.isInBlock) {
        if (dispatchError) {
          finish(reject, new Error(`${what}: ${dispatchErrorName(api, dispatchError)}`));
          return;
        }
        const interrupted = events.find(({ event }) =>
          api.events.utility?.BatchInterrupted.is(event));
        if (interrupted) {
          finish(reject, new Error(`${what}: batch interrupted at item ` +
            `${interrupted.event.data[0]}: ${dispatchErrorName(api, interrupted.event.data[1])}`));
          return;
        }
        finish(resolve, { blockHash: status.asInBlock.toHex(), events, includedAt: Date.now(),
          length: extrinsic.encodedLength });
      } else if (status.isInvalid || status.isDropped || status.isUsurped) {
        finish(reject, new Error(`${what}: transaction ${status.type}`));
      }
    }).then((unsub) => {
      unsubscribe = unsub;
      if (done) unsub();
    }, (error) => finish(reject, new Error(`${what}: ${error.message}`)));
  }).then(async (included) => {
    const header = await api.rpc.chain.getHeader(included.blockHash);
    return {
      ...included,
      submittedAt,
      blockNumber: header.number.toNumber(),
      fee: feePaid(api, included.events),
      weight: dispatchWeight(api, included.events),
    };
  });
}

/** The fee and tip an extrinsic's signer paid (`transactionPayment.TransactionFeePaid`). */
export function feePaid(api, records) {
  const paid = records.find(({ event }) =>
    api.events.transactionPayment?.TransactionFeePaid.is(event));
  return paid ? paid.event.data[1].toBigInt() + paid.event.data[2].toBigInt() : 0n;
}

/**
 * The weight the chain charged an extrinsic (`system.ExtrinsicSuccess`'s `dispatch_info.weight`:
 * its dispatch after the refund of unused gas, plus the class's `base_extrinsic`, which this
 * runtime's frame_system adds to the event), `{ref_time, proof_size}`. The block's
 * `system.blockWeight` counts exactly this, plus the extrinsic's encoded length as proof_size.
 */
export function dispatchWeight(api, records) {
  const success = records.find(({ event }) => api.events.system.ExtrinsicSuccess.is(event));
  if (!success) throw new Error('no system.ExtrinsicSuccess among the records');
  const { refTime, proofSize } = success.event.data[0].weight;
  return { ref_time: refTime.toBigInt(), proof_size: proofSize.toBigInt() };
}

/**
 * The storage deposits an extrinsic moved for `address`: `held` what it paid into contracts'
 * storage deposits (`contracts.StorageDepositTransferredAndHeld` from it), `released` what
 * contracts gave back to it (`...AndReleased` to it). Held money is not a fee: it stays the
 * payer's claim on the storage, released when the storage is freed.
 */
export function storageDeposits(api, records, address) {
  let held = 0n;
  let released = 0n;
  for (const { event } of records) {
    if (api.events.contracts.StorageDepositTransferredAndHeld?.is(event)) {
      if (event.data[0].toString() === address) held += event.data[2].toBigInt();
    } else if (api.events.contracts.StorageDepositTransferredAndReleased?.is(event)) {
      if (event.data[1].toString() === address) released += event.data[2].toBigInt();
    }
  }
  return { held, released };
}

/**
 * Figures of the blocks `from..=to`, from their bodies (which the node keeps; the state of a
 * block more than 256 blocks behind the finalized one is pruned, and instant seal makes many
 * blocks): per block its number, timestamp (its `timestamp.set` inherent) and number of signed
 * extrinsics, and its normal-class weight as frame_system counts it: the weights of our
 * extrinsics in it (`weights`, a Map of block number to {@link dispatchWeight}s) plus the
 * encoded length of every signed extrinsic as proof_size. `complete` says whether every signed
 * extrinsic of the block is among ours, i.e. whether that sum is the block's whole normal
 * weight. Where the block's state is still there, `system.blockWeight`'s normal class is read
 * too (`state_normal`), a check of the sum.
 *
 * @returns {Promise<{number: number, timestamp: number, extrinsics: number, ours: number,
 *   complete: boolean, normal: {ref_time: bigint, proof_size: bigint},
 *   state_normal: {ref_time: bigint, proof_size: bigint}|null}[]>}
 */
export async function blockFigures(api, from, to, weights, concurrency = 16) {
  const numbers = [];
  for (let n = from; n <= to; n += 1) numbers.push(n);
  // State is kept for 256 blocks behind the finalized head (finalized a second after import):
  // older blocks are not asked (polkadot.js would log every refusal).
  const stateFrom = (await api.rpc.chain.getHeader()).number.toNumber() - 200;
  return mapPool(numbers, concurrency, async (number) => {
    const hash = await api.rpc.chain.getBlockHash(number);
    // Raw, decoded with the current runtime's registry (the runtime never changes here): the
    // decoded getBlock would ask for the runtime version at the block, which is state.
    const raw = await api.rpc.chain.getBlock.raw(hash);
    const extrinsics = raw.block.extrinsics.map((hex) => api.registry.createType('Extrinsic', hex));
    const set = extrinsics.find((xt) => xt.method.section === 'timestamp');
    const signed = extrinsics.filter((xt) => xt.isSigned);
    const ours = weights.get(number) ?? [];
    const normal = ours.reduce((acc, w) => ({
      ref_time: acc.ref_time + w.ref_time,
      proof_size: acc.proof_size + w.proof_size,
    }), { ref_time: 0n, proof_size: signed.reduce((acc, xt) => acc + BigInt(xt.encodedLength), 0n) });
    let stateNormal = null;
    if (number >= stateFrom) {
      const weight = await api.query.system.blockWeight.at(hash);
      stateNormal = { ref_time: weight.normal.refTime.toBigInt(),
        proof_size: weight.normal.proofSize.toBigInt() };
    }
    return {
      number,
      timestamp: set ? Number(set.method.args[0].toString()) : null,
      extrinsics: signed.length,
      ours: ours.length,
      complete: ours.length === signed.length,
      normal,
      state_normal: stateNormal,
    };
  });
}

/** Free balance of `address`, units. */
export async function freeBalance(api, address) {
  return (await api.query.system.account(address)).data.free.toBigInt();
}

/** The account's nonce (number of extrinsics it has signed that were included). */
export async function accountNonce(api, address) {
  return (await api.query.system.account(address)).nonce.toNumber();
}

/**
 * A home's contract call as the client makes it (`callMessage` in `src/transactions.mjs`: a dry
 * run carrying the value, its typed error thrown before signing, then the call signed with the
 * next nonce and awaited until it is in a block), except that the gas limit and the storage
 * deposit limit are the dry run's figures raised by `marginPct` percent (`refPct` and `proofPct`
 * for the two parts of the gas separately). Unused gas is refunded and only the storage actually
 * created is charged, so the margin changes neither the fee nor the deposit; it only keeps a call
 * whose dry run ran on a book that other calls in the same block then grew from running out of
 * gas (see the load test's notes).
 *
 * @returns {Promise<object>} the fields of the client's message results the load test reads:
 *   `blockNumber`, `blockTime`, `fee`, `records`, `paid`, `gasRequired` (the dry run's),
 *   `gasLimit` (sent) and `length` (the signed extrinsic's encoded length).
 */
export async function callWithMargin(market, signer, message, args,
  { value = 0n, refPct = 0, proofPct = 0 } = {}) {
  const { outcome, data, output } = await dryRun(market, message, args, signer.address, { value });
  unwrapResult(output, 'main', message, market.names, market.meanings);
  const { required, gasLimit, depositLimit } = limitsWithMargin(outcome, { refPct, proofPct });
  const tx = market.api.tx.contracts.call(market.address, value,
    { refTime: gasLimit.ref_time, proofSize: gasLimit.proof_size }, depositLimit, data);
  const included = await submit(market.api, tx, signer, `main.${message}`);
  return { ...included, records: included.events, paid: BigInt(value), gasRequired: required,
    gasLimit, length: tx.encodedLength };
}

/**
 * The encoded length of the extrinsic `txHash` in block `blockHash` (for transactions the client
 * sent, whose extrinsic object the caller does not see).
 */
export async function extrinsicLength(api, blockHash, txHash) {
  const raw = await api.rpc.chain.getBlock.raw(blockHash);
  for (const hex of raw.block.extrinsics) {
    const xt = api.registry.createType('Extrinsic', hex);
    if (xt.hash.toHex() === txHash) return xt.encodedLength;
  }
  throw new Error(`extrinsic ${txHash} is not in block ${blockHash}`);
}
