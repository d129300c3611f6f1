import type { Role } from '../api/index.js';
import type { CimInstance, CimInstanceName, CimValue } from './types.js';

/**
 * The caller of one CIM operation (the user and role the edge authenticated), and a memo that lives as long as the
 * operation (one snapshot of the host). What the caller may do is not decided here: the providers act through the
 * Api session of this user and role, whose role check is the only one.
 */
export interface CimContext {
  user: string;
  role: Role;
  memo: Map<string, unknown>;
  /**
   * When the caller stops waiting (ms since the epoch; WS-Man's OperationTimeout): a method waits for its job only
   * until shortly before, then answers the job (4096) instead of running out of time.
   */
  deadline?: number | undefined;
}

/**
 * Creates a context for one operation, with no deadline. Every context of an operation has the same fields in the
 * same order, deadline included ({@link withDeadline}): code that reads them sees one shape, which V8 reads fastest.
 */
export function newContext(user: string, role: Role): CimContext {
  return { user, role, memo: new Map(), deadline: undefined };
}

/**
 * The context with a deadline (ms since the epoch), sharing its memo: one operation's picture of the host.
 *
 * @example
 * const opCtx = withDeadline(ctx, Date.now() + 60_000);
 */
export function withDeadline(ctx: CimContext, deadline: number): CimContext {
  return { user: ctx.user, role: ctx.role, memo: ctx.memo, deadline };
}

/** Computes a value once per operation, e.g. the list of virtual systems with their definitions. */
export function memo<T>(ctx: CimContext, key: string, compute: () => T): T {
  if (ctx.memo.has(key)) return ctx.memo.get(key) as T;
  const v = compute();
  ctx.memo.set(key, v);
  return v;
}

/**
 * Computes an async value once per operation: the promise is kept, so concurrent readers within one operation
 * share one backend read; a failed read is forgotten so that the error is not served twice. `onError` turns a
 * failure into the value to keep (e.g. undefined for a system that is not there) or throws what the caller should
 * see instead; what it throws is forgotten as well; `onValue` turns what the read answers into the value to keep.
 * The kept promise is the read's with one reaction attached, so a read through the memo costs one turn of the
 * microtask queue, not one per layer.
 *
 * @example
 * const caps = await memoAsync(ctx, 'capabilities', () => api.host.capabilities(), (e) => { throw toCimError(e); });
 */
export function memoAsync<T, R = T>(
  ctx: CimContext,
  key: string,
  compute: () => Promise<R>,
  onError?: (e: unknown) => T,
  onValue?: (v: R) => T,
): Promise<T> {
  const kept = ctx.memo.get(key) as Promise<T> | undefined;
  if (kept !== undefined) return kept;
  let read: Promise<R>;
  try {
    read = compute();
  } catch (e) {
    read = Promise.reject(e);
  }
  const forget = () => {
    if (ctx.memo.get(key) === p) ctx.memo.delete(key);
  };
  const p = read.then(onValue as ((v: R) => T) | undefined, (e: unknown) => {
    if (onError === undefined) {
      forget();
      throw e;
    }
    try {
      return onError(e);
    } catch (raised) {
      forget();
      throw raised;
    }
  });
  ctx.memo.set(key, p);
  return p;
}

/** What an extrinsic method answers: its return value and its OUT parameters by name. */
export interface MethodResult {
  returnValue: number;
  out: Record<string, CimValue | undefined>;
}

/**
 * Serves the instances of one class (exactly that class, not its subclasses). The object manager fills in each
 * instance's path from the class keys, finds providers polymorphically and walks associations; a provider only
 * produces instances and, when it can, answers the fast paths (`get`, `referencing`) and methods.
 */
export interface InstanceProvider {
  readonly className: string;
  /** Every instance of the class. */
  enumerate(ctx: CimContext): Promise<CimInstance[]> | CimInstance[];
  /** The instance with these keys (names in the class's spelling), or undefined; default: search `enumerate`. */
  get?(ctx: CimContext, name: CimInstanceName): Promise<CimInstance | undefined> | CimInstance | undefined;
  /** For associations: the instances that refer to `target` in any role; default: filter `enumerate`. */
  referencing?(ctx: CimContext, target: CimInstanceName): Promise<CimInstance[]> | CimInstance[];
  /** ModifyInstance, where a profile allows it. */
  modify?(ctx: CimContext, instance: CimInstance, propertyList: string[] | undefined): Promise<void>;
  /** CreateInstance, where a profile allows it (DSP1054: filters, destinations, subscriptions); the new name. */
  create?(ctx: CimContext, instance: CimInstance): Promise<CimInstanceName>;
  /** DeleteInstance, where a profile allows it (DSP1103: a finished job). */
  delete?(ctx: CimContext, name: CimInstanceName): Promise<void>;
  /** An extrinsic method on an instance of the class (or on the class, for `target` without keys). */
  invoke?(
    ctx: CimContext,
    target: CimInstanceName,
    method: string,
    params: Record<string, CimValue | undefined>,
  ): Promise<MethodResult>;
}
