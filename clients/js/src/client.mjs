/**
 * polkadot.js client of the hybrid P2P electricity market: deploys the three ink! contracts
 * (main, p2p, p2g) from their built `.contract` bundles and wraps every message and query of
 * main, the market's single entry point.
 *
 * Conventions, chosen so that what a caller reads matches the contracts' Rust types and the
 * metadata JSON:
 * - Names are snake_case as in the metadata (`energy_wh`, `grid_import_wh`); polkadot.js
 *   camelCases them internally, this module maps them back.
 * - Integers of 64 bits and more (`u64` energy, intervals and timestamps, `u128` prices and
 *   money) are returned as `BigInt`, smaller ones (`u8` areas, `u32` counts and months) as
 *   `number`. Inputs accept `BigInt`, `number` or a decimal string.
 * - Accounts are returned as SS58 strings of the connected chain; inputs accept SS58 strings,
 *   keyring pairs or 32-byte public keys.
 * - Unit enum variants are strings (`'Sell'`, `'LowestAsk'`), variants with data are
 *   one-key objects (`{ Line: { areas: 3 } }`), `Option` is `null` or the value.
 *
 * - Money (deposits, credits, the grid deposit) is in the chain's native token, in its
 *   smallest units, as `BigInt`; a payable message's `value` is transferred with the call.
 *
 * A message is always dry-run first, carrying the value the transaction will carry: the dry run
 * gives the gas and storage deposit the transaction needs, and a typed `Err(Error::Variant)` is
 * thrown as a {@link ContractError} before anything is signed.
 *
 * This module runs in browsers as well as Node.js (the DApp in `app/` bundles it): it reads no
 * files and no environment. `market.mjs` is the Node.js entry point; it adds reading bundles
 * from `target/ink` and makes them the default of {@link Market.at} and {@link Market.deploy}.
 *
 * This file is the public entry point: it re-exports the modules it is made of, by concern:
 * - `bundles.mjs`: checking bundles, reading enum variants and integer widths from metadata;
 * - `connection.mjs`: connecting to a node, accounts;
 * - `errors.mjs`: {@link ContractError}, {@link ChainError}, {@link DeploymentMismatch};
 * - `codec.mjs`: strict argument encoding, plain decoding, typed errors from the metadata;
 * - `transactions.mjs`: dry runs, signing, inclusion, fees, code upload, instantiation,
 *   deployment checks, event decoding;
 * - `queries.mjs` and `market-core.mjs`: the {@link Market} class (queries; messages);
 * - `sealing.mjs`: commitments and salts;
 * - `time.mjs`: interval timing and state, UTC hour and month (`market::time`);
 * - `deposits.mjs`: line values, grid price, deposits and imbalance bonds (`market::value_of`,
 *   `market::deposits`, `market::metering`);
 * - `rules.mjs`: the market crate's constants the client and the DApp need;
 * - `money.mjs`: a balance in the chain's token and in a currency under the deployment's
 *   exchange assumption (its `money`), and the chain's cost per kWh.
 * The rules of `time.mjs` and `deposits.mjs` and the constants of `rules.mjs` are checked
 * against the Rust crate by golden vectors (`clients/js/test/golden.test.mjs`).
 */

export {
  CONTRACT_NAMES,
  argumentMax,
  bundleFromJson,
  enumVariants,
  fieldMax,
  metadataType,
} from './bundles.mjs';
export { account, accountHex, connect } from './connection.mjs';
export { ChainError, ContractError, DeploymentMismatch } from './errors.mjs';
export { sameValue, toJsonSafe } from './codec.mjs';
export {
  chainTime,
  instantiateMain,
  makeBlock,
  submit,
  uploadCode,
  verifyDeployment,
} from './transactions.mjs';
export { MarketQueries } from './queries.mjs';
export { Market } from './market-core.mjs';
export { bytes32, commitment, sealOffer } from './sealing.mjs';
export {
  intervalAt,
  intervalStart,
  intervalState,
  isIntervalState,
  monthKey,
  monthOfKey,
  settlesAt,
  sleep,
  utcHour,
} from './time.mjs';
export {
  bondFor,
  buyCover,
  coverPrice,
  depositFor,
  gridPrice,
  imbalanceBond,
  imbalanceFeedInPrice,
  imbalancePrice,
  maxDistance,
  offerCover,
  requiredDeposit,
  sealedDeposit,
  valueOf,
  worstShortWh,
} from './deposits.mjs';
export {
  BPS,
  CLAIMS_PAGE,
  DEFAULT_CAPACITY,
  DEFAULT_METERING,
  HOUR_MS,
  INTERVAL_STATES,
  MAX_OFFERS,
  MAX_OFFER_WH,
  MAX_PRICE,
  MAX_SETTLEMENTS_PER_CALL,
  MISSING_READINGS,
  MarketRuleError,
  SIDES,
  TRADES_PAGE,
  U128_MAX,
  U64_MAX,
} from './rules.mjs';
export {
  DEFAULT_MONEY,
  balanceUnits,
  chainToken,
  costPerKwh,
  describeMoney,
  exactDecimals,
  formatCurrency,
  formatDecimal,
  formatToken,
  parseMoney,
  unitName,
} from './money.mjs';
