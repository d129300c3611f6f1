import type { IncomingHttpHeaders } from 'node:http';
import { Type } from '@sinclair/typebox';
import { ApiEventSchema, EVENT_TYPES, type EventType } from '../api/index.js';
import { RestError } from './errors.js';
import type { RestRoute } from './route.js';
import { literals, strictObject } from './schemas.js';
import { firstPage, pumpEvents } from './sse.js';

/** GET /events: the host's events as Server-Sent Events, replayed from the client's last one, then live. */

/**
 * The sequence number of `Last-Event-ID` (what an EventSource sends when it reconnects), or undefined when
 * absent; anything but a decimal sequence number is a 400 problem.
 *
 * @example
 * lastEventId({ 'last-event-id': '42' }); // 42
 */
export function lastEventId(headers: IncomingHttpHeaders): number | undefined {
  const v = headers['last-event-id'];
  if (v === undefined) return undefined;
  const text = Array.isArray(v) ? v.join(',') : v;
  if (!/^[0-9]{1,15}$/.test(text))
    throw new RestError(
      'REST_INVALID_HEADER',
      'Last-Event-ID must be the id (a sequence number) of an event',
      {
        hint: 'Send back the id: of the last event received, or leave the header out',
      },
    );
  return Number(text);
}

/** Routes of /events. */
export const EVENT_ROUTES: readonly RestRoute[] = [
  {
    method: 'GET',
    path: '/events',
    operationId: 'streamEvents',
    summary:
      "The host's events as Server-Sent Events (id: the sequence number, event: the type, data: the event): the " +
      'stored events after Last-Event-ID (or ?since=), then live ones; ": keep-alive" comments in between',
    calls: 'events.subscribe',
    query: strictObject({
      since: Type.Optional(
        Type.Integer({ minimum: 0, description: 'replay after this sequence number (Last-Event-ID wins)' }),
      ),
      system: Type.Optional(
        Type.String({ minLength: 1, maxLength: 128, description: 'one system, name or UUID' }),
      ),
      type: Type.Optional(Type.Array(literals(EVENT_TYPES), { maxItems: EVENT_TYPES.length })),
    }),
    requestHeaders: ['Last-Event-ID'],
    responses: {
      200: {
        description: 'An endless text/event-stream; each data: line is one event (this schema)',
        mediaType: 'text/event-stream',
        schema: ApiEventSchema,
      },
      429: { description: 'The user holds as many event streams as one user may (REST_TOO_MANY_STREAMS)' },
    },
    handle: async ({ api, query, headers, caller, streams }) => {
      const q = query as { since?: number; system?: string; type?: EventType[] };
      const after = lastEventId(headers) ?? q.since;
      const sel = {
        ...(after === undefined ? {} : { after }),
        ...(q.system === undefined ? {} : { system: q.system }),
        ...(q.type === undefined ? {} : { types: q.type }),
      };
      const slot = streams.admit(caller.name);
      try {
        const first = await firstPage(api, sel);
        return {
          status: 200,
          stream: (res) => pumpEvents(res, { api, query: sel, first, slot, limits: streams.limits }),
        };
      } catch (e) {
        slot.release();
        throw e;
      }
    },
  },
];
