import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { DiskError } from './errors.js';

/**
 * The worker code, kept as a string so it runs the same from the TypeScript sources (tests) and from `dist`.
 * Deflate tasks return whole streamOptimized grain records (12-byte marker, zlib data, zero padding to 512);
 * inflate tasks return the inflated grains and a zero flag per grain. `maxOutputLength` makes a deflate bomb
 * stop after one grain's worth of output.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const zlib = require('node:zlib');
const ZERO = Buffer.alloc(1 << 20);
function view(u8) { return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength); }
function deflate(m) {
  const data = view(m.data);
  const parts = [];
  let total = 0, off = 0;
  for (let i = 0; i < m.lens.length; i++) {
    const c = zlib.deflateSync(data.subarray(off, off + m.lens[i]), { level: m.level });
    off += m.lens[i];
    const rec = Math.ceil((12 + c.length) / 512) * 512;
    parts.push(c);
    total += rec;
  }
  const out = Buffer.from(new ArrayBuffer(total));
  const recLens = [];
  let pos = 0;
  for (let i = 0; i < parts.length; i++) {
    const c = parts[i];
    const lba = m.lbas[i];
    out.writeUInt32LE(lba % 4294967296, pos);
    out.writeUInt32LE(Math.floor(lba / 4294967296), pos + 4);
    out.writeUInt32LE(c.length, pos + 8);
    c.copy(out, pos + 12);
    const rec = Math.ceil((12 + c.length) / 512) * 512;
    recLens.push(rec);
    pos += rec;
  }
  parentPort.postMessage({ id: m.id, out, recLens, input: m.data }, [out.buffer, m.data.buffer]);
}
function inflate(m) {
  const data = view(m.data);
  let total = 0;
  for (const n of m.outLens) total += n;
  const out = Buffer.from(new ArrayBuffer(total));
  const zero = [];
  let inOff = 0, outOff = 0;
  for (let i = 0; i < m.lens.length; i++) {
    const want = m.outLens[i];
    let got;
    try {
      // One output chunk of exactly the grain size: no concatenation, and a bomb stops after one chunk.
      got = zlib.inflateSync(data.subarray(inOff, inOff + m.lens[i]), {
        maxOutputLength: want,
        chunkSize: Math.max(64, want),
      });
    } catch (e) {
      const why = e && e.code === 'ERR_BUFFER_TOO_LARGE'
        ? 'inflates to more than ' + want + ' bytes (a deflate bomb?)'
        : 'is not valid zlib data (' + (e && e.message) + ')';
      parentPort.postMessage({ id: m.id, error: why, index: i });
      return;
    }
    if (got.length !== want) {
      parentPort.postMessage({ id: m.id, error: 'inflates to ' + got.length + ' bytes, expected ' + want, index: i });
      return;
    }
    got.copy(out, outOff);
    zero.push(want <= ZERO.length && got.equals(ZERO.subarray(0, want)));
    inOff += m.lens[i];
    outOff += want;
  }
  parentPort.postMessage({ id: m.id, out, zero, input: m.data }, [out.buffer, m.data.buffer]);
}
parentPort.on('message', (m) => (m.op === 'deflate' ? deflate(m) : inflate(m)));
`;

/** Framed grain records produced by a deflate task. */
export interface DeflateResult {
  /** The records back to back, each starting with its marker and padded to 512 bytes. */
  out: Buffer;
  /** Byte length of each record, in input order. */
  recLens: number[];
}

/** Inflated grains, or the index of the first grain that failed and why. */
export type InflateResult =
  | { ok: true; out: Buffer; zero: boolean[]; input: Buffer }
  | { ok: false; index: number; error: string };

interface Task {
  msg: Record<string, unknown> & { id: number };
  transfer: ArrayBuffer[];
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

/** The default number of compression threads: one per available core. */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

/**
 * A small pool of worker threads doing per-grain zlib work, so deflate and inflate use every core (Node's async
 * zlib on the libuv pool gave no speedup here; see notes/disk-performance.md §2.3). Tasks are batches of grains;
 * results come back per task, and callers keep them in order.
 */
export class ZlibPool {
  private readonly idle: Worker[] = [];
  private readonly queue: Task[] = [];
  private readonly running = new Map<Worker, Task>();
  private readonly all: Worker[] = [];
  private nextId = 1;
  private broken: Error | undefined;

  constructor(threads = defaultThreads()) {
    for (let i = 0; i < Math.max(1, threads); i++) {
      const w = new Worker(WORKER_SOURCE, { eval: true });
      w.unref();
      w.on('message', (m: { id: number }) => this.onMessage(w, m));
      w.on('error', (err) => this.fail(err));
      w.on('exit', (code) => {
        if (code !== 0 && !this.broken) this.fail(new Error(`zlib worker exited with code ${code}`));
      });
      this.all.push(w);
      this.idle.push(w);
    }
  }

  /** Number of worker threads. */
  get size(): number {
    return this.all.length;
  }

  /** Compresses grains (`lens` bytes each, back to back in `data`) into records for LBAs `lbas` (sectors). */
  deflate(data: Buffer, lens: number[], lbas: number[], level: number): Promise<DeflateResult> {
    return this.submit({ op: 'deflate', data, lens, lbas, level }, data) as Promise<DeflateResult>;
  }

  /**
   * Inflates zlib grains (`lens` bytes each in `data`), each of which must give exactly `outLens` bytes. When
   * `data` owns its whole ArrayBuffer it is transferred and comes back as `input`, for reuse.
   */
  async inflate(data: Buffer, lens: number[], outLens: number[]): Promise<InflateResult> {
    const r = (await this.submit({ op: 'inflate', data, lens, outLens }, data)) as {
      out?: Uint8Array;
      input?: Uint8Array;
      zero?: boolean[];
      error?: string;
      index?: number;
    };
    if (r.error !== undefined) return { ok: false, index: r.index ?? 0, error: r.error };
    const u8 = r.out as Uint8Array;
    const input = r.input as Uint8Array;
    return {
      ok: true,
      out: Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength),
      zero: r.zero ?? [],
      input: Buffer.from(input.buffer, input.byteOffset, input.byteLength),
    };
  }

  /** Stops every worker; pending tasks are rejected. */
  async close(): Promise<void> {
    this.fail(new Error('zlib pool closed'));
    await Promise.all(this.all.map((w) => w.terminate()));
  }

  private submit(body: Record<string, unknown>, data: Buffer): Promise<unknown> {
    if (this.broken) return Promise.reject(this.broken);
    const own = data.byteOffset === 0 && data.buffer.byteLength === data.length;
    const payload = own ? new Uint8Array(data.buffer) : new Uint8Array(data);
    return new Promise((resolve, reject) => {
      const msg = { ...body, data: payload, id: this.nextId++ };
      this.queue.push({ msg, transfer: [payload.buffer as ArrayBuffer], resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.pop()!;
      const t = this.queue.shift()!;
      this.running.set(w, t);
      w.ref();
      w.postMessage(t.msg, t.transfer);
    }
  }

  private onMessage(w: Worker, m: { id: number }): void {
    const t = this.running.get(w);
    this.running.delete(w);
    w.unref();
    this.idle.push(w);
    if (t && t.msg.id === m.id) {
      const r = m as { out?: Uint8Array };
      if (r.out) r.out = Buffer.from(r.out.buffer, r.out.byteOffset, r.out.byteLength);
      t.resolve(r);
    }
    this.pump();
  }

  private fail(err: Error): void {
    if (!this.broken) this.broken = err;
    const e = new DiskError('DISK_TOOL_FAILED', `Compression worker failed: ${err.message}`, { cause: err });
    for (const t of this.running.values()) t.reject(e);
    for (const t of this.queue) t.reject(e);
    this.running.clear();
    this.queue.length = 0;
  }
}
