import {
  type ApiEvent,
  type ConsoleKind,
  type EventCause,
  type JobInfo,
  JSON_TEXT,
  type StateOperation,
  type StateReasonCode,
  type SystemDetail,
  type SystemSummary,
} from '../../api/index.js';
import type { VirtualSystemDefinition } from '../../model/index.js';
import { etagOfText } from '../etag.js';
import { definitionTextOf, type HostEvent, type HostVmState, type StoredVm } from '../store.js';
import type { JobRecord } from '../store-jobs.js';

/**
 * Where the host's records become the Api's words, in one place: the reason code of a state change, a stored
 * system as a summary or detail with its etag, a stored event as an ApiEvent, a job row as a JobInfo. The host's
 * state vocabulary is the Api's already (`HostVmState` is a part of `SystemState`).
 */

/** The state change a job is making of a system, while it runs: what the events it causes are attributed to. */
export interface Asked {
  op: StateOperation;
  job: string;
  user: string;
  /** The reason to record when the system next reaches `state` (a forced power-off after a shutdown timed out). */
  next?: { state: HostVmState; code: StateReasonCode; text: string } | undefined;
}

/**
 * The Api's reason code of a state the host records: from who caused it (the driver's cause) and the state change
 * under way, if any.
 *
 * @example
 * reasonCodeOf('stopped', 'guest'); // 'shutdown'
 * reasonCodeOf('running', 'api', { op: 'resume', job: 'j1', user: 'alice' }); // 'unpaused'
 */
export function reasonCodeOf(state: HostVmState, cause: string, asked?: Asked): StateReasonCode {
  if (cause === 'adoption') return 'adopted';
  switch (state) {
    case 'starting':
    case 'stopping':
      return 'user';
    case 'running':
      return asked?.op === 'resume' ? 'unpaused' : 'booted';
    case 'paused':
      return cause === 'api' ? 'user' : 'unknown';
    case 'stopped':
      if (cause === 'guest') return 'shutdown';
      if (cause === 'process-exit') return 'process-exited';
      if (cause === 'host') return 'host-stopped';
      return cause === 'api' ? 'powered-off' : 'unknown';
  }
}

/**
 * A definition's etag: it changes with every change of the definition (a digest of its JSON, so the same
 * definition read from any transport has the same etag). The store keeps it with each row (`StoredVm.etag`,
 * computed when the definition is written); this is the same digest of a definition in hand.
 *
 * @example
 * expect(host.get('web1').etag).toBe(etagOf(host.get('web1').definition));
 */
export function etagOf(def: VirtualSystemDefinition): string {
  return etagOfText(JSON.stringify(def));
}

/**
 * A stored system as the Api's summary.
 *
 * @example
 * toSummary(host.get('web1')); // { uuid, name: 'web1', state: 'running', reason: { code: 'booted', text: 'started' }, ... }
 */
export function toSummary(v: StoredVm): SystemSummary {
  return {
    uuid: v.uuid,
    name: v.name,
    state: v.state,
    reason: { code: v.reasonCode, text: v.reason },
    changedAt: v.changedAt,
    ...(v.requested === undefined ? {} : { requested: v.requested }),
  };
}

/**
 * A system's detail whose definition is the stored row's, read through (a prototype accessor: parsed only when a
 * caller reads it, so a caller that wants the state, as CIM's GetInstance of a system does, never parses it; an
 * object literal with accessors of its own would cost microseconds on every read). `toJSON` writes it, so the
 * transports see a plain detail.
 */
class StoredDetail implements SystemDetail {
  uuid: string;
  name: string;
  state: SystemDetail['state'];
  reason: SystemDetail['reason'];
  changedAt: string;
  declare requested?: StateOperation;
  etag: string;
  consoles: ConsoleKind[];
  declare display?: NonNullable<SystemDetail['display']>;
  #v: StoredVm;
  constructor(v: StoredVm, consoles: readonly ConsoleKind[]) {
    this.uuid = v.uuid;
    this.name = v.name;
    this.state = v.state;
    this.reason = { code: v.reasonCode, text: v.reason };
    this.changedAt = v.changedAt;
    if (v.requested !== undefined) this.requested = v.requested;
    this.etag = v.etag;
    this.consoles = [...consoles];
    this.#v = v;
  }
  get definition(): VirtualSystemDefinition {
    return this.#v.definition;
  }
  set definition(d: VirtualSystemDefinition) {
    this.#v.definition = d;
  }
  toJSON(): SystemDetail {
    return { ...this, definition: this.definition };
  }
  /** The JSON text `toJSON` gives, with the stored definition's text spliced in unparsed. */
  [JSON_TEXT](): string {
    const head = JSON.stringify({ ...this });
    return `${head.slice(0, -1)},"definition":${definitionTextOf(this.#v)}}`;
  }
}

/**
 * A stored system as the Api's detail, with the consoles it offers and the etag stored with the row; its
 * definition is the row's own (each store read gives its reader a new one), handed on unread.
 *
 * @example
 * toDetail(await host.lookup('web1'), host.consoles()).etag;
 */
export function toDetail(v: StoredVm, consoles: readonly ConsoleKind[]): SystemDetail {
  return new StoredDetail(v, consoles);
}

/**
 * A job row as the Api's JobInfo (the host's own `kind` left out).
 *
 * @example
 * toJobInfo(host.jobs.get(id)).percent;
 */
export function toJobInfo(j: JobRecord): JobInfo {
  const { kind: _kind, ...info } = j;
  return info;
}

function causeOf(e: HostEvent): EventCause {
  if (e.cause === 'api') {
    return {
      kind: 'api',
      ...(e.data?.job === undefined ? {} : { job: e.data.job }),
      ...(e.data?.user === undefined ? {} : { user: e.data.user }),
    };
  }
  if (e.cause === 'guest' || e.cause === 'process-exit' || e.cause === 'adoption') return { kind: e.cause };
  return { kind: 'host' };
}

/**
 * A stored event as the Api's, or undefined for a kind the Api does not carry.
 *
 * @example
 * host.store.events({ jobs: true }).map(toApiEvent).filter((e) => e !== undefined);
 */
export function toApiEvent(e: HostEvent): ApiEvent | undefined {
  const head = { seq: e.id, time: e.time };
  switch (e.kind) {
    case 'state':
      if (e.state === undefined) return undefined;
      return {
        ...head,
        type: 'system.state',
        system: e.name,
        uuid: e.uuid,
        state: e.state as HostVmState,
        reason: { code: e.data?.reasonCode ?? 'unknown', text: e.reason },
        cause: causeOf(e),
      };
    case 'defined':
    case 'modified':
    case 'undefined':
      return { ...head, type: `system.${e.kind}`, system: e.name, uuid: e.uuid };
    case 'device-deleted':
      return {
        ...head,
        type: 'system.device',
        uuid: e.uuid,
        action: 'detached',
        instanceId: e.data?.instanceId ?? '',
      };
    case 'device-added':
      return {
        ...head,
        type: 'system.device',
        uuid: e.uuid,
        action: 'attached',
        instanceId: e.data?.instanceId ?? '',
      };
    case 'reset':
    case 'balloon':
      return { ...head, type: `system.${e.kind}`, uuid: e.uuid, detail: e.reason };
    case 'panic':
      return { ...head, type: 'guest.panic', uuid: e.uuid, detail: e.reason };
    case 'job.progress':
    case 'job.finished':
      return e.data?.jobInfo === undefined ? undefined : { ...head, type: e.kind, job: e.data.jobInfo };
    default:
      return undefined;
  }
}
