import { describe, expect, test } from 'vitest';
import { type OvfDisk, parseOvf } from '../ovf/index.js';
import { adapterOf } from './stream-disk.js';

/** A descriptor with one disk on a controller of the given ResourceType and subtype. */
function withController(type: string, subtype?: string) {
  const sub = subtype ? `<rasd:ResourceSubType>${subtype}</rasd:ResourceSubType>` : '';
  const env = parseOvf(`<?xml version="1.0"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
  xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData">
  <References><File ovf:id="f1" ovf:href="d.vmdk"/></References>
  <DiskSection><Info>d</Info><Disk ovf:diskId="vmdisk1" ovf:fileRef="f1" ovf:capacity="1"/></DiskSection>
  <VirtualSystem ovf:id="vm"><Info>vm</Info>
    <VirtualHardwareSection><Info>hw</Info>
      <Item><rasd:ElementName>c</rasd:ElementName><rasd:InstanceID>3</rasd:InstanceID>${sub}<rasd:ResourceType>${type}</rasd:ResourceType></Item>
      <Item><rasd:ElementName>d</rasd:ElementName><rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource><rasd:InstanceID>4</rasd:InstanceID><rasd:Parent>3</rasd:Parent><rasd:ResourceType>17</rasd:ResourceType></Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>`);
  const section = env.sections.find((s) => s.kind === 'DiskSection');
  const disk = (section?.kind === 'DiskSection' ? section.disks[0] : undefined) as OvfDisk;
  return { env, disk };
}

describe('adapterOf()', () => {
  test.each([
    ['5', undefined, 'ide'],
    ['6', 'buslogic', 'buslogic'],
    ['6', 'lsilogic', 'lsilogic'],
    ['6', 'VirtualSCSI', 'lsilogic'],
    ['20', 'AHCI', 'lsilogic'],
    ['6', 'buslogic,lsilogic', 'buslogic'],
    ['6', 'virtio lsilogic', 'lsilogic'],
  ])('a disk on a ResourceType %s controller (%s) gets ddb.adapterType %s', (type, sub, adapter) => {
    const { env, disk } = withController(type, sub);
    expect(adapterOf(env, disk)).toBe(adapter);
  });
});
