import { connect, type Socket } from 'node:net';
import { VesselError } from '../model/index.js';
import { HostError, RemoteError } from './errors.js';
import { checkedHostSocket } from './paths.js';
import type { HostEvent } from './store.js';
import { MAX_LINE_BYTES, toWire } from './wire.js';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

/**
 * A client of a running host's unix socket: what every `vessel` command other than `host serve` uses.
 * Without a host it throws `HOST_NOT_RUNNING` with the command that starts one.
 *
 * @example
 * const client = await HostClient.connect('/var/lib/vessel');
 * const vms = await client.call('vm.list');
 * client.close();
 */
export class HostClient {
  private buf = '';
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly eventListeners = new Set<(e: HostEvent) => void>();
  private closedError: Error | undefined;

  private constructor(
    private readonly socket: Socket,
    readonly stateDir: string,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => this.onData(d));
    socket.on('error', (e) => {
      this.closedError ??= new HostError('HOST_UNREACHABLE', `Lost the connection to the host: ${e.message}`);
    });
    socket.on('close', () => {
      const err = this.closedError ?? new HostError('HOST_UNREACHABLE', 'The host closed the connection');
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  /**
   * Connects to the host of a state directory, once its run directory and socket are checked to be this user's
   * own (`RUN_DIR_UNSAFE` otherwise: a socket another user planted is never connected to).
   */
  static connect(stateDir: string): Promise<HostClient> {
    const notRunning = () =>
      new HostError('HOST_NOT_RUNNING', `No Vessel host is running for the state directory ${stateDir}`, {
        hint: `Start one with: vessel host serve --state ${stateDir}`,
      });
    let path: string | undefined;
    try {
      path = checkedHostSocket(stateDir);
    } catch (e) {
      if (e instanceof VesselError) return Promise.reject(e);
      return Promise.reject(
        new HostError('HOST_UNREACHABLE', `Cannot reach the host of ${stateDir}: ${(e as Error).message}`, {
          cause: e,
        }),
      );
    }
    if (path === undefined) return Promise.reject(notRunning());
    return new Promise((resolve, reject) => {
      const s = connect(path);
      s.once('connect', () => resolve(new HostClient(s, stateDir)));
      s.once('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') {
          reject(notRunning());
        } else {
          reject(
            new HostError('HOST_UNREACHABLE', `Cannot reach the host at ${path}: ${e.message}`, { cause: e }),
          );
        }
      });
    });
  }

  /** Calls a method; a host-side error is thrown as {@link RemoteError} with its original code. */
  call<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    if (this.closedError || this.socket.destroyed) {
      return Promise.reject(
        this.closedError ?? new HostError('HOST_UNREACHABLE', 'The connection is closed'),
      );
    }
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.socket.write(`${toWire({ id, method, params })}\n`);
    });
  }

  /** Receives every event the host records (optionally of one system) until the client closes. */
  async subscribe(listener: (e: HostEvent) => void, vm?: string): Promise<void> {
    this.eventListeners.add(listener);
    await this.call('events.subscribe', vm === undefined ? {} : { vm });
  }

  /** Turns the connection into the system's live serial console and returns the raw socket. */
  async attachConsole(vm: string): Promise<Socket> {
    await this.call('console.attach', { vm });
    this.socket.removeAllListeners('data');
    if (this.buf !== '') this.socket.unshift(Buffer.from(this.buf, 'utf8'));
    return this.socket;
  }

  close(): void {
    this.socket.end();
  }

  private onData(chunk: string): void {
    const had = this.buf.length;
    this.buf += chunk;
    let nl = chunk.indexOf('\n'); // only the new chunk can hold the first newline: long lines stay linear
    if (nl >= 0) nl += had;
    while (nl >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      this.onLine(line);
      if (this.pending.size === 0 && this.eventListeners.size === 0 && this.buf === '') return;
      nl = this.buf.indexOf('\n');
    }
    if (this.buf.length > MAX_LINE_BYTES) {
      this.closedError = new HostError('HOST_PROTOCOL', 'The host sent an oversized line');
      this.socket.destroy();
    }
  }

  private onLine(line: string): void {
    let m: {
      id?: number;
      result?: unknown;
      error?: { code: string; message: string; hint?: string };
      event?: HostEvent;
    };
    try {
      m = JSON.parse(line) as typeof m;
    } catch {
      this.closedError = new HostError(
        'HOST_PROTOCOL',
        `The host sent a line that is not JSON: ${line.slice(0, 60)}`,
      );
      this.socket.destroy();
      return;
    }
    if (m.event !== undefined) {
      for (const l of this.eventListeners) l(m.event);
      return;
    }
    if (m.id === undefined || m.id === null) {
      this.closedError = new RemoteError(
        m.error?.code ?? 'HOST_PROTOCOL',
        m.error?.message ?? 'Protocol error',
      );
      return;
    }
    const p = this.pending.get(m.id);
    if (p === undefined) return;
    this.pending.delete(m.id);
    if (m.error) p.reject(new RemoteError(m.error.code, m.error.message, { hint: m.error.hint }));
    else p.resolve(m.result);
  }
}
