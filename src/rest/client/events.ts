import { ApiError, type ApiEvent, decodeResult, type EventsApi, type Subscription } from '../../api/index.js';
import type { RestHttp } from './http.js';

/** The longest line of an event stream the client holds (an event's data is a few KiB). */
const MAX_LINE = 1 << 20;

/**
 * Splits a text/event-stream (WHATWG HTML §9.2) into events: `data:` lines joined, dispatched on a blank line; `id:`
 * and `event:` kept with them; comments (`:`) and unknown fields ignored. A line over 1 MiB ends the stream with an
 * error, so a hostile server cannot fill the client's memory.
 *
 * @example
 * const parse = sseParser((data) => console.log(JSON.parse(data)));
 * parse('id: 1\ndata: {"seq":1}\n\n');
 */
export function sseParser(onData: (data: string, id: string | undefined) => void): (chunk: string) => void {
  let buffer = '';
  let data: string[] = [];
  let id: string | undefined;
  return (chunk) => {
    buffer += chunk;
    let nl = buffer.search(/\r\n|\r|\n/);
    while (nl >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
      if (line === '') {
        if (data.length > 0) onData(data.join('\n'), id);
        data = [];
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') data.push(value);
        else if (field === 'id') id = value;
      }
      nl = buffer.search(/\r\n|\r|\n/);
    }
    if (buffer.length > MAX_LINE) throw new ApiError('PROTOCOL', 'An event stream line is over 1 MiB');
  };
}

/**
 * The events namespace over REST: `subscribe` follows `GET /api/v1/events` (Server-Sent Events, replayed after
 * `after`, then live); `list` reads `GET /api/v1/events/log`.
 *
 * @example
 * const sub = await restEvents(http).subscribe({ after: 0 }, (e) => console.log(e.seq, e.type));
 */
export function restEvents(http: RestHttp): EventsApi {
  return {
    list: async (q = {}) => {
      const query: Record<string, string | number | readonly string[] | undefined> = {
        after: q.after,
        system: q.system,
        type: q.types,
        limit: q.limit,
      };
      return decodeResult(
        'events.list',
        ((await http.call('GET', '/events/log', { query })).body as { items: unknown[] }).items,
      );
    },
    subscribe: async (q, on): Promise<Subscription> => {
      const query: Record<string, string | readonly string[]> = {};
      if (q.after !== undefined) query.since = String(q.after);
      if (q.system !== undefined) query.system = q.system;
      if (q.types !== undefined) query.type = q.types;
      const res = await http.stream('/events', query, {});
      res.setEncoding('utf8');
      let failure: unknown;
      const parse = sseParser((data) => {
        let event: ApiEvent | undefined;
        try {
          event = decodeResult('events.list', [JSON.parse(data)])[0];
        } catch (e) {
          failure = new ApiError('PROTOCOL', `The host sent an event that is not one: ${String(e)}`);
          res.destroy();
        }
        if (event !== undefined) on(event);
      });
      const ended = new Promise<void>((resolve) => {
        res.on('close', resolve);
        res.on('error', () => resolve());
      });
      res.on('data', (chunk: string) => {
        try {
          parse(chunk);
        } catch (e) {
          failure = e;
          res.destroy();
        }
      });
      return {
        ended: ended.then(() => {
          if (failure !== undefined) throw failure;
        }),
        close: async () => {
          res.destroy();
          await ended;
        },
      };
    },
  };
}
