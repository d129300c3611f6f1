import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { ByteChannel, ConsoleKind } from '../api/index.js';
import type { HttpUpgradeExchange } from '../wbem/index.js';
import { RestError } from './errors.js';
import { type Problem, problemOf } from './problem.js';
import { API_PREFIX } from './route.js';
import type { Router } from './router.js';
import type { Sessions } from './sessions.js';

/**
 * The WebSocket consoles (RFC 6455) of the REST edge: `GET /api/v1/systems/{id}/console/serial` (raw serial bytes,
 * for xterm.js) and `/console/vnc` (RFB, subprotocol `binary`, for noVNC), bridged to the caller's
 * `api.consoles.open`. The console is opened before the upgrade is answered, so a stopped system is a plain HTTP
 * 409 problem, never a socket that hangs. Guards: a request with an `Origin` (every browser sends one) must come
 * from this host's own origin, whatever its credentials (cross-site WebSocket hijacking rides on cookies and on
 * cached Basic credentials alike); the Api's role check (consoles.open needs an operator: a reader is refused with
 * 403 entirely, as input and output travel on one socket); at most `maxPerUser` consoles per user; frames of at most
 * `maxFrameBytes` (larger ones close the socket with 1009); an idle limit (no byte either way); backpressure both
 * ways (the guest's output is read no faster than the socket drains, and the socket is paused while the console
 * has unwritten input); the socket closes with 1000 when the system stops.
 */

/** The limits of the WebSocket consoles. */
export interface ConsoleSocketLimits {
  /** Largest frame a client may send (default 64 KiB); noVNC's and xterm's are far smaller. */
  maxFrameBytes: number;
  /** A console with no byte either way for this long is closed (default 15 minutes), ms. */
  idleMs: number;
  /** Open consoles per user (default 8). */
  maxPerUser: number;
  /** Bytes queued towards one side before reading from the other pauses (default 1 MiB). */
  highWaterBytes: number;
}

/** The defaults of {@link ConsoleSocketLimits}. */
export const DEFAULT_CONSOLE_LIMITS: ConsoleSocketLimits = {
  maxFrameBytes: 64 << 10,
  idleMs: 15 * 60_000,
  maxPerUser: 8,
  highWaterBytes: 1 << 20,
};

/** Close codes the bridge uses besides RFC 6455's (4000-4999 are for applications, §7.4.2). */
export const CONSOLE_CLOSE = { stopped: 1000, idle: 4000, failed: 1011 } as const;

const KINDS: Readonly<Record<string, ConsoleKind>> = { openSerialConsole: 'serial', openVncConsole: 'vnc' };

/**
 * The open WebSocket consoles of one endpoint: counts per user, the bridge, and their end when the server closes.
 *
 * @example
 * const consoles = new ConsoleSockets({ maxPerUser: 4 });
 * route.upgrade = (x) => consoles.upgrade(x, router, sessions);
 */
export class ConsoleSockets {
  readonly limits: ConsoleSocketLimits;
  private readonly perUser = new Map<string, number>();
  private readonly open = new Set<WebSocket>();
  private readonly wss: WebSocketServer;

  constructor(limits: Partial<ConsoleSocketLimits> = {}) {
    this.limits = { ...DEFAULT_CONSOLE_LIMITS, ...limits };
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.limits.maxFrameBytes,
      perMessageDeflate: false,
      // noVNC asks for `binary`; xterm's page and tools ask for none.
      handleProtocols: (offered) => (offered.has('binary') ? 'binary' : false),
    });
  }

  /** Consoles open now. */
  get size(): number {
    return this.open.size;
  }

  /** Answers one upgrade request to a console path (anything else is answered as its problem). */
  async upgrade(x: HttpUpgradeExchange, router: Router, sessions: Sessions): Promise<void> {
    let counted = false;
    try {
      const kind = this.check(x, router);
      const id = kind.id;
      const n = this.perUser.get(x.user.name) ?? 0;
      if (n >= this.limits.maxPerUser)
        throw new RestError(
          'REST_TOO_MANY_CONSOLES',
          `User "${x.user.name}" has ${n} consoles open, the most allowed; close one first`,
        );
      this.perUser.set(x.user.name, n + 1);
      counted = true;
      const api = sessions.of(x.user.name, x.user.role);
      const ch = await api.consoles.open(id, kind.kind);
      // ws answers a handshake it finds wrong (a bad key or version) with 400 and never calls back: the console is
      // then closed with the socket.
      let bridged = false;
      const abandon = () => {
        if (bridged) return;
        bridged = true;
        void ch.close().catch(() => undefined);
        this.release(x.user.name);
      };
      if (x.socket.destroyed) return abandon();
      x.socket.once('close', abandon);
      this.wss.handleUpgrade(x.req, x.socket, x.head, (ws) => {
        if (bridged) return void ws.terminate();
        bridged = true;
        x.socket.off('close', abandon);
        this.bridge(ws, ch, x.user.name);
      });
    } catch (e) {
      if (counted) this.release(x.user.name);
      writeProblem(x.socket, problemOf(e));
    }
  }

  /** Closes every console (1001, going away), for the server's end. */
  closeAll(): void {
    for (const ws of this.open) ws.close(1001, 'the server is stopping');
    setTimeout(() => {
      for (const ws of this.open) ws.terminate();
    }, 1000).unref();
  }

  /** The console the request names, after the Upgrade header and the Origin check. */
  private check(x: HttpUpgradeExchange, router: Router): { id: string; kind: ConsoleKind } {
    const url = x.req.url ?? '';
    const q = url.indexOf('?');
    if (q >= 0 && q < url.length - 1) throw new RestError('REST_INVALID_QUERY', 'A console takes no query');
    const { route, params } = router.match('GET', q < 0 ? url : url.slice(0, q));
    const kind = KINDS[route.operationId];
    if (kind === undefined)
      throw new RestError('REST_INVALID_HEADER', `${API_PREFIX}${route.path} is not a WebSocket resource`);
    if (String(x.req.headers.upgrade ?? '').toLowerCase() !== 'websocket')
      throw new RestError('REST_UPGRADE_REQUIRED', 'Only Upgrade: websocket is spoken here');
    checkOrigin(x.req, x.secure);
    return { id: params.id ?? '', kind };
  }

  private release(user: string): void {
    const n = (this.perUser.get(user) ?? 1) - 1;
    if (n <= 0) this.perUser.delete(user);
    else this.perUser.set(user, n);
  }

  /** Bytes both ways until either side ends, with backpressure and the idle limit. */
  private bridge(ws: WebSocket, ch: ByteChannel, user: string): void {
    this.open.add(ws);
    const l = this.limits;
    let idle: NodeJS.Timeout;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => ws.close(CONSOLE_CLOSE.idle, 'idle too long'), l.idleMs);
      idle.unref();
    };
    touch();
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      clearTimeout(idle);
      this.open.delete(ws);
      this.release(user);
      void ch.close().catch(() => undefined);
    };
    ws.on('close', end);
    ws.on('error', () => ws.terminate());
    // Client -> console: the socket is paused while more than highWaterBytes wait to be written.
    let pending = 0;
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      const bytes = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data);
      touch();
      pending += bytes.length;
      if (pending > l.highWaterBytes) ws.pause();
      ch.write(bytes).then(
        () => {
          pending -= bytes.length;
          if (pending <= l.highWaterBytes && ws.isPaused) ws.resume();
        },
        () => ws.close(CONSOLE_CLOSE.failed, 'the console refused input'),
      );
    });
    // Console -> client: the next chunk is read once the socket has room again.
    void (async () => {
      try {
        for await (const chunk of ch.input) {
          if (ws.readyState !== ws.OPEN) break;
          touch();
          if (ws.bufferedAmount + chunk.byteLength > l.highWaterBytes)
            await new Promise<void>((resolve) => ws.send(chunk, { binary: true }, () => resolve()));
          else ws.send(chunk, { binary: true });
        }
        if (ws.readyState === ws.OPEN)
          ws.close(CONSOLE_CLOSE.stopped, 'the console ended (the system stopped)');
      } catch {
        if (ws.readyState === ws.OPEN) ws.close(CONSOLE_CLOSE.failed, 'the console failed');
      }
    })();
  }
}

/**
 * A request with an `Origin` must come from this host's origin (RFC 6454 serialisation of scheme, Host header):
 * a page of another site cannot then open a console with the user's cookie or cached Basic credentials. Tools send
 * no Origin.
 */
function checkOrigin(req: IncomingMessage, secure: boolean): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  const host = req.headers.host;
  const own = host === undefined ? undefined : `${secure ? 'https' : 'http'}://${host}`.toLowerCase();
  if (own === undefined || origin.toLowerCase() !== own)
    throw new RestError(
      'REST_ORIGIN',
      `A console opened from ${origin.slice(0, 100)} is refused: only pages of ${own ?? 'this host'} may open one`,
    );
}

/** Answers a refused upgrade with its problem details on the raw socket, and closes it. */
function writeProblem(socket: Duplex, p: Problem): void {
  socket.on('error', () => undefined);
  if (socket.destroyed || !socket.writable) return void socket.destroy();
  const body = JSON.stringify(p);
  const upgrade = p.code === 'INVALID_ARGUMENT' && p.status === 426 ? 'Upgrade: websocket\r\n' : '';
  const retry = p.status === 429 ? 'Retry-After: 5\r\n' : '';
  socket.end(
    `HTTP/1.1 ${p.status} ${p.title.replace(/[^\x20-\x7e]/g, '')}\r\n${upgrade}${retry}` +
      `Content-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Cache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), 2000).unref();
}
