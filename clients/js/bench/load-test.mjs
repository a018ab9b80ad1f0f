#!/usr/bin/env node
/**
 * Load test of the market on a real node, a benchmark (not a test): N homes each place one
 * offer in one interval through polkadot.js, the interval is closed in steps, and, metered, every
 * position is read; what the chain carried, what it cost and whether anything was lost is
 * written to `bench/load.json` (`scripts/load-test.sh` runs it on a throwaway node):
 *
 *   node bench/load-test.mjs [--homes 1000] [--mode open|sealed|metered|all] [--concurrency 50]
 *                            [--out bench/load.json] [--url ws://...] [--interval-ms MS]
 *                            [--reveal-ms MS] [--gas-margin-pct PCT] [--merge]
 *
 * - `--url` (default `ws://127.0.0.1:${MARKET_LOAD_PORT:-9988}`): a dev node whose dev accounts
 *   are endowed (Alice pays for everything).
 * - `--mode` (default `all`): `open` (sealing null), `sealed` (`Sealing::DEFAULT` with a short
 *   reveal window), `metered` (open offers with `Metering::DEFAULT`, the deployer as metering
 *   operator); `all` runs the three one after the other, each on a fresh deployment.
 * - `--interval-ms` (default 60 000) is the interval's length, `--reveal-ms` (default the
 *   interval's) the sealed mode's reveal window: long enough for every home's offer (a commit,
 *   a reveal) on this machine (1 000 offers took 15 s on 2 cores), short enough not to wait an
 *   hour.
 * - `--gas-margin-pct` (default 10) raises the gas limit of every home transaction above its
 *   dry run's (see `callWithMargin` in bench/load/chain.mjs); 0 sends the client's exact figures.
 * - `--merge` keeps the other modes' results already in `--out` (a run per mode, each on a
 *   fresh node, as scripts/load-test.sh does) and recomputes the capacity over all of them.
 *
 * Per mode: a fresh suite with deployments/config/local.json's market but the interval above
 * (and sealing and metering as said); N accounts `//load/0` ... `//load/N-1` (dev seed) and a
 * closer `//load-closer`, funded by Alice in `utility.batchAll`s of `balances.transferKeepAlive`;
 * every home registered in area `i % 3` by main's `register` in `utility.batchAll`s of contract
 * calls (each dry-run first, for its gas and storage deposit); the grid deposit funded. Then, in
 * a fresh interval, every home signs exactly one offer (even homes sell, odd homes buy; energy,
 * asks and limits spread inside the tariff's bounds; buys, and metered sells, carrying exactly the
 * deposit `deposits.mjs` computes, checked against main's own `buy_deposit` / `imbalance_bond`
 * / `commit_deposit` for the first offers) with at most `--concurrency` in flight; sealed, the
 * commits in the interval and the reveals in the reveal window. The closer closes the interval
 * with `closeInterval` (close_interval repeated until Closed); metered, the metering operator
 * submits a reading for every position (`submitReadings`, batches of 50; a quarter of the homes
 * 10 % short, a quarter 10 % long), after which no reading is missing and there is nothing to
 * sweep.
 *
 * Then it checks that nothing is lost (see `checkNothingLost`) and exits non-zero if anything
 * is, writing the results to `<out>.failed` instead of `<out>`.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { exitWithError, parseCommandLine } from '../src/cli.mjs';
import { unwrapResult } from '../src/codec.mjs';
import {
  ContractError,
  DEFAULT_CAPACITY,
  DEFAULT_METERING,
  Market,
  REPO_ROOT,
  account,
  accountHex,
  connect,
  intervalStart,
  offerCover,
  sealOffer,
  sealedDeposit,
  toJsonSafe,
  utcHour,
} from '../src/market.mjs';
import { dryRun } from '../src/transactions.mjs';
import {
  accountNonce,
  blockFigures,
  callWithMargin,
  dispatchWeight,
  extrinsicLength,
  freeBalance,
  mapPool,
  sendWithNonce,
  storageDeposits,
} from './load/chain.mjs';
import { capacityOf, sci } from './load/capacity.mjs';

const USAGE = 'usage: node bench/load-test.mjs [--homes N] [--mode open|sealed|metered|all] ' +
  '[--concurrency N] [--out FILE] [--url ws://HOST:PORT] [--interval-ms MS] [--reveal-ms MS] ' +
  '[--gas-margin-pct PCT] [--merge]';

const MODES = ['open', 'sealed', 'metered'];

/** Blocks every 6 s: the block time the capacity statement assumes (Polkadot's). */
const BLOCK_MS = 6_000;

/** Sealing::DEFAULT's reveal window and Metering::DEFAULT's window, for the capacity. */
const DEFAULT_REVEAL_MS = 600_000;
const DEFAULT_METERING_WINDOW_MS = Number(DEFAULT_METERING.window_ms);

/** Transfers per funding batch, and contract calls per registration batch (at most). */
const TRANSFERS_PER_BATCH = 250;
const REGISTERS_PER_BATCH = 100;

/** The market reads a balance unit as a micro-euro (tariff 300 000 units/kWh = 0.30 EUR/kWh). */
const UNITS_PER_EUR_MARKET = 1e6;

/**
 * The relay chain's PoV limit (`MAX_POV_SIZE`) in the polkadot-sdk the node's parachain runtime
 * builds on (polkadot-primitives 16: 5 MiB), and the 10 MiB of later releases.
 */
const POV_5_MIB = 5n * 1024n * 1024n;
const POV_10_MIB = 10n * 1024n * 1024n;

function say(line) {
  process.stderr.write(`${line}\n`);
}

function positiveInt(value, name) {
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    exitWithError(`${name} takes a positive whole number, got ${value}`, { code: 2, usage: USAGE });
  }
  return Number(value);
}

function parseOptions(argv) {
  const { values } = parseCommandLine(argv, {
    usage: USAGE,
    options: {
      homes: { type: 'string', default: '1000' },
      mode: { type: 'string', default: 'all' },
      concurrency: { type: 'string', default: '50' },
      out: { type: 'string', default: path.join(REPO_ROOT, 'bench', 'load.json') },
      url: { type: 'string' },
      'interval-ms': { type: 'string', default: '60000' },
      'reveal-ms': { type: 'string' },
      merge: { type: 'boolean', default: false },
      'gas-margin-pct': { type: 'string', default: '10' },
    },
  });
  if (![...MODES, 'all'].includes(values.mode)) {
    exitWithError(`--mode is open, sealed, metered or all, got ${values.mode}`,
      { code: 2, usage: USAGE });
  }
  const intervalMs = positiveInt(values['interval-ms'], '--interval-ms');
  return {
    homes: positiveInt(values.homes, '--homes'),
    modes: values.mode === 'all' ? MODES : [values.mode],
    concurrency: positiveInt(values.concurrency, '--concurrency'),
    out: path.resolve(values.out),
    url: values.url ?? `ws://127.0.0.1:${process.env.MARKET_LOAD_PORT || 9988}`,
    intervalMs,
    revealMs: values['reveal-ms'] ? positiveInt(values['reveal-ms'], '--reveal-ms') : intervalMs,
    merge: values.merge,
    gasMarginPct: Number(values['gas-margin-pct']),
  };
}

/** The gas margin of home transactions, percent of the dry run's ref_time and proof_size. */
function gasMargin(options) {
  return {
    refPct: options.gasMarginPct,
    proofPct: options.gasMarginPct,
  };
}

// -- small helpers ---------------------------------------------------------------------------

const sumOf = (values) => values.reduce((a, b) => a + b, 0n);
const maxOf = (values) => values.reduce((a, b) => (b > a ? b : a), values[0] ?? 0n);
const minOf = (values) => values.reduce((a, b) => (b < a ? b : a), values[0] ?? 0n);
/** Mean of BigInts, rounded to the nearest unit. */
const meanOf = (values) => (values.length === 0 ? 0n
  : (sumOf(values) + BigInt(values.length) / 2n) / BigInt(values.length));
const seconds = (ms) => Math.round(ms) / 1000;
const round = (x, digits = 3) => Number(x.toFixed(digits));
/** A share as a fraction with 6 significant digits. */
const ratio = (part, whole) => (Number(whole) === 0 ? null : Number((Number(part) / Number(whole))
  .toPrecision(6)));
const pct = (x) => (x === null ? 'n/a' : `${(100 * x).toPrecision(4)} %`);

function describe(error) {
  if (error instanceof ContractError) return `${error.message} [${error.variant}]`;
  return error?.message ?? String(error);
}

/**
 * Weight as the block counts it (`system.blockWeight`): the extrinsic's weight from
 * `system.ExtrinsicSuccess` (dispatch after the gas refund, base_extrinsic included) plus its
 * encoded length as proof_size.
 */
function counted(weight, length) {
  return { ref_time: weight.ref_time, proof_size: weight.proof_size + BigInt(length) };
}

function weightCodec({ refTime, proofSize }) {
  return { ref_time: refTime.toBigInt(), proof_size: proofSize.toBigInt() };
}

/** Parses a JSON-safe weight (numbers or decimal strings) back to BigInts. */
function weightBig(w) {
  return { ref_time: BigInt(w.ref_time), proof_size: BigInt(w.proof_size) };
}

// -- the chain's figures ---------------------------------------------------------------------

async function chainFacts(api) {
  const { maxBlock, perClass, baseBlock } = api.consts.system.blockWeights;
  return {
    node: (await api.rpc.system.version()).toString(),
    chain: (await api.rpc.system.chain()).toString(),
    runtime: `${api.runtimeVersion.specName}/${api.runtimeVersion.specVersion}`,
    decimals: api.registry.chainDecimals[0],
    token: api.registry.chainTokens[0],
    existential_deposit: api.consts.balances.existentialDeposit.toBigInt(),
    limits: {
      max_block: weightCodec(maxBlock),
      base_block: weightCodec(baseBlock),
      normal_max_total: weightCodec(perClass.normal.maxTotal.unwrap()),
      normal_max_extrinsic: weightCodec(perClass.normal.maxExtrinsic.unwrap()),
      base_extrinsic: weightCodec(perClass.normal.baseExtrinsic),
      block_length_normal: api.consts.system.blockLength.max.normal.toNumber(),
    },
    storage_deposit: {
      per_item: api.consts.contracts.depositPerItem.toBigInt(),
      per_byte: api.consts.contracts.depositPerByte.toBigInt(),
    },
  };
}

async function feeMultiplier(api) {
  // FixedU128: 10^18 is 1.
  return Number((await api.query.transactionPayment.nextFeeMultiplier()).toBigInt()) / 1e18;
}

// -- setting up: deploy, fund, register ------------------------------------------------------

function modeConfig(mode, operator, { intervalMs, revealMs }) {
  const file = path.join(REPO_ROOT, 'deployments', 'config', 'local.json');
  const { market } = JSON.parse(readFileSync(file, 'utf8'));
  const config = { ...market, interval_ms: intervalMs, sealing: null, metering: null };
  if (mode === 'sealed') config.sealing = { ...market.sealing, reveal_ms: revealMs };
  if (mode === 'metered') config.metering = { ...DEFAULT_METERING, operator: operator.address };
  return config;
}

/**
 * The homes `//load/0` ... (soft junctions of `//load`, derived from one root pair rather than
 * from the mnemonic each time; checked against `account()` for the first and the last).
 */
function makeHomes(count) {
  const root = account('//load');
  const homes = Array.from({ length: count }, (_, i) => root.derive(`/${i}`));
  for (const i of [0, count - 1]) {
    if (homes[i].address !== account(`//load/${i}`).address) {
      throw new Error(`//load/${i}: derived ${homes[i].address}, expected ${account(`//load/${i}`).address}`);
    }
  }
  return homes;
}

/** Figures of a phase made of extrinsics `sent` (each with blockNumber, times, fee, weight). */
async function batchPhase(api, sent, calls) {
  const numbers = sent.map((s) => s.blockNumber);
  const first = Math.min(...numbers);
  const last = Math.max(...numbers);
  return {
    calls,
    extrinsics: sent.length,
    wall_s: seconds(Math.max(...sent.map((s) => s.includedAt)) -
      Math.min(...sent.map((s) => s.submittedAt))),
    blocks_with_extrinsics: new Set(numbers).size,
    blocks_spanned: last - first + 1,
    first_block: first,
    last_block: last,
    fees: sumOf(sent.map((s) => s.fee)),
    largest_extrinsic: {
      ref_time: maxOf(sent.map((s) => s.weight.ref_time)),
      proof_size: maxOf(sent.map((s) => s.weight.proof_size)),
    },
  };
}

/** Sends `extrinsics` as `signer` with consecutive nonces, all in flight at once. */
async function sendAll(api, signer, extrinsics, what) {
  const nonce = (await api.rpc.system.accountNextIndex(signer.address)).toNumber();
  return Promise.all(extrinsics.map((xt, k) =>
    sendWithNonce(api, xt, signer, nonce + k, `${what} ${k + 1}/${extrinsics.length}`)));
}

/** Alice funds every account with `amount` in utility.batchAll's of transferKeepAlive. */
async function fundAccounts(api, funder, accounts, amount) {
  const batches = [];
  for (let from = 0; from < accounts.length; from += TRANSFERS_PER_BATCH) {
    batches.push(api.tx.utility.batchAll(accounts.slice(from, from + TRANSFERS_PER_BATCH)
      .map((who) => api.tx.balances.transferKeepAlive(who.address, amount))));
  }
  const sent = await sendAll(api, funder, batches, 'funding batch');
  const balances = await mapPool(accounts, 32, (who) => freeBalance(api, who.address));
  const short = balances.filter((b) => b !== amount).length;
  if (short > 0) throw new Error(`${short} funded accounts do not hold exactly ${amount}`);
  return { ...await batchPhase(api, sent, accounts.length), amount_each: amount };
}

/**
 * Registers every home in area `i % 3` through main's operator-only `register`: each call is
 * dry-run for its gas and storage deposit (and its typed error), then the calls go out in
 * utility.batchAll's of contract calls, each batch under 40 % of the per-extrinsic limit.
 */
async function registerAll(api, market, operator, homes, limits, concurrency) {
  const started = Date.now();
  const calls = await mapPool(homes, concurrency, async (home, i) => {
    const args = [accountHex(home), i % 3, null];
    const { outcome, data, output } = await dryRun(market, 'register', args, operator.address);
    unwrapResult(output, 'main', 'register', market.names, market.meanings);
    const deposit = outcome.storageDeposit.isCharge ? outcome.storageDeposit.asCharge : 0;
    // Every dry run sees the state before the first registration, and the second home of an
    // area reads its area's count at a few more bytes of proof than the first: a 5 % margin
    // (unused gas is refunded, so the fee does not change).
    const gas = weightCodec(outcome.gasRequired);
    const limit = { refTime: (gas.ref_time * 105n) / 100n, proofSize: (gas.proof_size * 105n) / 100n };
    return {
      gas: { ref_time: limit.refTime, proof_size: limit.proofSize },
      tx: api.tx.contracts.call(market.address, 0, limit, deposit, data),
    };
  });
  const dryRunS = seconds(Date.now() - started);
  const budget = (limits.normal_max_extrinsic.ref_time * 2n) / 5n;
  const batches = [];
  let current = [];
  let weight = 0n;
  for (const call of calls) {
    if (current.length > 0 && (current.length >= REGISTERS_PER_BATCH ||
      weight + call.gas.ref_time > budget)) {
      batches.push(current);
      current = [];
      weight = 0n;
    }
    current.push(call.tx);
    weight += call.gas.ref_time;
  }
  if (current.length > 0) batches.push(current);
  const sent = await sendAll(api, operator, batches.map((b) => api.tx.utility.batchAll(b)),
    'registration batch');
  const count = await market.participantCount();
  if (count !== homes.length) {
    throw new Error(`participant_count is ${count} after registering ${homes.length} homes`);
  }
  return {
    ...await batchPhase(api, sent, homes.length),
    dry_runs_s: dryRunS,
    register_gas_required: {
      ref_time: maxOf(calls.map((c) => c.gas.ref_time)),
      proof_size: maxOf(calls.map((c) => c.gas.proof_size)),
    },
  };
}

// -- offers ----------------------------------------------------------------------------------

/**
 * Home `i`'s offer: even homes sell, odd homes buy; energy 500..4 999 Wh, and the price (a
 * sell's ask, a buy's limit) spread over the tariff's `[min_price, max_price]`, each by its own
 * stride so that energy and price do not move together. `deposit` is what deposits.mjs says the
 * offer must carry (open: `offerCover`; sealed: `sealedDeposit`), for a connection of
 * `Capacity::DEFAULT`.
 */
function planOffer(i, config, hour) {
  const side = i % 2 === 0 ? 'Sell' : 'Buy';
  const energyWh = 500n + BigInt((i * 7_919) % 4_500);
  const min = BigInt(config.tariff.min_price);
  const span = BigInt(config.tariff.max_price) - min + 1n;
  const price = min + (BigInt(i) * 104_729n * 13n) % span;
  const importWh = DEFAULT_CAPACITY.import_wh;
  const deposit = config.sealing
    ? sealedDeposit(config, hour, side, energyWh, price, importWh)
    : offerCover(config, hour, side, energyWh, price, importWh).cover;
  return { side, energy_wh: energyWh, price, deposit };
}

/**
 * Checks the off-chain deposits against main's queries for the first sell and the first buy:
 * `offerDeposit` (buy_deposit plus imbalance_bond) open, `commit_deposit` sealed.
 */
async function checkDeposits(market, homes, plans, interval, sealed) {
  const checked = [];
  for (const i of [0, 1]) {
    const { side, energy_wh: energyWh, price, deposit } = plans[i];
    const onChain = sealed
      ? await market.commitDeposit(interval, side, energyWh, price, { origin: homes[i] })
      : await market.offerDeposit(interval, side, energyWh, price, { origin: homes[i] });
    if (onChain !== deposit) {
      throw new Error(`home ${i}'s ${side} deposit: deposits.mjs says ${deposit}, main ${onChain}`);
    }
    checked.push({ home: i, side, energy_wh: energyWh, price, deposit });
  }
  return checked;
}

/** What one of a home's transactions did, from the client's result. */
function txRecord(api, tx, home, startedAt) {
  return {
    startedAt,
    includedAt: Date.now(),
    blockNumber: tx.blockNumber,
    blockTime: tx.blockTime,
    fee: tx.fee,
    weight: dispatchWeight(api, tx.records),
    length: tx.length,
    // The dry run's gas (toPlain leaves a Weight's fields camelCase).
    gasRequired: { ref_time: BigInt(tx.gasRequired.refTime ?? tx.gasRequired.ref_time),
      proof_size: BigInt(tx.gasRequired.proofSize ?? tx.gasRequired.proof_size) },
    value: tx.paid,
    storage: storageDeposits(api, tx.records, home.address),
  };
}

/** Every home's `send(home, i)`, at most `concurrency` in flight; failures are recorded. */
async function eachHome(api, homes, concurrency, send) {
  return mapPool(homes, concurrency, async (home, i) => {
    const startedAt = Date.now();
    try {
      return { home: i, ...txRecord(api, await send(home, i), home, startedAt) };
    } catch (error) {
      return { home: i, startedAt, failedAt: Date.now(), error: describe(error) };
    }
  });
}

/**
 * Figures of a phase of home transactions: throughput from the first submission (dry run
 * included, as the client dry-runs every call) to the last inclusion, per block, the largest
 * block's weight against the limits, fees and weights per transaction.
 */
async function txPhase(api, records, facts) {
  const ok = records.filter((r) => !r.error);
  const failed = records.filter((r) => r.error);
  if (ok.length === 0) {
    throw new Error(`no transaction of the phase was accepted: ${JSON.stringify(errorCounts(failed))}`);
  }
  const first = Math.min(...records.map((r) => r.startedAt));
  const last = Math.max(...ok.map((r) => r.includedAt));
  const perBlock = new Map();
  for (const r of ok) perBlock.set(r.blockNumber, (perBlock.get(r.blockNumber) ?? 0) + 1);
  const firstBlock = Math.min(...perBlock.keys());
  const lastBlock = Math.max(...perBlock.keys());
  const weights = new Map();
  for (const r of ok) weights.set(r.blockNumber, [...(weights.get(r.blockNumber) ?? []), r.weight]);
  const blocks = await blockFigures(api, firstBlock, lastBlock, weights);
  const ours = blocks.filter((b) => perBlock.has(b.number));
  const withState = blocks.filter((b) => b.state_normal !== null && b.complete);
  const stateMismatches = withState.filter((b) =>
    b.state_normal.ref_time !== b.normal.ref_time ||
    b.state_normal.proof_size !== b.normal.proof_size);
  const largest = ours.reduce((a, b) => (b.normal.ref_time > a.normal.ref_time ? b : a));
  const largestProof = ours.reduce((a, b) => (b.normal.proof_size > a.normal.proof_size ? b : a));
  const { limits } = facts;
  const counts = [...perBlock.values()];
  const wallS = seconds(last - first);
  const chainS = seconds(blocks.at(-1).timestamp - blocks[0].timestamp);
  return {
    accepted: ok.length,
    failed: failed.length,
    errors: errorCounts(failed),
    wall_s: wallS,
    per_second: round(ok.length / wallS, 2),
    chain_span_s: chainS,
    per_block: {
      blocks_with_offers: perBlock.size,
      blocks_spanned: lastBlock - firstBlock + 1,
      empty_blocks_in_span: blocks.filter((b) => b.extrinsics === 0).length,
      max: Math.max(...counts),
      mean: round(ok.length / perBlock.size, 2),
      first_block: firstBlock,
      last_block: lastBlock,
    },
    block_weight_source: {
      how: 'per block, the sum of our extrinsics\' weights (system.ExtrinsicSuccess: dispatch ' +
        'after the gas refund, base_extrinsic included) plus every signed extrinsic\'s encoded ' +
        'length as proof_size, as frame_system counts it; checked against system.blockWeight ' +
        'where the block\'s state was not yet pruned (256 blocks behind the finalized head)',
      blocks_with_other_signed_extrinsics: blocks.filter((b) => !b.complete).length,
      checked_against_state: withState.length,
      state_mismatches: stateMismatches.length,
    },
    largest_block: {
      number: largest.number,
      transactions: perBlock.get(largest.number),
      normal_weight: largest.normal,
      share_of_normal_max_total: { ref_time: ratio(largest.normal.ref_time,
        limits.normal_max_total.ref_time), proof_size: ratio(largest.normal.proof_size,
        limits.normal_max_total.proof_size) },
      share_of_max_block: { ref_time: ratio(largest.normal.ref_time, limits.max_block.ref_time),
        proof_size: ratio(largest.normal.proof_size, limits.max_block.proof_size) },
    },
    largest_proof_block: { number: largestProof.number, normal_weight: largestProof.normal },
    weight: {
      mean: { ref_time: meanOf(ok.map((r) => r.weight.ref_time)),
        proof_size: meanOf(ok.map((r) => r.weight.proof_size)) },
      max: { ref_time: maxOf(ok.map((r) => r.weight.ref_time)),
        proof_size: maxOf(ok.map((r) => r.weight.proof_size)) },
      gas_required_mean: { ref_time: meanOf(ok.map((r) => r.gasRequired.ref_time)),
        proof_size: meanOf(ok.map((r) => r.gasRequired.proof_size)) },
      counted_mean: { ref_time: meanOf(ok.map((r) => counted(r.weight, r.length).ref_time)),
        proof_size: meanOf(ok.map((r) => counted(r.weight, r.length).proof_size)) },
      length_mean: meanOf(ok.map((r) => BigInt(r.length))),
    },
    fee: {
      total: sumOf(ok.map((r) => r.fee)),
      mean: meanOf(ok.map((r) => r.fee)),
      min: minOf(ok.map((r) => r.fee)),
      max: maxOf(ok.map((r) => r.fee)),
    },
    value_sent: sumOf(ok.map((r) => r.value)),
    storage_deposit_held: {
      total: sumOf(ok.map((r) => r.storage.held - r.storage.released)),
      mean: meanOf(ok.map((r) => r.storage.held - r.storage.released)),
    },
  };
}

function errorCounts(failed) {
  const counts = {};
  for (const { error } of failed) counts[error] = (counts[error] ?? 0) + 1;
  return counts;
}

/** Per-side means of a phase's fees and weights. */
function bySide(records, plans) {
  const result = {};
  for (const side of ['Sell', 'Buy']) {
    const ok = records.filter((r) => !r.error && plans[r.home].side === side);
    result[side.toLowerCase()] = {
      count: ok.length,
      fee_mean: meanOf(ok.map((r) => r.fee)),
      weight_mean: { ref_time: meanOf(ok.map((r) => r.weight.ref_time)),
        proof_size: meanOf(ok.map((r) => r.weight.proof_size)) },
    };
  }
  return result;
}

// -- close and readings ----------------------------------------------------------------------

/** Figures of a sequence of steps (close steps, reading batches) from the client's result. */
async function stepPhase(api, steps, signer, startedAt, endedAt, facts, describeStep) {
  const rows = await Promise.all(steps.map(async (step, n) => ({
    step: n + 1,
    block: step.blockNumber,
    fee: step.fee,
    weight: dispatchWeight(api, step.records),
    length: await extrinsicLength(api, step.blockHash, step.txHash),
    storage: storageDeposits(api, step.records, signer.address),
    ...describeStep(step),
  })));
  const { limits } = facts;
  const largest = rows.reduce((a, b) => (b.weight.ref_time > a.weight.ref_time ? b : a));
  const blocks = new Set(rows.map((r) => r.block));
  return {
    steps: rows.length,
    wall_s: seconds(endedAt - startedAt),
    blocks: blocks.size,
    fee_total: sumOf(rows.map((r) => r.fee)),
    weight_total: { ref_time: sumOf(rows.map((r) => r.weight.ref_time)),
      proof_size: sumOf(rows.map((r) => r.weight.proof_size)) },
    counted_total: {
      ref_time: sumOf(rows.map((r) => counted(r.weight, r.length).ref_time)),
      proof_size: sumOf(rows.map((r) => counted(r.weight, r.length).proof_size)),
    },
    largest_step: {
      step: largest.step,
      weight: largest.weight,
      share_of_max_extrinsic: { ref_time: ratio(largest.weight.ref_time,
        limits.normal_max_extrinsic.ref_time), proof_size: ratio(largest.weight.proof_size,
        limits.normal_max_extrinsic.proof_size) },
      share_of_normal_max_total: { ref_time: ratio(largest.weight.ref_time,
        limits.normal_max_total.ref_time) },
    },
    storage_deposit: { held: sumOf(rows.map((r) => r.storage.held)),
      released: sumOf(rows.map((r) => r.storage.released)) },
    each: rows.map(({ storage, ...row }) => ({ ...row, storage_released: storage.released,
      storage_held: storage.held })),
  };
}

/**
 * Home `i`'s meter reading: what cleared (the offer's energy: a sell's energy was sold, to peers
 * or the grid; a buy's bought) times 90 % for homes 0, 1, 8, 9, ... (a seller short, a buyer
 * long), 110 % for homes 2, 3, 10, 11, ... (a seller long, a buyer short), exact for the other
 * half.
 */
function planReading(i, plan) {
  const factor = [90n, 110n, 100n, 100n][Math.floor(i / 2) % 4];
  const energy = (plan.energy_wh * factor) / 100n;
  return plan.side === 'Sell'
    ? { delivered_wh: energy, consumed_wh: 0n }
    : { delivered_wh: 0n, consumed_wh: energy };
}

// -- nothing lost ----------------------------------------------------------------------------

/**
 * Reads back every home's bill, credit, claim, balance and nonce and p2g's ledger and balance,
 * and checks that nothing was lost or created (each check names exactly what it compares).
 */
async function checkNothingLost(api, market, ctx) {
  const { homes, plans, interval, offers, reveals, gridFund, operator, concurrency, facts,
    mode, readings, fundingAmount, signedPerHome, closer, close } = ctx;
  const homeState = await mapPool(homes, concurrency, async (home) => {
    const [bill, credit, claim, free, nonce] = await Promise.all([
      market.bill(home, interval), market.creditOf(home), market.claimOf(home),
      freeBalance(api, home.address), accountNonce(api, home.address)]);
    return { bill, credit, claim, free, nonce };
  });
  const [ledger, p2gFree, offerCount, result, operatorCredit, operatorClaim, status, closerFree] =
    await Promise.all([
      market.ledger(), freeBalance(api, market.addresses.p2g), market.offerCount(interval),
      market.intervalResult(interval), market.creditOf(operator), market.claimOf(operator),
      mode === 'metered' ? market.meteringStatus(interval) : null,
      freeBalance(api, closer.address)]);
  const checks = [];
  const check = (name, ok, detail) => checks.push({ name, ok: Boolean(ok), detail });

  const placed = reveals ?? offers;
  const accepted = placed.filter((r) => !r.error).length;
  check('every home placed its offer', accepted === homes.length,
    `${accepted} of ${homes.length} ${reveals ? 'reveals' : 'offers'} accepted` +
    (reveals ? `, ${offers.filter((r) => !r.error).length} commits` : ''));
  check('offer_count equals the accepted offers', offerCount === accepted,
    `offer_count(${interval}) = ${offerCount}, accepted ${accepted}`);
  check('the interval result counts them', result?.offers === accepted,
    `interval_result.offers = ${result?.offers}`);
  const nonces = homeState.filter((s) => s.nonce !== signedPerHome).length;
  check(`every home signed exactly ${signedPerHome} transaction(s)`, nonces === 0,
    `${nonces} homes with another nonce`);
  const missingBills = homeState.filter((s) => s.bill === null).length;
  check('every home has its bill for the interval', missingBills === 0,
    `${missingBills} bills missing of ${homes.length}`);

  const bills = homeState.map((s) => s.bill ?? {});
  const total = (field) => sumOf(bills.map((b) => BigInt(b[field] ?? 0n)));
  const t = Object.fromEntries(['p2p_bought_wh', 'p2p_paid', 'fees_paid', 'p2p_sold_wh',
    'p2p_earned', 'grid_bought_wh', 'grid_paid', 'grid_sold_wh', 'grid_earned',
    'imbalance_short_wh', 'imbalance_paid', 'imbalance_long_wh', 'imbalance_earned']
    .map((field) => [field, total(field)]));
  check('P2P energy: bought = sold = the result\'s volume',
    t.p2p_bought_wh === t.p2p_sold_wh && t.p2p_sold_wh === BigInt(result?.p2p_volume_wh ?? -1),
    `bought ${t.p2p_bought_wh} Wh, sold ${t.p2p_sold_wh} Wh, result ${result?.p2p_volume_wh} Wh`);
  check('grid energy: the bills\' grid lines = the result\'s import and export',
    t.grid_bought_wh === BigInt(result?.grid_import_wh ?? -1) &&
    t.grid_sold_wh === BigInt(result?.grid_export_wh ?? -1),
    `grid bought ${t.grid_bought_wh} / import ${result?.grid_import_wh}, sold ` +
    `${t.grid_sold_wh} / export ${result?.grid_export_wh}`);
  const cleared = sumOf(plans.map((p) => p.energy_wh));
  check('every offer\'s energy cleared, to peers or the grid',
    t.p2p_sold_wh + t.grid_sold_wh + t.p2p_bought_wh + t.grid_bought_wh === cleared,
    `P2P sold + grid sold + P2P bought + grid bought = ${t.p2p_sold_wh + t.grid_sold_wh +
      t.p2p_bought_wh + t.grid_bought_wh} Wh, offered ${cleared} Wh`);
  check('P2P money: what buyers paid peers = what sellers earned', t.p2p_paid === t.p2p_earned,
    `paid ${t.p2p_paid}, earned ${t.p2p_earned}`);

  // Each home: credit (+ feed-in claim) = what it sent - its charges + its earnings.
  const sent = new Map(offers.filter((r) => !r.error).map((r) => [r.home, r.value]));
  let homeMismatches = 0;
  let firstMismatch = '';
  homeState.forEach((s, i) => {
    const b = s.bill ?? {};
    const charges = BigInt(b.p2p_paid ?? 0n) + BigInt(b.fees_paid ?? 0n) +
      BigInt(b.grid_paid ?? 0n) + BigInt(b.imbalance_paid ?? 0n);
    const earnings = BigInt(b.p2p_earned ?? 0n) + BigInt(b.grid_earned ?? 0n) +
      BigInt(b.imbalance_earned ?? 0n);
    const expected = (sent.get(i) ?? 0n) - charges + earnings;
    if (s.credit + s.claim !== expected) {
      homeMismatches += 1;
      firstMismatch ||= `home ${i}: credit ${s.credit} + claim ${s.claim}, expected ${expected}`;
    }
  });
  check('each home\'s credit + claim = its deposit - its bill\'s charges + its earnings',
    homeMismatches === 0, homeMismatches === 0 ? `${homes.length} homes` : firstMismatch);

  const toGrid = t.grid_paid + t.fees_paid + t.imbalance_paid;
  check('the grid operator\'s credit = grid energy + network fees + imbalance charges billed',
    operatorCredit === toGrid, `credit_of(operator) ${operatorCredit}, billed ${toGrid}`);
  const homeClaims = sumOf(homeState.map((s) => s.claim));
  const paidOut = t.grid_earned + t.imbalance_earned - homeClaims;
  check('the grid deposit fell by the feed-in and imbalance credits paid out of it',
    gridFund - ledger.grid_deposit === paidOut,
    `funded ${gridFund}, left ${ledger.grid_deposit}: paid ${gridFund - ledger.grid_deposit}; ` +
    `billed feed-in ${t.grid_earned} + imbalance credits ${t.imbalance_earned} - claims ${homeClaims}`);
  check('the ledger\'s claims = the homes\' claims', ledger.claims === homeClaims + operatorClaim,
    `ledger.claims ${ledger.claims}, claim_of summed ${homeClaims + operatorClaim}`);
  const homeCredits = sumOf(homeState.map((s) => s.credit));
  check('the ledger\'s credits = the credits of the homes and the grid operator',
    ledger.credits === homeCredits + operatorCredit,
    `ledger.credits ${ledger.credits}, credit_of summed ${homeCredits + operatorCredit}`);
  check('no deposit left open and nothing in transit after the close' +
    (mode === 'metered' ? ' and the readings' : ''),
  ledger.deposits === 0n && ledger.p2p_collected === ledger.p2p_advanced,
  `ledger.deposits ${ledger.deposits}, p2p_collected ${ledger.p2p_collected}, ` +
    `p2p_advanced ${ledger.p2p_advanced}`);
  const valueIn = sumOf([...sent.values()]) + gridFund;
  const held = ledger.deposits + ledger.credits + ledger.grid_deposit + ledger.p2p_collected -
    ledger.p2p_advanced;
  check('money in (deposits sent + grid fund) = money accounted (deposits + credits + grid ' +
    'deposit + in transit)', valueIn === held, `in ${valueIn}, accounted ${held}`);
  const ed = facts.existential_deposit;
  check('p2g\'s free balance = existential deposit + what its ledger accounts',
    p2gFree === ed + held, `free ${p2gFree}, ED ${ed} + ledger ${held}`);

  // Each home's native balance: funded - fees - value sent - storage deposits held.
  const txs = [...offers, ...(reveals ?? [])].filter((r) => !r.error);
  const spent = new Map();
  for (const r of txs) {
    spent.set(r.home, (spent.get(r.home) ?? 0n) + r.fee + r.value + r.storage.held -
      r.storage.released);
  }
  const balanceMismatches = homeState.filter((s, i) => s.free !== fundingAmount -
    (spent.get(i) ?? 0n)).length;
  check('each home\'s balance = funded - fees paid - value sent - storage deposits held',
    balanceMismatches === 0, `${balanceMismatches} of ${homes.length} differ`);
  const closerSpent = close.fee_total + close.storage_deposit.held - close.storage_deposit.released;
  check('the closer\'s balance = funded - close fees + storage deposits released to it',
    closerFree === fundingAmount - closerSpent,
    `free ${closerFree}, funded ${fundingAmount} - ${closerSpent}`);
  if (mode === 'metered') {
    check('every position was metered, none defaulted',
      status?.metered === homes.length && status?.positions === homes.length &&
      status?.defaulted === 0,
      `positions ${status?.positions}, metered ${status?.metered}, defaulted ${status?.defaulted}`);
    const short = sumOf(readings.map((r, i) => (plans[i].side === 'Sell'
      ? (plans[i].energy_wh > r.delivered_wh ? plans[i].energy_wh - r.delivered_wh : 0n)
      : (r.consumed_wh > plans[i].energy_wh ? r.consumed_wh - plans[i].energy_wh : 0n))));
    const long = sumOf(readings.map((r, i) => (plans[i].side === 'Sell'
      ? (r.delivered_wh > plans[i].energy_wh ? r.delivered_wh - plans[i].energy_wh : 0n)
      : (plans[i].energy_wh > r.consumed_wh ? plans[i].energy_wh - r.consumed_wh : 0n))));
    check('the imbalances billed = the readings\' deviations from what cleared',
      t.imbalance_short_wh === short && t.imbalance_long_wh === long &&
      status.short_wh === short && status.long_wh === long,
      `short ${t.imbalance_short_wh} Wh (readings ${short}, status ${status?.short_wh}), long ` +
      `${t.imbalance_long_wh} Wh (readings ${long}, status ${status?.long_wh})`);
    check('the status\'s charges and credits = the bills\' imbalance lines',
      status.charges === t.imbalance_paid && status.credits === t.imbalance_earned,
      `charges ${status.charges} / ${t.imbalance_paid}, credits ${status.credits} / ` +
      `${t.imbalance_earned}`);
  }
  return { checks, totals: t, ledger, result, metering_status: status,
    operator_credit: operatorCredit };
}

// -- one mode --------------------------------------------------------------------------------

async function runMode(api, mode, options, facts) {
  const operator = account('//Alice');
  const closer = account('//load-closer');
  const homes = makeHomes(options.homes);
  const unit = 10n ** BigInt(facts.decimals);
  // Ten tokens per home: a transaction's fee is about 1e10 units, the storage deposit an offer
  // holds about 1e12; deposits in market units are far smaller.
  const fundingAmount = 10n * unit;
  const gridFund = unit;
  const multiplierStart = await feeMultiplier(api);
  const config = modeConfig(mode, operator, options);
  say(`[${mode}] deploying (interval ${options.intervalMs} ms` +
    `${mode === 'sealed' ? `, reveal window ${options.revealMs} ms` : ''})`);
  const deployed = await Market.deploy(api, operator, config);
  const { market } = deployed;
  say(`[${mode}] main ${market.address}; funding ${homes.length} homes and the closer`);
  const funding = await fundAccounts(api, operator, [...homes, closer], fundingAmount);
  say(`[${mode}] funded in ${funding.wall_s} s, ${funding.blocks_with_extrinsics} blocks; registering`);
  const registration = await registerAll(api, market, operator, homes, facts.limits,
    options.concurrency);
  say(`[${mode}] registered in ${registration.wall_s} s (+ ${registration.dry_runs_s} s of dry ` +
    `runs), ${registration.extrinsics} batches in ${registration.blocks_with_extrinsics} blocks`);
  await market.fundGrid(operator, gridFund);

  const { interval, timing, endsAt } = await market.openInterval(operator,
    { minRemainingMs: options.intervalMs - 3_000 });
  const intervalConfig = await market.configAt(interval);
  const hour = utcHour(intervalStart(timing, interval));
  const plans = homes.map((_, i) => planOffer(i, intervalConfig, hour));
  const depositChecks = await checkDeposits(market, homes, plans, interval, mode === 'sealed');
  say(`[${mode}] interval ${interval} (UTC hour ${hour}) open for ` +
    `${seconds(Number(endsAt) - Date.now())} s: ${homes.length} homes ` +
    `${mode === 'sealed' ? 'commit' : 'offer'}, ${options.concurrency} in flight`);

  // Sealed: each home's commitment and salt (kept until its reveal).
  const seals = mode === 'sealed' ? plans.map((p, i) => sealOffer(market.address, homes[i],
    interval, p.side, p.energy_wh, p.price)) : null;
  const margin = gasMargin(options);
  const offers = await eachHome(api, homes, options.concurrency, (home, i) => {
    const p = plans[i];
    if (seals) {
      return callWithMargin(market, home, 'commit', [interval, seals[i].commitment],
        { value: p.deposit, ...margin });
    }
    return callWithMargin(market, home, p.side === 'Sell' ? 'sell' : 'buy',
      [interval, p.energy_wh, p.price], { value: p.deposit, ...margin });
  });
  const offerPhase = await txPhase(api, offers, facts);
  const lastIncluded = Math.max(...offers.filter((r) => !r.error).map((r) => r.includedAt));
  say(`[${mode}] ${offerPhase.accepted} accepted, ${offerPhase.failed} failed in ` +
    `${offerPhase.wall_s} s (${offerPhase.per_second}/s), ${seconds(Number(endsAt) - lastIncluded)} s ` +
    'before the interval ended');

  let revealPhase = null;
  let reveals = null;
  if (seals) {
    const state = await market.waitUntilEnded(operator, interval);
    const window = await market.revealWindow(interval);
    say(`[${mode}] ${state}: revealing, window closes in ${seconds(Number(window.closesAt) - Date.now())} s`);
    reveals = await eachHome(api, homes, options.concurrency, (home, i) => {
      const p = plans[i];
      return callWithMargin(market, home, 'reveal',
        [interval, p.side, p.energy_wh, p.price, seals[i].salt], margin);
    });
    revealPhase = await txPhase(api, reveals, facts);
    say(`[${mode}] ${revealPhase.accepted} revealed, ${revealPhase.failed} failed in ` +
      `${revealPhase.wall_s} s (${revealPhase.per_second}/s)`);
    await market.waitUntilClosable(operator, interval);
  } else {
    await market.waitUntilEnded(operator, interval);
  }

  say(`[${mode}] closing interval ${interval} as ${closer.address}`);
  const closeStart = Date.now();
  const closed = await market.closeInterval(closer, interval);
  const close = await stepPhase(api, closed.steps, closer, closeStart, Date.now(), facts,
    (step) => ({ used: step.value?.InProgress?.used ?? null, closed: Boolean(step.value?.Closed) }));
  say(`[${mode}] closed in ${close.steps} steps, ${close.wall_s} s`);

  let readingPhase = null;
  let readings = null;
  if (mode === 'metered') {
    readings = plans.map((p, i) => planReading(i, p));
    const started = Date.now();
    const done = await market.submitReadings(operator, interval,
      readings.map((r, i) => [homes[i], r]));
    readingPhase = await stepPhase(api, done.steps, operator, started, Date.now(), facts,
      (step) => ({ metered: step.value?.metered ?? null }));
    readingPhase.readings = readings.length;
    readingPhase.sweep = 'not needed: every position has its reading (settle_imbalances would ' +
      'be refused with ImbalancesSettled after the deadline)';
    say(`[${mode}] ${readings.length} readings in ${readingPhase.steps} batches, ${readingPhase.wall_s} s`);
  }

  say(`[${mode}] checking that nothing is lost`);
  const verified = await checkNothingLost(api, market, {
    homes, plans, interval, offers, reveals, gridFund, operator, closer, close,
    concurrency: options.concurrency, facts, mode, readings, fundingAmount,
    signedPerHome: mode === 'sealed' ? 2 : 1,
  });
  const failedChecks = verified.checks.filter((c) => !c.ok);
  for (const c of verified.checks) say(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);

  const costs = costsOf(mode, options.homes, facts, offerPhase, revealPhase, close, readingPhase,
    verified.totals);
  const parts = capacityParts(mode, offerPhase, revealPhase, close, readingPhase, options.homes);
  return {
    ok: failedChecks.length === 0,
    mode,
    homes: options.homes,
    concurrency: options.concurrency,
    gas_margin_pct: options.gasMarginPct,
    config: { interval_ms: options.intervalMs, sealing: config.sealing, metering: config.metering },
    main: market.address,
    interval,
    utc_hour: hour,
    fee_multiplier: { start: multiplierStart, end: await feeMultiplier(api) },
    deposit_checks: depositChecks,
    funding,
    registration,
    [mode === 'sealed' ? 'commits' : 'offers']: { ...offerPhase, by_side: bySide(offers, plans) },
    ...(revealPhase ? { reveals: { ...revealPhase, by_side: bySide(reveals, plans) } } : {}),
    close,
    ...(readingPhase ? { readings: readingPhase } : {}),
    interval_result: verified.result,
    bills_total: verified.totals,
    ledger: verified.ledger,
    ...(verified.metering_status ? { metering_status: verified.metering_status } : {}),
    checks: verified.checks,
    costs,
    capacity_parts: parts,
  };
}

// -- costs and capacity ----------------------------------------------------------------------

/**
 * What the chain costs a home: fees per offer (sealed: commit + reveal), per close (all close
 * steps' fees / homes) and, metered, per reading (all batches' fees / homes), in native units
 * and tokens, against the energy value traded per home (P2P + grid lines of the bills), under
 * both readings of the unit.
 */
function costsOf(mode, homes, facts, offers, reveals, close, readings, totals) {
  const n = BigInt(homes);
  const unit = 10n ** BigInt(facts.decimals);
  const perOffer = offers.fee.mean + (reveals?.fee.mean ?? 0n);
  const perClose = (close.fee_total + n / 2n) / n;
  const perReading = readings ? (readings.fee_total + n / 2n) / n : 0n;
  const perHome = perOffer + perClose + perReading;
  const p2p = totals.p2p_paid;
  const grid = totals.grid_paid + totals.grid_earned;
  const imbalance = totals.imbalance_paid + totals.imbalance_earned;
  const value = p2p + grid;
  const valuePerHome = (value + n / 2n) / n;
  const tokens = (units) => Number(units) / Number(unit);
  return {
    units: 'native balance units (the smallest unit of the token)',
    token: facts.token,
    decimals: facts.decimals,
    fee_per_offer: { units: perOffer, tokens: tokens(perOffer),
      what: mode === 'sealed' ? 'mean commit fee + mean reveal fee' : 'mean fee of a sell or buy' },
    fee_per_close_per_home: { units: perClose, tokens: tokens(perClose),
      what: 'all close steps\' fees / homes' },
    ...(readings ? { fee_per_reading_per_home: { units: perReading, tokens: tokens(perReading),
      what: 'all submit_readings batches\' fees / homes' } } : {}),
    fee_per_home: { units: perHome, tokens: tokens(perHome) },
    close_total: { units: close.fee_total, tokens: tokens(close.fee_total) },
    close_storage_deposit_released_to_closer: {
      units: close.storage_deposit.released - close.storage_deposit.held,
      tokens: tokens(close.storage_deposit.released - close.storage_deposit.held),
      per_home_tokens: tokens((close.storage_deposit.released - close.storage_deposit.held) / n),
      what: 'storage deposits of the escrow entries the close removes, paid to the closer ' +
        '(net of what its steps held): closing is rewarded, in the native token',
    },
    storage_deposit_held_per_offer: {
      units: offers.storage_deposit_held.mean + (reveals?.storage_deposit_held.mean ?? 0n),
      tokens: tokens(offers.storage_deposit_held.mean + (reveals?.storage_deposit_held.mean ?? 0n)),
      what: 'held by the contracts for the storage an offer creates (not a fee: the payer\'s ' +
        'claim on that storage, released if it is ever freed)',
    },
    energy_value_traded: {
      units: 'market units',
      p2p: p2p,
      grid: grid,
      total: value,
      per_home: valuePerHome,
      imbalance_lines: imbalance,
      what: 'P2P: sum of the bills\' p2p_paid; grid: sum of grid_paid + grid_earned; ' +
        'imbalance lines (metered) shown apart, not in the total',
      energy_wh: { p2p: totals.p2p_sold_wh, grid_import: totals.grid_bought_wh,
        grid_export: totals.grid_sold_wh },
    },
    fee_share_of_value: {
      market_reading: {
        assumption: '1 balance unit = 1 micro-euro, as the market reads it (tariff 300 000 ' +
          'units/kWh = 0.30 EUR/kWh) and as the chain charges fees in the same units',
        fee_per_home_eur: Number(perHome) / UNITS_PER_EUR_MARKET,
        value_per_home_eur: Number(valuePerHome) / UNITS_PER_EUR_MARKET,
        share: ratio(perHome, valuePerHome),
      },
      token_reading: {
        assumption: `1 token (10^${facts.decimals} units) = 1 EUR for fees, while energy ` +
          'values stay in micro-euro (1 unit = 1e-6 EUR)',
        fee_per_home_eur: tokens(perHome),
        value_per_home_eur: Number(valuePerHome) / UNITS_PER_EUR_MARKET,
        share: ratio(Number(perHome) / Number(unit), Number(valuePerHome) / UNITS_PER_EUR_MARKET),
      },
    },
  };
}

/** Per-home weights per interval of each kind of transaction, as the block counts them. */
function capacityParts(mode, offers, reveals, close, readings, homes) {
  const n = BigInt(homes);
  const perHome = (w) => ({ ref_time: w.ref_time / n, proof_size: w.proof_size / n });
  const parts = {};
  if (mode === 'sealed') {
    parts.commit = { ...offers.weight.counted_mean, note: 'mean commit as the block counts it' };
    parts.reveal = { ...reveals.weight.counted_mean, note: 'mean reveal as the block counts it' };
  } else {
    parts.offer = { ...offers.weight.counted_mean,
      note: 'mean sell/buy as the block counts it' };
  }
  parts.close = { ...perHome(close.counted_total),
    note: `${close.steps} close steps as the block counts them / ${homes} homes` };
  if (readings) {
    parts.reading = { ...perHome(readings.counted_total),
      note: `${readings.steps} submit_readings batches as the block counts them / ${homes} homes` };
  }
  return parts;
}

function capacity(modes, facts) {
  const dev = { name: `this node (${facts.node}): normal max_total of its block`,
    normal: facts.limits.normal_max_total, block_ms: BLOCK_MS };
  const para = (pov) => ({
    name: `a parachain with the node's parachain-runtime limits: 2e12 ref_time and a PoV of ` +
      `${pov / (1024n * 1024n)} MiB per block, 75 % normal`,
    normal: { ref_time: (2_000_000_000_000n * 3n) / 4n, proof_size: (pov * 3n) / 4n },
    block_ms: BLOCK_MS,
  });
  const chains = { dev, parachain_5mib: para(POV_5_MIB), parachain_10mib: para(POV_10_MIB) };
  const result = {};
  for (const [mode, r] of Object.entries(modes)) {
    const parts = Object.fromEntries(Object.entries(r.capacity_parts).map(([k, v]) =>
      [k, { ...weightBig(v), note: v.note }]));
    const windows = [];
    if (mode === 'sealed') {
      windows.push({ name: 'reveal_window', blocks: DEFAULT_REVEAL_MS / BLOCK_MS, parts: ['reveal'],
        what: 'every reveal in the 10-minute reveal window of Sealing::DEFAULT (100 blocks)' });
    }
    if (mode === 'metered') {
      windows.push({ name: 'metering_window', blocks: DEFAULT_METERING_WINDOW_MS / BLOCK_MS,
        parts: ['reading'],
        what: 'every reading in the 15-minute metering window of Metering::DEFAULT (150 blocks)' });
    }
    result[mode] = {
      per_home_parts: parts,
      chains: Object.fromEntries(Object.entries(chains).map(([key, budget]) =>
        [key, capacityOf(parts, budget, windows)])),
    };
  }
  return result;
}

// -- output ----------------------------------------------------------------------------------

function assumptions(facts, options) {
  return {
    block_production: 'substrate-contracts-node 0.42.0 --dev seals blocks instantly ' +
      '(sc_consensus_manual_seal::run_instant_seal): a block is made as soon as the pool has a ' +
      'ready transaction, holding whatever is ready then; it has no option for a fixed block ' +
      'time (only --finalize-delay-sec), so "per block" figures and block counts are those of ' +
      'instant seal, not of 6-second blocks, and the wall-clock throughput is what this machine ' +
      'executes (dry runs, block building and import on the same cores), not a chain limit',
    capacity_block_time_ms: BLOCK_MS,
    capacity_blocks_per_hour: 3_600_000 / BLOCK_MS,
    capacity: 'homes per chain per hourly interval = the least over the constraints (see ' +
      'capacity.<mode>.chains.<chain>.constraints) of blocks x normal max_total per block / ' +
      'weight per home, for ref_time and proof_size; a home\'s weight is its own transactions ' +
      'plus its share of the close (and of the readings), each counted as the block counts it ' +
      '(system.ExtrinsicSuccess\'s weight: dispatch after the gas refund with base_extrinsic; ' +
      'plus the encoded length as proof_size). Nothing else shares the blocks.',
    exchange: {
      market_reading: '1 balance unit = 1 micro-euro, as the market reads it (tariff 300 000 ' +
        'units/kWh = 0.30 EUR/kWh); the chain charges its fees in the same units',
      token_reading: `1 token (10^${facts.decimals} units) = 1 EUR for the fees; energy values ` +
        'stay in micro-euro',
    },
    fees: 'transactionPayment.TransactionFeePaid of each extrinsic (fee + tip; no tips here); ' +
      'IdentityFee: 1 unit per picosecond of ref_time and per byte, times the fee multiplier ' +
      '(fee_multiplier of each mode)',
    offers: 'even homes sell, odd homes buy; energy 500..4 999 Wh, prices spread over the ' +
      'tariff\'s [min_price, max_price]; connections Capacity::DEFAULT; areas i % 3',
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      memory_gib: round(os.totalmem() / 2 ** 30, 1),
      load_average_at_end: os.loadavg().map((x) => round(x, 2)),
      note: 'another build may share the cores (load average above)',
    },
    interval_ms: options.intervalMs,
    reveal_ms: options.revealMs,
    gas_margin: `home transactions are sent with the dry run's gas limit (and storage deposit ` +
      `limit) raised by ${options.gasMarginPct} % (--gas-margin-pct), registrations by 5 %: with ` +
      'the exact dry-run figures, as the client\'s callMessage sends them, 14 of 30 concurrent ' +
      'reveals failed with contracts.OutOfGas in a trial run (each dry run saw the book before ' +
      'the reveals ahead of it in the same block grew it; 10 % more proof_size alone cured it, ' +
      '10 % more ref_time alone did not). Unused gas is refunded and only the storage created is ' +
      'charged, so the margin changes no fee and no deposit; it lets the block builder count ' +
      'the larger limit before dispatch',
    blocks_made: 'instant seal also made blocks that hold no extrinsic (per phase: ' +
      'per_block.empty_blocks_in_span): a block is sealed on every pool import, and the ready ' +
      'transactions it was sealed for may have gone into the block before',
  };
}

function summary(report) {
  const lines = [];
  const tok = (x) => `${sci(x.units)} units = ${Number(x.tokens).toPrecision(4)} ${report.node.token}`;
  lines.push(`node ${report.node.node} (${report.node.chain}), ${report.homes} homes, ` +
    `blocks by instant seal; normal max_total ${sci(report.node.limits.normal_max_total.ref_time)} ` +
    'ref_time per block');
  for (const [mode, r] of Object.entries(report.modes)) {
    const o = r.offers ?? r.commits;
    lines.push('');
    lines.push(`== ${mode}${r.ok ? '' : ' (CHECKS FAILED)'}`);
    lines.push(`funding   ${r.funding.calls} transfers in ${r.funding.extrinsics} batches, ` +
      `${r.funding.wall_s} s, ${r.funding.blocks_with_extrinsics} blocks`);
    lines.push(`register  ${r.registration.calls} calls in ${r.registration.extrinsics} batches, ` +
      `${r.registration.wall_s} s (+ ${r.registration.dry_runs_s} s dry runs), ` +
      `${r.registration.blocks_with_extrinsics} blocks`);
    const phase = (name, p) => lines.push(`${name.padEnd(9)} ${p.accepted} accepted, ${p.failed} ` +
      `failed, ${p.wall_s} s wall: ${p.per_second}/s; per block max ${p.per_block.max}, mean ` +
      `${p.per_block.mean} over ${p.per_block.blocks_with_offers} blocks (instant seal made ` +
      `${p.per_block.blocks_spanned}, ${p.per_block.empty_blocks_in_span} empty); largest block ` +
      `${pct(p.largest_block.share_of_normal_max_total.ref_time)} of normal ref_time ` +
      `(${pct(p.largest_block.share_of_max_block.ref_time)} of the block); weight ` +
      `${sci(p.weight.mean.ref_time)} ref_time, ${sci(p.weight.mean.proof_size)} proof; fee ` +
      `${sci(p.fee.mean)}`);
    phase(r.offers ? 'offers' : 'commits', o);
    if (r.reveals) phase('reveals', r.reveals);
    lines.push(`close     ${r.close.steps} steps, ${r.close.wall_s} s, ${sci(r.close.weight_total.ref_time)} ` +
      `ref_time in all, largest step ${pct(r.close.largest_step.share_of_max_extrinsic.ref_time)} of ` +
      `the extrinsic limit, fees ${sci(r.close.fee_total)}`);
    if (r.readings) {
      lines.push(`readings  ${r.readings.readings} in ${r.readings.steps} batches, ${r.readings.wall_s} s, ` +
        `largest ${pct(r.readings.largest_step.share_of_max_extrinsic.ref_time)} of the extrinsic ` +
        `limit, fees ${sci(r.readings.fee_total)}`);
    }
    const c = r.costs;
    lines.push(`cost      per offer ${tok(c.fee_per_offer)}; per close per home ` +
      `${tok(c.fee_per_close_per_home)}${c.fee_per_reading_per_home
        ? `; per reading ${tok(c.fee_per_reading_per_home)}` : ''}; storage deposit held per ` +
      `offer ${tok(c.storage_deposit_held_per_offer)}`);
    const s = c.fee_share_of_value;
    lines.push(`value     ${sci(c.energy_value_traded.per_home)} market units per home; fee ` +
      `share: ${pct(s.market_reading.share)} (1 unit = 1 uEUR), ${pct(s.token_reading.share)} ` +
      `(1 token = 1 EUR)`);
    for (const [chain, cap] of Object.entries(report.capacity[mode].chains)) {
      lines.push(`capacity  ${chain}: ${cap.homes_per_interval} homes per hourly interval ` +
        `(binding: ${cap.binding})`);
    }
    for (const check of r.checks.filter((x) => !x.ok)) {
      lines.push(`FAILED    ${check.name}: ${check.detail}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function writeJson(file, value) {
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(toJsonSafe(value), null, 2)}\n`);
  renameSync(temp, file);
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const api = await connect(options.url);
  let report;
  try {
    const facts = await chainFacts(api);
    say(`node ${facts.node} at ${options.url}, ${facts.token} with ${facts.decimals} decimals; ` +
      `utility pallet ${api.tx.utility ? 'present' : 'absent'}`);
    if (!api.tx.utility) throw new Error('the runtime has no pallet utility (batching needed)');
    const modes = {};
    if (options.merge && existsSync(options.out)) {
      const previous = JSON.parse(readFileSync(options.out, 'utf8'));
      if (previous.homes === options.homes) Object.assign(modes, previous.modes);
      else say(`not merging ${options.out}: it has ${previous.homes} homes`);
    }
    for (const mode of options.modes) {
      modes[mode] = toJsonSafe(await runMode(api, mode, options, facts));
    }
    const ordered = Object.fromEntries(MODES.filter((m) => modes[m]).map((m) => [m, modes[m]]));
    report = {
      node: { ...facts, url: options.url },
      homes: options.homes,
      measured: new Date().toISOString(),
      modes: ordered,
      capacity: capacity(ordered, facts),
      assumptions: assumptions(facts, options),
    };
  } finally {
    await api.disconnect();
  }
  process.stdout.write(summary(toJsonSafe(report)));
  const ok = Object.values(report.modes).every((r) => r.ok);
  const file = ok ? options.out : `${options.out}.failed`;
  writeJson(file, report);
  say(`wrote ${file}`);
  if (!ok) exitWithError('something was lost: see the FAILED lines above', { code: 1 });
}

main().catch((error) => {
  exitWithError(describe(error));
});
