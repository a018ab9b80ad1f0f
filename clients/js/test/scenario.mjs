/**
 * What the chain tests share: the default configuration with a short interval, the tariff and
 * deposit arithmetic to check the contracts' figures against, and one interval of trading.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { REPO_ROOT, account, utcHour } from '../src/market.mjs';

/** The default configuration file (the paper market, `MarketConfig::paper()`). */
export const LOCAL_CONFIG_FILE = path.join(REPO_ROOT, 'deployments', 'config', 'local.json');

/**
 * The default configuration with a short interval, so that a test sees an interval end in
 * seconds of real time, and `overrides` on top: `{sealing: null}` for open offers (the default
 * is sealed), `{sealing: {reveal_ms, penalty, forfeit_bps, bond_per_kwh}}` for a short reveal window.
 */
export function shortConfig(intervalMs = Number(process.env.MARKET_TEST_INTERVAL_MS || 6000),
  overrides = {}) {
  const { market } = JSON.parse(readFileSync(LOCAL_CONFIG_FILE, 'utf8'));
  return { ...market, interval_ms: intervalMs, ...overrides };
}

/** The open-mode market (`sell` and `buy`, no sealing) with a short interval. */
export function openConfig(intervalMs) {
  return shortConfig(intervalMs, { sealing: null });
}

/**
 * The grid price of a UTC hour computed from the tariff's figures as `Tariff::grid_price`
 * defines it: the hour's base price, times the peak or off-peak multiplier in basis points,
 * rounded down. Used to check the contract's answer, not to produce it.
 */
export function expectedGridPrice(tariff, hour) {
  const base = BigInt(tariff.hourly_prices[hour]);
  const bit = 1 << hour;
  if (tariff.peak_hours & bit) return (base * BigInt(tariff.peak_multiplier_bps)) / 10_000n;
  if (tariff.off_peak_hours & bit) return (base * BigInt(tariff.off_peak_multiplier_bps)) / 10_000n;
  return base;
}

/**
 * A buy's deposit as `buy_deposit` computes it: the energy at the cover price
 * `max(limit + grid_fee_per_kwh_step * max_distance, grid price)`, rounded up.
 */
export function expectedDeposit(energyWh, limit, gridPrice, feePerStep = 0n, maxDistance = 2n) {
  const p2p = BigInt(limit ?? gridPrice) + BigInt(feePerStep) * BigInt(maxDistance);
  const cover = p2p > BigInt(gridPrice) ? p2p : BigInt(gridPrice);
  return (BigInt(energyWh) * cover + 999n) / 1000n;
}

/** The dev accounts the tests use; all are endowed in the dev chain's genesis. */
export function devAccounts() {
  return {
    alice: account('//Alice'), // operator
    bob: account('//Bob'), // area 0, sells
    charlie: account('//Charlie'), // area 1, buys without a limit
    dave: account('//Dave'), // area 2, buys with a limit below the P2P price
    eve: account('//Eve'), // never registered
  };
}

/**
 * The offers of the traded interval. Odd figures on purpose, so that every money line rounds.
 * - Bob (area 0) sells 2 345 Wh asking 123 457 per kWh: the only ask, so the uniform price.
 * - Charlie (area 1) buys 1 234 Wh with no limit: his limit is the hour's grid price
 *   (at least 247 000), above the price, so he buys P2P from Bob at distance 1.
 * - Dave (area 2) buys 999 Wh with limit 100 000 < 123 457: out of P2P, all from the grid.
 */
export const OFFERS = {
  sell: { energyWh: 2_345n, ask: 123_457n },
  buy: { energyWh: 1_234n, limit: null },
  lowBid: { energyWh: 999n, limit: 100_000n },
};

/**
 * Registers Bob, Charlie and Dave in areas 0, 1 and 2 and places the {@link OFFERS} in one
 * interval with at least `minRemainingMs` of it left, so all three land in it (open mode; the
 * buys pay exactly their `buy_deposit`).
 *
 * @returns {Promise<{interval: bigint, timing: object, registered: object[], offers: object[]}>}
 *   the interval and the transactions' results.
 */
export async function registerAndOffer(market, accounts, { minRemainingMs = 3_500 } = {}) {
  const { alice, bob, charlie, dave } = accounts;
  const registered = [];
  for (const [who, area] of [[bob, 0], [charlie, 1], [dave, 2]]) {
    registered.push(await market.register(alice, who, area));
  }
  const { interval, timing } = await market.openInterval(alice, { minRemainingMs });
  const offers = [
    await market.sell(bob, interval, OFFERS.sell.energyWh, OFFERS.sell.ask),
    await market.buy(charlie, interval, OFFERS.buy.energyWh, OFFERS.buy.limit),
    await market.buy(dave, interval, OFFERS.lowBid.energyWh, OFFERS.lowBid.limit),
  ];
  return { interval, timing, registered, offers };
}

/** The UTC hour whose tariff applies to `interval` (the hour of its start). */
export function hourOf(timing, interval) {
  return utcHour(timing.start_ms + BigInt(interval) * timing.interval_ms);
}
