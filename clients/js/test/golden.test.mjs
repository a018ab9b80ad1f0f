// The client's rule helpers against the golden vectors the market crate computes
// (crates/market/tests/golden.rs writes golden.json; UPDATE_GOLDEN=1 cargo test --locked -p market
// --test golden rewrites it). No chain, no bundles: `node --test test/golden.test.mjs`.
// Integers above 2^53 - 1 are decimal strings in the file; every figure is compared as a BigInt.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

// The rule modules themselves (the client re-exports them), one import each.
import {
  buyCover, imbalanceBond, requiredDeposit, sealedDeposit, valueOf,
} from '../src/deposits.mjs';
import {
  BPS, CLAIMS_PAGE, DEFAULT_CAPACITY, DEFAULT_METERING, HOUR_MS, INTERVAL_STATES,
  MAX_OFFERS, MAX_OFFER_WH, MAX_PRICE, MAX_SETTLEMENTS_PER_CALL, MarketRuleError, SIDES,
} from '../src/rules.mjs';
import { commitment } from '../src/sealing.mjs';
import { intervalAt, intervalState, monthKey, utcHour } from '../src/time.mjs';

const golden = JSON.parse(readFileSync(new URL('./golden.json', import.meta.url), 'utf8'));

/** A figure of the file (number or decimal string) as a BigInt. */
const big = (value) => BigInt(value);

/**
 * Runs `compute` for each vector and compares with its `result` (through `expected`) or checks
 * that it throws a MarketRuleError with the vector's `err` variant.
 */
function check(section, compute, expected = (vector) => big(vector.result)) {
  const vectors = golden[section];
  assert.ok(vectors.length > 0, `${section}: no vectors`);
  for (const [i, vector] of vectors.entries()) {
    const where = `${section}[${i}] ${JSON.stringify(vector)}`;
    if (vector.err !== undefined) {
      assert.throws(() => compute(vector), (error) => error instanceof MarketRuleError &&
        error.variant === vector.err, where);
    } else {
      assert.deepEqual(compute(vector), expected(vector), where);
    }
  }
  return vectors.length;
}

test('constants mirror the market crate', () => {
  const c = golden.constants;
  assert.equal(MAX_OFFER_WH, big(c.MAX_OFFER_WH));
  assert.equal(MAX_PRICE, big(c.MAX_PRICE));
  assert.equal(MAX_OFFERS, c.MAX_OFFERS);
  assert.equal(BPS, c.BPS);
  assert.equal(HOUR_MS, big(c.HOUR_MS));
  assert.equal(CLAIMS_PAGE, c.MAX_CLAIMS_PER_CALL);
  assert.equal(MAX_SETTLEMENTS_PER_CALL, c.MAX_SETTLEMENTS_PER_CALL);
  assert.deepEqual(DEFAULT_CAPACITY, {
    export_wh: big(c.DEFAULT_CAPACITY.export_wh),
    import_wh: big(c.DEFAULT_CAPACITY.import_wh),
  });
  assert.deepEqual([...INTERVAL_STATES], golden.enums.IntervalState);
  assert.deepEqual([...SIDES], golden.enums.Side);
  // The `metered` configuration is MarketConfig::paper() with Metering::DEFAULT.
  const { metering } = golden.configs.metered;
  assert.deepEqual({ ...DEFAULT_METERING }, { ...metering, window_ms: big(metering.window_ms) });
  assert.deepEqual({ ...golden.configs.metered, metering: null }, golden.configs.paper);
  for (const config of Object.values(golden.configs)) assert.ok('metering' in config);
});

test('commitment equals market::seal::commitment', () => {
  const count = check('commitment', (v) => commitment(v.market, v.account, v.interval, v.side,
    v.energy_wh, v.price, v.salt), (v) => v.commitment);
  assert.ok(count >= 8);
  assert.ok(golden.commitment.some((v) => v.side === 'Sell') &&
    golden.commitment.some((v) => v.side === 'Buy'));
});

test('utcHour and monthKey equal market::hour_of and market::month_of', () => {
  check('hour_of', (v) => utcHour(big(v.ms)), (v) => v.hour);
  check('month_of', (v) => monthKey(big(v.ms)), (v) => v.month);
  // Numbers as the DApp passes them (Date.now()) give the same.
  for (const v of golden.hour_of.filter(({ ms }) => typeof ms === 'number')) {
    assert.equal(utcHour(v.ms), v.hour);
  }
});

test('valueOf equals market::value_of', () => {
  check('value_of', (v) => valueOf(v.energy_wh, v.price));
});

test('deposits equal market::deposits', () => {
  const configs = golden.configs;
  check('buy_cover', (v) => buyCover(configs[v.config], v.hour, v.energy_wh, v.limit),
    (v) => ({ limit: big(v.result.limit), deposit: big(v.result.deposit) }));
  check('required_deposit', (v) => requiredDeposit(v.cover, v.sealing, v.energy_wh));
  const sealed = check('sealed_deposit', (v) => sealedDeposit(configs[v.config], v.hour, v.side,
    v.energy_wh, v.price, v.import_wh), (v) => (v.result === null ? null : big(v.result)));
  assert.ok(sealed > 0 && golden.sealed_deposit.every((v) => v.import_wh !== undefined));
  // Sealed and metered (ring, extreme): the bond of the connection is in the deposit.
  assert.ok(golden.sealed_deposit.some((v) => configs[v.config].sealing &&
    configs[v.config].metering && v.result !== null && v.result !== undefined));
});

test('imbalanceBond equals market::deposits::imbalance_bond', () => {
  const configs = golden.configs;
  const count = check('imbalance_bond', (v) => imbalanceBond(configs[v.config], v.hour, v.side,
    v.energy_wh, v.import_wh));
  assert.ok(count > 100);
  // Both sides, zero (unmetered) and non-zero bonds, and both errors are covered.
  for (const side of SIDES) assert.ok(golden.imbalance_bond.some((v) => v.side === side));
  assert.ok(golden.imbalance_bond.some((v) => v.result === 0));
  assert.ok(golden.imbalance_bond.some((v) => v.result !== undefined && big(v.result) > 0n));
  for (const err of ['InvalidTariff', 'Overflow']) {
    assert.ok(golden.imbalance_bond.some((v) => v.err === err), `no vector gives ${err}`);
  }
  // Without metering the bond is 0 whatever the hour (no tariff is read).
  assert.equal(imbalanceBond(configs.paper, 24, 'Sell', 1, 1), 0n);
  assert.throws(() => imbalanceBond(configs.metered, 3, 'sell', 1, 1), TypeError);
});

test('intervalAt and intervalState equal Timing::interval_at and Timing::state', () => {
  // intervalAt answers null where Rust's interval_at is Err(NotStarted).
  check('interval_at', (v) => {
    const interval = intervalAt(v.timing, v.now);
    if (interval === null) throw new MarketRuleError('NotStarted', 'intervalAt');
    return interval;
  });
  const count = check('interval_state', (v) => intervalState(v.timing, v.interval, v.now,
    v.reveal_ms, v.cleared), (v) => v.state);
  assert.ok(count > 100);
  for (const state of INTERVAL_STATES) {
    assert.ok(golden.interval_state.some((v) => v.state === state), `no vector gives ${state}`);
  }
});
