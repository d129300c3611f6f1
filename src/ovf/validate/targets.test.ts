import { describe, expect, it } from 'vitest';
import {
  CPU,
  DISK,
  descriptor,
  FILES,
  ITEMS,
  MEMORY,
  NIC,
  SCSI,
  SYSTEM,
} from '../../../test/fixtures/ovf/descriptor.js';
import { codesOf, type Expected, expectFinding } from '../../../test/fixtures/ovf/expect.js';
import type { OvfTarget } from './context.js';

const SASD = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_StorageAllocationSettingData';
const ovf2 = descriptor({
  envelopeAttrs: `ovf:version="2.0" xmlns:sasd="${SASD}"`,
  items: `${ITEMS.replace(DISK, '')}
      <StorageItem>
        <sasd:HostResource>ovf:/disk/vmdisk1</sasd:HostResource>
        <sasd:InstanceID>4</sasd:InstanceID>
        <sasd:Parent>3</sasd:Parent>
        <sasd:ResourceType>17</sasd:ResourceType>
      </StorageItem>`,
}).replaceAll('http://schemas.dmtf.org/ovf/envelope/1', 'http://schemas.dmtf.org/ovf/envelope/2');
const controller = (rt: number, subtype: string) => `<Item>
        <rasd:InstanceID>9</rasd:InstanceID>
        <rasd:ResourceSubType>${subtype}</rasd:ResourceSubType>
        <rasd:ResourceType>${rt}</rasd:ResourceType>
      </Item>`;
const vmware = (attrs: Partial<Expected> & Pick<Expected, 'code' | 'at'>): Expected => ({
  severity: 'warning',
  options: { target: 'vmware' },
  ...attrs,
});
const vbox = (attrs: Partial<Expected> & Pick<Expected, 'code' | 'at'>): Expected => ({
  severity: 'warning',
  options: { target: 'virtualbox' },
  ...attrs,
});
const qemu = (attrs: Partial<Expected> & Pick<Expected, 'code' | 'at'>): Expected => ({
  severity: 'warning',
  options: { target: 'qemu' },
  ...attrs,
});

const cases: Array<[string, string, Expected]> = [
  [
    'vmware: warns about a VirtualBox hardware family',
    descriptor({ system: SYSTEM.replace('vmx-13', 'virtualbox-2.2') }),
    vmware({ code: 'OVF_TARGET_HARDWARE_FAMILY', at: '<System>', message: 'virtualbox-2.2' }),
  ],
  [
    'vmware: warns about OVF 2 StorageItem',
    ovf2,
    vmware({ code: 'OVF_TARGET_ELEMENT', at: '<StorageItem>', message: 'StorageItem' }),
  ],
  [
    "vmware: warns about VirtualBox's PIIX4 IDE controller",
    descriptor({ items: `${ITEMS}\n      ${controller(5, 'PIIX4')}` }),
    vmware({ code: 'OVF_TARGET_RESOURCE_SUBTYPE', at: '<rasd:ResourceSubType>PIIX4', message: 'PIIX4' }),
  ],
  [
    'vmware: warns about a SATA controller spelled AHCI and names vmware.sata.ahci',
    descriptor({ items: `${ITEMS}\n      ${controller(20, 'AHCI')}` }),
    vmware({ code: 'OVF_TARGET_RESOURCE_SUBTYPE', at: '<rasd:ResourceSubType>AHCI' }),
  ],
  [
    'vmware: warns about virtualization-based security on hardware older than vmx-14',
    descriptor({
      items: `${ITEMS}\n      <vmw:Config ovf:required="false" vmw:key="flags.vbsEnabled" vmw:value="true"/>`,
    }),
    vmware({ code: 'OVF_TARGET_HARDWARE_VERSION', at: '<VirtualHardwareSection', message: 'vmx-13' }),
  ],
  [
    'virtualbox: warns about a memory unit VirtualBox does not match exactly',
    descriptor({ items: [CPU, MEMORY.replace('byte * 2^20', 'byte * 2 ^ 20'), SCSI, DISK, NIC].join('\n') }),
    vbox({
      code: 'OVF_TARGET_UNITS',
      at: '<rasd:AllocationUnits>byte * 2 ^ 20',
      message: 'Invalid allocation unit',
    }),
  ],
  [
    'virtualbox: warns about a required vendor NVRAM Item (RT 32768)',
    descriptor({
      items: `${ITEMS}\n      <Item><rasd:InstanceID>9</rasd:InstanceID><rasd:ResourceType>32768</rasd:ResourceType></Item>`,
    }),
    vbox({ code: 'OVF_TARGET_RESOURCE_TYPE', at: '<Item><rasd:InstanceID>9', message: '32768' }),
  ],
  [
    'virtualbox: warns about a storage controller subtype it cannot read',
    descriptor({ items: `${ITEMS}\n      ${controller(20, 'vmware.floppy')}` }),
    vbox({ code: 'OVF_TARGET_RESOURCE_SUBTYPE', at: '<rasd:ResourceSubType>vmware.floppy' }),
  ],
  [
    'virtualbox: warns about chunked files',
    descriptor({ files: FILES.replace('/>', ' ovf:chunkSize="524288"/>') }),
    vbox({ code: 'OVF_TARGET_FEATURE', at: '<File', message: 'chunked' }),
  ],
  [
    'qemu: warns that virt-v2v and Proxmox read memory as MiB whatever the units',
    descriptor({
      items: [
        CPU,
        MEMORY.replace('>512<', '>1<').replace('byte * 2^20', 'byte * 2^30'),
        SCSI,
        DISK,
        NIC,
      ].join('\n'),
    }),
    qemu({ code: 'OVF_TARGET_UNITS', at: '<rasd:AllocationUnits>byte * 2^30', message: 'MiB' }),
  ],
  [
    'qemu: warns that OVF 2 is not read by virt-v2v and Proxmox',
    ovf2,
    qemu({ code: 'OVF_TARGET_FEATURE', at: '<Envelope', message: 'OVF 2.x' }),
  ],
];

describe('validateOvf() target profiles', () => {
  it.each(cases)('%s', (_name, xml, e) => {
    expectFinding(xml, e);
    // A target only adds warnings: without it the finding is not there.
    expect(codesOf(xml)).not.toContain(e.code);
  });

  it.each(['vmware', 'virtualbox', 'qemu'] as OvfTarget[])(
    'finds nothing for %s in the plain descriptor',
    (target) => {
      expect(codesOf(descriptor(), { target })).toEqual([]);
    },
  );

  it('vmware: accepts a family list that includes a vmx-NN family', () => {
    const xml = descriptor({ system: SYSTEM.replace('vmx-13', 'vmx-10 virtualbox-2.2') });
    expect(codesOf(xml, { target: 'vmware' })).toEqual([]);
  });
});
