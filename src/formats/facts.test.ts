import { describe, expect, it } from 'vitest';
import {
  bootOrderOf,
  CONTROLLER_KINDS,
  CONTROLLERS,
  type ControllerKind,
  type DriveDevice,
  type Firmware,
  NIC_MODELS,
  type NicDevice,
  readDevices,
  SUBSTITUTES,
} from '../model/index.js';
import { PackageBuilder } from './build.js';
import { readPackage, writePackage } from './convert.js';
import { hypervTarget } from './hyperv/words.js';
import { KUBEVIRT_TARGET } from './kubevirt/words.js';
import { LIBVIRT_TARGET } from './libvirt/words.js';
import { baseName } from './paths.js';
import type { FormatTarget } from './target.js';
import type { FormatName, SystemPackage } from './types.js';
import { VBOX_TARGET } from './vbox/words.js';
import { VMX_TARGET } from './vmx/words.js';
import { Warnings } from './warnings.js';

/**
 * Every model fact through every native format, compared over the device view (readDevices): controller kinds,
 * NIC models, slots and IDE channels, firmware, boot order, MACs, networks, disk and CD sizes. Each format is given
 * every kind and model its own table has, so that nothing may change on the way; what it lacks is the subject of
 * the substitution tests.
 */

interface Case {
  format: FormatName;
  target: FormatTarget;
  firmware: Firmware;
  /** `exact`: per-device boot order; `classes`: device classes; `none`: the format cannot take one. */
  boot: 'exact' | 'classes' | 'none';
  ext: string;
}

const CASES: Case[] = [
  { format: 'vmx', target: VMX_TARGET, firmware: 'efi', boot: 'classes', ext: 'vmdk' },
  { format: 'vmx', target: VMX_TARGET, firmware: 'bios', boot: 'classes', ext: 'vmdk' },
  { format: 'libvirt', target: LIBVIRT_TARGET, firmware: 'efi', boot: 'exact', ext: 'qcow2' },
  { format: 'libvirt', target: LIBVIRT_TARGET, firmware: 'bios', boot: 'exact', ext: 'qcow2' },
  { format: 'vbox', target: VBOX_TARGET, firmware: 'efi', boot: 'classes', ext: 'vdi' },
  { format: 'vbox', target: VBOX_TARGET, firmware: 'bios', boot: 'classes', ext: 'vdi' },
  { format: 'hyperv', target: hypervTarget(false), firmware: 'bios', boot: 'classes', ext: 'vhdx' },
  { format: 'hyperv', target: hypervTarget(true), firmware: 'efi', boot: 'none', ext: 'vhdx' },
  { format: 'kubevirt', target: KUBEVIRT_TARGET, firmware: 'efi', boot: 'exact', ext: 'qcow2' },
  { format: 'kubevirt', target: KUBEVIRT_TARGET, firmware: 'bios', boot: 'exact', ext: 'qcow2' },
];

const mac = (i: number) => `52:54:00:00:10:${String(i).padStart(2, '0')}`;

/** Two slots a kind offers on the target, the second for a CD: order-only kinds take 0 and 1. */
function slotsFor(target: FormatTarget, kind: ControllerKind): [number, number] {
  const n = target.slots.slots(kind);
  if (n === undefined) return [0, 1];
  const free = [3, 4, 5, 6, 8, 9, 0, 1].filter((s) => s < n && !target.slots.reserved(kind, s));
  return [free[0]!, free[1]!];
}

/** A definition with every controller kind and NIC model the target has, a disk (and a CD) on each. */
function sample(c: Case): { pkg: SystemPackage; bootable: (id: string) => boolean } {
  const b = new PackageBuilder({ ElementName: 'facts' });
  b.cpus(2);
  b.memory(1536n << 20n);
  const kinds = CONTROLLER_KINDS.filter((k) => k !== 'usb' && c.target.words.has(k));
  const perBus = new Map<string, number>();
  const disks: string[] = [];
  const cds: string[] = [];
  const ide: string[] = [];
  let n = 0;
  for (const kind of kinds) {
    const channels = kind === 'ide' ? [0, 1] : [undefined];
    for (const channel of channels) {
      const bus = CONTROLLERS[kind].bus;
      const address = channel ?? perBus.get(bus) ?? 0;
      perBus.set(bus, address + 1);
      const ctl = b.controller(kind, kind === 'virtio-blk' ? undefined : address);
      const [s1, s2] = slotsFor(c.target, kind);
      n++;
      const disk = b.disk(ctl, kind === 'ide' ? channel : s1, {
        file: `d${n}.${c.ext}`,
        capacityBytes: BigInt(n) << 30n,
        format: c.ext === 'vhdx' ? 'vhdx' : c.ext,
      });
      disks.push(disk);
      if (kind === 'ide') ide.push(disk);
      if (c.target.slots.cdrom(kind))
        cds.push(b.cdrom(ctl, kind === 'ide' ? 1 - channel! : s2, `cd${n}.iso`));
    }
  }
  const nics = NIC_MODELS.filter((m) => c.target.words.has(m)).map((m, i) => b.nic(m, `net${i}`, mac(i)));
  const gen1 = c.format === 'hyperv' && c.boot === 'classes';
  const bootDisks = gen1 ? ide : disks;
  const order =
    c.boot === 'exact'
      ? [nics.at(-1)!, cds[0]!, disks.at(-1)!, disks[0]!, nics[0]!]
      : [...cds, ...bootDisks, ...nics];
  const pkg = b.firmware(c.firmware).bootOrder(order).build();
  return { pkg, bootable: (id) => order.includes(id) };
}

/** The facts of a package, keyed by what survives every format: image file names (libvirt makes them absolute) and MACs. */
function facts(pkg: SystemPackage) {
  const v = readDevices(pkg.definition);
  const disks = new Map(pkg.disks.map((d) => [d.id, d]));
  const files = new Map(pkg.files.map((f) => [f.id, f]));
  const id = (d: DriveDevice) =>
    d.image?.kind === 'ovf-disk' || d.image?.kind === 'ovf-file' ? d.image.id : '';
  const key = (d: DriveDevice | NicDevice) =>
    d.device === 'nic'
      ? d.mac
      : baseName((d.kind === 'disk' ? disks.get(id(d)) : files.get(id(d)))?.file ?? '');
  return {
    cpus: v.system.cpus,
    memoryBytes: v.system.memoryBytes,
    firmware: v.system.firmware,
    drives: v.drives
      .map((d) => ({
        key: key(d),
        kind: d.controller?.kind,
        slot: d.slot,
        channel: d.controller?.kind === 'ide' ? d.controller.address : undefined,
        capacity: disks.get(id(d))?.capacityBytes,
      }))
      .sort((a, b) => String(a.key).localeCompare(String(b.key))),
    nics: v.nics.map((x) => ({ model: x.model, mac: x.mac, network: x.network })),
    boot: v.system.bootOrder.length === 0 ? [] : bootOrderOf(v).map(key),
  };
}

function trip(c: Case, pkg: SystemPackage) {
  const warnings = new Warnings();
  const { output } = writePackage(pkg, c.format, { imageDirectory: '/images' }, warnings);
  const back = readPackage(output, c.format, { to: 'ovf' }, new Warnings());
  return { back, warnings: warnings.list };
}

describe('every model fact survives a trip through each native format', () => {
  it.each(CASES.map((c) => [`${c.format} (${c.target.name}, ${c.firmware})`, c] as const))(
    '%s keeps kinds, models, slots, firmware, boot order, MACs, networks and sizes',
    (_name, c) => {
      const { pkg } = sample(c);
      const before = facts(pkg);
      expect(before.drives.length).toBeGreaterThan(0);
      const { back, warnings } = trip(c, pkg);
      const after = facts(back);
      const lossy = warnings.filter((w) =>
        ['CONTROLLER', 'NIC_MODEL', 'DISK_POSITION', 'FIRMWARE'].includes(w.code),
      );
      expect(lossy).toEqual([]);
      expect(after.drives).toEqual(before.drives);
      expect(after.nics).toEqual(before.nics);
      expect({ cpus: after.cpus, memory: after.memoryBytes, firmware: after.firmware }).toEqual({
        cpus: 2,
        memory: 1536n << 20n,
        firmware: c.firmware,
      });
      if (c.boot === 'none') {
        expect(after.boot).toEqual([]);
        expect(warnings.some((w) => w.code === 'BOOT_ORDER')).toBe(true);
      } else {
        expect(after.boot).toEqual(before.boot);
        expect(warnings.filter((w) => w.code === 'BOOT_ORDER')).toEqual([]);
      }
    },
  );

  it('the samples hold every kind and model of each table, and the exact boot orders interleave devices', () => {
    const { pkg } = sample(CASES[2]!);
    const v = readDevices(pkg.definition);
    expect(new Set(v.controllers.map((c) => c.kind))).toEqual(
      new Set(CONTROLLER_KINDS.filter((k) => LIBVIRT_TARGET.words.has(k))),
    );
    expect(v.nics.map((n) => n.model)).toEqual(NIC_MODELS.filter((m) => LIBVIRT_TARGET.words.has(m)));
    expect(bootOrderOf(v).map((d) => d.device)).toEqual(['nic', 'drive', 'drive', 'drive', 'nic']);
  });
});

describe('what a format lacks, it writes as SUBSTITUTES (or its own table) says, and says so', () => {
  const lacking = (t: FormatTarget) => CONTROLLER_KINDS.filter((k) => k !== 'usb' && !t.words.has(k));
  const cases = [
    ['vmx', VMX_TARGET],
    ['vbox', VBOX_TARGET],
    ['kubevirt', KUBEVIRT_TARGET],
    ['libvirt', LIBVIRT_TARGET],
  ] as const;
  it.each(cases.flatMap(([f, t]) => lacking(t).map((k) => [f, k, t] as const)))(
    '%s writes a %s controller as its substitute',
    (format, kind, target) => {
      const b = new PackageBuilder({ ElementName: 's' });
      b.cpus(1);
      b.memory(1n << 30n);
      b.disk(b.controller(kind), 0, { file: 'a.img', capacityBytes: 1n << 30n, format: 'raw' });
      const { back, warnings } = trip(
        { format, target, firmware: 'bios', boot: 'none', ext: 'img' },
        b.build(),
      );
      const got = readDevices(back.definition).drives[0]?.controller?.kind;
      const want = target.producer === undefined ? undefined : SUBSTITUTES[target.producer]?.[kind];
      expect(got).toBe(want ?? target.fallback.local?.[kind] ?? target.fallback.controller);
      expect(warnings.find((w) => w.code === 'CONTROLLER')?.message).toMatch(
        new RegExp(`^${target.name} has no .+ controller; "\\d+" written as `),
      );
    },
  );

  it('settles the lead decisions: VMware PVSCSI for virtio, VirtualBox VirtioSCSI for virtio-blk, KubeVirt virtio-scsi/SATA/virtio', () => {
    const kindIn = (format: FormatName, kind: ControllerKind, target: FormatTarget) => {
      const b = new PackageBuilder({ ElementName: 's' });
      b.cpus(1);
      b.memory(1n << 30n);
      b.disk(b.controller(kind), 0, { file: 'a.img', capacityBytes: 1n << 30n, format: 'raw' });
      const { back } = trip({ format, target, firmware: 'bios', boot: 'none', ext: 'img' }, b.build());
      return readDevices(back.definition).drives[0]?.controller?.kind;
    };
    expect(kindIn('vmx', 'virtio-blk', VMX_TARGET)).toBe('pvscsi');
    expect(kindIn('vmx', 'virtio-scsi', VMX_TARGET)).toBe('pvscsi');
    expect(kindIn('vbox', 'virtio-blk', VBOX_TARGET)).toBe('virtio-scsi');
    for (const scsi of ['lsilogic', 'lsisas', 'buslogic', 'pvscsi', 'megasas', 'hyperv-scsi'] as const)
      expect(kindIn('kubevirt', scsi, KUBEVIRT_TARGET)).toBe('virtio-scsi');
    expect(kindIn('kubevirt', 'ide', KUBEVIRT_TARGET)).toBe('ahci');
    expect(kindIn('kubevirt', 'nvme', KUBEVIRT_TARGET)).toBe('virtio-blk');
    expect(kindIn('libvirt', 'nvme', LIBVIRT_TARGET)).toBe('virtio-blk');
    expect(kindIn('hyperv', 'ahci', hypervTarget(false))).toBe('hyperv-scsi');
  });

  it.each(
    cases.flatMap(([f, t]) => NIC_MODELS.filter((m) => !t.words.has(m)).map((m) => [f, m, t] as const)),
  )('%s writes a %s NIC as its substitute', (format, model, target) => {
    const b = new PackageBuilder({ ElementName: 's' });
    b.cpus(1);
    b.memory(1n << 30n);
    b.nic(model, 'lan', '52:54:00:00:00:01');
    const { back, warnings } = trip(
      { format, target, firmware: 'bios', boot: 'none', ext: 'img' },
      b.build(),
    );
    const want = target.producer === undefined ? undefined : SUBSTITUTES[target.producer]?.[model];
    expect(readDevices(back.definition).nics[0]?.model).toBe(
      want ?? target.fallback.local?.[model] ?? target.fallback.nic,
    );
    expect(warnings.some((w) => w.code === 'NIC_MODEL' && w.message.includes('has no'))).toBe(true);
  });
});
