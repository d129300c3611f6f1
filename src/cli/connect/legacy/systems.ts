import {
  ApiError,
  type JobInfo,
  type StateOperation,
  type SystemDetail,
  type SystemSummary,
  type SystemsApi,
} from '../../../api/index.js';
import type { HostClient, Job, VmSummary } from '../../../host/index.js';
import type { VirtualSystemDefinition } from '../../../model/index.js';
import { partialNamespace } from '../unsupported.js';
import { detailOf, doneJob, jobOf, summaryOf } from './values.js';

/** The old protocol's word for each state change it has. */
const LEGACY_OP: Partial<Record<StateOperation, string>> = {
  start: 'start',
  shutdown: 'stop',
  powerOff: 'powerOff',
  pause: 'pause',
  resume: 'resume',
  reset: 'reset',
};

type Detail = VmSummary & { definition: VirtualSystemDefinition };

/** The `systems` namespace over the old socket protocol: what it carries; the rest is NOT_SUPPORTED. */
export function legacySystems(client: HostClient, host: string): SystemsApi {
  const get = async (ref: string): Promise<SystemDetail> =>
    detailOf(await client.call<Detail>('vm.get', { vm: ref }));
  const methods: Partial<SystemsApi> = {
    list: (async (q = {}) => {
      const all = (await client.call<VmSummary[]>('vm.list')).filter(
        (v) => q.states === undefined || (q.states as string[]).includes(v.state),
      );
      const page = all
        .filter((v) => q.after === undefined || v.name > q.after)
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .slice(0, q.limit ?? all.length);
      if (q.detail === true) return Promise.all(page.map((v) => get(v.uuid)));
      return page.map(summaryOf);
    }) as SystemsApi['list'],
    get,
    async define(def) {
      const vm = summaryOf(await client.call<VmSummary>('vm.define', { definition: def }));
      return doneJob('define', vm, vm);
    },
    async undefine(ref, o = {}) {
      if (o.powerOff === true || o.keepDisks === true)
        throw new ApiError('NOT_SUPPORTED', `Cannot undefine with powerOff or keepDisks on ${host}`);
      const vm = summaryOf(await client.call<VmSummary>('vm.get', { vm: ref }));
      await client.call('vm.undefine', { vm: ref });
      return doneJob<void>('undefine', undefined, vm);
    },
    async changeState(ref, op, o = {}): Promise<JobInfo<SystemSummary>> {
      const legacy = LEGACY_OP[op];
      if (legacy === undefined) throw new ApiError('NOT_SUPPORTED', `Cannot ${op} a system on ${host}`);
      if (o.forceAfterTimeout === false)
        throw new ApiError('NOT_SUPPORTED', `${host} always powers a system off when its shutdown times out`);
      const wait = (o.waitMs ?? 0) > 0;
      const r = await client.call<{ job: string; vm?: VmSummary }>('vm.change', {
        vm: ref,
        op: legacy,
        wait,
        ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
      });
      const job = await client.call<Job>('job.get', { id: r.job });
      return jobOf(job, r.vm === undefined ? undefined : summaryOf(r.vm));
    },
    metadata: (ref) => client.call<Record<string, string>>('vm.metadata', { vm: ref }),
    async setMetadata(ref, key, value) {
      if (value === undefined) throw new ApiError('NOT_SUPPORTED', `Cannot remove metadata on ${host}`);
      await client.call('vm.setMetadata', { vm: ref, key, value });
    },
  };
  return partialNamespace('systems', methods, host);
}
