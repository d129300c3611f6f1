import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED } from '../../test/helpers/cli.js';
import { buildDefinition, type ResourceSetting, readHardware } from '../model/index.js';
import { definitionFromOvf, parseOvf, targetSystem } from '../ovf/index.js';
import { attachEnvironmentCd, ensureSerialConsole, firmwareHint, mapHardware } from './deploy-hardware.js';

const corpus = (name: string) => parseOvf(readFileSync(join(SHARED, 'ovf-corpus', name)));
const VBOX6 =
  'vmware__govmomi__ovf__fixtures__external__OVFToolTemplates__OVF__xmltestfiles__LaxMode__Pos__vbox6_all_controller_subtypes__vbox6.ovf';
const HA = 'home-assistant__operating-system__buildroot-external__board__intel__ova__home-assistant.ovf';
const TTY = 'vmware__govmomi__ovf__fixtures__external__standard_ovas__ttylinux__ttylinux.ovf';

const rasd = (properties: ResourceSetting['properties']): ResourceSetting => ({
  cimClass: 'CIM_ResourceAllocationSettingData',
  properties,
});

describe('mapHardware()', () => {
  it("gives VirtualBox's sound card (ResourceType 35 ensoniq1371) to QEMU instead of refusing it", () => {
    const { definition } = definitionFromOvf(corpus(VBOX6));
    const strict = mapHardware(definition.resources, () => false, false);
    expect(strict.refused).toEqual([]);
    expect(readHardware(strict.resources).sound.map((s) => [s.instanceId, s.subType])).toEqual([
      ['8', 'ensoniq1371'],
    ]);
  });

  it('keeps VMware buslogic SCSI, PCNet32 and the optional floppy of a vCenter export', () => {
    const { definition } = definitionFromOvf(corpus(TTY));
    const m = mapHardware(definition.resources, (id) => id === '6', false);
    expect(m.refused).toEqual([]);
    const hw = readHardware(m.resources);
    expect(hw.controllers.map((c) => [c.kind, c.subType])).toContainEqual(['scsi', 'buslogic']);
    expect(hw.nics.map((n) => n.subType)).toEqual(['PCNet32']);
    expect(hw.drives.map((d) => d.kind).sort()).toEqual(['disk', 'floppy']);
  });

  it("keeps VirtualBox's virtio-scsi (RT 20 VirtioSCSI) and SAS (RT 20 LsiLogicSas), refuses Hyper-V's SCSI", () => {
    const m = mapHardware(
      [
        rasd({ InstanceID: 'vs', ResourceType: '20', ResourceSubType: 'VirtioSCSI' }),
        rasd({ InstanceID: 'sas', ResourceType: '20', ResourceSubType: 'LsiLogicSas' }),
        rasd({
          InstanceID: 'hv',
          ResourceType: '6',
          ResourceSubType: 'Microsoft:Hyper-V:Synthetic SCSI Controller',
        }),
        rasd({ InstanceID: 'odd', ResourceType: '6', ResourceSubType: 'whatever' }),
      ],
      () => false,
      false,
    );
    expect(m.refused).toEqual([
      {
        instanceId: 'hv',
        reason:
          'SCSI controller subtype "Microsoft:Hyper-V:Synthetic SCSI Controller" has no QEMU equivalent',
      },
      { instanceId: 'odd', reason: 'SCSI controller subtype "whatever" has no QEMU equivalent' },
    ]);
    const hw = readHardware(m.resources);
    expect(hw.controllers.map((c) => [c.instanceId, c.kind, c.model])).toEqual([
      ['vs', 'scsi', 'virtio-scsi'],
      ['sas', 'scsi', 'lsisas'],
      ['hv', 'scsi', 'hyperv-scsi'],
      ['odd', 'scsi', 'lsilogic'],
    ]);
  });

  it('drops unmappable optional items and moves drives off a dropped controller', () => {
    const m = mapHardware(
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
      (id) => id === '1' || id === '5',
      false,
    );
    expect(m.refused).toEqual([
      { instanceId: '4', reason: 'network adapter model "SriovEthernetCard" has no QEMU equivalent' },
    ]);
    expect(m.resources.map((r) => r.properties.InstanceID)).toEqual(['2', '3', '4']);
    expect(m.resources[0]!.properties.Parent).toBeUndefined();
    expect(m.resources[1]!.properties.ResourceSubType).toBe('PCNet32');
  });
});

describe('firmwareHint()', () => {
  it('reads vmw:Config firmware=efi (Home Assistant) and bios (COT)', () => {
    expect(firmwareHint(targetSystem(corpus(HA)))).toBe('efi');
    expect(firmwareHint(targetSystem(corpus('glennmatthews__cot__COT__tests__vmware.ovf')))).toBe('bios');
    expect(firmwareHint(targetSystem(corpus(TTY)))).toBeUndefined();
  });

  it("reads VirtualBox's <vbox:Machine><Hardware><Firmware type=EFI/>", () => {
    const text = readFileSync(join(SHARED, 'ovf-corpus', HA), 'utf8').replace(
      /<vmw:Config[^>]*firmware[^>]*\/>/,
      '',
    );
    expect(firmwareHint(targetSystem(parseOvf(text)))).toBe('efi');
  });
});

describe('ensureSerialConsole() and attachEnvironmentCd()', () => {
  it('adds a console when there is no serial port, and the environment CD on a free IDE slot', () => {
    const def = buildDefinition({ name: 'v', cpus: 1, memoryBytes: 64n << 20n, disks: ['/d.raw'] });
    def.resources = def.resources.filter((r) => r.properties.ResourceType !== '21');
    expect(ensureSerialConsole(def)).toMatch(/Added serial port/);
    expect(ensureSerialConsole(def)).toBeUndefined();
    const id = attachEnvironmentCd(def, '/s/ovf-env.iso');
    const cd = readHardware(def.resources).drives.find((d) => d.instanceId === id)!;
    expect(cd).toMatchObject({ kind: 'cdrom', hostResource: 'file:///s/ovf-env.iso' });
  });

  it('uses an empty CD drive of the package when there is one', () => {
    const vbox = 'stephen-fox__vmwareify__vmwareify_test.go__basicOvfFileContents.ovf';
    const { definition } = definitionFromOvf(corpus(vbox));
    expect(attachEnvironmentCd(definition, '/s/e.iso')).toBe('7');
    expect(definition.resources.length).toBe(8);
  });
});

describe('deploy defaults and spellings', () => {
  it('gives vmxnet and vmxnet2 NICs as E1000, reads comma-separated subtype lists, and notes it', async () => {
    const { mapHardware: map } = await import('./deploy-hardware.js');
    const m = map(
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
      () => false,
      false,
    );
    expect(m.refused).toEqual([]);
    expect(m.resources.map((r) => r.properties.ResourceSubType)).toEqual(['buslogic', 'E1000']);
    expect(m.notes).toContain('NIC "2": QEMU has no Vmxnet2 device; it is given as E1000');
  });

  it('gives a system without Processor and Memory items 1 CPU and 512 MiB, with notes', async () => {
    const { defaultCpuAndMemory } = await import('./deploy-hardware.js');
    const def = {
      resources: [
        {
          cimClass: 'CIM_ResourceAllocationSettingData' as const,
          properties: { InstanceID: 'vessel-cpu', ResourceType: '17' },
        },
      ],
    };
    const notes = defaultCpuAndMemory(def);
    expect(notes).toHaveLength(2);
    const props = def.resources.map((r) => r.properties);
    expect(props).toContainEqual(
      expect.objectContaining({ ResourceType: '3', VirtualQuantity: '1', InstanceID: 'vessel-cpu-1' }),
    );
    expect(props).toContainEqual(
      expect.objectContaining({ ResourceType: '4', VirtualQuantity: '512', AllocationUnits: 'byte * 2^20' }),
    );
    expect(defaultCpuAndMemory(def)).toEqual([]);
  });
});
