/**
 * The market crate's constants, as the client and the DApp use them, and the integer checks
 * the rule helpers (`time.mjs`, `deposits.mjs`) share. The contracts' metadata carries types,
 * not constants, so each constant here names the Rust constant it mirrors; the golden vectors
 * (`crates/market/tests/golden.rs` writes `clients/js/test/golden.json`, `golden.test.mjs`
 * checks them) compare every one with the crate's value. What the metadata does carry (enum
 * variants, integer widths) `bundles.mjs` reads from it.
 *
 * Types follow the client's conventions: integers of 64 bits and more are `BigInt`, smaller
 * ones `number`.
 */

/** `u64::MAX`: the largest energy, timestamp or interval index. */
export const U64_MAX = (1n << 64n) - 1n;

/** `u128::MAX`: the largest price or amount of money. */
export const U128_MAX = (1n << 128n) - 1n;

/** `market::MAX_OFFER_WH`: the most energy one offer may carry, Wh (1 GWh). */
export const MAX_OFFER_WH = 1_000_000_000n;

/** `market::MAX_PRICE`: the highest price per kWh a configuration may name (10^18 units). */
export const MAX_PRICE = 1_000_000_000_000_000_000n;

/** `market::MAX_OFFERS`: the largest `limits.max_offers` a configuration may set (`u32`). */
export const MAX_OFFERS = 1_000_000;

/** `market::BPS`: basis points in a whole (`u16`). */
export const BPS = 10_000;

/** `market::config::HOUR_MS`: one hour in milliseconds, the default interval length. */
export const HOUR_MS = 3_600_000n;

/**
 * `market::Capacity::DEFAULT`: the connection a participant gets unless the operator names
 * one, Wh per interval each way (a 43 kW house connection over an hour).
 *
 * @type {Readonly<{export_wh: bigint, import_wh: bigint}>}
 */
export const DEFAULT_CAPACITY = Object.freeze({ export_wh: 43_000n, import_wh: 43_000n });

/** Most trades main's `trades` returns per call (p2p's `MAX_PAGE`, `contracts/p2p/lib.rs`). */
export const TRADES_PAGE = 100;

/**
 * Most feed-in claims p2g's `claims` returns, and `fund_grid` or `pay_claims` pays, per call
 * (`market::MAX_CLAIMS_PER_CALL`).
 */
export const CLAIMS_PAGE = 50;

/**
 * Most meter readings one `submit_readings` carries, and most missing readings one
 * `settle_imbalances` settles by the default (`market::metering::MAX_SETTLEMENTS_PER_CALL`).
 */
export const MAX_SETTLEMENTS_PER_CALL = 50;

/**
 * `market::metering::Metering::DEFAULT`, a configuration's `metering` as JSON: readings for
 * 15 minutes after the close (`window_ms`), shortfalls at 1.5 times the grid price
 * (`imbalance_bps`), excess fed in at half the feed-in price (`feed_in_bps`), a missing
 * reading as nothing delivered, no metering operator (only participants' own meters submit).
 *
 * @type {Readonly<{window_ms: bigint, imbalance_bps: number, feed_in_bps: number,
 *   missing: 'NothingDelivered'|'AsCleared', operator: string|null}>}
 */
export const DEFAULT_METERING = Object.freeze({
  window_ms: 900_000n,
  imbalance_bps: 15_000,
  feed_in_bps: 5_000,
  missing: 'NothingDelivered',
  operator: null,
});

/**
 * `market::metering::MissingReading`'s variants in their SCALE order: how a reading missing at
 * the metering deadline is settled.
 *
 * @type {ReadonlyArray<'NothingDelivered'|'AsCleared'>}
 */
export const MISSING_READINGS = Object.freeze(['NothingDelivered', 'AsCleared']);

/**
 * `market::IntervalState`'s variants in their SCALE order, as `interval_state` returns them
 * and {@link intervalState} computes them (`enumVariants(bundle, 'IntervalState')` reads them
 * from a bundle's metadata).
 *
 * @type {ReadonlyArray<'Future'|'Open'|'Revealing'|'Ended'|'Cleared'>}
 */
export const INTERVAL_STATES = Object.freeze(['Future', 'Open', 'Revealing', 'Ended', 'Cleared']);

/** `market::Side`'s variants in their SCALE order. @type {ReadonlyArray<'Sell'|'Buy'>} */
export const SIDES = Object.freeze(['Sell', 'Buy']);

/**
 * A rule helper refused its input as the market crate does: `variant` is the
 * `market::MarketError` variant the Rust function returns (`'Overflow'`, `'InvalidTariff'`,
 * `'InvalidInterval'`, `'NotStarted'`).
 */
export class MarketRuleError extends RangeError {
  /**
   * @param {string} variant the `MarketError` variant.
   * @param {string} what what was being computed, for the message.
   */
  constructor(variant, what) {
    super(`${what}: ${variant}`);
    this.name = 'MarketRuleError';
    /** @type {string} */
    this.variant = variant;
  }
}

/**
 * An unsigned integer input (`BigInt`, `number` or decimal string) as a `BigInt` of at most
 * `bits` bits; anything else is a `TypeError` or `RangeError` naming `what`.
 *
 * @param {bigint|number|string} value
 * @param {number} bits 8, 16, 32, 64 or 128.
 * @param {string} what the input's name, for messages.
 * @returns {bigint}
 */
export function uint(value, bits, what) {
  let n;
  try {
    n = BigInt(value);
  } catch {
    throw new TypeError(`${what}: ${value} is not an integer`);
  }
  if (n < 0n || n >= 1n << BigInt(bits)) throw new RangeError(`${what}: ${n} does not fit a u${bits}`);
  return n;
}

/**
 * `value` if it fits `bits` bits, else a {@link MarketRuleError} `Overflow`: Rust's
 * `checked_*(...).ok_or(MarketError::Overflow)`.
 *
 * @param {bigint} value
 * @param {number} bits
 * @param {string} what
 * @returns {bigint}
 */
export function checked(value, bits, what) {
  if (value < 0n || value >= 1n << BigInt(bits)) throw new MarketRuleError('Overflow', what);
  return value;
}
