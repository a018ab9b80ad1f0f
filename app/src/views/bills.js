/**
 * My trades and bills: the selected account's bill for each recent interval (P2P bought and
 * sold, network fees, grid energy), a chart of what it paid and earned per interval, its
 * monthly bills, its P2P trades, and its credit in p2g with a Withdraw button, and the feed-in
 * the grid operator still owes it (p2g's `claim_of`: feed-in the grid deposit could not pay at
 * the close, credited as the grid is funded).
 *
 * A bill's lines are main's `Bill`; paid = P2P paid + fees + grid paid (+ imbalance paid),
 * earned = P2P earned + grid earned (+ imbalance earned), all in balance units, exactly as the
 * contracts computed them (no rounding here), shown in the currency of the deployment's exchange
 * assumption (each amount's balance units in its tooltip and `data-units`). In a metered market
 * the tables add the imbalance lines (the metering view shows them against the meter's readings).
 */
import { intervalStart, monthKey, monthOfKey } from '../../../clients/js/src/client.mjs';
import { billChart } from '../chart.js';
import { amount, changed, h, int, kwh, money, moneyAndUnits, price, run, thead, utc, who } from '../ui.js';

/** How many intervals back the page reads bills (one query each). */
const SPAN = 24;

let current = null;

const paidOf = (bill) => bill.p2p_paid + bill.fees_paid + bill.grid_paid + bill.imbalance_paid;
const earnedOf = (bill) => bill.p2p_earned + bill.grid_earned + bill.imbalance_earned;

export async function render(session, root) {
  const body = h('div', { 'data-testid': 'bills' }, h('div', { class: 'muted' }, 'Reading bills…'));
  const credit = h('div', {});
  const withdrawOut = h('div', { 'data-testid': 'withdraw-result' });
  root.replaceChildren(h('h2', {}, 'My trades and bills'),
    h('p', { class: 'muted', 'data-testid': 'bills-unit' }, `Amounts in ${session.money.currency} under the `,
      'exchange assumption in the header, as the contracts computed them in balance units (hover an amount ',
      'for its units and token figure).'),
    h('div', { class: 'panel', 'data-testid': 'credit-panel' }, credit, withdrawOut), body);
  const metered = (await session.market.config()).metering !== null;
  current = { session, body, credit, withdrawOut, metered, shown: '' };
  await refresh();
}

export async function refresh() {
  const { session, body, credit, withdrawOut, metered } = current;
  const { market } = session;
  const account = session.selected?.address;
  if (!account) {
    body.replaceChildren(h('p', {}, 'Select an account.'));
    return;
  }
  const { timing, interval } = await session.clock();
  const last = interval ?? -1n;
  const intervals = [];
  for (let i = last; i >= 0n && i > last - BigInt(SPAN); i -= 1n) intervals.unshift(i);
  const [bills, available, owed] = await Promise.all([
    Promise.all(intervals.map((i) => market.bill(account, i))),
    market.creditOf(account),
    market.claimOf(account),
  ]);
  const billed = intervals.map((i, k) => ({ interval: i, bill: bills[k] })).filter(({ bill }) => bill);
  const months = [...new Set(intervals.map((i) => monthKey(intervalStart(timing, i))))];
  const monthly = await Promise.all(months.map((month) => market.monthlyBill(account, month)));
  const trades = (await Promise.all(billed
    .filter(({ bill }) => bill.p2p_bought_wh > 0n || bill.p2p_sold_wh > 0n)
    .map(async ({ interval: i }) => (await market.tradesOf(i, account)).map((trade) => ({ interval: i, ...trade })))))
    .flat();
  if (!changed(current, [account, available, owed, billed, monthly, trades.length])) return;

  const withdrawForm = h('form', {}, h('button', { type: 'submit', 'data-testid': 'withdraw',
    disabled: available === 0n }, 'Withdraw'));
  withdrawForm.addEventListener('submit', (event) => {
    event.preventDefault();
    run(withdrawForm, withdrawOut, () => market.withdraw(session.signer()),
      (done) => `Withdrew ${moneyAndUnits(done.value)} to your account.`).then(() => refresh());
  });
  credit.replaceChildren(
    h('div', {}, 'Credit in p2g: ', h('strong', { 'data-testid': 'credit' }, amount(available)),
      h('span', { class: 'muted' }, ' — refunds of unused deposits and earnings, yours to withdraw.')),
    owed > 0n
      ? h('div', { 'data-testid': 'claim-line' }, 'Feed-in owed to you: ',
        h('strong', { 'data-testid': 'claim' }, amount(owed)),
        h('span', { class: 'muted' }, ' — the grid deposit could not pay it when its interval closed; ',
          'it is credited here as the grid operator funds the grid (fund_grid, pay_claims).'))
      : null,
    withdrawForm);

  const names = session.names;
  body.replaceChildren(
    h('h3', {}, `Per interval (last ${SPAN})`),
    billed.length === 0
      ? h('p', { class: 'muted', 'data-testid': 'no-bills' }, 'No bills yet: a bill appears once an interval with your offer is closed.')
      : h('div', {},
        billChart(intervals.map((i, k) => ({ label: `#${i}`, paid: bills[k] ? paidOf(bills[k]) : 0n,
          earned: bills[k] ? earnedOf(bills[k]) : 0n })), { format: money }),
        h('div', { class: 'legend muted' }, h('span', {}, h('i', { style: 'background:#d9822b' }), 'paid'),
          h('span', {}, h('i', { style: 'background:#2e9e5b' }), 'earned')),
        billTable('interval-bills', billed.map(({ interval: i, bill }) => [
          h('span', { title: utc(intervalStart(timing, i)) }, `#${i}`), bill]), metered)),
    h('h3', {}, 'Per month (UTC)'),
    billTable('monthly-bills', months.map((month, k) => [monthLabel(month), monthly[k]])
      .filter(([, bill]) => bill), metered),
    h('h3', {}, 'My P2P trades'),
    trades.length === 0 ? h('p', { class: 'muted' }, 'None in these intervals.') : h('table', { 'data-testid': 'trades' },
      thead('Interval', 'Role', 'Counterparty', 'Distance', 'Energy', 'Price', 'Payment', 'Fee'),
      h('tbody', {}, trades.map((trade) => {
        const selling = trade.seller === account;
        return h('tr', {}, h('td', {}, `#${trade.interval}`),
          h('td', {}, h('span', { class: `pill ${selling ? 'Sell' : 'Buy'}` }, selling ? 'sold' : 'bought')),
          h('td', {}, who(selling ? trade.buyer : trade.seller, names)), h('td', {}, int(trade.distance)),
          h('td', {}, kwh(trade.energy_wh)), h('td', {}, price(trade.price)), h('td', {}, amount(trade.payment)),
          h('td', {}, amount(trade.fee)));
      }))));
}

/** A table of bills; `rows` are `[label, Bill]`; `metered` adds the imbalance lines. */
function billTable(testid, rows, metered) {
  if (rows.length === 0) return h('p', { class: 'muted' }, 'No bills.');
  const headers = ['', 'P2P bought', 'P2P paid', 'Fees', 'P2P sold', 'P2P earned', 'Grid bought',
    'Grid paid', 'Grid sold', 'Grid earned',
    ...(metered ? ['Imbalance paid', 'Imbalance earned'] : []), 'Net cost'];
  return h('table', { 'data-testid': testid },
    thead(...headers),
    h('tbody', {}, rows.map(([label, bill]) => h('tr', {},
      h('td', {}, label), h('td', {}, kwh(bill.p2p_bought_wh)), h('td', {}, amount(bill.p2p_paid)),
      h('td', {}, amount(bill.fees_paid)), h('td', {}, kwh(bill.p2p_sold_wh)), h('td', {}, amount(bill.p2p_earned)),
      h('td', {}, kwh(bill.grid_bought_wh)), h('td', {}, amount(bill.grid_paid)), h('td', {}, kwh(bill.grid_sold_wh)),
      h('td', {}, amount(bill.grid_earned)),
      metered ? [h('td', {}, amount(bill.imbalance_paid)), h('td', {}, amount(bill.imbalance_earned))] : null,
      h('td', { 'data-testid': 'net' }, amount(paidOf(bill) - earnedOf(bill)))))));
}

/** A month key (`202611`) as `2026-11`. */
function monthLabel(key) {
  const { year, month } = monthOfKey(key);
  return `${year}-${String(month).padStart(2, '0')}`;
}
