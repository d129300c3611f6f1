import { ApiError } from '../api/index.js';
import { VesselError } from '../model/index.js';
import { ExitCode, exitCodeFor } from './exit.js';

/**
 * Writes one JSON value on one line to stdout. `sizes` renames the size fields of a domain's own result (`size`,
 * `virtualSize`) at any depth, so that every size the CLI prints is a number of bytes named `...Bytes`.
 *
 * @example
 * printJson(report, { sizes: { size: 'sizeBytes' } });
 */
export function printJson(value: unknown, o: { sizes?: Readonly<Record<string, string>> } = {}): void {
  const sizes = o.sizes;
  const replacer =
    sizes === undefined
      ? jsonReplacer
      : (key: string, v: unknown) => {
          const w = jsonReplacer(key, v);
          if (typeof w !== 'object' || w === null || Array.isArray(w)) return w;
          return Object.fromEntries(Object.entries(w).map(([k, x]) => [sizes[k] ?? k, x]));
        };
  process.stdout.write(`${JSON.stringify(value, replacer)}\n`);
}

/** JSON replacer that writes bigints as numbers when safe, else as strings. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint')
    return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  return value;
}

/** The size fields of the disk module's results (`disk info`, `disk convert`) and their names in JSON. */
export const DISK_SIZES: Readonly<Record<string, string>> = {
  virtualSize: 'virtualSizeBytes',
  fileSize: 'fileSizeBytes',
  allocatedSize: 'allocatedBytes',
  populatedSize: 'populatedBytes',
  bytes: 'sizeBytes',
};

/** The size fields of the OVA module's reports and results and their names in JSON. */
export const OVA_SIZES: Readonly<Record<string, string>> = { size: 'sizeBytes' };

/** Writes a line to stdout. */
export function println(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Thrown by a command that has already reported its outcome and wants a given exit code. */
export class CommandExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

/**
 * Wraps a command action: errors become one readable line on stderr (or a JSON object with `--json`) and the exit
 * code from {@link exitCodeFor}.
 */
export function action<A extends unknown[]>(
  fn: (...args: A) => Promise<number | undefined> | number | undefined,
) {
  return async (...args: A): Promise<void> => {
    try {
      const code = await fn(...args);
      process.exitCode = code ?? ExitCode.Ok;
    } catch (err) {
      if (err instanceof CommandExit) {
        process.exitCode = err.exitCode;
        return;
      }
      reportError(err, wantsJson(args));
      process.exitCode = exitCodeFor(err);
    }
  };
}

function wantsJson(args: unknown[]): boolean {
  return args.some((a) => typeof a === 'object' && a !== null && (a as { json?: unknown }).json === true);
}

/** Prints an error as `vessel: message` (with hint) or as `{"error":{...}}` for `--json`. */
export function reportError(err: unknown, json: boolean): void {
  if (err instanceof VesselError) {
    if (json) {
      // An Api error keeps the domain's own code in `detail` (e.g. OVA_DIGEST_MISMATCH under DEPLOY_PACKAGE).
      const detail = err instanceof ApiError ? err.detail : undefined;
      printJson({
        error: { code: err.code, message: err.message, location: err.location, hint: err.hint, detail },
      });
      return;
    }
    process.stderr.write(`vessel: ${err.describe()}\n`);
    if (err.hint) process.stderr.write(`  hint: ${err.hint}\n`);
    return;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  if (json) printJson({ error: { code: 'INTERNAL', message: e.message } });
  process.stderr.write(`vessel: internal error: ${e.stack ?? e.message}\n`);
}
