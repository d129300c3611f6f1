import { Type } from '@sinclair/typebox';
import { ApiEventSchema, EVENT_TYPES, type EventType } from '../api/index.js';
import { type RestRoute, wire } from './route.js';
import { literals, strictObject } from './schemas.js';

/** GET /events/log: the stored events as one JSON page (for polling tools and clients; /events streams them). */
export const EVENT_LOG_ROUTES: readonly RestRoute[] = [
  {
    method: 'GET',
    path: '/events/log',
    operationId: 'listEvents',
    summary:
      'Stored events after a sequence number, oldest first, as one JSON page (GET /events streams them)',
    calls: 'events.list',
    query: strictObject({
      after: Type.Optional(Type.Integer({ minimum: 0, description: 'only events with a larger seq' })),
      system: Type.Optional(
        Type.String({ minLength: 1, maxLength: 128, description: 'one system, name or UUID' }),
      ),
      type: Type.Optional(Type.Array(literals(EVENT_TYPES), { maxItems: EVENT_TYPES.length })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 })),
    }),
    responses: { 200: { description: 'Events', schema: Type.Object({ items: Type.Array(ApiEventSchema) }) } },
    handle: async ({ api, query }) => {
      const q = query as { after?: number; system?: string; type?: EventType[]; limit?: number };
      const items = await api.events.list({
        limit: q.limit ?? 1000,
        ...(q.after === undefined ? {} : { after: q.after }),
        ...(q.system === undefined ? {} : { system: q.system }),
        ...(q.type === undefined ? {} : { types: q.type }),
      });
      return { status: 200, body: { items: wire('events.list', items) } };
    },
  },
];
