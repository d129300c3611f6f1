import type { VirtualSystemDefinition } from '../model/index.js';
import type { SystemInfo, VirtualSystemBackend } from './backend.js';
import { type CimContext, memoAsync } from './provider.js';

/** A virtual system and its definition, read once per operation. */
export interface SystemView {
  info: SystemInfo;
  def: VirtualSystemDefinition;
}

/**
 * Every virtual system with its definition, read from the backend once per operation (so one answer is one
 * consistent picture of the host). Systems that vanish while being read are skipped.
 */
export function allSystems(ctx: CimContext, backend: VirtualSystemBackend): Promise<SystemView[]> {
  return memoAsync(ctx, 'systems', async () => {
    const infos = await backend.list();
    const defs = await Promise.all(infos.map((info) => readDefinition(backend, info.uuid)));
    const out: SystemView[] = [];
    infos.forEach((info, i) => {
      const def = defs[i];
      if (def) out.push({ info, def });
    });
    return out;
  });
}

/** One virtual system by name (or UUID), from the operation's snapshot when there is one. */
export async function oneSystem(
  ctx: CimContext,
  backend: VirtualSystemBackend,
  name: string,
): Promise<SystemView | undefined> {
  const all = ctx.memo.get('systems') as Promise<SystemView[]> | undefined;
  if (all) return (await all).find((s) => s.info.name === name);
  return memoAsync(ctx, `system:${name}`, async () => {
    const info = await backend.lookup(name);
    if (!info || info.name !== name) return undefined;
    const def = await readDefinition(backend, info.uuid);
    return def ? { info, def } : undefined;
  });
}

async function readDefinition(
  backend: VirtualSystemBackend,
  uuid: string,
): Promise<VirtualSystemDefinition | undefined> {
  try {
    return await backend.definition(uuid);
  } catch (e) {
    if ((e as { code?: string }).code === 'VM_NOT_FOUND') return undefined;
    throw e;
  }
}
