import type { ApiEvent, EventQuery, EventsApi, Subscription } from '../../api/index.js';
import type { Host } from '../host.js';
import type { HostEvent } from '../store.js';
import type { SessionContext } from './context.js';
import { toApiEvent } from './vocabulary.js';

/**
 * The events namespace: the host's events table, numbered by its row id (`seq`). A subscription replays the
 * stored events after `after` and then delivers live ones: the replay is read and the listener registered in one
 * synchronous step, so that no event falls between them and none comes twice.
 */

const PAGE = 1000;
const MAX_LIST = 10_000;

/** The system a query names, as the UUID its events carry (an undefined system's UUID as given, lower case). */
function systemOf(host: Host, q: Omit<EventQuery, 'limit'>): string | undefined {
  if (q.system === undefined) return undefined;
  return host.store.getVm(q.system)?.uuid ?? q.system.toLowerCase();
}

function matcher(q: Omit<EventQuery, 'limit'>, uuid: string | undefined) {
  return (e: HostEvent): ApiEvent | undefined => {
    if (uuid !== undefined && e.uuid !== uuid) return undefined;
    const a = toApiEvent(e);
    if (a === undefined || (q.types !== undefined && !q.types.includes(a.type))) return undefined;
    return a;
  };
}

/** Events after `after`, oldest first, at most `limit`; read in pages. */
function read(host: Host, q: Omit<EventQuery, 'limit'>, limit: number): ApiEvent[] {
  const uuid = systemOf(host, q);
  const pick = matcher(q, uuid);
  const out: ApiEvent[] = [];
  let after = q.after ?? 0;
  while (out.length < limit) {
    const rows = host.store.events({
      afterId: after,
      ...(uuid === undefined ? {} : { uuid }),
      limit: PAGE,
      jobs: true,
    });
    for (const r of rows) {
      const a = pick(r);
      if (a !== undefined && out.length < limit) out.push(a);
    }
    if (rows.length < PAGE) break;
    after = rows.at(-1)!.id;
  }
  return out;
}

/** The events namespace of a session, and how the session ends its subscriptions. */
export function eventsApi(ctx: SessionContext): EventsApi & { closeSession(): Promise<void> } {
  const { host } = ctx;
  const open = new Set<() => void>();
  return {
    async list(q: EventQuery = {}) {
      return read(host, q, q.limit ?? MAX_LIST);
    },
    async subscribe(q, on): Promise<Subscription> {
      const pick = matcher(q, systemOf(host, q));
      let last = q.after ?? 0;
      const deliver = (e: ApiEvent) => {
        if (e.seq <= last) return;
        last = e.seq;
        try {
          on(e);
        } catch {
          // a failing subscriber does not stop the host
        }
      };
      // Live events wait in `queue` until the replay is delivered; the replay is read right after the listener
      // is registered, in the same synchronous step, so nothing falls between them and `last` drops repeats.
      let queue: ApiEvent[] | undefined = [];
      const unsubscribe = host.subscribe(
        (e) => {
          const a = pick(e);
          if (a === undefined) return;
          if (queue === undefined) deliver(a);
          else queue.push(a);
        },
        { jobs: true },
      );
      for (const e of read(host, q, Number.POSITIVE_INFINITY)) deliver(e);
      while (queue.length > 0) deliver(queue.shift()!);
      queue = undefined;
      let end!: () => void;
      const ended = new Promise<void>((resolve) => {
        end = resolve;
      });
      const close = () => {
        unsubscribe();
        open.delete(close);
        end();
      };
      open.add(close);
      return { close: async () => close(), ended };
    },
    async closeSession() {
      for (const close of [...open]) close();
    },
  };
}
