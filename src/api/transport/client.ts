import { connect, type Socket } from 'node:net';
import type { Api } from '../api.js';
import type { ArtifactsApi } from '../artifacts.js';
import type { ConsolesApi } from '../consoles.js';
import { ApiError } from '../errors.js';
import type { EventsApi } from '../events.js';
import type { HostApi } from '../host.js';
import type { JobsApi } from '../jobs.js';
import type { MetricsApi } from '../metrics.js';
import type { NetworksApi } from '../networks.js';
import type { PackagesApi } from '../packages.js';
import type { PoolsApi } from '../pools.js';
import type { SystemsApi } from '../systems.js';
import type { UsersApi } from '../users.js';
import { apiOver } from './api-over.js';
import { ClientConnection } from './client-connection.js';
import { type Frame, FrameReader } from './frames.js';
import { PROTOCOL_NAME, PROTOCOL_VERSION, parseServerMessage } from './messages.js';

/** Options of {@link SocketApi.connect}. */
export interface SocketApiOptions {
  /** How long the host has to greet, ms (default 5 s); then PROTOCOL. */
  helloTimeoutMs?: number;
  /** The state directory the socket belongs to, for messages and hints. */
  stateDir?: string;
}

const DEFAULT_HELLO_TIMEOUT_MS = 5000;

function notRunning(path: string, stateDir: string | undefined): ApiError {
  return stateDir === undefined
    ? new ApiError('HOST_NOT_RUNNING', `No Vessel host answers on ${path}`)
    : new ApiError('HOST_NOT_RUNNING', `No Vessel host is running for the state directory ${stateDir}`, {
        hint: `Start one with: vessel host serve --state ${stateDir}`,
      });
}

/** Connects, or HOST_NOT_RUNNING (no socket, or nobody listens) / HOST_UNREACHABLE (anything else). */
function open(path: string, o: SocketApiOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    s.once('connect', () => {
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') reject(notRunning(path, o.stateDir));
      else
        reject(
          new ApiError('HOST_UNREACHABLE', `Cannot reach the host at ${path}: ${e.message}`, { cause: e }),
        );
    });
  });
}

/** Waits for the host's hello; answers its frame limit and the frames that came with it. */
function greeting(
  s: Socket,
  path: string,
  timeoutMs: number,
): Promise<{ maxFrameBytes: number; rest: Frame[] }> {
  return new Promise((resolve, reject) => {
    const reader = new FrameReader(65_536, 'The host');
    const done = (e?: ApiError, v?: { maxFrameBytes: number; rest: Frame[] }) => {
      clearTimeout(timer);
      s.off('data', onData);
      s.off('close', onClose);
      s.off('error', onClose);
      if (e !== undefined) {
        s.destroy();
        reject(e);
      } else resolve(v!);
    };
    const timer = setTimeout(
      () =>
        done(
          new ApiError(
            'PROTOCOL',
            `The peer on ${path} did not greet within ${timeoutMs} ms: not a Vessel API socket, or a Vessel host of an older version`,
          ),
        ),
      timeoutMs,
    );
    const onClose = () =>
      done(new ApiError('HOST_UNREACHABLE', `The host on ${path} closed the connection at once`));
    const onData = (chunk: Buffer) => {
      try {
        const [first, ...rest] = reader.push(chunk);
        if (first === undefined) return;
        const m = first.kind === 'json' ? parseServerMessage(first.text) : undefined;
        if (m?.t === 'error' && m.id === null) return done(ApiError.fromInfo(m.error));
        if (m?.t !== 'hello')
          throw new ApiError('PROTOCOL', `The peer on ${path} did not begin with a greeting`);
        if (m.protocol !== PROTOCOL_NAME || m.version !== PROTOCOL_VERSION) {
          throw new ApiError(
            'PROTOCOL',
            `The host on ${path} speaks ${m.protocol} ${m.version}; this client speaks ${PROTOCOL_NAME} ${PROTOCOL_VERSION}`,
            { hint: 'Use a vessel command of the same version as the host' },
          );
        }
        done(undefined, { maxFrameBytes: m.maxFrameBytes, rest });
      } catch (e) {
        done(e instanceof ApiError ? e : new ApiError('PROTOCOL', String(e)));
      }
    };
    s.on('data', onData);
    s.once('close', onClose);
    s.once('error', onClose);
  });
}

/**
 * The Api of a host reached over its stream socket, every method generated from METHODS (apiOver); streams,
 * subscriptions and progress travel as the protocol says (messages.ts). Calls may be issued concurrently; the
 * host runs a bounded number at once per connection and queues the rest.
 *
 * @example
 * const api = await SocketApi.connect('/run/user/1000/vessel/host.sock');
 * console.log((await api.host.info()).name);
 * await api.close();
 */
export class SocketApi implements Api {
  readonly host: HostApi;
  readonly systems: SystemsApi;
  readonly jobs: JobsApi;
  readonly events: EventsApi;
  readonly packages: PackagesApi;
  readonly artifacts: ArtifactsApi;
  readonly consoles: ConsolesApi;
  readonly pools: PoolsApi;
  readonly users: UsersApi;
  readonly networks: NetworksApi;
  readonly metrics: MetricsApi;

  private constructor(private readonly connection: ClientConnection) {
    const spaces = apiOver((method, args) => connection.call(method, args));
    this.host = spaces.host;
    this.systems = spaces.systems;
    this.jobs = spaces.jobs;
    this.events = spaces.events;
    this.packages = spaces.packages;
    this.artifacts = spaces.artifacts;
    this.consoles = spaces.consoles;
    this.pools = spaces.pools;
    this.users = spaces.users;
    this.networks = spaces.networks;
    this.metrics = spaces.metrics;
  }

  /**
   * Connects to the Api socket at `path` and waits for the host's greeting. HOST_NOT_RUNNING when nothing
   * listens there, HOST_UNREACHABLE when the connection fails otherwise, PROTOCOL when the peer does not speak
   * this protocol (or another version of it).
   */
  static async connect(path: string, o: SocketApiOptions = {}): Promise<SocketApi> {
    const socket = await open(path, o);
    const hello = await greeting(socket, path, o.helloTimeoutMs ?? DEFAULT_HELLO_TIMEOUT_MS);
    return new SocketApi(new ClientConnection(socket, hello.maxFrameBytes, hello.rest));
  }

  /** Settles when the connection has closed (either side). */
  get closed(): Promise<void> {
    return this.connection.closed;
  }

  /** Ends the connection: the host closes this connection's session (its subscriptions end). */
  close(): Promise<void> {
    return this.connection.close();
  }
}
