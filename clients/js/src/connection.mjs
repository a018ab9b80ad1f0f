/**
 * Connecting to a node, and accounts: keyring pairs from secret URIs, and the public key
 * behind any of the account forms the client accepts (SS58 strings, keyring pairs, extension
 * accounts `{address, signer}`, 32-byte public keys).
 */
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import { isHex, u8aToHex } from '@polkadot/util';
import { cryptoWaitReady, decodeAddress } from '@polkadot/util-crypto';

/**
 * Connects to a node. Fails after `timeoutMs` instead of retrying forever (polkadot.js's
 * default), so a wrong URL is an error rather than a hang.
 *
 * @param {string} url `ws://...` or `wss://...`.
 * @param {{timeoutMs?: number}} [options]
 * @returns {Promise<ApiPromise>}
 */
export async function connect(url, { timeoutMs = 30_000 } = {}) {
  if (typeof url !== 'string' || !/^wss?:\/\//.test(url)) {
    throw new TypeError(`connect: the node's URL must be ws://... or wss://..., got ${url}`);
  }
  await cryptoWaitReady();
  const provider = new WsProvider(url, false);
  try {
    await withTimeout(provider.connect(), timeoutMs, `no node answers at ${url}`);
    const api = new ApiPromise({ provider, noInitWarn: true });
    await withTimeout(api.isReadyOrError, timeoutMs, `node at ${url} did not get ready`);
    return api;
  } catch (error) {
    await provider.disconnect().catch(() => {});
    throw new Error(`cannot connect to ${url}: ${error.message}`);
  }
}

/** `promise`, or a rejection after `ms`; the timer is always cleared so it cannot hold the process. */
async function withTimeout(promise, ms, message) {
  let timer;
  try {
    return await Promise.race([
      promise,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A keyring pair from a secret URI such as `//Alice` (sr25519, the dev chain's scheme).
 *
 * @param {string} uri
 * @param {number} [ss58Format] the chain's address format (42: generic Substrate).
 * @returns {import('@polkadot/keyring/types').KeyringPair}
 */
export function account(uri, ss58Format = 42) {
  return new Keyring({ type: 'sr25519', ss58Format }).addFromUri(uri);
}

/**
 * The 32-byte public key behind an SS58 string, a keyring pair or raw bytes, as hex.
 *
 * @param {string|Uint8Array|{address: string, publicKey?: Uint8Array}} who
 * @returns {string} 0x-prefixed hex of 32 bytes.
 */
export function accountHex(who) {
  if (who && typeof who === 'object' && 'address' in who) {
    // A keyring pair has its public key; an extension account `{address, signer}` only its address.
    return who.publicKey ? u8aToHex(who.publicKey) : u8aToHex(decodeAddress(who.address));
  }
  if (who instanceof Uint8Array) return u8aToHex(who);
  if (isHex(who) && who.length === 66) return who;
  return u8aToHex(decodeAddress(who));
}

/**
 * The address of a signer (a pair or an extension account), or `who` itself.
 *
 * @param {*} who
 * @returns {*}
 */
export function addressOf(who) {
  return who && typeof who === 'object' && 'address' in who ? who.address : who;
}
