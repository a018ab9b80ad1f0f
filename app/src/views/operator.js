/**
 * Operator view: who the operator is; register and remove participants (with their area tag);
 * the configuration in force, editable as JSON (`update_config`: the interval length and the
 * sealing settings are fixed at deployment); the grid deposit that pays feed-in (`fund_grid`)
 * and p2g's ledger. The forms are open to every account: main itself refuses a non-operator
 * with `NotOperator`, and the page shows that error as it shows every other.
 */
import { accountHex, toJsonSafe } from '../../../clients/js/src/client.mjs';
import { changed, h, int, run, thead, units, wholeNumber } from '../ui.js';

let current = null;

/** Number of areas of the configured topology (`Line` or `Matrix`). */
function areasOf(config) {
  return Number(Object.values(config.auction.topology)[0].areas);
}

export async function render(session, root) {
  const { market } = session;
  const config = await market.config();
  const areas = areasOf(config);

  // Register: a known account or any address, and an area tag.
  const known = h('select', { id: 'register-account', 'data-testid': 'register-account' },
    session.accounts.map(({ name, address }) => h('option', { value: address }, name)),
    h('option', { value: '' }, 'Other address…'));
  const other = h('input', { placeholder: 'SS58 address', 'data-testid': 'register-address', hidden: true });
  known.addEventListener('change', () => { other.hidden = known.value !== ''; });
  const area = h('input', { id: 'register-area', 'data-testid': 'register-area', inputmode: 'numeric', value: '0' });
  const registerOut = h('div', { 'data-testid': 'register-result' });
  const registerForm = h('form', { class: 'grid', 'data-testid': 'register-form', novalidate: true },
    h('label', { for: 'register-account' }, 'Account'), h('div', {}, known, ' ', other),
    h('label', { for: 'register-area' }, 'Area'), area, h('div', { class: 'hint' }, `Area tags 0…${areas - 1} (${
      Object.keys(config.auction.topology)[0]} topology)`),
    h('div', { class: 'actions' }, h('button', { type: 'submit', 'data-testid': 'register' }, 'Register')));
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
      Number(wholeNumber(area, 'Area', { max: 255n }))),
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
    }, () => 'Configuration updated (ConfigUpdated).');
  });

  // Grid deposit.
  const amount = h('input', { id: 'fund-amount', 'data-testid': 'fund-amount', inputmode: 'numeric', placeholder: 'units' });
  const fundOut = h('div');
  const fundForm = h('form', { class: 'grid', novalidate: true },
    h('label', { for: 'fund-amount' }, 'Amount'), amount,
    h('div', { class: 'actions' }, h('button', { type: 'submit', 'data-testid': 'fund' }, 'Fund the grid deposit')));
  fundForm.addEventListener('submit', (event) => {
    event.preventDefault();
    run(fundForm, fundOut, () => market.fundGrid(session.signer(), wholeNumber(amount, 'Amount', { min: 1n })),
      (done) => `Grid deposit now ${units(done.value)}.`).then(refresh);
  });

  const participants = h('div', { 'data-testid': 'participants' });
  const removeOut = h('div', { 'data-testid': 'remove-result' });
  const ledger = h('div', { 'data-testid': 'ledger' });
  const header = h('p', {});
  root.replaceChildren(
    h('h2', {}, 'Operator'), header,
    h('div', { class: 'panel' }, h('h3', {}, 'Register a participant'), registerForm, registerOut),
    h('h3', {}, 'Participants'), removeOut, participants,
    h('div', { class: 'panel' }, h('h3', {}, 'Grid deposit (pays feed-in)'), fundForm, fundOut, ledger),
    h('div', { class: 'panel' }, h('h3', {}, 'Configuration'),
      h('p', { class: 'muted' }, 'MarketConfig in the metadata\'s snake_case. The interval length and the ',
        'sealing settings cannot change after deployment (InvalidInterval, InvalidSealing).'),
      configForm, configOut));
  current = { session, participants, removeOut, ledger, header, shown: '' };
  await refresh();
}

export async function refresh() {
  const { session, participants, removeOut, ledger, header } = current;
  const { market } = session;
  const [operator, count, book, states] = await Promise.all([
    market.operatorAccount(),
    market.participantCount(),
    market.ledger(),
    Promise.all(session.accounts.map(({ address }) => market.participant(address))),
  ]);
  if (!changed(current, [operator, count, book, states, session.selected?.address])) return;
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
      ['Grid deposit', book.grid_deposit], ['Offers\' deposits held', book.deposits],
      ['Credits not withdrawn', book.credits], ['P2P payments in transit', book.p2p_collected - book.p2p_advanced],
    ].map(([label, value]) => h('tr', {}, h('td', {}, label), h('td', {}, units(value)))))));
}
