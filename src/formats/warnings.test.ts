import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../test/helpers/cli.js';
import { CORPUS } from '../../test/helpers/corpus.js';
import { convert } from './convert.js';

/** Warnings name precisely what the target cannot hold. */
const web1 = readFileSync(join(ROOT, 'test', 'fixtures', 'formats', 'inputs', 'web1.ovf'), 'utf8');

describe('what a conversion reports', () => {
  it('raises the vmx hardware version that a SATA controller needs, and says so', () => {
    const r = convert(web1.replace('vmx-14', 'vmx-07'), { to: 'vmx' });
    expect(r.output).toContain('virtualHW.version = "10"');
    expect(r.warnings).toContainEqual({
      code: 'DEVICE',
      message: 'VMware hardware version 7 has no SATA controller; virtualHW.version raised to 10',
    });
  });

  it('reports memory that the target cannot set exactly, with both values', () => {
    const odd = web1.replace(
      '<rasd:VirtualQuantity>1536</rasd:VirtualQuantity>',
      '<rasd:VirtualQuantity>1537</rasd:VirtualQuantity>',
    );
    expect(convert(odd, { to: 'vmx' }).warnings).toContainEqual({
      code: 'MEMORY',
      message: 'VMware sets memory in multiples of 4 MiB; 1611661312 bytes written as 1540 MiB',
    });
    expect(
      convert(odd, { to: 'hyperv' }).warnings.some(
        (w) => w.code === 'MEMORY' && w.message.includes('1538 MiB'),
      ),
    ).toBe(true);
    expect(convert(odd, { to: 'libvirt' }).warnings.some((w) => w.code === 'MEMORY')).toBe(false);
  });

  it('tries every ResourceSubType alternative a producer lists, and names them all when the target has none', () => {
    const csr = readFileSync(join(CORPUS, 'glennmatthews__cot__COT__tests__csr1000v.ovf'));
    // COT writes SCSI as "virtio lsilogic" and NICs as "VMXNET3 virtio": VMware takes the second/first it has.
    const vmx = convert(csr, { to: 'vmx' });
    expect(vmx.output).toContain('scsi0.virtualDev = "lsilogic"');
    expect(vmx.warnings.filter((w) => w.code === 'CONTROLLER' || w.code === 'NIC_MODEL')).toEqual([]);
    const libvirt = convert(csr, { to: 'libvirt' });
    expect(libvirt.output).toContain('model="virtio-scsi"');
    const hyperv = convert(csr, { to: 'hyperv' }).warnings.map((w) => w.message);
    expect(hyperv).toContainEqual(
      expect.stringMatching(/has no virtio-scsi or LSI Logic controller; "3" written as/),
    );
    expect(hyperv).toContainEqual(
      expect.stringMatching(/has no VMXNET3 or virtio-net NIC; NIC "11" written as/),
    );
  });

  it('reports the systems of a VirtualSystemCollection it leaves out', () => {
    const file = join(CORPUS, 'vmware__govmomi__ovf__fixtures__virtualsystemcollection.ovf');
    const r = convert(readFileSync(file), { to: 'libvirt' });
    expect(r.warnings.find((w) => w.code === 'SYSTEMS')?.message).toMatch(
      /^The package holds \d+ virtual systems; libvirt domain XML describes one/,
    );
  });

  it('reports a floppy drive KubeVirt cannot hold, and converting with no floppy reports none', () => {
    const floppy = web1.replace(
      '<Item ovf:required="false">\n        <rasd:AutomaticAllocation>true</rasd:AutomaticAllocation>\n        <rasd:ElementName>Serial port 1</rasd:ElementName>',
      '<Item><rasd:ElementName>Floppy</rasd:ElementName><rasd:InstanceID>20</rasd:InstanceID><rasd:ResourceType>14</rasd:ResourceType></Item>\n      <Item ovf:required="false">\n        <rasd:AutomaticAllocation>true</rasd:AutomaticAllocation>\n        <rasd:ElementName>Serial port 1</rasd:ElementName>',
    );
    expect(convert(floppy, { to: 'kubevirt' }).warnings).toContainEqual({
      code: 'DEVICE',
      message: 'KubeVirt has no floppy drive; "20" dropped',
    });
    expect(convert(web1, { to: 'kubevirt' }).warnings.some((w) => w.message.includes('floppy'))).toBe(false);
    expect(convert(floppy, { to: 'vmx' }).output).toContain('floppy0.present = "TRUE"');
  });
});
