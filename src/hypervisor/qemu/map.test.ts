import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED } from '../../../test/helpers/cli.js';
import { type ResourceSetting, readDevices } from '../../model/index.js';
import { definitionFromOvf, parseOvf } from '../../ovf/index.js';
import { mapQemuHardware } from './map.js';

const corpus = (name: string) => parseOvf(readFileSync(join(SHARED, 'ovf-corpus', name)));
const VBOX6 =
  'vmware__govmomi__ovf__fixtures__external__OVFToolTemplates__OVF__xmltestfiles__LaxMode__Pos__vbox6_all_controller_subtypes__vbox6.ovf';
const TTY = 'vmware__govmomi__ovf__fixtures__external__standard_ovas__ttylinux__ttylinux.ovf';

const rasd = (properties: ResourceSetting['properties']): ResourceSetting => ({
  cimClass: 'CIM_ResourceAllocationSettingData',
  properties,
});

describe('mapQemuHardware()', () => {
  it("gives VirtualBox's sound card (ResourceType 35 ensoniq1371) to QEMU instead of refusing it", () => {
    const { definition } = definitionFromOvf(corpus(VBOX6));
    const strict = mapQemuHardware(definition.resources, { optional: () => false, lax: false });
    expect(strict.refused).toEqual([]);
    expect(
      readDevices({ system: {}, resources: strict.resources }).sound.map((s) => [s.instanceId, s.model]),
    ).toEqual([['8', 'es1370']]);
  });

  it('keeps VMware buslogic SCSI, PCNet32 and the optional floppy of a vCenter export', () => {
    const { definition } = definitionFromOvf(corpus(TTY));
    const m = mapQemuHardware(definition.resources, { optional: (id) => id === '6', lax: false });
    expect(m.refused).toEqual([]);
    const hw = readDevices({ system: {}, resources: m.resources });
    expect(hw.controllers.map((c) => [c.kind, c.subType])).toContainEqual(['buslogic', 'buslogic']);
    expect(hw.nics.map((n) => n.subType)).toEqual(['PCNet32']);
    expect(hw.drives.map((d) => d.kind).sort()).toEqual(['disk', 'floppy']);
  });

  it('drops unmappable optional items and moves drives off a dropped controller', () => {
    const m = mapQemuHardware(
      [
        rasd({ InstanceID: '1', ResourceType: '6', ResourceSubType: 'ncr5380' }),
        rasd({
          InstanceID: '2',
          ResourceType: '17',
          Parent: '1',
          AddressOnParent: '0',
          HostResource: ['/x'],
        }),
        rasd({ InstanceID: '3', ResourceType: '10', ResourceSubType: 'Flexible' }),
        rasd({ InstanceID: '4', ResourceType: '10', ResourceSubType: 'SriovEthernetCard' }),
        rasd({ InstanceID: '5', ResourceType: '32768' }),
      ],
      { optional: (id) => id === '1' || id === '5', lax: false },
    );
    expect(m.refused).toEqual([
      { instanceId: '4', reason: 'network adapter model "SriovEthernetCard" has no QEMU equivalent' },
    ]);
    expect(m.resources.map((r) => r.properties.InstanceID)).toEqual(['2', '3', '4']);
    expect(m.resources[0]!.properties.Parent).toBeUndefined();
    expect(m.resources[1]!.properties.ResourceSubType).toBe('PCNet32');
  });

  it('gives vmxnet and vmxnet2 NICs as E1000, reads comma-separated subtype lists, and notes it', () => {
    const m = mapQemuHardware(
      [
        {
          cimClass: 'CIM_ResourceAllocationSettingData',
          properties: { InstanceID: '1', ResourceType: '6', ResourceSubType: 'buslogic,lsilogic' },
        },
        {
          cimClass: 'CIM_ResourceAllocationSettingData',
          properties: { InstanceID: '2', ResourceType: '10', ResourceSubType: 'Vmxnet2' },
        },
      ],
      { optional: () => false, lax: false },
    );
    expect(m.refused).toEqual([]);
    expect(m.resources.map((r) => r.properties.ResourceSubType)).toEqual(['buslogic', 'E1000']);
    expect(m.notes).toContain('NIC "2": QEMU has no Vmxnet2 device; it is given as E1000');
  });

  it('moves drives to slots QEMU has, on a controller of their own kind, and leaves the rest to validate', () => {
    const m = mapQemuHardware(
      [
        rasd({ InstanceID: 'lsi', ResourceType: '6', ResourceSubType: 'lsilogic' }),
        rasd({
          InstanceID: 'a',
          ResourceType: '17',
          Parent: 'lsi',
          AddressOnParent: '9',
          HostResource: ['/a'],
        }),
        rasd({
          InstanceID: 'b',
          ResourceType: '17',
          Parent: 'lsi',
          AddressOnParent: '0',
          HostResource: ['/b'],
        }),
        rasd({ InstanceID: 'sata', ResourceType: '20', ResourceSubType: 'AHCI' }),
        rasd({ InstanceID: 'c', ResourceType: '17', Parent: 'sata', HostResource: ['/c'] }),
        rasd({ InstanceID: 'd', ResourceType: '17', Parent: 'sata', HostResource: ['/d'] }),
        rasd({ InstanceID: 'nv', ResourceType: '20', ResourceSubType: 'NVMe' }),
        rasd({ InstanceID: 'cd', ResourceType: '15', Parent: 'nv', AddressOnParent: '0' }),
      ],
      { optional: () => false, lax: false },
    );
    const at = (id: string) => {
      const p = m.resources.find((r) => r.properties.InstanceID === id)!.properties;
      return `${p.Parent}:${p.AddressOnParent}`;
    };
    // LSI Logic id 9 is beyond QEMU's 8 ids: the first free one (1; 0 is taken).
    expect([at('a'), at('b')]).toEqual(['lsi:1', 'lsi:0']);
    expect(m.notes).toContain(
      'Drive "a": slot 9 of LSI Logic controller "lsi" is not available on QEMU; it is given address 1 of controller "lsi"',
    );
    // Two SATA disks without a port would both be port 0 on the command line: each gets its own, silently.
    expect([at('c'), at('d')]).toEqual(['sata:0', 'sata:1']);
    // No NVMe controller takes a CD: it stays, and the driver's validate refuses it.
    expect(at('cd')).toBe('nv:0');
    expect(m.notes).toHaveLength(1);
  });
});
