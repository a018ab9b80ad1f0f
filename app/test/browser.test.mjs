/**
 * The DApp in headless Chromium against a real substrate-contracts-node (scripts/app-tests.sh
 * starts the node, deploys app/test/market.json and app/test/sealed.json and serves the built
 * app). Through the page only, as a user would: Alice (the operator) registers Bob in area 0 and
 * Charlie in area 1; Bob posts a sell and Charlie a buy in the same interval; after it ends,
 * Close on the status view clears it; Charlie's and Bob's bills and the trade are read off the
 * page. Then the same offers in the sealed market: committed, revealed in the window, closed.
 * Then a wallet extension (injected as real ones are) whose account signs through it; the
 * operator's changes (a configuration that applies from the next interval, grid funding, a
 * removal); and three gigawatt-hours of feed-in that the grid deposit cannot pay, shown as
 * claims and paid when the operator funds the grid; and a metered market in which Bob's sell
 * pays its imbalance bond, his meter (Eve) and the metering operator (Ferdie) submit readings
 * on the metering view (Ferdie refused for Bob with NotMeter), and Bob reads his cleared
 * against his metered energy, his imbalance line and the month's totals. Every figure the page
 * shows is checked against the chain, read independently with the Node.js client, and the P2P
 * figures against the market's rules by hand. Every amount is shown in the currency of the
 * record's exchange assumption (µEUR for the open and metered markets, 1 USD = 1 250 000 units for
 * the sealed one), checked by the test's own arithmetic; the header names the assumption and the
 * chain's token; offer and close fees are checked against the chain's TransactionFeePaid, in
 * the token, in EUR and per kWh. Bad input is shown as typed errors with their
 * meaning (AlreadyRegistered, NotRegistered) or stopped by the form before any transaction.
 * A screenshot of each view goes to $MARKET_APP_ARTIFACTS.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { chromium } from 'playwright-core';

import { Market, account, connect, intervalStart, loadBundles, submit } from '../../clients/js/src/market.mjs';

const APP_URL = process.env.APP_URL;
const record = (name) => JSON.parse(readFileSync(path.join(process.env.MARKET_DEPLOYMENTS, `${name}.json`), 'utf8'));
/** The open market (the page's default record) and the sealed one (`?deployment=sealed`). */
const deployment = record('market');
const sealedDeployment = record('sealed');
const artifacts = process.env.MARKET_APP_ARTIFACTS;

const alice = account('//Alice');
const bob = account('//Bob');
const charlie = account('//Charlie');
const dave = account('//Dave');

/** The offers of the test: Bob sells 1.5 kWh at 100 000 per kWh, Charlie buys 2 kWh. */
const SELL_WH = 1500n;
const ASK = 100_000n;
const BUY_WH = 2000n;

let browser;
let page;
let api;
let market;
let sealedMarket;
const consoleErrors = [];

before(async () => {
  browser = await chromium.launch({ executablePath: process.env.MARKET_CHROMIUM, headless: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  api = await connect(deployment.url);
  market = await Market.at(api, deployment.main.address, { bundles: loadBundles() });
  sealedMarket = await Market.at(api, sealedDeployment.main.address, { bundles: loadBundles() });
});

after(async () => {
  await browser?.close();
  await api?.disconnect();
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Opens a view as an account (of the open market, or `?deployment=NAME`) and waits until it has rendered. */
async function visit(view, who, { deployment: name } = {}) {
  await page.goto(`${APP_URL}?account=${who.address}${name ? `&deployment=${name}` : ''}#/${view}`);
  await ready();
}

async function ready() {
  await page.locator('#view[data-ready="true"]').waitFor({ timeout: 30_000 });
}

async function screenshot(name) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

/** Text of the first element matching a test id. */
const text = (testid) => page.getByTestId(testid).first().innerText();

/** Waits for the outcome of a form: the success box or the error box inside `container`. */
async function outcome(container) {
  const box = page.getByTestId(container).locator('[data-testid="ok"], [data-testid="error"]');
  await box.first().waitFor({ timeout: 60_000 });
  return box.first();
}

const kwh = (wh) => `${(wh / 1000n).toString()}.${(wh % 1000n).toString().padStart(3, '0')} kWh`;
const grouped = (n) => BigInt(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009');
/** A RegExp source matching `text` literally. */
const esc = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Units in a currency of `per` units (2^a * 5^b: exact decimals) as the page shows them, by the
 * test's own arithmetic: at least two decimals, trailing zeros dropped, `−` before a negative.
 */
function inCurrency(n, per, name) {
  const value = BigInt(n);
  const magnitude = value < 0n ? -value : value;
  let decimals = 0n;
  while ((10n ** decimals) % per !== 0n) decimals += 1n;
  const scaled = (magnitude * 10n ** decimals) / per;
  const fraction = (scaled % 10n ** decimals).toString().padStart(Number(decimals), '0')
    .replace(/0+$/, '').padEnd(2, '0');
  return `${value < 0n ? '−' : ''}${grouped(scaled / 10n ** decimals)}.${fraction} ${name}`;
}
/** The open and metered markets' assumption (app/test/market.json's money): 1 unit = 1 µEUR. */
const eur = (n) => inCurrency(n, 1_000_000n, 'EUR');
/** The sealed market's (app/test/sealed.json): 1 USD = 1 250 000 units. */
const usd = (n) => inCurrency(n, 1_250_000n, 'USD');
/** An amount with its units, as the page's messages show it: `0.15 EUR (150 000 units)`. */
const withUnits = (n) => `${eur(n)} (${grouped(n)} units)`;
/** Units in the dev chain's token (polkadot.js' defaults: Unit, 12 decimals), exactly. */
function unitToken(n) {
  const value = BigInt(n);
  const fraction = (value % 10n ** 12n).toString().padStart(12, '0').replace(/0+$/, '');
  return `${grouped(value / 10n ** 12n)}${fraction ? `.${fraction}` : ''} Unit`;
}
/** A fee per kWh under µEUR: fee * 1000 / (Wh * 10^6), six decimals, truncated and marked ≈. */
function eurPerKwh(fee, wh) {
  const numerator = fee * 1000n * 10n ** 6n;
  const denominator = wh * 1_000_000n;
  const scaled = numerator / denominator;
  const fraction = (scaled % 10n ** 6n).toString().padStart(6, '0').replace(/0+$/, '').padEnd(2, '0');
  const exact = numerator % denominator === 0n;
  return `${exact ? '' : '≈ '}${grouped(scaled / 10n ** 6n)}.${fraction} EUR/kWh`;
}

/** The header's money line for the dev chain's token and a market's assumption sentence. */
const moneyLine = (assumption) => `${assumption} (polkadot.js' defaults: the node reports no token properties). ` +
  'Chain fees are charged in these units.';

/**
 * Checks the chain fee an ok box shows against the chain: the `TransactionFeePaid` of `payer` in
 * the block the box names, in the token and in EUR, and per kWh of `energyWh` when given.
 * Returns the fee (units).
 */
async function checkFee(box, payer, energyWh = null) {
  const shown = box.getByTestId('fee');
  const fee = BigInt(await shown.getAttribute('data-units'));
  const events = await api.query.system.events.at(await shown.getAttribute('data-block'));
  const paid = events.filter(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event) &&
    event.data[0].toString() === payer.address);
  assert.equal(paid.length, 1, 'one fee paid by the signer in that block');
  assert.equal(fee, paid[0].event.data[1].toBigInt() + paid[0].event.data[2].toBigInt());
  assert.ok(fee > 0n);
  assert.equal(await shown.innerText(), `${unitToken(fee)} = ${eur(fee)}`);
  if (energyWh !== null) assert.equal(await box.getByTestId('fee-per-kwh').innerText(), eurPerKwh(fee, energyWh));
  return fee;
}

/** On the operator view, as Alice: registers Bob in area 0 and Charlie in area 1. */
async function registerHomes(options) {
  await visit('operator', alice, options);
  for (const [who, area] of [[bob, '0'], [charlie, '1']]) {
    await page.getByTestId('register-account').selectOption(who.address);
    await page.getByTestId('register-area').fill(area);
    await page.getByTestId('register').click();
    const box = await outcome('register-result');
    assert.equal(await box.getAttribute('data-testid'), 'ok', await box.innerText());
  }
}

let interval;

test('the status view shows the market the record names', async () => {
  await visit('status', alice);
  assert.equal(await text('interval-length'), '30s');
  assert.equal(await text('mode'), 'open offers');
  assert.equal(await text('participants'), '0');
  // The money unit: the record's assumption (copied from app/test/market.json) and the token.
  assert.deepEqual(deployment.money, { currency: 'EUR', units_per_currency: 1_000_000 });
  assert.equal(await text('money-unit'), moneyLine(`Amounts in EUR: 1 unit = 1 µEUR (1 EUR = ${grouped(1_000_000n)} units) ` +
    'under this deployment\'s exchange assumption; the chain\'s token Unit has 12 decimals: 1 Unit = 10^12 units = ' +
    `${grouped(1_000_000n)}.00 EUR`));
  assert.match(await page.locator('#chain').innerText(), new RegExp(deployment.main.address.slice(0, 8)));
  // The page verified that main, p2p and p2g run the bundles' code.
  const hashes = await market.codeHashes();
  assert.equal(await text('code-verified'), `Code verified at load: main ${hashes.main.slice(0, 8)}…, ` +
    `p2p ${hashes.p2p.slice(0, 8)}…, p2g ${hashes.p2g.slice(0, 8)}…, as in the contract bundles served ` +
    'with this page (main\'s code_hashes).');
  await screenshot('1-status');
});

test('the operator registers two homes; a second registration shows the typed error', async () => {
  await registerHomes();
  await page.getByTestId('area-Charlie').filter({ hasText: '1' }).waitFor();
  assert.equal(await text('area-Bob'), '0');
  assert.equal((await market.participant(bob)).area, 0);
  assert.equal((await market.participant(charlie)).area, 1);

  await page.getByTestId('register-account').selectOption(bob.address);
  await page.getByTestId('register').click();
  const box = await outcome('register-result');
  assert.equal(await box.getByTestId('error-code').innerText(), 'AlreadyRegistered');
  assert.equal(await box.getByTestId('error-meaning').innerText(), 'The account is registered already.');
  await screenshot('2-operator');
});

test('Bob sells and Charlie buys in one interval; bad offers never reach the chain', async () => {
  interval = await freshInterval(deployment, 25_000n);

  await visit('offers', dave);
  await page.getByTestId('energy').fill('1000');
  await page.getByTestId('price').fill(ASK.toString());
  // The ask is typed in balance units per kWh; the form shows it in EUR.
  assert.equal(await text('price-shown'), '= 0.10 EUR/kWh');
  assert.match(await text('price-hint'), new RegExp(esc(`80${'\u2009'}000 to 400${'\u2009'}000 units per kWh (0.08 EUR/kWh to 0.40 EUR/kWh)`)));
  await page.getByTestId('submit-offer').click();
  let box = await outcome('offer-result');
  assert.equal(await box.getByTestId('error-code').innerText(), 'NotRegistered');
  assert.equal(await box.getByTestId('error-meaning').innerText(),
    'The caller (or the account named) is not a registered participant.');

  await visit('offers', bob);
  await page.getByTestId('energy').fill(SELL_WH.toString());
  await page.getByTestId('price').fill('5'); // below the tariff's min_price
  await page.getByTestId('submit-offer').click();
  box = await outcome('offer-result');
  assert.equal(await box.getByTestId('error-code').innerText(), 'RangeError');
  assert.match(await box.getByTestId('error-meaning').innerText(), /^Ask: 5 is outside 80.000…400.000$/);
  assert.equal(await market.offerCount(interval), 0, 'a refused form sends nothing');

  // A first sell, cancelled from the list of offers, then the real one.
  await page.getByTestId('energy').fill('1000');
  await page.getByTestId('price').fill(ASK.toString());
  await page.getByTestId('submit-offer').click();
  box = await outcome('offer-result');
  assert.match(await box.innerText(), new RegExp(`Sell offer accepted for interval #${interval}`));
  assert.equal(await market.offerCount(interval), 1);
  await page.getByTestId(`cancel-${interval}`).click();
  box = await outcome('offer-action-result');
  assert.match(await box.innerText(), new RegExp(`Offer for interval #${interval} cancelled`));
  assert.equal(await market.offerCount(interval), 0);
  await page.getByTestId(`offer-state-${interval}`).filter({ hasText: 'cancelled' }).waitFor();

  await page.getByTestId('energy').fill(SELL_WH.toString());
  await page.getByTestId('submit-offer').click();
  await page.getByTestId('offer-result').getByText(`Sell offer accepted for interval #${interval}`).waitFor();
  assert.equal(await market.offerCount(interval), 1);

  await visit('offers', charlie);
  await page.getByTestId('side').selectOption('Buy');
  await page.getByTestId('energy').fill(BUY_WH.toString());
  const deposit = await market.buyDeposit(interval, BUY_WH, null);
  await page.getByTestId('deposit').filter({ hasText: `Deposit paid with it: ${withUnits(deposit)}` }).waitFor();
  await page.getByTestId('submit-offer').click();
  box = await outcome('offer-result');
  assert.match(await box.innerText(), new RegExp(esc(`Buy offer accepted for interval #${interval}, deposit ${withUnits(deposit)}.`)));
  // The offer's chain fee, in the token and in EUR, and per kWh offered.
  await checkFee(box, charlie, BUY_WH);
  assert.equal(await market.offerCount(interval), 2);
  const row = page.getByTestId('my-offers').locator(`tr[data-interval="${interval}"]`);
  await row.filter({ hasText: eur(deposit) }).waitFor();
  assert.match(await row.innerText(), /Buy\s+2\.000 kWh\s+grid price\s+Open/);
  await screenshot('3-offers');
});

function timing(of = deployment) {
  return { start_ms: BigInt(of.timing.start_ms), interval_ms: BigInt(of.timing.interval_ms) };
}

/**
 * The interval open now if at least `needMs` of it is left, else (after waiting for it) the
 * next: so that every offer of a test lands in the same interval.
 */
async function freshInterval(of, needMs) {
  const now = BigInt(Date.now());
  const open = (now - timing(of).start_ms) / timing(of).interval_ms;
  const left = intervalStart(timing(of), open + 1n) - now;
  if (left >= needMs) return open;
  await sleep(Number(left) + 300);
  return open + 1n;
}

test('after the interval, Close on the status view clears it', async (t) => {
  await sleep(Number(intervalStart(timing(), interval + 1n) - BigInt(Date.now())) + 500);
  await visit('status', charlie);
  await page.getByTestId(`close-${interval}`).click();
  const box = await outcome('close-result');
  assert.match(await box.innerText(), new RegExp(`Interval #${interval} closed in 1 step\\(s\\): 1 trade\\(s\\)`));
  assert.match(await box.innerText(), new RegExp(esc(`P2P at ${eur(ASK)}/kWh.`)));
  // The close's chain fee, in the token and in EUR, and per kWh of what the interval settled
  // (1.5 kWh P2P and 0.5 kWh from the grid).
  const fee = await checkFee(box, charlie, BUY_WH);
  assert.match(await box.innerText(), new RegExp(esc(`of the ${kwh(BUY_WH)} settled)`)));
  t.diagnostic(`close fee ${fee} units: ${await box.getByTestId('fee').innerText()}, ` +
    `${await box.getByTestId('fee-per-kwh').innerText()} settled`);

  const result = await market.intervalResult(interval);
  assert.equal(result.price, ASK, 'uniform price = the lowest ask');
  assert.equal(result.p2p_volume_wh, SELL_WH);
  assert.equal(result.grid_import_wh, BUY_WH - SELL_WH);
  const row = page.getByTestId('intervals').locator(`tr[data-interval="${interval}"]`);
  await row.filter({ hasText: 'Cleared' }).waitFor();
  const cells = await row.locator('td').allInnerTexts();
  assert.deepEqual(cells.slice(2, 9), ['Cleared', `${eur(ASK)}/kWh`, kwh(SELL_WH),
    kwh(BUY_WH - SELL_WH), kwh(0n), '1', '2']);
  await screenshot('4-status-closed');
});

test('Charlie reads the trade and the bill; Bob reads his earnings', async () => {
  await visit('bills', charlie);
  const bill = await market.bill(charlie, interval);
  const payment = (SELL_WH * ASK) / 1000n;
  const fee = (SELL_WH * 1000n) / 1000n; // 1 000 per kWh for one area step
  assert.equal(bill.p2p_paid, payment);
  assert.equal(bill.fees_paid, fee);
  assert.equal(bill.grid_bought_wh, BUY_WH - SELL_WH);
  const row = page.getByTestId('interval-bills').locator('tbody tr').filter({ hasText: `#${interval}` });
  assert.deepEqual((await row.locator('td').allInnerTexts()).slice(1), [
    kwh(SELL_WH), eur(payment), eur(fee), kwh(0n), eur(0n), kwh(BUY_WH - SELL_WH),
    eur(bill.grid_paid), kwh(0n), eur(0n), eur(payment + fee + bill.grid_paid)]);
  // 150 000 units paid and 1 500 units of fee read as 0.15 EUR and 0.0015 EUR under µEUR; each
  // amount keeps its units (data-units, and the tooltip with the token figure).
  assert.deepEqual([eur(payment), eur(fee)], ['0.15 EUR', '0.0015 EUR']);
  const paidCell = row.locator('td').nth(2).locator('[data-units]');
  assert.equal(await paidCell.getAttribute('data-units'), payment.toString());
  assert.equal(await paidCell.getAttribute('title'), `${grouped(payment)} units = 0.00000015 Unit`);
  assert.match(await text('bills-unit'), /^Amounts in EUR under the exchange assumption in the header/);
  const month = await page.getByTestId('monthly-bills').locator('tbody tr').first().locator('td').allInnerTexts();
  const monthly = await market.monthlyBill(charlie, Number(month[0].replace('-', '')));
  assert.equal(month.at(-1), eur(monthly.p2p_paid + monthly.fees_paid + monthly.grid_paid));
  const trade = await page.getByTestId('trades').locator('tbody tr').first().locator('td').allInnerTexts();
  assert.deepEqual(trade, [`#${interval}`, 'bought', 'Bob', '1', kwh(SELL_WH), `${eur(ASK)}/kWh`,
    eur(payment), eur(fee)]);
  // One bar pair per interval of the span; Charlie paid in one interval and earned in none.
  const bars = await page.getByTestId('bill-chart').locator('rect').evaluateAll((rects) =>
    rects.filter((rect) => Number(rect.getAttribute('height')) > 0).map((rect) => rect.getAttribute('class')));
  assert.deepEqual(bars, ['paid']);
  const credit = await market.creditOf(charlie);
  assert.equal(await text('credit'), eur(credit));
  assert.ok(credit > 0n, 'the unused part of the deposit is credited back');
  await screenshot('5-bills');

  await page.getByTestId('withdraw').click();
  const box = await outcome('withdraw-result');
  assert.match(await box.innerText(), new RegExp(esc(`Withdrew ${withUnits(credit)} to your account.`)));
  assert.equal(await market.creditOf(charlie), 0n);

  await visit('bills', bob);
  const sold = await page.getByTestId('interval-bills').locator('tbody tr').filter({ hasText: `#${interval}` })
    .locator('td').allInnerTexts();
  assert.equal(sold[4], kwh(SELL_WH));
  assert.equal(sold[5], eur(payment));
  assert.equal(sold.at(-1), `−${eur(payment)}`);
  assert.equal(await text('credit'), eur(await market.creditOf(bob)));
});

test('sealed market: commit in the interval, reveal in the window, close after it', async () => {
  const SEALED = { deployment: 'sealed' };
  await registerHomes(SEALED);

  const sealedInterval = await freshInterval(sealedDeployment, 15_000n);
  const commit = async (who, side, energy, limit) => {
    await visit('offers', who, SEALED);
    await page.getByTestId('side').selectOption(side);
    await page.getByTestId('energy').fill(energy.toString());
    await page.getByTestId('price').fill(limit.toString());
    await page.getByTestId('submit-offer').click();
    const box = await outcome('offer-result');
    assert.match(await box.innerText(), new RegExp(`Committed a sealed ${side.toLowerCase()} for interval #${sealedInterval}`));
    const escrow = await sealedMarket.escrowOf(who, sealedInterval);
    assert.match(escrow.sealed, /^0x[0-9a-f]{64}$/, 'the chain holds only the commitment');
  };
  await commit(bob, 'Sell', SELL_WH, ASK);
  // A second commitment is refused; the first one's salt stays in the browser (revealed below).
  await page.getByTestId('submit-offer').click();
  const refused = await outcome('offer-result');
  assert.equal(await refused.getByTestId('error-code').innerText(), 'OfferExists');
  await commit(charlie, 'Buy', BUY_WH, 300_000n);
  assert.equal(await sealedMarket.offerCount(sealedInterval), 0, 'nothing is in the book before the reveal');

  const end = intervalStart(timing(sealedDeployment), sealedInterval + 1n);
  await sleep(Number(end - BigInt(Date.now())) + 300);
  for (const who of [bob, charlie]) {
    await visit('offers', who, SEALED);
    await page.getByTestId(`reveal-${sealedInterval}`).click();
    const done = await outcome('offer-action-result');
    assert.match(await done.innerText(), new RegExp(`Offer for interval #${sealedInterval} revealed`));
  }
  assert.equal(await sealedMarket.offerCount(sealedInterval), 2);
  await page.getByTestId(`offer-state-${sealedInterval}`).filter({ hasText: 'revealed' }).waitFor();
  await screenshot('6-offers-sealed');

  const closable = end + BigInt(sealedDeployment.config.sealing.reveal_ms);
  await sleep(Number(closable - BigInt(Date.now())) + 300);
  await visit('status', bob, SEALED);
  // The sealed market's record names another assumption (1 USD = 1 250 000 units): the page uses it.
  assert.equal(await text('mode'), `sealed (reveal 10s, bond ${usd(100_000n)}/kWh, forfeit 50 %, at least ${usd(10_000n)})`);
  assert.equal(await text('mode'), 'sealed (reveal 10s, bond 0.08 USD/kWh, forfeit 50 %, at least 0.008 USD)');
  assert.equal(await text('money-unit'), moneyLine(`Amounts in USD: 1 unit = 0.0000008 USD (1 USD = ${grouped(1_250_000n)} ` +
    'units) under this deployment\'s exchange assumption; the chain\'s token Unit has 12 decimals: 1 Unit = 10^12 units = ' +
    `${grouped(800_000n)}.00 USD`));
  await page.getByTestId(`close-${sealedInterval}`).click();
  const box = await outcome('close-result');
  assert.match(await box.innerText(), new RegExp(`Interval #${sealedInterval} closed in 1 step\\(s\\): 1 trade\\(s\\)`));
  const result = await sealedMarket.intervalResult(sealedInterval);
  assert.equal(result.price, ASK);
  assert.equal(result.p2p_volume_wh, SELL_WH);
  await screenshot('7-status-sealed');
});

test('a wallet extension\'s account is listed and signs through the extension', async () => {
  // A wallet injected through the standard `injectedWeb3` interface, as polkadot.js, Talisman or
  // SubWallet inject themselves; it signs here in the test process with //TestWallet's key.
  const wallet = account('//TestWallet');
  await submit(api, api.tx.balances.transferKeepAlive(wallet.address, 10n ** 15n), alice);
  let signed = 0;
  await page.exposeFunction('testWalletSignPayload', (payload) => {
    signed += 1;
    const extrinsic = api.registry.createType('ExtrinsicPayload', payload, { version: payload.version });
    return extrinsic.sign(wallet).signature;
  });
  await page.addInitScript(({ address }) => {
    const accounts = [{ address, name: 'Wallet', type: 'sr25519' }];
    window.injectedWeb3 = {
      'test-wallet': {
        version: '1.0.0',
        enable: async () => ({
          accounts: { get: async () => accounts, subscribe: (cb) => { cb(accounts); return () => {}; } },
          signer: { signPayload: async (payload) => ({ id: 1, signature: await window.testWalletSignPayload(payload) }) },
        }),
      },
    };
  }, { address: wallet.address });

  // The operator registers it by address ("Other address…").
  await visit('operator', alice);
  await page.getByTestId('register-account').selectOption('');
  await page.getByTestId('register-address').fill(wallet.address);
  await page.getByTestId('register-area').fill('2');
  await page.getByTestId('register').click();
  const registered = await outcome('register-result');
  assert.equal(await registered.getAttribute('data-testid'), 'ok', await registered.innerText());
  assert.equal((await market.participant(wallet)).area, 2);
  assert.equal(signed, 0, 'Alice signs with her dev key, not through the wallet');

  const open = await freshInterval(deployment, 8_000n);
  await visit('offers', wallet);
  const picked = await page.locator('#account option:checked').innerText();
  assert.match(picked, /^Wallet \(test-wallet\)/);
  await page.getByTestId('energy').fill('500');
  await page.getByTestId('price').fill(ASK.toString());
  await page.getByTestId('submit-offer').click();
  const box = await outcome('offer-result');
  assert.match(await box.innerText(), new RegExp(`Sell offer accepted for interval #${open}`));
  assert.equal(signed, 1, 'the offer was signed by the wallet');
  assert.equal(await market.offerCount(open), 1);
});

test('the operator funds the grid, changes the configuration and removes a participant', async () => {
  // Refusals first: a non-operator, then text that is not JSON (stopped before signing).
  await visit('operator', bob);
  await page.getByTestId('update-config').click();
  let box = await outcome('config-result');
  assert.equal(await box.getByTestId('error-code').innerText(), 'NotOperator');
  assert.equal(await box.getByTestId('error-meaning').innerText(), 'Only the operator may do this.');

  await visit('operator', alice);
  const editor = page.getByTestId('config-json');
  const shown = JSON.parse(await editor.inputValue());
  assert.equal(shown.auction.grid_fee_per_kwh_step, 1000);
  await editor.fill('{ "interval_ms": ');
  await page.getByTestId('update-config').click();
  box = await outcome('config-result');
  assert.equal(await box.getByTestId('error-code').innerText(), 'SyntaxError');

  shown.auction.grid_fee_per_kwh_step = 2000;
  await editor.fill(JSON.stringify(shown, null, 2));
  await page.getByTestId('update-config').click();
  box = await outcome('config-result');
  // The update governs the intervals from the next one on; the open one keeps its fee.
  const [, fromText] = (await box.innerText()).match(/^Configuration updated: it governs the intervals from #(\d+) on/);
  const from = BigInt(fromText);
  assert.equal((await market.config()).auction.grid_fee_per_kwh_step, 2000n);
  assert.equal((await market.configAt(from)).auction.grid_fee_per_kwh_step, 2000n);
  assert.equal((await market.configAt(from - 1n)).auction.grid_fee_per_kwh_step, 1000n);
  if (BigInt(Date.now()) + 3000n < intervalStart(timing(), from)) {
    // Still in the interval of the update: the page says what is pending.
    await page.getByTestId('config-pending').filter({ hasText: `from #${from} on` }).waitFor();
    assert.equal(JSON.parse(await page.getByTestId('config-in-force').textContent())
      .auction.grid_fee_per_kwh_step, 1000);
  }

  const before = (await market.ledger()).grid_deposit;
  await page.getByTestId('fund-amount').fill('12345');
  await page.getByTestId('fund').click();
  assert.equal(await text('fund-shown'), `= ${withUnits(12345n)}`);
  assert.equal(await text('fund-shown'), '= 0.012345 EUR (12\u2009345 units)');
  await page.getByText(`Grid deposit now ${withUnits(before + 12345n)}.`).waitFor();
  assert.equal((await market.ledger()).grid_deposit, before + 12345n);

  const wallet = account('//TestWallet');
  await page.locator('tr[data-account="Wallet (test-wallet)"]').getByRole('button', { name: 'Remove' }).click();
  box = await outcome('remove-result');
  assert.match(await box.innerText(), /^Removed Wallet \(test-wallet\)\./);
  assert.equal(await market.participant(wallet), null);
  await page.getByTestId('area-Wallet (test-wallet)').filter({ hasText: 'not registered' }).waitFor();
  await screenshot('8-operator-after');
});

test('feed-in the grid deposit cannot pay is owed to its seller, shown, and paid by funding', async () => {
  // Three sellers of a gigawatt-hour each at the highest ask, and one small buy that sets the
  // P2P price, hence the feed-in price: 3 GWh of feed-in at 400 000 per kWh is 1.2 * 10^12
  // units, more than the 10^12 the deployment put in the grid deposit.
  const eve = account('//Eve');
  const ferdie = account('//Ferdie');
  const GWH = 1_000_000_000n;
  // Connections that carry a gigawatt-hour per interval: the default (43 kWh) would refuse
  // the offers with ExceedsCapacity.
  const plant = { export_wh: GWH, import_wh: GWH };
  await market.register(alice, dave, 2, plant);
  await market.register(alice, eve, 0, plant);
  await market.register(alice, ferdie, 1, plant);
  // A block first (openInterval), so that the chain's clock is the wall clock's.
  const { interval: open } = await market.openInterval(alice, { minRemainingMs: 10_000 });
  const sellers = { Dave: dave, Eve: eve, Ferdie: ferdie };
  for (const who of Object.values(sellers)) await market.sell(who, open, GWH, 400_000n);
  await market.buy(charlie, open, 1_000n, 500_000n);
  await market.waitUntilEnded(alice, open);
  const closed = await market.closeInterval(alice, open);
  const owedEvents = closed.events.filter(({ name }) => name === 'FeedInOwed');
  assert.ok(owedEvents.length > 0, 'the grid deposit ran short');
  const total = (await market.ledger()).claims;
  assert.equal(total, owedEvents.reduce((sum, { args }) => sum + args.amount, 0n));
  assert.equal((await market.ledger()).grid_deposit, 0n);
  const [name, seller] = Object.entries(sellers).find(([, who]) => who.address === owedEvents[0].args.account);
  const owed = await market.claimOf(seller);
  assert.ok(owed > 0n);

  await visit('bills', seller);
  assert.equal(await text('claim'), eur(owed));
  const creditBefore = await market.creditOf(seller);
  assert.equal(await text('credit'), eur(creditBefore));
  await screenshot('9-bills-claim');

  await visit('operator', alice);
  assert.equal(await text('ledger-claims'), eur(total));
  const row = page.getByTestId('claims').locator(`tr[data-claim="${seller.address}"]`);
  assert.deepEqual(await row.locator('td').allInnerTexts(), [name, `#${open}`, eur(owed)]);
  // Pay claims with an empty grid deposit pays nothing.
  await page.getByTestId('pay-claims').click();
  let box = await outcome('pay-claims-result');
  assert.match(await box.innerText(), new RegExp(`^No claim paid .* ${owedEvents.length} claim\\(s\\) still wait\\.`));
  // Funding pays the claims first, oldest first; one unit stays in the grid deposit.
  await page.getByTestId('fund-amount').fill((total + 1n).toString());
  await page.getByTestId('fund').click();
  await page.getByText(`Grid deposit now ${withUnits(1n)}. Paid ${owedEvents.length} feed-in claim(s) (${withUnits(total)}).`).waitFor();
  assert.equal(await market.claimOf(seller), 0n);
  assert.equal((await market.ledger()).claims, 0n);
  await page.getByTestId('ledger-claims').filter({ hasText: eur(0n) }).waitFor();
  await screenshot('10-operator-claims-paid');

  await visit('bills', seller);
  assert.equal(await page.getByTestId('claim').count(), 0);
  assert.equal(await text('credit'), eur(creditBefore + owed));
});

test('metering: a meter submits readings; the participant sees cleared against metered energy and its imbalances', async () => {
  // The metered market (?deployment=metered): homes with 5 000 Wh connections, Eve Bob's own
  // meter, Ferdie the metering operator (the configuration's metering.operator) for Charlie.
  const metered = record('metered');
  const METERED = { deployment: 'metered' };
  const meteredMarket = await Market.at(api, metered.main.address, { bundles: loadBundles() });
  const eve = account('//Eve');
  const ferdie = account('//Ferdie');
  assert.equal((await meteredMarket.config()).metering.operator, ferdie.address);
  const connection = { export_wh: 5_000n, import_wh: 5_000n };
  await meteredMarket.register(alice, bob, 0, connection);
  await meteredMarket.register(alice, charlie, 1, connection);
  await meteredMarket.setMeter(alice, bob, eve);

  // Bob sells 1 kWh through the page, which shows and pays his imbalance bond.
  const open = await freshInterval(metered, 12_000n);
  await visit('offers', bob, METERED);
  await page.getByTestId('energy').fill('1000');
  await page.getByTestId('price').fill(ASK.toString());
  const bond = await meteredMarket.imbalanceBond(open, bob, 'Sell', 1_000n);
  assert.ok(bond > 0n);
  await page.getByTestId('deposit').filter({ hasText: `${withUnits(bond)}, the imbalance bond included` }).waitFor();
  await page.getByTestId('submit-offer').click();
  let box = await outcome('offer-result');
  assert.match(await box.innerText(), new RegExp(esc(`Sell offer accepted for interval #${open}, deposit ${withUnits(bond)}.`)));
  const buy = await meteredMarket.buy(charlie, open, 800n);
  await meteredMarket.waitUntilEnded(alice, open);
  const { value: result } = await meteredMarket.closeInterval(alice, open);
  assert.equal(result.p2p_volume_wh, 800n);
  const imbalancePrice = (result.grid_price * 15_000n + 9_999n) / 10_000n;

  // As Eve, Bob's meter: he delivered 700 of the 1 000 Wh he sold (800 P2P, 200 to the grid).
  await visit('meter', eve, METERED);
  await page.getByTestId('meter-account').selectOption(bob.address);
  await page.getByTestId('meter-interval').fill(open.toString());
  await page.getByTestId('meter-delivered').fill('700');
  await page.getByTestId('meter-consumed').fill('0');
  await page.getByTestId('submit-reading').click();
  box = await outcome('reading-result');
  const charge = (300n * imbalancePrice + 999n) / 1000n;
  assert.match(await box.innerText(), new RegExp(esc(`Reading accepted for Bob in interval #${open}: 300 Wh short, charged ${eur(charge)}.`)));
  assert.deepEqual(await meteredMarket.reading(bob, open), { delivered_wh: 700n, consumed_wh: 0n });

  // Ferdie is not Bob's meter: the typed error with its meaning; he is Charlie's.
  await visit('meter', ferdie, METERED);
  await page.getByTestId('meter-account').selectOption(bob.address);
  await page.getByTestId('meter-interval').fill(open.toString());
  await page.getByTestId('meter-delivered').fill('1000');
  await page.getByTestId('submit-reading').click();
  box = await outcome('reading-result');
  assert.equal(await box.getByTestId('error-code').innerText(), 'NotMeter');
  assert.match(await box.getByTestId('error-meaning').innerText(), /^The caller is not the meter of the participant named/);
  await page.getByTestId('meter-account').selectOption(charlie.address);
  await page.getByTestId('meter-delivered').fill('0');
  await page.getByTestId('meter-consumed').fill('750');
  await page.getByTestId('submit-reading').click();
  await page.getByTestId('reading-result').locator('[data-testid="ok"]').waitFor({ timeout: 60_000 });
  const credit = (50n * ((result.feed_in_price * 5_000n) / 10_000n)) / 1000n;
  assert.match(await text('reading-result'), new RegExp(esc(`Reading accepted for Charlie in interval #${open}: 50 Wh long, credited ${eur(credit)}.`)));
  await page.getByTestId('meter-complete').filter({ hasText: 'complete' }).waitFor();
  assert.equal(await text('meter-metered'), '2');
  assert.equal(await text('meter-positions'), '2');
  assert.equal(await text('meter-short'), `${kwh(300n)} / ${eur(charge)}`);
  assert.equal(await text('meter-long'), `${kwh(50n)} / ${eur(credit)}`);
  await screenshot('11-meter');

  // Bob's view: cleared against metered energy, the imbalance line, the month's totals.
  await visit('meter', bob, METERED);
  const row = page.getByTestId('metering-intervals').locator(`tr[data-interval="${open}"]`);
  assert.deepEqual(await row.locator('td').allInnerTexts(), [`#${open}`, kwh(1_000n), kwh(0n), kwh(700n),
    kwh(0n), 'metered', kwh(300n), eur(charge), kwh(0n), eur(0n)]);
  const bill = await meteredMarket.bill(bob, open);
  assert.deepEqual([bill.imbalance_short_wh, bill.imbalance_paid], [300n, charge]);
  const month = await meteredMarket.monthlyBill(bob, monthKeyOf(timing(metered), open));
  const monthRow = await page.getByTestId('metering-months').locator('tbody tr').first().locator('td').allInnerTexts();
  assert.deepEqual(monthRow.slice(1), [kwh(month.imbalance_short_wh), eur(month.imbalance_paid),
    kwh(month.imbalance_long_wh), eur(month.imbalance_earned), eur(month.imbalance_paid - month.imbalance_earned)]);
  await screenshot('12-meter-participant');

  // The bills add the imbalance lines; the credit is the bond and earnings less the charge.
  await visit('bills', bob, METERED);
  const cells = await page.getByTestId('interval-bills').locator('tbody tr').filter({ hasText: `#${open}` })
    .locator('td').allInnerTexts();
  assert.deepEqual(cells.slice(10, 12), [eur(charge), eur(0n)]);
  const earned = bill.p2p_earned + bill.grid_earned;
  const netCost = charge - earned;
  assert.equal(cells.at(-1), eur(netCost));
  assert.equal(await meteredMarket.creditOf(bob), bond + earned - charge);
  assert.equal(await text('credit'), eur(bond + earned - charge));
  // Charlie's deposit less his P2P payment and fee, plus the credit for his 50 Wh.
  const paid = await meteredMarket.bill(charlie, open);
  assert.equal(paid.imbalance_earned, credit);
  assert.equal(await meteredMarket.creditOf(charlie), buy.paid - paid.p2p_paid - paid.fees_paid -
    paid.grid_paid + credit);
});

/** The UTC month key of an interval's start. */
function monthKeyOf(of, interval) {
  const start = new Date(Number(intervalStart(of, interval)));
  return start.getUTCFullYear() * 100 + start.getUTCMonth() + 1;
}

test('the page logged no errors of its own', () => {
  // Typed errors are shown, and logged with console.error by design: keep only the unexpected.
  const unexpected = consoleErrors.filter((line) => !/^(ContractError|RangeError|SyntaxError): /.test(line));
  assert.deepEqual(unexpected, []);
});
