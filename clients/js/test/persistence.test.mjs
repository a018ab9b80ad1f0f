/**
 * The market's state survives a node restart: starts its own substrate-contracts-node with
 * `scripts/node.sh start --base-path <tmp>` on port $MARKET_PERSIST_PORT (default 9977), deploys,
 * trades one interval in open mode (register, sell, buy with deposits, wait, fund the grid,
 * close), stops the node, starts it again on the same base path and reads the same state back,
 * the money in p2g included. The node is always stopped at the end.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { Market, REPO_ROOT, connect, monthKey, intervalStart } from '../src/market.mjs';
import { devAccounts, openConfig, registerAndOffer } from './scenario.mjs';

const PORT = process.env.MARKET_PERSIST_PORT || '9977';
const URL = `ws://127.0.0.1:${PORT}`;
const NODE_SH = path.join(REPO_ROOT, 'scripts', 'node.sh');
const run = promisify(execFile);

describe('market state across a node restart', { timeout: 300_000 }, () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'market-chain-'));
  const nodeDir = mkdtempSync(path.join(os.tmpdir(), 'market-node-'));
  const env = { ...process.env, MARKET_NODE_PORT: PORT, MARKET_NODE_DIR: nodeDir };
  const log = path.join(nodeDir, `node-${PORT}.log`);
  const node = (...args) => run(NODE_SH, args, { env });
  let api;
  let failed = false;

  before(async () => {
    await node('start', '--base-path', base);
  });

  after(async () => {
    await api?.disconnect().catch(() => {});
    await node('stop').catch((error) => process.stderr.write(`node.sh stop: ${error.message}\n`));
    if (failed && existsSync(log)) {
      process.stderr.write(`--- tail of ${log}\n${readFileSync(log, 'utf8').split('\n')
        .slice(-30).join('\n')}\n`);
    }
    rmSync(base, { recursive: true, force: true });
    rmSync(nodeDir, { recursive: true, force: true });
  });

  it('reads back the same results, trades, bills, participants and config', async (t) => {
    try {
      const accounts = devAccounts();
      const { alice, bob, charlie, dave, eve } = accounts;
      api = await connect(URL);
      const { market } = await Market.deploy(api, alice, openConfig(6_000));
      const { interval, timing } = await registerAndOffer(market, accounts);
      await market.waitUntilEnded(alice, interval);
      await market.fundGrid(alice, 1_000_000n);
      const closed = await market.closeInterval(eve, interval);
      t.diagnostic(`interval ${interval} closed in block ${closed.blockNumber}`);

      /** Everything a user could ask the market about the traded interval. */
      const snapshot = async (m) => ({
        addresses: m.addresses,
        operator: await m.operatorAccount(),
        config: await m.config(),
        timing: await m.timing(),
        participantCount: await m.participantCount(),
        participants: await Promise.all([bob, charlie, dave, eve].map((who) => m.participant(who))),
        state: await m.intervalState(interval),
        result: await m.intervalResult(interval),
        offers: await m.offerCount(interval),
        trades: await m.trades(interval),
        bills: await Promise.all([bob, charlie, dave].map((who) => m.bill(who, interval))),
        monthly: await Promise.all([bob, charlie, dave].map((who) =>
          m.monthlyBill(who, monthKey(intervalStart(timing, interval))))),
        credits: await Promise.all([alice, bob, charlie, dave].map((who) => m.creditOf(who))),
        ledger: await m.ledger(),
      });
      const before = await snapshot(market);
      // The interval really was traded, so the comparison below compares something.
      assert.equal(before.state, 'Cleared');
      assert.equal(before.participantCount, 3);
      assert.equal(before.trades.length, 1);
      assert.equal(before.result.price, 123_457n);
      assert.ok(before.bills.every((bill) => bill !== null));
      assert.equal(before.credits[1], 289_505n, "Bob's credit");
      assert.equal(before.ledger.grid_deposit, 1_000_000n - 137_160n);
      const height = (await api.rpc.chain.getHeader()).number.toNumber();

      await api.disconnect();
      api = undefined;
      await node('stop');
      await node('start', '--base-path', base);
      api = await connect(URL);

      const restartedHeight = (await api.rpc.chain.getHeader()).number.toNumber();
      assert.equal(restartedHeight, height, 'the chain resumes at the same block');
      const reopened = await Market.at(api, market.address);
      assert.deepEqual(await snapshot(reopened), before);

      // The restarted chain goes on: a new block builds on the old ones, and the market still
      // refuses to clear the interval twice.
      await reopened.openInterval(alice);
      assert.ok((await api.rpc.chain.getHeader()).number.toNumber() > height);
      await assert.rejects(reopened.closeInterval(eve, interval), { variant: 'AlreadyCleared' });
    } catch (error) {
      failed = true;
      throw error;
    }
  });
});
