/**
 * Sealed offers (commit–reveal): the commitment main checks at `reveal`, as
 * `market::seal::commitment` computes it, and sealing an offer with a fresh random salt.
 */
import { bnToU8a, hexToU8a, isHex, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, randomAsU8a } from '@polkadot/util-crypto';

import { accountHex } from './connection.mjs';
import { uint } from './rules.mjs';

/** `value` as an unsigned integer of `bits` bits, little-endian, as SCALE encodes it. */
function uintLe(value, bits, what) {
  return bnToU8a(uint(value, bits, what), { bitLength: bits, isLe: true });
}

/**
 * 32 bytes (a salt or a commitment) given as a `Uint8Array` or hex, as lowercase hex; anything
 * else is a `TypeError` naming `what`.
 *
 * @param {Uint8Array|string} value
 * @param {string} [what] the value's name, for the message.
 * @returns {string} 0x-prefixed lowercase hex.
 */
export function bytes32(value, what = 'value') {
  const bytes = value instanceof Uint8Array ? value : isHex(value) ? hexToU8a(value) : null;
  if (bytes === null || bytes.length !== 32) {
    throw new TypeError(`${what} must be 32 bytes (a Uint8Array or 0x-prefixed hex), got ` +
      `${bytes === null ? typeof value : `${bytes.length} bytes`}`);
  }
  return u8aToHex(bytes);
}

/**
 * The commitment to a sealed offer, as main checks it at `reveal`: the BLAKE2b-256 hash of the
 * SCALE encoding of `(market, account, interval, side, energy_wh, price, salt)`, i.e. of the
 * bytes market (32) ‖ account (32) ‖ interval (u64 LE) ‖ side (`Sell` 0x00, `Buy` 0x01) ‖
 * energy_wh (u64 LE) ‖ price (u128 LE) ‖ salt (32), as `market::seal::commitment` computes it.
 * `market` is main's address: main recomputes the hash with its own, so a commitment is valid
 * in one deployment only. `price` is the ask of a sell or the limit of a buy.
 *
 * @param {string|object|Uint8Array} market main's address (SS58, public key, or a
 *   {@link Market}): a commitment binds its market.
 * @param {string|object|Uint8Array} who the account that will commit and reveal (SS58, pair or
 *   public key): a commitment binds its maker.
 * @param {bigint|number|string} interval
 * @param {'Sell'|'Buy'} side
 * @param {bigint|number|string} energyWh
 * @param {bigint|number|string} price
 * @param {Uint8Array|string} salt 32 secret random bytes (see {@link sealOffer}).
 * @returns {string} the commitment, 0x-prefixed hex of 32 bytes.
 */
export function commitment(market, who, interval, side, energyWh, price, salt) {
  if (side !== 'Sell' && side !== 'Buy') {
    throw new TypeError(`side must be 'Sell' or 'Buy', got ${JSON.stringify(side)}`);
  }
  const bytes = u8aConcat(
    hexToU8a(accountHex(market)),
    hexToU8a(accountHex(who)),
    uintLe(interval, 64, 'interval'),
    new Uint8Array([side === 'Sell' ? 0 : 1]),
    uintLe(energyWh, 64, 'energy_wh'),
    uintLe(price, 128, 'price'),
    hexToU8a(bytes32(salt, 'salt')),
  );
  return u8aToHex(blake2AsU8a(bytes, 256));
}

/**
 * Seals an offer for the market whose main is at `market`: draws a random 32-byte salt (unless
 * `salt` is given) and computes the {@link commitment}. Keep both, and the offer, until the
 * reveal: without the salt the offer cannot be revealed and its commitment forfeits a share
 * of its deposit.
 *
 * @param {string|object|Uint8Array} market main's address.
 * @param {string|object|Uint8Array} who the account that will commit and reveal.
 * @param {bigint|number|string} interval
 * @param {'Sell'|'Buy'} side
 * @param {bigint|number|string} energyWh
 * @param {bigint|number|string} price the ask, or the buy's limit.
 * @param {{salt?: Uint8Array|string}} [options] a salt of your own (default: 32 random bytes).
 * @returns {{commitment: string, salt: string}} both 0x-prefixed hex.
 */
export function sealOffer(market, who, interval, side, energyWh, price,
  { salt = randomAsU8a(32) } = {}) {
  const hex = bytes32(salt, 'salt');
  return { commitment: commitment(market, who, interval, side, energyWh, price, hex), salt: hex };
}
