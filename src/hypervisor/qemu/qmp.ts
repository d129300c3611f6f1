import { EventEmitter } from 'node:events';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { HypervisorError } from '../errors.js';

/** The greeting QEMU sends first (QMP spec §2.2). */
export interface QmpGreeting {
  version: { qemu: { major: number; minor: number; micro: number }; package: string };
  capabilities: string[];
}

/** An asynchronous event (QMP spec §2.5), e.g. SHUTDOWN, STOP, RESUME, RESET, DEVICE_DELETED. */
export interface QmpEvent {
  event: string;
  data: Record<string, unknown>;
  timestamp: { seconds: number; microseconds: number };
}

/** Options of {@link QmpClient.connect}. */
export interface QmpOptions {
  /** How long to wait for the greeting and each command's answer (default 10 s). */
  timeoutMs?: number;
  /** The longest line accepted from the peer (default 4 MiB); longer ones close the connection. */
  maxLineBytes?: number;
  /** Called with every line sent (`>`) and received (`<`); used to record conversations. */
  trace?: (direction: '>' | '<', line: string) => void;
}

/** A connection whose writes can carry descriptors, as usocket's `USocket` (the only kind that can). */
interface FdWritable {
  write(chunk: { data: Buffer; fds: number[] }): boolean;
}

interface Pending {
  command: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A small QMP client (QEMU Machine Protocol, docs/interop/qmp-spec): reads the greeting, negotiates
 * capabilities, runs commands matched to answers by `id`, and emits events. Hostile or broken peers (bad JSON,
 * oversized lines, answers to unknown ids) close the connection with `QMP_PROTOCOL`.
 *
 * @example
 * const qmp = await QmpClient.connect('/run/vessel/vm1.qmp');
 * const status = await qmp.execute<{ status: string }>('query-status');
 * qmp.on('event', (e: QmpEvent) => console.log(e.event));
 */
export class QmpClient extends EventEmitter {
  private buffer = '';
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private closedError: Error | undefined;
  private ended = false;
  private readonly timeoutMs: number;
  private readonly maxLineBytes: number;
  private greetingWaiter: ((g: QmpGreeting | Error) => void) | undefined;
  /** The peer's greeting, once connected. */
  greeting: QmpGreeting | undefined;
  /** Resolves when the connection is closed, for whatever reason. */
  readonly closed: Promise<Error | undefined>;

  private constructor(
    private readonly socket: Duplex,
    private readonly options: QmpOptions,
  ) {
    super();
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxLineBytes = options.maxLineBytes ?? 4 << 20;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    this.closed = new Promise((resolve) => {
      const onClose = () => {
        if (this.ended) return;
        this.ended = true;
        this.fail(this.closedError ?? new HypervisorError('QMP_CLOSED', 'The QMP connection closed'));
        resolve(this.closedError);
      };
      socket.on('close', onClose);
      socket.on('end', onClose); // a peer's end is the end: QMP has no half-closed state
    });
    socket.on('error', (e) => {
      this.closedError ??= new HypervisorError('QMP_CLOSED', `QMP connection error: ${e.message}`, {
        cause: e,
      });
    });
  }

  /** Connects to a QMP unix socket, reads the greeting and leaves capabilities negotiation mode. */
  static async connect(path: string, options: QmpOptions = {}): Promise<QmpClient> {
    const socket = connect(path);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', (e) =>
        reject(
          new HypervisorError('QMP_CLOSED', `Cannot connect to QMP at ${path}: ${e.message}`, { cause: e }),
        ),
      );
    });
    return QmpClient.handshake(socket, options);
  }

  /**
   * Runs the greeting and `qmp_capabilities` over an already connected socket: a `net.Socket`, or a connection
   * that can pass descriptors (see {@link QmpClient.execute}'s `fds`).
   */
  static async handshake(socket: Duplex, options: QmpOptions = {}): Promise<QmpClient> {
    const client = new QmpClient(socket, options);
    try {
      client.greeting = await client.waitGreeting();
      await client.execute('qmp_capabilities');
      return client;
    } catch (e) {
      client.close();
      throw e;
    }
  }

  private waitGreeting(): Promise<QmpGreeting> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.protocolError(`no QMP greeting within ${this.timeoutMs} ms`, 'QMP_TIMEOUT');
      }, this.timeoutMs);
      this.greetingWaiter = (g) => {
        clearTimeout(timer);
        this.greetingWaiter = undefined;
        if (g instanceof Error) reject(g);
        else resolve(g);
      };
    });
  }

  /**
   * Runs a command and resolves with its `return` value; a QMP error answer rejects with `QMP_COMMAND`
   * carrying the error class and description. `fds` go with the command as SCM_RIGHTS (for `add-fd` and
   * `getfd`, QMP spec §"Passing file descriptors"); only a connection from `connectFdPassing` can carry them.
   */
  execute<T = unknown>(
    command: string,
    args?: Record<string, unknown>,
    timeoutMs = this.timeoutMs,
    fds?: number[],
  ): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = `vessel-${this.nextId++}`;
    const line = JSON.stringify(
      args === undefined ? { execute: command, id } : { execute: command, arguments: args, id },
    );
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new HypervisorError('QMP_TIMEOUT', `QMP command "${command}" got no answer within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.pending.set(id, { command, resolve: resolve as (v: unknown) => void, reject, timer });
      this.options.trace?.('>', line);
      if (fds === undefined) this.socket.write(`${line}\n`);
      else (this.socket as unknown as FdWritable).write({ data: Buffer.from(`${line}\n`), fds });
    });
  }

  /** Closes the connection; pending commands fail with `QMP_CLOSED`. */
  close(): void {
    this.socket.destroy();
  }

  /** True once the connection is closed. */
  get isClosed(): boolean {
    return this.ended || this.socket.destroyed;
  }

  private onData(chunk: string): void {
    const had = this.buffer.length;
    this.buffer += chunk;
    let nl = chunk.indexOf('\n'); // only the new chunk can hold the first newline: long lines stay linear
    if (nl >= 0) nl += had;
    while (nl >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line !== '') this.onLine(line);
      if (this.socket.destroyed) return;
      nl = this.buffer.indexOf('\n');
    }
    if (this.buffer.length > this.maxLineBytes) {
      this.protocolError(`a line from QEMU is longer than ${this.maxLineBytes} bytes`);
    }
  }

  private onLine(line: string): void {
    this.options.trace?.('<', line);
    if (Buffer.byteLength(line) > this.maxLineBytes) {
      this.protocolError(`a line from QEMU is longer than ${this.maxLineBytes} bytes`);
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      this.protocolError(`QEMU sent a line that is not JSON: ${line.slice(0, 80)}`);
      return;
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      this.protocolError(`QEMU sent JSON that is not an object: ${line.slice(0, 80)}`);
      return;
    }
    const m = msg as Record<string, unknown>;
    if (this.greetingWaiter) {
      const g = m.QMP as QmpGreeting | undefined;
      if (typeof g !== 'object' || g === null || typeof g.version?.qemu?.major !== 'number') {
        this.protocolError(`the first message is not a QMP greeting: ${line.slice(0, 80)}`);
        return;
      }
      this.greetingWaiter({
        version: g.version,
        capabilities: Array.isArray(g.capabilities) ? g.capabilities : [],
      });
      return;
    }
    if (typeof m.event === 'string') {
      const event: QmpEvent = {
        event: m.event,
        data: typeof m.data === 'object' && m.data !== null ? (m.data as Record<string, unknown>) : {},
        timestamp: (m.timestamp as QmpEvent['timestamp']) ?? { seconds: 0, microseconds: 0 },
      };
      this.emit('event', event);
      return;
    }
    this.onAnswer(m, line);
  }

  private onAnswer(m: Record<string, unknown>, line: string): void {
    const id = typeof m.id === 'string' ? m.id : undefined;
    const p = id === undefined ? undefined : this.pending.get(id);
    if (p === undefined || id === undefined) {
      this.protocolError(`QEMU answered a command that was not asked: ${line.slice(0, 80)}`);
      return;
    }
    this.pending.delete(id);
    clearTimeout(p.timer);
    if ('return' in m) {
      p.resolve(m.return);
    } else if (typeof m.error === 'object' && m.error !== null) {
      const e = m.error as { class?: unknown; desc?: unknown };
      p.reject(
        new HypervisorError(
          'QMP_COMMAND',
          `QMP "${p.command}" failed: ${String(e.desc ?? 'no description')}`,
          {
            hint: typeof e.class === 'string' ? `QMP error class ${e.class}` : undefined,
          },
        ),
      );
    } else {
      p.reject(
        new HypervisorError('QMP_PROTOCOL', `QMP answer to "${p.command}" has neither return nor error`),
      );
    }
  }

  private protocolError(message: string, code: 'QMP_PROTOCOL' | 'QMP_TIMEOUT' = 'QMP_PROTOCOL'): void {
    this.closedError ??= new HypervisorError(code, message);
    this.greetingWaiter?.(this.closedError);
    this.socket.destroy();
  }

  private fail(err: Error): void {
    this.closedError ??= err;
    this.greetingWaiter?.(err);
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(err);
      this.pending.delete(id);
    }
  }
}
