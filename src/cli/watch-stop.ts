import { type Api, type ApiEvent, isApiError, type SystemState } from '../api/index.js';

/** The states in which a system has no console to talk to. */
const ENDED: ReadonlySet<SystemState> = new Set(['stopped', 'crashed', 'suspended']);

/** How often a host without an event stream is asked for the system's state. */
const POLL_MS = 1000;

/**
 * Calls `onEnd` once when the system stops (or is undefined, or the host goes away), from the host's event
 * stream, or by asking for its state every second where the host has none (a CIM-XML host). Resolves to a
 * function that stops watching.
 *
 * @example
 * const stop = await watchStop(api, 'web1', (why) => console.error(why));
 * // ... later
 * stop();
 */
export async function watchStop(api: Api, vm: string, onEnd: (why: string) => void): Promise<() => void> {
  let ended = false;
  const end = (why: string) => {
    if (ended) return;
    ended = true;
    onEnd(why);
  };
  const check = () =>
    api.systems.get(vm).then(
      (s) => {
        if (ENDED.has(s.state)) end(`The system "${vm}" is ${s.state}: console closed`);
      },
      () => end(`The system "${vm}" can no longer be read: console closed`),
    );
  const onEvent = (e: ApiEvent) => {
    if (e.type === 'system.state' && ENDED.has(e.state))
      end(`The system "${vm}" is ${e.state}: console closed`);
    else if (e.type === 'system.undefined') end(`The system "${vm}" was undefined: console closed`);
  };
  try {
    const sub = await api.events.subscribe(
      { system: vm, types: ['system.state', 'system.undefined'] },
      onEvent,
    );
    sub.ended.then(
      () => end('The host closed the event stream: console closed'),
      () => end('The host went away'),
    );
    // A stop between opening the console and subscribing is not in the stream.
    await check();
    return () => {
      ended = true;
      sub.close().catch(() => {});
    };
  } catch (e) {
    if (!isApiError(e, 'NOT_SUPPORTED')) throw e;
    const timer = setInterval(check, POLL_MS);
    return () => {
      ended = true;
      clearInterval(timer);
    };
  }
}
