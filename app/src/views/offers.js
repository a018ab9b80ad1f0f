/**
 * My offers: a sell or buy form for the interval open now, and the offers this browser posted
 * for the selected account, with their state on chain and Cancel (while the interval is open)
 * or Reveal (sealed mode, in the reveal window).
 *
 * Open mode (`sealing` null): `sell(interval, energy_wh, ask)` and `buy(interval, energy_wh,
 * limit)`, a buy paying its `buy_deposit`; in a metered market (`metering` set) each offer also
 * pays its imbalance bond (`imbalance_bond`: the client's `offerDeposit`), and a sealed offer's
 * `commit_deposit` includes it. Sealed mode: the same form commits (`commit` with a
 * hash of the offer, bound to this market's main address, and a fresh 32-byte salt) and keeps
 * offer and salt in this browser's localStorage until the reveal: the chain never sees them
 * before, so losing them forfeits a share of the deposit (the deposit is main's `commit_deposit`: the
 * offer's bond, for a buy its cover). main has no "offers of an account" query (the book is closed), so the list is the
 * browser's own record, checked against the chain (interval state, p2g's escrow). An offer is
 * checked against the configuration of the interval it names (`config_at`: an update by the
 * operator applies from the next interval on), so the ask bounds follow the open interval.
 *
 * Prices are entered in balance units per kWh, as the contracts take them; the form shows each in
 * the currency of the exchange assumption as it is typed, the deposit in both, and a posted
 * offer's chain fee in the token and the currency, and per kWh offered.
 */
import { ContractError, MAX_OFFER_WH, sealOffer } from '../../../clients/js/src/client.mjs';
import {
  amount, changed, duration, errorBox, h, int, kwh, moneyAndUnits, okBox, price, run, thead, wholeNumber,
} from '../ui.js';

let current = null;

function storageKey(session) {
  return `hybrid-p2p-market:${session.market.address}:${session.selected?.address}:offers`;
}

/** The offers this browser posted for the selected account, newest first. */
function postedOffers(session) {
  try {
    return JSON.parse(localStorage.getItem(storageKey(session)) ?? '[]');
  } catch {
    return [];
  }
}

function savePosted(session, offers) {
  localStorage.setItem(storageKey(session), JSON.stringify(offers));
}

function remember(session, offer) {
  const offers = postedOffers(session).filter((old) => old.interval !== offer.interval);
  savePosted(session, [offer, ...offers].slice(0, 200));
}

function forget(session, interval) {
  savePosted(session, postedOffers(session).filter((offer) => offer.interval !== interval));
}

function update(session, interval, changes) {
  savePosted(session, postedOffers(session).map((offer) =>
    (offer.interval === interval ? { ...offer, ...changes } : offer)));
}

export async function render(session, root) {
  const { market } = session;
  // The sealing settings are fixed at deployment; the ask bounds are the open interval's.
  const config = await market.config();
  const sealed = config.sealing !== null;
  const metered = config.metering !== null;
  let rules = { interval: null, tariff: config.tariff };
  /** The tariff of `interval` (config_at), read once per interval. */
  const rulesFor = async (interval) => {
    if (interval !== null && interval !== rules.interval) {
      rules = { interval, tariff: (await market.configAt(interval)).tariff };
      describeSide();
    }
    return rules.tariff;
  };

  const side = h('select', { id: 'offer-side', 'data-testid': 'side' },
    h('option', { value: 'Sell' }, 'Sell surplus'), h('option', { value: 'Buy' }, 'Buy deficit'));
  const energy = h('input', { id: 'offer-energy', 'data-testid': 'energy', inputmode: 'numeric',
    placeholder: 'Wh, e.g. 1500', required: true, pattern: '\\d+' });
  const priceInput = h('input', { id: 'offer-price', 'data-testid': 'price', inputmode: 'numeric',
    pattern: '\\d*' });
  const priceLabel = h('label', { for: 'offer-price' }, 'Ask per kWh (units)');
  const priceHint = h('div', { class: 'hint', 'data-testid': 'price-hint' });
  // The price typed, in the currency: the field takes balance units per kWh.
  const priceShown = h('div', { class: 'hint', 'data-testid': 'price-shown' });
  const interval = h('div', { 'data-testid': 'offer-interval' }, '…');
  const deposit = h('div', { class: 'hint', 'data-testid': 'deposit' });
  const out = h('div', { 'data-testid': 'offer-result' });
  const form = h('form', { class: 'grid', 'data-testid': 'offer-form', novalidate: true },
    h('label', {}, 'Interval'), interval,
    h('label', { for: 'offer-side' }, 'Side'), side,
    h('label', { for: 'offer-energy' }, 'Energy (Wh)'), energy,
    h('div', { class: 'hint' }, `1 to ${int(MAX_OFFER_WH)} Wh (1 GWh)`),
    priceLabel, priceInput, priceShown, priceHint, deposit,
    h('div', { class: 'actions' }, h('button', { type: 'submit', 'data-testid': 'submit-offer' },
      sealed ? 'Commit sealed offer' : 'Post offer')));

  const describeSide = () => {
    const { min_price: minPrice, max_price: maxPrice } = rules.tariff;
    const buying = side.value === 'Buy';
    priceLabel.textContent = buying ? 'Limit per kWh (units)' : 'Ask per kWh (units)';
    priceInput.placeholder = buying ? 'empty: the grid price' : `${minPrice}…${maxPrice}`;
    priceInput.required = !buying;
    priceHint.textContent = buying
      ? 'The most you pay a peer per kWh, in balance units; empty means this hour\'s grid price.'
      : `Asks must lie within the grid's bounds: ${int(minPrice)} to ${int(maxPrice)} units per kWh ` +
        `(${price(minPrice)} to ${price(maxPrice)})` +
        (rules.interval === null ? '.' : `, interval #${rules.interval}.`);
    showPrice();
    showDeposit();
  };

  /** The price field's value in the currency, or nothing while it is not a whole number. */
  const showPrice = () => {
    const text = priceInput.value.trim().replace(/[\s_\u2009]/g, '');
    priceShown.textContent = /^\d+$/.test(text) && BigInt(text) < (1n << 128n) ? `= ${price(BigInt(text))}` : '';
  };

  /** The offer in the form, checked; throws a RangeError naming the bad field. */
  const readForm = () => {
    const { min_price: minPrice, max_price: maxPrice } = rules.tariff;
    const energyWh = wholeNumber(energy, 'Energy', { min: 1n, max: MAX_OFFER_WH });
    if (side.value === 'Sell') {
      return { side: 'Sell', energyWh, price: wholeNumber(priceInput, 'Ask', { min: minPrice, max: maxPrice }) };
    }
    const limit = priceInput.value.trim() === '' ? null : wholeNumber(priceInput, 'Limit');
    return { side: 'Buy', energyWh, price: limit };
  };

  let depositSeq = 0;
  async function showDeposit() {
    const seq = ++depositSeq;
    deposit.textContent = '';
    if (side.value !== 'Buy' && !sealed && !metered) return;
    let offer;
    try {
      offer = readForm();
    } catch {
      return;
    }
    if (sealed && offer.price === null) {
      deposit.textContent = 'A sealed buy names its limit: the commitment covers it.';
      return;
    }
    const { interval: open } = await session.clock();
    if (open === null || seq !== depositSeq) return;
    try {
      const origin = session.selected?.address;
      const needed = sealed
        ? await market.commitDeposit(open, offer.side, offer.energyWh, offer.price ?? 0n, { origin })
        : await market.offerDeposit(open, offer.side, offer.energyWh, offer.price, { origin });
      if (seq === depositSeq) {
        deposit.textContent = `Deposit paid with it: ${moneyAndUnits(needed)}` +
          (metered ? ', the imbalance bond included' : '') + '; what the bill does not ' +
          'use is credited back after the close' + (metered ? ', once your meter\'s reading is settled.' : '.');
      }
    } catch (error) {
      if (seq === depositSeq) deposit.textContent = error.message;
    }
  }

  side.addEventListener('change', describeSide);
  energy.addEventListener('input', showDeposit);
  priceInput.addEventListener('input', () => {
    showPrice();
    showDeposit();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form, out, async () => {
      readForm();
      const signer = session.signer();
      await session.catchUp();
      const { interval: open } = await session.clock();
      if (open === null) throw new Error('the market has not started yet');
      // Checked again under the interval the offer names (its bounds may differ).
      await rulesFor(open);
      const offer = readForm();
      if (sealed) {
        if (offer.price === null) {
          throw new RangeError('Limit: a sealed buy names its limit (the hash covers it)');
        }
        const seal = sealOffer(market.address, signer, open, offer.side, offer.energyWh, offer.price);
        const entry = { interval: open.toString(), side: offer.side, energy_wh: offer.energyWh.toString(),
          price: offer.price.toString(), sealed: seal, revealed: false };
        // The salt is kept before the commitment leaves, so that a lost answer (a dropped
        // connection, a closed tab) cannot cost the forfeit; an offer already live for the
        // interval keeps its own (the chain refuses a second one with OfferExists).
        const live = postedOffers(session).some((old) => old.interval === entry.interval && !old.cancelled);
        if (!live) remember(session, entry);
        let committed;
        try {
          const value = await market.commitDeposit(open, offer.side, offer.energyWh, offer.price,
            { origin: signer });
          committed = await market.commit(signer, open, seal.commitment, { value });
        } catch (error) {
          // A typed error means nothing was committed (refused by the dry run, or reverted).
          if (!live && error instanceof ContractError) forget(session, entry.interval);
          throw error;
        }
        update(session, entry.interval, { deposit: committed.paid.toString() });
        return { ...committed, open, perKwh: { energyWh: offer.energyWh, what: 'offered' } };
      }
      const posted = offer.side === 'Sell'
        ? await market.sell(signer, open, offer.energyWh, offer.price)
        : await market.buy(signer, open, offer.energyWh, offer.price);
      remember(session, { interval: open.toString(), side: offer.side, energy_wh: offer.energyWh.toString(),
        price: offer.price === null ? null : offer.price.toString(), deposit: posted.paid.toString() });
      return { ...posted, open, perKwh: { energyWh: offer.energyWh, what: 'offered' } };
    }, (result) => (sealed
      ? `Committed a sealed ${side.value.toLowerCase()} for interval #${result.open}, deposit ${moneyAndUnits(result.paid)}. ` +
        'Reveal it here after the interval ends; this browser keeps the salt.'
      : `${side.value === 'Sell' ? 'Sell' : 'Buy'} offer accepted for interval #${result.open}` +
        (result.paid > 0n ? `, deposit ${moneyAndUnits(result.paid)}.` : '.'))).then(() => refresh());
  });

  const mine = h('div', { 'data-testid': 'my-offers' });
  const actionOut = h('div', { 'data-testid': 'offer-action-result' });
  root.replaceChildren(
    h('h2', {}, 'My offers'),
    h('div', { class: 'panel' },
      h('p', { class: 'muted' }, sealed
        ? 'Sealed mode: offers are committed as a hash during the interval and revealed after it.'
        : 'Offers are closed-book: nobody sees another\'s price. One offer per account and interval.'),
      form, out),
    h('h3', {}, 'Posted from this browser'), actionOut, mine);
  current = { session, interval, mine, actionOut, sealing: config.sealing, rulesFor, shown: '' };
  describeSide();
  await refresh();
}

export async function refresh() {
  const { session, interval, mine, sealing } = current;
  const { market } = session;
  const clock = await session.clock();
  const { interval: open, endsAt } = clock;
  interval.textContent = open === null ? 'not started' : `#${open}, ends in ${duration(Number(endsAt) - Date.now())}`;
  await current.rulesFor(open);
  const offers = postedOffers(session);
  if (offers.length === 0) {
    mine.replaceChildren(h('p', { class: 'muted' }, 'None yet.'));
    return;
  }
  const who = session.selected.address;
  const rows = await Promise.all(offers.map(async (offer) => {
    const [chainState, escrow] = await Promise.all([
      market.intervalState(offer.interval),
      market.escrowOf(who, offer.interval).catch(() => null),
    ]);
    return { offer, state: session.effectiveState(chainState, BigInt(offer.interval), clock, sealing), escrow };
  }));
  if (!changed(current, [who, rows])) return;
  const out = current.actionOut;
  mine.replaceChildren(h('table', {},
    thead('Interval', 'Side', 'Energy', 'Ask / limit', 'State', 'Held in escrow', ''),
    h('tbody', {}, rows.map(({ offer, state, escrow }) => h('tr', { 'data-interval': offer.interval },
      h('td', {}, `#${offer.interval}`),
      h('td', {}, h('span', { class: `pill ${offer.side}` }, offer.side)),
      h('td', {}, kwh(offer.energy_wh)),
      h('td', {}, offer.price === null ? 'grid price' : price(offer.price)),
      h('td', { 'data-testid': `offer-state-${offer.interval}` }, offer.cancelled ? 'cancelled' : state,
        offer.sealed ? (offer.revealed ? ' · revealed' : ' · sealed') : ''),
      h('td', {}, escrow ? amount(escrow.deposit) : '–'),
      h('td', {}, actions(offer, state, out)))))));
}

/** Cancel while the interval is open; Reveal a sealed offer in its window. */
function actions(offer, state, out) {
  const { session } = current;
  const { market } = session;
  const act = (label, testid, action, done) => h('button', {
    class: 'secondary',
    'data-testid': testid,
    onclick: async (event) => {
      event.target.disabled = true;
      current.busy = offer.interval;
      try {
        const included = await action();
        out.replaceChildren(okBox(done, included));
      } catch (error) {
        console.error(error);
        out.replaceChildren(errorBox(error));
      }
      current.busy = null;
      current.shown = '';
      await refresh();
    },
  }, label);
  if (offer.cancelled || current.busy === offer.interval) return '';
  if (state === 'Open') {
    return act('Cancel', `cancel-${offer.interval}`, async () => {
      await session.catchUp();
      const cancelled = await market.cancel(session.signer(), offer.interval);
      update(session, offer.interval, { cancelled: true });
      return cancelled;
    }, `Offer for interval #${offer.interval} cancelled; its deposit is credited back.`);
  }
  if (state === 'Revealing' && offer.sealed && !offer.revealed) {
    return act('Reveal', `reveal-${offer.interval}`, async () => {
      await session.catchUp();
      const revealed = await market.reveal(session.signer(), offer.interval, offer.side,
        offer.energy_wh, offer.price, offer.sealed.salt);
      update(session, offer.interval, { revealed: true });
      return revealed;
    }, `Offer for interval #${offer.interval} revealed: it is in the book.`);
  }
  return '';
}
