import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED } from '../../../test/helpers/cli.js';
import { type ResourceSetting, readHardware } from '../../model/index.js';
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
    expect(readHardware(strict.resources).sound.map((s) => [s.instanceId, s.subType])).toEqual([
      ['8', 'ensoniq1371'],
    ]);
  });

  it('keeps VMware buslogic SCSI, PCNet32 and the optional floppy of a vCenter export', () => {
    const { definition } = definitionFromOvf(corpus(TTY));
    const m = mapQemuHardware(definition.resources, { optional: (id) => id === '6', lax: false });
    expect(m.refused).toEqual([]);
    const hw = readHardware(m.resources);
    expect(hw.controllers.map((c) => [c.kind, c.subType])).toContainEqual(['scsi', 'buslogic']);
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
});
