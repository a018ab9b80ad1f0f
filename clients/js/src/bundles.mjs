/**
 * The contracts' `.contract` bundles (metadata and Wasm together): checking one, and reading
 * what its metadata says about types, so that the client and the DApp take enum variants and
 * integer widths from the contracts themselves rather than copies. Reading bundles from disk is
 * Node's business (`market.mjs`); the DApp fetches them.
 */
import { hexToU8a } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';

/**
 * @typedef {{name: string, file: string, json: object, wasm: Uint8Array, codeHash: string}} Bundle
 */

/** The three contracts, in the order they are uploaded. @type {string[]} */
export const CONTRACT_NAMES = ['p2p', 'p2g', 'main'];

/** The order in which messages name the contracts: the entry point first. @type {string[]} */
export const SHOWN_ORDER = ['main', 'p2p', 'p2g'];

/**
 * A bundle from its parsed `.contract` JSON (metadata and Wasm together), checked: the Wasm must
 * hash to the code hash the metadata claims, so a stale or hand-edited bundle is caught before
 * it is uploaded or trusted. `file` names where it came from, for messages.
 *
 * @param {string} name `'main'`, `'p2p'` or `'p2g'`.
 * @param {object} json the parsed `.contract` file.
 * @param {string} [file] where it came from, for messages.
 * @returns {Bundle}
 */
export function bundleFromJson(name, json, file = `${name}.contract`) {
  if (!json?.source?.wasm || !json.source?.hash) {
    throw new Error(`${file} is not a full bundle: it has no source.wasm / source.hash`);
  }
  const wasm = hexToU8a(json.source.wasm);
  const codeHash = blake2AsHex(wasm, 256);
  if (codeHash !== json.source.hash) {
    throw new Error(`${file}: the Wasm hashes to ${codeHash}, the metadata says ${json.source.hash}`);
  }
  return { name, file, json, wasm, codeHash };
}

/**
 * Checks that `bundles` holds all three contracts' bundles (a Market needs them).
 *
 * @param {Object<string, Bundle>} bundles
 * @param {string} what the caller, for the message.
 * @throws {TypeError} naming the missing ones.
 */
export function requireBundles(bundles, what) {
  const missing = CONTRACT_NAMES.filter((name) => !bundles?.[name]?.json);
  if (missing.length > 0) {
    throw new TypeError(`${what}: pass { bundles } with the bundles of ${CONTRACT_NAMES.join(', ')} ` +
      `(missing: ${missing.join(', ')}; in Node.js, market.mjs loads them from target/ink)`);
  }
}

/**
 * The metadata type whose Rust path is `path` (`'market::time::IntervalState'`) or ends with it
 * (`'IntervalState'`).
 *
 * @param {Bundle|{json: object}} bundle
 * @param {string} path
 * @returns {object} the type's `{path, def, docs}`.
 * @throws {Error} if the metadata has no such type.
 */
export function metadataType(bundle, path) {
  const wanted = path.split('::');
  const found = bundle.json.types.find(({ type }) => type.path?.length >= wanted.length &&
    wanted.every((part, i) => type.path[type.path.length - wanted.length + i] === part));
  if (!found) throw new Error(`the ${bundle.name ?? 'contract'} metadata has no type ${path}`);
  return found.type;
}

/**
 * The variant names of an enum in the metadata, in SCALE order (`enumVariants(bundles.main,
 * 'IntervalState')`: `['Future', 'Open', 'Revealing', 'Ended', 'Cleared']`).
 *
 * @param {Bundle|{json: object}} bundle
 * @param {string} path the enum's Rust path or its end.
 * @returns {string[]}
 */
export function enumVariants(bundle, path) {
  const variants = metadataType(bundle, path).def.variant?.variants;
  if (!variants) throw new Error(`${path} is not an enum in the metadata`);
  return [...variants].sort((a, b) => a.index - b.index).map(({ name }) => name);
}

/** The largest value of the unsigned primitive type with id `id`, unwrapping `Option<T>`. */
function primitiveMax(bundle, id, what) {
  const byId = new Map(bundle.json.types.map((entry) => [entry.id, entry.type]));
  let type = byId.get(id);
  if (type?.path?.[0] === 'Option') {
    type = byId.get(type.def.variant.variants.find(({ name }) => name === 'Some').fields[0].type);
  }
  const bits = /^u(8|16|32|64|128)$/.exec(type?.def.primitive ?? '')?.[1];
  if (!bits) throw new Error(`${what} is not an unsigned integer in the metadata`);
  return (1n << BigInt(bits)) - 1n;
}

/**
 * The largest value a message's (or constructor's) argument may take, from its integer type in
 * the metadata (`argumentMax(bundles.main, 'register', 'area')`: 255n, an `AreaId` is a `u8`).
 *
 * @param {Bundle|{json: object}} bundle
 * @param {string} message the message's label, snake_case.
 * @param {string} label the argument's label.
 * @returns {bigint}
 */
export function argumentMax(bundle, message, label) {
  const { spec } = bundle.json;
  const item = [...spec.messages, ...spec.constructors].find((m) => m.label === message);
  const arg = item?.args.find((a) => a.label === label);
  if (!arg) throw new Error(`the metadata has no argument ${label} of ${message}`);
  return primitiveMax(bundle, arg.type.type, `${message}(${label})`);
}

/**
 * The largest value a struct's field may take, from its integer type in the metadata
 * (`fieldMax(bundles.main, 'Capacity', 'export_wh')`: `u64::MAX`).
 *
 * @param {Bundle|{json: object}} bundle
 * @param {string} path the struct's Rust path or its end.
 * @param {string} field
 * @returns {bigint}
 */
export function fieldMax(bundle, path, field) {
  const entry = metadataType(bundle, path).def.composite?.fields.find(({ name }) => name === field);
  if (!entry) throw new Error(`the metadata's ${path} has no field ${field}`);
  return primitiveMax(bundle, entry.type, `${path}.${field}`);
}
