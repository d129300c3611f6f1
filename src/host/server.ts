import { createServer, type Server, type Socket } from 'node:net';
import { VesselError } from '../model/index.js';
import { deployRequestFromWire } from './deploy/wire.js';
import { HostError } from './errors.js';
import { exportOptionsFromWire } from './export/wire.js';
import type { Host, VmOperation } from './host.js';
import { hostSocketPath } from './paths.js';
import { listenPrivately } from './socket/listen.js';
import {
  definitionFromWire,
  MAX_LINE_BYTES,
  parseRequest,
  stringParam,
  toWire,
  type WireRequest,
} from './wire.js';

const OPERATIONS: readonly VmOperation[] = ['start', 'stop', 'powerOff', 'pause', 'resume', 'reset'];

type Handler = (host: Host, params: Record<string, unknown>, conn: Connection) => Promise<unknown> | unknown;

interface Connection {
  socket: Socket;
  /** Set by console.attach: from then on the connection is a raw byte pipe. */
  raw: boolean;
  cleanups: (() => void)[];
  /** Pushed events a subscriber may leave unread before it is dropped, bytes. */
  maxUnreadBytes: number;
}

/** Every method of the socket API, by name. */

/** The most console log bytes and events one request returns, so that one answer stays bounded. */
const MAX_CONSOLE_BYTES = 1 << 20;
const MAX_EVENTS = 10_000;

/** A whole-number request parameter clamped to `max`; undefined when absent or not a positive whole number. */
function boundedCount(v: unknown, max: number): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? Math.min(v, max) : undefined;
}

const METHODS: Record<string, Handler> = {
  'host.info': (host) => host.info(),
  'vm.list': (host) => host.list(),
  'vm.get': (host, p) => {
    const vm = host.get(stringParam(p, 'vm'));
    return { name: vm.name, uuid: vm.uuid, state: vm.state, reason: vm.reason, definition: vm.definition };
  },
  'vm.define': (host, p) => host.define(definitionFromWire(p.definition)),
  'vm.undefine': async (host, p) => {
    await host.undefine(stringParam(p, 'vm'));
    return { undefined: true };
  },
  'vm.change': async (host, p) => {
    const op = stringParam(p, 'op') as VmOperation;
    if (!OPERATIONS.includes(op))
      throw new HostError('USAGE', `Unknown operation "${op}"; use ${OPERATIONS.join(', ')}`);
    const { job, done } = host.change(stringParam(p, 'vm'), op, {
      force: p.force === true,
      ...(typeof p.timeoutMs === 'number' ? { timeoutMs: p.timeoutMs } : {}),
    });
    if (p.wait === false) return { job: job.id };
    return { job: job.id, vm: await done };
  },
  'vm.export': async (host, p) => {
    const { job, done } = host.exportVm(stringParam(p, 'vm'), exportOptionsFromWire(p));
    if (p.wait === false) return { job: job.id };
    return { job: job.id, result: await done };
  },
  'vm.console': async (host, p) => {
    const con = await host.console(stringParam(p, 'vm'));
    return { log: await con.readLog(boundedCount(p.maxBytes, MAX_CONSOLE_BYTES)) };
  },
  'vm.stats': (host, p) => host.stats(stringParam(p, 'vm')),
  'events.list': (host, p) =>
    host.store.events({
      ...(typeof p.vm === 'string' ? { uuid: host.get(p.vm).uuid } : {}),
      ...(typeof p.afterId === 'number' ? { afterId: p.afterId } : {}),
      limit: boundedCount(p.limit, MAX_EVENTS) ?? MAX_EVENTS,
    }),
  'events.subscribe': (host, p, conn) => {
    const uuid = typeof p.vm === 'string' ? host.get(p.vm).uuid : undefined;
    conn.cleanups.push(
      host.subscribe((e) => {
        if (uuid !== undefined && e.uuid !== uuid) return;
        // A subscriber that stops reading is dropped rather than letting its events pile up in the host.
        if (conn.socket.writableLength > conn.maxUnreadBytes) conn.socket.destroy();
        else conn.socket.write(`${toWire({ event: e })}\n`);
      }),
    );
    return { subscribed: true };
  },
  'vm.deploy': async (host, p) => {
    const { job, done } = host.deploy(deployRequestFromWire(p));
    if (p.wait === false) return { job: job.id };
    return { job: job.id, result: await done };
  },
  'vm.metadata': (host, p) => host.getMetadata(stringParam(p, 'vm')),
  'vm.setMetadata': (host, p) => {
    if (typeof p.value !== 'string') throw new HostError('USAGE', 'The parameter "value" must be a string');
    host.setMetadata(stringParam(p, 'vm'), stringParam(p, 'key'), p.value);
    return { set: true };
  },
  'pool.list': (host) => host.pools.list(),
  'pool.add': (host, p) =>
    host.pools.add(stringParam(p, 'name'), stringParam(p, 'path'), { allowDevices: p.allowDevices === true }),
  'pool.remove': (host, p) => {
    host.pools.remove(stringParam(p, 'name'), host.store.listVms());
    return { removed: true };
  },
  'job.get': (host, p) => host.getJob(stringParam(p, 'id')),
  'job.list': (host, p) => host.store.listJobs(typeof p.limit === 'number' ? p.limit : 100),
  'console.attach': async (host, p, conn) => {
    const con = await host.console(stringParam(p, 'vm'));
    if (con.attach === undefined) throw new VesselError('NOT_SUPPORTED', 'This driver has no live console');
    const serial = await con.attach();
    conn.raw = true;
    conn.cleanups.push(() => serial.destroy());
    serial.on('error', () => conn.socket.destroy());
    serial.on('end', () => conn.socket.end());
    return {
      attached: true,
      pipe: () => {
        conn.socket.pipe(serial as unknown as NodeJS.WritableStream);
        serial.pipe(conn.socket);
      },
    };
  },
};

function errorOf(e: unknown) {
  if (e instanceof VesselError)
    return { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
  return { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
}

async function answer(host: Host, conn: Connection, req: WireRequest): Promise<void> {
  const handler = METHODS[req.method];
  try {
    if (handler === undefined) throw new HostError('HOST_PROTOCOL', `Unknown method "${req.method}"`);
    const result = await handler(host, req.params, conn);
    const pipe = (result as { pipe?: () => void } | undefined)?.pipe;
    conn.socket.write(`${toWire({ id: req.id, result: pipe ? { attached: true } : result })}\n`);
    pipe?.();
  } catch (e) {
    if (!conn.socket.destroyed) conn.socket.write(`${toWire({ id: req.id, error: errorOf(e) })}\n`);
  }
}

/** Limits of the socket API: what one connection may hold, against a client that is slow, stuck or greedy. */
export interface HostServerLimits {
  /** Requests of one connection answered at once; beyond, the host stops reading it (default 32). */
  maxInFlight: number;
  /** Time an unfinished request line may take to complete, ms (default 60 s). */
  partialLineTimeoutMs: number;
  /** Output a subscriber may leave unread before it is dropped, bytes (default 16 MiB). */
  maxUnreadBytes: number;
}

/** Default limits of the socket API. */
export const DEFAULT_HOST_SERVER_LIMITS: HostServerLimits = {
  maxInFlight: 32,
  partialLineTimeoutMs: 60_000,
  maxUnreadBytes: 16 << 20,
};

function closeWithError(socket: Socket, message: string): void {
  socket.end(`${toWire({ id: null, error: { code: 'HOST_PROTOCOL', message } })}\n`);
}

function onConnection(host: Host, socket: Socket, limits: HostServerLimits): void {
  const conn: Connection = { socket, raw: false, cleanups: [], maxUnreadBytes: limits.maxUnreadBytes };
  let buf = '';
  // Where the next newline search starts, or -1 when `buf` is known to hold none (only new chunks are searched,
  // so that a long line arriving in many chunks costs linear time).
  let searchFrom = -1;
  let inFlight = 0;
  let partial: NodeJS.Timeout | undefined;
  socket.setEncoding('utf8');
  socket.on('error', () => undefined);
  socket.on('close', () => {
    clearTimeout(partial);
    for (const c of conn.cleanups) c();
  });
  const pump = (): void => {
    while (!conn.raw && inFlight < limits.maxInFlight && searchFrom >= 0) {
      const nl = buf.indexOf('\n', searchFrom);
      if (nl < 0) {
        searchFrom = -1;
        break;
      }
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      searchFrom = 0;
      if (line === '') continue;
      let req: WireRequest;
      try {
        req = parseRequest(line);
      } catch (e) {
        socket.end(`${toWire({ id: null, error: errorOf(e) })}\n`);
        return;
      }
      if (req.method === 'console.attach') socket.off('data', onData); // the rest of the stream is console input
      inFlight++;
      void answer(host, conn, req).finally(() => {
        inFlight--;
        pump();
      });
    }
    if (conn.raw) return;
    // Too many requests in flight: read no more until some are answered (requests are not queued without end).
    if (inFlight >= limits.maxInFlight) socket.pause();
    else socket.resume();
    if (searchFrom < 0 && buf.length > MAX_LINE_BYTES) {
      closeWithError(socket, `A request is longer than ${MAX_LINE_BYTES} bytes`);
      buf = '';
    }
    // An unfinished line has a deadline from its first byte; more bytes trickling in do not extend it.
    if (searchFrom < 0 && buf !== '') {
      partial ??= setTimeout(
        () =>
          closeWithError(socket, `A request line was not finished within ${limits.partialLineTimeoutMs} ms`),
        limits.partialLineTimeoutMs,
      );
    } else if (partial) {
      clearTimeout(partial);
      partial = undefined;
    }
  };
  const onData = (chunk: string) => {
    if (conn.raw || socket.writableEnded) return;
    const had = buf.length;
    buf += chunk;
    if (searchFrom < 0 && chunk.includes('\n')) searchFrom = had;
    pump();
  };
  socket.on('data', onData);
}

/**
 * Serves a host's API on the unix socket of its state directory (mode 0600). Refuses to start when another host
 * already answers there; removes a stale socket left by a host that died. Each connection is held to
 * {@link HostServerLimits}: a bounded number of requests answered at once, unfinished lines timed out, slow
 * subscribers dropped.
 */
export async function serveHost(host: Host, limits: Partial<HostServerLimits> = {}): Promise<Server> {
  const l = { ...DEFAULT_HOST_SERVER_LIMITS, ...limits };
  const server = createServer((s) => onConnection(host, s, l));
  server.maxConnections = 256;
  await listenPrivately(server, hostSocketPath(host.stateDir), host.stateDir);
  return server;
}
