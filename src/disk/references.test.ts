import { createReadStream, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qemuImg, tempDir, writeStandard } from '../../test/fixtures/disk/images.js';
import { type HostileCorpus, leaksCanary, writeHostileCorpus } from '../../test/fixtures/hostile/images.js';
import { convert } from './convert.js';
import { decodeStreamVmdk } from './decode.js';
import { DiskError } from './errors.js';
import { probe } from './probe.js';
import { referenceError } from './reference-kinds.js';
import { assertSelfContained } from './self-contained.js';
import { encodeStreamVmdk } from './vmdk/encoder.js';
import { extentLines, parentReferences } from './vmdk/references.js';

let dir: string;
let cleanup: () => Promise<void>;
let corpus: HostileCorpus;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('vessel-hostile-'));
  corpus = writeHostileCorpus(dir);
});
afterAll(() => cleanup());

/** Every file in the corpus folder holds no piece of the canary, except the canary itself. */
function expectNoLeak(): void {
  for (const f of readdirSync(dir)) {
    if (f === 'canary.bin') continue;
    expect(leaksCanary(readFileSync(join(dir, f)), corpus.canary), `${f} holds canary bytes`).toBe(false);
  }
}

describe('probe() references', () => {
  it('reports the references of every hostile case, each also as a DISK_EXTERNAL_REFERENCE error', async () => {
    for (const c of corpus.cases) {
      const r = await probe(join(dir, c.file));
      const kinds = new Set(r.references.map((x) => x.kind));
      for (const k of c.kinds) expect(kinds.has(k), `${c.file} reports ${k}`).toBe(true);
      if (c.kinds.length === 0) expect(r.references, c.file).toEqual([]);
      const errors = r.problems.filter((p) => p.code === 'DISK_EXTERNAL_REFERENCE');
      expect(errors.length, c.file).toBe(r.references.length);
      expect(errors.every((p) => p.severity === 'error')).toBe(true);
    }
  });

  it('names what each reference points at, as the image spells it', async () => {
    const names = async (file: string) => (await probe(join(dir, file))).references.map((r) => r.name);
    expect(await names('vmdk-cap0-flat-abs.vmdk')).toContain(corpus.canaryPath);
    expect(await names('vmdk-cap0-wrapped-offset.vmdk')).toContain(corpus.canaryPath);
    expect(await names('vmdk-text-multiline.vmdk')).toEqual([corpus.canaryPath]);
    expect(await names('vmdk-sparse-parent-hint.vmdk')).toEqual(['vmdk-text-flat-abs.vmdk', '12345678']);
    expect(await names('qcow2-backing-json.qcow2')).toEqual([
      `json:{"driver":"file","filename":"${corpus.canaryPath}"}`,
    ]);
    expect(await names('qcow2-data-file.qcow2')).toEqual([corpus.canaryPath]);
    expect(await names('qed-backing.qed')).toEqual([corpus.canaryPath]);
    expect(await names('vhd-differencing.vhd')).toEqual([
      corpus.canaryPath,
      'W2ku C:\\images\\canary.vhd',
      'W2ru .\\canary.bin',
      `MacX file://${corpus.canaryPath}`,
    ]);
    expect(await names('vhdx-parent.vhdx')).toContain('relative_path=.\\canary.bin');
    expect((await names('vdi-differencing.vdi'))[0]).toMatch(/^\{ca7ca7ca-0000-4000-8000-000000000003\}/);
    const sized = (await probe(join(dir, 'qcow2-huge-backing-size.qcow2'))).references[0]!;
    expect(sized.name.startsWith(corpus.canaryPath)).toBe(true);
  });

  it('finds no reference in the images qemu-img and the native encoder write', async () => {
    const raw = join(dir, 'plain.raw');
    writeStandard(raw);
    const made: Array<[string, string[]]> = [
      ['p.qcow2', ['-O', 'qcow2']],
      ['p2.qcow2', ['-O', 'qcow2', '-o', 'compat=0.10']],
      ['p.vmdk', ['-O', 'vmdk']],
      ['ps.vmdk', ['-O', 'vmdk', '-o', 'subformat=streamOptimized']],
      ['p.vhd', ['-O', 'vpc', '-o', 'subformat=dynamic,force_size=on']],
      ['pf.vhd', ['-O', 'vpc', '-o', 'subformat=fixed,force_size=on']],
      ['p.vhdx', ['-O', 'vhdx']],
      ['p.vdi', ['-O', 'vdi']],
    ];
    for (const [name, args] of made) qemuImg('convert', '-f', 'raw', ...args, raw, join(dir, name));
    await convert(raw, join(dir, 'native.vmdk'), 'vmdk-stream');
    for (const name of ['plain.raw', 'native.vmdk', ...made.map(([n]) => n)]) {
      const r = await probe(join(dir, name));
      expect(r.references, name).toEqual([]);
      expect(r.problems, name).toEqual([]);
    }
  });
  it('takes a capacity-0 sparse extent for self-contained only with a sparse createType and its own extent', async () => {
    const empty = join(dir, 'empty.raw');
    writeFileSync(empty, '');
    await convert(empty, join(dir, 'empty.vmdk'), 'vmdk-stream');
    expect((await probe(join(dir, 'empty.vmdk'))).references).toEqual([]);
    const b = readFileSync(join(dir, 'empty.vmdk'));
    const text = b
      .subarray(512, 1024)
      .toString('latin1')
      .replace(/createType="streamOptimized"/, 'createXype="streamOptimized"');
    b.write(text, 512, 'latin1');
    writeFileSync(join(dir, 'empty-untyped.vmdk'), b);
    expect((await probe(join(dir, 'empty-untyped.vmdk'))).references).toEqual([
      { kind: 'vmdk-descriptor', name: 'capacity 0', offset: 12 },
    ]);
  });
});

describe('refusing images that name other files', () => {
  it('assertSelfContained() refuses every case with a reference, naming the image, the reference and why', async () => {
    for (const c of corpus.cases.filter((x) => x.kinds.length > 0)) {
      const err = await assertSelfContained(join(dir, c.file), c.file).catch((e: unknown) => e);
      expect(err, c.file).toBeInstanceOf(DiskError);
      expect((err as DiskError).code, c.file).toBe(c.code);
      expect((err as DiskError).message).toMatch(
        new RegExp(`^Image "${c.file.replace(/\./g, '\\.')}" refers to another file: `),
      );
      expect((err as DiskError).message).toMatch(/self-contained/);
    }
    const err = await assertSelfContained(join(dir, 'vmdk-cap0-flat-abs.vmdk'), 'disk1.vmdk').catch((e) => e);
    expect((err as DiskError).message).toMatch(
      /^Image "disk1\.vmdk" refers to another file: a VMDK extent naming ".*canary\.bin" \(at offset 605\) \(and 1 more\)\./,
    );
    const cap0 = await probe(join(dir, 'vmdk-cap0-flat-abs.vmdk'));
    expect(cap0.references[1]).toEqual({
      kind: 'vmdk-descriptor',
      name: 'createType "monolithicFlat", capacity 0',
      offset: 512,
    });
    const flat = await assertSelfContained(join(dir, 'vmdk-text-flat-abs.vmdk')).catch((e) => e);
    expect((flat as DiskError).message).toContain(`a VMDK extent naming "${corpus.canaryPath}"`);
  });

  it('convert() refuses every case with its code, writes no output, and the canary appears nowhere', async () => {
    for (const c of corpus.cases) {
      for (const format of ['raw', 'qcow2', 'vmdk-stream', 'vdi'] as const) {
        const out = join(dir, `out-${c.file}.${format}`);
        const err = await convert(join(dir, c.file), out, format).catch((e: unknown) => e);
        expect((err as DiskError).code, `${c.file} -> ${format}`).toBe(c.code);
        expect(existsSync(out)).toBe(false);
      }
    }
    expect(readdirSync(dir).filter((f) => f.includes('.partial'))).toEqual([]);
    expectNoLeak();
  });

  it('the stream decoder refuses a streamOptimized VMDK that names another file, and writes nothing', async () => {
    for (const c of corpus.cases.filter((x) => x.stream)) {
      const out = join(dir, `decoded-${c.file}.qcow2`);
      const err = await decodeStreamVmdk(createReadStream(join(dir, c.file)), out, {
        format: 'qcow2',
        name: c.file,
      }).catch((e: unknown) => e);
      expect((err as DiskError).code, c.file).toBe('DISK_EXTERNAL_REFERENCE');
      expect((err as DiskError).message).toContain(`Image "${c.file}" refers to another file`);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('the encoder refuses on request, and follows nothing but a qcow2 chain by default', async () => {
    const enc = encodeStreamVmdk(join(dir, 'qcow2-backing-abs.qcow2'), { references: 'refuse' });
    await expect(collectAll(enc)).rejects.toMatchObject({ code: 'DISK_EXTERNAL_REFERENCE' });
    for (const file of ['qcow2-backing-json.qcow2', 'vmdk-text-flat-abs.vmdk', 'qcow2-data-file.qcow2']) {
      await expect(collectAll(encodeStreamVmdk(join(dir, file))), file).rejects.toMatchObject({
        code: 'DISK_EXTERNAL_REFERENCE',
      });
    }
    expectNoLeak();
  });

  it('referenceError() says how many more references there are, and nothing when there is none', () => {
    const refs = [
      { kind: 'qcow-backing' as const, name: 'a', offset: 8 },
      { kind: 'qcow2-backing-format' as const, name: 'raw' },
    ];
    expect(referenceError({ path: 'x.qcow2', references: refs })?.message).toMatch(
      /^Image "x\.qcow2" refers to another file: a backing file "a" \(at offset 8\) \(and 1 more\)\./,
    );
    expect(referenceError({ path: 'x', references: [] })).toBeUndefined();
  });
});

describe('descriptor parsing', () => {
  it('takes any access keyword and spacing, skips ZERO extents, and keeps unparsable extent lines', () => {
    const text =
      'rw 8 flat "a" 0\n  RDONLY 1 SPARSE "b"\nNOACCESS 2 VMFS "c"\nRW 9 ZERO\nRW nonsense\n# RW 1 FLAT "d" 0\n';
    expect(extentLines(text, 100).map((e) => [e.type, e.name, e.parsed])).toEqual([
      ['FLAT', 'a', true],
      ['SPARSE', 'b', true],
      ['VMFS', 'c', true],
      ['', 'RW nonsense', false],
    ]);
    expect(extentLines(text, 100)[1]!.offset).toBe(116);
  });

  it('finds parentFileNameHint anywhere, QEMU-style too, and ignores parentCID ffffffff', () => {
    const refs = parentReferences(
      'x parentFileNameHint = "p1"\nparentFileNameHint="p2\nparentCID=FFFFFFFF\n',
      0,
    );
    expect(refs.map((r) => [r.kind, r.name])).toEqual([
      ['vmdk-parent', 'p1'],
      ['vmdk-parent', 'p2\nparentCID=FFFFFFFF\n'],
    ]);
    expect(parentReferences('parentCID=0000beef', 0).map((r) => r.name)).toEqual(['0000beef']);
  });
});

async function collectAll(it: AsyncIterable<Buffer>): Promise<number> {
  let n = 0;
  for await (const c of it) n += c.length;
  return n;
}
