import { type TSchema, type TUnsafe, Type } from '@sinclair/typebox';
import { STATE_OPERATIONS, type StateOperation, SYSTEM_STATES, type SystemState } from '../api/index.js';

/** Schemas of REST's own bodies and queries (everything else is the Api's schemas, as they are). */

/** A closed list of strings as a schema. */
export function literals<const V extends readonly string[]>(values: V): TUnsafe<V[number]> {
  return Type.Unsafe<V[number]>(Type.Union(values.map((v) => Type.Literal(v))));
}

/** An object a client sends: unknown members are refused. */
export const strictObject: typeof Type.Object = ((p: Parameters<typeof Type.Object>[0]) =>
  Type.Object(p, { additionalProperties: false })) as typeof Type.Object;

/** A list answer: `items`, and `next` (the `after` of the next page) when there is more. */
export function pageOf<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    next: Type.Optional(Type.String({ description: 'pass as ?after= for the next page' })),
  });
}

/** The states a client may ask a system to reach (POST /systems/{id}/state). */
export const TARGET_STATES = [
  'running',
  'stopped',
  'shutdown',
  'paused',
  'suspended',
  'reboot',
  'reset',
] as const;

/** A state a client may ask for. */
export type TargetState = (typeof TARGET_STATES)[number];

/** POST /systems/{id}/state's body. */
export const StateRequestSchema = strictObject({
  state: literals(TARGET_STATES),
  /** shutdown and reboot: how long the guest has (default 60 s). */
  timeoutMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400_000 })),
  /** shutdown: power off when the guest has not stopped in time (default true). */
  forceAfterTimeout: Type.Optional(Type.Boolean()),
  /**
   * The Api operation exactly, when the caller wants it rather than whatever reaches `state` (e.g. `resume`, which
   * refuses a system that is not paused); it must lead to `state`.
   */
  operation: Type.Optional(literals(STATE_OPERATIONS)),
});

/**
 * The Api operation that brings a system in `from` to `target`: `running` is `resume` from paused or suspended
 * and `start` otherwise; `stopped` pulls the plug (`powerOff`), `shutdown` asks the guest.
 *
 * @example
 * operationFor('running', 'paused'); // 'resume'
 */
export function operationFor(target: TargetState, from: SystemState): StateOperation {
  switch (target) {
    case 'running':
      return from === 'paused' || from === 'suspended' ? 'resume' : 'start';
    case 'stopped':
      return 'powerOff';
    case 'paused':
      return 'pause';
    case 'suspended':
      return 'suspend';
    default:
      return target;
  }
}

/**
 * The operations that lead to `target` (what an explicit `operation` must be one of).
 *
 * @example
 * operationsReaching('running'); // ['start', 'resume']
 */
export function operationsReaching(target: TargetState): StateOperation[] {
  return target === 'running' ? ['start', 'resume'] : [operationFor(target, 'running')];
}

/** The most items a list answers at once, and the default. */
export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;

/** GET /systems's query. */
export const SystemListQuery = strictObject({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: DEFAULT_PAGE })),
  after: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  state: Type.Optional(Type.Array(literals(SYSTEM_STATES), { maxItems: 16 })),
  detail: Type.Optional(Type.Boolean()),
});
