/**
 * Operator view: who the operator is; register and remove participants (with their area tag);
 * the newest configuration, editable as JSON (`update_config`, which applies from the next
 * interval on: the interval open now keeps the configuration it started with, shown beside it
 * while they differ; the interval length and the sealing settings are fixed at deployment);
 * the grid deposit that pays feed-in (`fund_grid`), p2g's ledger, and the feed-in claims the
 * grid deposit could not pay (`claims`, paid oldest first by `fund_grid` and `pay_claims`).
 * The forms are open to every account: main itself refuses a non-operator with `NotOperator`,
 * and the page shows that error as it shows every other. Amounts are shown in the currency of
 * the deployment's exchange assumption; the funding field and the configuration take balance
 * units, as the contracts do.
 */
import {
  CLAIMS_PAGE, DEFAULT_CAPACITY, accountHex, argumentMax, fieldMax, toJsonSafe,
} from '../../../clients/js/src/client.mjs';
import { amount, changed, h, int, moneyAndUnits, price, run, thead, who, wholeNumber } from '../ui.js';

let current = null;

/** Number of areas of the configured topology (`Line` or `Matrix`). */
function areasOf(config) {
  return Number(Object.values(config.auction.topology)[0].areas);
}

export async function render(session, root) {
  const { market } = session;
  const config = await market.config();
  const areas = areasOf(config);
  // Input bounds from main's metadata: an area tag is a `u8`, a capacity a `u64` of Wh.
  const mainBundle = market.bundles.main;
  const areaMax = argumentMax(mainBundle, 'register', 'area');
  const capacityMax = fieldMax(mainBundle, 'Capacity', 'export_wh');
  const defaultWh = int(DEFAULT_CAPACITY.export_wh);

  // Register: a known account or any address, and an area tag.
  const known = h('select', { id: 'register-account', 'data-testid': 'register-account' },
    session.accounts.map(({ name, address }) => h('option', { value: address }, name)),
    h('option', { value: '' }, 'Other address…'));
  const other = h('input', { placeholder: 'SS58 address', 'data-testid': 'register-address', hidden: true });
  known.addEventListener('change', () => { other.hidden = known.value !== ''; });
  const area = h('input', { id: 'register-area', 'data-testid': 'register-area', inputmode: 'numeric', value: '0' });
  // Connection capacity per interval, Wh; blank for main's default (`Capacity::DEFAULT`).
  const exportWh = h('input', { id: 'register-export', 'data-testid': 'register-export', inputmode: 'numeric', placeholder: 'default' });
  const importWh = h('input', { id: 'register-import', 'data-testid': 'register-import', inputmode: 'numeric', placeholder: 'default' });
  const registerOut = h('div', { 'data-testid': 'register-result' });
  const registerForm = h('form', { class: 'grid', 'data-testid': 'register-form', novalidate: true },
    h('label', { for: 'register-account' }, 'Account'), h('div', {}, known, ' ', other),
    h('label', { for: 'register-area' }, 'Area'), area, h('div', { class: 'hint' }, `Area tags 0…${areas - 1} (${
      Object.keys(config.auction.topology)[0]} topology)`),
    h('label', { for: 'register-export' }, 'Export capacity, Wh per interval'), exportWh,
    h('label', { for: 'register-import' }, 'Import capacity, Wh per interval'), importWh,
    h('div', { class: 'hint' }, 'Offers above the connection are refused (ExceedsCapacity). Leave both blank '
      + `for the default connection: ${defaultWh} Wh each way per interval (43 kW over an hour).`),
    h('div', { class: 'actions' }, h('button', { type: 'submit', 'data-testid': 'register' }, 'Register')));
  const capacity = () => {
    if (exportWh.value.trim() === '' && importWh.value.trim() === '') return null;
    return { export_wh: wholeNumber(exportWh, 'Export capacity', { max: capacityMax }),
      import_wh: wholeNumber(importWh, 'Import capacity', { max: capacityMax }) };
  };
  const target = () => {
    const address = known.value || other.value.trim();
    try {
      accountHex(address);
    } catch {
      throw new RangeError(`Account: "${address}" is not an SS58 address`);
    }
    return address;
  };
  registerForm.addEventListener('submit', (event) => {
    event.preventDefault();
    run(registerForm, registerOut, () => market.register(session.signer(), target(),
      Number(wholeNumber(area, 'Area', { max: areaMax })), capacity()),
    () => `Registered ${session.names.get(target()) ?? target()} in area ${area.value}.`).then(refresh);
  });

  // Configuration as JSON.
  const editor = h('textarea', { 'data-testid': 'config-json', spellcheck: 'false' },
    JSON.stringify(toJsonSafe(config), null, 2));
  const configOut = h('div', { 'data-testid': 'config-result' });
  const configForm = h('form', {}, editor, h('div', { class: 'actions' },
    h('button', { type: 'submit', 'data-testid': 'update-config' }, 'Update configuration')));
  configForm.addEventListener('submit', (event) => {
    event.preventDefault();
    run(configForm, configOut, () => {
      let edited;
      try {
        edited = JSON.parse(editor.value);
      } catch (error) {
        throw new SyntaxError(`Configuration: not JSON (${error.message})`);
      }
      return market.updateConfig(session.signer(), edited);
    }, (done) => {
      const from = done.events.find(({ name }) => name === 'ConfigUpdated')?.args.from_interval;
      return `Configuration updated: it governs the intervals from #${from} on (ConfigUpdated); ` +
        'the interval open now keeps its own.';
    }).then(refresh);
  });

  // Grid deposit.
  const fundAmount = h('input', { id: 'fund-amount', 'data-testid': 'fund-amount', inputmode: 'numeric', placeholder: 'units' });
  const fundShown = h('div', { class: 'hint', 'data-testid': 'fund-shown' });
  fundAmount.addEventListener('input', () => {
    const text = fundAmount.value.trim().replace(/[\s_\u2009]/g, '');
    fundShown.textContent = /^\d+$/.test(text) && BigInt(text) < (1n << 128n)
      ? `= ${moneyAndUnits(BigInt(text))}` : 'Balance units of the chain\'s token.';
  });
  fundShown.textContent = 'Balance units of the chain\'s token.';
  const fundOut = h('div');
  const fundForm = h('form', { class: 'grid', novalidate: true },
    h('label', { for: 'fund-amount' }, 'Amount (units)'), fundAmount, fundShown,
    h('div', { class: 'actions' }, h('button', { type: 'submit', 'data-testid': 'fund' }, 'Fund the grid deposit')));
  fundForm.addEventListener('submit', (event) => {
    event.preventDefault();
    run(fundForm, fundOut, () => market.fundGrid(session.signer(), wholeNumber(fundAmount, 'Amount', { min: 1n })),
      (done) => `Grid deposit now ${moneyAndUnits(done.value)}.${paidClaims(done)}`).then(refresh);
  });

  // Feed-in claims: pay_claims pays more of them out of the grid deposit (anyone may).
  const claimsOut = h('div', { 'data-testid': 'pay-claims-result' });
  const claimsForm = h('form', {}, h('button', { type: 'submit', class: 'secondary', 'data-testid': 'pay-claims' },
    'Pay claims'));
  claimsForm.addEventListener('submit', (event) => {
    event.preventDefault();
    run(claimsForm, claimsOut, () => market.payClaims(session.signer()),
      (done) => `${paidClaims(done).trim() || 'No claim paid (the grid deposit is empty, or none waits).'} ` +
        `${int(done.value)} claim(s) still wait.`).then(refresh);
  });

  const participants = h('div', { 'data-testid': 'participants' });
  const removeOut = h('div', { 'data-testid': 'remove-result' });
  const ledger = h('div', { 'data-testid': 'ledger' });
  const claims = h('div', { 'data-testid': 'claims' });
  const configStatus = h('div', { 'data-testid': 'config-status' });
  const header = h('p', {});
  root.replaceChildren(
    h('h2', {}, 'Operator'), header,
    h('div', { class: 'panel' }, h('h3', {}, 'Register a participant'), registerForm, registerOut),
    h('h3', {}, 'Participants'), removeOut, participants,
    h('div', { class: 'panel' }, h('h3', {}, 'Grid deposit (pays feed-in)'), fundForm, fundOut, ledger,
      h('h3', {}, 'Feed-in claims'), claims, claimsForm, claimsOut),
    h('div', { class: 'panel' }, h('h3', {}, 'Configuration'),
      h('p', { class: 'muted' }, 'The newest MarketConfig, in the metadata\'s snake_case, with prices and ',
        `amounts in balance units (1 ${session.money.currency} = ${int(session.money.units_per_currency)} units `,
        `under the exchange assumption in the header: 300 000 per kWh is ${price(300_000n)}). An update applies `,
        'from the next interval on: the interval open now, and every one before it, keeps the configuration ',
        'it started with to the end of its close. The interval length and the sealing settings cannot ',
        'change after deployment (InvalidInterval, InvalidSealing); a topology must keep every area in ',
        'which participants are registered (AreaInUse).'),
      configStatus, configForm, configOut));
  current = { session, participants, removeOut, ledger, claims, configStatus, header, shown: '' };
  await refresh();
}

/** ` Paid N feed-in claim(s) (X).` for the `ClaimPaid` events of a transaction, or ''. */
function paidClaims(done) {
  const paid = done.events.filter(({ name }) => name === 'ClaimPaid');
  if (paid.length === 0) return '';
  const total = paid.reduce((sum, { args }) => sum + args.amount, 0n);
  return ` Paid ${paid.length} feed-in claim(s) (${moneyAndUnits(total)}).`;
}

export async function refresh() {
  const { session, participants, removeOut, ledger, claims, configStatus, header } = current;
  const { market } = session;
  const { interval: open } = await session.clock();
  const [operator, count, book, states, waiting, newest, inForce] = await Promise.all([
    market.operatorAccount(),
    market.participantCount(),
    market.ledger(),
    Promise.all(session.accounts.map(({ address }) => market.participant(address))),
    market.claims(0, CLAIMS_PAGE),
    market.config(),
    open === null ? null : market.configAt(open),
  ]);
  if (!changed(current, [operator, count, book, states, waiting, newest, inForce, open,
    session.selected?.address])) return;
  const isOperator = session.selected?.address === operator;
  header.replaceChildren(`Operator: ${session.names.get(operator) ?? ''} `, h('span', { class: 'mono' }, operator),
    isOperator ? ' (selected)' : h('span', { class: 'muted' }, ' — select it to register participants or change the configuration.'));
  participants.replaceChildren(h('p', { class: 'muted' }, `${int(count)} registered in all.`),
    h('table', {}, thead('Account', ['Address', { class: 'text' }], 'Area', ''),
      h('tbody', {}, session.accounts.map(({ name, address }, k) => h('tr', { 'data-account': name },
        h('td', {}, name), h('td', { class: 'mono text' }, address),
        h('td', { 'data-testid': `area-${name}` }, states[k] ? String(states[k].area) : 'not registered'),
        h('td', {}, states[k] ? h('button', { class: 'secondary', onclick: (event) => {
          const form = event.target.closest('td');
          run(form, removeOut, () => market.remove(session.signer(), address), () => `Removed ${name}.`).then(refresh);
        } }, 'Remove') : ''))))));
  ledger.replaceChildren(h('table', {},
    h('tbody', {}, [
      ['Grid deposit', book.grid_deposit, 'grid-deposit'], ['Offers\' deposits held', book.deposits],
      ['Credits not withdrawn', book.credits], ['P2P payments in transit', book.p2p_collected - book.p2p_advanced],
      ['Feed-in owed to sellers (claims; owed, not held)', book.claims, 'ledger-claims'],
    ].map(([label, value, testid]) => h('tr', {}, h('td', {}, label),
      h('td', testid ? { 'data-testid': testid } : {}, amount(value)))))));
  claims.replaceChildren(waiting.length === 0
    ? h('p', { class: 'muted' }, 'None waiting: the grid deposit has paid all feed-in.')
    : h('div', {},
      h('p', { class: 'muted' }, 'Feed-in the grid deposit could not pay when its interval closed, oldest ',
        'first: fund_grid pays them before anything stays in the grid deposit (at most ',
        `${CLAIMS_PAGE} per call), Pay claims pays more.`),
      h('table', {}, thead('Seller', 'Interval', 'Owed'),
        h('tbody', {}, waiting.map((claim) => h('tr', { 'data-claim': claim.account },
          h('td', {}, who(claim.account, session.names)), h('td', {}, `#${claim.interval}`),
          h('td', {}, amount(claim.amount))))))));
  configStatus.replaceChildren(configNote(open, newest, inForce));
}

/**
 * Which configuration governs what: the open interval's (`config_at`) and, if an update is
 * pending, the newest one's first interval (the next).
 */
function configNote(open, newest, inForce) {
  if (open === null) return h('p', { class: 'muted' }, 'The market has not started: the newest configuration governs its first interval.');
  const same = JSON.stringify(toJsonSafe(newest)) === JSON.stringify(toJsonSafe(inForce));
  if (same) {
    return h('p', {}, `The interval open now (#${open}) runs under this configuration; an update applies from #${open + 1n} on.`);
  }
  return h('div', { 'data-testid': 'config-pending' },
    h('p', {}, `Pending: the configuration below governs the intervals from #${open + 1n} on. `,
      `The interval open now (#${open}) keeps the one it started with:`),
    h('details', {}, h('summary', {}, `Configuration of interval #${open}`),
      h('pre', { class: 'mono', 'data-testid': 'config-in-force' }, JSON.stringify(toJsonSafe(inForce), null, 2))));
}
