import { ApiError, decodeParams, METHODS, roleAllows } from '../../api/index.js';
import { CimError } from '../errors.js';
import { metadataEntries, metadataMap, metadataTag } from '../metadata.js';
import type { CimContext } from '../provider.js';
import type { ProviderEnv } from '../providers/env.js';
import type { CimInstance } from '../types.js';
import { toCimError } from './errors-map.js';

/**
 * The VSSD's Metadata and MetadataTag (Vessel's extension, src/cim/metadata.ts): read from the Api's
 * systems.metadata, changed by ModifySystemSettings through systems.setMetadata, one key at a time, only the keys
 * that differ, with the Api's roles and limits.
 */

/**
 * The VSSD instance with the system's Metadata and MetadataTag. A system gone since it was listed keeps none.
 *
 * @example
 * const vssd = await withMetadata(env, ctx, vssdInstance(v), v.uuid);
 */
export async function withMetadata(
  env: ProviderEnv,
  ctx: CimContext,
  inst: CimInstance,
  uuid: string,
): Promise<CimInstance> {
  let map: Record<string, string>;
  try {
    map = await env.api(ctx).systems.metadata(uuid);
  } catch (e) {
    if (e instanceof ApiError && (e.code === 'VM_NOT_FOUND' || e.code === 'NOT_FOUND')) return inst;
    throw toCimError(e);
  }
  inst.properties.Metadata = metadataEntries(map);
  inst.properties.MetadataTag = metadataTag(map);
  return inst;
}

/**
 * Changes in this process run one at a time, so that a MetadataTag check and the change it guards are not split by
 * another (CIM-XML and WS-Man share this queue; REST has its own).
 */
let queue: Promise<unknown> = Promise.resolve();

function serially<T>(change: () => Promise<T>): Promise<T> {
  const run = queue.then(change, change);
  queue = run.catch(() => undefined);
  return run;
}

/**
 * Makes the system's metadata the map that `entries` give: sets the keys whose value differs, removes the keys
 * that are absent, when `tag` (if given) is the tag of the metadata now. A stale tag is CIM_ERR_FAILED and changes
 * nothing; the Api's refusals (a role that may not set metadata, a key or value over its limit) come as the Api's
 * CIM errors. The role and the limits are checked before the first change.
 */
export function applyMetadata(
  env: ProviderEnv,
  ctx: CimContext,
  system: { uuid: string; name: string },
  entries: readonly string[],
  tag: string | undefined,
): Promise<void> {
  // The Api's refusal even when nothing would change, as the host itself answers a caller who may not set metadata.
  const needed = METHODS['systems.setMetadata'].role;
  if (!roleAllows(ctx.role, needed))
    return Promise.reject(
      toCimError(
        new ApiError(
          'ACCESS_DENIED',
          `${ctx.user} (${ctx.role}) may not call systems.setMetadata: it needs the ${needed} role`,
        ),
      ),
    );
  const wanted = metadataMap(entries);
  return serially(async () => {
    const api = env.api(ctx).systems;
    try {
      const now = await api.metadata(system.uuid);
      if (tag !== undefined && tag !== metadataTag(now))
        throw new CimError(
          'CIM_ERR_FAILED',
          `The metadata of "${system.name}" changed since MetadataTag ${tag.slice(0, 64)} was read: nothing was changed (read the VSSD again)`,
        );
      const removed = Object.keys(now).filter((k) => !Object.hasOwn(wanted, k));
      const set = Object.keys(wanted).filter((k) => now[k] !== wanted[k]);
      // The Api's limits checked for every change before the first is made (the Api checks them again).
      for (const key of set)
        decodeParams('systems.setMetadata', { ref: system.uuid, key, value: wanted[key] ?? '' });
      for (const key of removed.sort()) await api.setMetadata(system.uuid, key, undefined);
      for (const key of set.sort()) await api.setMetadata(system.uuid, key, wanted[key]);
    } catch (e) {
      throw toCimError(e);
    }
  });
}
