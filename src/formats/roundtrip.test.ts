import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../test/helpers/cli.js';
import { type DriveDevice, readDevices } from '../model/index.js';
import { parseOvf } from '../ovf/index.js';
import { convert } from './convert.js';
import { readOvfPackage } from './ovf-read.js';
import { baseName } from './paths.js';
import type { FormatName, SystemPackage } from './types.js';
import { Warnings } from './warnings.js';

/**
 * What a round trip must keep, read with the model's device view: CPUs, memory bytes, firmware, disks (capacity,
 * controller kind, IDE channel, slot), CDs, NICs (model, network, MAC), serial ports, OS.
 */
function summary(pkg: SystemPackage) {
  const v = readDevices(pkg.definition);
  const disks = new Map(pkg.disks.map((d) => [d.id, d]));
  const files = new Map(pkg.files.map((f) => [f.id, f]));
  const place = (d: DriveDevice) => ({
    kind: d.controller?.kind,
    channel: d.controller?.kind === 'ide' ? (d.controller.address ?? d.controller.ordinal) : undefined,
    slot: d.slot,
  });
  const image = (d: DriveDevice) =>
    d.image?.kind === 'ovf-disk' || d.image?.kind === 'ovf-file' ? d.image.id : '';
  return {
    cpus: v.system.cpus,
    memoryBytes: v.system.memoryBytes,
    firmware: v.system.firmware,
    disks: v.drives
      .filter((d) => d.kind === 'disk')
      .map((d) => {
        const disk = disks.get(image(d));
        return { ...place(d), capacity: disk?.capacityBytes, file: baseName(disk?.file ?? '') };
      }),
    cdroms: v.drives
      .filter((d) => d.kind === 'cdrom')
      .map((d) => ({ ...place(d), file: baseName(files.get(image(d))?.file ?? '') })),
    nics: v.nics.map((n) => ({ model: n.model, network: n.network, mac: n.mac })),
    serials: v.serials.length,
    osType: pkg.guestOs?.osType,
  };
}

const OVF = readFileSync(join(ROOT, 'test', 'fixtures', 'formats', 'inputs', 'web1.ovf'));
const read = (text: string | Buffer) => readOvfPackage(parseOvf(text), { target: 'test' }, new Warnings());
const original = summary(read(OVF));
const through = (to: FormatName) => {
  const there = convert(OVF, { to });
  const back = convert(there.output, { from: to, to: 'ovf' });
  return summary(read(back.output));
};
type Summary = typeof original;
const on = (d: Summary['disks'][number], kind: string | undefined) => ({ ...d, kind });

describe('OVF -> format -> OVF keeps what the format can hold', () => {
  it('the fixture is what the round trips start from', () => {
    expect(original.cpus).toBe(2);
    expect(original.memoryBytes).toBe(1536n << 20n);
    expect(original.disks.map((d) => [d.kind, d.slot, d.capacity])).toEqual([
      ['pvscsi', 0, 16n << 30n],
      ['pvscsi', 1, 4n << 30n],
      ['ahci', 2, 512n << 20n],
    ]);
    expect(original.cdroms).toEqual([{ kind: 'ide', channel: 1, slot: 0, file: 'seed.iso' }]);
    expect(original.nics.map((n) => n.model)).toEqual(['vmxnet3', 'e1000']);
  });

  it('vmx keeps everything', () => {
    expect(through('vmx')).toEqual(original);
  });

  it('libvirt keeps everything', () => {
    expect(through('libvirt')).toEqual(original);
  });

  it('vbox keeps all but the PVSCSI kind (LsiLogic) and the VMXNET3 model (82540EM), as SUBSTITUTES.virtualbox says', () => {
    expect(through('vbox')).toEqual({
      ...original,
      disks: original.disks.map((d) => (d.kind === 'pvscsi' ? on(d, 'lsilogic') : d)),
      nics: original.nics.map((n) => ({ ...n, model: 'e1000' })),
    });
  });

  it('hyperv keeps CPUs, memory, firmware, capacities, slots, networks and MACs; controllers become Hyper-V SCSI, NICs synthetic, the OS Other', () => {
    const got = through('hyperv');
    expect(got).toEqual({
      ...original,
      disks: original.disks.map((d) => ({
        ...on(d, 'hyperv-scsi'),
        file: d.file.replace(/\.vmdk$/, '.vhdx'),
      })),
      cdroms: original.cdroms.map((c) => ({ ...c, kind: 'hyperv-scsi', channel: undefined })),
      nics: original.nics.map((n) => ({ ...n, model: 'hyperv-synthetic' })),
      osType: 1,
    });
  });

  it('kubevirt keeps CPUs, memory, firmware, capacities, files, networks, MACs and the OS; slots become order, kinds virtio-scsi/AHCI', () => {
    const got = through('kubevirt');
    expect(got).toEqual({
      ...original,
      disks: [
        on(original.disks[0]!, 'virtio-scsi'),
        on(original.disks[1]!, 'virtio-scsi'),
        { ...original.disks[2]!, slot: 0 },
      ],
      cdroms: [{ kind: 'ahci', channel: undefined, slot: 1, file: 'seed.iso' }],
      nics: [{ ...original.nics[0]!, model: 'virtio' }, { ...original.nics[1]! }],
    });
  });
});

describe('format -> OVF -> format keeps the definition', () => {
  it.each([
    ['web1.vmx', 'vmx'],
    ['web1.xml', 'libvirt'],
    ['web1.vbox', 'vbox'],
    ['web1.hyperv.xml', 'hyperv'],
    ['web1.yaml', 'kubevirt'],
  ] as const)(
    '%s read back from its own format after a trip through OVF gives the same summary',
    (input, from) => {
      const text = readFileSync(join(ROOT, 'test', 'fixtures', 'formats', 'inputs', input));
      const sizes = (file: string) => ({ capacityBytes: BigInt(file.length) << 30n });
      const ovf = convert(text, { from, to: 'ovf', imageInfo: sizes });
      const direct = summary(read(ovf.output));
      const again = convert(convert(ovf.output, { to: from }).output, { from, to: 'ovf' });
      expect(summary(read(again.output))).toEqual(direct);
    },
  );
});
