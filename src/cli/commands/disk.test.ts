import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  qemuCompare,
  qemuImg,
  STANDARD_SIZE,
  tempDir,
  writeStandard,
} from '../../../test/fixtures/disk/images.js';
import {
  type HostileCorpus,
  hostileCases,
  leaksCanary,
  writeHostileCorpus,
} from '../../../test/fixtures/hostile/images.js';
import { CLI, runCli } from '../../../test/helpers/cli.js';

let dir: string;
let cleanup: () => Promise<void>;
let standard: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('vessel-cli-disk-'));
  standard = join(dir, 'standard.raw');
  writeStandard(standard);
});
afterAll(() => cleanup());

describe('vessel disk info', () => {
  it('prints format, virtual size, allocated size and problems as JSON', async () => {
    const q = join(dir, 'a.qcow2');
    qemuImg('convert', '-O', 'qcow2', standard, q);
    const r = await runCli(['disk', 'info', '--json', q]);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(o).toMatchObject({ format: 'qcow2', virtualSizeBytes: STANDARD_SIZE, problems: [] });
    expect(o.allocatedBytes).toBeGreaterThan(0);
  });

  it('prints a readable summary without --json', async () => {
    const r = await runCli(['disk', 'info', standard]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^format:\s+raw$/m);
    expect(r.stdout).toMatch(new RegExp(`^virtual size:\\s+3 MiB \\(${STANDARD_SIZE} bytes\\)$`, 'm'));
    expect(r.stdout).toMatch(/^problems:\s+none$/m);
  });

  it('exits 1 on a corrupt image and names the problem and offset', async () => {
    const vmdk = join(dir, 'cut.vmdk');
    expect((await runCli(['disk', 'convert', standard, vmdk, '--format', 'vmdk-stream'])).code).toBe(0);
    const b = readFileSync(vmdk);
    writeFileSync(vmdk, b.subarray(0, b.length - 2048));
    const r = await runCli(['disk', 'info', vmdk]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^error: VMDK_TRUNCATED at offset \d+: No footer marker/m);
    const j = await runCli(['disk', 'info', '--json', vmdk]);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout).problems[0]).toMatchObject({ severity: 'error', code: 'VMDK_TRUNCATED' });
  });

  it('exits 2 when the file cannot be read', async () => {
    const r = await runCli(['disk', 'info', join(dir, 'missing.img')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no such file/);
  });
});

describe('vessel disk convert', () => {
  it('prints progress lines and a summary when not on a terminal, nothing on stdout; the result matches the source', async () => {
    const out = join(dir, 'out.vmdk');
    const r = await runCli([
      'disk',
      'convert',
      standard,
      out,
      '--format',
      'vmdk-stream',
      '--adapter-type',
      'ide',
    ]);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    // Lines, never a bar's carriage returns; never 100% before the summary, which is the last line.
    expect(r.stderr).not.toContain('\r');
    const lines = r.stderr.trimEnd().split('\n');
    for (const l of lines.slice(0, -1)) expect(l).toMatch(/^convert standard\.raw: (\d|9\d)%? ?/);
    expect(r.stderr).not.toMatch(/100%/);
    expect(lines.at(-1)).toMatch(new RegExp(`^${out.replace(/[.]/g, '\\.')}: vmdk-stream, `));
    expect(qemuCompare(standard, out, 'raw', 'vmdk').code).toBe(0);
    expect(readFileSync(out).subarray(512, 2048).toString()).toContain('ddb.adapterType = "ide"');
    const back = join(dir, 'back.qcow2');
    expect((await runCli(['disk', 'convert', out, back, '--format', 'qcow2', '--json'])).stdout).toContain(
      '"engine":"native"',
    );
    expect(qemuCompare(standard, back, 'raw', 'qcow2').code).toBe(0);
  });

  it('draws a progress bar with bytes, rate and ETA on a terminal', () => {
    const out = join(dir, 'tty.vdi');
    const cmd = `${process.execPath} ${CLI} disk convert ${standard} ${out} --format vdi`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], {
      encoding: 'utf8',
      env: { ...process.env, COLUMNS: '100' },
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\[#+\.*\]\s+\d+%\s+[\d.]+ \w?i?B \/ 3 MiB\s+[\d.]+ MB\/s/);
    expect(r.stdout).toContain(`${out}: vdi,`);
  });

  it('rejects an unknown format and a bad level as usage errors, a corrupt input with exit 1', async () => {
    expect((await runCli(['disk', 'convert', standard, join(dir, 'x'), '--format', 'bogus'])).code).toBe(2);
    const lvl = await runCli([
      'disk',
      'convert',
      standard,
      join(dir, 'x'),
      '--format',
      'vmdk-stream',
      '--level',
      '12',
    ]);
    expect(lvl.code).toBe(2);
    expect(lvl.stderr).toMatch(/zlib level/);
    const bad = join(dir, 'bad.qcow2');
    qemuImg('convert', '-O', 'qcow2', standard, bad);
    const b = readFileSync(bad);
    b.writeUInt8(2, 79);
    writeFileSync(bad, b);
    const r = await runCli(['disk', 'convert', bad, join(dir, 'y.raw'), '--format', 'raw']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/marked the image corrupt/);
  });
});

describe('vessel disk with hostile images', () => {
  let corpus: HostileCorpus;
  beforeAll(() => {
    mkdirSync(join(dir, 'hostile'));
    corpus = writeHostileCorpus(join(dir, 'hostile'));
  });
  afterAll(() => {
    for (const f of readdirSync(corpus.dir))
      if (f !== 'canary.bin')
        expect(leaksCanary(readFileSync(join(corpus.dir, f)), corpus.canary), `${f} holds canary bytes`).toBe(
          false,
        );
  });
  const cases = hostileCases({ absolute: '/', relative: '' });

  it.each(cases.map((c) => [c.file, c.code, c.kinds.length > 0] as const))(
    'convert refuses %s with exit 1 and %s, writing nothing',
    async (file, code) => {
      const out = join(corpus.dir, `${file}.out.qcow2`);
      const r = await runCli(['disk', 'convert', join(corpus.dir, file), out, '--format', 'qcow2', '--json']);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).error).toMatchObject({ code });
      expect(existsSync(out)).toBe(false);
    },
  );

  it.each(cases.filter((c) => c.kinds.length > 0).map((c) => [c.file, c.kinds[0]!] as const))(
    'info reports the references of %s (%s) and exits 1',
    async (file, kind) => {
      const r = await runCli(['disk', 'info', '--json', join(corpus.dir, file)]);
      expect(r.code).toBe(1);
      const o = JSON.parse(r.stdout);
      expect(o.references.map((x: { kind: string }) => x.kind)).toContain(kind);
      expect(o.problems[0]).toMatchObject({ severity: 'error', code: 'DISK_EXTERNAL_REFERENCE' });
    },
  );

  it('prints the reference and the refusal readably', async () => {
    const img = join(corpus.dir, 'vmdk-cap0-flat-abs.vmdk');
    const info = await runCli(['disk', 'info', img]);
    expect(info.code).toBe(1);
    expect(info.stdout).toMatch(
      new RegExp(
        `^error: DISK_EXTERNAL_REFERENCE at offset \\d+: The image refers to another file: a VMDK extent naming "${corpus.canaryPath}"$`,
        'm',
      ),
    );
    const conv = await runCli(['disk', 'convert', img, join(corpus.dir, 'x.raw'), '--format', 'raw']);
    expect(conv.code).toBe(1);
    expect(conv.stderr).toMatch(
      /^vessel: Image ".*vmdk-cap0-flat-abs\.vmdk" refers to another file: a VMDK extent naming ".*canary\.bin" \(at offset \d+\) \(and 1 more\)\. Vessel reads only self-contained images/,
    );
    expect(conv.stderr).toMatch(/hint: make the image self-contained/);
  });
});
