import { Type } from '@sinclair/typebox';
import { RestError } from './errors.js';
import type { RestRoute } from './route.js';
import { strictObject } from './schemas.js';

/**
 * The consoles of a system: a PNG screenshot of its display, and the two WebSocket consoles (their upgrade is
 * answered by consoles-ws.ts on the shared server's upgrade hook; a plain GET of them is 426 Upgrade Required).
 */

const ID = { id: 'the system, by name or UUID' };

/** The WebSocket consoles: path suffix, Api console kind, subprotocol and what travels. */
export const WS_CONSOLES = {
  serial: { title: 'The first serial port as raw bytes both ways (binary frames; xterm.js)' },
  vnc: { title: 'The display as RFB (RFC 6143) both ways (binary frames, subprotocol `binary`; noVNC)' },
} as const;

function wsRoute(kind: keyof typeof WS_CONSOLES): RestRoute {
  return {
    method: 'GET',
    path: `/systems/{id}/console/${kind}`,
    operationId: kind === 'serial' ? 'openSerialConsole' : 'openVncConsole',
    summary:
      `${WS_CONSOLES[kind].title}. A WebSocket (RFC 6455): send \`Upgrade: websocket\`; with a session cookie the ` +
      'Origin must be this host. Frames of at most 64 KiB; an idle console closes after 15 minutes; a user holds ' +
      'at most 8 consoles; the socket closes (1000) when the system stops',
    calls: 'consoles.open',
    pathParams: ID,
    responses: {
      101: { description: 'Switching Protocols: the WebSocket is open' },
      409: { description: 'The system is not running (INVALID_STATE)' },
      426: { description: 'Not a WebSocket upgrade request' },
    },
    handle: async () => {
      throw new RestError(
        'REST_UPGRADE_REQUIRED',
        `The ${kind} console is a WebSocket: send Upgrade: websocket`,
      );
    },
  };
}

/** Routes of /systems/{id}/console/*. */
export const CONSOLE_ROUTES: readonly RestRoute[] = [
  {
    method: 'GET',
    path: '/systems/{id}/console/log',
    operationId: 'getConsoleLog',
    summary: 'What the guest wrote to its first serial port (the last maxBytes, default 64 KiB)',
    calls: 'consoles.log',
    pathParams: ID,
    query: strictObject({
      maxBytes: Type.Optional(Type.Integer({ minimum: 1, maximum: 16_777_216, default: 65_536 })),
    }),
    responses: { 200: { description: 'The log', schema: Type.Object({ text: Type.String() }) } },
    handle: async ({ api, params, query }) => {
      const q = query as { maxBytes?: number };
      const text = await api.consoles.log(params.id ?? '', { maxBytes: q.maxBytes ?? 65_536 });
      return { status: 200, body: { text } };
    },
  },
  {
    method: 'GET',
    path: '/systems/{id}/console/screenshot',
    operationId: 'getScreenshot',
    summary: "A PNG picture of the running system's display",
    calls: 'consoles.screenshot',
    pathParams: ID,
    responses: {
      200: { description: 'The display as PNG', mediaType: 'image/png', binary: true },
      409: { description: 'The system is not running (INVALID_STATE)' },
    },
    handle: async ({ api, params }) => {
      const png = await api.consoles.screenshot(params.id ?? '');
      return {
        status: 200,
        stream: (res) => {
          res.writeHead(200, {
            'Content-Type': 'image/png',
            'Content-Length': png.byteLength,
            'Cache-Control': 'no-store',
            'X-Content-Type-Options': 'nosniff',
          });
          res.end(png);
        },
      };
    },
  },
  wsRoute('serial'),
  wsRoute('vnc'),
];
