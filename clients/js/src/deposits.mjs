/**
 * Money rules of the market crate, computed off-chain: a line item's value
 * (`market::value_of`), the grid's price in an hour (`Tariff::grid_price`) and the deposits
 * offers carry (`market::deposits`), a metered market's imbalance bond included
 * (`market::metering::Metering::bond`). main's `buy_deposit`, `imbalance_bond` and
 * `commit_deposit` queries give the same figures for a deployed market; these let a page or a script show them without a chain,
 * and the golden vectors check that they agree with the Rust code.
 *
 * Inputs are the client's plain values: a `MarketConfig` as `Market#config` returns it (or as
 * `deployments/config/*.json` writes it), numbers as `BigInt`, `number` or decimal strings.
 * A result the Rust function refuses is a {@link MarketRuleError} with its `MarketError`
 * variant (`Overflow`, `InvalidTariff`).
 */
import { BPS, MarketRuleError, U64_MAX, checked, uint } from './rules.mjs';

/**
 * @typedef {{reveal_ms: *, penalty: *, forfeit_bps: number, bond_per_kwh: *}} Sealing
 * @typedef {{window_ms: *, imbalance_bps: number, feed_in_bps: number,
 *   missing: 'NothingDelivered'|'AsCleared', operator: string|null}} Metering
 * @typedef {{tariff: object, auction: {topology: object, grid_fee_per_kwh_step: *},
 *   sealing: Sealing|null, metering?: Metering|null}} MarketConfig
 */

/**
 * `energy_wh * price / 1000`, rounded down: how every money line is computed
 * (`market::value_of`).
 *
 * @param {bigint|number|string} energyWh
 * @param {bigint|number|string} pricePerKwh
 * @returns {bigint}
 * @throws {MarketRuleError} `Overflow` if the product does not fit a `u128`.
 */
export function valueOf(energyWh, pricePerKwh) {
  const milli = uint(energyWh, 64, 'energy_wh') * uint(pricePerKwh, 128, 'price');
  return checked(milli, 128, 'valueOf') / 1000n;
}

/**
 * The grid's selling price per kWh in UTC hour `hour` under `tariff` (`Tariff::grid_price`):
 * the hour's base price times the peak or off-peak multiplier, rounded down.
 *
 * @param {object} tariff a `Tariff` (`hourly_prices`, `peak_hours`, `off_peak_hours`, ...).
 * @param {number} hour 0..24.
 * @returns {bigint}
 * @throws {MarketRuleError} `InvalidTariff` for an hour outside 0..24, `Overflow`.
 */
export function gridPrice(tariff, hour) {
  const h = Number(uint(hour, 8, 'hour'));
  if (h >= tariff.hourly_prices.length) throw new MarketRuleError('InvalidTariff', 'gridPrice');
  const base = uint(tariff.hourly_prices[h], 128, 'hourly price');
  const bit = 1n << BigInt(h);
  let multiplier;
  if ((BigInt(tariff.peak_hours) & bit) !== 0n) multiplier = tariff.peak_multiplier_bps;
  else if ((BigInt(tariff.off_peak_hours) & bit) !== 0n) multiplier = tariff.off_peak_multiplier_bps;
  else return base;
  return checked(base * BigInt(multiplier), 128, 'gridPrice') / 10_000n;
}

/**
 * The largest distance between two areas of a topology (`Topology::max_distance`): `areas - 1`
 * on a line, the largest matrix entry.
 *
 * @param {{Line: {areas: number}}|{Matrix: {areas: number, distances: number[]}}} topology
 * @returns {number}
 */
export function maxDistance(topology) {
  if (topology.Line) return Math.max(0, Number(topology.Line.areas) - 1);
  return Math.max(0, ...topology.Matrix.distances.map(Number));
}

/**
 * The highest price per kWh a buyer can end up paying (`deposits::cover_price`): its limit plus
 * the network fee of the farthest area, or the grid's price, whichever is higher.
 *
 * @param {bigint|number|string} limit
 * @param {{topology: object, grid_fee_per_kwh_step: *}} rules the configuration's `auction`.
 * @param {bigint|number|string} grid the hour's grid price.
 * @returns {bigint}
 * @throws {MarketRuleError} `Overflow`.
 */
export function coverPrice(limit, rules, grid) {
  const fee = checked(uint(rules.grid_fee_per_kwh_step, 128, 'grid_fee_per_kwh_step') *
    BigInt(maxDistance(rules.topology)), 128, 'coverPrice');
  const p2p = checked(uint(limit, 128, 'limit') + fee, 128, 'coverPrice');
  const gridPrice128 = uint(grid, 128, 'grid price');
  return p2p > gridPrice128 ? p2p : gridPrice128;
}

/**
 * The deposit that covers `energyWh` at `cover` per kWh, rounded up (`deposits::deposit_for`).
 *
 * @param {bigint|number|string} energyWh
 * @param {bigint|number|string} cover
 * @returns {bigint}
 * @throws {MarketRuleError} `Overflow`.
 */
export function depositFor(energyWh, cover) {
  const milli = uint(energyWh, 64, 'energy_wh') * uint(cover, 128, 'cover');
  return checked(checked(milli, 128, 'depositFor') + 999n, 128, 'depositFor') / 1000n;
}

/**
 * The bond a sealed offer of `energyWh` must have deposited by its reveal (`Sealing::bond_for`):
 * `energy_wh * bond_per_kwh / 1000` rounded up, at least `penalty`.
 *
 * @param {Sealing} sealing
 * @param {bigint|number|string} energyWh
 * @returns {bigint}
 * @throws {MarketRuleError} `Overflow`.
 */
export function bondFor(sealing, energyWh) {
  const bond = depositFor(energyWh, sealing.bond_per_kwh);
  const penalty = uint(sealing.penalty, 128, 'penalty');
  return bond > penalty ? bond : penalty;
}

/**
 * A buy's limit in UTC hour `hour` under `config` (`limit`, or the hour's grid price when
 * null) and the deposit that covers `energyWh` at its cover price: what main's `buy_deposit`
 * asks of a buy (`deposits::buy_cover`).
 *
 * @param {MarketConfig} config
 * @param {number} hour 0..24.
 * @param {bigint|number|string} energyWh
 * @param {bigint|number|string|null} [limit]
 * @returns {{limit: bigint, deposit: bigint}}
 * @throws {MarketRuleError} `InvalidTariff` for an hour outside 0..24, `Overflow`.
 */
export function buyCover(config, hour, energyWh, limit = null) {
  const grid = gridPrice(config.tariff, hour);
  const chosen = limit === null || limit === undefined ? grid : uint(limit, 128, 'limit');
  const cover = coverPrice(chosen, config.auction, grid);
  return { limit: chosen, deposit: depositFor(energyWh, cover) };
}

/**
 * The least deposit an offer needs when it enters the book (`deposits::required_deposit`): a
 * buy's `cover` (0 for a sell) and, for a revealed sealed offer, its bond, whichever is higher.
 *
 * @param {bigint|number|string} cover
 * @param {Sealing|null} sealing
 * @param {bigint|number|string} energyWh
 * @returns {bigint}
 * @throws {MarketRuleError} `Overflow`.
 */
export function requiredDeposit(cover, sealing, energyWh) {
  const bond = sealing ? bondFor(sealing, energyWh) : 0n;
  const covered = uint(cover, 128, 'cover');
  return covered > bond ? covered : bond;
}

/**
 * The imbalance price per kWh of an hour whose grid price is `grid`
 * (`Metering::imbalance_price`): `grid * imbalance_bps / 10 000`, rounded up.
 *
 * @param {Metering} metering
 * @param {bigint|number|string} grid the hour's grid price.
 * @returns {bigint}
 * @throws {MarketRuleError} `Overflow`.
 */
export function imbalancePrice(metering, grid) {
  const scaled = checked(uint(grid, 128, 'grid price') *
    uint(metering.imbalance_bps, 32, 'imbalance_bps'), 128, 'imbalancePrice');
  return ceilDiv(scaled, BigInt(BPS));
}

/**
 * The imbalance feed-in price per kWh of an interval whose feed-in price is `feedIn`
 * (`Metering::imbalance_feed_in_price`): `feed_in * feed_in_bps / 10 000`, rounded down.
 *
 * @param {Metering} metering
 * @param {bigint|number|string} feedIn
 * @returns {bigint}
 * @throws {MarketRuleError} `Overflow`.
 */
export function imbalanceFeedInPrice(metering, feedIn) {
  const scaled = checked(uint(feedIn, 128, 'feed-in price') *
    uint(metering.feed_in_bps, 32, 'feed_in_bps'), 128, 'imbalanceFeedInPrice');
  return scaled / BigInt(BPS);
}

/**
 * The worst shortfall an offer of `energyWh` on `side` can meter within a connection importing
 * at most `importWh` per interval (`Metering::worst_short_wh`): a seller that delivered nothing
 * and consumed its whole import, `energy + import` (saturating at `u64::MAX`); a buyer that
 * consumed its whole import, `import - energy` (at least 0).
 *
 * @param {'Sell'|'Buy'} side
 * @param {bigint|number|string} energyWh
 * @param {bigint|number|string} importWh
 * @returns {bigint}
 */
export function worstShortWh(side, energyWh, importWh) {
  const energy = uint(energyWh, 64, 'energy_wh');
  const imported = uint(importWh, 64, 'import_wh');
  if (checkSide(side) === 'Sell') return energy + imported > U64_MAX ? U64_MAX : energy + imported;
  return imported > energy ? imported - energy : 0n;
}

/**
 * The imbalance bond an offer of `energyWh` on `side` adds to its deposit in UTC hour `hour`
 * under `config`, for a participant whose connection imports at most `importWh` per interval
 * (`deposits::imbalance_bond`, main's `imbalance_bond`): its {@link worstShortWh} at the hour's
 * {@link imbalancePrice}, rounded up; 0 when `config.metering` is null (or absent).
 *
 * @param {MarketConfig} config
 * @param {number} hour 0..24.
 * @param {'Sell'|'Buy'} side
 * @param {bigint|number|string} energyWh
 * @param {bigint|number|string} importWh the participant's `capacity.import_wh`
 *   ({@link DEFAULT_CAPACITY} unless the operator named one).
 * @returns {bigint}
 * @throws {MarketRuleError} `InvalidTariff` for an hour outside 0..24 (metered only), `Overflow`.
 */
export function imbalanceBond(config, hour, side, energyWh, importWh) {
  checkSide(side);
  if (!config.metering) return 0n;
  const price = imbalancePrice(config.metering, gridPrice(config.tariff, hour));
  const milli = checked(worstShortWh(side, energyWh, importWh) * price, 128, 'imbalanceBond');
  return ceilDiv(milli, 1000n);
}

/**
 * What an offer covers before any sealing bond (`deposits::offer_cover`): a buy's cover at its
 * limit (`price`, null: the hour's grid price; a sell covers nothing) plus its
 * {@link imbalanceBond}. `price` is the offer's price as main records it (a sell's ask, 0 if
 * null; a buy's limit).
 *
 * @param {MarketConfig} config
 * @param {number} hour 0..24.
 * @param {'Sell'|'Buy'} side
 * @param {bigint|number|string} energyWh
 * @param {bigint|number|string|null} price
 * @param {bigint|number|string} importWh
 * @returns {{price: bigint, cover: bigint}}
 * @throws {MarketRuleError} `InvalidTariff` for an hour outside 0..24, `Overflow`.
 */
export function offerCover(config, hour, side, energyWh, price, importWh) {
  let chosen;
  let cover;
  if (checkSide(side) === 'Sell') {
    chosen = price === null || price === undefined ? 0n : uint(price, 128, 'price');
    cover = 0n;
  } else {
    ({ limit: chosen, deposit: cover } = buyCover(config, hour, energyWh, price));
  }
  const bond = imbalanceBond(config, hour, side, energyWh, importWh);
  return { price: chosen, cover: checked(cover + bond, 128, 'offerCover') };
}

/**
 * What a sealed offer must have deposited by its reveal in UTC hour `hour` under `config`
 * (`deposits::sealed_deposit`, main's `commit_deposit`): {@link requiredDeposit} of its
 * {@link offerCover} (a buy's `price` being its limit; in a metered market the imbalance bond
 * of a connection importing `importWh` included); `null` when `config` takes open offers.
 *
 * @param {MarketConfig} config
 * @param {number} hour 0..24.
 * @param {'Sell'|'Buy'} side
 * @param {bigint|number|string} energyWh
 * @param {bigint|number|string} price the ask, or the buy's limit.
 * @param {bigint|number|string} importWh the participant's `capacity.import_wh`; it sizes the
 *   bond of a metered market only.
 * @returns {bigint|null}
 * @throws {MarketRuleError} `InvalidTariff` for an hour outside 0..24, `Overflow`.
 */
export function sealedDeposit(config, hour, side, energyWh, price, importWh) {
  if (!config.sealing) return null;
  if (importWh === undefined || importWh === null) {
    throw new TypeError('sealedDeposit: pass import_wh, the participant\'s capacity.import_wh ' +
      '(DEFAULT_CAPACITY.import_wh unless the operator named one)');
  }
  const { cover } = offerCover(config, hour, side, energyWh, price, importWh);
  return requiredDeposit(cover, config.sealing, energyWh);
}

/** `side` if it is `'Sell'` or `'Buy'`, else a `TypeError`. */
function checkSide(side) {
  if (side !== 'Sell' && side !== 'Buy') {
    throw new TypeError(`side must be 'Sell' or 'Buy', got ${JSON.stringify(side)}`);
  }
  return side;
}

/** `n / d` rounded up, for non-negative `n` and positive `d` (Rust's `div_ceil`). */
function ceilDiv(n, d) {
  return (n + d - 1n) / d;
}
