import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../../test/helpers/cli.js';
import { readDevices } from '../model/index.js';
import { parseOvf, validateOvf } from '../ovf/index.js';
import { PackageBuilder } from './build.js';
import { convert, readPackage, writePackage } from './convert.js';
import { FormatError } from './errors.js';
import type { FormatName, SystemPackage } from './types.js';
import { Warnings } from './warnings.js';

/** Regressions of issue 11 (conversion) and of the device words each format reads and writes. */
const FIX = join(ROOT, 'test', 'fixtures', 'formats', 'inputs');
const web1 = readFileSync(join(FIX, 'web1.ovf'), 'utf8');

/** web1.ovf with its SCSI controller's and first NIC's subtypes replaced. */
const withSubtypes = (scsi: string, nic: string) =>
  web1
    .replace(
      '<rasd:ResourceSubType>VirtualSCSI</rasd:ResourceSubType>',
      `<rasd:ResourceSubType>${scsi}</rasd:ResourceSubType>`,
    )
    .replace(
      '<rasd:ResourceSubType>VmxNet3</rasd:ResourceSubType>',
      `<rasd:ResourceSubType>${nic}</rasd:ResourceSubType>`,
    );

/** The package a conversion's output reads back as. */
function back(output: string, from: FormatName): SystemPackage {
  return readPackage(output, from, { to: 'ovf' }, new Warnings());
}

describe('issue 11: the vmx round trip keeps serial ports off the networks', () => {
  it('OVF -> vmx -> OVF: the serial port gets no rasd:Connection, and the descriptor validates', () => {
    const vmx = convert(web1, { to: 'vmx' }).output;
    expect(vmx).toContain('serial0.fileName = "serial0.log"');
    const ovf = convert(vmx, { from: 'vmx', to: 'ovf', imageInfo: () => ({ capacityBytes: 1n << 30n }) });
    const env = parseOvf(ovf.output);
    const errors = validateOvf(env).filter((d) => d.severity === 'error');
    expect(errors.map((d) => d.code)).not.toContain('OVF_UNRESOLVED_NETWORK');
    const serial = readDevices(back(ovf.output, 'ovf').definition).serials[0];
    expect(serial?.backend).toBeUndefined();
    expect(ovf.output).not.toContain('<rasd:Connection>serial0.log</rasd:Connection>');
    expect(ovf.warnings).toContainEqual({
      code: 'SERIAL',
      message:
        'Resource "12": Connection ["serial0.log"] is not a network, which is all OVF reads there; dropped',
    });
  });

  it('NICs keep their networks in OVF, and vmx writes a serial backend by its kind', () => {
    const b = new PackageBuilder({ ElementName: 's' });
    b.cpus(1);
    b.memory(1n << 30n);
    b.nic('e1000', 'lan');
    for (const backend of ['telnet://:9001', '\\\\.\\pipe\\com1', '/dev/ttyS0', 'out.log']) b.serial(backend);
    const w = new Warnings();
    const vmx = writePackage(b.build(), 'vmx', { imageDirectory: '/' }, w).output;
    expect(vmx.match(/fileType = "\w+"/g)).toEqual([
      'fileType = "network"',
      'fileType = "pipe"',
      'fileType = "device"',
      'fileType = "file"',
    ]);
    expect(readDevices(back(vmx, 'vmx').definition).serials.map((s) => s.backend)).toEqual([
      'telnet://:9001',
      '\\\\.\\pipe\\com1',
      '/dev/ttyS0',
      'out.log',
    ]);
    const ovf = writePackage(b.build(), 'ovf', { imageDirectory: '/' }, new Warnings()).output;
    expect(ovf).toContain('<rasd:Connection>lan</rasd:Connection>');
    expect(ovf).not.toContain('telnet');
  });
});

describe('issue 11: every ResourceSubType alternative is tried, first first (preferred())', () => {
  it.each([
    ['vmx', 'virtio lsilogic', 'lsilogic', 'VMXNET3 virtio', 'vmxnet3'],
    ['libvirt', 'virtio lsilogic', 'virtio-scsi', 'VMXNET3 virtio', 'vmxnet3'],
    ['vbox', 'virtio lsilogic', 'virtio-scsi', 'VMXNET3 virtio', 'virtio'],
    ['kubevirt', 'buslogic,virtio', 'virtio-scsi', 'VMXNET3 virtio', 'virtio'],
    ['vmx', 'whatever buslogic', 'buslogic', 'Flexible', 'pcnet'],
  ] as const)('%s takes the first kind it has of "%s"', (to, scsi, kind, nic, model) => {
    const r = convert(withSubtypes(scsi, nic), { to });
    const v = readDevices(back(r.output, to).definition);
    expect(v.drives.find((d) => d.slot === 1 && d.kind === 'disk')?.controller?.kind).toBe(kind);
    expect(v.nics[0]?.model).toBe(model);
    expect(
      r.warnings.filter((w) => w.message.includes('"3" written as') || w.message.includes('"10" written as')),
    ).toEqual([]);
  });

  it('a subtype naming nothing known is reported, then written as the target substitutes', () => {
    const r = convert(withSubtypes('whatever', 'bogus'), { to: 'vmx' });
    expect(r.warnings).toContainEqual({
      code: 'CONTROLLER',
      message: 'Controller "3": subtype "whatever" names no model known here; read as LSI Logic',
    });
    expect(r.warnings).toContainEqual({
      code: 'NIC_MODEL',
      message: 'NIC "10": subtype "bogus" names no adapter model known here',
    });
    expect(r.output).toContain('scsi0.virtualDev = "lsilogic"');
    expect(r.output).toContain('ethernet0.virtualDev = "e1000"');
  });
});

describe('issue 11: KubeVirt conversion uses the sizes it is given', () => {
  it("OVF -> KubeVirt sizes a CD-ROM's DataVolume from ovf:size (rounded up to MiB), with no warning", () => {
    const r = convert(web1, { to: 'kubevirt' });
    const vm = parse(r.output) as {
      spec: {
        dataVolumeTemplates: {
          metadata: { name: string };
          spec: { storage: { resources: { requests: { storage: string } } } };
        }[];
      };
    };
    const seed = vm.spec.dataVolumeTemplates.find((t) => t.metadata.name === 'web1-seed');
    expect(seed?.spec.storage.resources.requests.storage).toBe('1Mi');
    expect(r.warnings.some((w) => w.message.includes('size of "seed.iso" is unknown'))).toBe(false);
    expect(r.disks.find((d) => d.kind === 'cdrom')?.capacityBytes).toBe(1n << 20n);
  });

  it('a KubeVirt CD-ROM DataVolume keeps its request through the definition, and qemu-img answers for ISOs too', () => {
    const yaml = readFileSync(join(FIX, 'web1.yaml'), 'utf8')
      .replace(
        'claimName: seed-iso',
        'claimName: seed-iso\n        - name: unused\n          dataVolume:\n            name: web1-seed',
      )
      .replace(
        '        - name: seed\n          persistentVolumeClaim:\n            claimName: seed-iso\n        - name: unused',
        '        - name: seed',
      )
      .replace(
        '  template:\n',
        '    - metadata:\n        name: web1-seed\n      spec:\n        source:\n          upload: {}\n        storage:\n          resources:\n            requests:\n              storage: 3Gi\n  template:\n',
      );
    const pkg = back(yaml, 'kubevirt');
    expect(pkg.files.map((f) => f.sizeBytes)).toEqual([3n << 30n]);
    const again = writePackage(pkg, 'kubevirt', { imageDirectory: '/' }, new Warnings());
    expect(again.output).toContain('storage: 3Gi');
    const asked: string[] = [];
    const r = convert(web1.replace(' ovf:size="366592"', ''), {
      to: 'kubevirt',
      imageInfo: (f) => {
        asked.push(f);
        return f === 'seed.iso' ? { capacityBytes: 5n << 20n } : undefined;
      },
    });
    expect(asked).toContain('seed.iso');
    expect(r.output).toContain('storage: 5Mi');
  });
});

describe('issue 11: sizes are written in the largest exact unit (quantityProperties)', () => {
  it('OVF disk capacities and Hyper-V disk sizes, read back exactly', () => {
    const b = new PackageBuilder({ ElementName: 'u' });
    b.cpus(1);
    b.memory((1n << 30n) + (4n << 10n));
    const ctl = b.controller('lsilogic', 0);
    b.disk(ctl, 0, { file: 'a.vhdx', capacityBytes: 512n << 20n, format: 'vhdx' });
    b.disk(ctl, 1, { file: 'b.vhdx', capacityBytes: (3n << 30n) + 512n, format: 'vhdx' });
    const pkg = b.build();
    expect(pkg.definition.resources[1]?.properties).toMatchObject({
      VirtualQuantity: '1048580',
      AllocationUnits: 'byte * 2^10',
    });
    const ovf = writePackage(pkg, 'ovf', { imageDirectory: '/' }, new Warnings()).output;
    expect(ovf).toContain('ovf:capacity="512" ovf:capacityAllocationUnits="byte * 2^20"');
    expect(ovf).toContain('ovf:capacity="3221225984" ovf:capacityAllocationUnits="byte"');
    const hv = writePackage(pkg, 'hyperv', { imageDirectory: '/' }, new Warnings()).output;
    expect(hv).toContain('<VALUE>byte*2^20</VALUE>');
    expect(back(hv, 'hyperv').disks.map((d) => d.capacityBytes)).toEqual([512n << 20n, (3n << 30n) + 512n]);
  });
});

describe('device words each format reads', () => {
  const vmx = (extra: string) =>
    `config.version = "8"\ndisplayName = "x"\nnumvcpus = "1"\nmemsize = "512"\n${extra}`;

  it("reads libvirt's lsisas1078 as MegaRAID SAS, not the LSI SAS 1068", () => {
    const xml =
      '<domain type="kvm"><name>x</name><memory unit="MiB">64</memory><devices><controller type="scsi" index="0" model="lsisas1078"/><controller type="scsi" index="1" model="lsisas1068"/></devices></domain>';
    const v = readDevices(back(xml, 'libvirt').definition);
    expect(v.controllers.map((c) => [c.kind, c.subType])).toEqual([
      ['megasas', 'megasas'],
      ['lsisas', 'lsilogicsas'],
    ]);
  });

  it("reads vmx's vmxnet as VMware vmxnet, not VMXNET3, and keeps unknown models with a warning", () => {
    const w = new Warnings();
    const pkg = readPackage(
      vmx(
        'ethernet0.present = "TRUE"\nethernet0.virtualDev = "Vmxnet"\nethernet1.present = "TRUE"\nethernet1.virtualDev = "vmxnet3"\nethernet2.present = "TRUE"\nethernet2.virtualDev = "quantum"\n',
      ),
      'vmx',
      { to: 'ovf' },
      w,
    );
    const v = readDevices(pkg.definition);
    expect(v.nics.map((n) => [n.model, n.subType])).toEqual([
      ['vmxnet', 'Vmxnet'],
      ['vmxnet3', 'VmxNet3'],
      [undefined, 'quantum'],
    ]);
    expect(w.list).toContainEqual({
      code: 'NIC_MODEL',
      message: 'ethernet2.virtualDev "quantum" is not a NIC model Vessel knows; kept as written',
    });
    expect(
      convert(vmx('ethernet0.present = "TRUE"\nethernet0.virtualDev = "vmxnet"\n'), { to: 'vmx' }).output,
    ).toContain('ethernet0.virtualDev = "vmxnet"');
  });

  it('keeps Hyper-V synthetic SCSI, synthetic and legacy NICs as their own kinds', () => {
    const pkg = back(readFileSync(join(FIX, 'web1.hyperv.xml'), 'utf8'), 'hyperv');
    const v = readDevices(pkg.definition);
    expect(v.controllers.filter((c) => c.kind === 'hyperv-scsi').length).toBeGreaterThan(0);
    expect(v.nics.every((n) => n.model === 'hyperv-synthetic')).toBe(true);
    const b = new PackageBuilder({ ElementName: 'h' });
    b.cpus(1);
    b.memory(1n << 30n);
    b.nic('dec21140', 'lan');
    const hv = writePackage(
      b.firmware('bios').build(),
      'hyperv',
      { imageDirectory: '/' },
      new Warnings(),
    ).output;
    expect(hv).toContain('Msvm_EmulatedEthernetPortSettingData');
    expect(readDevices(back(hv, 'hyperv').definition).nics[0]?.model).toBe('dec21140');
    const gen2 = new Warnings();
    writePackage(b.firmware('efi').build(), 'hyperv', { imageDirectory: '/' }, gen2);
    expect(
      gen2.list.some(
        (w) => w.code === 'NIC_MODEL' && w.message.startsWith('Hyper-V generation 2 (EFI) has no DEC 21140'),
      ),
    ).toBe(true);
  });

  it('reports unknown controller and adapter words of vbox, libvirt and KubeVirt, keeping the adapter word', () => {
    const read = (input: string, from: FormatName) => {
      const w = new Warnings();
      const pkg = readPackage(input, from, { to: 'ovf' }, w);
      return {
        codes: w.list.map((x) => x.code),
        subTypes: readDevices(pkg.definition).nics.map((n) => n.subType),
      };
    };
    expect(
      read(
        '<domain type="kvm"><name>x</name><memory unit="MiB">64</memory><devices><controller type="scsi" model="ncr53c90"/><interface type="network"><source network="n"/><model type="fancy"/></interface></devices></domain>',
        'libvirt',
      ),
    ).toEqual({ codes: ['CONTROLLER', 'NIC_MODEL'], subTypes: ['fancy'] });
    expect(
      read(
        '<VirtualBox xmlns="http://www.virtualbox.org/"><Machine name="x"><Hardware><Memory RAMSize="64"/><Network><Adapter slot="0" enabled="true" type="I82559"><NAT/></Adapter></Network></Hardware><StorageControllers><StorageController name="X" type="Floppy9000"/></StorageControllers></Machine></VirtualBox>',
        'vbox',
      ),
    ).toEqual({ codes: ['CONTROLLER', 'NIC_MODEL'], subTypes: ['I82559'] });
    const kube = readFileSync(join(FIX, 'web1.yaml'), 'utf8').replace('model: e1000e', 'model: igb');
    expect(read(kube, 'kubevirt').codes).toContain('NIC_MODEL');
    expect(read(kube, 'kubevirt').subTypes).toContain('igb');
  });
});

describe('one slot table per format, read and written alike', () => {
  const vmx = (unit: number) =>
    `config.version = "8"\ndisplayName = "x"\nmemsize = "512"\nnvme0.present = "TRUE"\nnvme0:${unit}.present = "TRUE"\nnvme0:${unit}.fileName = "a.vmdk"\n`;

  it('VMware NVMe has 15 namespaces: unit 14 reads, 15 is refused with the line', () => {
    expect(readDevices(back(vmx(14), 'vmx').definition).drives[0]?.slot).toBe(14);
    try {
      back(vmx(15), 'vmx');
      expect.unreachable('nvme0:15 must be refused');
    } catch (e) {
      expect(e).toBeInstanceOf(FormatError);
      expect((e as FormatError).code).toBe('FORMAT_INVALID');
      expect((e as FormatError).message).toBe('nvme0 unit (NVMe) is 15, outside 0..14');
      expect((e as FormatError).location?.line).toBe(5);
    }
  });

  it.each([
    ['vmx', 'nvme', 20, 0, 'slot 20 of NVMe controller "3" is not available on VMware', 'NVMe'],
    ['vmx', 'ahci', 20, 20, undefined, 'SATA (AHCI)'],
    [
      'libvirt',
      'ahci',
      10,
      0,
      'slot 10 of SATA (AHCI) controller "3" is not available on libvirt',
      'SATA (AHCI)',
    ],
    ['vbox', 'nvme', 200, 200, undefined, 'NVMe'],
    ['vmx', 'lsilogic', 7, 0, 'slot 7 of LSI Logic controller "3" is not available on VMware', 'LSI Logic'],
  ] as const)('%s: a %s disk at slot %i is written at slot %i', (to, kind, slot, want, moved, name) => {
    const b = new PackageBuilder({ ElementName: 's' });
    b.cpus(1);
    b.memory(1n << 30n);
    b.disk(b.controller(kind, 0), slot, { file: 'a.img', capacityBytes: 1n << 30n, format: 'raw' });
    const w = new Warnings();
    const out = writePackage(b.build(), to, { imageDirectory: '/' }, w).output;
    expect(readDevices(back(out, to).definition).drives[0]?.slot).toBe(want);
    const warned = w.list.filter((x) => x.code === 'DISK_POSITION').map((x) => x.message);
    expect(warned).toEqual(
      moved === undefined ? [] : [`Drive "4": ${moved}; attached to ${name} controller "3" at slot ${want}`],
    );
  });
});
