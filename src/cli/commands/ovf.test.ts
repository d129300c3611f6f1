import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, SHARED } from '../../../test/helpers/cli.js';
import { corpusCases } from '../../../test/helpers/corpus.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vessel-cli-ovf-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const positive = corpusCases().find((c) => c.file === 'glennmatthews__cot__COT__tests__csr1000v.ovf')!;
const malformed = corpusCases().find((c) => c.expect === 'malformed')!;

describe('vessel ovf validate', () => {
  it('exits 0 and prints one JSON object per file for a valid descriptor', async () => {
    const r = await runCli(['ovf', 'validate', '--json', positive.path]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const o = JSON.parse(lines[0]!);
    expect(o).toMatchObject({ file: positive.path, valid: true, ovfVersion: '1.0' });
    expect(Array.isArray(o.diagnostics)).toBe(true);
  });

  it('exits 1 when a file has errors, with code, severity, line, column and message', async () => {
    const bad = join(dir, 'bad.ovf');
    writeFileSync(
      bad,
      `<?xml version="1.0"?>\n<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">\n<References/>\n<DiskSection><Info>d</Info>\n<Disk ovf:diskId="d1" ovf:capacity="1" ovf:fileRef="nofile"/></DiskSection>\n<VirtualSystem ovf:id="a"><Info>x</Info></VirtualSystem></Envelope>\n`,
    );
    const r = await runCli(['ovf', 'validate', '--json', bad, positive.path]);
    expect(r.code).toBe(1);
    const [first, second] = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(first.valid).toBe(false);
    expect(second.valid).toBe(true);
    const errors = first.diagnostics.filter((d: { severity: string }) => d.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
    for (const d of first.diagnostics)
      expect(Object.keys(d)).toEqual(
        expect.arrayContaining(['code', 'severity', 'line', 'column', 'message']),
      );
    expect(
      errors.some((d: { line: number; message: string }) => d.line === 5 && d.message.includes('nofile')),
    ).toBe(true);
  });

  it('exits 2 on XML that is not well formed and on a missing file, naming the line', async () => {
    const r = await runCli(['ovf', 'validate', '--json', malformed.path]);
    expect(r.code).toBe(2);
    const o = JSON.parse(r.stdout.trim());
    expect(o.valid).toBe(false);
    expect(o.diagnostics[0].code).toBe('OVF_XML_SYNTAX');
    expect(o.diagnostics[0].line).toBeGreaterThanOrEqual(1);
    const missing = await runCli(['ovf', 'validate', join(dir, 'nope.ovf')]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain('no such file');
  });

  it('exits 2 on a descriptor with a DOCTYPE and does not expand it', async () => {
    const f = join(dir, 'xxe.ovf');
    writeFileSync(
      f,
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1">&e;</Envelope>',
    );
    const r = await runCli(['ovf', 'validate', f]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('OVF_XML_DOCTYPE');
    expect(r.stdout).not.toContain('root:');
  });

  it('rejects an unknown target with a usage error', async () => {
    const r = await runCli(['ovf', 'validate', '--target', 'nope', positive.path]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Unknown --target');
  });
});

describe('vessel ovf new, edit, info and format', () => {
  it('authors a descriptor, edits it and reports it', async () => {
    const f = join(dir, 'app.ovf');
    expect((await runCli(['ovf', 'new', 'app', '-o', f, '--cpus', '2', '--memory', '1G'])).code).toBe(0);
    const e = await runCli([
      'ovf',
      'edit',
      f,
      '--product',
      'App',
      '--vendor',
      'Acme',
      '--product-version',
      '2.1',
      '--property',
      'hostname=app1',
      '--property-type',
      'hostname=string',
      '--property-qualifiers',
      'hostname=MaxLen(63)',
      '--user-configurable',
      'hostname',
      '--nic',
      'lan:virtio',
      '--blank-disk',
      '4G',
      '--annotation',
      'hello',
    ]);
    expect(e.stderr).toBe('');
    expect(e.code).toBe(0);
    const info = await runCli(['ovf', 'info', '--json', f]);
    expect(info.code).toBe(0);
    const o = JSON.parse(info.stdout);
    const sys = o.systems[0];
    expect(sys.products[0]).toMatchObject({ product: 'App', vendor: 'Acme', version: '2.1' });
    expect(sys.properties[0]).toMatchObject({
      key: 'hostname',
      type: 'string',
      value: 'app1',
      qualifiers: 'MaxLen(63)',
      userConfigurable: true,
    });
    expect(sys.hardware['']).toMatchObject({ cpus: 2, memoryBytes: 2 ** 30 });
    expect(sys.hardware[''].nics[0]).toMatchObject({ model: 'virtio', network: 'lan' });
    expect(o.disks[0]).toMatchObject({ capacityBytes: 4 * 2 ** 30 });
    expect(sys.annotation).toBe('hello');
    const human = await runCli(['ovf', 'info', f]);
    expect(human.stdout).toContain('2 CPU(s), 1 GiB memory');
  });

  it('edit refuses a bad value without touching the file', async () => {
    const f = join(dir, 'keep.ovf');
    await runCli(['ovf', 'new', 'keep', '-o', f]);
    const before = readFileSync(f, 'utf8');
    const r = await runCli(['ovf', 'edit', f, '--cpus', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('CPU count 0');
    expect(readFileSync(f, 'utf8')).toBe(before);
  });

  it('format writes a descriptor that parses to the same info', async () => {
    const out = await runCli(['ovf', 'format', positive.path]);
    expect(out.code).toBe(0);
    const f = join(dir, 'formatted.ovf');
    writeFileSync(f, out.stdout);
    const a = JSON.parse((await runCli(['ovf', 'info', '--json', positive.path])).stdout);
    const b = JSON.parse((await runCli(['ovf', 'info', '--json', f])).stdout);
    expect(b).toEqual(a);
  });

  it('info reads the descriptor inside an OVA, and refuses an OVA whose descriptor is not well formed', async () => {
    const ovaDir = join(SHARED, 'ovf-corpus', 'ova');
    const good = await runCli([
      'ovf',
      'info',
      '--json',
      join(ovaDir, 'openstack__glance__glance__tests__var__testserver.ova'),
    ]);
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout).systems[0].id).toBe('testserver');
    const bad = await runCli([
      'ovf',
      'info',
      join(ovaDir, 'openstack__glance__glance__tests__var__testserver-bad-ovf.ova'),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not well formed');
  });

  it('prints help for every ovf command', async () => {
    for (const sub of ['validate', 'info', 'format', 'new', 'edit']) {
      const r = await runCli(['ovf', sub, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Usage: vessel ovf');
    }
  });
});
