import { ApiError, type UndefineResult } from '../../../api/index.js';
import { type CimInstance, type CimInstanceName, isInstance, isInstanceName } from '../../../cim/index.js';
import type { MethodOutcome } from '../client.js';
import type { Inventory } from './inventory.js';
import type { CimSession } from './session.js';
import { texts } from './values.js';

/**
 * An undefine that keeps the guest's disks, over CIM-XML and WS-Man: Vessel's extension of the management service,
 * DestroySystemKeepingDisks (src/cim/methods/vsms.ts), whose four parallel Kept arrays (OUT parameters, or the
 * properties of its job once completed) name what was kept. DSP1042's DestroySystem has no such choice, so a host
 * whose service class lacks the method cannot do it.
 */

/** The method, as Vessel's management service declares it. */
export const KEEP_DISKS_METHOD = 'DestroySystemKeepingDisks';

const MAX_KEPT = 4096;

/**
 * True when the host's management service class has {@link KEEP_DISKS_METHOD}.
 *
 * @example
 * if (await hasKeepDisks(s, inv)) await invoke(...);
 */
export async function hasKeepDisks(s: CimSession, inv: Inventory): Promise<boolean> {
  // A host that will not show its service or the service's class has no extension this client can use.
  const svc = await inv.service().catch(() => undefined);
  const cls = svc === undefined ? undefined : await s.classOf(svc.className).catch(() => undefined);
  return cls?.methodIndex.has(KEEP_DISKS_METHOD.toLowerCase()) === true;
}

/**
 * The management service to call for a keep-disks undefine, or NOT_SUPPORTED saying why.
 *
 * @example
 * const vsms = await keepDisksService(s, inv, 'web1');
 */
export async function keepDisksService(
  s: CimSession,
  inv: Inventory,
  name: string,
): Promise<CimInstanceName> {
  const svc = await inv.service();
  if (!(await hasKeepDisks(s, inv)))
    throw new ApiError(
      'NOT_SUPPORTED',
      `Cannot undefine "${name}" keeping its disks over ${s.encoding}: ${s.where}'s ${svc.className} has no ${KEEP_DISKS_METHOD} (a Vessel extension; DSP1042's DestroySystem has no choice of what happens to the disks)`,
      { hint: 'Undefine without keeping the disks, or copy them off the host first' },
    );
  return svc;
}

/** The four arrays of `from` (OUT parameters or a job's properties) as kept images; PROTOCOL when they disagree. */
function keptOf(from: CimInstance, where: string): UndefineResult {
  const [ids, pools, images, how] = ['KeptInstanceIDs', 'KeptPools', 'KeptImages', 'KeptHow'].map((p) =>
    texts(from, p),
  ) as [string[], string[], string[], string[]];
  const bad = (why: string) =>
    new ApiError('PROTOCOL', `${where} answered ${KEEP_DISKS_METHOD} with Kept arrays that ${why}`);
  if (pools.length !== ids.length || images.length !== ids.length || how.length !== ids.length)
    throw bad(`differ in length (${ids.length}, ${pools.length}, ${images.length}, ${how.length})`);
  if (ids.length > MAX_KEPT) throw bad(`name ${ids.length} disks (at most ${MAX_KEPT})`);
  return {
    keptImages: ids.map((instanceId, i) => {
      const h = how[i]!;
      if (h !== 'converted' && h !== 'in-place') throw bad(`say "${h.slice(0, 64)}" for how a disk was kept`);
      if (instanceId === '' || pools[i] === '' || images[i] === '') throw bad('hold an empty name');
      return { instanceId, pool: pools[i]!, image: images[i]!, how: h };
    }),
  };
}

/**
 * What a keep-disks undefine kept: from the OUT parameters of a method that completed (0), else from its job,
 * read once the job completed.
 *
 * @example
 * result: () => keptImagesOf(s, outcome)
 */
export async function keptImagesOf(s: CimSession, outcome: MethodOutcome): Promise<UndefineResult> {
  if (outcome.returnValue === 0) {
    const props = Object.fromEntries(
      Object.entries(outcome.out).filter(([, v]) => typeof v === 'string' || Array.isArray(v)),
    ) as CimInstance['properties'];
    return keptOf({ className: KEEP_DISKS_METHOD, properties: props }, s.where);
  }
  const job = outcome.out.Job;
  if (job === undefined || Array.isArray(job) || !isInstanceName(job) || isInstance(job))
    throw new ApiError('PROTOCOL', `${s.where} answered ${KEEP_DISKS_METHOD} without a usable Job reference`);
  const inst = await s.call({ what: 'Reading the kept disks of an undefine' }, (c) =>
    c.getInstance({ ...job, namespace: job.namespace ?? s.namespace, host: undefined }),
  );
  return keptOf(inst, s.where);
}
