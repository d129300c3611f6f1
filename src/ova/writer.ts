import { randomBytes } from 'node:crypto';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { certFileLength, type OvaSigner, signManifest } from './certificate.js';
import { digestBuffer, MultiHash } from './digest.js';
import { ioError, OvaError } from './errors.js';
import { type DigestAlgorithm, formatManifest, manifestLineLength } from './manifest.js';
import { checkUstarName } from './names.js';
import { BLOCK, encodeTarHeader, padding } from './tar-header.js';

/** The fixed part of an OVA that the writer reserves before the files: descriptor, manifest, certificate. */
interface OvaLayout {
  /** Name of the descriptor member (`vm.ovf`); the manifest and certificate are named after it. */
  descriptorName: string;
  /** Largest length the final descriptor can have, in bytes. */
  descriptorMaxBytes: number;
  /** Manifest algorithm; undefined writes no manifest (and then no certificate). */
  algorithm?: DigestAlgorithm | undefined;
  /** Every name the manifest may list besides the descriptor (an upper bound when chunk counts are not known). */
  manifestNames?: string[] | undefined;
  /** Signs the manifest into a `.cert` member. */
  signer?: OvaSigner | undefined;
  /** Modification time of every member (default: now). */
  mtime?: Date | undefined;
}

/** One member the writer stored. */
export interface WrittenMember {
  name: string;
  size: number;
  digest: string | undefined;
}

/** Size of the writes to the archive, and how many may be in flight while the next chunk is produced. */
const MAX_INFLIGHT = 2;

/**
 * Writes an OVA to a file in one pass over the data, in the order OVF consumers require: descriptor, manifest,
 * certificate, then the files. The manifest (and the descriptor, when it records sizes of converted files)
 * depends on data that comes later, so the writer reserves their blocks first: the manifest's length is fixed
 * for given names and algorithm, the certificate's for a given key, and the descriptor is padded with trailing
 * whitespace to fill what is left of the reserved region. Each file member is streamed after its 512-byte header
 * slot, hashed as it goes, and its header (whose size is known only at its end) is written into the slot with a
 * positional write. Headers are ustar, never pax.
 */
export class OvaWriter {
  private readonly members: WrittenMember[] = [];
  private pos: number;
  private readonly descriptorBlocksMax: number;
  private readonly manifestName: string;
  private readonly certName: string;
  private readonly mtime: Date;

  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    private readonly temp: string,
    private readonly layout: OvaLayout,
  ) {
    checkUstarName(layout.descriptorName);
    this.manifestName = layout.descriptorName.replace(/\.ovf$/i, '.mf');
    this.certName = layout.descriptorName.replace(/\.ovf$/i, '.cert');
    this.mtime = layout.mtime ?? new Date();
    this.descriptorBlocksMax = blocks(layout.descriptorMaxBytes);
    this.pos = this.regionBlocks() * BLOCK;
  }

  /**
   * Starts writing the OVA `path`: the data goes to a temporary file beside it, renamed to `path` by
   * {@link finish}, so a failure never leaves half an archive or destroys a file already at `path`.
   */
  static async create(path: string, layout: OvaLayout): Promise<OvaWriter> {
    if (layout.signer && !layout.algorithm) {
      throw new OvaError('OVA_KEY', 'A package without a manifest cannot be signed');
    }
    const temp = join(
      dirname(path),
      `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.partial`,
    );
    const fh = await open(temp, 'wx').catch((e: unknown) => {
      throw ioError(e, path, 'create');
    });
    return new OvaWriter(fh, path, temp, layout);
  }

  private manifestMaxBytes(): number {
    const alg = this.layout.algorithm;
    if (!alg) return 0;
    const names = [this.layout.descriptorName, ...(this.layout.manifestNames ?? [])];
    return names.reduce((n, name) => n + manifestLineLength(alg, name), 0);
  }

  private certBytes(): number {
    const s = this.layout.signer;
    return s && this.layout.algorithm ? certFileLength(s, this.manifestName, this.layout.algorithm) : 0;
  }

  private regionBlocks(): number {
    let n = 1 + this.descriptorBlocksMax;
    if (this.layout.algorithm) n += 1 + blocks(this.manifestMaxBytes());
    if (this.layout.signer) n += 1 + blocks(this.certBytes());
    return n;
  }

  /**
   * Streams one file into the archive as one member, or as chunks `name(0)`, `name(1)`, ... of `chunkSize` bytes
   * (the last may be shorter). `name(undefined)` is used when the data turns out to fit in one chunk. Returns the
   * members written.
   */
  async addFile(
    body: AsyncIterable<Uint8Array>,
    name: (chunk: number | undefined) => string,
    chunkSize?: number,
  ): Promise<WrittenMember[]> {
    const written: WrittenMember[] = [];
    let start = this.pos;
    let size = 0;
    let hash = new MultiHash(this.layout.algorithm ? [this.layout.algorithm] : []);
    let inflight: Array<Promise<unknown>> = [];
    const close = async (chunk: number | undefined): Promise<void> => {
      await Promise.all(inflight);
      inflight = [];
      const member = { name: name(chunk), size, digest: hash.digests()[this.layout.algorithm ?? 'sha256'] };
      await this.writeHeader(start, member.name, size);
      this.pos = start + BLOCK + size + padding(size);
      written.push(member);
    };
    for await (const chunk of body) {
      let c = chunk;
      while (c.length > 0) {
        if (chunkSize !== undefined && size === chunkSize) {
          await close(written.length);
          start = this.pos;
          size = 0;
          hash = new MultiHash(this.layout.algorithm ? [this.layout.algorithm] : []);
        }
        const room = chunkSize === undefined ? c.length : Math.min(c.length, chunkSize - size);
        const part = room === c.length ? c : c.subarray(0, room);
        hash.update(part);
        const w = this.fh.write(part, 0, part.length, start + BLOCK + size);
        w.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
        inflight.push(w);
        if (inflight.length > MAX_INFLIGHT) await inflight.shift();
        size += part.length;
        c = c.subarray(room);
      }
    }
    // A file that fits in one chunk is stored whole (`name(undefined)`); the caller names it.
    await close(written.length === 0 ? undefined : written.length);
    this.members.push(...written);
    return written;
  }

  private async writeHeader(at: number, name: string, size: number): Promise<void> {
    checkUstarName(name);
    const header = encodeTarHeader({ name, size, mtime: this.mtime });
    if (!header)
      throw new OvaError('OVA_NAME_TOO_LONG', `Cannot write a ustar header for "${name}"`, { member: name });
    await this.fh.write(header, 0, BLOCK, at);
    const pad = padding(size);
    if (pad > 0) await this.fh.write(Buffer.alloc(pad), 0, pad, at + BLOCK + size);
  }

  /**
   * Writes the descriptor, the manifest of every member written, and the certificate into the reserved region,
   * then the end-of-archive blocks, and closes the file. Returns the descriptor as stored (with its padding).
   */
  async finish(descriptor: Uint8Array): Promise<Buffer> {
    const alg = this.layout.algorithm;
    const region = this.regionBlocks();
    let manifestText = '';
    const lineFor = (n: string) => (alg ? manifestLineLength(alg, n) : 0);
    const manifestLength = alg
      ? lineFor(this.layout.descriptorName) + this.members.reduce((n, m) => n + lineFor(m.name), 0)
      : 0;
    if (alg && manifestLength > this.manifestMaxBytes()) {
      throw new OvaError(
        'OVA_TRANSFORM',
        'The manifest outgrew the space reserved for it (more chunks than planned)',
      );
    }
    const certLength = this.certBytes();
    const manifestBlocks = alg ? 1 + blocks(manifestLength) : 0;
    const certBlocks = this.layout.signer ? 1 + blocks(certLength) : 0;
    const descBlocks = region - 1 - manifestBlocks - certBlocks;
    if (blocks(descriptor.length) > descBlocks) {
      throw new OvaError(
        'OVA_TRANSFORM',
        `The descriptor (${descriptor.length} bytes) outgrew its reserved space`,
      );
    }
    const stored = padDescriptor(Buffer.from(descriptor), descBlocks);
    let at = 0;
    at = await this.writeSmall(at, this.layout.descriptorName, stored);
    if (alg) {
      const entries = [
        { algorithm: alg, file: this.layout.descriptorName, digest: digestBuffer(stored, [alg])[alg]! },
        ...this.members.map((m) => ({ algorithm: alg, file: m.name, digest: m.digest! })),
      ];
      manifestText = formatManifest(entries);
      const manifest = Buffer.from(manifestText);
      at = await this.writeSmall(at, this.manifestName, manifest);
      if (this.layout.signer) {
        const cert = Buffer.from(signManifest(manifest, this.manifestName, this.layout.signer, alg));
        if (cert.length !== certLength) throw new Error('certificate length differs from its reservation');
        at = await this.writeSmall(at, this.certName, cert);
      }
    }
    if (at !== region * BLOCK) throw new Error(`reserved region mismatch: ${at} != ${region * BLOCK}`);
    await this.fh.write(Buffer.alloc(2 * BLOCK), 0, 2 * BLOCK, this.pos);
    await this.fh.truncate(this.pos + 2 * BLOCK);
    await this.fh.close();
    await rename(this.temp, this.path).catch((e: unknown) => {
      throw ioError(e, this.path, 'write');
    });
    return stored;
  }

  private async writeSmall(at: number, name: string, data: Buffer): Promise<number> {
    await this.fh.write(data, 0, data.length, at + BLOCK);
    await this.writeHeader(at, name, data.length);
    return at + BLOCK + data.length + padding(data.length);
  }

  /** Closes and deletes the partial archive; whatever was at the output path stays as it was. */
  async abort(): Promise<void> {
    await this.fh.close().catch(() => {});
    await rm(this.temp, { force: true });
  }
}

function blocks(n: number): number {
  return Math.ceil(n / BLOCK);
}

/**
 * Pads a descriptor with trailing whitespace (allowed after the root element) so that it fills `count` blocks
 * exactly; leaves it as is when it already needs that many.
 */
function padDescriptor(descriptor: Buffer, count: number): Buffer {
  if (blocks(descriptor.length) >= count) return descriptor;
  const fill = count * BLOCK - descriptor.length;
  return Buffer.concat([descriptor, Buffer.from(`${' '.repeat(fill - 1)}\n`)]);
}
