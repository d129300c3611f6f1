import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  flipBit,
  makePki,
  seededBytes,
  type TestPki,
  tempDir,
  writePackage,
} from '../../../test/fixtures/ova/helpers.js';
import { runCli, SHARED } from '../../../test/helpers/cli.js';

const tmp = tempDir('vessel-cli-ova-');
let pki: TestPki;
let ovf: string;
const DISK = seededBytes(100_000, 21);
const at = (name: string) => join(tmp.dir, name);

beforeAll(() => {
  mkdirSync(at('pki'));
  pki = makePki(at('pki'));
  mkdirSync(at('pkg'));
  ovf = writePackage(at('pkg'), [{ href: 'disk1.vmdk', data: DISK }]);
});
afterAll(() => tmp.cleanup());

describe('vessel ova', () => {
  it.each(['pack', 'unpack', 'verify', 'sign'])('%s --help exits 0', async (sub) => {
    const r = await runCli(['ova', sub, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: vessel ova ${sub}`);
  });

  it('pack, then verify --json: exit 0 and a report naming every member', async () => {
    const p = await runCli(['ova', 'pack', ovf, at('a.ova'), '--manifest', 'sha512', '--json']);
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout).members.map((m: { name: string }) => m.name)).toEqual(['disk1.vmdk']);
    const v = await runCli(['ova', 'verify', at('a.ova'), '--json']);
    expect(v.code).toBe(0);
    const report = JSON.parse(v.stdout);
    expect(report).toMatchObject({
      intact: true,
      manifest: { name: 'vm.mf', algorithms: ['sha512'] },
      problems: [],
    });
    expect(report.members.map((m: { name: string }) => m.name)).toEqual(['vm.ovf', 'vm.mf', 'disk1.vmdk']);
  });

  it('verify exits 1 on a changed disk and names it', async () => {
    await runCli(['ova', 'pack', ovf, at('b.ova')]);
    const bytes = readFileSync(at('b.ova'));
    flipBit(bytes, bytes.indexOf(DISK.subarray(0, 64)) + 3);
    writeFileSync(at('b.ova'), bytes);
    const r = await runCli(['ova', 'verify', at('b.ova')], { env: { VESSEL_PROGRESS_MS: '0' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('NOT intact');
    // Progress lines on stderr (not a terminal) that stop short of 100%, and no summary for a failed check.
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/^verify b\.ova: \d{1,2}% {2}/);
    expect(r.stdout).toContain('problem [OVA_DIGEST_MISMATCH]: "disk1.vmdk" does not match the manifest');
  });

  it('sign, then verify with the CA and --require-signature; a wrong CA exits 1', async () => {
    await runCli(['ova', 'pack', ovf, at('c.ova')]);
    const s = await runCli([
      'ova',
      'sign',
      at('c.ova'),
      '--key',
      pki.signerKey,
      '--cert',
      pki.signerChain,
      '-o',
      at('c-signed.ova'),
    ]);
    expect(s.code).toBe(0);
    expect(s.stdout).toContain('signed by CN=Vessel Test Signer, O=Vessel');
    const ok = await runCli([
      'ova',
      'verify',
      at('c-signed.ova'),
      '--ca',
      pki.rootCert,
      '--require-signature',
      '--json',
    ]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).signature).toMatchObject({
      valid: true,
      trusted: true,
      signer: { subject: 'CN=Vessel Test Signer, O=Vessel' },
    });
    const wrong = await runCli(['ova', 'verify', at('c-signed.ova'), '--ca', pki.otherRootCert]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain('OVA_CERT_UNTRUSTED');
    const unsigned = await runCli(['ova', 'verify', at('c.ova'), '--require-signature']);
    expect(unsigned.code).toBe(1);
  });

  it('pack --key signs in the same pass', async () => {
    const r = await runCli([
      'ova',
      'pack',
      ovf,
      at('d.ova'),
      '--key',
      pki.signerKey,
      '--cert',
      pki.signerChain,
    ]);
    expect(r.code).toBe(0);
    expect(
      (await runCli(['ova', 'verify', at('d.ova'), '--ca', pki.rootCert, '--require-signature'])).code,
    ).toBe(0);
  });

  it('unpack writes the package folder; chunked packing round-trips', async () => {
    expect((await runCli(['ova', 'pack', ovf, at('e.ova'), '--chunk-size', '40000'])).code).toBe(0);
    const r = await runCli(['ova', 'unpack', at('e.ova'), at('e')]);
    expect(r.code).toBe(0);
    expect(readdirSync(at('e')).sort()).toEqual([
      'disk1.vmdk.000000000',
      'disk1.vmdk.000000001',
      'disk1.vmdk.000000002',
      'vm.mf',
      'vm.ovf',
    ]);
  });

  it('exit codes on the real OVAs of the corpus: 0 for the valid one, 1 for the broken ones', async () => {
    const dir = join(SHARED, 'ovf-corpus', 'ova');
    const expected: Record<string, number> = {
      'openstack__glance__glance__tests__var__testserver.ova': 0,
      'openstack__glance__glance__tests__var__testserver-bad-ovf.ova': 1,
      'openstack__glance__glance__tests__var__testserver-no-disk.ova': 1,
      'openstack__glance__glance__tests__var__testserver-no-ovf.ova': 1,
      'openstack__glance__glance__tests__var__testserver-not-tar.ova': 1,
    };
    for (const [file, code] of Object.entries(expected)) {
      const r = await runCli(['ova', 'verify', '--json', join(dir, file)]);
      expect([file, r.code]).toEqual([file, code]);
      expect(JSON.parse(r.stdout).intact).toBe(code === 0);
    }
  });

  it('unreadable input and bad options exit 2', async () => {
    expect((await runCli(['ova', 'verify', at('missing.ova')])).code).toBe(2);
    expect((await runCli(['ova', 'pack', ovf, at('f.ova'), '--manifest', 'md5'])).code).toBe(2);
    expect((await runCli(['ova', 'pack', ovf, at('f.ova'), '--chunk-size', 'lots'])).code).toBe(2);
    expect((await runCli(['ova', 'pack', ovf, at('f.ova'), '--disk-format', 'vhd'])).code).toBe(2);
    expect((await runCli(['ova', 'unpack', at('a.ova'), at('f'), '--disk-format', 'vdi'])).code).toBe(2);
    expect((await runCli(['ova', 'sign', at('a.ova')])).code).toBe(2);
  });
});

describe('vessel ova with the disk engine', () => {
  it('pack --disk-format stream converts a raw disk in the same pass; unpack --disk-format qcow2 converts back', async () => {
    const dir = at('stream');
    mkdirSync(dir);
    // 8 MiB raw: data, a hole of zeros, more data, a partial last grain.
    const raw = Buffer.alloc(8 * 1024 * 1024 + 4096);
    seededBytes(1_000_000, 3).copy(raw, 0);
    seededBytes(300_000, 4).copy(raw, 6 * 1024 * 1024);
    const ovfPath = writePackage(dir, [{ href: 'disk1.raw', data: raw }]);
    const packed = await runCli([
      'ova',
      'pack',
      ovfPath,
      join(dir, 'vm.ova'),
      '--disk-format',
      'stream',
      '--json',
    ]);
    expect(packed.code).toBe(0);
    expect(JSON.parse(packed.stdout).members.map((m: { name: string }) => m.name)).toEqual(['disk1.vmdk']);
    expect((await runCli(['ova', 'verify', join(dir, 'vm.ova')])).code).toBe(0);
    const x = join(dir, 'x');
    mkdirSync(x);
    execFileSync('tar', ['xf', join(dir, 'vm.ova'), '-C', x]);
    const desc = readFileSync(join(x, 'vm.ovf'), 'utf8');
    const size = statSync(join(x, 'disk1.vmdk')).size;
    expect(desc).toContain(`ovf:href="disk1.vmdk" ovf:size="${size}"`);
    expect(desc).toContain('vmdk.html#streamOptimized');
    expect(execFileSync('vmdkinfo', [join(x, 'disk1.vmdk')], { encoding: 'utf8' })).toContain(
      'Stream optimized',
    );
    execFileSync('qemu-img', ['compare', '-F', 'raw', join(x, 'disk1.vmdk'), join(dir, 'disk1.raw')]);
    const back = await runCli([
      'ova',
      'unpack',
      join(dir, 'vm.ova'),
      join(dir, 'q'),
      '--disk-format',
      'qcow2',
    ]);
    expect(back.code).toBe(0);
    expect(readdirSync(join(dir, 'q')).sort()).toEqual(['disk1.qcow2', 'vm.ovf']);
    execFileSync('qemu-img', [
      'compare',
      '-f',
      'qcow2',
      '-F',
      'raw',
      join(dir, 'q', 'disk1.qcow2'),
      join(dir, 'disk1.raw'),
    ]);
  });
});
