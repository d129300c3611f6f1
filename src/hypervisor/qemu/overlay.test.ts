import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { HypervisorError } from '../errors.js';
import { ensureOverlay, imageInfo } from './overlay.js';

const dir = mkdtempSync(join(tmpdir(), 'vessel-overlay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const img = (...args: string[]) => execFileSync('qemu-img', ['create', '-q', ...args]);
const refusal = async (path: string) => {
  const e = (await imageInfo(path).catch((x: unknown) => x)) as HypervisorError;
  return [e.code, e.message];
};

describe('ensureOverlay()', () => {
  it('makes a 0600 qcow2 overlay and says which read-only base goes under it', async () => {
    const base = join(dir, 'base.raw');
    writeFileSync(base, Buffer.alloc(1 << 20));
    const o = await ensureOverlay(dir, '4', base);
    expect(o).toEqual({ file: o.file, format: 'qcow2', base: { file: base, format: 'raw' } });
    expect(statSync(o.file).mode & 0o777).toBe(0o600);
    expect(await imageInfo(o.file).catch((e: Error) => e.message)).toContain('refers to another file');
  });
});

describe('imageInfo() refuses images that name other files (QEMU would open them itself)', () => {
  it('a qcow2 with a backing file', async () => {
    const f = join(dir, 'backed.qcow2');
    img('-f', 'qcow2', '-u', '-F', 'raw', '-b', '/etc/shadow', f, '1M');
    expect(await refusal(f)).toEqual([
      'DEFINITION_INVALID',
      `The image ${f} refers to another file: a backing file "/etc/shadow"`,
    ]);
  });

  it('a qcow2 with an external data file', async () => {
    const f = join(dir, 'data.qcow2');
    img('-f', 'qcow2', '-o', `data_file=${join(dir, 'data.bin')}`, f, '1M');
    expect(await refusal(f)).toEqual([
      'DEFINITION_INVALID',
      `The image ${f} refers to another file: an external data file "${join(dir, 'data.bin')}"`,
    ]);
  });

  it('a VMDK descriptor whose extent is another file', async () => {
    const extent = join(dir, 'secret.bin');
    writeFileSync(extent, Buffer.alloc(4096, 0x41));
    const f = join(dir, 'desc.vmdk');
    writeFileSync(
      f,
      `# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="monolithicFlat"\n\nRW 8 FLAT "${extent}" 0\n\nddb.virtualHWVersion = "4"\n`,
    );
    expect(await refusal(f)).toEqual([
      'DEFINITION_INVALID',
      `The image ${f} refers to another file: a VMDK extent naming "${extent}"`,
    ]);
  });

  it('a file that is not a disk image at all (gzip), without asking qemu-img to guess', async () => {
    const f = join(dir, 'packed.gz');
    writeFileSync(f, gzipSync(Buffer.alloc(4096)));
    expect(await refusal(f)).toEqual([
      'DEFINITION_INVALID',
      `The image ${f} is not a usable disk image: it is a gzip file`,
    ]);
  });

  it('but reads a standalone image, with its QEMU driver name', async () => {
    const vhd = join(dir, 'alone.vhd');
    img('-f', 'vpc', vhd, '4M');
    expect((await imageInfo(vhd)).format).toBe('vpc');
    const f = join(dir, 'alone.qcow2');
    img('-f', 'qcow2', f, '2M');
    expect(await imageInfo(f)).toEqual({ format: 'qcow2', virtualSizeBytes: 2 << 20 });
  });
});
