import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { VesselError } from '../../model/index.js';
import { exportOptionsFromWire } from './wire.js';

const dir = mkdtempSync(join(tmpdir(), 'vessel-export-wire-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fails = (p: Record<string, unknown>) => {
  try {
    exportOptionsFromWire(p);
  } catch (e) {
    return { code: (e as VesselError).code, message: (e as Error).message };
  }
  throw new Error('accepted');
};

describe('exportOptionsFromWire() (the vm.export socket parameters)', () => {
  it('reads a full request', () => {
    expect(
      exportOptionsFromWire({
        format: 'ovf',
        output: '/tmp/x',
        ovfVersion: '2.0',
        target: 'virtualbox',
        manifest: 'SHA512',
        keepMacs: true,
        overwrite: true,
        level: 6,
      }),
    ).toEqual({
      format: 'ovf',
      output: '/tmp/x',
      ovfVersion: '2.0',
      target: 'virtualbox',
      manifest: 'sha512',
      signer: undefined,
      keepMacs: true,
      overwrite: true,
      level: 6,
    });
    expect(exportOptionsFromWire({ output: '/o.ova', manifest: 'none' })).toMatchObject({
      format: 'ova',
      manifest: 'none',
    });
  });

  it('refuses each malformed parameter with USAGE naming it', () => {
    expect(fails({})).toMatchObject({
      code: 'USAGE',
      message: 'The parameter "output" must be an absolute path',
    });
    expect(fails({ output: 'rel/x.ova' })).toMatchObject({ code: 'USAGE' });
    expect(fails({ output: ['/x'] })).toMatchObject({ message: 'The parameter "output" must be a string' });
    expect(fails({ output: '/x', format: 'zip' })).toMatchObject({
      message: 'Unknown format "zip": use ova or ovf',
    });
    expect(fails({ output: '/x', ovfVersion: '1.1' })).toMatchObject({ code: 'USAGE' });
    expect(fails({ output: '/x', target: 'esxi' })).toMatchObject({
      message: 'Unknown target "esxi": use generic, vmware, virtualbox',
    });
    expect(fails({ output: '/x', manifest: 'md5' })).toMatchObject({ code: 'USAGE' });
    expect(fails({ output: '/x', manifest: 7 })).toMatchObject({ code: 'USAGE' });
    expect(fails({ output: '/x', certPem: 'x' })).toMatchObject({ message: 'A certificate needs its key' });
    for (const level of [0, 10, 2.5, '4', -1])
      expect(fails({ output: '/x', level })).toMatchObject({ code: 'USAGE' });
  });

  it('refuses a key that is not PEM, or hostile oversized text, without reading anything else', () => {
    expect(fails({ output: '/x', keyPem: 'not a key' }).code).toMatch(/^OVA_/);
    expect(fails({ output: '/x', keyPem: 'A'.repeat(4 << 20) }).code).toMatch(/^OVA_/);
  });

  it('loads a real key and certificate into a signer', () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'k.pem'),
        '-out',
        join(dir, 'c.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=wire',
      ],
      { stdio: 'ignore' },
    );
    const o = exportOptionsFromWire({
      output: '/x.ova',
      keyPem: readFileSync(join(dir, 'k.pem'), 'utf8'),
      certPem: readFileSync(join(dir, 'c.pem'), 'utf8'),
    });
    expect(o.signer?.certificates).toHaveLength(1);
  });
});
