/**
 * The Node.js entry point of the polkadot.js client: everything of `client.mjs` (which also runs
 * in browsers), plus reading the built `.contract` bundles from disk, which {@link Market.at} and
 * {@link Market.deploy} then use by default, and the default RPC endpoint from the environment.
 * (The environment-neutral `Market` class is in `market-core.mjs`; `client.mjs` lists the
 * modules by concern.)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  CONTRACT_NAMES,
  Market as BrowserMarket,
  bundleFromJson,
  connect as connectTo,
} from './client.mjs';

export * from './client.mjs';

/** The repository root (this file lives in `clients/js/src/`). @type {string} */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * Default RPC endpoint: the dev node of `scripts/node.sh` (`MARKET_NODE_PORT`, default 9944).
 *
 * @returns {string}
 */
export function defaultUrl() {
  return `ws://127.0.0.1:${process.env.MARKET_NODE_PORT || 9944}`;
}

/**
 * {@link connectTo connect}, to {@link defaultUrl}() unless told otherwise.
 *
 * @param {string} [url]
 * @param {{timeoutMs?: number}} [options]
 * @returns {Promise<import('@polkadot/api').ApiPromise>}
 */
export function connect(url = defaultUrl(), options = {}) {
  return connectTo(url, options);
}

/**
 * Where the built bundles live: `$MARKET_BUNDLE_DIR/<name>/<name>.contract` if set, else
 * `${CARGO_TARGET_DIR:-<repo>/target}/ink/<name>/<name>.contract`, as cargo-contract writes them
 * and as the drink driver reads them.
 *
 * @returns {string}
 */
export function bundleDir() {
  if (process.env.MARKET_BUNDLE_DIR) return path.resolve(process.env.MARKET_BUNDLE_DIR);
  const target = process.env.CARGO_TARGET_DIR
    ? path.resolve(process.env.CARGO_TARGET_DIR)
    : path.join(REPO_ROOT, 'target');
  return path.join(target, 'ink');
}

/**
 * Reads one `.contract` bundle (metadata and Wasm together) and checks that the Wasm hashes to
 * the code hash the metadata claims ({@link bundleFromJson}).
 *
 * @param {string} name `'main'`, `'p2p'` or `'p2g'`.
 * @param {string} [dir] default {@link bundleDir}().
 * @returns {import('./bundles.mjs').Bundle}
 */
export function loadBundle(name, dir = bundleDir()) {
  const file = path.join(dir, name, `${name}.contract`);
  let json;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the ${name} bundle at ${file} (build the contracts first: ` +
      `scripts/build-contracts.sh): ${error.message}`);
  }
  return bundleFromJson(name, json, file);
}

/**
 * All three bundles, by name.
 *
 * @param {string} [dir] default {@link bundleDir}().
 * @returns {{p2p: import('./bundles.mjs').Bundle, p2g: import('./bundles.mjs').Bundle,
 *   main: import('./bundles.mjs').Bundle}}
 */
export function loadBundles(dir = bundleDir()) {
  return Object.fromEntries(CONTRACT_NAMES.map((name) => [name, loadBundle(name, dir)]));
}

/** {@link BrowserMarket} with the bundles of {@link bundleDir} as the default. */
export class Market extends BrowserMarket {
  /**
   * @see BrowserMarket.at; `bundles` defaults to {@link loadBundles}().
   * @param {import('@polkadot/api').ApiPromise} api
   * @param {string} address main's address.
   * @param {{bundles?: object}} [options]
   * @returns {Promise<Market>}
   */
  static at(api, address, { bundles = loadBundles() } = {}) {
    return super.at(api, address, { bundles });
  }

  /**
   * @see BrowserMarket.deploy; `bundles` defaults to {@link loadBundles}().
   * @param {import('@polkadot/api').ApiPromise} api
   * @param {object} signer a keyring pair (becomes the operator).
   * @param {object} config a `MarketConfig` as plain JSON.
   * @param {{bundles?: object, salt?: string}} [options]
   * @returns {Promise<object>} as {@link BrowserMarket.deploy}.
   */
  static deploy(api, signer, config, { bundles = loadBundles(), salt } = {}) {
    return super.deploy(api, signer, config, { bundles, salt });
  }
}
