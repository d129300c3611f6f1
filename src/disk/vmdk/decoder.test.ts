import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bytesOf,
  chunked,
  collect,
  qemuCompare,
  qemuImg,
  sameBytes,
  tempDir,
  writeSpread,
  writeStandard,
} from '../../../test/fixtures/disk/images.js';
import { decodeStreamVmdk, verifyStreamVmdk } from '../decode.js';
import { DiskError } from '../errors.js';
import { encodeStreamVmdk } from './encoder.js';
import { encodeSparseHeader, Marker, metadataMarker, STREAM_FLAGS } from './header.js';

let dir: string;
let cleanup: () => Promise<void>;
let standard: string;
let spread: string;
let native: Buffer;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  standard = join(dir, 'standard.raw');
  spread = join(dir, 'spread.raw');
  writeStandard(standard);
  writeSpread(spread);
  native = await collect(encodeStreamVmdk(standard));
});
afterAll(() => cleanup());

async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

/** Decodes `b` to a raw file and returns the DiskError it throws. */
async function failure(b: Buffer): Promise<DiskError> {
  const out = join(dir, 'fail.raw');
  const err = await decodeStreamVmdk(once(b), out, { name: 'x.vmdk' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DiskError);
  expect(existsSync(out)).toBe(false);
  return err as DiskError;
}

/** A hand-built stream-layout file: header (capacity in sectors), no descriptor, the given records. */
function handmade(
  capacity: number,
  body: Buffer[],
  header: Partial<Parameters<typeof encodeSparseHeader>[0]> = {},
) {
  const h = {
    version: 3,
    flags: STREAM_FLAGS,
    capacity,
    grainSize: 128,
    descriptorOffset: 0,
    descriptorSize: 0,
    numGTEsPerGT: 512,
    rgdOffset: 0,
    gdOffset: undefined,
    overHead: 1,
    uncleanShutdown: 0,
    compressAlgorithm: 1,
    ...header,
  };
  return Buffer.concat([encodeSparseHeader(h), ...body]);
}

function grain(lba: number, data: Buffer): Buffer {
  const rec = Buffer.alloc(Math.ceil((12 + data.length) / 512) * 512);
  rec.writeBigUInt64LE(BigInt(lba), 0);
  rec.writeUInt32LE(data.length, 8);
  data.copy(rec, 12);
  return rec;
}

/** Offsets of the grain records of a native file, which starts its grains at 64 KiB. */
function grainOffsets(b: Buffer): number[] {
  const out: number[] = [];
  for (let off = 65536; off < b.length; ) {
    const size = b.readUInt32LE(off + 8);
    if (size === 0) break;
    out.push(off);
    off += Math.ceil((12 + size) / 512) * 512;
  }
  return out;
}

describe('decodeStreamVmdk()', () => {
  it('reads its own output back to the same bytes, as raw and as qcow2', async () => {
    const raw = join(dir, 'back.raw');
    const r = await decodeStreamVmdk(once(native), raw);
    expect(sameBytes(raw, standard)).toBe(true);
    expect(r).toMatchObject({ layout: 'stream', bytesIn: native.length, createType: 'streamOptimized' });
    const q = join(dir, 'back.qcow2');
    await decodeStreamVmdk(once(native), q, { format: 'qcow2' });
    expect(qemuImg('check', '-f', 'qcow2', q)).toContain('No errors were found');
    expect(qemuCompare(standard, q, 'raw', 'qcow2')).toMatchObject({ code: 0 });
  });

  it('reads files qemu-img writes in the tables-first layout', async () => {
    for (const src of [standard, spread]) {
      const vmdk = `${src}.qemu.vmdk`;
      qemuImg('convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized', src, vmdk);
      const raw = `${vmdk}.raw`;
      const r = await decodeStreamVmdk(createReadStream(vmdk), raw, { name: vmdk });
      expect(r.layout).toBe('tables-first');
      expect(r.adapterType).toBe('ide');
      expect(sameBytes(raw, src)).toBe(true);
      const q = `${vmdk}.qcow2`;
      await decodeStreamVmdk(createReadStream(vmdk), q, { format: 'qcow2' });
      expect(qemuImg('check', q)).toContain('No errors were found');
      expect(qemuCompare(src, q, 'raw', 'qcow2')).toMatchObject({ code: 0 });
    }
  });

  it('does not depend on how the bytes are chunked', async () => {
    const raw = join(dir, 'chunked.raw');
    await decodeStreamVmdk(chunked(native, [1, 7, 500, 513, 4096, 3, 65536]), raw, { threads: 1 });
    expect(sameBytes(raw, standard)).toBe(true);
  });

  it('rejects a truncated file, naming the offset where it ends', async () => {
    expect(await failure(native.subarray(0, 300))).toMatchObject({ code: 'DISK_TRUNCATED', offset: 300 });
    const g = grainOffsets(native)[1]!;
    const cut = await failure(native.subarray(0, g + 100));
    expect(cut.code).toBe('DISK_TRUNCATED');
    expect(cut.message).toContain(`the end of the grain at ${g}`);
    const noFooter = await failure(native.subarray(0, native.length - 1536));
    expect(noFooter).toMatchObject({ code: 'DISK_TRUNCATED', offset: native.length - 1536 });
    expect(noFooter.message).toMatch(/footer and end-of-stream marker/);
  });

  it('rejects an unknown marker type at the byte of the type field', async () => {
    const b = Buffer.from(native);
    const gdMarker = b.length - 1536 - 512 - 512;
    expect(b.readUInt32LE(gdMarker + 12)).toBe(Marker.GD);
    b.writeUInt32LE(9, gdMarker + 12);
    const e = await failure(b);
    expect(e).toMatchObject({ code: 'DISK_CORRUPT', offset: gdMarker + 12 });
    expect(e.message).toBe(
      `Unknown marker type 9 at offset ${gdMarker + 12} (0x${(gdMarker + 12).toString(16)})`,
    );
  });

  it('rejects grains out of order, beyond the capacity or not on a grain boundary', async () => {
    const [g0, g1] = grainOffsets(native) as [number, number];
    const order = Buffer.from(native);
    order.writeBigUInt64LE(0n, g1);
    expect(await failure(order)).toMatchObject({ code: 'DISK_CORRUPT', offset: g1 });
    const beyond = Buffer.from(native);
    beyond.writeBigUInt64LE(BigInt(1 << 30), g0);
    const e = await failure(beyond);
    expect(e).toMatchObject({ code: 'DISK_CORRUPT', offset: g0 });
    expect(e.message).toMatch(/beyond the capacity/);
    const odd = Buffer.from(native);
    odd.writeBigUInt64LE(1n, g0);
    expect((await failure(odd)).message).toMatch(/not a multiple of the grain size/);
  });

  it('stops a deflate bomb after one grain of output, in bounded memory', async () => {
    const bomb = deflateSync(Buffer.alloc(120 * 2 ** 20), { level: 9 });
    expect(bomb.length).toBeLessThan(2 * 65536);
    const b = handmade(1024, [grain(0, bomb), metadataMarker(0, Marker.EOS)], { gdOffset: 0 });
    const rss = process.memoryUsage().rss;
    const e = await failure(b);
    expect(process.memoryUsage().rss - rss).toBeLessThan(60 * 2 ** 20);
    expect(e).toMatchObject({ code: 'DISK_CORRUPT', offset: 512 });
    expect(e.message).toMatch(/inflates to more than 65536 bytes/);
  });

  it('rejects grains that are not zlib data, inflate short, or claim a huge size', async () => {
    const tail = [metadataMarker(0, Marker.EOS)];
    const raw = await failure(
      handmade(1024, [grain(0, Buffer.from('not zlib at all')), ...tail], { gdOffset: 0 }),
    );
    expect(raw.message).toMatch(/not valid zlib data/);
    const short = await failure(
      handmade(1024, [grain(0, deflateSync(Buffer.alloc(1000, 1))), ...tail], { gdOffset: 0 }),
    );
    expect(short.message).toMatch(/inflates to 1000 bytes, expected 65536/);
    const huge = Buffer.alloc(512);
    huge.writeUInt32LE(0x7fffffff, 8);
    const big = await failure(handmade(1024, [huge], { gdOffset: 0 }));
    expect(big).toMatchObject({ code: 'DISK_CORRUPT', offset: 512 });
    expect(big.message).toMatch(/claims 2147483647 compressed bytes/);
  });

  it('accepts a short last grain when the capacity ends inside it', async () => {
    const b = handmade(
      200,
      [
        grain(0, deflateSync(Buffer.alloc(65536, 2))),
        grain(128, deflateSync(Buffer.alloc(72 * 512, 3))),
        metadataMarker(0, Marker.EOS),
      ],
      { gdOffset: 0 },
    );
    const out = join(dir, 'short-last.raw');
    await decodeStreamVmdk(once(b), out);
    const d = bytesOf(out);
    expect(d.length).toBe(200 * 512);
    expect(d[65535]).toBe(2);
    expect(d[65536]).toBe(3);
  });

  it('refuses a header claiming petabytes before reading further', async () => {
    const e = await failure(handmade(2 ** 41, [], { gdOffset: 0 }));
    expect(e).toMatchObject({ code: 'DISK_TOO_LARGE', offset: 12 });
    expect(e.message).toMatch(/1125899906842624 bytes/);
  });

  it('rejects mangled newline bytes, a missing footer before EOS, and data after EOS', async () => {
    const nl = Buffer.from(native);
    nl[75] = 0x0a;
    expect(await failure(nl)).toMatchObject({ code: 'DISK_CORRUPT', offset: 73 });
    const eosOnly = Buffer.concat([native.subarray(0, native.length - 1536), Buffer.alloc(512)]);
    expect((await failure(eosOnly)).message).toMatch(/End-of-stream marker before the footer/);
    const after = Buffer.concat([native, Buffer.alloc(512, 1)]);
    expect(await failure(after)).toMatchObject({ code: 'DISK_CORRUPT', offset: native.length });
  });

  it('refuses a sparse VMDK that is not streamOptimized', async () => {
    const sparse = join(dir, 'sparse.vmdk');
    qemuImg('convert', '-f', 'raw', '-O', 'vmdk', standard, sparse);
    const e = await failure(bytesOf(sparse));
    expect(e).toMatchObject({ code: 'DISK_UNSUPPORTED', offset: 8 });
  });

  it('never deletes an output that is not a regular file (a device, a FIFO) on failure', async () => {
    const fifo = join(dir, 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('sh', ['-c', `cat "${fifo}" | wc -c`]);
    const counted = new Promise<string>((resolve) => {
      let out = '';
      reader.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      reader.on('close', () => resolve(out.trim()));
    });
    const b = Buffer.from(native);
    b.writeBigUInt64LE(0n, grainOffsets(b)[3]!);
    await expect(decodeStreamVmdk(once(b), fifo)).rejects.toMatchObject({ code: 'DISK_CORRUPT' });
    expect(existsSync(fifo)).toBe(true);
    expect(await counted).toBe('0');
  });

  it('verifies a stream without writing anything', async () => {
    expect((await verifyStreamVmdk(once(native))).grains).toBe(grainOffsets(native).length);
    const b = Buffer.from(native);
    b.fill(0x55, grainOffsets(b)[2]! + 12, grainOffsets(b)[2]! + 40);
    await expect(verifyStreamVmdk(once(b))).rejects.toMatchObject({
      code: 'DISK_CORRUPT',
      offset: grainOffsets(b)[2],
    });
  });
});
