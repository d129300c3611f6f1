import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { xmllintOvf1 } from '../../../test/helpers/xmllint.js';
import {
  buildDefinition,
  bytesOf,
  readDevices,
  type SimpleSystemSpec,
  type VirtualSystemDefinition,
} from '../../model/index.js';
import { definitionFromOvf } from '../definition.js';
import { formatOvf } from '../format.js';
import { parseOvf } from '../parse.js';
import { findSection, hardwareOf, virtualSystems } from '../select.js';
import type { OvfEnvelope, OvfItem } from '../types.js';
import { validateOvf } from '../validate/validate.js';
import { writeSystemDescriptor } from './descriptor.js';
import type { DescriptorNote, SystemDescriptorOptions } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'vessel-ovf-write-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NO_IMAGES = { files: [], disks: [], drives: new Map() };

function write(
  def: VirtualSystemDefinition,
  o: Partial<SystemDescriptorOptions> = {},
): { env: OvfEnvelope; notes: DescriptorNote[]; xml: string } {
  const r = writeSystemDescriptor(def, readDevices(def), {
    ovfVersion: '1.0',
    target: 'generic',
    images: NO_IMAGES,
    ...o,
  });
  return { ...r, xml: formatOvf(r.env) };
}

const items = (env: OvfEnvelope): OvfItem[] => hardwareOf(virtualSystems(env)[0]!)!.items;
const vssd = (env: OvfEnvelope) => hardwareOf(virtualSystems(env)[0]!)!.system!.properties;
const spec = (o: Partial<SimpleSystemSpec> = {}): SimpleSystemSpec => ({
  name: 'w',
  cpus: 2,
  memoryBytes: 1n << 30n,
  ...o,
});

function schemaValid(xml: string, name: string): boolean {
  const file = join(dir, `${name}.ovf`);
  writeFileSync(file, xml);
  return xmllintOvf1([file]).get(file) === true;
}

describe('writeSystemDescriptor(): the VSSD', () => {
  it('VirtualSystemIdentifier is the definition’s, else the name; VirtualSystemType follows the target', () => {
    const def = buildDefinition(spec({ uuid: '7d8a3c1e-0000-4000-8000-000000000001' }));
    expect(vssd(write(def).env)).toMatchObject({
      ElementName: 'w',
      VirtualSystemIdentifier: '7d8a3c1e-0000-4000-8000-000000000001',
      VirtualSystemType: 'vessel-qemu',
    });
    delete def.system.VirtualSystemIdentifier;
    expect(vssd(write(def).env).VirtualSystemIdentifier).toBe('w');
    expect(vssd(write(def, { target: 'vmware' }).env).VirtualSystemType).toBe('vmx-13');
    expect(vssd(write(def, { target: 'virtualbox' }).env).VirtualSystemType).toBe('virtualbox-2.2');
    def.system.VirtualSystemType = 'vmx-19';
    expect(vssd(write(def, { target: 'vmware' }).env).VirtualSystemType).toBe('vmx-19');
    expect(vssd(write(def).env).VirtualSystemType).toBe('vmx-19');
    expect(vssd(write(def, { target: 'virtualbox' }).env).VirtualSystemType).toBe('virtualbox-2.2');
  });

  it('writes uefi firmware as efi (not BIOS), and bios as bios', () => {
    const def = buildDefinition(spec());
    def.system.Firmware = 'uefi';
    expect(write(def).xml).toContain('vmw:key="firmware" vmw:value="efi"');
    def.system.Firmware = 'BIOS';
    expect(write(def).xml).toContain('vmw:key="firmware" vmw:value="bios"');
    delete def.system.Firmware;
    expect(write(def).xml).not.toContain('firmware');
  });
});

describe('writeSystemDescriptor(): units per generation', () => {
  const memory = (env: OvfEnvelope) => items(env).find((i) => i.resource.properties.ResourceType === '4')!;

  it('OVF 1.x writes AllocationUnits only; OVF 2.x writes VirtualQuantityUnits too; both read back exactly', () => {
    const def = buildDefinition(spec({ memoryBytes: 3n << 29n }));
    const one = memory(write(def).env).resource.properties;
    expect(one).toMatchObject({ VirtualQuantity: '1536', AllocationUnits: 'byte * 2^20' });
    expect(one.VirtualQuantityUnits).toBeUndefined();
    const two = memory(write(def, { ovfVersion: '2.0' }).env).resource.properties;
    expect(two).toMatchObject({
      VirtualQuantity: '1536',
      AllocationUnits: 'byte * 2^20',
      VirtualQuantityUnits: 'byte * 2^20',
    });
    for (const v of ['1.0', '2.0'] as const) {
      const back = definitionFromOvf(parseOvf(write(def, { ovfVersion: v }).xml)).definition;
      const m = back.resources.find((r) => r.properties.ResourceType === '4')!;
      expect(bytesOf(m), v).toBe(3n << 29n);
    }
  });

  it('OVF 1.x folds VirtualQuantityUnits into AllocationUnits (1 × byte*2^30 is 1 GiB, not 1 MiB), in MiB as importers read memory', () => {
    const def = buildDefinition(spec());
    const m = def.resources.find((r) => r.properties.ResourceType === '4')!;
    m.properties = { ...m.properties, VirtualQuantity: '1', VirtualQuantityUnits: 'byte*2^30' };
    delete m.properties.AllocationUnits;
    const { xml, notes } = write(def);
    expect(schemaValid(xml, 'folded')).toBe(true);
    const back = definitionFromOvf(parseOvf(xml)).definition.resources.find(
      (r) => r.properties.ResourceType === '4',
    )!;
    // virt-v2v, Proxmox and govmomi read memory as MiB whatever AllocationUnits says.
    expect(back.properties).toMatchObject({ VirtualQuantity: '1024', AllocationUnits: 'byte * 2^20' });
    expect(bytesOf(back)).toBe(1n << 30n);
    expect(notes).toEqual([]);
    expect(validateOvf(parseOvf(xml), { target: 'qemu' }).map((d) => d.code)).not.toContain(
      'OVF_TARGET_UNITS',
    );
  });

  it('memory that is not a whole number of MiB is written exactly, in bytes or KiB', () => {
    const def = buildDefinition(spec());
    const m = def.resources.find((r) => r.properties.ResourceType === '4')!;
    m.properties = { ...m.properties, VirtualQuantity: String((1n << 30n) + 1024n), AllocationUnits: 'byte' };
    const back = definitionFromOvf(parseOvf(write(def).xml)).definition.resources.find(
      (r) => r.properties.ResourceType === '4',
    )!;
    expect(back.properties).toMatchObject({
      VirtualQuantity: String((1 << 20) + 1),
      AllocationUnits: 'byte * 2^10',
    });
  });

  it('a processor’s VirtualQuantityUnits count is left out of OVF 1.x without a note; any other is said', () => {
    const def = buildDefinition(spec());
    const cpu = def.resources.find((r) => r.properties.ResourceType === '3')!;
    cpu.properties.VirtualQuantityUnits = 'count';
    expect(write(def).notes).toEqual([]);
    cpu.properties.VirtualQuantityUnits = 'hertz';
    expect(write(def).notes.map((n) => n.message)).toEqual([
      `Resource "${cpu.properties.InstanceID}": VirtualQuantityUnits "hertz" has no place in an OVF 1.x Item; dropped`,
    ]);
  });

  it('disk capacities use the same rule: the largest binary unit that holds the size exactly', () => {
    const def = buildDefinition(spec());
    const { env } = write(def, {
      images: {
        files: [],
        disks: [
          { diskId: 'a', capacityBytes: 16n << 30n },
          { diskId: 'b', capacityBytes: 3n << 29n },
          { diskId: 'c', capacityBytes: 1000n },
        ],
        drives: new Map(),
      },
    });
    expect(
      findSection(env.sections, 'DiskSection')!.disks.map((d) => [d.capacity, d.capacityAllocationUnits]),
    ).toEqual([
      ['16', 'byte * 2^30'],
      ['1536', 'byte * 2^20'],
      ['1000', 'byte'],
    ]);
  });
});

describe('writeSystemDescriptor(): items', () => {
  it('OVF 2.x writes a storage allocation as StorageItem with its own properties; OVF 1.x folds it into an Item', () => {
    const def = buildDefinition(spec());
    def.resources.push({
      cimClass: 'CIM_StorageAllocationSettingData',
      properties: {
        InstanceID: 'sasd1',
        ResourceType: '31',
        ElementName: 'Extent',
        Access: '3',
        VirtualQuantity: '1',
        VirtualQuantityUnits: 'byte*2^30',
      },
    });
    const two = write(def, { ovfVersion: '2.0' });
    const item = items(two.env).find((i) => i.resource.properties.InstanceID === 'sasd1')!;
    expect(item.element).toBe('StorageItem');
    expect(item.resource.properties).toMatchObject({ Access: '3', VirtualQuantityUnits: 'byte * 2^30' });
    const one = write(def);
    const folded = items(one.env).find((i) => i.resource.properties.InstanceID === 'sasd1')!;
    expect(folded.element).toBe('Item');
    expect(folded.resource.properties.Access).toBeUndefined();
    expect(folded.resource.properties.AllocationUnits).toBe('byte * 2^30');
    expect(one.notes.map((n) => n.message)).toContain(
      'Resource "sasd1": property Access has no place in an OVF Item; dropped',
    );
    expect(schemaValid(one.xml, 'sasd-folded')).toBe(true);
  });

  it('Connection is written for NICs only: a serial port’s file is said and dropped, never a network', () => {
    const def = buildDefinition(spec({ nics: [{ network: 'lan' }] }));
    const serial = def.resources.find((r) => r.properties.ResourceType === '21')!;
    serial.properties.Connection = ['/tmp/console.log'];
    const { env, notes } = write(def);
    expect(findSection(env.sections, 'NetworkSection')!.networks.map((n) => n.name)).toEqual(['lan']);
    expect(
      items(env).find((i) => i.resource.properties.ResourceType === '21')!.resource.properties.Connection,
    ).toBeUndefined();
    expect(notes).toEqual([
      {
        code: 'SERIAL',
        message: `Resource "${serial.properties.InstanceID}": Connection ["/tmp/console.log"] is not a network, which is all OVF reads there; dropped`,
      },
    ]);
  });

  it('MACs are written only when kept', () => {
    const def = buildDefinition(spec({ nics: [{ network: 'lan', mac: '52:54:00:aa:bb:cc' }] }));
    const nic = (o: Partial<SystemDescriptorOptions>) =>
      items(write(def, o).env).find((i) => i.resource.properties.ResourceType === '10')!.resource.properties;
    expect(nic({}).Address).toBeUndefined();
    expect(nic({ keepMacs: true }).Address).toBe('52:54:00:aa:bb:cc');
  });

  it('vmware: a virtio-blk controller becomes PVSCSI, and the disk at slot 7 (the HBA’s own id) moves', () => {
    const disks = Array.from({ length: 9 }, (_, i) => `/i/d${i}.qcow2`);
    const def = buildDefinition(spec({ disks, diskBus: 'virtio' }));
    const { env, notes, xml } = write(def, { target: 'vmware' });
    const ctl = items(env).filter((i) => ['6', '20'].includes(i.resource.properties.ResourceType ?? ''));
    expect(ctl.map((c) => c.resource.properties.ResourceSubType)).toEqual(['VirtualSCSI']);
    const slots = items(env)
      .filter((i) => i.resource.properties.ResourceType === '17')
      .map((i) => Number(i.resource.properties.AddressOnParent));
    expect(new Set(slots).size).toBe(9);
    expect(slots).not.toContain(7);
    expect(notes.some((n) => n.code === 'CONTROLLER' && /slot 7 of VMware PVSCSI/.test(n.message))).toBe(
      true,
    );
    expect(validateOvf(parseOvf(xml), { target: 'vmware' }).filter((d) => d.severity === 'error')).toEqual(
      [],
    );
    expect(schemaValid(xml, 'vmware-pvscsi')).toBe(true);
  });

  it('vmware and virtualbox: a drive with no controller is given one the platform has', () => {
    const def: VirtualSystemDefinition = {
      system: { ElementName: 'loose' },
      resources: [
        {
          cimClass: 'CIM_ResourceAllocationSettingData',
          properties: { InstanceID: '1', ResourceType: '17' },
        },
        {
          cimClass: 'CIM_ResourceAllocationSettingData',
          properties: { InstanceID: '2', ResourceType: '15' },
        },
      ],
    };
    for (const target of ['vmware', 'virtualbox'] as const) {
      const { env, xml } = write(def, { target });
      const byId = new Map(items(env).map((i) => [i.resource.properties.InstanceID, i.resource.properties]));
      const parentOf = (id: string) => byId.get(byId.get(id)!.Parent!)!;
      expect(parentOf('1'), target).toMatchObject({ ResourceType: '6', ResourceSubType: 'lsilogic' });
      expect(parentOf('2').ResourceType, target).toBe('6'); // the CD joins the HBA added for the disk
      expect(byId.get('2')!.AddressOnParent).toBe('1');
      expect(validateOvf(parseOvf(xml), { target }).filter((d) => d.severity === 'error')).toEqual([]);
    }
  });

  it('generic keeps the definition’s spellings and places; vendor targets mark extras optional', () => {
    const def = buildDefinition(spec({ disks: ['/a'], diskBus: 'virtio', graphics: 'vnc' }));
    const g = items(write(def).env);
    expect(
      g.find((i) => i.resource.properties.ResourceType === '20')!.resource.properties.ResourceSubType,
    ).toBe('virtio');
    expect(g.every((i) => i.required === undefined)).toBe(true);
    const v = items(write(def, { target: 'virtualbox' }).env);
    expect(v.find((i) => i.resource.properties.ResourceType === '21')!.required).toBe('false');
  });
});
