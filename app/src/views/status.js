/**
 * Market status: the interval open now and the time left in it, the mode (open or sealed
 * offers), the grid's price this hour, participants and offers in the book, and the recent
 * intervals with their state on chain and, once cleared, uniform price and volumes, and the code
 * hashes verified at load (main, p2p and p2g run the bundles' code). An interval
 * that has ended by the wall clock (and its reveal window, in sealed mode) gets a Close button:
 * anyone may close it (`close_interval`, repeated until `Closed`; a block first, see catchUp).
 * A close reports the chain fees its steps cost, in the token and in the currency, and per kWh
 * of the energy the interval settled (P2P volume, grid import and export): the chain's cost per
 * kWh, next to the market's prices per kWh.
 */
import { BPS, intervalStart, utcHour } from '../../../clients/js/src/client.mjs';
import { card, duration, errorBox, h, int, kwh, money, okBox, price, thead, utc } from '../ui.js';

/** How many past intervals the table shows. */
const HISTORY = 12;

let current = null;

export async function render(session, root) {
  const cards = h('div', { class: 'cards' });
  const recent = h('div');
  const out = h('div', { 'data-testid': 'close-result' });
  root.replaceChildren(
    h('h2', {}, 'Market status'), cards,
    h('h3', {}, 'Recent intervals'), out, recent,
    h('p', { class: 'muted', 'data-testid': 'units-note' }, 'Energy in kWh (the contracts count Wh). ',
      `Prices per kWh and money in ${session.money.currency}, under the exchange assumption in the header; `,
      'the contracts count balance units of the chain\'s token (hover an amount for them). ',
      'Times are UTC: the tariff\'s hours are UTC hours.'),
    h('p', { class: 'muted', 'data-testid': 'code-verified' }, 'Code verified at load: ',
      ['main', 'p2p', 'p2g'].map((name) => `${name} ${short(session.codeHashes[name])}`).join(', '),
      ', as in the contract bundles served with this page (main\'s code_hashes).'));
  current = { session, cards, recent, out, closing: new Set() };
  await refresh();
  const ticker = setInterval(() => {
    if (!cards.isConnected) clearInterval(ticker);
    else tick();
  }, 1000);
}

/** A code hash shortened for the page: `0x1234ab…`. */
function short(hash) {
  return `${hash.slice(0, 8)}…`;
}

/** Updates the countdown every second, between refreshes. */
function tick() {
  const left = current?.cards.querySelector('[data-testid="time-left"]');
  if (left && current.endsAt !== undefined) left.textContent = duration(Number(current.endsAt) - Date.now());
}

export async function refresh() {
  const { session, cards, recent } = current;
  const { market } = session;
  const [clock, config, participants, header] = await Promise.all([
    session.clock(), market.config(), market.participantCount(), session.api.rpc.chain.getHeader(),
  ]);
  const { timing, interval, endsAt } = clock;
  current.endsAt = endsAt ?? undefined;
  const [state, offers, gridNow] = interval === null ? ['Future', 0, null] : await Promise.all([
    market.intervalState(interval), market.offerCount(interval), market.gridPrice(utcHour(Date.now())),
  ]);
  const mode = config.sealing
    ? `sealed (reveal ${duration(config.sealing.reveal_ms)}, bond ${price(config.sealing.bond_per_kwh)}, `
      + `forfeit ${(config.sealing.forfeit_bps * 100) / BPS} %, at least ${money(config.sealing.penalty)})`
    : 'open offers';
  cards.replaceChildren(
    card('Open interval', interval === null ? `starts ${utc(timing.start_ms)}` : `#${interval}`, 'interval'),
    card('Time left', endsAt === null ? '–' : duration(Number(endsAt) - Date.now()), 'time-left'),
    card('Interval length', duration(timing.interval_ms), 'interval-length'),
    card('State on chain', state, 'state'),
    card('Offers in the book', int(offers), 'offers'),
    card('Participants', int(participants), 'participants'),
    card('Grid price this hour', price(gridNow), 'grid-price'),
    card('Mode', mode, 'mode'),
    card('Best block', `#${header.number.toNumber()}`, 'block'),
  );

  const rows = [];
  const first = interval === null ? 0n : interval - BigInt(HISTORY);
  for (let i = interval ?? -1n; i >= 0n && i >= first; i -= 1n) rows.push(i);
  const states = await Promise.all(rows.map((i) => market.intervalState(i)));
  const results = await Promise.all(rows.map((i, k) =>
    states[k] === 'Cleared' ? market.intervalResult(i) : null));
  recent.replaceChildren(h('table', { 'data-testid': 'intervals' },
    thead('Interval', 'Starts', 'State', 'Uniform price', 'P2P volume', 'Grid import', 'Grid export',
      'Trades', 'Offers', ''),
    h('tbody', {}, rows.map((i, k) => {
      const result = results[k];
      const cells = result
        ? [price(result.price), kwh(result.p2p_volume_wh), kwh(result.grid_import_wh),
          kwh(result.grid_export_wh), int(result.trades), int(result.offers)]
        : ['', '', '', '', '', ''];
      return h('tr', { 'data-interval': i.toString(), 'data-state': states[k] },
        h('td', {}, `#${i}`), h('td', {}, utc(intervalStart(timing, i))),
        h('td', {}, states[k]), cells.map((cell) => h('td', {}, cell)),
        h('td', {}, session.effectiveState(states[k], i, clock, config.sealing) === 'Ended' &&
            !current.closing.has(i)
          ? h('button', { 'data-testid': `close-${i}`, onclick: (event) => close(event.target, i) }, 'Close')
          : ''));
    }))));
}

/** Closes an ended interval from the selected account, step by step. */
async function close(button, interval) {
  const { session, out } = current;
  button.disabled = true;
  current.closing.add(interval);
  out.replaceChildren(h('div', { class: 'muted' }, `Closing interval #${interval}…`));
  try {
    await session.catchUp();
    const closed = await session.market.closeInterval(session.signer(), interval);
    const result = closed.value;
    // Each step is a transaction with its own fee; the close cost their sum.
    const fee = closed.steps.reduce((sum, step) => sum + step.fee, 0n);
    const settled = result.p2p_volume_wh + result.grid_import_wh + result.grid_export_wh;
    out.replaceChildren(okBox(`Interval #${interval} closed in ${closed.steps.length} step(s): ` +
      `${int(result.trades)} trade(s), ${kwh(result.p2p_volume_wh)} P2P at ${price(result.price)}.`,
    { ...closed, fee }, { energyWh: settled, what: 'settled' }));
  } catch (error) {
    console.error(error);
    out.replaceChildren(errorBox(error));
  }
  current.closing.delete(interval);
  await refresh();
}
