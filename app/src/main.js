/**
 * The DApp's entry: connects (session.js), fills the account picker and shows one of five
 * views, chosen by the URL's hash (`#/status`, `#/offers`, `#/bills`, `#/meter`, `#/operator`). A view is
 * `{render(session, root), refresh?()}`: `render` builds it once per visit, `refresh` updates
 * it on every new block.
 */
import { describeMoney } from '../../clients/js/src/client.mjs';
import { h, errorBox, useMoney } from './ui.js';
import { open } from './session.js';
import * as status from './views/status.js';
import * as offers from './views/offers.js';
import * as bills from './views/bills.js';
import * as meter from './views/meter.js';
import * as operator from './views/operator.js';

const VIEWS = { status, offers, bills, meter, operator };
/** The view on screen is refreshed on every new block and at least this often. */
const REFRESH_MS = 3000;
const root = document.getElementById('view');

function currentName() {
  const name = location.hash.replace(/^#\//, '');
  return name in VIEWS ? name : 'status';
}

async function start() {
  let session;
  try {
    session = await open();
  } catch (error) {
    console.error(error);
    document.getElementById('chain').textContent = 'not connected';
    // A market running other code than the bundles served is refused, not merely unreachable.
    const title = error?.name === 'DeploymentMismatch'
      ? 'The market does not run the code of this app\'s contract bundles'
      : 'Cannot reach the market';
    root.replaceChildren(h('h2', {}, title), errorBox(error));
    return;
  }
  const { market, chain, url } = session;
  document.getElementById('chain').textContent =
    `${chain} · ${url} · main ${market.address.slice(0, 8)}…`;
  // The money unit: every amount on the page is shown in this currency, fees in the token too.
  useMoney(session.money, session.token);
  document.getElementById('money').textContent = moneyLine(session);

  const picker = document.getElementById('account');
  picker.replaceChildren(...session.accounts.map(({ name, address }) =>
    h('option', { value: address }, `${name} — ${address.slice(0, 8)}…`)));
  if (session.selected) picker.value = session.selected.address;
  picker.disabled = session.accounts.length === 0;
  picker.addEventListener('change', () => {
    session.selected = session.accounts.find(({ address }) => address === picker.value) ?? null;
    show();
  });

  let active = null;
  let visits = 0;
  let refreshing = false;
  async function show() {
    const name = currentName();
    for (const link of document.querySelectorAll('.tabs a')) {
      link.classList.toggle('active', link.dataset.view === name);
    }
    const view = VIEWS[name];
    // No refresh until the view has rendered: refresh updates what render built.
    active = null;
    const visit = ++visits;
    root.replaceChildren(h('div', { class: 'muted' }, 'Loading…'));
    root.dataset.ready = 'false';
    try {
      await view.render(session, root);
    } catch (error) {
      console.error(error);
      root.replaceChildren(errorBox(error));
      return;
    }
    if (visit !== visits) return; // another view was chosen meanwhile
    active = view;
    root.dataset.ready = 'true';
  }
  // A new block may change every figure: refresh the view on screen, one refresh at a time.
  session.onChange(async () => {
    if (refreshing || !active?.refresh) return;
    refreshing = true;
    try {
      await active.refresh();
    } catch (error) {
      console.error(error);
    } finally {
      refreshing = false;
    }
  });
  // A dev node makes no block when an interval ends: refresh on the wall clock too.
  setInterval(() => session.notify(), REFRESH_MS);
  window.addEventListener('hashchange', show);
  await show();
}

/**
 * The header's money line: the currency amounts are shown in, the exchange assumption behind it
 * (the deployment's, or the default when the record names none) and the chain's token.
 */
function moneyLine({ money, moneyStated, token }) {
  const whose = moneyStated ? 'this deployment\'s' : 'the default (the deployment record names none)';
  return `Amounts in ${money.currency}: ${describeMoney(money, token, { whose })}` +
    (token.reported ? '' : ' (polkadot.js\' defaults: the node reports no token properties)') +
    '. Chain fees are charged in these units.';
}

start();
