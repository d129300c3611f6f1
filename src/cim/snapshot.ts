import type { VirtualSystemDefinition } from '../model/index.js';
import type { SystemInfo, VirtualSystemBackend } from './backend.js';
import { type CimContext, memo } from './provider.js';

/** A virtual system and its definition, read once per operation. */
export interface SystemView {
  info: SystemInfo;
  def: VirtualSystemDefinition;
}

/**
 * Every virtual system with its definition, read from the backend once per operation (so one answer is one
 * consistent picture of the host). Systems that vanish while being read are skipped.
 */
export function allSystems(ctx: CimContext, backend: VirtualSystemBackend): SystemView[] {
  return memo(ctx, 'systems', () => {
    const out: SystemView[] = [];
    for (const info of backend.list()) {
      const def = readDefinition(backend, info.uuid);
      if (def) out.push({ info, def });
    }
    return out;
  });
}

/** One virtual system by name (or UUID), from the operation's snapshot when there is one. */
export function oneSystem(
  ctx: CimContext,
  backend: VirtualSystemBackend,
  name: string,
): SystemView | undefined {
  const all = ctx.memo.get('systems') as SystemView[] | undefined;
  if (all) return all.find((s) => s.info.name === name);
  return memo(ctx, `system:${name}`, () => {
    const info = backend.lookup(name);
    if (!info || info.name !== name) return undefined;
    const def = readDefinition(backend, info.uuid);
    return def ? { info, def } : undefined;
  });
}

function readDefinition(backend: VirtualSystemBackend, uuid: string): VirtualSystemDefinition | undefined {
  try {
    return backend.definition(uuid);
  } catch (e) {
    if ((e as { code?: string }).code === 'VM_NOT_FOUND') return undefined;
    throw e;
  }
}
