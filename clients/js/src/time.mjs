/**
 * Market time, as `crates/market/src/time.rs` computes it: intervals of a `Timing`, the state
 * of an interval at a time (`Timing::state`), the UTC hour the tariff reads and the UTC month
 * monthly bills use. Integer arithmetic only (no `Date`), so every `u64` timestamp gives what
 * the contracts give; the golden vectors check it.
 *
 * A `Timing` is main's `timing()`: `{start_ms, interval_ms}` as `BigInt`s (numbers and decimal
 * strings are accepted too); interval `i` covers `[start + i * length, start + (i + 1) * length)`.
 */
import { INTERVAL_STATES, MarketRuleError, checked, uint } from './rules.mjs';

const MS_PER_HOUR = 3_600_000n;
const MS_PER_DAY = 86_400_000n;

/**
 * @typedef {{start_ms: bigint|number|string, interval_ms: bigint|number|string}} Timing
 * @typedef {'Future'|'Open'|'Revealing'|'Ended'|'Cleared'} IntervalStateName
 */

/** A timestamp input as a `u64` `BigInt` (a fractional `number` is truncated). */
function timestamp(ms, what = 'timestamp') {
  return uint(typeof ms === 'number' ? Math.trunc(ms) : ms, 64, what);
}

/**
 * First millisecond of `interval` under `timing` (`start_ms + interval * interval_ms`), as
 * `Timing::start_of`; the sum is not bounded to `u64` (a time past the end of time is simply
 * large), as the client has always computed it.
 *
 * @param {Timing} timing
 * @param {bigint|number|string} interval
 * @returns {bigint}
 */
export function intervalStart(timing, interval) {
  return BigInt(timing.start_ms) + BigInt(interval) * BigInt(timing.interval_ms);
}

/**
 * The interval that contains `now` (`Timing::interval_at`), or `null` before the market's start
 * (Rust's `NotStarted`).
 *
 * @param {Timing} timing
 * @param {bigint|number|string} now ms since the epoch.
 * @returns {bigint|null}
 * @throws {MarketRuleError} `InvalidInterval` for a zero interval length.
 */
export function intervalAt(timing, now) {
  const start = timestamp(timing.start_ms, 'start_ms');
  const length = timestamp(timing.interval_ms, 'interval_ms');
  const at = timestamp(now, 'now');
  if (at < start) return null;
  if (length === 0n) throw new MarketRuleError('InvalidInterval', 'intervalAt');
  return (at - start) / length;
}

/**
 * When `interval` can be settled: its end plus the reveal window (`Timing::settles_at`).
 *
 * @param {Timing} timing
 * @param {bigint|number|string} interval
 * @param {bigint|number|string} [revealMs] the sealing's `reveal_ms`; 0 for open offers.
 * @returns {bigint}
 * @throws {MarketRuleError} `Overflow` past `u64::MAX`, as in Rust.
 */
export function settlesAt(timing, interval, revealMs = 0n) {
  const start = timestamp(timing.start_ms, 'start_ms');
  const length = timestamp(timing.interval_ms, 'interval_ms');
  const next = checked(uint(interval, 64, 'interval') + 1n, 64, 'settlesAt');
  const end = checked(checked(next * length, 64, 'settlesAt') + start, 64, 'settlesAt');
  return checked(end + uint(revealMs, 64, 'reveal_ms'), 64, 'settlesAt');
}

/**
 * The state of `interval` at `now` (`Timing::state`, what main's `interval_state` answers at a
 * block of that time): `Cleared` if `cleared`, else `Future` before it (and before the market's
 * start), `Open` during it, `Revealing` after it while the reveal window (`revealMs`, 0 for open
 * offers) lasts, then `Ended` (closable).
 *
 * @param {Timing} timing
 * @param {bigint|number|string} interval
 * @param {bigint|number|string} now ms since the epoch.
 * @param {bigint|number|string} [revealMs] 0 in open mode.
 * @param {boolean} [cleared] whether the interval has been cleared.
 * @returns {IntervalStateName}
 */
export function intervalState(timing, interval, now, revealMs = 0n, cleared = false) {
  if (cleared) return 'Cleared';
  const index = uint(interval, 64, 'interval');
  let current;
  try {
    current = intervalAt(timing, now);
  } catch (error) {
    if (error instanceof MarketRuleError) return 'Future';
    throw error;
  }
  if (current === null || index > current) return 'Future';
  if (index === current) return 'Open';
  try {
    return timestamp(now, 'now') < settlesAt(timing, index, revealMs) ? 'Revealing' : 'Ended';
  } catch (error) {
    if (error instanceof MarketRuleError) return 'Ended';
    throw error;
  }
}

/** Whether `state` is one of {@link INTERVAL_STATES}. @param {string} state @returns {boolean} */
export function isIntervalState(state) {
  return INTERVAL_STATES.includes(state);
}

/**
 * The UTC hour (0..24) of a timestamp in ms, as the tariff reads it (`market::hour_of`).
 *
 * @param {bigint|number|string} ms
 * @returns {number}
 */
export function utcHour(ms) {
  return Number((timestamp(ms) % MS_PER_DAY) / MS_PER_HOUR);
}

/**
 * The UTC month key `year * 100 + month` of a timestamp in ms, as monthly bills use it
 * (`market::month_of`: H. Hinnant's days-to-civil algorithm, and its `as u32`, which wraps
 * only for years past 42 million).
 *
 * @param {bigint|number|string} ms
 * @returns {number}
 */
export function monthKey(ms) {
  const z = timestamp(ms) / MS_PER_DAY + 719_468n;
  const era = z / 146_097n;
  const dayOfEra = z - era * 146_097n;
  const yearOfEra = (dayOfEra - dayOfEra / 1_460n + dayOfEra / 36_524n - dayOfEra / 146_096n) / 365n;
  const dayOfYear = dayOfEra - (365n * yearOfEra + yearOfEra / 4n - yearOfEra / 100n);
  const mp = (5n * dayOfYear + 2n) / 153n;
  const month = mp < 10n ? mp + 3n : mp - 9n;
  const year = yearOfEra + era * 400n + (month <= 2n ? 1n : 0n);
  return Number(BigInt.asUintN(32, year * 100n + month));
}

/**
 * A month key split into its year and month (1..12).
 *
 * @param {number} key `year * 100 + month`, e.g. 202611.
 * @returns {{year: number, month: number}}
 */
export function monthOfKey(key) {
  return { year: Math.floor(Number(key) / 100), month: Number(key) % 100 };
}

/**
 * Resolves after `ms` milliseconds of wall-clock time.
 *
 * @param {bigint|number} ms
 * @returns {Promise<void>}
 */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(ms))));
}
