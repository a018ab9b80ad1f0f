/**
 * Small DOM and formatting helpers shared by the views. Units follow the contracts (README,
 * "Units and rounding"): energy in Wh (`u64`), prices in balance units per kWh, money in
 * balance units (`u128`) of the chain's native token. The page shows every amount in the
 * currency of the deployment's exchange assumption (the record's `money`, e.g. 1 unit = 1 µEUR;
 * see clients/js/src/money.mjs), with the unit named and the balance units in the tooltip, and
 * every transaction fee in the token and in that currency.
 */
import {
  ChainError, ContractError, DEFAULT_MONEY, DeploymentMismatch, costPerKwh, formatCurrency, formatToken,
} from '../../clients/js/src/client.mjs';

/**
 * The exchange assumption and the chain's token the helpers format with: set once per page by
 * {@link useMoney} (main.js, from the session).
 */
let moneyContext = { money: DEFAULT_MONEY, token: { symbol: 'Unit', decimals: 12 } };

/** Sets the assumption (`{currency, units_per_currency}`) and token (`{symbol, decimals}`). */
export function useMoney(money, token) {
  moneyContext = { money, token };
}

/** `h('td', {class: 'text'}, 'x', child)`: an element with attributes and children. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/**
 * A table's header row. A title is a string, or `[title, {class: 'text'}]` for a left-aligned
 * column (numbers align right by default).
 */
export function thead(...titles) {
  return h('thead', {}, h('tr', {}, titles.map((title) =>
    (Array.isArray(title) ? h('th', title[1], title[0]) : h('th', {}, title)))));
}

/**
 * Whether `data` differs from what `view.shown` last recorded (and records it). Views rebuild
 * their tables only on a change, so that a refresh on every block neither resets what the
 * reader is looking at nor swaps a button under the pointer.
 */
export function changed(view, data) {
  const shown = JSON.stringify(data, (_, value) => (typeof value === 'bigint' ? value.toString() : value));
  if (shown === view.shown) return false;
  view.shown = shown;
  return true;
}

/** A labelled figure for the status cards. */
export function card(label, value, testid) {
  return h('div', { class: 'card' }, h('div', { class: 'label' }, label),
    h('div', { class: 'value', 'data-testid': testid }, value));
}

/** Integer with thin group separators: 1 234 567. */
export function int(value) {
  return BigInt(value).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009');
}

/** Energy in Wh shown as kWh with three decimals (exact: 1 Wh = 0.001 kWh). */
export function kwh(wh) {
  const value = BigInt(wh);
  const whole = value / 1000n;
  const frac = (value % 1000n).toString().padStart(3, '0');
  return `${int(whole)}.${frac} kWh`;
}

/** An amount in balance units, as the contracts count it: `150 000 units`. */
export function rawUnits(value) {
  return `${int(value)} units`;
}

/**
 * An amount in the currency of the exchange assumption: `0.15 EUR` (a negative one, such as a
 * net earning, as `−0.15 EUR`). Exact, or truncated and marked `≈` (money.mjs).
 */
export function money(value) {
  const units = BigInt(value);
  return units < 0n ? `−${formatCurrency(-units, moneyContext.money)}` : formatCurrency(units, moneyContext.money);
}

/** An amount in the chain's token: `0.0089 Unit`. */
export function token(value) {
  return formatToken(value, moneyContext.token);
}

/**
 * An amount as an element: the currency figure, with the balance units and the token in its
 * tooltip and the units in `data-units` (what the contracts computed, unrounded).
 */
export function amount(value) {
  const units = BigInt(value);
  const magnitude = units < 0n ? -units : units;
  return h('span', { class: 'money', 'data-units': units.toString(),
    title: `${units < 0n ? '−' : ''}${rawUnits(magnitude)} = ${units < 0n ? '−' : ''}${token(magnitude)}` },
  money(units));
}

/** An amount with its balance units: `0.15 EUR (150 000 units)`, for messages. */
export function moneyAndUnits(value) {
  return `${money(value)} (${rawUnits(value)})`;
}

/** A price per kWh (balance units per kWh) in the currency: `0.30 EUR/kWh`. */
export function price(value) {
  return value === null || value === undefined ? '–' : `${money(value)}/kWh`;
}

/** A transaction fee in the token and in the currency: `0.0089 Unit = 8 900.00 EUR`. */
export function feeText(fee) {
  return `${token(fee)} = ${money(fee)}`;
}

/** What the chain charged per kWh: `fee` (units) over `energyWh`, in the currency. */
export function feePerKwh(fee, energyWh) {
  return costPerKwh(fee, energyWh, moneyContext.money);
}

/** Milliseconds as `1h 02m 05s` / `4m 09s` / `12s`. */
export function duration(ms) {
  const total = Math.max(0, Math.floor(Number(ms) / 1000));
  const [hours, minutes, seconds] = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60];
  const pad = (n) => String(n).padStart(2, '0');
  if (hours > 0) return `${hours}h ${pad(minutes)}m ${pad(seconds)}s`;
  if (minutes > 0) return `${minutes}m ${pad(seconds)}s`;
  return `${seconds}s`;
}

/** A UTC time of a timestamp in ms, `2026-11-26 04:00:30 UTC`. */
export function utc(ms) {
  return `${new Date(Number(ms)).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** An account shortened for tables: its name if it is one we know, else `5Grw…utQY`. */
export function who(address, names) {
  return names?.get(address) ?? `${address.slice(0, 6)}…${address.slice(-4)}`;
}

/**
 * A readable explanation of a failure. A contract's typed error shows its variant and the
 * variant's doc comment from the metadata (`NotRegistered: The caller (or the account named) is
 * not a registered participant.`), a nested one both levels; a chain error its pallet error; a
 * deployment running other code than the bundles which contract runs which code; anything else
 * (a form check, a lost connection) its message.
 */
function explain(error) {
  if (error instanceof ContractError) {
    const meanings = [error.meaning, error.detailMeaning].filter(Boolean).join(' ');
    return {
      title: `${error.contract}.${error.messageName} refused: ${error.code}`,
      code: error.code,
      text: meanings || 'The contract returned this error (its metadata has no description).',
    };
  }
  if (error instanceof ChainError) {
    return { title: 'The chain refused the transaction', code: error.reason, text: error.message };
  }
  if (error instanceof DeploymentMismatch) {
    return { title: 'Refused to attach: the code on chain is not the bundles\' code',
      code: error.name, text: error.message };
  }
  return { title: 'Not sent', code: error?.name ?? 'Error', text: error?.message ?? String(error) };
}

/** The element that shows a failure (see {@link explain}). */
export function errorBox(error) {
  const { title, code, text } = explain(error);
  return h('div', { class: 'error', role: 'alert', 'data-testid': 'error' },
    h('div', {}, h('strong', {}, title)),
    h('div', {}, h('code', { 'data-testid': 'error-code' }, code), ' — ',
      h('span', { 'data-testid': 'error-meaning' }, text)));
}

/**
 * The element that confirms a transaction: its block and the fee the signer paid (the
 * `TransactionFeePaid` event, the client's `fee`), in the token and in the currency, and with
 * `perKwh = {energyWh, what}` the fee per kWh of that energy (`what`: `offered`, `settled`).
 * `included.steps` (a stepped close) counts its steps; `included.fee` is then their sum.
 */
export function okBox(text, included, perKwh = null) {
  if (!included) return h('div', { class: 'ok', role: 'status', 'data-testid': 'ok' }, text);
  const fee = BigInt(included.fee ?? 0n);
  const steps = included.steps?.length > 1 ? ` for ${included.steps.length} transactions` : '';
  const energy = perKwh && BigInt(perKwh.energyWh) > 0n ? BigInt(perKwh.energyWh) : null;
  return h('div', { class: 'ok', role: 'status', 'data-testid': 'ok' }, text,
    h('span', { class: 'muted' }, ` (block #${included.blockNumber}, chain fee `,
      h('span', { 'data-testid': 'fee', 'data-units': fee.toString(), 'data-block': included.blockHash ?? '',
        title: rawUnits(fee) }, feeText(fee)), steps,
      energy === null ? null : [', that is ', h('span', { 'data-testid': 'fee-per-kwh' }, feePerKwh(fee, energy)),
        ` of the ${kwh(energy)} ${perKwh.what}`],
      ')'));
}

/**
 * Runs `action` for a form: disables its buttons meanwhile and puts the outcome (the text
 * `done` returns, or the error) into `out`. A result with `perKwh` ({@link okBox}) shows its
 * fee per kWh too.
 */
export async function run(form, out, action, done) {
  const buttons = [...form.querySelectorAll('button')];
  buttons.forEach((button) => { button.disabled = true; });
  out.replaceChildren(h('div', { class: 'muted' }, 'Waiting for the chain…'));
  try {
    const result = await action();
    out.replaceChildren(okBox(done(result), result?.blockNumber ? result : null, result?.perKwh ?? null));
    return result;
  } catch (error) {
    console.error(error);
    out.replaceChildren(errorBox(error));
    return undefined;
  } finally {
    buttons.forEach((button) => { button.disabled = false; });
  }
}

/**
 * A whole number from a form field, within `[min, max]` (BigInts); throws a `RangeError` naming
 * the field, so a bad value never reaches the chain.
 */
export function wholeNumber(input, label, { min = 0n, max = (1n << 128n) - 1n } = {}) {
  const text = String(input.value).trim().replace(/[\s_\u2009]/g, '');
  if (!/^\d+$/.test(text)) throw new RangeError(`${label}: enter a whole number (got "${input.value}")`);
  const value = BigInt(text);
  if (value < min || value > max) {
    throw new RangeError(`${label}: ${int(value)} is outside ${int(min)}…${int(max)}`);
  }
  return value;
}
