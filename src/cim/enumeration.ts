import { randomBytes } from 'node:crypto';
import { CimError } from './errors.js';

/** An open enumeration of the pull operations (DSP0200 §5.3.2.22..): the rest of a result, served in pieces. */
interface OpenEnumeration<T> {
  kind: string;
  namespace: string;
  owner: string;
  items: T[];
  position: number;
  timeoutMs: number;
  expires: number;
}

/** Limits of the pull operations. */
export interface EnumerationLimits {
  /** OperationTimeout when the client gives none, in seconds (default 60). */
  defaultTimeoutS: number;
  /** Largest OperationTimeout accepted, in seconds (default 600). */
  maxTimeoutS: number;
  /** Largest MaxObjectCount accepted in one response (default 10,000). */
  maxObjectCount: number;
  /** Most enumerations open at once (default 1,000). */
  maxOpen: number;
  /** Most enumerations one user may hold open, so that one user cannot take every context (default 64). */
  maxOpenPerUser: number;
}

/**
 * Whether one more item fits in a response that already holds `taken` (WS-Man's MaxEnvelopeSize): items stop at
 * the first that does not fit.
 */
export type Fits<T> = (taken: readonly T[], next: T) => boolean;

/** Up to `max` items from `from`, stopping at the first that does not fit. */
function take<T>(items: T[], from: number, max: number, fits: Fits<T> | undefined): T[] {
  const slice = items.slice(from, from + max);
  if (!fits) return slice;
  const out: T[] = [];
  for (const i of slice) {
    if (!fits(out, i)) break;
    out.push(i);
  }
  return out;
}

const DEFAULTS: EnumerationLimits = {
  defaultTimeoutS: 60,
  maxTimeoutS: 600,
  maxObjectCount: 10_000,
  maxOpen: 1000,
  maxOpenPerUser: 64,
};

/**
 * The open enumeration contexts of a server. An Open operation computes its result and stores what the first
 * response did not carry; each Pull takes the next `MaxObjectCount` items. A context belongs to the user who
 * opened it, expires `OperationTimeout` seconds after its last use, and is gone once the last item is pulled.
 *
 * @example
 * const first = contexts.open('instances', 'root/virtualization', 'alice', items, { maxObjectCount: 10 });
 * const next = contexts.pull(first.context!, 'instances', 'root/virtualization', 'alice', 10);
 */
export class EnumerationContexts<T> {
  private readonly open_ = new Map<string, OpenEnumeration<T>>();
  readonly limits: EnumerationLimits;

  constructor(limits: Partial<EnumerationLimits> = {}) {
    this.limits = { ...DEFAULTS, ...limits };
  }

  /** Checks the Open parameters and returns the timeout in ms. */
  timeoutMs(operationTimeoutS: number | undefined): number {
    if (operationTimeoutS === undefined) return this.limits.defaultTimeoutS * 1000;
    if (
      !Number.isInteger(operationTimeoutS) ||
      operationTimeoutS <= 0 ||
      operationTimeoutS > this.limits.maxTimeoutS
    )
      throw new CimError(
        'CIM_ERR_INVALID_OPERATION_TIMEOUT',
        `OperationTimeout must be between 1 and ${this.limits.maxTimeoutS} seconds, got ${operationTimeoutS}`,
      );
    return operationTimeoutS * 1000;
  }

  /**
   * Checks MaxObjectCount. Pull operations require it; an Open without it gets as many items as the server sends
   * in one response (`maxObjectCount`), as the servers pywbem was recorded against do.
   */
  maxCount(n: number | undefined, required: boolean): number {
    if (n === undefined) {
      if (required) throw new CimError('CIM_ERR_INVALID_PARAMETER', 'MaxObjectCount is required');
      return this.limits.maxObjectCount;
    }
    if (!Number.isInteger(n) || n < 0)
      throw new CimError('CIM_ERR_INVALID_PARAMETER', `MaxObjectCount must be a whole number, got ${n}`);
    return Math.min(n, this.limits.maxObjectCount);
  }

  /** Starts an enumeration: the first `maxObjectCount` items, and a context when more remain. */
  open(
    kind: string,
    namespace: string,
    owner: string,
    items: T[],
    options: { maxObjectCount: number; timeoutMs: number; fits?: Fits<T> | undefined },
  ): { items: T[]; endOfSequence: boolean; context: string } {
    this.expire();
    const first = take(items, 0, options.maxObjectCount, options.fits);
    if (first.length === items.length) return { items: first, endOfSequence: true, context: '' };
    if (this.open_.size >= this.limits.maxOpen)
      throw new CimError(
        'CIM_ERR_SERVER_LIMITS_EXCEEDED',
        `${this.limits.maxOpen} enumerations are already open`,
      );
    let mine = 0;
    for (const e of this.open_.values()) if (e.owner === owner) mine++;
    if (mine >= this.limits.maxOpenPerUser)
      throw new CimError(
        'CIM_ERR_SERVER_LIMITS_EXCEEDED',
        `User "${owner}" already has ${mine} enumerations open; pull them to the end or close them first`,
      );
    const id = randomBytes(12).toString('hex');
    this.open_.set(id, {
      kind,
      namespace: namespace.toLowerCase(),
      owner,
      items,
      position: first.length,
      timeoutMs: options.timeoutMs,
      expires: Date.now() + options.timeoutMs,
    });
    return { items: first, endOfSequence: false, context: id };
  }

  /** The next items of an open enumeration; the context ends with the last item. */
  pull(
    context: string,
    kind: string,
    namespace: string,
    owner: string,
    maxObjectCount: number,
    fits?: Fits<T>,
  ): { items: T[]; endOfSequence: boolean; context: string } {
    const e = this.find(context, namespace, owner);
    if (e.kind !== kind)
      throw new CimError(
        'CIM_ERR_INVALID_ENUMERATION_CONTEXT',
        `The enumeration context holds ${e.kind}, not ${kind}`,
      );
    const items = take(e.items, e.position, maxObjectCount, fits);
    e.position += items.length;
    e.expires = Date.now() + e.timeoutMs;
    if (e.position >= e.items.length) {
      this.open_.delete(context);
      return { items, endOfSequence: true, context: '' };
    }
    return { items, endOfSequence: false, context };
  }

  /** Closes an enumeration before its end (CloseEnumeration). */
  close(context: string, namespace: string, owner: string): void {
    this.find(context, namespace, owner);
    this.open_.delete(context);
  }

  /** How many items remain (EnumerationCount). */
  remaining(context: string, namespace: string, owner: string): number {
    const e = this.find(context, namespace, owner);
    return e.items.length - e.position;
  }

  /** How many enumerations are open. */
  get size(): number {
    this.expire();
    return this.open_.size;
  }

  private find(context: string, namespace: string, owner: string): OpenEnumeration<T> {
    this.expire();
    const e = this.open_.get(context);
    if (!e || e.namespace !== namespace.toLowerCase() || e.owner !== owner)
      throw new CimError(
        'CIM_ERR_INVALID_ENUMERATION_CONTEXT',
        'The enumeration context is not valid (closed, expired or unknown)',
      );
    return e;
  }

  private expire(): void {
    const now = Date.now();
    for (const [id, e] of this.open_) if (e.expires < now) this.open_.delete(id);
  }
}
