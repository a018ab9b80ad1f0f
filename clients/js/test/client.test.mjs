/**
 * The polkadot.js client against a real substrate-contracts-node at $MARKET_NODE_URL
 * (scripts/js-tests.sh starts one): deploys a fresh suite from the built bundles with a 6 s
 * interval, trades one interval in real time, checks every figure against hand-computed values,
 * closes a second interval in one-item steps to the same figures, and checks that the deploy
 * CLI reuses what it deployed.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import {
  ContractError,
  Market,
  REPO_ROOT,
  connect,
  intervalStart,
  loadBundles,
  monthKey,
  valueOf,
} from '../src/market.mjs';
import {
  LOCAL_CONFIG_FILE,
  OFFERS,
  devAccounts,
  expectedGridPrice,
  hourOf,
  registerAndOffer,
  shortConfig,
} from './scenario.mjs';

const URL = process.env.MARKET_NODE_URL;
if (!URL) throw new Error('set MARKET_NODE_URL to a dev node (scripts/js-tests.sh starts one)');

/** Asserts that `promise` rejects with main's typed error `variant`. */
async function rejectsWith(promise, variant) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof ContractError, `expected a ContractError, got ${error}`);
    assert.equal(error.variant, variant);
    assert.match(error.message, new RegExp(`failed: ${variant}\\b`));
    return true;
  });
}

/** The events of a transaction by name, without the emitting contract's address. */
/**
 * The `IntervalResult` of the book of `scenario.mjs`'s `OFFERS` (one seller, one buyer, one bid
 * below the price): one trade, the rest to and from the grid at `gridPrice`.
 */
function expectedResult(gridPrice) {
  return {
    price: 123_457n,
    p2p_volume_wh: 1_234n,
    grid_import_wh: 999n,
    grid_export_wh: 1_111n,
    grid_price: gridPrice,
    feed_in_price: 123_457n,
    offers: 3,
    trades: 1,
  };
}

function events(tx, name) {
  return tx.events.filter((event) => event.name === name);
}

describe('market client on a dev node', { timeout: 240_000 }, () => {
  const accounts = devAccounts();
  const { alice, bob, charlie, dave, eve } = accounts;
  const config = shortConfig(6_000);
  const bundles = loadBundles();
  let api;
  let deployed;
  let market;
  let traded; // { interval, timing, registered, offers } of the traded interval

  before(async () => {
    api = await connect(URL);
    deployed = await Market.deploy(api, alice, config, { bundles });
    market = deployed.market;
  });

  after(async () => {
    await api?.disconnect();
  });

  it('deploys main from the bundles; main instantiates p2p and p2g', async () => {
    const { main, p2p, p2g } = market.addresses;
    assert.equal(new Set([main, p2p, p2g]).size, 3);
    for (const name of ['main', 'p2p', 'p2g']) {
      const info = await api.query.contracts.contractInfoOf(market.addresses[name]);
      assert.ok(info.isSome, `${name} is a contract`);
      assert.equal(info.unwrap().codeHash.toHex(), bundles[name].codeHash);
      assert.equal(deployed.codeHashes[name], bundles[name].codeHash);
    }
    assert.equal(market.operator, alice.address);
    assert.equal(await market.operatorAccount(), alice.address);
    // The configuration reads back field by field (u64/u128 as BigInt).
    const onChain = await market.config();
    assert.deepEqual(onChain.auction, {
      topology: { Line: { areas: 3 } },
      pricing: 'LowestAsk',
      grid_fee_per_kwh_step: 0n,
    });
    assert.equal(onChain.interval_ms, 6_000n);
    assert.deepEqual(onChain.tariff, {
      ...config.tariff,
      hourly_prices: config.tariff.hourly_prices.map(BigInt),
      min_price: 80_000n,
      max_price: 400_000n,
    });
    assert.deepEqual(onChain.limits, { max_offers: 10_000, step_items: 250 });
    // The clock starts at the instantiation block's time rounded down to a multiple of 6 s.
    const timing = await market.timing();
    assert.equal(timing.interval_ms, 6_000n);
    assert.equal(timing.start_ms, BigInt(deployed.blockTime) - (BigInt(deployed.blockTime) % 6_000n));
    // Instant seal stamps each block with the wall clock: the deploy block is from just now.
    assert.ok(Math.abs(Date.now() - deployed.blockTime) < 60_000, 'block time is wall-clock time');
  });

  it('reads the tariff through grid_price, as Tariff::paper() defines it', async () => {
    // Hand-computed: 03:00 off-peak 260 000 * 0.95 = 247 000; 12:00 base 300 000;
    // 18:00 peak 320 000 * 1.2 = 384 000; 22:00 base 280 000.
    assert.equal(await market.gridPrice(3), 247_000n);
    assert.equal(await market.gridPrice(12), 300_000n);
    assert.equal(await market.gridPrice(18), 384_000n);
    assert.equal(await market.gridPrice(22), 280_000n);
    for (let hour = 0; hour < 24; hour += 1) {
      assert.equal(await market.gridPrice(hour), expectedGridPrice(config.tariff, hour));
    }
    await rejectsWith(market.gridPrice(24), 'InvalidTariff');
  });

  it('registers participants in three areas, and offers in one interval', async () => {
    traded = await registerAndOffer(market, accounts);
    const { interval, timing, registered, offers } = traded;
    assert.deepEqual(registered.map((tx) => tx.events), [
      [{ contract: 'main', address: market.address, name: 'ParticipantRegistered',
        args: { account: bob.address, area: 0 } }],
      [{ contract: 'main', address: market.address, name: 'ParticipantRegistered',
        args: { account: charlie.address, area: 1 } }],
      [{ contract: 'main', address: market.address, name: 'ParticipantRegistered',
        args: { account: dave.address, area: 2 } }],
    ]);
    assert.equal(await market.participantCount(), 3);
    assert.deepEqual(await market.participant(charlie), { area: 1 });
    assert.equal(await market.participant(eve), null);

    // Each offer's event: interval, account, side, energy, and no price (closed book).
    const accepted = offers.map((tx) => events(tx, 'OfferAccepted').map((event) => event.args));
    assert.deepEqual(accepted, [
      [{ interval, account: bob.address, side: 'Sell', energy_wh: OFFERS.sell.energyWh }],
      [{ interval, account: charlie.address, side: 'Buy', energy_wh: OFFERS.buy.energyWh }],
      [{ interval, account: dave.address, side: 'Buy', energy_wh: OFFERS.lowBid.energyWh }],
    ]);
    // All three blocks lie inside the interval they name.
    const start = intervalStart(timing, interval);
    for (const tx of offers) {
      assert.ok(BigInt(tx.blockTime) >= start && BigInt(tx.blockTime) < start + 6_000n,
        `block time ${tx.blockTime} in interval ${interval} [${start}, ${start + 6_000n})`);
    }
    assert.equal(await market.offerCount(interval), 3);
    assert.equal(await market.intervalState(interval), 'Open');
    assert.equal(await market.intervalState(interval + 100n), 'Future');
    assert.equal(await market.intervalResult(interval), null);
  });

  it('refuses bad calls with their typed error, in the dry run, before signing', async () => {
    const { interval } = traded;
    const block = (await api.rpc.chain.getHeader()).number.toNumber();
    await rejectsWith(market.register(bob, eve, 0), 'NotOperator');
    await rejectsWith(market.register(alice, eve, 3), 'UnknownArea');
    await rejectsWith(market.register(alice, bob, 0), 'AlreadyRegistered');
    await rejectsWith(market.remove(alice, eve), 'NotRegistered');
    await rejectsWith(market.sell(eve, interval, 1_000n, 100_000n), 'NotRegistered');
    await rejectsWith(market.sell(bob, interval, 0n, 100_000n), 'ZeroEnergy');
    await rejectsWith(market.sell(charlie, interval, 1_000n, 79_999n), 'PriceOutOfBounds');
    await rejectsWith(market.sell(charlie, interval, 1_000n, 400_001n), 'PriceOutOfBounds');
    await rejectsWith(market.sell(bob, interval, 1_000n, 100_000n), 'OfferExists');
    await rejectsWith(market.buy(bob, interval + 1n, 1_000n), 'IntervalNotOpen');
    await rejectsWith(market.closeInterval(eve, interval), 'IntervalNotEnded');
    await rejectsWith(market.closeInterval(eve, interval + 1n), 'IntervalNotEnded');
    await rejectsWith(market.closeStep(eve, interval, 1), 'IntervalNotEnded');
    await rejectsWith(market.closeStep(eve, interval, 0), 'ZeroBudget');
    await rejectsWith(market.updateConfig(alice, { ...config, interval_ms: 7_000 }),
      'InvalidInterval');
    await rejectsWith(market.updateConfig(alice, {
      ...config, tariff: { ...config.tariff, min_price: 500_000 },
    }), 'InvalidTariff');
    await rejectsWith(market.updateConfig(alice, {
      ...config, limits: { ...config.limits, step_items: 0 },
    }), 'InvalidLimits');
    await rejectsWith(market.updateConfig(alice, {
      ...config, limits: { ...config.limits, max_offers: 0 },
    }), 'InvalidLimits');
    // A misspelt field is caught before encoding (polkadot.js would send a zero instead).
    await assert.rejects(market.updateConfig(alice, { ...config, interval: 6_000 }),
      /argument config does not match its type MarketConfig/);
    // Nothing was signed: no block was made.
    assert.equal((await api.rpc.chain.getHeader()).number.toNumber(), block);
  });

  it('closes the interval once it has ended: price, trades, results, bills, events', async () => {
    const { interval, timing } = traded;
    // Wall clock first, then a block so that the chain's clock has passed the interval too.
    assert.equal(await market.waitUntilEnded(alice, interval), 'Ended');
    assert.equal(await market.offerCount(interval), 3);

    // Anyone may close, even an account that is not a participant.
    const closed = await market.closeInterval(eve, interval);
    assert.ok(BigInt(closed.blockTime) >= intervalStart(timing, interval + 1n));

    // The hour's grid price, from the tariff figures (base price, peak/off-peak multiplier).
    const hour = hourOf(timing, interval);
    const gridPrice = expectedGridPrice(config.tariff, hour);
    assert.equal(await market.gridPrice(hour), gridPrice);

    // Hand-computed (value = Wh * price / 1000, rounded down once per line):
    // - uniform price = lowest ask = 123 457; Charlie's limit (grid price >= 247 000) admits it,
    //   Dave's 100 000 does not.
    // - Charlie (area 1) buys 1 234 Wh from Bob (area 0), distance 1:
    //   payment 1 234 * 123 457 / 1000 = 152 345.938 -> 152 345; fee 0 (no network fee).
    // - Bob's residual 2 345 - 1 234 = 1 111 Wh goes to the grid at the feed-in price, which is
    //   the P2P price (ClearingPriceOrMin): 1 111 * 123 457 / 1000 = 137 160.727 -> 137 160.
    // - Dave's 999 Wh come from the grid at the hour's price G: 999 * G / 1000 (e.g. G = 300 000
    //   -> 299 700; 247 000 -> 246 753; 384 000 -> 383 616; 280 000 -> 279 720).
    const payment = 152_345n;
    const bobExportEarned = 137_160n;
    const daveGridPaid = valueOf(999n, gridPrice);
    assert.equal(valueOf(1_234n, 123_457n), payment);
    assert.equal(valueOf(1_111n, 123_457n), bobExportEarned);

    const result = expectedResult(gridPrice);
    assert.deepEqual(closed.value, result);
    // Three offers are far below the default step budget: one transaction closes the interval.
    assert.deepEqual(closed.steps.map((step) => step.value), [{ Closed: result }]);
    assert.deepEqual(await market.intervalResult(interval), result);
    assert.equal(await market.intervalState(interval), 'Cleared');

    const trade = {
      seller: bob.address,
      buyer: charlie.address,
      distance: 1,
      energy_wh: 1_234n,
      price: 123_457n,
      payment,
      fee: 0n,
    };
    assert.deepEqual(await market.trades(interval), [trade]);
    assert.deepEqual(await market.tradesOf(interval, bob), [trade]);
    assert.deepEqual(await market.tradesOf(interval, charlie), [trade]);
    assert.deepEqual(await market.tradesOf(interval, dave), []);

    const zero = {
      p2p_bought_wh: 0n, p2p_paid: 0n, fees_paid: 0n, p2p_sold_wh: 0n, p2p_earned: 0n,
      grid_bought_wh: 0n, grid_paid: 0n, grid_sold_wh: 0n, grid_earned: 0n,
    };
    const bills = {
      bob: { ...zero, p2p_sold_wh: 1_234n, p2p_earned: payment, grid_sold_wh: 1_111n,
        grid_earned: bobExportEarned },
      charlie: { ...zero, p2p_bought_wh: 1_234n, p2p_paid: payment },
      dave: { ...zero, grid_bought_wh: 999n, grid_paid: daveGridPaid },
    };
    const month = monthKey(intervalStart(timing, interval));
    for (const name of ['bob', 'charlie', 'dave']) {
      assert.deepEqual(await market.bill(accounts[name], interval), bills[name], `${name}'s bill`);
      // The market's first cleared interval: the month's bill is this interval's bill.
      assert.deepEqual(await market.monthlyBill(accounts[name], month), bills[name]);
    }
    assert.equal(await market.bill(eve, interval), null);
    assert.equal(await market.monthlyBill(bob, month === 197001 ? 197002 : 197001), null);

    // Events, each decoded with the metadata of the contract that emitted it, in order:
    // p2p clears (TradeExecuted), p2g settles residuals by position (Bob, then Dave; Charlie
    // has none), main records the result (IntervalCleared).
    const { main, p2p, p2g } = market.addresses;
    assert.deepEqual(closed.events, [
      { contract: 'p2p', address: p2p, name: 'TradeExecuted', args: { interval, ...trade } },
      { contract: 'p2g', address: p2g, name: 'GridSettled', args: {
        interval, account: bob.address, bought_wh: 0n, paid: 0n, sold_wh: 1_111n,
        earned: bobExportEarned } },
      { contract: 'p2g', address: p2g, name: 'GridSettled', args: {
        interval, account: dave.address, bought_wh: 999n, paid: daveGridPaid, sold_wh: 0n,
        earned: 0n } },
      { contract: 'main', address: main, name: 'IntervalCleared', args: {
        interval, price: 123_457n, p2p_volume_wh: 1_234n, grid_import_wh: 999n,
        grid_export_wh: 1_111n } },
    ]);

    await rejectsWith(market.closeInterval(eve, interval), 'AlreadyCleared');
    await rejectsWith(market.closeStep(eve, interval, 1), 'AlreadyCleared');
    await rejectsWith(market.sell(bob, interval, 1_000n, 100_000n), 'IntervalNotOpen');
  });

  it('closes in many one-item steps with close_step, to the same result', async (t) => {
    const { interval, timing } = await market.openInterval(alice, { minRemainingMs: 3_500 });
    await market.sell(bob, interval, OFFERS.sell.energyWh, OFFERS.sell.ask);
    await market.buy(charlie, interval, OFFERS.buy.energyWh, OFFERS.buy.limit);
    await market.buy(dave, interval, OFFERS.lowBid.energyWh, OFFERS.lowBid.limit);
    await market.waitUntilEnded(alice, interval);

    const steps = [];
    for (;;) {
      const step = await market.closeStep(eve, interval, 1);
      steps.push(step);
      if (step.value.Closed) break;
      // A budget of one item: each step before the last does exactly one item of work.
      assert.deepEqual(step.value, { InProgress: { used: 1 } });
      assert.equal(await market.intervalState(interval), 'Ended');
      assert.equal(await market.intervalResult(interval), null);
    }
    assert.ok(steps.length > 1, `${steps.length} step(s)`);
    t.diagnostic(`closed in ${steps.length} one-item steps`);

    // The same book as the first interval, so the same figures (the grid price is the hour's).
    const gridPrice = expectedGridPrice(config.tariff, hourOf(timing, interval));
    const result = expectedResult(gridPrice);
    assert.deepEqual(steps.at(-1).value, { Closed: result });
    assert.deepEqual(await market.intervalResult(interval), result);
    assert.equal(await market.intervalState(interval), 'Cleared');
    // Every event comes out exactly once across the steps, and IntervalCleared only at the end.
    const names = steps.flatMap((step) => step.events.map((event) => event.name));
    assert.deepEqual([...names].sort(),
      ['GridSettled', 'GridSettled', 'IntervalCleared', 'TradeExecuted']);
    assert.equal(names.at(-1), 'IntervalCleared');
    assert.deepEqual(await market.trades(interval), [{
      seller: bob.address, buyer: charlie.address, distance: 1, energy_wh: 1_234n,
      price: 123_457n, payment: 152_345n, fee: 0n,
    }]);
    await rejectsWith(market.closeStep(eve, interval, 1), 'AlreadyCleared');
  });

  it('caps the book at max_offers, and cancels an offer in the open interval', async () => {
    await market.updateConfig(alice, { ...config, limits: { ...config.limits, max_offers: 1 } });
    const { interval } = await market.openInterval(alice, { minRemainingMs: 3_000 });
    assert.ok(interval > traded.interval);
    await rejectsWith(market.cancel(charlie, interval), 'NoOffer');
    await rejectsWith(market.cancel(eve, interval), 'NotRegistered');
    await market.buy(charlie, interval, 500n, 200_000n);
    assert.equal(await market.offerCount(interval), 1);
    await rejectsWith(market.sell(bob, interval, 1_000n, 100_000n), 'BookFull');
    const cancelled = await market.cancel(charlie, interval);
    assert.deepEqual(cancelled.events.map(({ name, args }) => ({ name, args })), [
      { name: 'OfferCancelled', args: { interval, account: charlie.address } },
    ]);
    assert.equal(await market.offerCount(interval), 0);
    await rejectsWith(market.cancel(charlie, interval), 'NoOffer');
    // The cancelled offer freed its place in the book.
    await market.sell(bob, interval, 1_000n, 100_000n);
    assert.equal(await market.offerCount(interval), 1);
    await market.updateConfig(alice, config);
    assert.deepEqual((await market.config()).limits, { max_offers: 10_000, step_items: 250 });
  });
});

describe('deploy CLI (scripts/deploy.sh)', { timeout: 180_000 }, () => {
  const run = promisify(execFile);
  const script = path.join(REPO_ROOT, 'scripts', 'deploy.sh');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'market-deployments-'));
  const record = path.join(dir, 'jstest.json');
  const deploy = () => run(script, ['--network', 'jstest', '--url', URL, '--config',
    LOCAL_CONFIG_FILE, '--deployments-dir', dir, '--register-demo'], { cwd: os.tmpdir() });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('deploys once, then reuses the recorded suite', async () => {
    const first = await deploy();
    assert.match(first.stdout, /deployed main (\w+), p2p (\w+), p2g (\w+)/);
    assert.equal(first.stdout.match(/registered .* in area \d/g).length, 6);
    const written = readFileSync(record, 'utf8');
    const deployment = JSON.parse(written);
    const demo = JSON.parse(readFileSync(LOCAL_CONFIG_FILE, 'utf8'));
    assert.equal(deployment.main.code_hash, loadBundles().main.codeHash);
    assert.deepEqual(deployment.config, demo.market);
    assert.deepEqual(deployment.participants.map(({ uri, area }) => ({ uri, area })),
      demo.participants.map(({ uri, area }) => ({ uri, area })));

    const second = await deploy();
    assert.match(second.stdout, /reusing the suite of .*jstest\.json: main (\w+)/);
    assert.doesNotMatch(second.stdout, /deployed main/);
    assert.equal(second.stdout.match(/is already registered in area \d/g).length, 6);
    assert.equal(readFileSync(record, 'utf8'), written, 'the record is unchanged');

    const api = await connect(URL);
    try {
      const market = await Market.at(api, deployment.main.address);
      assert.equal(await market.participantCount(), 6);
      assert.equal(market.addresses.p2p, deployment.p2p.address);
      assert.equal(market.addresses.p2g, deployment.p2g.address);
    } finally {
      await api.disconnect();
    }
  });

  it('deploys afresh when the recorded main is gone', async () => {
    const deployment = JSON.parse(readFileSync(record, 'utf8'));
    deployment.main.address = devAccounts().eve.address; // an account with no contract
    writeFileSync(record, JSON.stringify(deployment));
    const third = await deploy();
    assert.match(third.stdout, /not reusing .*: no contract lives at/);
    assert.match(third.stdout, /deployed main/);
    assert.notEqual(JSON.parse(readFileSync(record, 'utf8')).main.address,
      devAccounts().eve.address);
  });
});
