/**
 * SCALE values: strict encoding of a message's arguments (every argument is encoded, decoded
 * back and compared with the input), plain decoding of outputs (see the conventions in
 * `client.mjs`: snake_case names, `BigInt` for 64 bits and more, SS58 accounts, unit variants
 * as strings), and the typed decoding of a contract's `Err`: a {@link ContractError} with the
 * variant's doc comment from the metadata.
 */
import {
  Bytes,
  Enum,
  GenericAccountId,
  Null,
  Option,
  Result,
  Struct,
  Tuple,
  U8aFixed,
  Vec,
  VecFixed,
  bool as Bool,
} from '@polkadot/types';
import { stringCamelCase } from '@polkadot/util';

import { CONTRACT_NAMES } from './bundles.mjs';
import { accountHex } from './connection.mjs';
import { ChainError, ContractError } from './errors.mjs';

/**
 * What each contract's `Error` variants mean: per contract, variant name -> `{doc, inner}`, where
 * `doc` is the variant's doc comment from the metadata and `inner` maps the variants of an error
 * a variant wraps, if any, to theirs.
 *
 * @param {Object<string, import('./bundles.mjs').Bundle>} bundles the three contracts' bundles.
 * @returns {Object<string, Map<string, {doc: string, inner: Map<string, string>}>>}
 */
export function errorMeanings(bundles) {
  const meanings = {};
  for (const name of CONTRACT_NAMES) {
    const { types } = bundles[name].json;
    const byId = new Map(types.map(({ id, type }) => [id, type]));
    const docOf = (item) => (item.docs ?? []).map((line) => line.trim()).join(' ').trim();
    const variantsOf = (type) => type?.def.variant?.variants ?? [];
    const error = types.find(({ type }) => type.path?.[0] === name && type.path.at(-1) === 'Error');
    const table = new Map();
    for (const variant of variantsOf(error?.type)) {
      const fields = variant.fields ?? [];
      const wrapped = fields.length === 1 ? byId.get(fields[0].type) : null;
      table.set(variant.name, {
        doc: docOf(variant),
        inner: new Map(variantsOf(wrapped).map((inner) => [inner.name, docOf(inner)])),
      });
    }
    meanings[name] = table;
  }
  return meanings;
}

/**
 * snake_case names of every struct field, enum field and argument in the bundles, keyed by the
 * camelCase form polkadot.js gives them. Names not in the map are kept as they are.
 *
 * @param {import('./bundles.mjs').Bundle[]} bundles
 * @returns {Map<string, string>} camelCase -> snake_case.
 */
export function snakeNames(bundles) {
  const names = new Map();
  const add = (name) => name && names.set(stringCamelCase(name), name);
  for (const { json } of bundles) {
    for (const { type } of json.types) {
      for (const field of type.def.composite?.fields ?? []) add(field.name);
      for (const variant of type.def.variant?.variants ?? []) {
        for (const field of variant.fields ?? []) add(field.name);
      }
    }
    for (const event of json.spec.events) for (const arg of event.args) add(arg.label);
    for (const item of [...json.spec.messages, ...json.spec.constructors]) {
      for (const arg of item.args) add(arg.label);
    }
  }
  return names;
}

/**
 * Converts a decoded SCALE value into plain JavaScript (see the module's conventions). Order of
 * the checks matters: `Result` is an `Enum`, `GenericAccountId` a `U8aFixed`, `Bytes` a byte
 * array.
 *
 * @param {import('@polkadot/types-codec/types').Codec} codec
 * @param {Map<string, string>} names from {@link snakeNames}.
 * @returns {*} plain JavaScript.
 */
export function toPlain(codec, names) {
  if (codec instanceof Option) return codec.isSome ? toPlain(codec.unwrap(), names) : null;
  if (codec instanceof Result) {
    return codec.isOk ? { Ok: toPlain(codec.asOk, names) } : { Err: toPlain(codec.asErr, names) };
  }
  if (codec instanceof Enum) {
    return codec.value instanceof Null ? codec.type : { [codec.type]: toPlain(codec.value, names) };
  }
  if (codec instanceof Struct) {
    const out = {};
    for (const [key, value] of codec.entries()) out[names.get(key) ?? key] = toPlain(value, names);
    return out;
  }
  if (codec instanceof Tuple || codec instanceof Vec || codec instanceof VecFixed) {
    return codec.map((item) => toPlain(item, names));
  }
  if (codec instanceof GenericAccountId) return codec.toString();
  if (codec instanceof U8aFixed) return codec.toHex();
  if (codec instanceof Bytes) return Array.from(codec);
  if (codec instanceof Bool) return codec.isTrue;
  if (codec instanceof Null) return null;
  if (typeof codec.toBigInt === 'function' && typeof codec.bitLength === 'function') {
    return codec.bitLength() > 32 ? codec.toBigInt() : codec.toNumber();
  }
  return codec.toJSON();
}

/**
 * Deep equality of an input value and its decoded round trip; numbers compare as integers,
 * accounts by their public key (an input may be hex where the decoded value is SS58).
 *
 * @param {*} input
 * @param {*} decoded
 * @returns {boolean}
 */
export function sameValue(input, decoded) {
  const isInt = (v) => typeof v === 'bigint' || typeof v === 'number' ||
    (typeof v === 'string' && /^\d+$/.test(v));
  if (isInt(input) && isInt(decoded)) {
    try {
      return BigInt(input) === BigInt(decoded);
    } catch {
      return false;
    }
  }
  if (input === null || input === undefined) return decoded === null;
  if (Array.isArray(input) || Array.isArray(decoded)) {
    return Array.isArray(input) && Array.isArray(decoded) && input.length === decoded.length &&
      input.every((item, i) => sameValue(item, decoded[i]));
  }
  if (typeof input === 'object' && typeof decoded === 'object' && decoded !== null) {
    const keys = Object.keys(input);
    return keys.length === Object.keys(decoded).length &&
      keys.every((key) => key in decoded && sameValue(input[key], decoded[key]));
  }
  if (typeof input === 'string' && typeof decoded === 'string' && input !== decoded) {
    try {
      return accountHex(input) === accountHex(decoded);
    } catch {
      return false;
    }
  }
  return input === decoded;
}

/**
 * JSON for values with BigInts: integers that fit a double stay numbers, larger ones strings.
 *
 * @param {*} value
 * @returns {*} a JSON-serialisable copy.
 */
export function toJsonSafe(value) {
  return JSON.parse(JSON.stringify(value, (_, v) => {
    if (typeof v !== 'bigint') return v;
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  }));
}

/**
 * Checks and prepares a message's arguments. polkadot.js silently fills missing struct fields
 * with zeros and ignores unknown ones, which would turn a misspelt config field into a zero
 * tariff on-chain; so each argument is encoded, decoded back and compared with the input, and
 * any difference is an error naming the argument.
 *
 * @param {import('@polkadot/api-contract').Abi} abi the contract's Abi.
 * @param {object} spec the message's or constructor's `AbiMessage`.
 * @param {Array<*>} args in the message's order.
 * @param {Map<string, string>} names from {@link snakeNames}.
 * @returns {import('@polkadot/types-codec/types').Codec[]}
 * @throws {TypeError} naming the argument that does not match its type.
 */
export function encodeArgs(abi, spec, args, names) {
  if (args.length !== spec.args.length) {
    throw new TypeError(`${spec.identifier} takes ${spec.args.length} arguments, got ${args.length}`);
  }
  return spec.args.map((param, i) => {
    const typeName = param.type.lookupName || param.type.type;
    let codec;
    try {
      codec = abi.registry.createType(typeName, args[i]);
    } catch (error) {
      throw new TypeError(`${spec.identifier}: argument ${names.get(param.name) ?? param.name}: ` +
        error.message);
    }
    if (!['AccountId', 'Hash'].includes(param.type.type) &&
        !sameValue(args[i], toPlain(codec, names))) {
      throw new TypeError(`${spec.identifier}: argument ${names.get(param.name) ?? param.name} ` +
        `does not match its type ${param.type.displayName || typeName}: ` +
        `${JSON.stringify(toJsonSafe(args[i]))} encodes as ` +
        `${JSON.stringify(toJsonSafe(toPlain(codec, names)))}`);
    }
    return codec;
  });
}

/**
 * A value to transfer (`BigInt`, `number` or decimal string) as a non-negative `BigInt`.
 *
 * @param {bigint|number|string} value
 * @param {string} what the call, for messages.
 * @returns {bigint}
 */
export function toValue(value, what) {
  let amount;
  try {
    amount = BigInt(value);
  } catch {
    throw new TypeError(`${what}: value ${value} is not an integer`);
  }
  if (amount < 0n) throw new RangeError(`${what}: value ${amount} is negative`);
  return amount;
}

/**
 * Unwraps a message's return value `Result<T, LangError>` and, where `T` is main's
 * `Result<U, Error>`, the inner one too, throwing typed errors.
 *
 * @param {import('@polkadot/types-codec/types').Codec} output the decoded return value.
 * @param {string} contract
 * @param {string} message
 * @param {Map<string, string>} names from {@link snakeNames}.
 * @param {ReturnType<typeof errorMeanings>} [meanings] from {@link errorMeanings}.
 * @returns {*} the `Ok` value, plain.
 * @throws {ContractError} for the contract's `Err`.
 * @throws {ChainError} for an ink! `LangError`.
 */
export function unwrapResult(output, contract, message, names, meanings) {
  if (!(output instanceof Result)) return toPlain(output, names);
  if (output.isErr) {
    throw new ChainError(`${contract}.${message}`, `LangError ${output.asErr.type}`);
  }
  const inner = output.asOk;
  if (!(inner instanceof Result)) return toPlain(inner, names);
  if (inner.isErr) {
    const error = inner.asErr;
    const detail = error.value instanceof Null ? null : toPlain(error.value, names);
    const shownDetail = detail === null || typeof detail === 'string'
      ? detail : JSON.stringify(toJsonSafe(detail));
    const failure = new ContractError(contract, message, error.type, shownDetail);
    const meaning = meanings?.[contract]?.get(error.type);
    failure.meaning = meaning?.doc ?? '';
    failure.detailMeaning = (typeof detail === 'string' && meaning?.inner.get(detail)) || '';
    throw failure;
  }
  return toPlain(inner.asOk, names);
}
