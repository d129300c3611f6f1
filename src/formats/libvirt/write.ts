import { serializeXml, type XmlElement } from '../../xml/index.js';
import { busName, type NicModel, type ScsiModel } from '../devices.js';
import { baseName, isAbsolutePath } from '../paths.js';
import { SlotMap } from '../slots.js';
import type { OutputDisk, SystemPackage } from '../types.js';
import { type DriveView, type SystemView, viewSystem } from '../view.js';
import type { Warnings } from '../warnings.js';
import { el } from '../xml-build.js';

/** The namespace of Vessel's own element in a domain's `<metadata>`: guest OS and disk capacities. */
export const VESSEL_LIBVIRT_NS = 'urn:x-vessel:libvirt:1';

const SCSI_MODELS: Record<ScsiModel, string> = {
  lsilogic: 'lsilogic',
  buslogic: 'buslogic',
  lsisas1068: 'lsisas1068',
  pvscsi: 'vmpvscsi',
  'virtio-scsi': 'virtio-scsi',
};

const NIC_MODELS: Record<NicModel, string> = {
  e1000: 'e1000',
  e1000e: 'e1000e',
  vmxnet3: 'vmxnet3',
  pcnet: 'pcnet',
  virtio: 'virtio',
  rtl8139: 'rtl8139',
};

/** Image formats libvirt 9 names as a disk driver type (`vpc` is VHD); others must be converted. */
const LIBVIRT_FORMATS = new Set(['raw', 'qcow2', 'vmdk', 'vdi', 'vhd', 'qed']);

/** Options of {@link writeLibvirt}. */
export interface LibvirtWriteOptions {
  /** Absolute folder that relative image names are placed in (libvirt needs absolute paths). */
  imageDirectory: string;
  /** `kvm` or `qemu` (TCG); default `kvm`. */
  domainType?: 'kvm' | 'qemu';
}

/**
 * Writes a {@link SystemPackage} as a libvirt domain XML (the format `virsh define` reads): memory in KiB, vCPUs,
 * firmware, IDE/SATA/SCSI controllers with drive addresses that keep each disk's bus position, virtio-blk disks,
 * NICs on libvirt networks, serial ports, video and USB. The guest OS and disk capacities, which libvirt has no
 * element for, are kept in Vessel's own `<metadata>` element (libvirt keeps such elements and ignores them).
 */
export function writeLibvirt(
  pkg: SystemPackage,
  options: LibvirtWriteOptions,
  warnings: Warnings,
): { output: string; disks: OutputDisk[] } {
  const v = viewSystem(pkg, warnings);
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
  const devices = el('devices');
  const { disks, controllers } = storage(v, devices, meta, options, warnings);
  devices.children.unshift(...controllers);
  for (const n of v.nics) devices.children.push(nic(n.model, n.network, n.mac, n.instanceId, warnings));
  v.serials.forEach((s, i) => {
    const path = s.connection?.startsWith('/') ? s.connection : undefined;
    devices.children.push(
      el('serial', { type: path ? 'file' : 'pty' }, [
        path ? el('source', { path }) : undefined,
        el('target', { port: i }),
      ]),
    );
  });
  if (v.graphics) devices.children.push(el('video', {}, [el('model', { type: 'vga' })]));
  if (v.usb) devices.children.push(el('controller', { type: 'usb', index: 0 }));
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
    el('os', { firmware: v.firmware === 'efi' ? 'efi' : undefined }, [
      el('type', { arch: 'x86_64' }, ['hvm']),
    ]),
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

function nic(
  model: NicModel | undefined,
  network: string | undefined,
  mac: string | undefined,
  id: string,
  warnings: Warnings,
): XmlElement {
  if (network === undefined)
    warnings.add('NETWORK', `NIC "${id}" names no network; written with user-mode networking`);
  const user = network === undefined || network === 'user';
  return el('interface', { type: user ? 'user' : 'network' }, [
    mac ? el('mac', { address: mac }) : undefined,
    user ? undefined : el('source', { network }),
    el('model', { type: model === undefined ? 'virtio' : NIC_MODELS[model] }),
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

function storage(
  v: SystemView,
  devices: XmlElement,
  meta: XmlElement,
  options: LibvirtWriteOptions,
  warnings: Warnings,
): { disks: OutputDisk[]; controllers: XmlElement[] } {
  const numbers = new SlotMap((bus) => (bus === 'ide' ? 1 : 8));
  const slots = new SlotMap((g) =>
    g.startsWith('ide') ? 4 : g.startsWith('sata') ? 6 : g.startsWith('scsi') ? 16 : 1024,
  );
  const index = new Map<string, { bus: string; n: number }>();
  const controllers: XmlElement[] = [];
  for (const c of v.controllers) {
    if (c.bus === 'virtio' || c.bus === 'nvme') continue;
    if (c.bus === 'ide' && index.size > 0 && [...index.values()].some((x) => x.bus === 'ide')) {
      const first = [...index.values()].find((x) => x.bus === 'ide')!;
      index.set(c.instanceId, first);
      continue;
    }
    const n = numbers.take(c.bus, c.bus === 'ide' ? 0 : (c.address ?? c.index));
    if (n === undefined) continue;
    index.set(c.instanceId, { bus: c.bus, n });
    controllers.push(
      el('controller', {
        type: c.bus,
        index: n,
        model: c.bus === 'scsi' ? SCSI_MODELS[c.model ?? 'lsilogic'] : undefined,
      }),
    );
  }
  const next: Record<string, number> = { sd: 0, vd: 0, fd: 0 };
  const out: OutputDisk[] = [];
  for (const d of v.drives) {
    const placed = address(d, index, slots, warnings);
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
    devices.children.push(
      el('disk', { type: 'file', device: d.kind }, [
        el('driver', { name: 'qemu', type: format === 'vhd' ? 'vpc' : format }),
        path === undefined ? undefined : el('source', { file: path }),
        el('target', { dev, bus: d.kind === 'floppy' ? 'fdc' : placed.bus }),
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
  d: DriveView,
  index: Map<string, { bus: string; n: number }>,
  slots: SlotMap,
  warnings: Warnings,
): { bus: string; slot?: number; address?: XmlElement } {
  if (d.kind === 'floppy')
    return {
      bus: 'fdc',
      address: el('address', { type: 'drive', controller: 0, bus: 0, target: 0, unit: d.position }),
    };
  const c = d.controller!;
  if (c.bus === 'virtio' || c.bus === 'nvme') {
    if (c.bus === 'nvme')
      warnings.add(
        'CONTROLLER',
        `libvirt 9 has no NVMe disk bus; drive "${d.instanceId}" on ${busName(c.bus)} written as virtio-blk`,
      );
    return { bus: 'virtio' };
  }
  const ctl = index.get(c.instanceId)!;
  if (ctl.bus === 'ide') {
    const channel = Math.min(c.address ?? c.index, 1);
    const slot = slots.place('ide0', channel * 2 + d.position, `Drive "${d.instanceId}"`, warnings) ?? 0;
    return {
      bus: 'ide',
      slot,
      address: el('address', { type: 'drive', controller: 0, bus: slot >> 1, target: 0, unit: slot & 1 }),
    };
  }
  const slot = slots.place(`${ctl.bus}${ctl.n}`, d.position, `Drive "${d.instanceId}"`, warnings) ?? 0;
  return {
    bus: ctl.bus,
    slot,
    address: el('address', { type: 'drive', controller: ctl.n, bus: 0, target: 0, unit: slot }),
  };
}
