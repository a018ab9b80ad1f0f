/**
 * The command-line convention of the client's scripts (as `scripts/lib.sh` has for the shell
 * scripts): a usage line, `-h`/`--help` prints it and exits 0, a bad option or argument prints
 * `error: …` and the usage and exits 2.
 */
import { parseArgs } from 'node:util';

/**
 * Prints `error: message` (and `usage`, if given) to stderr and exits with `code`.
 * @param {string} message
 * @param {{ code?: number, usage?: string }} [how]
 * @returns {never}
 */
export function exitWithError(message, { code = 1, usage } = {}) {
  process.stderr.write(`error: ${message}\n${usage ? `${usage}\n` : ''}`);
  process.exit(code);
}

/**
 * Parses `argv` with `node:util`'s `parseArgs` and the convention above (a `help` option is
 * added). `maxPositionals` (default 0) bounds the positional arguments.
 * @param {string[]} argv
 * @param {{ usage: string, options: object, maxPositionals?: number }} spec
 * @returns {{ values: Record<string, any>, positionals: string[] }}
 */
export function parseCommandLine(argv, { usage, options, maxPositionals = 0 }) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h', default: false } },
      strict: true,
      allowPositionals: maxPositionals > 0,
    });
  } catch (error) {
    exitWithError(error.message, { code: 2, usage });
  }
  if (parsed.values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  if (parsed.positionals.length > maxPositionals) {
    const most = maxPositionals === 1 ? 'one argument' : `${maxPositionals} arguments`;
    exitWithError(`${most} at most`, { code: 2, usage });
  }
  return parsed;
}
