import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qemuCompare, qemuImg, tempDir, writeStandard } from '../../test/fixtures/disk/images.js';
import { type HostileCorpus, leaksCanary, writeHostileCorpus } from '../../test/fixtures/hostile/images.js';
import { probe } from './probe.js';
import { imageSpec, qemuCheckArgs, qemuConvertArgs } from './qemu-img.js';
import { trustedChain } from './self-contained.js';
import { encodeStreamVmdk } from './vmdk/encoder.js';

/**
 * The pinning layer on its own: qemu-img is run with the arguments Vessel builds for an image whose reference
 * detection is bypassed (the format is taken from the probe, the references ignored), under strace, to see
 * which files it opens. The same images given to qemu-img unpinned (`-f driver`) leak the canary, so the
 * fixtures are live and the pin is what stops them.
 */
let dir: string;
let cleanup: () => Promise<void>;
let corpus: HostileCorpus;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('vessel-pin-'));
  corpus = writeHostileCorpus(dir);
});
afterAll(() => cleanup());

/** What qemu-img opens that is not part of the system (libraries, /proc, /sys, the loader cache, null, urandom). */
const SYSTEM = /^(\/lib|\/usr|\/proc|\/sys)\/|^\/etc\/ld\.so\.cache$|^\/dev\/(null|urandom)$/;

/** Runs qemu-img under strace; returns its exit status and every other file it opened (successfully or not). */
function traced(args: string[]): { status: number | null; files: string[]; openedCanary: boolean } {
  const log = join(dir, 'strace.log');
  const r = spawnSync(
    'strace',
    ['-f', '-qq', '-e', 'trace=open,openat,openat2', '-o', log, 'qemu-img', ...args],
    {
      encoding: 'utf8',
    },
  );
  expect(r.error, 'strace runs (scripts/setup.sh installs it)').toBeUndefined();
  const opens = readFileSync(log, 'utf8');
  expect(opens).toMatch(/openat\(/);
  const files = new Set<string>();
  for (const m of opens.matchAll(/open(?:at2?)?\((?:[^,]*, )?"([^"]*)"/g))
    if (!SYSTEM.test(m[1]!)) files.add(m[1]!);
  return { status: r.status, files: [...files], openedCanary: opens.includes('canary.bin') };
}

const output = () => {
  const out = join(dir, 'out.raw');
  rmSync(out, { force: true });
  return out;
};
const leaked = (out: string) => existsSync(out) && leaksCanary(readFileSync(out), corpus.canary);

describe('imageSpec()', () => {
  it('pins the driver and the file protocol, with no backing file, or the given chain', () => {
    expect(imageSpec([{ path: '/a/b.qcow2', format: 'qcow2' }])).toBe(
      'json:{"driver":"qcow2","file":{"driver":"file","filename":"/a/b.qcow2"},"backing":null}',
    );
    const chain = JSON.parse(
      imageSpec([
        { path: '/a/top.qcow2', format: 'qcow2' },
        { path: '/a/base.vhd', format: 'vhd' },
      ]).slice(5),
    );
    expect(chain).toEqual({
      driver: 'qcow2',
      file: { driver: 'file', filename: '/a/top.qcow2' },
      backing: { driver: 'vpc', file: { driver: 'file', filename: '/a/base.vhd' }, backing: null },
    });
    expect(() => imageSpec([{ path: 'x.gz', format: 'gzip' }])).toThrow(/gzip file/);
  });
});

describe('qemu-img through the pinned spec (detection bypassed)', () => {
  it('opens no backing file or VMDK parent, where unpinned qemu-img copies the canary', async () => {
    const pinned = corpus.cases.filter((c) => c.qemu?.pinned === 'blocks');
    expect(pinned.length).toBeGreaterThanOrEqual(8);
    for (const c of pinned) {
      const img = join(dir, c.file);
      const out = output();
      qemuImg('convert', '-f', c.qemu!.driver, '-O', 'raw', img, out);
      expect(leaked(out), `${c.file}: unpinned qemu-img -f ${c.qemu!.driver} reads the canary`).toBe(true);
      const { format } = await probe(img);
      const pin = output();
      const r = traced(qemuConvertArgs(img, pin, 'raw', { from: format }));
      expect(r.openedCanary, `${c.file}: pinned qemu-img opens the canary`).toBe(false);
      expect(
        r.files.filter((f) => f !== img && f !== pin),
        `${c.file}: qemu-img opens only the image`,
      ).toEqual([]);
      expect(r.files).toContain(img);
      expect(leaked(pin), c.file).toBe(false);
      const check = traced(qemuCheckArgs(img, format));
      expect(check.openedCanary, `${c.file}: pinned qemu-img check opens the canary`).toBe(false);
      expect(check.files, c.file).toEqual([img]);
    }
  });

  it('cannot forbid VMDK extents or a qcow2 data file: for those the native check is the guard', async () => {
    const native = corpus.cases.filter((c) => c.qemu?.pinned === 'native');
    expect(native.map((c) => c.file)).toContain('vmdk-cap0-flat-abs.vmdk');
    for (const c of native) {
      const img = join(dir, c.file);
      const { format, references } = await probe(img);
      expect(references.length, `${c.file} is caught natively`).toBeGreaterThan(0);
      const r = traced(qemuConvertArgs(img, output(), 'raw', { from: format }));
      expect(r.openedCanary, `${c.file}: only the native check stops this one`).toBe(true);
    }
  });
});

describe('trustedChain()', () => {
  it('follows a qcow2 overlay to its base, each pinned, and the encoder flattens it', async () => {
    const base = join(dir, 'base.raw');
    writeStandard(base);
    const overlay = join(dir, 'overlay.qcow2');
    qemuImg('create', '-q', '-f', 'qcow2', '-b', 'base.raw', '-F', 'raw', overlay);
    const { chain } = await trustedChain(overlay);
    expect(chain).toEqual([
      { path: overlay, format: 'qcow2' },
      { path: base, format: 'raw' },
    ]);
    const vmdk = join(dir, 'flat.vmdk');
    const parts: Buffer[] = [];
    for await (const b of encodeStreamVmdk(overlay, { references: 'follow' })) parts.push(b);
    writeFileSync(vmdk, Buffer.concat(parts));
    expect(qemuCompare(base, vmdk, 'raw', 'vmdk').code).toBe(0);
    // Without the caller saying the chain is the host's own, the encoder refuses it (the default for input).
    const refused = await (async () => {
      for await (const _ of encodeStreamVmdk(overlay)) void _;
    })().catch((e: { code?: string }) => e.code);
    expect(refused).toBe('DISK_EXTERNAL_REFERENCE');
  });

  it('refuses protocol and json: backing names, a base naming other files, loops and deep chains', async () => {
    const refusedBy = async (path: string) => (await trustedChain(path).catch((e) => e)).code;
    expect(await refusedBy(join(dir, 'qcow2-backing-json.qcow2'))).toBe('DISK_EXTERNAL_REFERENCE');
    expect(await refusedBy(join(dir, 'qcow2-backing-desc.qcow2'))).toBe('DISK_EXTERNAL_REFERENCE');
    expect(await refusedBy(join(dir, 'qcow2-data-file.qcow2'))).toBe('DISK_EXTERNAL_REFERENCE');
    const nbd = join(dir, 'nbd.qcow2');
    qemuImg('create', '-q', '-f', 'qcow2', '-u', '-b', 'nbd://127.0.0.1:1/x', '-F', 'raw', nbd, '1M');
    expect(await refusedBy(nbd)).toBe('DISK_EXTERNAL_REFERENCE');
    const a = join(dir, 'loop-a.qcow2');
    const b = join(dir, 'loop-b.qcow2');
    qemuImg('create', '-q', '-f', 'qcow2', '-u', '-b', 'loop-b.qcow2', '-F', 'qcow2', a, '1M');
    qemuImg('create', '-q', '-f', 'qcow2', '-u', '-b', 'loop-a.qcow2', '-F', 'qcow2', b, '1M');
    expect((await trustedChain(a).catch((e) => e)).message).toMatch(/loops back/);
    let prev = 'base.raw';
    for (let i = 0; i < 18; i++) {
      qemuImg(
        'create',
        '-q',
        '-f',
        'qcow2',
        '-u',
        '-b',
        prev,
        '-F',
        i === 0 ? 'raw' : 'qcow2',
        join(dir, `d${i}.qcow2`),
        '1M',
      );
      prev = `d${i}.qcow2`;
    }
    expect((await trustedChain(join(dir, 'd17.qcow2')).catch((e) => e)).message).toMatch(
      /more than 16 images deep/,
    );
  });
});
