import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type Api, isApiError, type PoolInfo } from '../../api/index.js';
import { formatBytes } from '../../model/index.js';
import { withApi } from '../connect.js';
import { action, printJson, println } from '../output.js';
import { registerGroup } from '../program.js';
import { addImageCommands } from './pool-image.js';

/** A pool as `pool list` shows it: the Api's pool, its free bytes, and its image count when the host lists images. */
interface PoolRow extends PoolInfo {
  freeBytes: bigint;
  images?: number;
}

/** The number of images in a pool, or undefined when this connection cannot list a pool's images. */
async function imageCount(api: Api, id: string): Promise<number | undefined> {
  try {
    return (await api.pools.images(id)).length;
  } catch (e) {
    if (isApiError(e, 'NOT_SUPPORTED')) return undefined;
    throw e;
  }
}

async function rows(api: Api): Promise<PoolRow[]> {
  const out: PoolRow[] = [];
  for (const p of await api.pools.list()) {
    const images = await imageCount(api, p.id);
    out.push({ ...p, freeBytes: p.capacityBytes - p.usedBytes, ...(images === undefined ? {} : { images }) });
  }
  return out;
}

const size = (p: PoolRow, n: bigint) => (p.available ? formatBytes(n) : '-');

function printPools(pools: PoolRow[]): void {
  const w = Math.max(4, ...pools.map((p) => p.id.length));
  const head = ['CAPACITY', 'USED', 'FREE', 'IMAGES', 'DEVICES'].map((h) => h.padStart(10)).join('');
  println(`${'NAME'.padEnd(w)}${head}  PATH`);
  for (const p of pools) {
    const cols = [size(p, p.capacityBytes), size(p, p.usedBytes), size(p, p.freeBytes)];
    cols.push(p.images === undefined ? '-' : String(p.images), p.allowDevices ? 'allowed' : 'no');
    const missing = p.available ? '' : '  (cannot be read)';
    println(`${p.id.padEnd(w)}${cols.map((c) => c.padStart(10)).join('')}  ${p.path ?? '-'}${missing}`);
  }
}

registerGroup((program: Command) => {
  const cmd = program
    .command('pool')
    .description('Storage pools: the host folders that every image named in a definition must lie in');

  cmd
    .command('list')
    .description('List the pools: name, folder, capacity, used and free bytes of its file system, images')
    .option('--json', 'print JSON (sizes in bytes)')
    .action(
      action(async (opts: { json?: boolean }, command: Command) => {
        const pools = await withApi(command, rows);
        if (opts.json) printJson(pools);
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
    .option('--json', 'print JSON')
    .action(
      action(
        async (
          name: string,
          dir: string,
          opts: { allowDevices?: boolean; json?: boolean },
          command: Command,
        ) => {
          const pool = await withApi(command, (api) =>
            api.pools.add({ id: name, path: resolve(dir), allowDevices: opts.allowDevices === true }),
          );
          if (opts.json) printJson(pool);
          else println(`Added the storage pool "${pool.id}": ${pool.path ?? resolve(dir)}`);
          return 0;
        },
      ),
    );

  cmd
    .command('remove')
    .description('Remove a pool (its folder is kept); refused while a defined system uses an image in it')
    .argument('<name>', 'the pool')
    .option('--json', 'print JSON')
    .action(
      action(async (name: string, opts: { json?: boolean }, command: Command) => {
        await withApi(command, (api) => api.pools.remove(name));
        if (opts.json) printJson({ removed: name });
        else println(`Removed the storage pool "${name}"`);
        return 0;
      }),
    );

  addImageCommands(cmd);
});
