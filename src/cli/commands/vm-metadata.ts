import type { Command } from 'commander';
import { ApiError } from '../../api/index.js';
import { VesselError } from '../../model/index.js';
import { withApi } from '../connect.js';
import { action, printJson, println } from '../output.js';

/**
 * `vessel vm metadata VM [KEY] [--set VALUE | --unset] [--json]`: a system's metadata (free-form text beside its
 * definition: a deploy's `ovf.*` entries, an admin's own keys). Without KEY it lists the keys; with KEY it prints
 * the value as it is; `--set` and `--unset` change one key (admins).
 */

/** The longest value the list shows on its line; longer or multi-line ones are shown by their size. */
const SHOWN = 80;

/**
 * The list's lines: `KEY  VALUE`, or `KEY  (N characters)` for a value too long or of several lines.
 *
 * @example
 * metadataLines({ 'app.role': 'web' }); // ['app.role  web']
 */
export function metadataLines(map: Readonly<Record<string, string>>): string[] {
  const keys = Object.keys(map).sort();
  const width = Math.max(0, ...keys.map((k) => k.length));
  return keys.map((k) => {
    const v = map[k] ?? '';
    const shown = v.length <= SHOWN && !/[\r\n]/.test(v) ? v : `(${v.length} characters)`;
    return `${k.padEnd(width)}  ${shown}`;
  });
}

interface Opts {
  set?: string;
  unset?: boolean;
  json?: boolean;
}

/**
 * Adds `metadata` to the `vm` command group.
 *
 * @example
 * addMetadataCommand(program.command('vm'));
 */
export function addMetadataCommand(cmd: Command): void {
  cmd
    .command('metadata')
    .description("Show a system's metadata, one key's value, or set or remove a key (--set, --unset: admins)")
    .argument('<vm>', 'name or UUID')
    .argument('[key]', 'the key (e.g. ovf.configuration); without it, every key')
    .option('--set <value>', 'set the key to this value')
    .option('--unset', 'remove the key')
    .option('--json', 'print JSON (the map, or {"key", "value"})')
    .action(
      action(async (vm: string, key: string | undefined, opts: Opts, command: Command) => {
        const change = opts.set !== undefined || opts.unset === true;
        if (opts.set !== undefined && opts.unset === true)
          throw new VesselError('USAGE', '--set and --unset: give one of them');
        if (key === undefined) {
          if (change) throw new VesselError('USAGE', '--set and --unset need a KEY');
          const map = await withApi(command, (api) => api.systems.metadata(vm));
          if (opts.json) printJson(map);
          else for (const line of metadataLines(map)) println(line);
          return 0;
        }
        if (change) {
          await withApi(command, (api) => api.systems.setMetadata(vm, key, opts.set));
          if (opts.json) printJson({ key, value: opts.set ?? null });
          else println(opts.set === undefined ? `Removed "${key}" of ${vm}` : `Set "${key}" of ${vm}`);
          return 0;
        }
        const map = await withApi(command, (api) => api.systems.metadata(vm));
        const value = Object.hasOwn(map, key) ? map[key] : undefined;
        if (value === undefined)
          throw new ApiError('NOT_FOUND', `${vm} has no metadata "${key.slice(0, 256)}"`, {
            hint: `Its keys: vessel vm metadata ${vm}`,
          });
        if (opts.json) printJson({ key, value });
        else process.stdout.write(value.endsWith('\n') ? value : `${value}\n`);
        return 0;
      }),
    );
}
