import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wbemcli } from '../../../test/helpers/wbemcli.js';
import { startTestHost, type TestHost } from './test-host.js';

// Vessel's DestroySystemKeepingDisks as a third-party client calls it: Debian's sblim-wbemcli against a live Vessel
// host on the test driver, reading the Kept arrays of the method's answer (src/cim/methods/vsms.ts).

let host: TestHost;
let base: string;

const cs = (name: string) => `Vessel_ComputerSystem.CreationClassName="Vessel_ComputerSystem",Name="${name}"`;
const vsms = () =>
  `Vessel_VirtualSystemManagementService.CreationClassName="Vessel_VirtualSystemManagementService",Name="Management Service",SystemCreationClassName="Vessel_HostSystem",SystemName="testhost"`;

beforeAll(async () => {
  host = await startTestHost({
    vms: 2,
    users: [
      ['admin', 'admin', 'secret'],
      ['rita', 'reader', 'r3ad'],
    ],
  });
  base = `${host.url.replace('http://', 'http://admin:secret@')}/root/virtualization`;
});
afterAll(async () => {
  await host.close();
});

describe('sblim wbemcli and DestroySystemKeepingDisks', () => {
  it('cm (after its GetClass of the service): destroys the system and names the kept disk, which stays in the pool', async () => {
    const r = await wbemcli(
      'cm',
      `${base}:${vsms()}`,
      `DestroySystemKeepingDisks.AffectedSystem=${cs('vm1')}`,
    );
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('DestroySystemKeepingDisks: 0');
    expect(r.out).toContain(
      'KeptInstanceIDs (string): 4, KeptPools (string): default, KeptImages (string): ',
    );
    const image = /KeptImages \(string\): (\S+),/.exec(r.out)?.[1];
    expect(image, r.out).toBeDefined();
    expect(existsSync(join(host.imagesDir, image!))).toBe(true);
    expect(await host.driver.lookup('vm1')).toBeUndefined();
  });

  it('cm: a reader, an unknown system and the host are refused, and nothing is destroyed', async () => {
    const reader = base.replace('admin:secret', 'rita:r3ad');
    const denied = await wbemcli(
      'cm',
      `${reader}:${vsms()}`,
      `DestroySystemKeepingDisks.AffectedSystem=${cs('vm2')}`,
    );
    expect(denied.code).not.toBe(0);
    expect(denied.out).toContain('CIM_ERR_ACCESS_DENIED');
    for (const ref of [
      cs('ghost'),
      'Vessel_HostSystem.CreationClassName="Vessel_HostSystem",Name="testhost"',
    ]) {
      const d = await wbemcli('cm', `${base}:${vsms()}`, `DestroySystemKeepingDisks.AffectedSystem=${ref}`);
      expect(d.code).not.toBe(0);
      expect(d.out).toMatch(/CIM_ERR_(NOT_FOUND|INVALID_PARAMETER)/);
    }
    expect(await host.driver.lookup('vm2')).toBeDefined();
  });
});
