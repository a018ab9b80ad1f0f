/**
 * The polkadot.js client against a real substrate-contracts-node at $MARKET_NODE_URL
 * (scripts/js-tests.sh starts one): deploys a fresh open-mode suite from the built bundles with
 * a 6 s interval, trades one interval in real time with deposits, checks every figure (results,
 * bills, credits, the money in p2g) against hand-computed values, withdraws, closes a second
 * interval in one-item steps to the same figures, changes the configuration from the next
 * interval on; deploys a sealed suite (6 s interval, 6 s reveal window) and trades one interval
 * by commit and reveal, with a forfeit; shrinks a topology (AreaInUse until the area is empty,
 * the ended interval closing under its own); sells a gigawatt-hour against a small grid deposit
 * (the unpaid feed-in a claim, paid as the grid is funded); meters one interval (bonds, held
 * money, readings by a participant's own meter and by the metering operator, a refusal, the
 * missing one settled by default after a 6 s window, bills with imbalance lines, withdrawals);
 * refuses a main whose p2g runs other
 * code; and checks that the deploy CLI reuses what it deployed, and only that.
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
  DEFAULT_METERING,
  DeploymentMismatch,
  Market,
  REPO_ROOT,
  account,
  commitment,
  connect,
  imbalanceBond,
  instantiateMain,
  intervalStart,
  loadBundles,
  monthKey,
  sealOffer,
  uploadCode,
  valueOf,
  verifyDeployment,
} from '../src/market.mjs';
import {
  LOCAL_CONFIG_FILE,
  OFFERS,
  devAccounts,
  expectedDeposit,
  expectedGridPrice,
  hourOf,
  openConfig,
  registerAndOffer,
  shortConfig,
} from './scenario.mjs';

const URL = process.env.MARKET_NODE_URL;
if (!URL) throw new Error('set MARKET_NODE_URL to a dev node (scripts/js-tests.sh starts one)');

/**
 * Asserts that `promise` rejects with main's typed error `variant`, and for a variant wrapping
 * a callee's error (`P2g`, `P2p`) with that inner variant `detail`, shown as `P2g(Detail)`; and
 * that the error carries the variants' meanings (their doc comments in the metadata).
 */
async function rejectsWith(promise, variant, detail = null) {
  const code = detail === null ? variant : `${variant}(${detail})`;
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof ContractError, `expected a ContractError, got ${error}`);
    assert.equal(error.variant, variant);
    assert.equal(error.detail, detail);
    assert.equal(error.code, code);
    assert.ok(error.message.endsWith(`failed: ${code}`), error.message);
    assert.ok(error.meaning.length > 0, `${code} has no meaning in the metadata`);
    assert.equal(error.detailMeaning.length > 0, detail !== null, `${code}: detailMeaning`);
    return true;
  });
}

/** A free balance, as `BigInt`. */
async function freeBalance(api, who) {
  return (await api.query.system.account(who.address ?? who)).data.free.toBigInt();
}

/**
 * Storage deposits pallet-contracts released to `who` in a transaction (it refunds the deposit
 * of removed storage to the transaction's signer).
 */
function depositsReleased(api, tx, who) {
  return tx.records
    .filter(({ event }) => api.events.contracts.StorageDepositTransferredAndReleased.is(event))
    .filter(({ event }) => event.data[1].toString() === who.address)
    .reduce((sum, { event }) => sum + event.data[2].toBigInt(), 0n);
}

/**
 * Storage deposits pallet-contracts took from `who` in a transaction (held on the contracts for
 * the storage the transaction created).
 */
function depositsHeld(api, tx, who) {
  return tx.records
    .filter(({ event }) => api.events.contracts.StorageDepositTransferredAndHeld.is(event))
    .filter(({ event }) => event.data[0].toString() === who.address)
    .reduce((sum, { event }) => sum + event.data[2].toBigInt(), 0n);
}

/**
 * Closing pays for itself: no step of `steps` (one account's close transactions) takes a
 * storage deposit of one entry or more from `closer` (each offer created the entries its close
 * writes; a step only adds the bytes of the clearing's progress), and over the close the
 * closer gets more back than it paid (the buyers' escrow entries it removes). Returns the net.
 */
function assertClosingPaysForItself(api, steps, closer) {
  const perItem = api.consts.contracts.depositPerItem.toBigInt();
  let net = 0n;
  for (const [n, step] of steps.entries()) {
    const held = depositsHeld(api, step, closer);
    assert.ok(held < perItem, `close step ${n} took a deposit of ${held}, an entry costs ${perItem}`);
    net += depositsReleased(api, step, closer) - held;
  }
  assert.ok(net > 0n, `closing cost its caller ${-net} in storage deposits`);
  return net;
}

/**
 * p2g holds exactly the money its ledger accounts for: its free balance is the existential
 * deposit plus deposits, credits and the grid deposit.
 */
async function assertP2gHoldsLedger(api, market) {
  const ledger = await market.ledger();
  const free = await freeBalance(api, market.addresses.p2g);
  const ed = api.consts.balances.existentialDeposit.toBigInt();
  assert.equal(free, ed + ledger.deposits + ledger.credits + ledger.grid_deposit
    + ledger.p2p_collected - ledger.p2p_advanced,
    `p2g's balance against its ledger ${JSON.stringify(ledger, (_, v) => String(v))}`);
  return ledger;
}

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

/** The interval a timestamp (ms) falls in. */
function intervalAt(timing, ms) {
  return (BigInt(ms) - timing.start_ms) / timing.interval_ms;
}

/** The events of a transaction by name. */
function events(tx, name) {
  return tx.events.filter((event) => event.name === name);
}

/**
 * Instantiates a main whose p2g runs p2p's code (p2p's constructor has p2g's selector, so it
 * instantiates): main's own code is genuine, only its `code_hashes` shows the foreign p2g.
 * @returns {Promise<string>} main's address.
 */
async function forgedMain(api, signer, config, bundles) {
  for (const name of ['p2p', 'main']) await uploadCode(api, signer, bundles[name]);
  const { address } = await instantiateMain(api, signer, config, { bundles,
    p2pCodeHash: bundles.p2p.codeHash, p2gCodeHash: bundles.p2p.codeHash });
  return address;
}

/** What the operator pays into the open market's grid deposit before its first close. */
const GRID_FUND = 1_000_000n;

describe('market client on a dev node (open offers)', { timeout: 240_000 }, () => {
  const accounts = devAccounts();
  const { alice, bob, charlie, dave, eve } = accounts;
  const config = openConfig(6_000);
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
      priority: 'Submission',
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
    assert.equal(onChain.grid_operator, null);
    assert.equal(onChain.sealing, null);
    // No money yet: p2g holds only its existential deposit.
    assert.deepEqual(await assertP2gHoldsLedger(api, market),
      { deposits: 0n, credits: 0n, grid_deposit: 0n, p2p_collected: 0n, p2p_advanced: 0n,
        claims: 0n });
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
    assert.deepEqual(await market.participant(charlie),
      { area: 1, capacity: { export_wh: 43_000n, import_wh: 43_000n }, meter: null });
    assert.equal(await market.participant(eve), null);

    // The buys paid exactly their buy_deposit: the energy at the hour's grid price (Charlie's
    // limit is that price; Dave's 100 000 lies below it), rounded up; the sell paid nothing.
    const gridPrice = expectedGridPrice(config.tariff, hourOf(timing, interval));
    const deposits = {
      charlie: expectedDeposit(OFFERS.buy.energyWh, null, gridPrice),
      dave: expectedDeposit(OFFERS.lowBid.energyWh, OFFERS.lowBid.limit, gridPrice),
    };
    assert.deepEqual(offers.map((tx) => tx.paid), [0n, deposits.charlie, deposits.dave]);
    assert.equal(await market.buyDeposit(interval, OFFERS.buy.energyWh), deposits.charlie);
    assert.equal(await market.buyDeposit(interval, OFFERS.lowBid.energyWh, OFFERS.lowBid.limit),
      deposits.dave);
    // A limit above the grid price is covered at the limit: 1 000 Wh at 399 999.6 -> rounds up.
    assert.equal(await market.buyDeposit(interval, 1_000n, 399_999n), 399_999n);
    assert.equal(await market.buyDeposit(interval, 1n, 399_999n), 400n);
    assert.deepEqual(await market.escrowOf(charlie, interval),
      { deposit: deposits.charlie, sealed: null, held: false });
    // A seller that sends no value has no escrow: main does not call p2g for it.
    assert.equal(await market.escrowOf(bob, interval), null);
    assert.equal(await market.escrowOf(eve, interval), null);
    assert.deepEqual(await assertP2gHoldsLedger(api, market),
      {
        deposits: deposits.charlie + deposits.dave,
        credits: 0n,
        grid_deposit: 0n,
        p2p_collected: 0n,
        p2p_advanced: 0n,
        claims: 0n,
      });
    traded.deposits = deposits;

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
    await assert.rejects(market.sell(eve, interval, 1_000n, 100_000n), {
      meaning: 'The caller (or the account named) is not a registered participant.',
    });
    await rejectsWith(market.sell(bob, interval, 0n, 100_000n), 'ZeroEnergy');
    await rejectsWith(market.sell(charlie, interval, 1_000n, 79_999n), 'PriceOutOfBounds');
    await rejectsWith(market.sell(charlie, interval, 1_000n, 400_001n), 'PriceOutOfBounds');
    await rejectsWith(market.sell(bob, interval, 1_000n, 100_000n), 'OfferExists');
    await rejectsWith(market.sell(bob, interval, 1_000_000_001n, 100_000n), 'TooMuchEnergy');
    await rejectsWith(market.buy(bob, interval + 1n, 1_000n), 'IntervalNotOpen');
    // A buy's value must cover its buy_deposit (checked before the book is touched).
    const deposit = await market.buyDeposit(interval, 1_000n, 200_000n);
    await rejectsWith(market.buy(bob, interval, 1_000n, 200_000n, { value: deposit - 1n }),
      'DepositTooLow');
    await rejectsWith(market.buy(bob, interval, 1_000n, 200_000n, { value: 0n }), 'DepositTooLow');
    // Open mode: no commitments.
    const seal = sealOffer(market.address, bob, interval, 'Sell', 1_000n, 100_000n);
    await rejectsWith(market.commit(bob, interval, seal.commitment, { value: 10_000n }),
      'NotSealed');
    await rejectsWith(market.reveal(bob, interval, 'Sell', 1_000n, 100_000n, seal.salt),
      'NotSealed');
    await rejectsWith(market.forfeit(eve, interval, bob), 'NotSealed');
    // Money: nothing to withdraw yet, and funding needs an amount.
    await rejectsWith(market.withdraw(eve), 'NothingToWithdraw');
    await rejectsWith(market.fundGrid(alice, 0n), 'ZeroAmount');
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
    // Bounds that keep every sum of an interval within its type: at most 1 000 000 offers,
    // prices up to market::MAX_PRICE = 10^18 per kWh, a fixed feed-in price up to max_price,
    // and a network fee whose farthest distance (2 steps on a line of 3) stays within 10^18.
    const MAX_PRICE = 10n ** 18n;
    await rejectsWith(market.updateConfig(alice, {
      ...config, limits: { ...config.limits, max_offers: 1_000_001 },
    }), 'InvalidLimits');
    await rejectsWith(market.updateConfig(alice, {
      ...config, tariff: { ...config.tariff, max_price: MAX_PRICE + 1n },
    }), 'InvalidTariff');
    await rejectsWith(market.updateConfig(alice, {
      ...config, tariff: { ...config.tariff,
        hourly_prices: config.tariff.hourly_prices.map((p, hour) => (hour === 7 ? MAX_PRICE + 1n : p)) },
    }), 'InvalidTariff');
    await rejectsWith(market.updateConfig(alice, {
      ...config, tariff: { ...config.tariff, feed_in: { Fixed: 400_001 } },
    }), 'InvalidTariff');
    await rejectsWith(market.updateConfig(alice, {
      ...config, auction: { ...config.auction, grid_fee_per_kwh_step: MAX_PRICE / 2n + 1n },
    }), 'InvalidFee');
    // At the bounds they pass (a dry run only: estimate signs nothing).
    await market.estimate('update_config', [{
      ...config,
      auction: { ...config.auction, grid_fee_per_kwh_step: MAX_PRICE / 2n },
      tariff: { ...config.tariff, feed_in: { Fixed: 400_000 } },
      limits: { ...config.limits, max_offers: 1_000_000 },
    }]);
    // Dave is registered in area 2: a topology without it is refused.
    for (const areas of [1, 2]) {
      await rejectsWith(market.updateConfig(alice, {
        ...config, auction: { ...config.auction, topology: { Line: { areas } } },
      }), 'AreaInUse');
    }
    // The sealing settings are fixed at instantiation.
    await rejectsWith(market.updateConfig(alice, {
      ...config, sealing: { reveal_ms: 6_000, penalty: 10_000, forfeit_bps: 0, bond_per_kwh: 0 },
    }), 'InvalidSealing');
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

    // Bob's residual is sold to the grid: the grid deposit pays its feed-in (without it the
    // feed-in would become a claim, see 'energy nobody has' below).
    const funded = await market.fundGrid(alice, GRID_FUND);
    assert.equal(funded.value, GRID_FUND);
    assert.deepEqual(funded.events.map(({ contract, name, args }) => ({ contract, name, args })), [
      { contract: 'p2g', name: 'GridFunded', args: { amount: GRID_FUND, grid_deposit: GRID_FUND } },
    ]);

    // Anyone may close, even an account that is not a participant, and it costs nothing.
    const closed = await market.closeInterval(eve, interval);
    assert.ok(BigInt(closed.blockTime) >= intervalStart(timing, interval + 1n));
    assertClosingPaysForItself(api, closed.steps, eve);

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
      imbalance_short_wh: 0n, imbalance_paid: 0n, imbalance_long_wh: 0n, imbalance_earned: 0n,
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

    // Money, credited at the close (nothing moves before withdraw):
    // - Bob: his P2P earnings and his feed-in, 152 345 + 137 160 = 289 505 (he paid nothing).
    // - Charlie: his deposit less the P2P payment (he bought nothing from the grid).
    // - Dave: his deposit less the grid energy, 999 * G / 1000, which is exact for the
    //   tariff's prices (multiples of 1 000): nothing left.
    // - Alice, main's operator and so the grid operator: the grid energy Dave bought.
    // The grid deposit paid Bob's feed-in; every offer's deposit has been settled.
    const { deposits } = traded;
    const credits = {
      bob: payment + bobExportEarned,
      charlie: deposits.charlie - payment,
      dave: deposits.dave - daveGridPaid,
      alice: daveGridPaid,
    };
    assert.equal(credits.bob, 289_505n);
    assert.equal(credits.dave, 0n);
    for (const [name, credit] of Object.entries(credits)) {
      assert.equal(await market.creditOf(accounts[name]), credit, `${name}'s credit`);
    }
    assert.deepEqual(await assertP2gHoldsLedger(api, market), {
      deposits: 0n,
      credits: credits.bob + credits.charlie + credits.alice,
      grid_deposit: GRID_FUND - bobExportEarned,
      p2p_collected: 0n,
      p2p_advanced: 0n,
      claims: 0n,
    });
    // Conservation: the buyers' deposits and the feed-in from the grid deposit are exactly the
    // credits.
    assert.equal(deposits.charlie + deposits.dave + bobExportEarned,
      credits.bob + credits.charlie + credits.dave + credits.alice);
  });

  it('pays a credit out on withdraw', async () => {
    const credit = await market.creditOf(bob);
    assert.equal(credit, 289_505n);
    const before = await freeBalance(api, bob);
    const withdrawn = await market.withdraw(bob);
    const after = await freeBalance(api, bob);
    assert.equal(withdrawn.value, credit);
    assert.deepEqual(withdrawn.events.map(({ contract, name, args }) => ({ contract, name, args })),
      [{ contract: 'p2g', name: 'Withdrawn', args: { account: bob.address, amount: credit } }]);
    assert.equal(await market.creditOf(bob), 0n);
    // Bob's free balance: + the credit, - the transaction fee. His credit entry stays, at
    // zero, for his next settlement to write into (no storage deposit moves).
    assert.ok(withdrawn.fee > 0n);
    assert.equal(depositsReleased(api, withdrawn, bob), 0n);
    assert.equal(after - before, credit - withdrawn.fee);
    const ledger = await assertP2gHoldsLedger(api, market);
    assert.equal(ledger.credits, await market.creditOf(charlie) + await market.creditOf(alice));
    await rejectsWith(market.withdraw(bob), 'NothingToWithdraw');
  });

  it('closes in many one-item steps with close_step, to the same result', async (t) => {
    const { interval, timing } = await market.openInterval(alice, { minRemainingMs: 3_500 });
    const sold = await market.sell(bob, interval, OFFERS.sell.energyWh, OFFERS.sell.ask);
    const bought = await market.buy(charlie, interval, OFFERS.buy.energyWh, OFFERS.buy.limit);
    await market.buy(dave, interval, OFFERS.lowBid.energyWh, OFFERS.lowBid.limit);
    await market.waitUntilEnded(alice, interval);
    // What an offer pays for the storage its close will fill (the first one of the interval
    // also for the interval's results).
    t.diagnostic(`storage deposits: first sell ${depositsHeld(api, sold, bob)}, `
      + `buy ${depositsHeld(api, bought, charlie)}`);

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
    const net = assertClosingPaysForItself(api, steps, eve);
    t.diagnostic(`closed in ${steps.length} one-item steps; the closer got ${net} in storage `
      + 'deposits back');

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
    // Bob withdrew after the first interval: his credit is this interval's alone. The grid
    // deposit has paid his feed-in twice.
    assert.equal(await market.creditOf(bob), 289_505n);
    const ledger = await assertP2gHoldsLedger(api, market);
    assert.equal(ledger.deposits, 0n);
    assert.equal(ledger.grid_deposit, GRID_FUND - 2n * 137_160n);
  });

  it('changes the configuration from the next interval on; the open interval keeps its own',
    async () => {
      const defaults = { max_offers: 10_000, step_items: 250 };
      const { interval: during } = await market.openInterval(alice, { minRemainingMs: 3_500 });
      const capped = { ...config, limits: { ...config.limits, max_offers: 1 } };
      const updated = await market.updateConfig(alice, capped);
      const timing = await market.timing();
      assert.equal(intervalAt(timing, updated.blockTime), during);
      assert.deepEqual(events(updated, 'ConfigUpdated').map(({ contract, args }) => ({ contract,
        args })), [{ contract: 'main', args: { from_interval: during + 1n } }]);
      // config() is the newest; config_at tells which one governs each interval.
      assert.deepEqual((await market.config()).limits, { ...defaults, max_offers: 1 });
      assert.deepEqual((await market.configAt(during + 1n)).limits, { ...defaults, max_offers: 1 });
      assert.deepEqual((await market.configAt(during + 100n)).limits,
        { ...defaults, max_offers: 1 });
      assert.deepEqual((await market.configAt(during)).limits, defaults);
      assert.deepEqual(await market.configAt(traded.interval), await market.configAt(during));
      // The interval open at the update keeps its limit of 10 000 offers.
      await market.sell(bob, during, 1_000n, 100_000n);
      await market.sell(dave, during, 1_000n, 100_000n);
      assert.equal(await market.offerCount(during), 2);
      // A second update in the same interval replaces the first (same from_interval).
      const again = await market.updateConfig(alice, capped);
      assert.deepEqual(events(again, 'ConfigUpdated').map(({ args }) => args),
        [{ from_interval: during + 1n }]);
      traded.cappedFrom = during + 1n;
    });

  it('caps the book at max_offers and the cancels, and cancels an offer in the open interval',
    async () => {
      // The first interval the capped configuration governs (set by the test above).
      await market.waitUntilEnded(alice, traded.cappedFrom - 1n);
      const { interval } = await market.openInterval(alice, { minRemainingMs: 3_500 });
      assert.ok(interval >= traded.cappedFrom);
      assert.deepEqual((await market.configAt(interval)).limits, { max_offers: 1, step_items: 250 });
      await rejectsWith(market.cancel(charlie, interval), 'NoOffer');
      await rejectsWith(market.cancel(eve, interval), 'NotRegistered');
      const credit = await market.creditOf(charlie);
      const bought = await market.buy(charlie, interval, 500n, 200_000n);
      assert.equal(await market.offerCount(interval), 1);
      await rejectsWith(market.sell(bob, interval, 1_000n, 100_000n), 'BookFull');
      const cancelled = await market.cancel(charlie, interval);
      assert.deepEqual(cancelled.events.map(({ name, args }) => ({ name, args })), [
        { name: 'OfferCancelled', args: { interval, account: charlie.address } },
      ]);
      assert.equal(await market.offerCount(interval), 0);
      // The cancelled buy's whole deposit is credited back.
      assert.ok(bought.paid > 0n);
      assert.equal(await market.creditOf(charlie), credit + bought.paid);
      assert.equal(await market.escrowOf(charlie, interval), null);
      await rejectsWith(market.cancel(charlie, interval), 'NoOffer');
      // The cancelled offer freed its place in the book.
      await market.sell(bob, interval, 1_000n, 100_000n);
      assert.equal(await market.offerCount(interval), 1);
      // But its slot stays, and every closing pass walks it: at most max_offers cancels per
      // interval, here one.
      await rejectsWith(market.cancel(bob, interval), 'CancelLimit');
      assert.equal(await market.offerCount(interval), 1);
      await market.updateConfig(alice, config);
      assert.deepEqual((await market.config()).limits, { max_offers: 10_000, step_items: 250 });
      assert.deepEqual((await market.configAt(interval)).limits, { max_offers: 1, step_items: 250 });
    });
});

describe('market client on a dev node (sealed offers)', { timeout: 180_000 }, () => {
  const accounts = devAccounts();
  const { alice, bob, charlie, dave, eve } = accounts;
  // Eve is the grid operator here: grid sales, fees and penalties are credited to her.
  // A reveal needs a bond of 100_000 per kWh; an unrevealed commitment forfeits half its
  // deposit, at least 10_000.
  const sealing = { reveal_ms: 6_000, penalty: 10_000, forfeit_bps: 5_000, bond_per_kwh: 100_000 };
  const forfeitOf = (deposit) => (deposit / 2n > 10_000n ? deposit / 2n : 10_000n);
  const config = shortConfig(6_000, { grid_operator: eve.address, sealing });
  let api;
  let market;
  let round; // { interval, timing, gridPrice, committed: {bob, charlie, dave} } of the interval

  before(async () => {
    api = await connect(URL);
    ({ market } = await Market.deploy(api, alice, config));
    for (const [who, area] of [[bob, 0], [charlie, 1], [dave, 2]]) {
      await market.register(alice, who, area);
    }
    await market.fundGrid(alice, GRID_FUND);
  });

  after(async () => {
    await api?.disconnect();
  });

  it('refuses a zero reveal window at instantiation, and any change of the sealing', async () => {
    await assert.rejects(Market.deploy(api, alice, { ...config, sealing: { ...sealing,
      reveal_ms: 0 } }), (error) => error instanceof ContractError &&
      error.code === 'InvalidSealing' && error.messageName === 'new');
    const onChain = await market.config();
    assert.equal(onChain.grid_operator, eve.address);
    assert.deepEqual(onChain.sealing,
      { reveal_ms: 6_000n, penalty: 10_000n, forfeit_bps: 5_000, bond_per_kwh: 100_000n });
    await assert.rejects(Market.deploy(api, alice, { ...config, sealing: { ...sealing,
      forfeit_bps: 10_001 } }), (error) => error instanceof ContractError &&
      error.code === 'InvalidSealing');
    for (const other of [null, { ...sealing, reveal_ms: 7_000 }, { ...sealing, penalty: 1 },
      { ...sealing, forfeit_bps: 1 }, { ...sealing, bond_per_kwh: 1 }]) {
      await rejectsWith(market.updateConfig(alice, { ...config, sealing: other }),
        'InvalidSealing');
    }
    // The rest may change, the same sealing given.
    await market.updateConfig(alice, config);
  });

  it('takes commitments only, and shows nothing of them', async (t) => {
    const { interval, timing, endsAt } = await market.openInterval(alice,
      { minRemainingMs: 3_500 });
    const gridPrice = expectedGridPrice(config.tariff, hourOf(timing, interval));
    // The book of the open-mode test, Charlie's limit the grid price; Dave commits, never
    // reveals.
    const committed = {
      bob: await market.commitOffer(bob, interval, 'Sell', OFFERS.sell.energyWh, OFFERS.sell.ask),
      charlie: await market.commitOffer(charlie, interval, 'Buy', OFFERS.buy.energyWh, gridPrice),
      dave: await market.commitOffer(dave, interval, 'Buy', OFFERS.lowBid.energyWh,
        OFFERS.lowBid.limit),
    };
    round = { interval, timing, gridPrice, committed };
    t.diagnostic(`committed with ${endsAt - BigInt(Date.now())} ms of the interval left`);
    // Deposits (main's commit_deposit): the bond for a sell, 2_345 Wh * 100_000 / 1000 =
    // 234_500; the buy_deposit (above the bond here) for a buy.
    assert.deepEqual(Object.values(committed).map((tx) => tx.paid), [
      234_500n,
      expectedDeposit(OFFERS.buy.energyWh, gridPrice, gridPrice),
      expectedDeposit(OFFERS.lowBid.energyWh, OFFERS.lowBid.limit, gridPrice),
    ]);
    // Each commitment is the BLAKE2b-256 of its SCALE-encoded offer; main emits only who
    // committed, p2p's book stays empty and p2g holds the commitment with the deposit.
    for (const [name, tx] of Object.entries(committed)) {
      const { side, energy_wh: energyWh, price, salt } = tx.sealed;
      assert.equal(tx.sealed.commitment,
        commitment(market.address, accounts[name], interval, side, energyWh, price, salt));
      // The same offer sealed for another market (here: p2p's address) is another hash.
      assert.notEqual(tx.sealed.commitment,
        commitment(market.addresses.p2p, accounts[name], interval, side, energyWh, price, salt));
      assert.deepEqual(tx.events.map(({ contract, name: event, args }) => ({ contract, event,
        args })), [{ contract: 'main', event: 'OfferCommitted', args: { interval,
        account: accounts[name].address } }]);
      assert.deepEqual(await market.escrowOf(accounts[name], interval),
        { deposit: tx.paid, sealed: tx.sealed.commitment, held: false });
    }
    assert.equal(await market.offerCount(interval), 0);
    assert.equal(await market.intervalState(interval), 'Open');

    // Refused in the open interval, by dry run: open offers, a second commitment, a commitment
    // below the penalty, a reveal before the interval's end.
    await rejectsWith(market.commit(eve, interval, committed.bob.sealed.commitment,
      { value: 9_999n }), 'NotRegistered');
    const block = (await api.rpc.chain.getHeader()).number.toNumber();
    await rejectsWith(market.sell(bob, interval, 1_000n, 100_000n), 'Sealed');
    await rejectsWith(market.buy(charlie, interval, 1_000n), 'Sealed');
    await rejectsWith(market.commit(bob, interval, committed.bob.sealed.commitment,
      { value: 10_000n }), 'OfferExists');
    await rejectsWith(market.commit(eve, interval, committed.bob.sealed.commitment,
      { value: 10_000n }), 'NotRegistered');
    await rejectsWith(market.revealOffer(bob, committed.bob.sealed), 'IntervalNotEnded');
    await rejectsWith(market.closeInterval(eve, interval), 'IntervalNotEnded');
    await assert.rejects(market.commit(bob, interval, committed.bob.sealed.commitment),
      /commit: pass \{ value \}/);
    assert.equal((await api.rpc.chain.getHeader()).number.toNumber(), block);
  });

  it('reveals in the window after the interval; a wrong salt does not match', async (t) => {
    const { interval, committed } = round;
    const { closesAt } = await market.revealWindow(interval);
    assert.equal(await market.waitUntilEnded(alice, interval), 'Revealing');
    const { bob: sell, charlie: buy } = committed;

    // A reveal that does not hash to the commitment: another salt, another price, another
    // account's offer. p2g refuses it, main reports CommitmentMismatch.
    const other = sealOffer(market.address, bob, interval, 'Sell', 1n, 1n);
    await rejectsWith(market.revealOffer(bob, { ...sell.sealed, salt: other.salt }),
      'CommitmentMismatch');
    await assert.rejects(market.revealOffer(bob, { ...sell.sealed, salt: other.salt }),
      { message: 'main.reveal failed: CommitmentMismatch' });
    await rejectsWith(market.revealOffer(bob, { ...sell.sealed, price: sell.sealed.price + 1n }),
      'CommitmentMismatch');
    await rejectsWith(market.revealOffer(charlie, sell.sealed), 'CommitmentMismatch');
    await rejectsWith(market.closeInterval(eve, interval), 'RevealOpen');
    await rejectsWith(market.forfeit(eve, interval, dave), 'RevealOpen');

    const revealed = [await market.revealOffer(bob, sell.sealed),
      await market.revealOffer(charlie, buy.sealed)];
    assert.deepEqual(revealed.map((tx) => events(tx, 'OfferAccepted').map(({ args }) => args)), [
      [{ interval, account: bob.address, side: 'Sell', energy_wh: OFFERS.sell.energyWh }],
      [{ interval, account: charlie.address, side: 'Buy', energy_wh: OFFERS.buy.energyWh }],
    ]);
    t.diagnostic(`revealed with ${closesAt - BigInt(Date.now())} ms of the window left`);
    assert.equal(await market.offerCount(interval), 2);
    assert.deepEqual(await market.escrowOf(bob, interval), { deposit: 234_500n, sealed: null, held: false });
    await rejectsWith(market.revealOffer(bob, sell.sealed), 'NoCommitment');
  });

  it('closes after the reveal window, forfeits the unrevealed, credits and withdraws', async () => {
    const { interval, gridPrice, committed } = round;
    assert.equal(await market.waitUntilClosable(alice, interval), 'Ended');
    await rejectsWith(market.revealOffer(dave, committed.dave.sealed), 'RevealClosed');

    const closed = await market.closeInterval(eve, interval);
    // Bob and Charlie's trade of the open-mode test; Dave's offer never entered the book.
    const payment = 152_345n;
    const feedIn = 137_160n;
    assert.deepEqual(closed.value, {
      price: 123_457n, p2p_volume_wh: 1_234n, grid_import_wh: 0n, grid_export_wh: 1_111n,
      grid_price: gridPrice, feed_in_price: 123_457n, offers: 2, trades: 1,
    });
    assert.deepEqual(closed.events.map(({ name }) => name),
      ['TradeExecuted', 'GridSettled', 'IntervalCleared']);
    assert.deepEqual(await market.trades(interval), [{ seller: bob.address,
      buyer: charlie.address, distance: 1, energy_wh: 1_234n, price: 123_457n, payment,
      fee: 0n }]);
    assert.equal(await market.bill(dave, interval), null);

    // Dave's commitment is still escrowed until someone forfeits it; anyone may.
    const daveDeposit = committed.dave.paid;
    assert.deepEqual(await market.escrowOf(dave, interval),
      { deposit: daveDeposit, sealed: committed.dave.sealed.commitment, held: false });
    const forfeited = await market.forfeit(bob, interval, dave);
    const penalty = forfeitOf(daveDeposit);
    assert.equal(forfeited.value, penalty);
    assert.deepEqual(forfeited.events.map(({ contract, name, args }) => ({ contract, name, args })),
      [{ contract: 'p2g', name: 'Forfeited', args: { interval, account: dave.address,
        refund: daveDeposit - penalty, penalty } }]);
    await rejectsWith(market.forfeit(bob, interval, dave), 'NoCommitment');

    // Credits: Bob his earnings, feed-in and his commitment's deposit back; Charlie his deposit
    // less the payment; Dave his deposit less the forfeit (half of it); Eve, the grid
    // operator, the forfeit (no grid energy was sold); Alice, the operator, nothing.
    const credits = {
      bob: payment + feedIn + 234_500n,
      charlie: committed.charlie.paid - payment,
      dave: daveDeposit - penalty,
      eve: penalty,
      alice: 0n,
    };
    for (const [name, credit] of Object.entries(credits)) {
      assert.equal(await market.creditOf(accounts[name]), credit, `${name}'s credit`);
    }
    assert.deepEqual(await assertP2gHoldsLedger(api, market), {
      deposits: 0n,
      credits: credits.bob + credits.charlie + credits.dave + credits.eve,
      grid_deposit: GRID_FUND - feedIn,
      p2p_collected: 0n,
      p2p_advanced: 0n,
      claims: 0n,
    });

    for (const name of ['bob', 'charlie', 'eve']) {
      const withdrawn = await market.withdraw(accounts[name]);
      assert.equal(withdrawn.value, credits[name]);
      assert.deepEqual(events(withdrawn, 'Withdrawn').map(({ args }) => args),
        [{ account: accounts[name].address, amount: credits[name] }]);
      assert.equal(await market.creditOf(accounts[name]), 0n);
    }
    await rejectsWith(market.withdraw(alice), 'NothingToWithdraw');
  });

  it('cancels a commitment in the open interval, refunding it fully', async () => {
    const { interval } = await market.openInterval(alice, { minRemainingMs: 3_000 });
    const before = await market.creditOf(dave);
    const { paid } = await market.commitOffer(dave, interval, 'Sell', 500n, 100_000n,
      { value: 25_000n });
    assert.equal(paid, 25_000n);
    const cancelled = await market.cancel(dave, interval);
    assert.deepEqual(cancelled.events.map(({ name, args }) => ({ name, args })), [
      { name: 'OfferCancelled', args: { interval, account: dave.address } },
    ]);
    assert.equal(await market.escrowOf(dave, interval), null);
    assert.equal(await market.creditOf(dave), before + 25_000n);
    await rejectsWith(market.cancel(dave, interval), 'NoOffer');
  });
});

describe('market client on a dev node (a topology that shrinks)', { timeout: 180_000 }, () => {
  const { alice, bob, charlie, dave, eve } = devAccounts();
  const config = openConfig(6_000);
  const twoAreas = { ...config, auction: { ...config.auction, topology: { Line: { areas: 2 } } } };
  let api;
  let market;
  let ended; // { interval, timing, deposits, from } of the interval traded under three areas

  before(async () => {
    api = await connect(URL);
    ({ market } = await Market.deploy(api, alice, config));
    // Three areas on a line: Bob sells and Charlie buys in area 0, Dave buys in area 2, where
    // Eve is registered too (without an offer).
    for (const [who, area] of [[bob, 0], [charlie, 0], [dave, 2], [eve, 2]]) {
      await market.register(alice, who, area);
    }
  });

  after(async () => {
    await api?.disconnect();
  });

  it('refuses to drop an area in use (AreaInUse) until its participants are removed', async () => {
    const { interval, timing } = await market.openInterval(alice, { minRemainingMs: 3_500 });
    await market.sell(bob, interval, 1_000n, 100_000n);
    const charlieBuy = await market.buy(charlie, interval, 600n);
    const daveBuy = await market.buy(dave, interval, 800n, 200_000n);
    assert.ok(charlieBuy.paid > 0n && daveBuy.paid > 0n);
    assert.equal(await market.waitUntilEnded(alice, interval), 'Ended');

    await rejectsWith(market.updateConfig(alice, twoAreas), 'AreaInUse');
    // Removing Dave leaves his offer in the ended interval, to be settled at its close; Eve
    // still holds area 2.
    await market.remove(alice, dave);
    await rejectsWith(market.updateConfig(alice, twoAreas), 'AreaInUse');
    await market.remove(alice, eve);
    const updated = await market.updateConfig(alice, twoAreas);
    const current = intervalAt(timing, updated.blockTime);
    assert.ok(current > interval);
    assert.deepEqual(events(updated, 'ConfigUpdated').map(({ args }) => args),
      [{ from_interval: current + 1n }]);
    // The newest configuration has two areas from the next interval on; the interval open now
    // and the ended one keep three.
    const topology = async (at) => (await market.configAt(at)).auction.topology;
    assert.deepEqual((await market.config()).auction.topology, { Line: { areas: 2 } });
    assert.deepEqual(await topology(current + 1n), { Line: { areas: 2 } });
    assert.deepEqual(await topology(current), { Line: { areas: 3 } });
    assert.deepEqual(await topology(interval), { Line: { areas: 3 } });
    // Registration follows the newest topology.
    await rejectsWith(market.register(alice, dave, 2), 'UnknownArea');
    ended = { interval, timing, from: current + 1n,
      deposits: { charlie: charlieBuy.paid, dave: daveBuy.paid } };
  });

  it('closes the ended interval in one-item steps under its own topology; every buyer withdraws',
    async (t) => {
      const { interval, timing, deposits } = ended;
      const steps = [];
      for (;;) {
        const step = await market.closeStep(alice, interval, 1);
        steps.push(step);
        if (step.value.Closed) break;
        assert.deepEqual(step.value, { InProgress: { used: 1 } });
      }
      assert.ok(steps.length > 1, `${steps.length} step(s)`);
      t.diagnostic(`closed in ${steps.length} one-item steps`);

      // Bob's 1 000 Wh at his ask of 100 000: Charlie's 600 Wh in his own area first, then 400 Wh
      // to Dave at distance 2 (his limit 200 000 admits the price, no network fee); Dave's other
      // 400 Wh come from the grid.
      const gridPrice = expectedGridPrice(config.tariff, hourOf(timing, interval));
      assert.deepEqual(steps.at(-1).value.Closed, {
        price: 100_000n, p2p_volume_wh: 1_000n, grid_import_wh: 400n, grid_export_wh: 0n,
        grid_price: gridPrice, feed_in_price: 100_000n, offers: 3, trades: 2,
      });
      assert.deepEqual(await market.trades(interval), [
        { seller: bob.address, buyer: charlie.address, distance: 0, energy_wh: 600n,
          price: 100_000n, payment: 60_000n, fee: 0n },
        { seller: bob.address, buyer: dave.address, distance: 2, energy_wh: 400n,
          price: 100_000n, payment: 40_000n, fee: 0n },
      ]);
      const names = steps.flatMap((step) => step.events.map(({ name }) => name));
      assert.deepEqual([...names].sort(),
        ['GridSettled', 'IntervalCleared', 'TradeExecuted', 'TradeExecuted']);

      // Refunds: each buyer's deposit less its P2P payment and grid energy. Dave, removed since,
      // withdraws his as well: money never depends on a registration.
      const refunds = {
        charlie: deposits.charlie - 60_000n,
        dave: deposits.dave - 40_000n - valueOf(400n, gridPrice),
      };
      for (const [name, who] of [['charlie', charlie], ['dave', dave]]) {
        assert.ok(refunds[name] > 0n, `${name}'s refund`);
        assert.equal(await market.creditOf(who), refunds[name]);
        const withdrawn = await market.withdraw(who);
        assert.equal(withdrawn.value, refunds[name]);
        assert.equal(await market.creditOf(who), 0n);
      }
      assert.equal(await market.creditOf(bob), 100_000n);
      const ledger = await assertP2gHoldsLedger(api, market);
      assert.equal(ledger.deposits, 0n);
      assert.equal(ledger.claims, 0n);
    });

  it('takes offers only from areas of the interval\'s topology (UnknownArea)', async () => {
    // An interval under the two-area topology, then an update back to three areas from the
    // next one: Dave may register in area 2 again at once, but offer only from the next.
    await market.waitUntilEnded(alice, ended.from - 1n);
    const { interval } = await market.openInterval(alice, { minRemainingMs: 3_500 });
    assert.ok(interval >= ended.from);
    const grown = await market.updateConfig(alice, config);
    assert.deepEqual(events(grown, 'ConfigUpdated').map(({ args }) => args),
      [{ from_interval: interval + 1n }]);
    await market.register(alice, dave, 2);
    await rejectsWith(market.sell(dave, interval, 500n, 100_000n), 'UnknownArea');
    await rejectsWith(market.buy(dave, interval, 500n, null, { value: 10n ** 9n }),
      'UnknownArea');
    await market.sell(bob, interval, 500n, 100_000n);
    await market.waitUntilEnded(alice, interval);
    const { interval: next } = await market.openInterval(alice, { minRemainingMs: 1_000 });
    const accepted = await market.sell(dave, next, 500n, 100_000n);
    assert.deepEqual(events(accepted, 'OfferAccepted').map(({ args }) => args),
      [{ interval: next, account: dave.address, side: 'Sell', energy_wh: 500n }]);
  });
});

describe('market client on a dev node (energy nobody has)', { timeout: 120_000 }, () => {
  const { alice, bob, charlie, dave } = devAccounts();
  const config = openConfig(6_000);
  /** The most one offer may carry (market::MAX_OFFER_WH), sold at the tariff's min_price. */
  const GWH = 1_000_000_000n;
  const MIN_PRICE = 80_000n;
  /** A grid deposit far too small for a gigawatt-hour of feed-in. */
  const SMALL_FUND = 1_000_000n;
  let api;
  let market;
  let claim; // { interval, amount, feedIn }

  before(async () => {
    api = await connect(URL);
    ({ market } = await Market.deploy(api, alice, config));
    // Bob is a plant whose connection carries a gigawatt-hour per interval; Charlie and Dave
    // are homes with the default connection (43 000 Wh per interval).
    await market.register(alice, bob, 0, { export_wh: GWH, import_wh: GWH });
    for (const [who, area] of [[charlie, 1], [dave, 2]]) {
      await market.register(alice, who, area);
    }
    await market.fundGrid(alice, SMALL_FUND);
  });

  after(async () => {
    await api?.disconnect();
  });

  it('refuses energy beyond a connection, and closes although the grid deposit cannot pay the feed-in: the rest is a claim', async () => {
    const { interval, timing } = await market.openInterval(alice, { minRemainingMs: 3_500 });
    assert.deepEqual(await market.participant(charlie), { area: 1,
      capacity: { export_wh: 43_000n, import_wh: 43_000n }, meter: null });
    await rejectsWith(market.sell(charlie, interval, 43_001n, MIN_PRICE), 'ExceedsCapacity');
    await rejectsWith(market.buy(dave, interval, 43_001n), 'ExceedsCapacity');
    await market.sell(bob, interval, GWH, MIN_PRICE);
    const buys = {
      charlie: await market.buy(charlie, interval, 1_000n),
      dave: await market.buy(dave, interval, 500n),
    };
    await market.waitUntilEnded(alice, interval);
    const closed = await market.closeInterval(alice, interval);

    // Bob's ask is the price; the buyers take 1 500 Wh, the grid the rest at the P2P price
    // (ClearingPriceOrMin). The grid deposit pays 1 000 000 of it; the rest is owed.
    const exported = GWH - 1_500n;
    const feedIn = valueOf(exported, MIN_PRICE);
    assert.equal(feedIn, 79_999_880_000n);
    const owed = feedIn - SMALL_FUND;
    const gridPrice = expectedGridPrice(config.tariff, hourOf(timing, interval));
    assert.deepEqual(closed.value, {
      price: MIN_PRICE, p2p_volume_wh: 1_500n, grid_import_wh: 0n, grid_export_wh: exported,
      grid_price: gridPrice, feed_in_price: MIN_PRICE, offers: 3, trades: 2,
    });
    assert.deepEqual(events(closed, 'FeedInOwed').map(({ contract, args }) => ({ contract, args })),
      [{ contract: 'p2g', args: { interval, account: bob.address, amount: owed } }]);
    // Bob's bill shows his whole feed-in; his credit holds what was paid, the claim the rest.
    assert.equal((await market.bill(bob, interval)).grid_earned, feedIn);
    assert.equal(await market.creditOf(bob), 120_000n + SMALL_FUND);
    assert.equal(await market.claimOf(bob), owed);
    assert.equal(await market.claimOf(charlie), 0n);
    assert.deepEqual(await market.claims(), [{ account: bob.address, interval, amount: owed }]);
    assert.deepEqual(await market.claims(1, 10), []);

    // The buyers' refunds do not wait: their deposits less their P2P payments.
    const refunds = { charlie: buys.charlie.paid - 80_000n, dave: buys.dave.paid - 40_000n };
    const ledger = await assertP2gHoldsLedger(api, market);
    assert.deepEqual(ledger, {
      deposits: 0n,
      credits: 120_000n + SMALL_FUND + refunds.charlie + refunds.dave,
      grid_deposit: 0n,
      p2p_collected: 0n,
      p2p_advanced: 0n,
      claims: owed,
    });
    for (const [name, who] of [['charlie', charlie], ['dave', dave]]) {
      const withdrawn = await market.withdraw(who);
      assert.equal(withdrawn.value, refunds[name], `${name}'s refund`);
    }
    claim = { interval, owed, feedIn };
  });

  it('pays the claim as the grid deposit is funded; then the seller withdraws it', async () => {
    const { interval, owed, feedIn } = claim;
    const half = owed / 2n;
    const first = await market.fundGrid(alice, half);
    assert.equal(first.value, 0n, 'the whole funding went to the claim');
    assert.deepEqual(first.events.map(({ contract, name, args }) => ({ contract, name, args })), [
      { contract: 'p2g', name: 'GridFunded', args: { amount: half, grid_deposit: half } },
      { contract: 'p2g', name: 'ClaimPaid', args: { interval, account: bob.address, amount: half } },
    ]);
    assert.equal(await market.claimOf(bob), owed - half);
    assert.deepEqual(await market.claims(), [{ account: bob.address, interval,
      amount: owed - half }]);
    // pay_claims, open to anyone, pays nothing with an empty grid deposit: one claim waits.
    const idle = await market.payClaims(charlie);
    assert.equal(idle.value, 1);
    assert.deepEqual(events(idle, 'ClaimPaid'), []);

    const rest = await market.fundGrid(alice, owed - half + 5n);
    assert.equal(rest.value, 5n, 'what the claims did not take stays in the grid deposit');
    assert.deepEqual(events(rest, 'ClaimPaid').map(({ args }) => args),
      [{ interval, account: bob.address, amount: owed - half }]);
    assert.equal(await market.claimOf(bob), 0n);
    assert.deepEqual(await market.claims(), []);
    assert.equal((await market.payClaims(charlie)).value, 0);

    const withdrawn = await market.withdraw(bob);
    assert.equal(withdrawn.value, 120_000n + feedIn, 'P2P earnings and the whole feed-in');
    const ledger = await assertP2gHoldsLedger(api, market);
    assert.equal(ledger.claims, 0n);
    assert.equal(ledger.grid_deposit, 5n);
    assert.equal(ledger.credits, await market.creditOf(alice));
  });
});

describe('market client on a dev node (metering)', { timeout: 120_000 }, () => {
  const { alice, bob, charlie, dave, eve } = devAccounts();
  /** The market's metering operator: submits the readings of homes without a meter. */
  const ferdie = account('//Ferdie');
  /** Every home's connection: 5 000 Wh each way per interval, which sizes the bonds. */
  const CONNECTION = { export_wh: 5_000n, import_wh: 5_000n };
  /** Metering::DEFAULT with a 6-second window and Ferdie as the metering operator. */
  const METERING = { ...DEFAULT_METERING, window_ms: 6_000n, operator: ferdie.address };
  const config = { ...openConfig(6_000), metering: METERING };
  const GRID_FUND = 1_000_000n;
  let api;
  let market;
  let story; // the interval, its figures and the offers' deposits

  before(async () => {
    api = await connect(URL);
    ({ market } = await Market.deploy(api, alice, config));
    for (const [who, area] of [[bob, 0], [charlie, 1], [dave, 2]]) {
      await market.register(alice, who, area, CONNECTION);
    }
    await market.fundGrid(alice, GRID_FUND);
  });

  after(async () => {
    await api?.disconnect();
  });

  it('names a meter, bonds every offer\'s worst imbalance, and holds the money after the close',
    async () => {
      await rejectsWith(market.setMeter(bob, bob, eve), 'NotOperator');
      await market.setMeter(alice, bob, eve);
      assert.deepEqual(await market.participant(bob), { area: 0, capacity: CONNECTION,
        meter: eve.address });
      assert.equal((await market.config()).metering.operator, ferdie.address);

      const { interval, timing } = await market.openInterval(alice, { minRemainingMs: 3_500 });
      const hour = hourOf(timing, interval);
      const grid = expectedGridPrice(config.tariff, hour);
      const imbalance = (grid * 15_000n + 9_999n) / 10_000n; // the imbalance price, rounded up
      // Bob sells 1 000 Wh: his worst is delivering nothing and importing 5 000 Wh.
      const bonds = {
        bob: (6_000n * imbalance + 999n) / 1000n,
        charlie: (4_200n * imbalance + 999n) / 1000n,
        dave: (4_800n * imbalance + 999n) / 1000n,
      };
      const energy = { bob: 1_000n, charlie: 800n, dave: 200n };
      for (const [name, who, side] of [['bob', bob, 'Sell'], ['charlie', charlie, 'Buy'],
        ['dave', dave, 'Buy']]) {
        assert.equal(await market.imbalanceBond(interval, who, side, energy[name]), bonds[name]);
        assert.equal(imbalanceBond(config, hour, side, energy[name], CONNECTION.import_wh),
          bonds[name], `${name}'s bond off-chain`);
      }
      // A sell needs its bond now; the client sends it by default.
      await rejectsWith(market.sell(bob, interval, 1_000n, 100_000n, { value: bonds.bob - 1n }),
        'DepositTooLow');
      const buyOnly = await market.buyDeposit(interval, 800n);
      await rejectsWith(market.buy(charlie, interval, 800n, null, { value: buyOnly }),
        'DepositTooLow');
      const offers = {
        bob: await market.sell(bob, interval, 1_000n, 100_000n),
        charlie: await market.buy(charlie, interval, 800n),
        dave: await market.buy(dave, interval, 200n),
      };
      assert.equal(offers.bob.paid, bonds.bob);
      assert.equal(offers.charlie.paid, buyOnly + bonds.charlie);
      assert.equal(offers.dave.paid, await market.offerDeposit(interval, 'Buy', 200n, null,
        { origin: dave }));
      await rejectsWith(market.submitReadings(ferdie, interval,
        [[charlie, { delivered_wh: 0n, consumed_wh: 750n }]]), 'NotCleared');

      await market.waitUntilEnded(alice, interval);
      const closed = await market.closeInterval(alice, interval);
      assert.equal(closed.value.price, 100_000n);
      assert.equal(closed.value.p2p_volume_wh, 1_000n);
      // Nothing is credited to the homes yet: refunds and earnings are held in their escrows.
      const held = {
        bob: bonds.bob + 100_000n,
        charlie: offers.charlie.paid - 80_000n,
        dave: offers.dave.paid - 20_000n,
      };
      for (const [name, who] of [['bob', bob], ['charlie', charlie], ['dave', dave]]) {
        assert.equal(await market.creditOf(who), 0n, `${name}'s credit`);
        assert.deepEqual(await market.escrowOf(who, interval),
          { deposit: held[name], sealed: null, held: true }, `${name}'s escrow`);
      }
      const status = await market.meteringStatus(interval);
      assert.deepEqual(status, { deadline_ms: BigInt(closed.blockTime) + METERING.window_ms,
        positions: 3, metered: 0, defaulted: 0, next_slot: 0, short_wh: 0n, long_wh: 0n,
        charges: 0n, credits: 0n });
      assert.equal((await market.bill(bob, interval)).imbalance_short_wh, 0n);
      story = { interval, imbalance, held, closed };
    });

  it('settles readings from a participant\'s meter and the metering operator, refusing others',
    async () => {
      const { interval, imbalance, held } = story;
      // Bob's reading is his own meter's (Eve's): not the metering operator's.
      await rejectsWith(market.submitReadings(ferdie, interval,
        [[bob, { delivered_wh: 700n, consumed_wh: 0n }]]), 'NotMeter');
      await rejectsWith(market.submitReadings(eve, interval,
        [[charlie, { delivered_wh: 0n, consumed_wh: 750n }]]), 'NotMeter');
      await rejectsWith(market.submitReadings(ferdie, interval,
        [[charlie, { delivered_wh: 0n, consumed_wh: 5_001n }]]), 'ReadingAboveCapacity');
      await rejectsWith(market.submitReadings(ferdie, interval, []), 'NoReadings');
      await rejectsWith(market.settleImbalances(charlie, interval), 'MeteringOpen');

      // Bob delivered 700 of the 1 000 Wh he sold: 300 Wh short at the imbalance price.
      const charge = (300n * imbalance + 999n) / 1000n;
      const own = await market.submitReadings(eve, interval,
        [{ account: bob, delivered_wh: 700n, consumed_wh: 0n }]);
      assert.deepEqual(own.events.map(({ contract, name, args }) => ({ contract, name, args })), [
        { contract: 'p2g', name: 'Metered', args: { interval, account: bob.address,
          delivered_wh: 700n, consumed_wh: 0n } },
        { contract: 'p2g', name: 'ImbalanceSettled', args: { interval, account: bob.address,
          short_wh: 300n, long_wh: 0n, charge, credit: 0n, defaulted: false } },
      ]);
      assert.equal(own.value.metered, 1);
      assert.equal(await market.creditOf(bob), held.bob - charge);
      assert.equal(await market.escrowOf(bob, interval), null);
      // Charlie consumed 750 of the 800 Wh he bought: 50 Wh long, fed in at half the P2P price.
      const credit = valueOf(50n, 50_000n);
      const op = await market.submitReadings(ferdie, interval,
        [[charlie, { delivered_wh: 0n, consumed_wh: 750n }]]);
      assert.deepEqual(events(op, 'ImbalanceSettled').map(({ args }) => args), [{ interval,
        account: charlie.address, short_wh: 0n, long_wh: 50n, charge: 0n, credit,
        defaulted: false }]);
      assert.deepEqual(await market.reading(charlie, interval),
        { delivered_wh: 0n, consumed_wh: 750n });
      assert.equal(await market.creditOf(charlie), held.charlie + credit);
      await rejectsWith(market.submitReadings(ferdie, interval,
        [[charlie, { delivered_wh: 0n, consumed_wh: 800n }]]), 'DuplicateReading');
      story = { ...story, charge, credit };
    });

  it('settles the missing reading by the default after the deadline; bills, credits, withdrawals',
    async () => {
      const { interval, held, charge, credit } = story;
      await market.waitUntilMeteringClosed(alice, interval);
      await rejectsWith(market.submitReadings(ferdie, interval,
        [[dave, { delivered_wh: 0n, consumed_wh: 200n }]]), 'MeteringClosed');
      // Anyone settles Dave's missing reading: a buyer consumed what it bought, no imbalance.
      const swept = await market.settleImbalances(charlie, interval);
      assert.deepEqual(events(swept, 'ImbalanceSettled').map(({ args }) => args), [{ interval,
        account: dave.address, short_wh: 0n, long_wh: 0n, charge: 0n, credit: 0n,
        defaulted: true }]);
      const { next_slot: _, ...status } = swept.value;
      assert.deepEqual(status, { deadline_ms: (await market.meteringStatus(interval)).deadline_ms,
        positions: 3, metered: 2, defaulted: 1, short_wh: 300n, long_wh: 50n, charges: charge,
        credits: credit });
      assert.equal(await market.reading(dave, interval), null);
      await rejectsWith(market.settleImbalances(charlie, interval), 'ImbalancesSettled');

      const zero = {
        p2p_bought_wh: 0n, p2p_paid: 0n, fees_paid: 0n, p2p_sold_wh: 0n, p2p_earned: 0n,
        grid_bought_wh: 0n, grid_paid: 0n, grid_sold_wh: 0n, grid_earned: 0n,
        imbalance_short_wh: 0n, imbalance_paid: 0n, imbalance_long_wh: 0n, imbalance_earned: 0n,
      };
      const bills = {
        bob: { ...zero, p2p_sold_wh: 1_000n, p2p_earned: 100_000n, imbalance_short_wh: 300n,
          imbalance_paid: charge },
        charlie: { ...zero, p2p_bought_wh: 800n, p2p_paid: 80_000n, imbalance_long_wh: 50n,
          imbalance_earned: credit },
        dave: { ...zero, p2p_bought_wh: 200n, p2p_paid: 20_000n },
      };
      const timing = await market.timing();
      const month = monthKey(intervalStart(timing, interval));
      const credits = { bob: held.bob - charge, charlie: held.charlie + credit, dave: held.dave };
      for (const [name, who] of [['bob', bob], ['charlie', charlie], ['dave', dave]]) {
        assert.deepEqual(await market.bill(who, interval), bills[name], `${name}'s bill`);
        // The market's only interval: the month's bill is its bill, imbalance lines included.
        assert.deepEqual(await market.monthlyBill(who, month), bills[name], `${name}'s month`);
        assert.equal((await market.withdraw(who)).value, credits[name], `${name}'s withdrawal`);
      }
      // The grid operator (main's operator) has the charge; the grid deposit paid the credit.
      assert.equal(await market.creditOf(alice), charge);
      const ledger = await assertP2gHoldsLedger(api, market);
      assert.deepEqual(ledger, { deposits: 0n, credits: charge, grid_deposit: GRID_FUND - credit,
        p2p_collected: 0n, p2p_advanced: 0n, claims: 0n });
    });
});

describe('verified deployments (code_hashes)', { timeout: 120_000 }, () => {
  const { alice } = devAccounts();
  const config = openConfig(6_000);
  const bundles = loadBundles();
  let api;

  before(async () => {
    api = await connect(URL);
  });

  after(async () => {
    await api?.disconnect();
  });

  it('refuses a genuine main whose p2g runs p2p\'s code, naming it', async () => {
    const p2pHash = bundles.p2p.codeHash;
    const forged = await forgedMain(api, alice, config, bundles);
    // main itself runs main's code: only code_hashes shows what it instantiated.
    const info = await api.query.contracts.contractInfoOf(forged);
    assert.equal(info.unwrap().codeHash.toHex(), bundles.main.codeHash);
    await assert.rejects(Market.at(api, forged, { bundles }), (error) => {
      assert.ok(error instanceof DeploymentMismatch, String(error));
      assert.equal(error.mismatches.length, 1);
      const [{ contract, address, codeHash, expected }] = error.mismatches;
      assert.deepEqual({ contract, codeHash, expected },
        { contract: 'p2g', codeHash: p2pHash, expected: bundles.p2g.codeHash });
      assert.ok(error.message.includes(`p2g at ${address} runs code ${p2pHash}, not the p2g ` +
        `bundle's ${bundles.p2g.codeHash}`), error.message);
      return true;
    });
  });

  it('refuses an address that does not run main\'s code, and accepts a genuine deployment',
    async () => {
      const { market } = await Market.deploy(api, alice, config, { bundles });
      const expected = { main: bundles.main.codeHash, p2p: bundles.p2p.codeHash,
        p2g: bundles.p2g.codeHash };
      assert.deepEqual(await market.codeHashes(), expected);
      assert.deepEqual(await verifyDeployment(market), expected);
      assert.deepEqual(await verifyDeployment(market, bundles), expected);
      const again = await Market.at(api, market.address, { bundles });
      assert.deepEqual(again.addresses, market.addresses);

      await assert.rejects(Market.at(api, market.addresses.p2p, { bundles }), (error) =>
        error instanceof DeploymentMismatch && error.message.includes(`main at ` +
          `${market.addresses.p2p} runs code ${bundles.p2p.codeHash}, not the main bundle's ` +
          `${bundles.main.codeHash}`));
      await assert.rejects(Market.at(api, alice.address, { bundles }),
        new RegExp(`no contract lives at ${alice.address}`));
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
    assert.match(first.stdout, /funded the grid deposit with 1000000000000 /);
    assert.equal(first.stdout.match(/registered .* in area \d/g).length, 6);
    const written = readFileSync(record, 'utf8');
    const deployment = JSON.parse(written);
    const demo = JSON.parse(readFileSync(LOCAL_CONFIG_FILE, 'utf8'));
    for (const name of ['main', 'p2p', 'p2g']) {
      assert.equal(deployment[name].code_hash, loadBundles()[name].codeHash);
    }
    assert.deepEqual(deployment.config, demo.market);
    // Deployments are sealed by default, with the grid deposit funded.
    assert.deepEqual(deployment.config.sealing,
      { reveal_ms: 600_000, penalty: 10_000, forfeit_bps: 5_000, bond_per_kwh: 100_000 });
    assert.equal(deployment.deployed.grid_deposit, 1_000_000_000_000);
    assert.deepEqual(deployment.participants.map(({ uri, area }) => ({ uri, area })),
      demo.participants.map(({ uri, area }) => ({ uri, area })));

    const second = await deploy();
    assert.match(second.stdout, /reusing the suite of .*jstest\.json: main (\w+)/);
    assert.doesNotMatch(second.stdout, /deployed main/);
    assert.doesNotMatch(second.stdout, /funded the grid deposit/);
    assert.match(second.stdout, /grid deposit in p2g: 1000000000000 /);
    assert.equal(second.stdout.match(/is already registered in area \d/g).length, 6);
    assert.equal(readFileSync(record, 'utf8'), written, 'the record is unchanged');

    const api = await connect(URL);
    try {
      const market = await Market.at(api, deployment.main.address);
      assert.equal(await market.participantCount(), 6);
      assert.equal(market.addresses.p2p, deployment.p2p.address);
      assert.equal(market.addresses.p2g, deployment.p2g.address);
      assert.deepEqual(await market.ledger(),
        {
          deposits: 0n,
          credits: 0n,
          grid_deposit: 1_000_000_000_000n,
          p2p_collected: 0n,
          p2p_advanced: 0n,
          claims: 0n,
        });
    } finally {
      await api.disconnect();
    }
  });

  it('refuses a config file without grid_operator, sealing or metering', async () => {
    const demo = JSON.parse(readFileSync(LOCAL_CONFIG_FILE, 'utf8'));
    for (const field of ['grid_operator', 'sealing', 'metering']) {
      const { [field]: _, ...market } = demo.market;
      const file = path.join(dir, `no-${field}.json`);
      writeFileSync(file, JSON.stringify({ ...demo, market }));
      await assert.rejects(run(script, ['--network', 'jstest', '--url', URL, '--config', file,
        '--deployments-dir', dir]), (error) => {
        assert.match(error.stderr, new RegExp(`"market" has no "${field}"`));
        return true;
      });
    }
  });

  it('does not reuse a recorded main whose p2g runs other code, and says which', async () => {
    const api = await connect(URL);
    let forged;
    try {
      forged = await forgedMain(api, devAccounts().alice, openConfig(6_000), loadBundles());
    } finally {
      await api.disconnect();
    }
    const deployment = JSON.parse(readFileSync(record, 'utf8'));
    deployment.main.address = forged;
    writeFileSync(record, JSON.stringify(deployment));
    const { stdout } = await deploy();
    assert.match(stdout, new RegExp('not reusing .*jstest\\.json: the market does not run the ' +
      `code of its bundles: p2g at \\w+ runs code ${loadBundles().p2p.codeHash}, not the p2g ` +
      `bundle's ${loadBundles().p2g.codeHash}; deploying afresh`));
    assert.match(stdout, /deployed main/);
    assert.notEqual(JSON.parse(readFileSync(record, 'utf8')).main.address, forged);
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
