import type { StateReasonCode } from '../api/index.js';
import { type Asked, reasonCodeOf, toJobInfo } from './api/vocabulary.js';
import type { EventData, HostEvent, HostVmState, Store } from './store.js';
import type { JobRecord } from './store-jobs.js';

/**
 * Where the host records what happens: a system's state (with the Api's reason code and the job and user it is
 * attributed to), its other events, and its jobs' progress, each written to the store's events table (its row id
 * is the Api's `seq`) and published to subscribers in that order.
 */

function nonEmpty(d: EventData): EventData | undefined {
  return Object.keys(d).length === 0 ? undefined : d;
}

/** What a system's event says beyond its kind (the state, for `defined` and `modified`). */
interface SystemEventFields {
  state?: HostVmState | undefined;
  reason: string;
  cause: string;
  data?: EventData;
}

/**
 * The host's event recorder.
 *
 * @example
 * recorder.state(uuid, 'web1', 'running', 'started', 'api');
 * const stop = recorder.subscribe((e) => console.log(e.id, e.kind));
 */
export class EventRecorder {
  /** The state change under way per system (UUID), which the events it causes are attributed to. */
  readonly asked = new Map<string, Asked>();
  private readonly listeners = new Set<{ fn: (e: HostEvent) => void; jobs: boolean }>();

  constructor(private readonly store: Store) {}

  /** The job and user an event with this cause is attributed to: the state change under way, for cause `api`. */
  private attribution(uuid: string, cause: string): EventData {
    const asked = cause === 'api' ? this.asked.get(uuid) : undefined;
    return asked === undefined ? {} : { job: asked.job, user: asked.user };
  }

  /**
   * Sets a system's state in the store and records and publishes the change; the reason code is derived from the
   * cause and the state change under way unless given.
   */
  state(
    uuid: string,
    name: string,
    state: HostVmState,
    reason: string,
    cause: string,
    code?: StateReasonCode,
  ): void {
    const asked = this.asked.get(uuid);
    let text = reason;
    let reasonCode = code ?? reasonCodeOf(state, cause, asked);
    if (asked?.next !== undefined && asked.next.state === state) {
      ({ code: reasonCode, text } = asked.next);
      asked.next = undefined;
    }
    this.store.setState(uuid, state, text, reasonCode);
    this.system(uuid, name, 'state', { state, reason: text, cause, data: { reasonCode } });
  }

  /** Records and publishes another event of a system (`defined`, `reset`, `device-deleted`, ...). */
  system(uuid: string, name: string, kind: string, f: SystemEventFields): void {
    this.publish(
      this.store.addEvent({
        time: new Date().toISOString(),
        uuid,
        name,
        kind,
        state: f.state,
        reason: f.reason,
        cause: f.cause,
        data: nonEmpty({ ...this.attribution(uuid, f.cause), ...f.data }),
      }),
    );
  }

  /** Records and publishes a job's event (`job.progress`, `job.finished`) with the job as it is now. */
  job(kind: 'job.progress' | 'job.finished', job: JobRecord): HostEvent {
    const e = this.store.addEvent({
      time: new Date().toISOString(),
      uuid: job.target?.id ?? '',
      name: job.target?.name ?? '',
      kind,
      state: undefined,
      reason: `job ${job.id} ${job.state}`,
      cause: 'api',
      data: { job: job.id, user: job.owner, jobInfo: toJobInfo(job) },
    });
    this.publish(e);
    return e;
  }

  private publish(e: HostEvent): void {
    const isJob = e.kind.startsWith('job.');
    for (const l of this.listeners) {
      if (isJob && !l.jobs) continue;
      try {
        l.fn(e);
      } catch {
        // a failing subscriber does not stop the others
      }
    }
  }

  /**
   * Subscribes to every recorded event of the systems (with `jobs`, the jobs' events too); returns the function
   * that ends the subscription.
   */
  subscribe(listener: (e: HostEvent) => void, options: { jobs?: boolean } = {}): () => void {
    const entry = { fn: listener, jobs: options.jobs === true };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }
}
