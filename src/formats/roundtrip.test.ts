import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../test/helpers/cli.js';
import { parseOvf } from '../ovf/index.js';
import { convert } from './convert.js';
import { readOvfPackage } from './ovf-read.js';
import { baseName } from './paths.js';
import type { FormatName, SystemPackage } from './types.js';
import { viewSystem } from './view.js';
import { Warnings } from './warnings.js';

/** What a round trip must keep: CPUs, memory bytes, firmware, disks (capacity, bus, slot), CDs, NICs, serial ports, OS. */
function summary(pkg: SystemPackage) {
  const v = viewSystem(pkg, new Warnings());
  const place = (d: (typeof v.drives)[number]) => ({
    bus: d.controller?.bus,
    model: d.controller?.model,
    channel: d.controller?.bus === 'ide' ? (d.controller.address ?? d.controller.index) : undefined,
    position: d.position,
  });
  return {
    cpus: v.cpus,
    memoryBytes: v.memoryBytes,
    firmware: v.firmware,
    disks: v.drives
      .filter((d) => d.kind === 'disk')
      .map((d) => ({ ...place(d), capacity: d.disk?.capacityBytes, file: baseName(d.disk?.file ?? '') })),
    cdroms: v.drives
      .filter((d) => d.kind === 'cdrom')
      .map((d) => ({ ...place(d), file: baseName(d.file?.file ?? '') })),
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
const scsi = (d: Summary['disks'][number], model: string | undefined) => ({ ...d, model });

describe('OVF -> format -> OVF keeps what the format can hold', () => {
  it('the fixture is what the round trips start from', () => {
    expect(original.cpus).toBe(2);
    expect(original.memoryBytes).toBe(1536n << 20n);
    expect(original.disks.map((d) => [d.bus, d.model, d.position, d.capacity])).toEqual([
      ['scsi', 'pvscsi', 0, 16n << 30n],
      ['scsi', 'pvscsi', 1, 4n << 30n],
      ['sata', undefined, 2, 512n << 20n],
    ]);
    expect(original.cdroms).toEqual([
      { bus: 'ide', model: undefined, channel: 1, position: 0, file: 'seed.iso' },
    ]);
  });

  it('vmx keeps everything', () => {
    expect(through('vmx')).toEqual(original);
  });

  it('libvirt keeps everything', () => {
    expect(through('libvirt')).toEqual(original);
  });

  it('vbox keeps all but the pvscsi model (LsiLogic) and the VMXNET3 model (82540EM)', () => {
    expect(through('vbox')).toEqual({
      ...original,
      disks: original.disks.map((d) => (d.bus === 'scsi' ? scsi(d, 'lsilogic') : d)),
      nics: original.nics.map((n) => ({ ...n, model: 'e1000' })),
    });
  });

  it('hyperv keeps CPUs, memory, firmware, capacities, slots, networks and MACs; buses become synthetic SCSI, NIC models go, the OS becomes Other', () => {
    const got = through('hyperv');
    expect(got).toEqual({
      ...original,
      disks: original.disks.map((d) => ({
        ...d,
        bus: 'scsi',
        model: 'lsilogic',
        file: d.file.replace(/\.vmdk$/, '.vhdx'),
      })),
      cdroms: original.cdroms.map((c) => ({ ...c, bus: 'scsi', model: 'lsilogic', channel: undefined })),
      nics: original.nics.map((n) => ({ ...n, model: undefined })),
      osType: 1,
    });
  });

  it('kubevirt keeps CPUs, memory, firmware, capacities, files, networks, MACs and the OS; slots become order, buses virtio-scsi/sata', () => {
    const got = through('kubevirt');
    expect(got).toEqual({
      ...original,
      disks: [
        { ...original.disks[0]!, model: 'virtio-scsi' },
        { ...original.disks[1]!, model: 'virtio-scsi' },
        { ...original.disks[2]!, position: 0 },
      ],
      cdroms: [{ bus: 'sata', model: undefined, channel: undefined, position: 1, file: 'seed.iso' }],
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
