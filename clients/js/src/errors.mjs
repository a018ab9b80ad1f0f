/**
 * The errors the client throws: a contract's typed error ({@link ContractError}), the chain's
 * refusal ({@link ChainError}) and a market that runs other code than its bundles
 * ({@link DeploymentMismatch}). `codec.mjs` turns a decoded `Err` into a `ContractError` with
 * the variant's meaning from the metadata.
 */

/**
 * A contract message or constructor returned `Err(Error::Variant)`. `variant` is the variant's
 * name as in Rust (`'NotRegistered'`, `'CommitmentMismatch'`: main's errors are flat, a callee's
 * refusal surfaces as main's own variant). Should a variant carry data, `detail` holds it and the
 * message shows `Variant(detail)`. `code` is the variant as the message shows it.
 *
 * `meaning` is the variant's doc comment as the contract's metadata carries it ("The caller (or
 * the account named) is not a registered participant."), `detailMeaning` the inner variant's;
 * empty when the metadata has no docs. A user interface shows `code` and these.
 *
 * Usually thrown by the dry run, before anything is signed. If the dry run passed but the
 * transaction reverted in its block (the chain's state or clock moved in between), `reverted`
 * is true, `blockHash` names that block, and the variant comes from a dry run on it.
 */
export class ContractError extends Error {
  /**
   * @param {string} contract `'main'`, `'p2p'` or `'p2g'`.
   * @param {string} message the message's snake_case label.
   * @param {string} variant the error variant's name.
   * @param {string|null} [detail] the variant's data, shown.
   */
  constructor(contract, message, variant, detail = null) {
    const shown = detail === null ? variant : `${variant}(${detail})`;
    super(`${contract}.${message} failed: ${shown}`);
    this.name = 'ContractError';
    /** @type {string} */
    this.contract = contract;
    /** @type {string} */
    this.messageName = message;
    /** @type {string} */
    this.variant = variant;
    /** @type {string|null} */
    this.detail = detail;
    /** @type {string} */
    this.code = shown;
    /** @type {string} */
    this.meaning = '';
    /** @type {string} */
    this.detailMeaning = '';
  }
}

/**
 * The chain refused or aborted a call outside the contract's typed errors: a dispatch error
 * (`contracts.ContractTrapped`, `contracts.OutOfGas`, ...), an ink! `LangError`, or a
 * transaction pool rejection. `reason` is e.g. `'contracts.ContractTrapped'`.
 */
export class ChainError extends Error {
  /**
   * @param {string} what the call, for the message.
   * @param {string} reason e.g. `'contracts.ContractTrapped'`.
   * @param {string} [debugMessage] the contract's debug message, if any.
   */
  constructor(what, reason, debugMessage = '') {
    super(`${what} failed: ${reason}${debugMessage ? ` (${debugMessage})` : ''}`);
    this.name = 'ChainError';
    /** @type {string} */
    this.reason = reason;
    /** @type {string} */
    this.debugMessage = debugMessage;
  }
}

/**
 * A market runs other code than the bundles a client trusts. `mismatches` lists each contract
 * that differs as `{contract, address, codeHash, expected}` (`codeHash` what the chain runs,
 * `expected` the bundle's); the message names them all, e.g. `p2g at 5F… runs code 0xab…, not
 * the p2g bundle's 0xcd…`.
 */
export class DeploymentMismatch extends Error {
  /**
   * @param {{contract: string, address: string, codeHash: string, expected: string}[]} mismatches
   */
  constructor(mismatches) {
    super(`the market does not run the code of its bundles: ${mismatches.map(({ contract,
      address, codeHash, expected }) => `${contract} at ${address} runs code ${codeHash}, not ` +
      `the ${contract} bundle's ${expected}`).join('; ')}`);
    this.name = 'DeploymentMismatch';
    this.mismatches = mismatches;
  }
}

/**
 * A dispatch error's name: `section.name` of a module error (`contracts.ContractTrapped`),
 * else its string form.
 *
 * @param {import('@polkadot/api').ApiPromise} api
 * @param {object} dispatchError a `DispatchError` codec.
 * @returns {string}
 */
export function dispatchErrorName(api, dispatchError) {
  if (dispatchError.isModule) {
    const { section, name } = api.registry.findMetaError(dispatchError.asModule);
    return `${section}.${name}`;
  }
  return dispatchError.toString();
}
