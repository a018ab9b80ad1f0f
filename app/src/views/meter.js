/**
 * Metering (a market whose configuration sets `metering`): offers are forecasts, meters say
 * what flowed, and the difference is settled with the grid after the close.
 *
 * - As a meter (a participant's own meter account, named by the operator with `set_meter`, or
 *   the market's metering operator `metering.operator` for participants without one): submit a
 *   participant's reading for a closed interval within its window (`submit_readings`, one
 *   reading per transaction here), and after the deadline settle the missing ones by the
 *   market's default (`settle_imbalances`, which anyone may call). The interval's metering
 *   status (main's `metering_status`) is shown next to the form.
 * - As a participant: per recent interval with a bill, the energy that cleared (sold and
 *   bought, P2P and grid together) against what the meter reported (p2g's `reading`), and the
 *   imbalance line of the bill (short Wh paid at the imbalance price, long Wh earned at the
 *   imbalance feed-in price); and the month's imbalance totals (main's `monthly_bill`). Until
 *   its imbalance is settled a participant's refund and earnings are held (p2g's `escrow_of`,
 *   `held`).
 * Amounts are shown in the currency of the deployment's exchange assumption.
 */
import { intervalStart, monthKey, monthOfKey } from '../../../clients/js/src/client.mjs';
import { amount, card, changed, duration, h, int, kwh, money, run, thead, utc, who, wholeNumber } from '../ui.js';

/** How many intervals back the page reads bills (one query each). */
const SPAN = 24;

let current = null;

export async function render(session, root) {
  const { market } = session;
  const config = await market.config();
  const metering = config.metering;
  if (!metering) {
    root.replaceChildren(h('h2', {}, 'Metering'), h('p', { class: 'muted', 'data-testid': 'not-metered' },
      'This market is not metered (its configuration\'s metering is null): offers are settled as they cleared.'));
    current = null;
    return;
  }
  const { interval: open } = await session.clock();
  const participant = h('select', { id: 'meter-account', 'data-testid': 'meter-account' },
    session.accounts.map(({ name, address }) => h('option', { value: address }, name)));
  const interval = h('input', { id: 'meter-interval', 'data-testid': 'meter-interval', inputmode: 'numeric',
    pattern: '\\d+', value: open !== null && open > 0n ? (open - 1n).toString() : '0' });
  const delivered = h('input', { id: 'meter-delivered', 'data-testid': 'meter-delivered', inputmode: 'numeric',
    pattern: '\\d+', value: '0' });
  const consumed = h('input', { id: 'meter-consumed', 'data-testid': 'meter-consumed', inputmode: 'numeric',
    pattern: '\\d+', value: '0' });
  const out = h('div', { 'data-testid': 'reading-result' });
  const settleOut = h('div', { 'data-testid': 'settle-result' });
  const status = h('div', { 'data-testid': 'meter-status' });
  const form = h('form', { class: 'grid', 'data-testid': 'reading-form', novalidate: true },
    h('label', { for: 'meter-account' }, 'Participant'), participant,
    h('label', { for: 'meter-interval' }, 'Interval'), interval,
    h('div', { class: 'hint' }, 'A closed interval, within its metering window.'),
    h('label', { for: 'meter-delivered' }, 'Delivered (Wh)'), delivered,
    h('label', { for: 'meter-consumed' }, 'Consumed (Wh)'), consumed,
    h('div', { class: 'actions' }, h('button', { type: 'submit', 'data-testid': 'submit-reading' }, 'Submit reading')));
  const settleForm = h('form', { class: 'settle' }, h('button', { type: 'submit', 'data-testid': 'settle-missing' },
    'Settle missing readings'));
  const readInterval = () => wholeNumber(interval, 'Interval', { max: (1n << 64n) - 1n });
  const nameOf = (address) => who(address, session.names);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form, out, async () => {
      const i = readInterval();
      const reading = {
        delivered_wh: wholeNumber(delivered, 'Delivered', { max: (1n << 64n) - 1n }),
        consumed_wh: wholeNumber(consumed, 'Consumed', { max: (1n << 64n) - 1n }),
      };
      const signer = session.signer();
      await session.catchUp();
      const done = await market.submitReadings(signer, i, [[participant.value, reading]]);
      return { ...done, interval: i, settled: done.events.find(({ name }) => name === 'ImbalanceSettled')?.args };
    }, ({ interval: i, settled }) => `Reading accepted for ${nameOf(participant.value)} in interval #${i}: ` +
      imbalanceText(settled) + '.').then(() => refresh());
  });
  settleForm.addEventListener('submit', (event) => {
    event.preventDefault();
    run(settleForm, settleOut, async () => {
      const i = readInterval();
      const signer = session.signer();
      await session.catchUp();
      return { ...await market.settleImbalances(signer, i), interval: i };
    }, ({ interval: i, events }) => {
      const settled = events.filter(({ name }) => name === 'ImbalanceSettled');
      return `Settled ${settled.length} missing reading(s) of interval #${i} by the default ` +
        `(${metering.missing}); its metering is complete.`;
    }).then(() => refresh());
  });
  interval.addEventListener('input', () => refresh());

  const mine = h('div', { 'data-testid': 'my-metering' });
  root.replaceChildren(
    h('h2', {}, 'Metering'),
    h('p', { class: 'muted', 'data-testid': 'metering-rules' },
      `Readings are accepted for ${duration(metering.window_ms)} after an interval's close. A shortfall is bought ` +
      `at ${metering.imbalance_bps / 100} % of the grid price, an excess sold at ${metering.feed_in_bps / 100} % ` +
      `of the feed-in price; a missing reading counts as ${metering.missing === 'AsCleared'
        ? 'exactly what cleared' : 'nothing delivered (a buyer: what it bought)'}. ` +
      (metering.operator ? `Metering operator: ${nameOf(metering.operator)}.` : 'No metering operator: only participants\' own meters submit.')),
    h('div', { class: 'panel' }, h('h3', {}, 'Submit a reading (as the meter)'), form, out, status,
      settleForm, settleOut),
    mine);
  current = { session, interval, readInterval, status, mine, shown: '', statusShown: '' };
  await refresh();
}

export async function refresh() {
  if (!current) return;
  await Promise.all([refreshStatus(), refreshMine()]);
}

/** The metering status of the interval in the form. */
async function refreshStatus() {
  const { session, readInterval, status } = current;
  let i;
  try {
    i = readInterval();
  } catch {
    return;
  }
  const found = await session.market.meteringStatus(i);
  const view = { shown: current.statusShown };
  if (!changed(view, [i, found])) return;
  current.statusShown = view.shown;
  if (!found) {
    status.replaceChildren(h('p', { class: 'muted', 'data-testid': 'meter-status-none' },
      `Interval #${i} has no metering status yet: it is metered once it is closed.`));
    return;
  }
  const complete = found.metered + found.defaulted >= found.positions;
  status.replaceChildren(h('div', { class: 'cards' },
    card('Readings until', utc(found.deadline_ms), 'meter-deadline'),
    card('Positions', int(found.positions), 'meter-positions'),
    card('Metered', int(found.metered), 'meter-metered'),
    card('By default', int(found.defaulted), 'meter-defaulted'),
    card('Short / charges', `${kwh(found.short_wh)} / ${money(found.charges)}`, 'meter-short'),
    card('Long / credits', `${kwh(found.long_wh)} / ${money(found.credits)}`, 'meter-long'),
    card('Settled', complete ? 'complete' : 'open', 'meter-complete')));
}

/** The selected account's cleared and metered energy and imbalance lines, and its months. */
async function refreshMine() {
  const { session, mine } = current;
  const { market } = session;
  const account = session.selected?.address;
  if (!account) {
    mine.replaceChildren(h('p', {}, 'Select an account.'));
    return;
  }
  const { timing, interval, now } = await session.clock();
  const last = interval ?? -1n;
  const intervals = [];
  for (let i = last; i >= 0n && i > last - BigInt(SPAN); i -= 1n) intervals.unshift(i);
  const bills = await Promise.all(intervals.map((i) => market.bill(account, i)));
  const billed = intervals.map((i, k) => ({ interval: i, bill: bills[k] })).filter(({ bill }) => bill);
  const rows = await Promise.all(billed.map(async (row) => {
    const [reading, escrow, status] = await Promise.all([market.reading(account, row.interval),
      market.escrowOf(account, row.interval), market.meteringStatus(row.interval)]);
    return { ...row, reading, held: escrow?.held === true, status };
  }));
  const months = [...new Set(billed.map(({ interval: i }) => monthKey(intervalStart(timing, i))))];
  const monthly = await Promise.all(months.map((month) => market.monthlyBill(account, month)));
  if (!changed(current, [account, rows, monthly, rows.some(({ status }) => status && now >= status.deadline_ms)])) return;

  mine.replaceChildren(
    h('h3', {}, `My metering (last ${SPAN} intervals)`),
    rows.length === 0
      ? h('p', { class: 'muted', 'data-testid': 'no-metering' }, 'No bills yet: an interval with your offer appears here once it is closed.')
      : h('table', { 'data-testid': 'metering-intervals' },
        thead('Interval', 'Cleared sold', 'Cleared bought', 'Metered delivered', 'Metered consumed',
          ['Reading', { class: 'text' }], 'Short', 'Imbalance paid', 'Long', 'Imbalance earned'),
        h('tbody', {}, rows.map(({ interval: i, bill, reading, held, status }) => h('tr', { 'data-interval': i.toString() },
          h('td', { title: utc(intervalStart(timing, i)) }, `#${i}`),
          h('td', {}, kwh(bill.p2p_sold_wh + bill.grid_sold_wh)),
          h('td', {}, kwh(bill.p2p_bought_wh + bill.grid_bought_wh)),
          h('td', {}, reading ? kwh(reading.delivered_wh) : '–'),
          h('td', {}, reading ? kwh(reading.consumed_wh) : '–'),
          h('td', { class: 'text', 'data-testid': `reading-state-${i}` }, readingState(reading, held, status, now)),
          h('td', {}, kwh(bill.imbalance_short_wh)), h('td', {}, amount(bill.imbalance_paid)),
          h('td', {}, kwh(bill.imbalance_long_wh)), h('td', {}, amount(bill.imbalance_earned)))))),
    h('h3', {}, 'Imbalances per month (UTC)'),
    months.length === 0 ? h('p', { class: 'muted' }, 'No bills.') : h('table', { 'data-testid': 'metering-months' },
      thead('Month', 'Short', 'Imbalance paid', 'Long', 'Imbalance earned', 'Net imbalance'),
      h('tbody', {}, months.map((month, k) => [month, monthly[k]]).filter(([, bill]) => bill)
        .map(([month, bill]) => h('tr', {}, h('td', {}, monthLabel(month)),
          h('td', {}, kwh(bill.imbalance_short_wh)), h('td', {}, amount(bill.imbalance_paid)),
          h('td', {}, kwh(bill.imbalance_long_wh)), h('td', {}, amount(bill.imbalance_earned)),
          h('td', { 'data-testid': 'imbalance-net' }, amount(bill.imbalance_paid - bill.imbalance_earned)))))));
}

/** Where an interval's reading stands for the participant. */
function readingState(reading, held, status, now) {
  if (reading) return held ? 'metered, settling' : 'metered';
  if (!held) return status ? 'missing: settled by default' : 'not metered';
  if (status && now < status.deadline_ms) return `awaiting reading until ${utc(status.deadline_ms)}`;
  return 'missing: awaiting settlement by default';
}

/** `300 Wh short, charged 0.126 EUR` / `50 Wh long, credited 0.0025 EUR` / `as cleared`. */
function imbalanceText(settled) {
  if (!settled) return 'settled';
  if (settled.short_wh > 0n) return `${int(settled.short_wh)} Wh short, charged ${money(settled.charge)}`;
  if (settled.long_wh > 0n) return `${int(settled.long_wh)} Wh long, credited ${money(settled.credit)}`;
  return 'as cleared, no imbalance';
}

/** A month key (`202611`) as `2026-11`. */
function monthLabel(key) {
  const { year, month } = monthOfKey(key);
  return `${year}-${String(month).padStart(2, '0')}`;
}
