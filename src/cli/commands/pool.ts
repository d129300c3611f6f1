import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { PoolUsage } from '../../host/index.js';
import { formatBytes } from '../../model/index.js';
import { action, printJson, println } from '../output.js';
import { registerGroup } from '../program.js';
import { RemoteError, remoteTarget } from '../remote.js';
import { connectHost } from './host.js';

const STATE_HELP = 'state directory of the host (default: $VESSEL_STATE or ~/.local/share/vessel)';

/** Storage pools are the host's own configuration: managed on the host, never through CIM. */
function localOnly(command: Command): void {
  if (remoteTarget(command) !== undefined) {
    throw new RemoteError(
      'NOT_SUPPORTED',
      'Storage pools are managed on the host itself (CIM shows them as resource pools, read-only)',
      { hint: 'Run vessel pool on the host, without --host' },
    );
  }
}

async function call<T>(state: string | undefined, method: string, params: Record<string, unknown> = {}) {
  const client = await connectHost(state);
  try {
    return await client.call<T>(method, params);
  } finally {
    client.close();
  }
}

const size = (n: number | undefined) => (n === undefined ? '-' : formatBytes(n));

/** What `pool list --json` prints of a pool: sizes in bytes, null when the folder cannot be read. */
function poolJson(p: PoolUsage) {
  return {
    name: p.name,
    path: p.path,
    allowDevices: p.allowDevices,
    available: p.available,
    capacityBytes: p.capacityBytes ?? null,
    usedBytes: p.usedBytes ?? null,
    freeBytes: p.freeBytes ?? null,
    images: p.images,
  };
}

function printPools(pools: PoolUsage[]): void {
  const w = Math.max(4, ...pools.map((p) => p.name.length));
  const head = ['CAPACITY', 'USED', 'FREE', 'IMAGES', 'DEVICES'].map((h) => h.padStart(10)).join('');
  println(`${'NAME'.padEnd(w)}${head}  PATH`);
  for (const p of pools) {
    const cols = [size(p.capacityBytes), size(p.usedBytes), size(p.freeBytes), String(p.images)];
    cols.push(p.allowDevices ? 'allowed' : 'no');
    const missing = p.available ? '' : '  (cannot be read)';
    println(`${p.name.padEnd(w)}${cols.map((c) => c.padStart(10)).join('')}  ${p.path}${missing}`);
  }
}

registerGroup((program: Command) => {
  const cmd = program
    .command('pool')
    .description('Storage pools: the host folders that every image named in a definition must lie in');

  cmd
    .command('list')
    .description('List the pools: name, folder, capacity, used and free bytes of its file system, images')
    .option('--state <dir>', STATE_HELP)
    .option('--json', 'print JSON (sizes in bytes)')
    .action(
      action(async (opts: { state?: string; json?: boolean }, command: Command) => {
        localOnly(command);
        const pools = await call<PoolUsage[]>(opts.state, 'pool.list');
        if (opts.json) printJson(pools.map(poolJson));
        else printPools(pools);
        return 0;
      }),
    );

  cmd
    .command('add')
    .description('Add a folder as a pool (it must exist; symlinks in its path are resolved)')
    .argument('<name>', '1 to 64 letters, digits, . _ -')
    .argument('<dir>', 'the folder (a relative path is taken from the current directory)')
    .option('--allow-devices', 'let block devices in the folder be used as disks (off by default)')
    .option('--state <dir>', STATE_HELP)
    .option('--json', 'print JSON')
    .action(
      action(
        async (
          name: string,
          dir: string,
          opts: { allowDevices?: boolean; state?: string; json?: boolean },
          command: Command,
        ) => {
          localOnly(command);
          const pool = await call<PoolUsage>(opts.state, 'pool.add', {
            name,
            path: resolve(dir),
            allowDevices: opts.allowDevices === true,
          });
          if (opts.json) printJson(poolJson(pool));
          else println(`Added the storage pool "${pool.name}": ${pool.path}`);
          return 0;
        },
      ),
    );

  cmd
    .command('remove')
    .description('Remove a pool (its folder is kept); refused while a defined system uses an image in it')
    .argument('<name>', 'the pool')
    .option('--state <dir>', STATE_HELP)
    .option('--json', 'print JSON')
    .action(
      action(async (name: string, opts: { state?: string; json?: boolean }, command: Command) => {
        localOnly(command);
        await call(opts.state, 'pool.remove', { name });
        if (opts.json) printJson({ removed: name });
        else println(`Removed the storage pool "${name}"`);
        return 0;
      }),
    );
});
