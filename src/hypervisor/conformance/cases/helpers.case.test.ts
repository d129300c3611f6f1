import { buildDefinition, type VirtualSystemDefinition } from '../../../model/index.js';
import { HypervisorError } from '../../errors.js';
import type { CaseContext } from '../types.case.test.js';

/** Polls `fn` every 50 ms until it returns a value (not undefined or false), or fails after `ms`. */
export async function until<T>(
  what: string,
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  ms: number,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The HypervisorError a call fails with; anything else (or success) fails the case. */
export async function failure(p: Promise<unknown> | (() => unknown)): Promise<HypervisorError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof HypervisorError) return e;
    throw e;
  }
  throw new Error('expected a HypervisorError');
}

/** A small system on the guest disk (or `disk`) with one user-mode NIC, as every case defines them. */
export function guestDef(
  t: CaseContext,
  name: string,
  disk = t.options.guest.disk,
  graphics?: 'vga' | 'vnc',
): VirtualSystemDefinition {
  return buildDefinition({
    name,
    cpus: 1,
    memoryBytes: 128n << 20n,
    disks: [disk],
    nics: [{ network: 'user' }],
    ...(graphics === undefined ? {} : { graphics }),
  });
}

/** Powers a system off when it runs and undefines it, so a case leaves nothing behind. */
export async function cleanup(t: CaseContext, uuid: string): Promise<void> {
  const d = t.driver;
  const st = await d.lookup(uuid);
  if (st === undefined) return;
  if (st.state !== 'stopped' && d.powerOff) await d.powerOff(uuid);
  await d.undefine?.(uuid);
}
