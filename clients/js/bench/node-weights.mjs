#!/usr/bin/env node
/**
 * Weighs every message of main on a real node by dry run, for BENCHMARKS.md
 * (`scripts/bench.sh` runs it; `market-bench render` merges its output):
 *
 *   node bench/node-weights.mjs [URL] [--out FILE]
 *
 * - `URL` (default `$MARKET_NODE_URL`, else `ws://127.0.0.1:${MARKET_NODE_PORT:-9944}`) is a
 *   dev node whose dev accounts are endowed (`scripts/node.sh start` runs one).
 * - `--out` (default `<repo>/bench/node.json`) is where the figures are written.
 *
 * Deploys a fresh suite with the default configuration (deployments/config/local.json) but a
 * 15 s interval and open offers (`sealing` null), so that closing can be measured without
 * waiting an hour, and replays the book that the drink measurement (bench/runner/src/measure.rs)
 * uses: six homes, two per area; interval i with every kind of offer and a cancel, interval
 * i + 1 with six offers. Buys pay exactly their `buy_deposit`; the operator funds the grid
 * deposit (`fund_grid`) before the closes, and a seller withdraws its credit after them
 * (`withdraw`). Each message is dry-run on the best block just before it is sent (or, for
 * queries, after both intervals are closed), carrying the value the transaction carries, and
 * its `gasRequired` recorded: the weight a transaction must offer as its gas limit. Names are
 * the messages' snake_case names, as in the drink table, so the two sit side by side:
 * `close_step_1_item` is the first one-item step of interval i, `close_interval_6_offers` the
 * single default-budget step that closes interval i + 1.
 *
 * The sealed messages are weighed on a second, small suite in sealed mode (6 s interval, 6 s
 * reveal window, three homes): `commit` (a buy's commitment), `reveal` (that buy, which prices
 * its cover like `buy`), and `forfeit` of a commitment left unrevealed, after the window. When
 * the yardstick contract (bench/floor) has been built, its `set` is weighed as `floor`.
 *
 * Output: `{node, max_extrinsic, max_block, messages: {name: {ref_time, proof_size}}}`, with
 * the chain's per-extrinsic limit of the normal class and its maximum block weight, in
 * picoseconds of ref_time and bytes of proof_size. Integers beyond 2^53 (the dev node leaves
 * proof_size all but unlimited) are written as decimal strings, as everywhere in the client.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { Abi } from '@polkadot/api-contract';
import { u8aToHex } from '@polkadot/util';

import { parseCommandLine } from '../src/cli.mjs';
import {
  Market,
  REPO_ROOT,
  account,
  accountHex,
  bundleDir,
  connect,
  defaultUrl,
  intervalStart,
  loadBundle,
  monthKey,
  sealOffer,
  submit,
  toJsonSafe,
  uploadCode,
} from '../src/market.mjs';

const USAGE = 'usage: node bench/node-weights.mjs [URL] [--out FILE]';

/** Long enough for eight offers and their dry runs to land in one interval. */
const INTERVAL_MS = 15_000;

/** The sealed suite: short, since it holds three commitments and waits out a reveal window. */
const SEALED_INTERVAL_MS = 6_000;
const SEALING = { reveal_ms: 6_000, penalty: 10_000, forfeit_bps: 5_000, bond_per_kwh: 100_000 };

/** What the operator pays into each suite's grid deposit (one token of the dev chain). */
const GRID_FUND = 10n ** 12n;

function say(line) {
  process.stderr.write(`${line}\n`);
}

function parseOptions(argv) {
  const { values, positionals } = parseCommandLine(argv, {
    usage: USAGE,
    options: { out: { type: 'string', default: path.join(REPO_ROOT, 'bench', 'node.json') } },
    maxPositionals: 1,
  });
  return {
    url: positionals[0] ?? process.env.MARKET_NODE_URL ?? defaultUrl(),
    out: path.resolve(values.out),
  };
}

/** A `Weight` codec as `{ref_time, proof_size}`. */
function weight({ refTime, proofSize }) {
  return { ref_time: refTime.toBigInt(), proof_size: proofSize.toBigInt() };
}

/**
 * The default configuration with a short interval and open offers, or with `overrides` (the
 * sealed suite's interval and sealing).
 */
function benchConfig(overrides = { interval_ms: INTERVAL_MS, sealing: null }) {
  const file = path.join(REPO_ROOT, 'deployments', 'config', 'local.json');
  const { market } = JSON.parse(readFileSync(file, 'utf8'));
  return { ...market, ...overrides };
}

/**
 * Weighs `commit`, `reveal` and `forfeit` on a fresh sealed suite: three homes commit in one
 * interval (a sell, a buy, and a buy never revealed), the first two reveal, the interval
 * closes after its reveal window, and the third commitment is forfeited.
 */
async function weighSealed(api, operator, [seller, buyer, absent], messages) {
  const { market } = await Market.deploy(api, operator, benchConfig({
    interval_ms: SEALED_INTERVAL_MS, sealing: SEALING,
  }));
  say(`deployed the sealed suite's main ${market.address}`);
  for (const [home, area] of [[seller, 0], [buyer, 1], [absent, 2]]) {
    await market.register(operator, home, area);
  }
  await market.fundGrid(operator, GRID_FUND);
  const weigh = async (name, message, args, origin, value) => {
    const { value: result, gasRequired } = await market.estimate(message, args, origin, { value });
    messages[name] = gasRequired;
    return result;
  };

  const { interval: j } = await market.openInterval(operator, { minRemainingMs: 4_000 });
  const sell = await market.commitOffer(seller, j, 'Sell', 600, 110_000);
  const buyDeposit = await market.commitDeposit(j, 'Buy', 800, 300_000);
  const buySeal = sealOffer(market.address, buyer, j, 'Buy', 800, 300_000);
  await weigh('commit', 'commit', [j, buySeal.commitment], buyer, buyDeposit);
  await market.commit(buyer, j, buySeal.commitment, { value: buyDeposit });
  await market.commitOffer(absent, j, 'Buy', 500, 100_000);

  await market.waitUntilEnded(operator, j);
  await market.revealOffer(seller, sell.sealed);
  await weigh('reveal', 'reveal', [j, 'Buy', 800, 300_000, buySeal.salt], buyer);
  await market.reveal(buyer, j, 'Buy', 800, 300_000, buySeal.salt);

  await market.waitUntilClosable(operator, j);
  await market.closeInterval(operator, j);
  await weigh('forfeit', 'forfeit', [j, accountHex(absent)], operator);
  await market.forfeit(operator, j, absent);
}

/**
 * Instantiates the yardstick (one storage write per `set`) and dry-runs `set(42)`, or returns
 * null if its bundle has not been built (scripts/bench.sh builds it; the tests do not).
 */
async function weighFloor(api, signer) {
  if (!existsSync(path.join(bundleDir(), 'floor', 'floor.contract'))) return null;
  const bundle = loadBundle('floor');
  await uploadCode(api, signer, bundle);
  const abi = new Abi(bundle.json, api.registry.getChainProperties());
  const data = abi.findConstructor('new').toU8a([]);
  const salt = u8aToHex(globalThis.crypto.getRandomValues(new Uint8Array(16)));
  const dry = await api.call.contractsApi.instantiate(signer.address, 0, null, null,
    { Existing: bundle.codeHash }, data, salt);
  if (dry.result.isErr) throw new Error(`floor.new dry run failed: ${dry.result.asErr}`);
  const deposit = dry.storageDeposit.isCharge ? dry.storageDeposit.asCharge : 0;
  const included = await submit(api, api.tx.contracts.instantiate(0, dry.gasRequired, deposit,
    bundle.codeHash, data, salt), signer, 'floor.new');
  const address = included.events
    .find(({ event }) => api.events.contracts.Instantiated.is(event))?.event.data[1];
  if (!address) throw new Error('floor.new: no Instantiated event');
  const set = abi.findMessage('set').toU8a([42]);
  const outcome = await api.call.contractsApi.call(signer.address, address, 0, null, null, set);
  if (outcome.result.isErr || outcome.result.asOk.flags.isRevert) {
    throw new Error('floor.set dry run failed');
  }
  return weight(outcome.gasRequired);
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const api = await connect(options.url);
  try {
    const node = (await api.rpc.system.version()).toString();
    const { maxBlock, perClass } = api.consts.system.blockWeights;
    const maxExtrinsic = perClass.normal.maxExtrinsic;
    if (maxExtrinsic.isNone) throw new Error('the chain sets no per-extrinsic limit');
    say(`node ${node} at ${options.url}`);

    const operator = account('//Alice');
    // Two homes per area, as in the drink measurement; all endowed in the dev genesis.
    const [a, b, c, d, e, f] = ['//Bob', '//Charlie', '//Dave', '//Eve', '//Ferdie',
      '//Bob//stash'].map((uri) => account(uri));
    const homes = [[a, 0], [b, 0], [c, 1], [d, 1], [e, 2], [f, 2]];
    const { market } = await Market.deploy(api, operator, benchConfig());
    say(`deployed main ${market.address}`);

    const messages = {};
    /**
     * Dry-runs `message` from `origin`, transferring `value` (a buy's deposit), and records its
     * weight under `name`.
     */
    const weigh = async (name, message, args, origin, value = 0n) => {
      const { value: result, gasRequired } = await market.estimate(message, args, origin,
        { value });
      messages[name] = gasRequired;
      return result;
    };

    await weigh('register', 'register', [accountHex(a), 0, null], operator);
    for (const [home, area] of homes) await market.register(operator, home, area);

    // Interval i: every kind of offer, and a cancel.
    const { interval: i } = await market.openInterval(operator, { minRemainingMs: 8_000 });
    await weigh('sell', 'sell', [i, 1_000, 100_000], a);
    await market.sell(a, i, 1_000, 100_000);
    await weigh('buy', 'buy', [i, 800, null], c, await market.buyDeposit(i, 800));
    await market.buy(c, i, 800);
    await weigh('buy_with_limit', 'buy', [i, 500, 300_000], e,
      await market.buyDeposit(i, 500, 300_000));
    await market.buy(e, i, 500, 300_000);
    await market.sell(b, i, 700, 120_000);
    await weigh('cancel', 'cancel', [i], b);
    await market.cancel(b, i);
    await market.sell(b, i, 700, 120_000);
    await market.buy(d, i, 900);
    await market.sell(f, i, 300, 150_000);
    // Operator messages, on a live book: remove withdraws f's open offer through p2p.
    await weigh('remove', 'remove', [accountHex(f)], operator);
    await weigh('update_config', 'update_config', [benchConfig()], operator);
    await weigh('fund_grid', 'fund_grid', [], operator, GRID_FUND);
    await market.fundGrid(operator, GRID_FUND);

    // Interval i + 1: six offers, closed in one step at the default budget.
    await market.waitUntilEnded(operator, i);
    const { interval: next, timing } = await market.openInterval(operator,
      { minRemainingMs: 5_000 });
    if (next !== i + 1n) throw new Error(`interval ${i + 1n} ran out before its offers came`);
    for (const [home, side] of [[a, 'sell'], [b, 'sell'], [c, 'buy'], [d, 'buy'], [e, 'buy'],
      [f, 'sell']]) {
      if (side === 'sell') await market.sell(home, next, 600, 110_000);
      else await market.buy(home, next, 600);
    }
    await market.waitUntilEnded(operator, next);

    const first = await weigh('close_step_1_item', 'close_step', [i, 1], a);
    if (!first.InProgress) throw new Error('a one-item step closed interval i');
    await market.closeInterval(a, i);
    const closing = await weigh('close_interval_6_offers', 'close_interval', [next], a);
    if (!closing.Closed) throw new Error('six offers did not close in one step');
    await market.closeInterval(a, next);
    // a sold in both intervals: its earnings are credited, and it withdraws them.
    await weigh('withdraw', 'withdraw', [], a);
    await market.withdraw(a);

    const queries = [
      ['config', []],
      ['timing', []],
      ['current_interval', []],
      ['interval_state', [next]],
      ['interval_result', [next]],
      ['participant', [accountHex(a)]],
      ['participant_count', []],
      ['offer_count', [next]],
      ['trades', [next, 0, 100]],
      ['bill', [accountHex(a), next]],
      ['monthly_bill', [accountHex(a), monthKey(intervalStart(timing, next))]],
      ['grid_price', [18]],
      ['buy_deposit', [next, 800, null]],
      ['credit_of', [accountHex(c)]],
      ['operator', []],
      ['p2p_address', []],
      ['p2g_address', []],
    ];
    for (const [name, args] of queries) await weigh(name, name, args, f);

    await weighSealed(api, operator, [a, c, e], messages);

    const floor = await weighFloor(api, operator);
    if (floor) messages.floor = floor;
    else say('no floor bundle (bench/floor not built): yardstick not measured');

    const report = toJsonSafe({
      node,
      max_extrinsic: weight(maxExtrinsic.unwrap()),
      max_block: weight(maxBlock),
      messages,
    });
    const limit = report.max_extrinsic;
    const share = (part, whole) => `${((100 * Number(part)) / Number(whole)).toFixed(3)} %`;
    process.stdout.write(`${'message'.padEnd(24)} ${'ref_time'.padStart(14)} ` +
      `${'proof_size'.padStart(10)}  of max extrinsic (ref_time, proof_size)\n`);
    for (const [name, { ref_time: refTime, proof_size: proofSize }] of
      Object.entries(report.messages)) {
      process.stdout.write(`${name.padEnd(24)} ${String(refTime).padStart(14)} ` +
        `${String(proofSize).padStart(10)}  ${share(refTime, limit.ref_time)}, ` +
        `${share(proofSize, limit.proof_size)}\n`);
    }
    process.stdout.write(`max extrinsic: ref_time ${limit.ref_time}, proof_size ` +
      `${limit.proof_size}; max block: ref_time ${report.max_block.ref_time}, proof_size ` +
      `${report.max_block.proof_size}\n`);
    mkdirSync(path.dirname(options.out), { recursive: true });
    writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
    say(`wrote ${options.out}`);
  } finally {
    await api.disconnect();
  }
}

main().catch((error) => {
  process.stderr.write(`error: ${error.message}\n`);
  process.exit(1);
});
