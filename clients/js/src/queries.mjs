/**
 * {@link MarketQueries}: the reading half of the client's `Market`, main's queries and p2g's
 * money queries (dry runs on the best block), cost estimates and event decoding.
 * `market-core.mjs` adds the messages.
 */
import { Abi } from '@polkadot/api-contract';

import { CONTRACT_NAMES } from './bundles.mjs';
import { errorMeanings, snakeNames, toPlain, unwrapResult } from './codec.mjs';
import { accountHex, addressOf } from './connection.mjs';
import { CLAIMS_PAGE, TRADES_PAGE } from './rules.mjs';
import { ContractError } from './errors.mjs';
import { intervalStart } from './time.mjs';
import { decodeEvents, dryRun, query } from './transactions.mjs';

/**
 * The queries of a deployed market: main at `address` with its p2p and p2g, everything that
 * reads without signing. {@link Market} (`market-core.mjs`) extends it with the messages;
 * create one with {@link Market.deploy} or {@link Market.at}.
 *
 * Queries and dry runs execute on the best block, so they see that block's timestamp. On an
 * instant-seal dev node no block is made without a transaction, so "now" for a query can lag
 * the wall clock arbitrarily: use {@link Market#openInterval} and {@link Market#waitUntilEnded}
 * (which make a block first) rather than reading `current_interval` after a pause.
 *
 * Values follow the client's conventions (`client.mjs`): snake_case fields, `BigInt` for
 * integers of 64 bits and more, SS58 accounts; `options.origin` (default: the operator) is the
 * account a query runs as.
 */
export class MarketQueries {
  /**
   * @private Use {@link Market.at} or {@link Market.deploy}.
   * @param {import('@polkadot/api').ApiPromise} api
   * @param {Object<string, import('./bundles.mjs').Bundle>} bundles
   * @param {{main: string, p2p?: string, p2g?: string}} addresses
   * @param {string} operator
   */
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

  /** Main's address. @type {string} */
  get address() {
    return this.addresses.main;
  }

  /**
   * main's `commit_deposit(interval, side, energy_wh, price)`: the least value a commitment to
   * this offer must carry for its reveal to succeed, its bond (energy times the sealing's
   * `bond_per_kwh`, at least the penalty) or for a buy its `buy_deposit` if higher. Fails with
   * `NotSealed` if the market takes open offers. The query is a dry run on the node you are
   * connected to, which therefore sees the offer: use a node you trust.
   */
  commitDeposit(interval, side, energyWh, price, options) {
    return query(this, 'commit_deposit', [interval, side, energyWh, price], options?.origin);
  }

  // -- queries (all read the best block) ----------------------------------------------------

  /**
   * The newest `MarketConfig`: the one the operator set last, which governs the intervals
   * from the one after its update on (it may not govern the interval open now: see
   * {@link Market#configAt}).
   */
  config(options) { return query(this, 'config', [], options?.origin); }
  /**
   * `config_at(interval)`: the `MarketConfig` that governs `interval`, the one in force when it
   * started. Its offers (ask bounds, topology, deposits), reveals and every step of its close
   * use it, whatever the operator changes meanwhile.
   */
  configAt(interval, options) {
    return query(this, 'config_at', [interval], options?.origin);
  }
  /**
   * `code_hashes()`: the code hashes the chain runs for main and for the p2p and p2g main
   * instantiated, `{main, p2p, p2g}` as 0x-prefixed hex. {@link verifyDeployment} compares them
   * with the bundles.
   */
  codeHashes(options) { return query(this, 'code_hashes', [], options?.origin); }
  /** `{start_ms, interval_ms}`: interval i covers [start + i*len, start + (i+1)*len). */
  timing(options) { return query(this, 'timing', [], options?.origin); }
  /** The interval open at the best block's time; throws `IntervalNotOpen` before the start. */
  currentInterval(options) { return query(this, 'current_interval', [], options?.origin); }
  /**
   * `'Future' | 'Open' | 'Revealing' | 'Ended' | 'Cleared'`; `Revealing` (sealed mode) is the
   * reveal window after the interval, `Ended` means closable.
   */
  intervalState(interval, options) {
    return query(this, 'interval_state', [interval], options?.origin);
  }
  /** The `IntervalResult` of a cleared interval, or null. */
  intervalResult(interval, options) {
    return query(this, 'interval_result', [interval], options?.origin);
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
  /**
   * `who`'s `Bill` for a cleared interval, or null. In a metered market its imbalance lines
   * (`imbalance_short_wh`, `imbalance_paid`, `imbalance_long_wh`, `imbalance_earned`) are 0
   * until its reading is settled (or its missing one, after the deadline).
   */
  bill(who, interval, options) {
    return query(this, 'bill', [accountHex(who), interval], options?.origin);
  }
  /**
   * `who`'s `Bill` for UTC month `YYYYMM` (e.g. 202611), or null: the sum of its interval bills
   * of the month (imbalance lines included, added as each imbalance is settled).
   */
  monthlyBill(who, month, options) {
    return query(this, 'monthly_bill', [accountHex(who), month], options?.origin);
  }
  /**
   * A participant, `{area, capacity: {export_wh, import_wh}, meter}` (`meter`: the account
   * that submits its readings, null: the market's metering operator), or null.
   */
  participant(who, options) {
    return query(this, 'participant', [accountHex(who)], options?.origin);
  }
  /** Number of registered participants. */
  participantCount(options) { return query(this, 'participant_count', [], options?.origin); }
  /** Number of offers in an interval's book (no prices: the book is closed). */
  offerCount(interval, options) {
    return query(this, 'offer_count', [interval], options?.origin);
  }
  /**
   * `buy_deposit(interval, energy_wh, limit)`: the least deposit a buy must carry, the energy
   * at its cover price `max(limit + grid_fee_per_kwh_step * farthest distance, grid price of
   * the interval's hour)` (`limit` null: the grid price), rounded up, under the configuration
   * of `interval` ({@link Market#configAt}).
   */
  buyDeposit(interval, energyWh, limit = null, options) {
    return query(this, 'buy_deposit', [interval, energyWh, limit], options?.origin);
  }
  /**
   * `imbalance_bond(interval, account, side, energy_wh)`: what an offer of `energyWh` on
   * `side` by `who` adds to its deposit in a metered `interval`, its worst shortfall within
   * its connection (a sell: the energy plus the connection's import; a buy: the import less
   * the energy) at the imbalance price (the hour's grid price times `imbalance_bps`, rounded
   * up), rounded up; 0 when the interval's configuration has no metering. `NotRegistered` for
   * an account main does not know. {@link imbalanceBond} computes it off-chain.
   */
  imbalanceBond(interval, who, side, energyWh, options) {
    return query(this, 'imbalance_bond', [interval, accountHex(who), side, energyWh],
      options?.origin);
  }
  /**
   * The least value an open offer of `who` must carry (what {@link Market#sell} and
   * {@link Market#buy} send by default): for a sell its {@link Market#imbalanceBond} (0
   * unless metered), for a buy its {@link Market#buyDeposit} at `limit` plus that bond. Should
   * the bond's query fail (`who` not registered, the market not started) the bond counts as 0,
   * and the offer's own dry run names the error.
   *
   * @param {*} interval
   * @param {'Sell'|'Buy'} side
   * @param {*} energyWh
   * @param {*} [limit] a buy's limit (null: the hour's grid price); ignored for a sell.
   * @param {{origin?: *}} [options] `origin`: the offering account (default: the operator).
   * @returns {Promise<bigint>}
   */
  async offerDeposit(interval, side, energyWh, limit = null, options) {
    const who = options?.origin ?? this.operator;
    const bond = this.imbalanceBond(interval, who, side, energyWh, options).catch((error) => {
      if (error instanceof ContractError) return 0n;
      throw error;
    });
    if (side === 'Sell') return bond;
    const [cover, extra] = await Promise.all([
      this.buyDeposit(interval, energyWh, limit, options), bond]);
    return cover + extra;
  }
  /**
   * main's `metering_status(interval)`: where the metering of a closed, metered interval
   * stands, `{deadline_ms, positions, metered, defaulted, next_slot, short_wh, long_wh,
   * charges, credits}` (readings are accepted until `deadline_ms`, the close's block time plus
   * `window_ms`, exclusive; complete once `metered + defaulted >= positions`), or null before
   * its close or without metering.
   */
  meteringStatus(interval, options) {
    return query(this, 'metering_status', [interval], options?.origin);
  }
  /**
   * p2g's `reading(account, interval)`: the meter reading submitted for `who` in `interval`,
   * `{delivered_wh, consumed_wh}`, or null if none was (a missing one settled by the default
   * included: its `ImbalanceSettled` event says `defaulted`).
   */
  reading(who, interval, options) {
    return query(this, 'reading', [accountHex(who), interval], options?.origin, 'p2g');
  }
  /** What `who` may withdraw now (main's `credit_of`), balance units. */
  creditOf(who, options) { return query(this, 'credit_of', [accountHex(who)], options?.origin); }
  /**
   * p2g's `ledger()`: where the money p2g holds belongs, `{deposits, credits, grid_deposit,
   * p2p_collected, p2p_advanced, claims}` (offers' deposits not settled yet, credits not
   * withdrawn yet, what is left of the grid deposit, and P2P payments in transit while an
   * interval is settled in several steps). p2g's balance equals `deposits + credits +
   * grid_deposit + p2p_collected - p2p_advanced`, plus the existential deposit. `claims` is
   * not held: it is the feed-in the grid operator owes sellers and has not funded yet.
   */
  ledger(options) { return query(this, 'ledger', [], options?.origin, 'p2g'); }
  /**
   * p2g's `claim_of(account)`: the feed-in the grid operator still owes `who` (claims the
   * grid deposit could not pay when their intervals settled), balance units; 0 when none.
   * It is credited as `fund_grid` or `pay_claims` pays it.
   */
  claimOf(who, options) {
    return query(this, 'claim_of', [accountHex(who)], options?.origin, 'p2g');
  }
  /**
   * p2g's `claims(from, max)`: the feed-in claims waiting, oldest first (the order they are
   * paid in), `[{account, interval, amount}]`, from the `from`-th waiting one on, at most
   * `max` (p2g caps it at {@link CLAIMS_PAGE}).
   */
  claims(from = 0, max = CLAIMS_PAGE, options) {
    return query(this, 'claims', [from, max], options?.origin, 'p2g');
  }
  /**
   * p2g's `escrow_of(account, interval)`: `who`'s deposit in `interval` and, until revealed,
   * its commitment, `{deposit, sealed, held}`; null once settled, refunded or forfeited. In a
   * metered market a settled offer's refund and earnings stay in its escrow, `held: true`,
   * until its imbalance is settled.
   */
  escrowOf(who, interval, options) {
    return query(this, 'escrow_of', [accountHex(who), interval], options?.origin, 'p2g');
  }
  /**
   * The grid's price per kWh in UTC hour `hour` (0..24), peak/off-peak applied, under the
   * configuration of the interval open now (`IntervalNotOpen` before the market's start).
   */
  gridPrice(hour, options) { return query(this, 'grid_price', [hour], options?.origin); }
  /** main's operator. */
  operatorAccount(options) { return query(this, 'operator', [], options?.origin); }
  /** p2p's address. */
  p2pAddress(options) { return query(this, 'p2p_address', [], options?.origin); }
  /** p2g's address. */
  p2gAddress(options) { return query(this, 'p2g_address', [], options?.origin); }

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
    const { outcome, output } = await dryRun(this, message, args, addressOf(origin), { value });
    const { refTime, proofSize } = outcome.gasRequired;
    return {
      value: unwrapResult(output, 'main', message, this.names, this.meanings),
      gasRequired: { ref_time: refTime.toBigInt(), proof_size: proofSize.toBigInt() },
      storageDeposit: toPlain(outcome.storageDeposit, this.names),
    };
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

  // -- events ------------------------------------------------------------------------------

  /**
   * Decodes the contract events among `records` (a transaction's `EventRecord`s), each with the
   * Abi of the contract that emitted it; events of other contracts are left out
   * ({@link decodeEvents}).
   *
   * @param {object[]} records
   * @returns {{contract: string, address: string, name: string, args: object}[]}
   */
  decodeEvents(records) {
    return decodeEvents(this, records);
  }

  // -- plumbing ----------------------------------------------------------------------------

  /**
   * Every page of a paged trade query (whose last two arguments are `from` and `max`), counted
   * from the result's `trades`.
   */
  async #allTrades(message, args, origin) {
    const result = await query(this, 'interval_result', [args[0]], origin);
    const trades = [];
    for (let from = 0; from < (result?.trades ?? 0); from += TRADES_PAGE) {
      trades.push(...await query(this, message, [...args, from, TRADES_PAGE], origin));
    }
    return trades;
  }
}
