import { createServer, type Server, type Socket } from 'node:net';
import { userInfo } from 'node:os';
import type { Api } from '../api.js';
import type { Principal } from '../principal.js';
import { type ApiServerLimits, DEFAULT_API_SERVER_LIMITS } from './limits.js';
import { ServerConnection } from './server-connection.js';

/**
 * The Api over a stream socket, host side: whatever implements the Api (the local host's sessions; in tests a
 * fake) is served one session per connection. The socket's file mode is the caller's to set: the unix socket of a
 * state directory is 0600, so its every peer is the host's own user (see {@link socketPrincipal}).
 */

/** Opens the session a connection's calls run on; called once per connection, closed when it ends. */
export type OpenSession = (principal: Principal) => Api | Promise<Api>;

/** Options of {@link serveApi}. */
export interface ServeApiOptions {
  limits?: Partial<ApiServerLimits>;
  /** Who the peers are (default: {@link socketPrincipal}). */
  principal?: Principal;
}

/**
 * The principal of a peer of the host's unix socket: the host's own user, an admin, local (host paths allowed),
 * via `socket`. Only the owner can connect to the 0600 socket in the private run directory; Node cannot read the
 * peer's credentials (SO_PEERCRED), so the socket's mode is the check.
 *
 * @example
 * socketPrincipal(); // { user: 'vessel', role: 'admin', local: true, via: 'socket' }
 */
export function socketPrincipal(): Principal {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = `uid ${process.getuid?.() ?? '?'}`; // no passwd entry (a container's arbitrary uid)
  }
  return { user: user.slice(0, 128) || 'local', role: 'admin', local: true, via: 'socket' };
}

/**
 * A server of the Api on stream sockets. Each connection gets its own session from `open`, held to the limits;
 * `close()` stops listening, cuts every connection and waits for their sessions to close.
 *
 * @example
 * const server = serveApi(() => host.session(socketPrincipal()));
 * await server.listen('/run/vessel/host.sock');
 */
export class ApiSocketServer {
  /** The listening server (listen on it, or pass sockets to {@link ApiSocketServer.accept}). */
  readonly server: Server;
  private readonly connections = new Set<ServerConnection>();
  private readonly limits: ApiServerLimits;
  private readonly principal: Principal;

  constructor(
    private readonly open: OpenSession,
    o: ServeApiOptions = {},
  ) {
    this.limits = { ...DEFAULT_API_SERVER_LIMITS, ...o.limits };
    this.principal = o.principal ?? socketPrincipal();
    this.server = createServer((s) => this.accept(s));
    this.server.maxConnections = this.limits.maxConnections;
  }

  /** Serves one connected socket. */
  accept(socket: Socket): void {
    const principal = { ...this.principal };
    const conn = new ServerConnection(socket, async () => this.open(principal), this.limits);
    this.connections.add(conn);
    void conn.closed.then(() => this.connections.delete(conn));
  }

  /** Connections open now. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Calls executing now, over every connection. */
  get inFlight(): number {
    let n = 0;
    for (const c of this.connections) n += c.inFlight;
    return n;
  }

  /** Listens on a unix socket path (or anything `net.Server.listen` takes). */
  listen(path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(path, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /** Stops listening, ends every connection, and resolves once every session is closed. */
  async close(): Promise<void> {
    const listening = this.server.listening;
    const stopped = new Promise<void>((r) => this.server.close(() => r()));
    const conns = [...this.connections];
    for (const c of conns) c.destroy();
    await Promise.all(conns.map((c) => c.closed));
    if (listening) await stopped;
  }
}

/**
 * Serves the Api that `open` gives, one session per connection (listen with `listen(path)`).
 *
 * @example
 * const server = serveApi((principal) => host.session(principal), { limits: { maxInFlight: 8 } });
 * await server.listen(socketPath);
 */
export function serveApi(open: OpenSession, o: ServeApiOptions = {}): ApiSocketServer {
  return new ApiSocketServer(open, o);
}
