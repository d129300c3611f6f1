import type { ResourceSetting, VirtualSystemDefinition } from '../../model/index.js';
import { validateDefinition } from '../../model/index.js';
import type { Api } from '../api.js';
import type { Capabilities } from '../capabilities.js';
import type { CaseDeclaration } from '../conformance.case.test.js';
import { ApiError } from '../errors.js';
import type { ApiEvent, EventQuery } from '../events.js';
import { isFinalJobState, type JobInfo } from '../jobs.js';
import {
  checkTransition,
  ENDS_IN,
  isStateOperation,
  type Operation,
  STATE_OPERATIONS,
} from '../operations.js';
import type { StateReasonCode, SystemState } from '../state.js';
import type { SystemDetail, SystemSummary } from '../systems-data.js';
import type { ApiCaseId, ApiFixtures } from './types.case.test.js';

/**
 * A FAKE of the Api, not a part of Vessel: systems, jobs and events in memory, written to test what carries the
 * Api rather than what implements it. The conformance runner's own test runs the cases on it (and on copies with
 * one planted bug each, to show every case can fail); transports (the unix socket, later others) serve it and
 * must give the same results through their wire as it gives in process.
 */

/** A bug the fake can be given, to show that a case fails on an Api that breaks the contract. */
export type FakeBug =
  | 'startWhenRunning'
  | 'progressFalls'
  | 'dropUnits'
  | 'replayDropsFirst'
  | 'ignoresIfMatch'
  | 'partialAdd'
  | 'cancelStops';
const DEAF = 'FakeGuestIgnoresShutdown';
const now = () => new Date().toISOString();
const nope = (what: string) => async (): Promise<never> => {
  throw new ApiError('NOT_SUPPORTED', `The fake Api has no ${what}`);
};

/** A namespace the fake does not carry: every method throws NOT_SUPPORTED. */
function absent<T extends object>(what: string): T {
  return new Proxy({} as T, { get: (_t, key) => nope(`${what}.${String(key)}`) });
}

interface Sys {
  summary: SystemSummary;
  def: VirtualSystemDefinition;
  etag: number;
  pending?: string;
}
interface Job {
  info: JobInfo;
  settle(): void;
  done: Promise<void>;
  timer?: NodeJS.Timeout;
}

/**
 * The fake: systems, jobs and events in memory, by the rules of src/api (ALLOWED_FROM, job and event shapes).
 *
 * @example
 * const api = fakeApi();                      // keeps the contract
 * const buggy = fakeApi(new Set(['dropUnits'])); // one planted bug
 */
export function fakeApi(bugs: ReadonlySet<FakeBug> = new Set()): Api {
  const systems = new Map<string, Sys>();
  const jobs = new Map<string, Job>();
  const events: ApiEvent[] = [];
  const subs = new Set<{ q: EventQuery; on: (e: ApiEvent) => void }>();
  let n = 0;
  const matches = (e: ApiEvent, q: EventQuery) =>
    (q.after === undefined || e.seq > q.after) &&
    (q.types === undefined || q.types.includes(e.type)) &&
    (q.system === undefined || ('uuid' in e && e.uuid === find(q.system).summary.uuid));
  const emit = (e: Omit<ApiEvent, 'seq' | 'time'>) => {
    const full = { ...e, seq: events.length + 1, time: now() } as ApiEvent;
    events.push(full);
    for (const s of subs) if (matches(full, s.q)) s.on(full);
  };
  function find(ref: string): Sys {
    for (const s of systems.values())
      if (s.summary.name === ref || s.summary.uuid === ref.toLowerCase()) return s;
    throw new ApiError('VM_NOT_FOUND', `No virtual system "${ref}"`);
  }
  const detail = (s: Sys): SystemDetail => ({
    ...structuredClone(s.summary),
    definition: structuredClone(s.def),
    etag: `e${s.etag}`,
    consoles: ['serial'],
  });
  function setState(s: Sys, state: SystemState, code: StateReasonCode, job: string) {
    s.summary = { ...s.summary, state, reason: { code, text: code.replace('-', ' ') }, changedAt: now() };
    emit({
      type: 'system.state',
      system: s.summary.name,
      uuid: s.summary.uuid,
      state,
      reason: s.summary.reason,
      cause: { kind: 'api', job },
    } as ApiEvent);
  }
  function end(j: Job, state: 'completed' | 'failed' | 'cancelled', result?: unknown, error?: ApiError) {
    if (isFinalJobState(j.info.state)) return;
    clearTimeout(j.timer);
    j.info = {
      ...j.info,
      state,
      finishedAt: now(),
      ...(state === 'completed' ? { percent: 100, result } : {}),
      ...(error ? { error: error.toInfo() } : {}),
    };
    j.settle();
  }
  async function answer<R>(j: Job, waitMs = 0): Promise<JobInfo<R>> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([j.done, new Promise((r) => (timer = setTimeout(r, Math.min(waitMs, 2 ** 31 - 1))))]);
    clearTimeout(timer);
    return structuredClone(j.info) as JobInfo<R>;
  }
  function job(operation: Operation, target: Sys | undefined, work: (j: Job) => void): Job {
    let settle = () => {};
    const done = new Promise<void>((r) => {
      settle = r;
    });
    const info: JobInfo = {
      id: `j${++n}`,
      operation,
      owner: 'fake',
      state: 'running',
      percent: 0,
      createdAt: now(),
      deleteOnCompletion: false,
      ...(target ? { target: { kind: 'system' as const, id: target.summary.uuid } } : {}),
    };
    const j: Job = { info, settle, done };
    jobs.set(info.id, j);
    work(j);
    return j;
  }
  function getJob(id: string): Job {
    const j = jobs.get(id);
    if (j === undefined) throw new ApiError('NOT_FOUND', `No job "${id}"`);
    return j;
  }
  function checked(def: VirtualSystemDefinition): void {
    const e = validateDefinition(def).find((p) => p.severity === 'error');
    if (e !== undefined) throw new ApiError('DEFINITION_INVALID', e.message);
  }
  const nextId = (s: Sys) =>
    String(Math.max(0, ...s.def.resources.map((r) => Number(r.properties.InstanceID) || 0)) + 1);

  return {
    close: async () => {
      for (const j of jobs.values()) clearTimeout(j.timer);
      subs.clear();
    },
    host: {
      info: async () => ({
        name: 'fake',
        vesselVersion: '0.0.0',
        startedAt: now(),
        systemCount: systems.size,
        transport: 'in-process',
        driver: { uri: 'fake:///', name: 'fake' },
      }),
      surface: async () => ({
        listening: [],
        processes: [],
        self: {
          pid: 1,
          uid: 0,
          effective: [],
          permitted: [],
          bounding: [],
          noNewPrivileges: true,
          seccomp: 0,
        },
      }),
      capabilities: async (): Promise<Capabilities> => ({
        driver: { uri: 'fake:///', name: 'fake', ownsInventory: false },
        accelerators: [],
        machineTypes: [],
        firmware: ['bios', 'efi'],
        devices: { controllers: [], nicModels: ['virtio'], driveKinds: ['disk'], consoles: [] },
        limits: { cpus: 8, memoryBytes: 1n << 34n, nics: 8, disks: 8 },
        operations: STATE_OPERATIONS.filter((op) => op !== 'suspend'),
        features: {
          hotplug: { disk: false, nic: false, memory: false },
          snapshots: false,
          migration: false,
          deploy: false,
          export: false,
          events: true,
          stats: false,
          users: false,
          consoles: false,
          screenshot: false,
          metadata: false,
          keepDisks: true,
          pools: 'none',
          networks: 'none',
        },
      }),
    },
    systems: {
      list: (async (q = {}) =>
        [...systems.values()]
          .filter((s) => !q.states || q.states.includes(s.summary.state))
          .map((s) => (q.detail ? detail(s) : structuredClone(s.summary)))) as Api['systems']['list'],
      get: async (ref) => detail(find(ref)),
      define: async (d, o) => {
        const def = structuredClone(d);
        const name = def.system.ElementName;
        checked(def);
        if ([...systems.values()].some((s) => s.summary.name === name))
          throw new ApiError('VM_EXISTS', `A system named "${name}" exists`);
        if (bugs.has('dropUnits')) for (const r of def.resources) delete r.properties.VirtualQuantityUnits;
        const uuid = crypto.randomUUID();
        const s: Sys = {
          def,
          etag: 1,
          summary: {
            uuid,
            name: name!,
            state: 'stopped',
            reason: { code: 'defined', text: 'defined' },
            changedAt: now(),
          },
        };
        systems.set(uuid, s);
        emit({ type: 'system.defined', system: name!, uuid } as ApiEvent);
        return answer(
          job('define', s, (j) => end(j, 'completed', structuredClone(s.summary))),
          o?.waitMs,
        );
      },
      undefine: async (ref, o) => {
        const s = find(ref);
        checkTransition(s.summary.name, s.summary.state, 'undefine');
        systems.delete(s.summary.uuid);
        return answer(
          job('undefine', s, (j) => end(j, 'completed', { keptImages: [] })),
          o?.waitMs,
        );
      },
      modifySettings: async (ref, changes, o) => {
        const s = find(ref);
        if (o?.ifMatch !== undefined && o.ifMatch !== `e${s.etag}` && !bugs.has('ignoresIfMatch'))
          throw new ApiError('CONFLICT', `"${s.summary.name}" changed since ${o.ifMatch}`);
        if (o?.live === 'config') checkTransition(s.summary.name, s.summary.state, 'modify');
        Object.assign(s.def.system, structuredClone(changes));
        s.etag++;
        return answer(
          job('modify', s, (j) => end(j, 'completed', detail(s))),
          o?.waitMs,
        );
      },
      addResources: async (ref, add, o) => {
        const s = find(ref);
        const next: VirtualSystemDefinition = structuredClone(s.def);
        const ids: string[] = [];
        for (const r of add) {
          const copy: ResourceSetting = structuredClone(r) as ResourceSetting;
          copy.properties.InstanceID = nextId({ ...s, def: next });
          ids.push(copy.properties.InstanceID);
          next.resources.push(copy);
          if (bugs.has('partialAdd')) s.def = structuredClone(next);
        }
        checked(next);
        s.def = next;
        s.etag++;
        return answer(
          job('modify', s, (j) => end(j, 'completed', { instanceIds: ids, applied: 'config' })),
          o?.waitMs,
        );
      },
      modifyResources: nope('resource modification'),
      removeResources: async (ref, ids, o) => {
        const s = find(ref);
        for (const id of ids)
          if (!s.def.resources.some((r) => r.properties.InstanceID === id))
            throw new ApiError('NOT_FOUND', `No resource "${id}" in "${s.summary.name}"`);
        s.def.resources = s.def.resources.filter((r) => !ids.includes(r.properties.InstanceID ?? ''));
        s.etag++;
        return answer(
          job('modify', s, (j) => end(j, 'completed', { instanceIds: [...ids], applied: 'config' })),
          o?.waitMs,
        );
      },
      changeState: async (ref, op, o) => {
        if (!isStateOperation(op)) throw new ApiError('INVALID_ARGUMENT', `Unknown operation "${op}"`);
        const s = find(ref);
        if (op === 'suspend') throw new ApiError('NOT_SUPPORTED', 'The fake cannot suspend');
        if (!(bugs.has('startWhenRunning') && op === 'start'))
          checkTransition(s.summary.name, s.summary.state, op);
        s.summary.requested = op;
        const deaf = s.def.system[DEAF] === 'yes';
        return answer(
          job(op, s, (j) => {
            if (op === 'shutdown' && deaf) {
              s.pending = j.info.id;
              j.timer = setTimeout(() => {
                if (o?.forceAfterTimeout === false)
                  return end(
                    j,
                    'failed',
                    undefined,
                    new ApiError('TIMEOUT', `"${s.summary.name}" did not shut down in time`),
                  );
                setState(s, 'stopped', 'forced-after-timeout', j.info.id);
                end(j, 'completed', structuredClone(s.summary));
              }, o?.timeoutMs ?? 60_000);
              return;
            }
            const pending = jobs.get(s.pending ?? '');
            if (op === 'powerOff' && pending) {
              end(pending, 'cancelled', undefined, new ApiError('CANCELLED', 'superseded by a power-off'));
            }
            const reason: StateReasonCode =
              op === 'shutdown'
                ? 'shutdown'
                : op === 'powerOff'
                  ? 'powered-off'
                  : op === 'pause'
                    ? 'user'
                    : op === 'resume'
                      ? 'unpaused'
                      : 'booted';
            setState(s, ENDS_IN[op], reason, j.info.id);
            end(j, 'completed', structuredClone(s.summary));
          }),
          o?.waitMs,
        );
      },
      stats: nope('statistics'),
      metadata: nope('metadata'),
      setMetadata: nope('metadata'),
    },
    jobs: {
      list: async (q = {}) =>
        [...jobs.values()]
          .map((j) => structuredClone(j.info))
          .filter((i) => !q.states || q.states.includes(i.state)),
      get: async (id) => structuredClone(getJob(id).info),
      wait: async (id, o = {}) => {
        const j = getJob(id);
        if (bugs.has('progressFalls')) {
          o.onProgress?.({ percent: 60 });
          o.onProgress?.({ percent: 30 });
        }
        const info = await answer(j, o.timeoutMs ?? Number.POSITIVE_INFINITY);
        o.onProgress?.({ percent: info.percent });
        return info;
      },
      cancel: async (id) => {
        const j = getJob(id);
        const s = systems.get(j.info.target?.id ?? '');
        if (bugs.has('cancelStops') && s) setState(s, 'stopped', 'powered-off', id);
        end(j, 'cancelled', undefined, new ApiError('CANCELLED', `Job ${id} was cancelled`));
        return structuredClone(j.info);
      },
      delete: async (id) => {
        if (!isFinalJobState(getJob(id).info.state))
          throw new ApiError('INVALID_STATE', `Job ${id} is still running`);
        jobs.delete(id);
      },
    },
    events: {
      list: async (q = {}) => events.filter((e) => matches(e, q)).slice(0, q.limit),
      subscribe: async (q, on) => {
        const replay = events.filter((e) => matches(e, q));
        for (const e of bugs.has('replayDropsFirst') && (q.after ?? 0) > 0 ? replay.slice(1) : replay) on(e);
        const sub = { q, on };
        subs.add(sub);
        let ended = () => {};
        const done = new Promise<void>((r) => {
          ended = r;
        });
        return {
          close: async () => {
            subs.delete(sub);
            ended();
          },
          ended: done,
        };
      },
    },
    packages: absent('packages'),
    artifacts: absent('artifacts'),
    consoles: absent('consoles'),
    pools: absent('pools'),
    users: absent('users'),
    networks: absent('networks'),
    metrics: absent('metrics'),
  };
}

/** What the fake's guests need: a definition whose guest ignores the ACPI power button. */
export const FAKE_FIXTURES: ApiFixtures = {
  guestIgnoringShutdown: (def) => ({ ...def, system: { ...def.system, [DEAF]: 'yes' } }),
};

const CANNOT = 'the fake carries only hosts, systems, jobs and events';

/** The fake's stated skips and unsupported cases (a transport serving the fake declares the same). */
export const FAKE_DECLARATIONS: { skip: CaseDeclaration[]; unsupported: CaseDeclaration[] } = {
  skip: [
    { cases: ['networks.read', 'networks.manage'], reason: 'shows a skipped case: the fake has no networks' },
  ],
  unsupported: [
    {
      cases: [
        'systems.metadata',
        'systems.stats',
        'consoles.stopped',
        'consoles.screenshot',
        'users.crud',
        'pools.read',
        'packages.deploy-export',
      ],
      reason: CANNOT,
    },
  ],
};

/** Each planted bug, the case it must fail, and how the failure reads. */
export const FAKE_BUG_CASES = [
  ['state.refusals', 'startWhenRunning', /start\) ended completed: expected a refusal/],
  ['jobs.wait', 'progressFalls', /progress fell/],
  ['systems.memory-units', 'dropUnits', /1073741824/],
  ['events.replay', 'replayDropsFirst', /Expected values to be strictly deep-equal/],
  ['systems.modify', 'ignoresIfMatch', /modify\) ended completed: expected a refusal/],
  ['systems.resources', 'partialAdd', /nothing was added/],
  ['jobs.cancel', 'cancelStops', /leaves the system running/],
] as const satisfies readonly (readonly [ApiCaseId, FakeBug, RegExp])[];
