// The money unit (clients/js/src/money.mjs): a balance in the chain's token and in a currency
// under the deployment's exchange assumption, the chain's cost per kWh, and the `money` objects
// of the deployment configs. No chain, no bundles: `node --test test/money.test.mjs`.
//
// Rounding, as the module documents it: exact whenever the decimals shown can hold the figure,
// otherwise truncated toward zero (never more than the exact value) and marked with "≈ ".
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import {
  DEFAULT_MONEY, balanceUnits, chainToken, costPerKwh, describeMoney, exactDecimals,
  formatCurrency, formatDecimal, formatToken, parseMoney, unitName,
} from '../src/money.mjs';
import * as client from '../src/client.mjs';
import { U128_MAX } from '../src/rules.mjs';

const T = '\u2009'; // the thin space between groups of three digits
// Expected figures are written with plain spaces between digit groups; g() makes them thin.
const g = (text) => text.replace(/(\d) (?=\d{3}(?!\d))/g, `$1${T}`);
const EUR = { currency: 'EUR', units_per_currency: 1_000_000 };
const UNIT = { symbol: 'Unit', decimals: 12 };

test('the client entry exports the money helpers', () => {
  for (const name of ['DEFAULT_MONEY', 'balanceUnits', 'chainToken', 'costPerKwh', 'describeMoney',
    'exactDecimals', 'formatCurrency', 'formatDecimal', 'formatToken', 'parseMoney', 'unitName']) {
    assert.ok(name in client, name);
  }
  assert.deepEqual(DEFAULT_MONEY, { currency: 'EUR', units_per_currency: 1_000_000n });
});

test('a balance in the token: 0, one unit, a fee, one token, u128::MAX', () => {
  assert.equal(formatToken(0n, UNIT), '0 Unit');
  assert.equal(formatToken(1n, UNIT), '0.000000000001 Unit');
  assert.equal(formatToken(8_900_000_000n, UNIT), '0.0089 Unit');
  assert.equal(formatToken(10n ** 12n, UNIT), '1 Unit');
  assert.equal(formatToken(1_234_567n * 10n ** 12n, UNIT), g('1 234 567 Unit'));
  assert.equal(formatToken(U128_MAX, UNIT), g('340 282 366 920 938 463 463 374 607.431768211455 Unit'));
  // Decimals 0: a unit is a token.
  assert.equal(formatToken(12_345n, { symbol: 'X', decimals: 0 }), g('12 345 X'));
  assert.equal(formatToken('1000', UNIT, { group: ',' }), '0.000000001 Unit');
});

test('a balance in the currency under µEUR: 0, one unit, a price, a fee, one token, u128::MAX', () => {
  assert.equal(formatCurrency(0n, EUR), '0.00 EUR');
  assert.equal(formatCurrency(1n, EUR), '0.000001 EUR');
  assert.equal(formatCurrency(150_000n, EUR), '0.15 EUR');
  assert.equal(formatCurrency(1_500n, EUR), '0.0015 EUR');
  assert.equal(formatCurrency(8_900_000_000n, EUR), g('8 900.00 EUR'), 'a close\'s fee');
  assert.equal(formatCurrency(10n ** 12n, EUR), g('1 000 000.00 EUR'), 'one token');
  assert.equal(formatCurrency(U128_MAX, EUR),
    g('340 282 366 920 938 463 463 374 607 431 768.211455 EUR'));
  assert.equal(formatCurrency(1_000_000n, EUR, { minDecimals: 0 }), '1 EUR');
  assert.equal(formatCurrency(1_000_000n, EUR, { group: ',' }), '1.00 EUR');
  assert.equal(formatCurrency(1_234_567_890n, EUR, { group: ',' }), '1,234.56789 EUR');
});

test('negative, too large and non-integer balances are refused', () => {
  for (const format of [(v) => formatToken(v, UNIT), (v) => formatCurrency(v, EUR), balanceUnits]) {
    assert.throws(() => format(-1n), RangeError);
    assert.throws(() => format('-5'), RangeError);
    assert.throws(() => format(U128_MAX + 1n), RangeError);
    assert.throws(() => format(1.5), TypeError);
    assert.throws(() => format('1.5'), TypeError);
    assert.throws(() => format(Number.MAX_SAFE_INTEGER + 1), TypeError);
    assert.throws(() => format(null), TypeError);
  }
  assert.equal(balanceUnits(U128_MAX), U128_MAX);
  assert.equal(balanceUnits(0), 0n);
  assert.equal(balanceUnits(' 42 '), 42n);
});

test('rounding: exact when the decimals hold the figure, else truncated and marked ≈', () => {
  // 1 250 000 units per USD = 2^4 * 5^7: 7 decimals hold every amount exactly.
  const usd = { currency: 'USD', units_per_currency: '1250000' };
  assert.equal(exactDecimals(1_250_000n), 7);
  assert.equal(formatCurrency(1n, usd), '0.0000008 USD');
  assert.equal(formatCurrency(100_000n, usd), '0.08 USD');
  assert.equal(formatCurrency(1_250_001n, usd), '1.0000008 USD');
  // 3 units per currency: no decimals are exact; truncated toward zero, never rounded up.
  const third = { currency: 'XTS', units_per_currency: 3 };
  assert.equal(exactDecimals(3n), null);
  assert.equal(formatCurrency(1n, third), '≈ 0.33 XTS');
  assert.equal(formatCurrency(2n, third), '≈ 0.66 XTS', 'truncated: not 0.67');
  assert.equal(formatCurrency(3n, third), '1.00 XTS');
  assert.equal(formatCurrency(2n, third, { maxDecimals: 5 }), '≈ 0.66666 XTS');
  // Fewer decimals asked for than the figure needs: truncated too.
  assert.equal(formatCurrency(1_239_999n, EUR, { maxDecimals: 2 }), '≈ 1.23 EUR', 'not 1.24');
  assert.equal(formatCurrency(1_230_000n, EUR, { maxDecimals: 2 }), '1.23 EUR');
  assert.equal(formatCurrency(999_999n, EUR, { maxDecimals: 0, minDecimals: 0 }), '≈ 0 EUR');
  assert.equal(formatDecimal(10n, 4n), '2.5');
  assert.equal(formatDecimal(1n, 7n, { maxDecimals: 3 }), '≈ 0.142');
  assert.throws(() => formatDecimal(1n, 0n), RangeError);
  assert.throws(() => formatDecimal(1n, 2n, { minDecimals: 3, maxDecimals: 2 }), RangeError);
});

test('the chain\'s cost per kWh under the assumption', () => {
  // A close's fee of 0.0089 Unit over 1.5 kWh settled: 8 900 EUR / 1.5 kWh.
  assert.equal(costPerKwh(8_900_000_000n, 1_500n, EUR), g('≈ 5 933.333333 EUR/kWh'));
  assert.equal(costPerKwh(300_000n, 1_000n, EUR), '0.30 EUR/kWh');
  assert.equal(costPerKwh(0n, 1n, EUR), '0.00 EUR/kWh');
  assert.equal(costPerKwh(1n, 1_000n, EUR), '0.000001 EUR/kWh', 'one unit per kWh is exact');
  assert.equal(costPerKwh(1n, 3_000n, EUR), '≈ 0.00 EUR/kWh', 'below one unit per kWh: truncated');
  assert.equal(costPerKwh(U128_MAX, 1n, EUR),
    g('340 282 366 920 938 463 463 374 607 431 768 211.455 EUR/kWh'));
  assert.equal(costPerKwh(8_900_000_000n, 1_500n, EUR, { maxDecimals: 2 }), g('≈ 5 933.33 EUR/kWh'));
  assert.throws(() => costPerKwh(1n, 0n, EUR), RangeError);
  assert.throws(() => costPerKwh(-1n, 1n, EUR), RangeError);
});

test('money objects: checked field by field', () => {
  assert.deepEqual(parseMoney(EUR), DEFAULT_MONEY);
  assert.deepEqual(parseMoney({ currency: 'USD', units_per_currency: '1250000' }),
    { currency: 'USD', units_per_currency: 1_250_000n });
  for (const bad of [null, [], 'EUR', { units_per_currency: 1 }, { currency: '', units_per_currency: 1 },
    { currency: 'E U R', units_per_currency: 1 }, { currency: 'EUR' }, { currency: 'EUR', units_per_currency: 1.5 }]) {
    assert.throws(() => parseMoney(bad), TypeError, JSON.stringify(bad));
  }
  assert.throws(() => parseMoney({ currency: 'EUR', units_per_currency: 0 }), RangeError);
  assert.throws(() => parseMoney({ currency: 'EUR', units_per_currency: (U128_MAX + 1n).toString() }), RangeError);
  assert.equal(unitName(EUR), 'µEUR');
  assert.equal(unitName({ currency: 'EUR', units_per_currency: 1 }), 'EUR');
  assert.equal(unitName({ currency: 'EUR', units_per_currency: 10n ** 12n }), 'pEUR');
  assert.equal(unitName({ currency: 'USD', units_per_currency: 1_250_000 }), '0.0000008 USD');
});

test('the token comes from the registry, and says whether the chain reported it', () => {
  const none = { isSome: false };
  const some = { isSome: true };
  // substrate-contracts-node: no properties, polkadot.js' defaults.
  assert.deepEqual(chainToken({ registry: { chainTokens: ['Unit'], chainDecimals: [12],
    getChainProperties: () => ({ tokenDecimals: none, tokenSymbol: none }) } }),
  { symbol: 'Unit', decimals: 12, reported: false });
  assert.deepEqual(chainToken({ chainTokens: ['DOT'], chainDecimals: [10],
    getChainProperties: () => ({ tokenDecimals: some, tokenSymbol: some }) }),
  { symbol: 'DOT', decimals: 10, reported: true });
  assert.throws(() => chainToken({ chainTokens: [], chainDecimals: [] }), TypeError);
});

test('the sentence the DApp shows', () => {
  assert.equal(describeMoney(EUR, UNIT), g('1 unit = 1 µEUR (1 EUR = 1 000 000 units) under this ' +
    'deployment\'s exchange assumption; the chain\'s token Unit has 12 decimals: 1 Unit = 10^12 ' +
    'units = 1 000 000.00 EUR'));
  assert.equal(describeMoney({ currency: 'USD', units_per_currency: 1_250_000 }, UNIT, { whose: 'the default' }),
    g('1 unit = 0.0000008 USD (1 USD = 1 250 000 units) under the default exchange assumption; the ' +
      'chain\'s token Unit has 12 decimals: 1 Unit = 10^12 units = 800 000.00 USD'));
  assert.equal(describeMoney({ currency: 'XTS', units_per_currency: 3 }, UNIT),
    g('1 unit ≈ 0.3 XTS (1 XTS = 3 units) under this deployment\'s exchange assumption; the ' +
      'chain\'s token Unit has 12 decimals: 1 Unit = 10^12 units ≈ 333 333 333 333.33 XTS'));
});

test('the deployment configs name their money, outside the MarketConfig', () => {
  for (const file of ['../../../deployments/config/local.json', '../../../app/test/market.json',
    '../../../app/test/sealed.json', '../../../app/test/metered.json']) {
    const config = JSON.parse(readFileSync(new URL(file, import.meta.url), 'utf8'));
    assert.ok(config.money, `${file} has a money object`);
    parseMoney(config.money);
    assert.ok(!('money' in config.market), `${file}: money is not part of the MarketConfig`);
  }
  const local = JSON.parse(readFileSync(new URL('../../../deployments/config/local.json', import.meta.url), 'utf8'));
  assert.deepEqual(parseMoney(local.money), DEFAULT_MONEY);
});
