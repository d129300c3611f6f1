/**
 * The streaming streamOptimized VMDK reader. It reads the bytes once, front to back, so it works on a tar entry
 * inside an OVA; it never needs the grain tables because every grain carries its LBA (notes/disk-formats.md
 * §1.3). It accepts both layouts (VMware's stream layout with GT/GD/footer markers at the end, and the
 * tables-first layout of qemu-img and open-vmdk), checks every marker, the LBA order and bounds, and the
 * inflated size of every grain, and names the byte offset of anything wrong. Inflate runs on worker threads.
 */
import { ByteReader } from '../byte-reader.js';
import { checkAborted, corrupt, DiskError, truncated } from '../errors.js';
import { u64le } from '../file-io.js';
import { bufferSource, referenceError } from '../reference-kinds.js';
import type { GrainSink, SinkFactory } from '../sinks.js';
import type { ProgressFn } from '../types.js';
import { defaultThreads, type InflateResult, ZlibPool } from '../zlib-pool.js';
import { parseDescriptor } from './descriptor.js';
import { Marker, parseSparseHeader, SECTOR, type SparseHeader, tableGeometry } from './header.js';
import { sparseVmdkReferences } from './references.js';
import { headerProblems } from './validate.js';

/** The end of the 20 sectors at offset 512 that readers search for a parent (QEMU's DESC_SIZE). */
const PARENT_SCAN_END = SECTOR + 20 * SECTOR;
/** The most bytes read before the first grain (the descriptor must end within them). */
const MAX_PREAMBLE = 2 * 1024 * 1024 + SECTOR;

/** Options of the stream decoder. */
export interface ReadStreamOptions {
  /** Name used in error messages (the file, or `disk1.vmdk in app.ova`). */
  name?: string;
  /** Inflate threads; default one per core. */
  threads?: number;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  /** Refuse headers claiming more than this many bytes (default 64 TiB). */
  maxVirtualSize?: number;
}

/** What the decoder learnt from a stream. */
export interface ReadStreamResult {
  virtualSize: number;
  /** Bytes read from the stream. */
  bytesIn: number;
  /** Grain records read. */
  grains: number;
  /** `stream` (GD at the end, VMware) or `tables-first` (qemu-img, open-vmdk). */
  layout: 'stream' | 'tables-first';
  createType?: string;
  adapterType?: string;
}

interface GrainRef {
  lba: number;
  recOff: number;
  outLen: number;
}

interface Batch {
  grains: GrainRef[];
  result: Promise<InflateResult>;
}

const BATCH_GRAINS = 32;
const BATCH_BYTES = 1 << 20;
/** Room for a full batch plus one grain of the largest compressed size accepted (2 × a 1 MiB grain). */
const BATCH_ROOM = BATCH_BYTES + (2 << 20);

/** Compressed grains gathered for one inflate task; `data` goes to the worker when the batch is sent. */
function newBatch(reuse?: Buffer) {
  return {
    grains: [] as GrainRef[],
    lens: [] as number[],
    data: reuse ?? Buffer.allocUnsafeSlow(BATCH_ROOM),
    bytes: 0,
  };
}

/**
 * Reads a streamOptimized VMDK from `source` and writes the disk through the sink made by `makeSink` (none:
 * verify only). Throws a {@link DiskError} naming the offset of the first problem; the sink is then aborted.
 */
export async function readStreamVmdk(
  source: AsyncIterable<Buffer | Uint8Array | string>,
  makeSink: SinkFactory | undefined,
  o: ReadStreamOptions = {},
): Promise<ReadStreamResult> {
  const name = o.name ?? 'VMDK stream';
  const r = new ByteReader(source);
  let sink: GrainSink | undefined;
  let pool: ZlibPool | undefined;
  try {
    const { h, result } = await readPreamble(r, name, o);
    sink = makeSink ? await makeSink(h.capacity * SECTOR) : undefined;
    pool = new ZlibPool(o.threads ?? defaultThreads());
    await new GrainLoop(r, h, name, pool, sink, o, result).run();
    await sink?.finish(h.capacity * SECTOR);
    sink = undefined;
    result.bytesIn = r.position;
    return result;
  } finally {
    await pool?.close();
    await sink?.abort();
    await r.close();
  }
}

async function readPreamble(r: ByteReader, name: string, o: ReadStreamOptions) {
  const hb = await r.read(SECTOR);
  if (hb.length < SECTOR) throw truncated(name, hb.length, 'the end of the 512-byte header');
  const h = parseSparseHeader(hb);
  const bad = headerProblems(h, { stream: true, maxVirtualSize: o.maxVirtualSize })[0];
  if (bad)
    throw new DiskError(bad.errorCode, `${bad.message} (header field at offset ${bad.offset})`, {
      offset: bad.offset,
      location: { file: name },
    });
  const result: ReadStreamResult = {
    virtualSize: h.capacity * SECTOR,
    bytesIn: 0,
    grains: 0,
    layout: h.gdOffset === undefined ? 'stream' : 'tables-first',
  };
  // Everything between the header and the first grain that a reader looks at: the 20 sectors at 512 (where
  // QEMU looks for a parent whatever the header says) and the descriptor. An image naming another file is
  // refused here too, although this decoder would never open it (see ../references.ts).
  const descEnd = (h.descriptorOffset + h.descriptorSize) * SECTOR;
  const want = Math.min(h.overHead * SECTOR, Math.max(PARENT_SCAN_END, descEnd));
  if (want > MAX_PREAMBLE)
    throw new DiskError(
      'DISK_UNSUPPORTED',
      `The descriptor ends at byte ${descEnd}, beyond the first ${MAX_PREAMBLE} bytes where writers put it`,
      { offset: 28, location: { file: name } },
    );
  const pre = Buffer.concat([hb, await readExact(r, want - SECTOR, name, 'the end of the descriptor')]);
  const refs = await sparseVmdkReferences(bufferSource(pre), hb);
  const refused = referenceError({ path: name, references: refs });
  if (refused) throw refused;
  if (h.descriptorOffset > 0) {
    const d = parseDescriptor(pre.subarray(h.descriptorOffset * SECTOR, descEnd).toString('utf8'));
    if (d.createType) result.createType = d.createType;
    if (d.ddb.adapterType) result.adapterType = d.ddb.adapterType;
  }
  await skipExact(r, h.overHead * SECTOR - r.position, name, 'the first grain (overHead)');
  return { h, result };
}

async function readExact(r: ByteReader, n: number, name: string, what: string): Promise<Buffer> {
  const b = await r.read(n);
  if (b.length < n) throw truncated(name, r.position, what);
  return b;
}

async function skipExact(r: ByteReader, n: number, name: string, what: string): Promise<void> {
  if ((await r.skip(n)) < n) throw truncated(name, r.position, what);
}

/** The marker loop: grains are batched to the inflate workers, results written in order. */
class GrainLoop {
  private readonly pending: Batch[] = [];
  private batch = newBatch();
  private lastLba = -1;
  private footerSeen = false;
  private inflateFailed = false;
  /** Batch buffers back from the workers, reused so memory stays flat. */
  private readonly spare: Buffer[] = [];
  private readonly grainBytes: number;
  private readonly capBytes: number;
  private readonly maxInflight: number;

  constructor(
    private readonly r: ByteReader,
    private readonly h: SparseHeader,
    private readonly name: string,
    private readonly pool: ZlibPool,
    private readonly sink: GrainSink | undefined,
    private readonly o: ReadStreamOptions,
    private readonly result: ReadStreamResult,
  ) {
    this.grainBytes = h.grainSize * SECTOR;
    this.capBytes = h.capacity * SECTOR;
    this.maxInflight = pool.size * 3 + 1;
  }

  async run(): Promise<void> {
    try {
      await this.loop();
      this.submit();
      while (this.pending.length) await this.emit(this.pending.shift()!);
    } catch (err) {
      throw await this.earliest(err);
    }
  }

  private async loop(): Promise<void> {
    const { r, name } = this;
    for (;;) {
      checkAborted(this.o.signal, `Reading ${name}`);
      const recOff = r.position;
      const first = await r.read(SECTOR);
      if (first.length === 0) {
        if (this.h.gdOffset === undefined)
          throw truncated(name, recOff, 'the footer and end-of-stream marker (stream layout)');
        return;
      }
      const size = first.length >= 12 ? first.readUInt32LE(8) : 0;
      if (first.length < 16 || (size === 0 && first.length < SECTOR))
        throw truncated(name, recOff + first.length, `the end of the marker at ${recOff}`);
      if (size > 0) await this.grain(first, recOff, size);
      else if (await this.metadata(first, recOff)) return;
    }
  }

  private async grain(first: Buffer, recOff: number, size: number): Promise<void> {
    const { h, name, r } = this;
    const lba = u64le(first, 0);
    if (lba * SECTOR >= this.capBytes)
      throw corrupt(name, recOff, `Grain LBA ${lba} is beyond the capacity of ${h.capacity} sectors`);
    if (lba % h.grainSize !== 0)
      throw corrupt(
        name,
        recOff,
        `Grain LBA ${lba} is not a multiple of the grain size (${h.grainSize} sectors)`,
      );
    if (lba <= this.lastLba)
      throw corrupt(name, recOff, `Grain LBA ${lba} is out of order (after LBA ${this.lastLba})`);
    if (size > this.grainBytes * 2)
      throw corrupt(
        name,
        recOff,
        `Grain LBA ${lba} claims ${size} compressed bytes, more than twice the grain size`,
      );
    this.lastLba = lba;
    const dataEnd = 12 + size;
    const cut = () => `the end of the grain at ${recOff} (${size} compressed bytes)`;
    if (this.batch.bytes + size > this.batch.data.length) this.submit();
    const b = this.batch;
    if (dataEnd <= SECTOR) {
      if (first.length < dataEnd) throw truncated(name, recOff + first.length, cut());
      first.copy(b.data, b.bytes, 12, dataEnd);
    } else {
      first.copy(b.data, b.bytes, 12, SECTOR);
      const rest = await r.read(Math.ceil(dataEnd / SECTOR) * SECTOR - SECTOR);
      if (rest.length < dataEnd - SECTOR) throw truncated(name, r.position, cut());
      rest.copy(b.data, b.bytes + SECTOR - 12, 0, dataEnd - SECTOR);
    }
    b.grains.push({ lba, recOff, outLen: Math.min(this.grainBytes, this.capBytes - lba * SECTOR) });
    b.lens.push(size);
    b.bytes += size;
    this.result.grains++;
    if (b.grains.length >= BATCH_GRAINS || b.bytes >= BATCH_BYTES) await this.submitAndDrain();
  }

  /** Handles a metadata marker; returns true at the end of the stream. */
  private async metadata(m: Buffer, recOff: number): Promise<boolean> {
    const { h, name, r } = this;
    const numSectors = u64le(m, 0);
    const type = m.readUInt32LE(12);
    const g = tableGeometry(h);
    switch (type) {
      case Marker.EOS:
        if (numSectors !== 0)
          throw corrupt(name, recOff, `End-of-stream marker with a length of ${numSectors}`);
        if (h.gdOffset === undefined && !this.footerSeen)
          throw corrupt(name, recOff, 'End-of-stream marker before the footer (stream layout)');
        await this.trailing();
        return true;
      case Marker.GT:
        if (numSectors !== g.gtSectors)
          throw corrupt(name, recOff, `Grain table marker of ${numSectors} sectors, expected ${g.gtSectors}`);
        break;
      case Marker.GD:
        if (numSectors !== g.gdSectors)
          throw corrupt(
            name,
            recOff,
            `Grain directory marker of ${numSectors} sectors, expected ${g.gdSectors}`,
          );
        break;
      case Marker.FOOTER: {
        if (numSectors !== 1)
          throw corrupt(name, recOff, `Footer marker of ${numSectors} sectors, expected 1`);
        const f = parseSparseHeader(await readExact(r, SECTOR, name, 'the end of the footer'));
        if (f.magic !== h.magic || f.capacity !== h.capacity || f.grainSize !== h.grainSize)
          throw corrupt(
            name,
            recOff + SECTOR,
            'The footer does not match the header (magic, capacity or grain size)',
          );
        if (f.gdOffset === undefined)
          throw corrupt(name, recOff + SECTOR + 56, 'The footer has no grain directory offset');
        this.footerSeen = true;
        return false;
      }
      case Marker.PROGRESS:
        break;
      default:
        throw corrupt(name, recOff + 12, `Unknown marker type ${type}`);
    }
    await skipExact(r, numSectors * SECTOR, name, `the end of the metadata at ${recOff}`);
    return false;
  }

  /** After the end-of-stream marker only zero padding may follow (qemu-img pads its files). */
  private async trailing(): Promise<void> {
    for (;;) {
      const at = this.r.position;
      const b = await this.r.read(1 << 20);
      if (b.length === 0) return;
      const nz = b.findIndex((x) => x !== 0);
      if (nz >= 0) throw corrupt(this.name, at + nz, 'Data after the end-of-stream marker');
    }
  }

  private submit(): void {
    const b = this.batch;
    if (!b.grains.length) return;
    // The whole batch buffer is handed over (transferred, not copied); the worker reads only `lens` bytes.
    const result = this.pool.inflate(
      b.data,
      b.lens,
      b.grains.map((g) => g.outLen),
    );
    result.catch(() => {});
    this.pending.push({ grains: b.grains, result });
    this.batch = newBatch(this.spare.pop());
  }

  private async submitAndDrain(): Promise<void> {
    this.submit();
    while (this.pending.length > this.maxInflight) await this.emit(this.pending.shift()!);
  }

  private async emit(b: Batch): Promise<void> {
    const res = await b.result;
    if (!res.ok) {
      const g = b.grains[res.index]!;
      this.inflateFailed = true;
      throw corrupt(this.name, g.recOff, `Grain LBA ${g.lba} ${res.error}`);
    }
    if (res.input.length === BATCH_ROOM) this.spare.push(res.input);
    let off = 0;
    for (let i = 0; i < b.grains.length; i++) {
      const g = b.grains[i]!;
      if (this.sink && !res.zero[i])
        await this.sink.write(g.lba * SECTOR, res.out.subarray(off, off + g.outLen));
      off += g.outLen;
    }
    const last = b.grains[b.grains.length - 1]!;
    this.o.onProgress?.({
      phase: 'decode',
      done: last.lba * SECTOR + last.outLen,
      total: this.capBytes,
      written: this.r.position,
    });
  }

  /** On failure, a grain that failed to inflate earlier in the stream is the error to report. */
  private async earliest(err: unknown): Promise<unknown> {
    if (this.inflateFailed) return err;
    for (const b of this.pending.splice(0)) {
      const res = await b.result.catch(() => undefined);
      if (res && !res.ok) {
        const g = b.grains[res.index]!;
        return corrupt(this.name, g.recOff, `Grain LBA ${g.lba} ${res.error}`);
      }
    }
    return err;
  }
}
