#!/usr/bin/env node
/**
 * Deploys the market suite (p2p, p2g, main) to a chain and records where it went.
 *
 *   node deploy.mjs [--network NAME] [--url ws://HOST:PORT] [--config FILE]
 *                   [--deployments-dir DIR] [--register-demo] [--grid-deposit UNITS]
 *
 * - `--network` (default `local`) names the deployment: it picks the default config
 *   `deployments/config/<network>.json` and the record `<deployments-dir>/<network>.json`.
 * - `--url` (default `ws://127.0.0.1:${MARKET_NODE_PORT:-9944}`) is the node's RPC endpoint.
 * - `--config` is a JSON file `{operator, market, participants, money}`: `operator` a secret URI
 *   (default `//Alice`), `market` the `MarketConfig` in snake_case (`interval_ms`, `auction`,
 *   `tariff`, `limits`, `grid_operator`, `sealing`, `metering`; the last three may be null
 *   but must be there), `participants` the demo accounts `[{name, uri, area}]`, `money`
 *   (optional) the exchange assumption `{currency, units_per_currency}` clients show amounts
 *   under (`src/money.mjs`): checked, copied into the record as `money` (null without one),
 *   never passed to the contracts.
 * - `--deployments-dir` (default `$MARKET_DEPLOYMENTS_DIR` or `<repo>/deployments`) is where the
 *   record is written.
 * - `--register-demo` registers the config's participants (those not registered yet).
 * - `--grid-deposit` (default 10^12 units, one token of the dev chain) is what the operator pays
 *   into the grid deposit (main's `fund_grid`) right after a fresh deployment: it pays feed-in;
 *   feed-in it cannot pay becomes a claim of the seller, paid when the grid deposit is funded.
 *   0 skips it. A reused suite is not funded again (the operator tops it up with `fund_grid`
 *   when it runs low).
 *
 * Idempotent: if the record exists and main still answers at its address on the same chain,
 * with main, p2p and p2g running the code of the current bundles (`verifyDeployment`: the
 * reason names any contract that runs other code) as the record says, the suite is reused, not
 * deployed again. Running it twice never fails and never registers anyone twice.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { exitWithError, parseCommandLine } from './src/cli.mjs';
import {
  CONTRACT_NAMES,
  ContractError,
  DeploymentMismatch,
  Market,
  REPO_ROOT,
  account,
  connect,
  defaultUrl,
  loadBundles,
  parseMoney,
  sameValue,
  toJsonSafe,
} from './src/market.mjs';

const USAGE = 'usage: scripts/deploy.sh [--network NAME] [--url ws://HOST:PORT] [--config FILE] ' +
  '[--deployments-dir DIR] [--register-demo] [--grid-deposit UNITS]';

/** What the operator pays into the grid deposit after a fresh deployment, by default. */
const DEFAULT_GRID_DEPOSIT = 10n ** 12n;

/** Prints a progress line (stdout: the deploy's own report, not diagnostics). */
function say(line) {
  process.stdout.write(`${line}\n`);
}

function fail(message, code = 1) {
  exitWithError(message, { code });
}

function parseOptions(argv) {
  const { values } = parseCommandLine(argv, {
    usage: USAGE,
    options: {
      network: { type: 'string', default: 'local' },
      url: { type: 'string' },
      config: { type: 'string' },
      'deployments-dir': { type: 'string' },
      'register-demo': { type: 'boolean', default: false },
      'grid-deposit': { type: 'string', default: DEFAULT_GRID_DEPOSIT.toString() },
    },
  });
  if (!/^[A-Za-z0-9_.-]+$/.test(values.network)) fail(`bad network name ${values.network}`, 2);
  if (!/^\d+$/.test(values['grid-deposit'])) {
    fail(`--grid-deposit takes a whole number of balance units, got ${values['grid-deposit']}`, 2);
  }
  const deploymentsDir = path.resolve(values['deployments-dir'] ??
    process.env.MARKET_DEPLOYMENTS_DIR ?? path.join(REPO_ROOT, 'deployments'));
  return {
    network: values.network,
    url: values.url ?? defaultUrl(),
    configFile: path.resolve(values.config ??
      path.join(REPO_ROOT, 'deployments', 'config', `${values.network}.json`)),
    recordFile: path.join(deploymentsDir, `${values.network}.json`),
    registerDemo: values['register-demo'],
    gridDeposit: BigInt(values['grid-deposit']),
  };
}

function readJson(file, what) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return fail(`cannot read the ${what} ${file}: ${error.message}`);
  }
}

/** Writes JSON atomically (temp file, then rename), so an interrupted run leaves no half file. */
function writeJson(file, value) {
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(temp, file);
}

/** A path relative to the repository when inside it, so records are portable. */
function shown(file) {
  const relative = path.relative(REPO_ROOT, file);
  return relative.startsWith('..') ? file : relative;
}

/**
 * Whether the recorded suite can be reused: same chain (genesis hash), main still a contract at
 * its address, and main, p2p and p2g all running the code of the current bundles
 * ({@link verifyDeployment}, through `Market.at`), which is also the code the record names.
 *
 * @returns {Promise<{market: Market} | {reason: string}>}
 */
async function reusable(api, record, bundles, genesisHash) {
  if (record.chain?.genesis_hash !== genesisHash) {
    return { reason: `it was made on another chain (genesis ${record.chain?.genesis_hash})` };
  }
  const address = record.main?.address;
  if (!address) return { reason: 'it names no main address' };
  const info = await api.query.contracts.contractInfoOf(address);
  if (info.isNone) return { reason: `no contract lives at ${address} any more` };
  let market;
  try {
    market = await Market.at(api, address, { bundles });
  } catch (error) {
    if (error instanceof DeploymentMismatch) return { reason: error.message };
    return { reason: `main at ${address} does not answer: ${error.message}` };
  }
  // The chain runs the bundles' code; a record naming other code is stale, so not reused.
  const stale = CONTRACT_NAMES.filter((name) => record[name]?.code_hash !== bundles[name].codeHash ||
    record[name]?.address !== market.addresses[name]);
  if (stale.length > 0) {
    return { reason: `the record's ${stale.join(', ')} (address or code hash) differ from what ` +
      `main at ${address} runs` };
  }
  return { market };
}

/**
 * Registers the demo participants the chain does not know yet. One already registered in the
 * same area is skipped; one in another area is reported and left alone (moving it would need
 * `remove` first, which would withdraw its open offer).
 */
async function registerDemo(market, operator, participants) {
  const registered = [];
  for (const { name, uri, area } of participants) {
    const who = account(uri);
    const current = await market.participant(who);
    if (current === null) {
      const { blockNumber } = await market.register(operator, who, area);
      say(`registered ${name} (${who.address}) in area ${area} (block ${blockNumber})`);
    } else if (current.area === area) {
      say(`${name} (${who.address}) is already registered in area ${area}`);
    } else {
      say(`warning: ${name} (${who.address}) is registered in area ${current.area}, the config ` +
        `says ${area}; left as it is`);
    }
    registered.push({ name, uri, address: who.address, area: current?.area ?? area });
  }
  return registered;
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const file = readJson(options.configFile, 'config');
  if (!file.market) fail(`${options.configFile} has no "market" (the MarketConfig)`);
  // Config files written before the offer cap and stepped close lack `limits`; say so plainly
  // rather than let the encoder report a MarketConfig mismatch.
  if (!file.market.limits) {
    fail(`${options.configFile}: "market" has no "limits" ({"max_offers": ..., "step_items": ...}; ` +
      'the defaults are in deployments/config/local.json)');
  }
  // Nor do files written before settlement in the native token: both fields must be there,
  // null included, so that open offers are a choice rather than an accident.
  if (!('grid_operator' in file.market)) {
    fail(`${options.configFile}: "market" has no "grid_operator" (null: main's operator is ` +
      'credited grid sales, fees and penalties; or an SS58 address)');
  }
  if (!('sealing' in file.market)) {
    fail(`${options.configFile}: "market" has no "sealing" ({"reveal_ms": ..., "penalty": ..., ` +
      '"forfeit_bps": ..., "bond_per_kwh": ...} for sealed offers, the default in ' +
      'deployments/config/local.json, or null for open offers)');
  }
  // Nor before metering: null settles offers as cleared, an object meters them.
  if (!('metering' in file.market)) {
    fail(`${options.configFile}: "market" has no "metering" (null: offers settle as they ` +
      'cleared; or {"window_ms": ..., "imbalance_bps": ..., "feed_in_bps": ..., "missing": ' +
      '"NothingDelivered" or "AsCleared", "operator": null or an SS58 address} to settle meter ' +
      'readings against them)');
  }
  // "money" (optional) is the exchange assumption clients show amounts under; it is copied into
  // the record for them and never reaches the contracts (main gets "market" alone).
  let money = null;
  if (file.money !== undefined && file.money !== null) {
    try {
      money = toJsonSafe(parseMoney(file.money));
    } catch (error) {
      fail(`${options.configFile}: ${error.message}`);
    }
  }
  if (options.registerDemo && !Array.isArray(file.participants)) {
    fail(`--register-demo: ${options.configFile} has no "participants" list`);
  }
  const bundles = loadBundles();
  const api = await connect(options.url);
  try {
    const operator = account(file.operator ?? '//Alice');
    const genesisHash = api.genesisHash.toHex();
    say(`network ${options.network}: ${options.url} (${(await api.rpc.system.chain()).toString()}, ` +
      `genesis ${genesisHash.slice(0, 10)}...)`);

    let record = existsSync(options.recordFile) ? readJson(options.recordFile, 'record') : null;
    let market = null;
    if (record) {
      const found = await reusable(api, record, bundles, genesisHash);
      if (found.market) {
        market = found.market;
        say(`reusing the suite of ${shown(options.recordFile)}: main ${market.address} ` +
          `(deployed in block ${record.deployed?.block_number}); nothing deployed`);
        const onChain = await market.config();
        if (!sameValue(file.market, onChain)) {
          say(`warning: the chain's configuration differs from ${shown(options.configFile)}; ` +
            'a running market is not changed here: the operator can call update_config ' +
            '(from the next interval on; interval length and sealing fixed), or delete ' +
            `${shown(options.recordFile)} to deploy afresh`);
        }
        const { grid_deposit: left, claims } = await market.ledger();
        say(`grid deposit in p2g: ${left} (not funded again; top it up with fund_grid)` +
          (claims > 0n ? `; feed-in claims waiting: ${claims}` : ''));
      } else {
        say(`not reusing ${shown(options.recordFile)}: ${found.reason}; deploying afresh`);
        record = null;
      }
    }

    if (!market) {
      say(`deploying with ${shown(options.configFile)} as operator ${operator.address}`);
      const deployed = await Market.deploy(api, operator, file.market, { bundles });
      market = deployed.market;
      for (const name of ['p2p', 'p2g', 'main']) {
        say(`${name} code ${deployed.codeHashes[name]} ` +
          `${deployed.uploaded.includes(name) ? 'uploaded' : 'already on chain'}`);
      }
      say(`deployed main ${market.addresses.main}, p2p ${market.addresses.p2p}, ` +
        `p2g ${market.addresses.p2g} (block ${deployed.blockNumber})`);
      let funded = null;
      if (options.gridDeposit > 0n) {
        funded = await market.fundGrid(operator, options.gridDeposit);
        say(`funded the grid deposit with ${options.gridDeposit} (p2g grid deposit ` +
          `${funded.value}, block ${funded.blockNumber})`);
      } else {
        say('grid deposit not funded (--grid-deposit 0): feed-in becomes claims of the sellers ' +
          '(FeedInOwed) until someone calls fund_grid');
      }
      record = {
        network: options.network,
        url: options.url,
        chain: {
          name: (await api.rpc.system.chain()).toString(),
          genesis_hash: genesisHash,
          runtime: `${api.runtimeVersion.specName}/${api.runtimeVersion.specVersion}`,
        },
        main: { address: market.addresses.main, code_hash: bundles.main.codeHash },
        p2p: { address: market.addresses.p2p, code_hash: bundles.p2p.codeHash },
        p2g: { address: market.addresses.p2g, code_hash: bundles.p2g.codeHash },
        operator: { uri: file.operator ?? '//Alice', address: market.operator },
        config_file: shown(options.configFile),
        config: toJsonSafe(await market.config()),
        timing: toJsonSafe(await market.timing()),
        deployed: {
          block_number: deployed.blockNumber,
          block_hash: deployed.blockHash,
          timestamp_ms: deployed.blockTime,
          time: new Date(deployed.blockTime).toISOString(),
          grid_deposit: toJsonSafe(funded?.value ?? 0n),
        },
        participants: [],
      };
    }

    record.money = money;

    if (options.registerDemo) {
      if (market.operator !== operator.address) {
        fail(`--register-demo: ${file.operator ?? '//Alice'} (${operator.address}) is not the ` +
          `operator of main ${market.address} (${market.operator})`);
      }
      record.participants = await registerDemo(market, operator, file.participants);
    }
    record.participant_count = await market.participantCount();

    const before = existsSync(options.recordFile) ? readFileSync(options.recordFile, 'utf8') : '';
    if (before !== `${JSON.stringify(record, null, 2)}\n`) {
      writeJson(options.recordFile, record);
      say(`wrote ${shown(options.recordFile)}`);
    } else {
      say(`${shown(options.recordFile)} is up to date`);
    }
  } finally {
    await api.disconnect();
  }
}

main().catch((error) => {
  const detail = error instanceof ContractError ? ` [${error.variant}]` : '';
  fail(`${error.message}${detail}`);
});
