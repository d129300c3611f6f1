import { type StaticDecode, Type } from '@sinclair/typebox';
import { AnyJobInfoSchema } from './jobs.js';
import { oneOf, Strict, Timestamp } from './schema.js';
import { StateReasonSchema, SystemStateSchema } from './state.js';

/**
 * Events: what happened on a host, numbered. `seq` rises by one store row at a time (the host's events table), so
 * a caller that remembers the last `seq` it saw replays what it missed with no gap and no duplicate (REST's
 * Last-Event-ID, the socket's resubscribe).
 */

/** Every event type. */
export const EVENT_TYPES = [
  'system.state',
  'system.defined',
  'system.modified',
  'system.undefined',
  'system.device',
  'system.reset',
  'system.balloon',
  'guest.panic',
  'job.progress',
  'job.finished',
] as const;

/** An event type (see {@link EVENT_TYPES}). */
export type EventType = (typeof EVENT_TYPES)[number];

/** Who caused a state change: a call through the Api (with its job and user), the guest, the host, ... */
export const EventCauseSchema = Type.Union([
  Type.Object({
    kind: Type.Literal('api'),
    job: Type.Optional(Type.String({ maxLength: 128 })),
    user: Type.Optional(Type.String({ maxLength: 128 })),
  }),
  Type.Object({ kind: oneOf(['guest', 'host', 'process-exit', 'adoption'] as const) }),
]);

/** Who caused a state change. */
export type EventCause = StaticDecode<typeof EventCauseSchema>;

const head = { seq: Type.Integer({ minimum: 1 }), time: Timestamp };
const system = Type.String({ maxLength: 128 });
const uuid = Type.String({ maxLength: 64 });

/** Wire schema of {@link ApiEvent}. */
export const ApiEventSchema = Type.Union([
  Type.Object({
    ...head,
    type: Type.Literal('system.state'),
    system,
    uuid,
    state: SystemStateSchema,
    reason: StateReasonSchema,
    cause: EventCauseSchema,
  }),
  Type.Object({
    ...head,
    type: oneOf(['system.defined', 'system.modified', 'system.undefined'] as const),
    system,
    uuid,
  }),
  Type.Object({
    ...head,
    type: Type.Literal('system.device'),
    uuid,
    action: oneOf(['attached', 'detached'] as const),
    instanceId: Type.String({ maxLength: 256 }),
  }),
  Type.Object({
    ...head,
    type: oneOf(['system.reset', 'system.balloon', 'guest.panic'] as const),
    uuid,
    detail: Type.Optional(Type.String({ maxLength: 4096 })),
  }),
  Type.Object({ ...head, type: oneOf(['job.progress', 'job.finished'] as const), job: AnyJobInfoSchema }),
]);

/**
 * One event. `system` is the system's name when the event was recorded.
 *
 * @example
 * if (e.type === 'system.state' && e.cause.kind === 'api' && e.cause.job === job.id) console.log(e.state);
 */
export type ApiEvent = StaticDecode<typeof ApiEventSchema>;

/** What `events.list` and `events.subscribe` select. */
export const EventQuerySchema = Strict({
  /** Only events with a larger `seq` (replay from the last one seen). */
  after: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Only the events of this system (name or UUID). */
  system: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  types: Type.Optional(Type.Array(oneOf(EVENT_TYPES), { maxItems: EVENT_TYPES.length })),
  /** At most this many (list only; oldest first). */
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
});

/** What `events.list` and `events.subscribe` select. */
export type EventQuery = StaticDecode<typeof EventQuerySchema>;

/** A live subscription; `ended` settles when it ends (closed, or the transport dropped it). */
export interface Subscription {
  close(): Promise<void>;
  readonly ended: Promise<void>;
}

/**
 * The events of a host.
 *
 * @example
 * const sub = await api.events.subscribe({ after: lastSeq }, (e) => console.log(e.seq, e.type));
 */
export interface EventsApi {
  list(q?: EventQuery): Promise<ApiEvent[]>;
  /** Replays events after `after`, then delivers live ones, with no gap and no duplicate. */
  subscribe(q: Omit<EventQuery, 'limit'>, on: (e: ApiEvent) => void): Promise<Subscription>;
}
