import { CONTROLLERS } from '../../model/index.js';
import { serializeXml, type XmlElement } from '../../xml/index.js';
import { baseName, isAbsolutePath } from '../paths.js';
import { SlotMap } from '../slots.js';
import {
  type TargetController,
  type TargetDrive,
  type TargetNic,
  type TargetView,
  targetView,
} from '../target.js';
import type { OutputDisk, SystemPackage } from '../types.js';
import type { Warnings } from '../warnings.js';
import { el } from '../xml-build.js';
import { type HostFacts, hostFactElements } from './host-facts.js';
import { LIBVIRT_TARGET, LIBVIRT_WORDS } from './words.js';

/** The namespace of Vessel's own element in a domain's `<metadata>`: guest OS and disk capacities. */
export const VESSEL_LIBVIRT_NS = 'urn:x-vessel:libvirt:1';

/** Image formats libvirt 9 names as a disk driver type (`vpc` is VHD); others must be converted. */
const LIBVIRT_FORMATS = new Set(['raw', 'qcow2', 'vmdk', 'vdi', 'vhd', 'qed']);

/** Options of {@link writeLibvirt}. */
export interface LibvirtWriteOptions {
  /** Absolute folder that relative image names are placed in (libvirt needs absolute paths). */
  imageDirectory: string;
  /** `kvm` or `qemu` (TCG); default `kvm`. */
  domainType?: 'kvm' | 'qemu';
  /**
   * Keep what only a Vessel host needs in Vessel's `<metadata>` element: each resource's InstanceID and the VSSD
   * DiskMode (host-facts.ts; the libvirt driver sets it, conversions do not).
   */
  hostFacts?: boolean;
}

/**
 * Writes a {@link SystemPackage} as a libvirt domain XML (the format `virsh define` reads): memory in KiB, vCPUs,
 * firmware, IDE/SATA/SCSI controllers (the model's kinds in libvirt's words, `LIBVIRT_WORDS`) with drive
 * addresses that keep each disk's slot, virtio-blk disks, NICs on libvirt networks, serial ports, video, USB and a
 * stated boot order as `<boot order>` on each disk and interface. The guest OS and disk capacities, which libvirt
 * has no element for, are kept in Vessel's own `<metadata>` element (libvirt keeps such elements and ignores them).
 */
export function writeLibvirt(
  pkg: SystemPackage,
  options: LibvirtWriteOptions,
  warnings: Warnings,
): { output: string; disks: OutputDisk[] } {
  const v = targetView(pkg, LIBVIRT_TARGET, warnings);
  const meta = el('system', {}, [], VESSEL_LIBVIRT_NS, 'vessel');
  meta.nsDecls.push(['vessel', VESSEL_LIBVIRT_NS]);
  if (v.guestOs) {
    const g = v.guestOs;
    meta.children.push(
      el(
        'os',
        { type: g.osType, description: g.description, vmware: g.vmware, vbox: g.vbox },
        [],
        VESSEL_LIBVIRT_NS,
        'vessel',
      ),
    );
  }
  const bootIndex = new Map(v.bootOrder.map((d, i) => [d, i + 1]));
  const devices = el('devices');
  const facts: HostFacts = { ids: new Map() };
  const { disks, controllers } = storage(v, devices, meta, bootIndex, options, warnings, facts.ids);
  devices.children.unshift(...controllers);
  v.nics.forEach((n, i) => {
    facts.ids.set(`nic:${i}`, n.instanceId);
    devices.children.push(nic(n, bootIndex.get(n), warnings));
  });
  v.serials.forEach((s, i) => {
    facts.ids.set(`serial:${i}`, s.instanceId);
    const path = s.backend?.startsWith('/') ? s.backend : undefined;
    devices.children.push(
      el('serial', { type: path ? 'file' : 'pty' }, [
        path ? el('source', { path }) : undefined,
        el('target', { port: i }),
      ]),
    );
  });
  if (v.graphics) devices.children.push(el('video', {}, [el('model', { type: 'vga' })]));
  if (v.usb) devices.children.push(el('controller', { type: 'usb', index: 0 }));
  if (options.hostFacts === true) {
    const ofType = (t: string) => v.view.definition.resources.find((r) => r.properties.ResourceType === t);
    for (const [key, r] of [
      ['cpu', ofType('3')],
      ['memory', ofType('4')],
    ] as const)
      if (r?.properties.InstanceID !== undefined) facts.ids.set(key, r.properties.InstanceID);
    const video = v.view.graphics[0]?.instanceId;
    if (video !== undefined) facts.ids.set('video', video);
    const usb = v.view.controllers.find((c) => c.kind === 'usb')?.instanceId;
    if (usb !== undefined) facts.ids.set('usb', usb);
    const mode = v.view.definition.system.DiskMode;
    if (typeof mode === 'string' && mode !== '') facts.diskMode = mode;
    meta.children.push(...hostFactElements(facts));
  }
  for (const o of v.others)
    warnings.add('DEVICE', `libvirt has no equivalent of resource "${o.instanceId}" (${o.what}); dropped`);
  const kib = (v.memoryBytes + 1023n) / 1024n;
  if (kib * 1024n !== v.memoryBytes)
    warnings.add('MEMORY', `libvirt sets memory in KiB; ${v.memoryBytes} bytes written as ${kib} KiB`);
  const root = el('domain', { type: options.domainType ?? 'kvm' }, [
    el('name', {}, [v.name.replace(/\//g, '_')]),
    v.uuid ? el('uuid', {}, [v.uuid]) : undefined,
    v.annotation ? el('description', {}, [v.annotation]) : undefined,
    meta.children.length > 0 ? el('metadata', {}, [meta]) : undefined,
    el('memory', { unit: 'KiB' }, [String(kib)]),
    el('vcpu', {}, [String(v.cpus)]),
    el('os', { firmware: v.firmware }, [el('type', { arch: 'x86_64' }, ['hvm'])]),
    el('features', {}, [el('acpi'), el('apic')]),
    devices,
  ]);
  if (v.name.includes('/'))
    warnings.add(
      'ANNOTATION',
      `libvirt names cannot hold "/"; the domain is named "${v.name.replace(/\//g, '_')}"`,
    );
  return { output: serializeXml(root, { declaration: false }), disks };
}

function nic(n: TargetNic, boot: number | undefined, warnings: Warnings): XmlElement {
  if (n.network === undefined)
    warnings.add('NETWORK', `NIC "${n.instanceId}" names no network; written with user-mode networking`);
  const user = n.network === undefined || n.network === 'user';
  return el('interface', { type: user ? 'user' : 'network' }, [
    n.mac ? el('mac', { address: n.mac }) : undefined,
    user ? undefined : el('source', { network: n.network }),
    el('model', { type: LIBVIRT_WORDS.word(n.model) }),
    boot === undefined ? undefined : el('boot', { order: boot }),
  ]);
}

function letters(n: number): string {
  let s = '';
  let i = n;
  do {
    s = String.fromCharCode(97 + (i % 26)) + s;
    i = Math.floor(i / 26) - 1;
  } while (i >= 0);
  return s;
}

/** libvirt's controller elements: one IDE controller (two channels), SATA and SCSI ones by number; virtio-blk none. */
function controllerIndex(
  v: TargetView,
  ids: Map<string, string>,
): {
  index: Map<TargetController, { type: string; n: number }>;
  controllers: XmlElement[];
} {
  const numbers = new SlotMap((type) => (type === 'ide' ? 1 : 8));
  const index = new Map<TargetController, { type: string; n: number }>();
  const controllers: XmlElement[] = [];
  for (const c of v.controllers) {
    if (c.kind === 'virtio-blk') {
      ids.set('virtio', c.instanceId);
      continue;
    }
    const type = CONTROLLERS[c.kind].bus === 'scsi' ? 'scsi' : LIBVIRT_WORDS.word(c.kind)!;
    const ide = [...index.values()].find((x) => x.type === 'ide');
    // The reader makes one IDE controller per channel (`ide:<channel>`), as the model has them.
    if (type === 'ide') ids.set(`ide:${c.address ?? c.ordinal}`, c.instanceId);
    if (type === 'ide' && ide !== undefined) {
      index.set(c, ide);
      continue;
    }
    const n = numbers.take(type, type === 'ide' ? 0 : (c.address ?? c.ordinal));
    if (n === undefined) continue;
    index.set(c, { type, n });
    if (type !== 'ide') ids.set(`${type}:${n}`, c.instanceId);
    controllers.push(
      el('controller', { type, index: n, model: type === 'scsi' ? LIBVIRT_WORDS.word(c.kind) : undefined }),
    );
  }
  return { index, controllers };
}

function storage(
  v: TargetView,
  devices: XmlElement,
  meta: XmlElement,
  bootIndex: Map<TargetDrive | TargetNic, number>,
  options: LibvirtWriteOptions,
  warnings: Warnings,
  ids: Map<string, string>,
): { disks: OutputDisk[]; controllers: XmlElement[] } {
  const { index, controllers } = controllerIndex(v, ids);
  const ideSlots = new SlotMap(() => 4);
  const next: Record<string, number> = { sd: 0, vd: 0, fd: 0 };
  const out: OutputDisk[] = [];
  for (const d of v.drives) {
    const placed = address(d, index, ideSlots, warnings);
    if (placed === undefined) continue;
    const prefix =
      d.kind === 'floppy' ? 'fd' : placed.bus === 'ide' ? 'hd' : placed.bus === 'virtio' ? 'vd' : 'sd';
    const dev = prefix === 'hd' ? `hd${letters(placed.slot ?? 0)}` : `${prefix}${letters(next[prefix]!++)}`;
    const image = d.kind === 'disk' ? d.disk?.file : d.file?.file;
    let format = d.kind === 'disk' ? (d.disk?.format ?? 'raw') : 'raw';
    let named = image;
    if (!LIBVIRT_FORMATS.has(format) && image !== undefined) {
      named = `${image.replace(/\.[^./\\]*$/, '')}.qcow2`;
      warnings.add(
        'DISK_FORMAT',
        `libvirt has no ${format} driver type; "${baseName(image)}" is referenced as "${baseName(named)}": convert it with qemu-img convert -O qcow2`,
      );
      format = 'qcow2';
    }
    const path =
      named === undefined
        ? undefined
        : isAbsolutePath(named)
          ? named
          : `${options.imageDirectory.replace(/\/+$/, '')}/${named}`;
    if (d.kind === 'disk' && image === undefined)
      warnings.add(
        'DISK_FORMAT',
        `Disk "${d.disk?.id}" is blank; libvirt needs an image file, create one for ${dev}`,
      );
    const boot = bootIndex.get(d);
    ids.set(`disk:${dev}`, d.instanceId);
    devices.children.push(
      el('disk', { type: 'file', device: d.kind }, [
        el('driver', { name: 'qemu', type: format === 'vhd' ? 'vpc' : format }),
        path === undefined ? undefined : el('source', { file: path }),
        el('target', { dev, bus: d.kind === 'floppy' ? 'fdc' : placed.bus }),
        boot === undefined ? undefined : el('boot', { order: boot }),
        d.kind === 'cdrom' ? el('readonly') : undefined,
        placed.address,
      ]),
    );
    if (d.kind === 'disk' && d.disk?.capacityBytes !== undefined) {
      meta.children.push(
        el(
          'disk',
          { target: dev, capacity: String(d.disk.capacityBytes), format: d.disk.format },
          [],
          VESSEL_LIBVIRT_NS,
          'vessel',
        ),
      );
    }
    if (path !== undefined) {
      out.push({
        source: image,
        target: path,
        capacityBytes: d.disk?.capacityBytes,
        format: d.kind === 'disk' ? format : undefined,
        kind: d.kind,
      });
    }
  }
  return { disks: out, controllers };
}

function address(
  d: TargetDrive,
  index: Map<TargetController, { type: string; n: number }>,
  ideSlots: SlotMap,
  warnings: Warnings,
): { bus: string; slot?: number; address?: XmlElement } | undefined {
  if (d.kind === 'floppy')
    return {
      bus: 'fdc',
      address: el('address', { type: 'drive', controller: 0, bus: 0, target: 0, unit: d.slot }),
    };
  const c = d.controller!;
  if (c.kind === 'virtio-blk') return { bus: 'virtio' };
  const ctl = index.get(c);
  if (ctl === undefined) return undefined;
  if (ctl.type === 'ide') {
    const channel = c.address ?? c.ordinal;
    const slot = ideSlots.place(
      'the IDE controller',
      channel * 2 + d.slot,
      `Drive "${d.instanceId}"`,
      warnings,
    );
    if (slot === undefined) return undefined;
    return {
      bus: 'ide',
      slot,
      address: el('address', { type: 'drive', controller: 0, bus: slot >> 1, target: 0, unit: slot & 1 }),
    };
  }
  return {
    bus: ctl.type,
    slot: d.slot,
    address: el('address', { type: 'drive', controller: ctl.n, bus: 0, target: 0, unit: d.slot }),
  };
}
