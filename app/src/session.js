/**
 * The page's connection to the market: the deployment record and bundles served next to the
 * app (`market/deployment.json`, `market/<name>.contract`, put there by scripts/app.sh), the
 * node (the record's `url`, or `?node=ws://…`), main attached with the client's `Market.at`,
 * which refuses a market whose main, p2p or p2g runs other code than these bundles
 * (`verifyDeployment`: a `DeploymentMismatch` naming the contract), and the accounts that can
 * sign: the dev chain's well-known accounts, and those of a browser
 * extension (polkadot.js, Talisman, SubWallet, …) when one is installed. The money unit: the
 * chain's token (symbol and decimals from its properties, or polkadot.js' defaults) and the
 * record's exchange assumption (`money`, which scripts/deploy.sh copies from the deployment
 * config; a record without one gets the default tariff's reading, 1 unit = 1 µEUR, and the page
 * says so).
 */
import {
  CONTRACT_NAMES,
  DEFAULT_MONEY,
  Market,
  account,
  bundleFromJson,
  chainTime,
  chainToken,
  connect,
  intervalAt,
  intervalStart,
  intervalState,
  makeBlock,
  parseMoney,
  verifyDeployment,
} from '../../clients/js/src/client.mjs';

/** The dev chain's endowed accounts (`substrate-contracts-node --dev`). */
const DEV_ACCOUNTS = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'];

async function fetchJson(path) {
  const response = await fetch(new URL(path, document.baseURI));
  if (!response.ok) {
    throw new Error(`cannot load ${path} (${response.status}): serve the app with scripts/app.sh, ` +
      'which puts the deployment record and the contract bundles next to it');
  }
  return response.json();
}

/**
 * Connects and attaches. Returns the session every view uses:
 * `{api, market, deployment, chain, codeHashes, money, moneyStated, token, accounts, names,
 * signer(), onChange()}`; `codeHashes` are those of main, p2p and p2g, verified against the
 * bundles served; `money` the exchange assumption (`moneyStated` false when the record names
 * none and the default is used), `token` the chain's `{symbol, decimals, reported}`.
 */
export async function open() {
  // ?deployment=NAME picks market/NAME.json among the staged records (default: deployment).
  const name = new URLSearchParams(location.search).get('deployment') ?? 'deployment';
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`?deployment=${name}: not a record name`);
  const deployment = await fetchJson(`market/${name}.json`);
  const moneyStated = deployment.money !== undefined && deployment.money !== null;
  const money = moneyStated ? parseMoney(deployment.money) : DEFAULT_MONEY;
  const bundles = Object.fromEntries(await Promise.all(CONTRACT_NAMES.map(async (name) => [
    name, bundleFromJson(name, await fetchJson(`market/${name}.contract`), `market/${name}.contract`),
  ])));
  const url = new URLSearchParams(location.search).get('node') ?? deployment.url;
  const api = await connect(url);
  const genesis = api.genesisHash.toHex();
  if (deployment.chain?.genesis_hash && deployment.chain.genesis_hash !== genesis) {
    throw new Error(`the deployment record was made on another chain (genesis ` +
      `${deployment.chain.genesis_hash}); ${url} has ${genesis}: deploy again (scripts/deploy.sh)`);
  }
  // Market.at compares all three contracts' code with the bundles (verifyDeployment) and
  // throws a DeploymentMismatch naming any that differs; its hashes are kept for the page.
  const market = await Market.at(api, deployment.main.address, { bundles });
  const codeHashes = await verifyDeployment(market, bundles);
  const chain = (await api.rpc.system.chain()).toString();
  const ss58 = api.registry.chainSS58 ?? 42;

  const accounts = [];
  // Dev accounts only on a development chain: their keys are public.
  if (/development|local/i.test(chain)) {
    for (const name of DEV_ACCOUNTS) {
      const pair = account(`//${name}`, ss58);
      accounts.push({ name, address: pair.address, signer: pair, dev: true });
    }
  }
  accounts.push(...await extensionAccounts(ss58));
  const names = new Map(accounts.map(({ name, address }) => [address, name]));
  names.set(market.addresses.main, 'main');
  names.set(market.addresses.p2p, 'p2p');
  names.set(market.addresses.p2g, 'p2g');

  const listeners = new Set();
  const session = {
    api,
    market,
    deployment,
    url,
    chain,
    codeHashes,
    money,
    moneyStated,
    token: chainToken(api),
    accounts,
    names,
    selected: accounts.find(({ address }) => address === new URLSearchParams(location.search)
      .get('account')) ?? accounts[0] ?? null,
    /** Calls `listener` on every new block (and when the account changes). */
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    notify() {
      for (const listener of listeners) listener();
    },
    /** The selected account's signer, or an error saying none is selected. */
    signer() {
      if (!session.selected) throw new Error('no account: install a wallet extension or use a dev chain');
      return session.selected.signer;
    },
    /** The market's timing and the interval open by the wall clock, with its end. */
    async clock() {
      const timing = await market.timing();
      const now = BigInt(Date.now());
      const interval = intervalAt(timing, now);
      return { timing, now, interval, endsAt: interval === null ? null : intervalStart(timing, interval + 1n) };
    },
    /**
     * The state `interval` is in by the wall clock, which the next block will see: a dev
     * node's chain clock stands still between blocks, so `interval_state` (`chainState`) can lag
     * behind. Only `Cleared` is taken from the chain. Sealed mode has the reveal window. The
     * rule is the client's `intervalState` (Rust's `Timing::state`).
     */
    effectiveState(chainState, interval, { timing, now }, sealing) {
      return intervalState(timing, interval, now, sealing?.reveal_ms ?? 0n, chainState === 'Cleared');
    },
    /**
     * Brings the chain's clock up to the wall clock before a time-sensitive call. A dev node
     * seals a block only when a transaction arrives, so its last block, whose time every query
     * and dry run reads, may be minutes old: a dev account (the selected one if it is one, so
     * that an extension is not asked to sign a remark) then makes a block (an empty remark). A
     * chain that makes blocks on its own needs nothing, and has no dev accounts here.
     */
    async catchUp() {
      const maker = session.selected?.dev ? session.selected : accounts.find(({ dev }) => dev);
      if (!maker) return;
      const lag = Date.now() - await chainTime(api);
      if (lag > 1000) await makeBlock(api, maker.signer);
    },
  };
  await api.rpc.chain.subscribeNewHeads(() => session.notify());
  return session;
}

/** Accounts of an injected wallet, if the browser has one; none otherwise (never a prompt loop). */
async function extensionAccounts(ss58) {
  if (!globalThis.injectedWeb3 || Object.keys(globalThis.injectedWeb3).length === 0) return [];
  const { web3Accounts, web3Enable, web3FromSource } = await import('@polkadot/extension-dapp');
  const extensions = await web3Enable('Hybrid P2P electricity market');
  if (extensions.length === 0) return [];
  const found = await web3Accounts({ ss58Format: ss58 });
  return Promise.all(found.map(async ({ address, meta }) => ({
    name: `${meta.name ?? address.slice(0, 8)} (${meta.source})`,
    address,
    signer: { address, signer: (await web3FromSource(meta.source)).signer },
    dev: false,
  })));
}
