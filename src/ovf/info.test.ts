import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS } from '../../test/helpers/corpus.js';
import { hardwareFor, ovfInfo } from './info.js';
import { parseOvf } from './parse.js';

const INPUT = join(CORPUS, 'glennmatthews__cot__COT__tests__input.ovf');

describe('ovfInfo() hardware (issue 11: named models and device addresses)', () => {
  const info = ovfInfo(parseOvf(readFileSync(INPUT)));
  const sys = info.systems[0]!;
  const hw = (c: string) => hardwareFor(sys, c);

  it('names NIC models and controller kinds instead of raw subtypes, keeping the subtype as written', () => {
    expect(hw('4CPU-4GB-3NIC')!.nics.map((n) => [n.model, n.subtype])).toEqual([
      ['vmxnet3', 'VMXNET3'],
      ['vmxnet3', 'VMXNET3'],
      ['vmxnet3', 'VMXNET3'],
    ]);
    expect(hw('4CPU-4GB-3NIC')!.controllers.map((c) => [c.instanceId, c.kind, c.model])).toEqual([
      ['3', 'lsilogic', 'LSI Logic'],
      ['4', 'ide', 'IDE'],
      ['5', 'ide', 'IDE'],
    ]);
  });

  it('gives drives their addresses: bus, controller number, slot', () => {
    const h = hw('1CPU-1GB-1NIC')!;
    expect(h.disks.map((d) => [d.name, d.address])).toEqual([['Hard Drive', 'SCSI 0:0']]);
    expect(h.media.map((d) => [d.kind, d.name, d.address])).toEqual([
      ['cdrom', 'CD-ROM 1', 'IDE 1:0'],
      ['cdrom', 'CD-ROM 2', 'IDE 1:1'],
    ]);
  });

  it('resolves per-option items: each option has its own CPUs, memory and NICs once', () => {
    expect(
      sys.hardware.map((h) => [h.configuration, h.cpus, h.memoryBytes! / 2 ** 30, h.nics.length]),
    ).toEqual([
      ['1CPU-1GB-1NIC', 1, 1, 1],
      ['2CPU-2GB-1NIC', 2, 2, 1],
      ['4CPU-4GB-3NIC', 4, 4, 3],
    ]);
    expect(hw('1CPU-1GB-1NIC')!.other.map((o) => o.type)).toEqual(['Serial port', 'Serial port']);
  });
});

describe('ovfInfo() transports, URLs, descriptions and EULA texts (issue 11, COT info)', () => {
  const info = ovfInfo(parseOvf(readFileSync(INPUT)));
  const s = info.systems[0]!;

  it('lists the OVF environment transports and the product URLs and full version', () => {
    expect(s.transports).toEqual(['iso']);
    expect(s.products[0]).toMatchObject({
      fullVersion: 'DEVELOPMENT IMAGE',
      productUrl: 'PRODUCT_URL',
      vendorUrl: 'VENDOR_URL',
      appUrl: 'APPLICATION_URL',
    });
  });

  it('carries the descriptions of deployment options and properties', () => {
    expect(info.configurations[0]!.description).toBe('Minimal hardware profile - 1 vCPU, 1 GB RAM, 1 NIC');
    expect(s.properties.find((p) => p.key === 'hostname')!.description).toMatch(/\S/);
  });

  it('gives each EULA text of each system, in order', () => {
    const eula = ovfInfo(
      parseOvf(
        readFileSync(join(CORPUS, 'vmware__govmomi__ovf__fixtures__external__ImportOvf2014__eula.ovf')),
      ),
    );
    expect(eula.systems.map((x) => x.eulas)).toEqual([
      ['License for VM 1'],
      ['First license for VM 2', 'Second license for VM 2'],
    ]);
    expect(s.eulas).toEqual([]);
  });
});
