/**
 * The {@link Market} class: a deployed market, main with its p2p and p2g; attaching and
 * deploying, every message of main as a method, and waiting for market time. Its queries are
 * inherited from `queries.mjs`, the plumbing is in `transactions.mjs`, the encoding in
 * `codec.mjs`. It runs in browsers and in Node.js; `market.mjs` (Node's entry point)
 * subclasses it to load the bundles from `target/ink` by default.
 */
import { CONTRACT_NAMES, requireBundles } from './bundles.mjs';
import { toPlain } from './codec.mjs';
import { MAX_SETTLEMENTS_PER_CALL } from './rules.mjs';
import { accountHex } from './connection.mjs';
import { ContractError, DeploymentMismatch } from './errors.mjs';
import { MarketQueries } from './queries.mjs';
import { bytes32, sealOffer } from './sealing.mjs';
import { intervalStart, sleep } from './time.mjs';
import {
  callMessage,
  codeHashAt,
  instantiateMain,
  makeBlock,
  query,
  uploadCode,
  verifyDeployment,
} from './transactions.mjs';

/**
 * A deployed market: main at `address` with its p2p and p2g. Create it with
 * {@link Market.deploy} or {@link Market.at}. Its queries are those of
 * {@link MarketQueries} (`queries.mjs`); this class adds attaching, deploying, every message
 * (those that sign) and waiting for market time.
 *
 * Every message method resolves, once its transaction is in a block, to
 * `{value, paid, events, records, blockHash, blockNumber, blockTime, txHash, fee, gasRequired,
 * gasLimit, storageDeposit}`: `value` the message's return value (`Ok` unwrapped), `paid` the
 * value transferred with it, `events` the contract events decoded ({@link Market#decodeEvents}),
 * `records` the extrinsic's raw `EventRecord`s, `fee` the transaction fee the signer paid,
 * `gasRequired` and `storageDeposit` the dry run's figures, `gasLimit` what the transaction
 * offered: `gasRequired` plus `GAS_MARGIN_PCT` (10 %) of each of ref_time and proof_size (the
 * storage deposit limit likewise), since a dry run cannot see the transactions ahead of it in
 * its block (`transactions.mjs`).
 */
export class Market extends MarketQueries {
  /**
   * Attaches to a deployed main: checks that a contract lives at `address` running the
   * bundle's main code, reads its operator and the addresses of its p2p and p2g, and checks
   * that all three run the bundles' code ({@link verifyDeployment}): a main paired with a
   * foreign p2p or p2g is refused with a {@link DeploymentMismatch}.
   *
   * @param {import('@polkadot/api').ApiPromise} api
   * @param {string} address main's address (SS58 or hex).
   * @param {{bundles: Object<string, import('./bundles.mjs').Bundle>}} options
   * @returns {Promise<Market>}
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
    market.operator = await query(market, 'operator', [], main);
    market.addresses.p2p = await query(market, 'p2p_address', []);
    market.addresses.p2g = await query(market, 'p2g_address', []);
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
   * @param {import('@polkadot/api').ApiPromise} api
   * @param {import('./transactions.mjs').Signer} signer becomes the operator.
   * @param {object} config a `MarketConfig` as plain JSON (snake_case fields, see
   *   deployments/config/local.json); checked field by field before encoding.
   * @param {{bundles: Object<string, import('./bundles.mjs').Bundle>, salt?: string}} options
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
    return callMessage(this, signer, 'register', [accountHex(who), area, capacity]);
  }

  /** `remove(account)`: operator only. Emits `ParticipantRemoved` (and `OfferCancelled`). */
  remove(signer, who) {
    return callMessage(this, signer, 'remove', [accountHex(who)]);
  }

  /**
   * `set_meter(account, meter)`: operator only. Names `meter` (an account, or null) as the
   * meter of participant `who`, the only account that may submit its readings from now on
   * ({@link Market#submitReadings}); null hands them back to the market's metering operator
   * (`metering.operator` of the configuration), if it names one. `NotRegistered` for an
   * unknown participant. {@link Market#participant} shows it as `meter`.
   */
  setMeter(signer, who, meter) {
    return callMessage(this, signer, 'set_meter', [accountHex(who),
      meter === null || meter === undefined ? null : accountHex(meter)]);
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
    return callMessage(this, signer, 'update_config', [config]);
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
    return callMessage(this, signer, 'fund_grid', [], { value: amount });
  }

  /**
   * `pay_claims()`: pays feed-in claims waiting out of the grid deposit, oldest first, at most
   * {@link CLAIMS_PAGE} per call (for when more wait than one `fund_grid` pays); anyone may
   * call. `value` is the number of claims still waiting (0: all paid); p2g emits `ClaimPaid`
   * for each claim (partly) paid. With an empty grid deposit it pays nothing.
   */
  payClaims(signer) {
    return callMessage(this, signer, 'pay_claims', []);
  }

  // -- participant messages: open mode (`sealing` null) ------------------------------------

  /**
   * `sell(interval, energy_wh, ask)`: surplus for the current interval, ask per kWh. A seller
   * needs no deposit, except in a metered market its imbalance bond: `value` defaults to
   * {@link Market#offerDeposit} (0 unless metered; less fails with `DepositTooLow`). What its
   * settlement does not charge is credited back after the close (in a metered market, once its
   * imbalance is settled).
   */
  async sell(signer, interval, energyWh, ask, { value } = {}) {
    const deposit = value ?? await this.offerDeposit(interval, 'Sell', energyWh, null,
      { origin: signer });
    return callMessage(this, signer, 'sell', [interval, energyWh, ask], { value: deposit });
  }

  /**
   * `buy(interval, energy_wh, limit)`: deficit; `limit` null means the hour's grid price. Pays
   * its deposit: `value`, by default exactly {@link Market#offerDeposit}, its
   * {@link Market#buyDeposit} plus in a metered market its {@link Market#imbalanceBond} (less
   * fails with `DepositTooLow`). What the bill does not use is credited back at the close (in a
   * metered market, once its imbalance is settled).
   */
  async buy(signer, interval, energyWh, limit = null, { value } = {}) {
    const deposit = value ?? await this.offerDeposit(interval, 'Buy', energyWh, limit,
      { origin: signer });
    return callMessage(this, signer, 'buy', [interval, energyWh, limit], { value: deposit });
  }

  /**
   * `cancel(interval)`: withdraws the signer's offer (open mode) or commitment (sealed mode)
   * while the interval is open; its whole deposit is credited back. Emits `OfferCancelled`.
   * At most `limits.max_offers` offers may be cancelled per interval (`CancelLimit` beyond: a
   * cancelled offer's slot stays in the book, which every closing pass walks).
   */
  cancel(signer, interval) {
    return callMessage(this, signer, 'cancel', [interval]);
  }

  // -- participant messages: sealed mode (`sealing` set) -----------------------------------

  /**
   * `commit(interval, commitment)` in the open interval, paying `value`: at least the sealing
   * penalty, and what the reveal will need, the offer's bond and for a buy its cover, plus in a
   * metered market its imbalance bond (see {@link Market#commitDeposit}; `value` is required, so that an offer is not left uncovered
   * by mistake). `commitment` is
   * {@link commitment} of the offer (32 bytes, hex or `Uint8Array`). Emits `OfferCommitted`,
   * nothing about the offer.
   */
  async commit(signer, interval, commitmentBytes, { value } = {}) {
    if (value === undefined || value === null) {
      throw new TypeError('commit: pass { value }, at least Market#commitDeposit(interval, side, ' +
        'energy_wh, price) (the offer\'s bond; for a buy its buy_deposit if higher)');
    }
    return callMessage(this, signer, 'commit', [interval, bytes32(commitmentBytes, 'commitment')],
      { value });
  }

  /**
   * Seals and commits an offer in one go: {@link sealOffer} for this market (a fresh random
   * salt), then
   * {@link Market#commit} with `value` (default {@link Market#commitDeposit} as the signer,
   * which includes the signer's imbalance bond in a metered market). Returns the
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
    return callMessage(this, signer, 'reveal', [interval, side, energyWh, price, bytes32(salt, 'salt')]);
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
    return callMessage(this, signer, 'forfeit', [interval, accountHex(who)]);
  }

  // -- money --------------------------------------------------------------------------------

  /**
   * `withdraw()`: pays the signer its whole credit (refunds, earnings, and for the grid
   * operator grid sales, fees and penalties). `value` is the amount; p2g emits `Withdrawn`.
   * `NothingToWithdraw` with no credit.
   */
  withdraw(signer) {
    return callMessage(this, signer, 'withdraw', []);
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
    return repeatUntilDone(this, signer, 'close_interval', [interval], {
      doneVariant: 'AlreadyCleared',
      stored: () => this.intervalResult(interval),
      finished: (progress) => progress.Closed,
    });
  }

  /**
   * `close_step(interval, max_items)`: one step of closing with a budget of at most `maxItems`
   * items (capped at `limits.step_items`; 0 is refused with `ZeroBudget`), for callers who want
   * smaller, cheaper transactions. `value` is the raw `CloseProgress`:
   * `{InProgress: {used}}` or `{Closed: IntervalResult}`; repeat until `Closed`.
   */
  closeStep(signer, interval, maxItems) {
    return callMessage(this, signer, 'close_step', [interval, maxItems]);
  }

  // -- metering (a configuration with `metering` set) ----------------------------------------

  /**
   * `submit_readings(interval, readings)` for a closed, metered interval, within its metering
   * window (from its close until {@link Market#meteringStatus}'s `deadline_ms`): `readings` is
   * `[[account, {delivered_wh, consumed_wh}], ...]` (or `[{account, delivered_wh,
   * consumed_wh}, ...]`), each signed for by the participant's own meter account
   * ({@link Market#setMeter}) or, for one without, by the market's metering operator
   * (`NotMeter` otherwise). Each reading is settled at once against what cleared: a shortfall
   * is bought from the grid at the imbalance price, an excess sold at the imbalance feed-in
   * price, and the participant's held refund and earnings, less the charge, are credited.
   *
   * main takes at most {@link MAX_SETTLEMENTS_PER_CALL} readings per call, all or nothing; a
   * longer list is sent in batches of that size, one transaction each, in order (a refused
   * batch throws; the batches before it stand). `value` is the interval's `MeterStatus` after
   * the last batch, `events` hold every batch's events (p2g's `Metered` and
   * `ImbalanceSettled` per reading, `FeedInOwed` for a credit the grid deposit could not pay),
   * `steps` each batch's own result; the block fields are the last batch's. Refusals:
   * `NotMetered`, `NoReadings`, `NotRegistered`, `NotMeter`, `ReadingAboveCapacity` (more
   * than the connection carries), `NotCleared`, `MeteringClosed`, `NoPosition` (no settled
   * offer in the interval), `DuplicateReading`.
   */
  async submitReadings(signer, interval, readings) {
    if (!Array.isArray(readings)) throw new TypeError('submitReadings: readings must be an array');
    const rows = readings.map((row) => {
      const [who, reading] = Array.isArray(row) ? row : [row.account, row];
      return [accountHex(who), { delivered_wh: reading.delivered_wh,
        consumed_wh: reading.consumed_wh }];
    });
    const batches = [];
    for (let from = 0; from < rows.length; from += MAX_SETTLEMENTS_PER_CALL) {
      batches.push(rows.slice(from, from + MAX_SETTLEMENTS_PER_CALL));
    }
    if (batches.length === 0) batches.push([]); // main names the error: NoReadings
    const steps = [];
    for (const batch of batches) {
      steps.push(await callMessage(this, signer, 'submit_readings', [interval, batch]));
    }
    return { ...steps.at(-1), events: steps.flatMap((done) => done.events), steps };
  }

  /**
   * Settles the missing readings of a closed, metered interval after its metering deadline, by
   * the market's default (`metering.missing`: `NothingDelivered`, a seller delivered nothing and
   * a buyer consumed what it bought; or `AsCleared`); anyone may. Each `settle_imbalances`
   * transaction walks at most {@link MAX_SETTLEMENTS_PER_CALL} of the interval's offers, so
   * this repeats it until the returned `MeterStatus` is complete (`metered + defaulted >=
   * positions`), as {@link Market#closeInterval} repeats its steps.
   *
   * `value` is the final `MeterStatus`, `events` hold every step's events (p2g's
   * `ImbalanceSettled` with `defaulted: true` per participant), `steps` each step's result.
   * `MeteringOpen` before the deadline ({@link Market#waitUntilMeteringClosed}),
   * `ImbalancesSettled` if every imbalance was settled already (should another account finish
   * between two of our steps, the stored status is returned with our steps' events),
   * `NotCleared`, `NotMetered`.
   */
  async settleImbalances(signer, interval) {
    return repeatUntilDone(this, signer, 'settle_imbalances', [interval], {
      doneVariant: 'ImbalancesSettled',
      stored: () => this.meteringStatus(interval),
      finished: (status) =>
        (status.metered + status.defaulted >= status.positions ? status : undefined),
    });
  }

  /**
   * Waits (wall clock) until the metering window of the closed, metered `interval` has closed,
   * its `deadline_ms` ({@link Market#meteringStatus}), then makes a block so the chain's clock
   * is past it too, and returns the status: from then on readings are refused
   * (`MeteringClosed`) and {@link Market#settleImbalances} settles the missing ones. Throws if
   * the interval has no metering status (not closed, or not metered).
   */
  async waitUntilMeteringClosed(signer, interval, { marginMs = 200 } = {}) {
    const status = await this.meteringStatus(interval);
    if (status === null) {
      throw new Error(`interval ${interval} has no metering status: not closed, or not metered`);
    }
    await sleep(status.deadline_ms - BigInt(Date.now()) + BigInt(marginMs));
    const blockTime = await makeBlock(this.api, signer);
    if (BigInt(blockTime) < status.deadline_ms) {
      throw new Error(`the metering deadline of interval ${interval} is ${status.deadline_ms} ` +
        `by the wall clock, but the chain's block time is ${blockTime}`);
    }
    return this.meteringStatus(interval);
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
}

/**
 * Sends `message(args)` as `signer` until `finished(value)` returns the final value (a stepped
 * close, a sweep of missing readings), and returns the last step's result with that value, every
 * step's events in order and `steps`. Should another account finish it between two of our steps
 * (the call is refused with `doneVariant`), the `stored()` value is returned with our steps'
 * events; a refusal on the first step is thrown.
 */
async function repeatUntilDone(market, signer, message, args, { doneVariant, stored, finished }) {
  const steps = [];
  for (;;) {
    let step;
    try {
      step = await callMessage(market, signer, message, args);
    } catch (error) {
      if (steps.length === 0 || !(error instanceof ContractError) || error.variant !== doneVariant) {
        throw error;
      }
      return {
        ...steps.at(-1),
        value: await stored(),
        events: steps.flatMap((done) => done.events),
        steps,
      };
    }
    steps.push(step);
    const value = finished(step.value);
    if (value !== undefined) {
      return { ...step, value, events: steps.flatMap((done) => done.events), steps };
    }
  }
}
