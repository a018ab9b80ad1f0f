/**
 * Money: what one balance unit is, shown in the chain's token and in a currency.
 *
 * The contracts count money in balance units of the chain's native token (`u128`, its smallest
 * unit): a price is units per kWh; a bill line, deposit, credit or transaction fee is a number
 * of units. Two readings of a unit are shown here, and neither changes a contract figure:
 *
 * - **The token.** Its symbol and decimals come from the chain's properties
 *   (`api.registry.chainTokens`, `api.registry.chainDecimals`). substrate-contracts-node reports
 *   none (`system_properties` is `{}`), so polkadot.js uses its defaults, `Unit` and 12
 *   decimals: 1 Unit = 10^12 units. Transaction fees are set by the chain in these units.
 * - **A currency, under the deployment's exchange assumption.** The `money` object of a
 *   deployment config (`deployments/config/<network>.json`), copied into its record:
 *   `{"currency": "EUR", "units_per_currency": 1000000}` reads one unit as one µEUR, the reading
 *   the default tariff's prices are written in (300 000 units per kWh = 0.30 EUR/kWh). It is for
 *   reports only: no contract sees it. Under it 1 Unit = 10^6 EUR, which is why a chain fee of
 *   8.9 * 10^9 units (0.0089 Unit) reads as 8 900 EUR.
 *
 * Amounts are `BigInt` (a safe-integer `number` or a decimal string is accepted too), from 0 to
 * `u128::MAX`; a negative amount or one above `u128::MAX` throws a `RangeError` (no balance is
 * either), a non-integer a `TypeError`.
 *
 * Rounding: a figure is shown exactly when the decimals shown can hold it: the token's own
 * decimals always can; the currency gets as many decimals as one unit needs (6 for µEUR; 7 for
 * 1 250 000 units per currency, 1 unit = 0.0000008), which holds every amount exactly when
 * `units_per_currency` is of the form 2^a * 5^b. Otherwise (a rate such as 3 units per currency,
 * a cost per kWh, or fewer `maxDecimals` asked for) the figure is **truncated toward zero**
 * (never more than the exact value, as the contracts round every money line down) and marked
 * with a leading `≈ `. Whole parts are grouped in threes with a thin space (U+2009), as the
 * DApp shows integers.
 */
import { U128_MAX } from './rules.mjs';

/**
 * The exchange assumption of the default tariff (`deployments/config/local.json`'s `money`):
 * one unit is one µEUR.
 *
 * @type {Readonly<{currency: string, units_per_currency: bigint}>}
 */
export const DEFAULT_MONEY = Object.freeze({ currency: 'EUR', units_per_currency: 1_000_000n });

/** The thousands separator of the figures (a thin space, as the DApp's integers). */
const GROUP = '\u2009';

/** The marker of a truncated figure. */
const APPROX = '≈ ';

/** SI prefixes for a unit that is 10^-3k of the currency. */
const PREFIXES = new Map([[1n, ''], [1_000n, 'm'], [1_000_000n, 'µ'], [1_000_000_000n, 'n'],
  [1_000_000_000_000n, 'p']]);

/**
 * A whole number as a BigInt, from a BigInt, a safe-integer number or a decimal string.
 *
 * @param {bigint|number|string} value
 * @param {string} what for messages.
 * @returns {bigint}
 */
function whole(value, what) {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return BigInt(value.trim());
  throw new TypeError(`${what}: not a whole number (${typeof value} ${String(value)})`);
}

/**
 * A balance in units: a whole number from 0 to `u128::MAX`.
 *
 * @param {bigint|number|string} value
 * @param {string} [what]
 * @returns {bigint}
 */
export function balanceUnits(value, what = 'balance') {
  const units = whole(value, what);
  if (units < 0n) throw new RangeError(`${what}: ${units} is negative; a balance never is`);
  if (units > U128_MAX) throw new RangeError(`${what}: ${units} is above u128::MAX`);
  return units;
}

/**
 * Checks a deployment's `money` object and returns it with `units_per_currency` as a BigInt.
 * `currency` is a name of 1 to 16 characters (letters, `€`, `$`, `£`, `µ`, `.`, `-`, `_`),
 * `units_per_currency` how many balance units the assumption reads as one of it: a whole number
 * from 1 to `u128::MAX` (a number or a decimal string in JSON).
 *
 * @param {{currency: string, units_per_currency: bigint|number|string}} json
 * @returns {{currency: string, units_per_currency: bigint}}
 * @throws {TypeError|RangeError} naming the field.
 */
export function parseMoney(json) {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new TypeError('money: an object {"currency": ..., "units_per_currency": ...} is needed');
  }
  const { currency, units_per_currency: perCurrency } = json;
  if (typeof currency !== 'string' || !/^[\p{L}€$£µ._-]{1,16}$/u.test(currency)) {
    throw new TypeError(`money.currency: a name such as "EUR" is needed (got ${JSON.stringify(currency)})`);
  }
  const units = whole(perCurrency, 'money.units_per_currency');
  if (units < 1n || units > U128_MAX) {
    throw new RangeError(`money.units_per_currency: ${units} is outside 1…u128::MAX`);
  }
  return { currency, units_per_currency: units };
}

/**
 * The chain's native token: its symbol and decimals as polkadot.js has them
 * (`registry.chainTokens[0]`, `registry.chainDecimals[0]`), and whether the chain reported them
 * (`reported`: false when polkadot.js fell back to its defaults, `Unit` and 12, as on
 * substrate-contracts-node).
 *
 * @param {import('@polkadot/api').ApiPromise|object} api an `ApiPromise`, or its registry.
 * @returns {{symbol: string, decimals: number, reported: boolean}}
 */
export function chainToken(api) {
  const registry = api?.registry ?? api;
  const symbol = registry?.chainTokens?.[0];
  const decimals = registry?.chainDecimals?.[0];
  if (typeof symbol !== 'string' || symbol === '' || !Number.isInteger(decimals) ||
    decimals < 0 || decimals > 255) {
    throw new TypeError('chainToken: the registry names no token (chainTokens, chainDecimals)');
  }
  const properties = registry.getChainProperties?.();
  const reported = Boolean(properties?.tokenDecimals?.isSome && properties?.tokenSymbol?.isSome);
  return { symbol, decimals, reported };
}

/** Groups a non-negative integer's digits in threes. */
function grouped(value, group) {
  return value.toString().replace(/\B(?=(\d{3})+(?!\d))/g, group);
}

/**
 * The decimals in which `1 / denominator` is exact (`denominator` = 2^a * 5^b: max(a, b)), or
 * null if none is.
 *
 * @param {bigint} denominator > 0.
 * @returns {number|null}
 */
export function exactDecimals(denominator) {
  let rest = whole(denominator, 'denominator');
  if (rest < 1n) throw new RangeError('denominator: must be positive');
  let twos = 0;
  let fives = 0;
  while (rest % 2n === 0n) { rest /= 2n; twos += 1; }
  while (rest % 5n === 0n) { rest /= 5n; fives += 1; }
  return rest === 1n ? Math.max(twos, fives) : null;
}

/** The decimals a currency figure gets by default: exact for one unit, else its digits. */
function currencyDecimals(money) {
  return exactDecimals(money.units_per_currency) ?? money.units_per_currency.toString().length;
}

/**
 * `numerator / denominator` as a decimal: `maxDecimals` decimals at most, truncated toward zero
 * (then prefixed `≈ `), trailing zeros dropped down to `minDecimals`.
 *
 * @param {bigint} numerator >= 0.
 * @param {bigint} denominator > 0.
 * @param {{minDecimals?: number, maxDecimals?: number, group?: string}} [options]
 * @returns {string}
 */
export function formatDecimal(numerator, denominator, { minDecimals = 0, maxDecimals, group = GROUP } = {}) {
  const num = whole(numerator, 'numerator');
  const den = whole(denominator, 'denominator');
  if (num < 0n) throw new RangeError('numerator: must not be negative');
  if (den < 1n) throw new RangeError('denominator: must be positive');
  const most = maxDecimals ?? Math.max(minDecimals, exactDecimals(den) ?? den.toString().length);
  if (!Number.isInteger(most) || !Number.isInteger(minDecimals) || minDecimals < 0 || most < minDecimals) {
    throw new RangeError(`decimals: need 0 <= minDecimals (${minDecimals}) <= maxDecimals (${most})`);
  }
  const scale = 10n ** BigInt(most);
  const scaled = (num * scale) / den;
  const exact = (num * scale) % den === 0n;
  let fraction = (scaled % scale).toString().padStart(most, '0');
  let keep = fraction.length;
  while (keep > minDecimals && fraction[keep - 1] === '0') keep -= 1;
  fraction = fraction.slice(0, keep);
  const text = `${grouped(scaled / scale, group)}${fraction ? `.${fraction}` : ''}`;
  return exact ? text : `${APPROX}${text}`;
}

/**
 * A balance in the chain's token, exact: `8900000000n` with `{symbol: 'Unit', decimals: 12}` is
 * `0.0089 Unit`, `10n ** 12n` is `1 Unit`, `0n` is `0 Unit`.
 *
 * @param {bigint|number|string} value units, 0…u128::MAX.
 * @param {{symbol: string, decimals: number}} token see {@link chainToken}.
 * @param {{group?: string}} [options]
 * @returns {string}
 */
export function formatToken(value, { symbol, decimals }, { group = GROUP } = {}) {
  const units = balanceUnits(value);
  return `${formatDecimal(units, 10n ** BigInt(decimals), { maxDecimals: decimals, group })} ${symbol}`;
}

/**
 * A balance in the currency of the exchange assumption: `150000n` under µEUR is `0.15 EUR`,
 * `8900000000n` is `8 900.00 EUR`, `1n` is `0.000001 EUR`. At least `minDecimals` (2) decimals;
 * by default as many as one unit needs, exact when it can be (see the module's rounding note),
 * else truncated and marked `≈ `.
 *
 * @param {bigint|number|string} value units, 0…u128::MAX.
 * @param {{currency: string, units_per_currency: bigint|number|string}} money
 * @param {{minDecimals?: number, maxDecimals?: number, group?: string}} [options]
 * @returns {string}
 */
export function formatCurrency(value, money, { minDecimals = 2, maxDecimals, group = GROUP } = {}) {
  const checked = parseMoney(money);
  const units = balanceUnits(value);
  const most = maxDecimals ?? Math.max(minDecimals, currencyDecimals(checked));
  return `${formatDecimal(units, checked.units_per_currency, { minDecimals, maxDecimals: most, group })} ` +
    checked.currency;
}

/**
 * What the chain charged per kWh, in the currency of the assumption: `feeUnits` (transaction
 * fees, units) over `energyWh` (the energy they moved, Wh), i.e. fee * 1000 / (energy *
 * units_per_currency) per kWh. `8900000000n` over `1500n` Wh under µEUR is
 * `≈ 5 933.333333 EUR/kWh`; `300000n` over `1000n` Wh is `0.30 EUR/kWh`. Decimals as
 * {@link formatCurrency}'s (the precision of one unit per kWh), truncated and marked `≈ ` when
 * not exact.
 *
 * @param {bigint|number|string} feeUnits 0…u128::MAX.
 * @param {bigint|number|string} energyWh > 0.
 * @param {{currency: string, units_per_currency: bigint|number|string}} money
 * @param {{minDecimals?: number, maxDecimals?: number, group?: string}} [options]
 * @returns {string}
 */
export function costPerKwh(feeUnits, energyWh, money, { minDecimals = 2, maxDecimals, group = GROUP } = {}) {
  const checked = parseMoney(money);
  const fee = balanceUnits(feeUnits, 'fee');
  const energy = whole(energyWh, 'energy');
  if (energy < 1n) throw new RangeError(`energy: ${energy} Wh; a cost per kWh needs energy above 0`);
  const most = maxDecimals ?? Math.max(minDecimals, currencyDecimals(checked));
  return `${formatDecimal(fee * 1000n, energy * checked.units_per_currency,
    { minDecimals, maxDecimals: most, group })} ${checked.currency}/kWh`;
}

/**
 * The name of one unit under the assumption: `µEUR` for 10^6 units per EUR (`mEUR`, `nEUR`,
 * `pEUR` and `EUR` likewise), otherwise its value, `0.0000008 USD`.
 *
 * @param {{currency: string, units_per_currency: bigint|number|string}} money
 * @returns {string}
 */
export function unitName(money) {
  const { currency, units_per_currency: perCurrency } = parseMoney(money);
  const prefix = PREFIXES.get(perCurrency);
  return prefix === undefined ? formatCurrency(1n, money, { minDecimals: 0 }) : `${prefix}${currency}`;
}

/** `= figure`, or `≈ figure` for a truncated one. */
function approximately(figure) {
  return figure.startsWith(APPROX) ? `≈ ${figure.slice(APPROX.length)}` : `= ${figure}`;
}

/**
 * One sentence saying what a unit is: `1 unit = 1 µEUR (1 EUR = 1 000 000 units) under this
 * deployment's exchange assumption; the chain's token Unit has 12 decimals: 1 Unit = 10^12 units
 * = 1 000 000.00 EUR`. `whose` names the assumption (default `this deployment's`).
 *
 * @param {{currency: string, units_per_currency: bigint|number|string}} money
 * @param {{symbol: string, decimals: number}} token
 * @param {{whose?: string, group?: string}} [options]
 * @returns {string}
 */
export function describeMoney(money, token, { whose = 'this deployment\'s', group = GROUP } = {}) {
  const checked = parseMoney(money);
  const name = unitName(checked);
  const one = PREFIXES.has(checked.units_per_currency) ? `= 1 ${name}` : approximately(name);
  const perToken = 10n ** BigInt(token.decimals);
  return `1 unit ${one} (1 ${checked.currency} = ${grouped(checked.units_per_currency, group)} units) ` +
    `under ${whose} exchange assumption; the chain's token ${token.symbol} has ${token.decimals} ` +
    `decimals: 1 ${token.symbol} = 10^${token.decimals} units ${approximately(formatCurrency(perToken, checked, { group }))}`;
}
