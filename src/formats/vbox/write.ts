import { serializeXml, type XmlElement } from '../../xml/index.js';
import { type BootDevice, bootClasses } from '../boot.js';
import { vboxOsType } from '../guest-os.js';
import { baseName } from '../paths.js';
import { SlotMap } from '../slots.js';
import { type TargetController, type TargetView, targetView } from '../target.js';
import type { OutputDisk, SystemPackage } from '../types.js';
import { stableUuid } from '../uuid.js';
import type { Warnings } from '../warnings.js';
import { el } from '../xml-build.js';
import { VBOX_NAMES, VBOX_SLOTS, VBOX_TARGET, VBOX_WORDS } from './words.js';

/** VirtualBox's settings namespace. */
export const VBOX_SETTINGS_NS = 'http://www.virtualbox.org/';
/** The ExtraData key prefix Vessel keeps disk capacities under: `vessel/capacity/{uuid}`. */
export const VBOX_CAPACITY_KEY = 'vessel/capacity/';

const FORMATS: Record<string, string> = { vmdk: 'VMDK', vdi: 'VDI', vhd: 'VHD', raw: 'RAW' };

/** A VirtualBox storage controller: its name, type, and how many ports it offers. */
interface VboxController {
  name: string;
  type: string;
  ports: number;
}

const FLOPPY: VboxController = { name: 'Floppy', type: 'I82078', ports: 1 };

/** The VirtualBox controller of a target controller (one per type), or the floppy controller. */
function vboxController(c: TargetController | undefined): VboxController {
  if (c === undefined) return FLOPPY;
  return { name: VBOX_NAMES[c.kind]!, type: VBOX_WORDS.word(c.kind)!, ports: VBOX_SLOTS.slots(c.kind) ?? 30 };
}

/** `<Boot><Order device>` of a drive or NIC VirtualBox got. */
function bootClass(d: BootDevice): string {
  if ('model' in d) return 'Network';
  return d.kind === 'disk' ? 'HardDisk' : d.kind === 'cdrom' ? 'DVD' : 'Floppy';
}

/**
 * Writes a {@link SystemPackage} as a VirtualBox machine file (.vbox, settings version 1.16, which VirtualBox 6
 * and 7 open): media registry, CPU, memory in MiB, firmware, the boot order (device classes), NICs, serial ports,
 * storage controllers (one of each type; what VirtualBox lacks is `SUBSTITUTES.virtualbox`) with each drive at its
 * port and device. UUIDs are derived from the definition, so the same input gives the same file.
 * Disk capacities, which .vbox files do not hold, are kept in ExtraData; VirtualBox keeps and ignores them.
 */
export function writeVbox(pkg: SystemPackage, warnings: Warnings): { output: string; disks: OutputDisk[] } {
  const v = targetView(pkg, VBOX_TARGET, warnings);
  const ns = (e: XmlElement): XmlElement => {
    e.ns = VBOX_SETTINGS_NS;
    for (const c of e.children) if (c.type === 'element') ns(c);
    return e;
  };
  const media = {
    disks: [] as XmlElement[],
    dvds: [] as XmlElement[],
    floppies: [] as XmlElement[],
    extra: [] as XmlElement[],
  };
  const written = new Set<BootDevice>();
  const { controllers, disks } = storage(v, media, written, warnings);
  const mib = (v.memoryBytes + (1n << 20n) - 1n) >> 20n;
  if (mib << 20n !== v.memoryBytes)
    warnings.add('MEMORY', `VirtualBox sets memory in MiB; ${v.memoryBytes} bytes written as ${mib} MiB`);
  const nics = network(v, written, warnings);
  const boot =
    v.bootOrder.length === 0
      ? []
      : bootClasses(v, (d) => (written.has(d) ? bootClass(d) : undefined), 'VirtualBox', warnings);
  const hardware = el('Hardware', {}, [
    el('CPU', { count: v.cpus }),
    el('Memory', { RAMSize: String(mib) }),
    v.firmware === undefined ? undefined : el('Firmware', { type: v.firmware === 'efi' ? 'EFI' : 'BIOS' }),
    boot.length === 0
      ? undefined
      : el(
          'Boot',
          {},
          boot.map((device, i) => el('Order', { position: i + 1, device })),
        ),
    v.graphics ? el('Display', { controller: 'VMSVGA', VRAMSize: 16 }) : undefined,
    v.usb
      ? el('USB', {}, [el('Controllers', {}, [el('Controller', { name: 'OHCI', type: 'OHCI' })])])
      : undefined,
    el('Network', {}, nics),
    v.serials.length > 0 ? el('UART', {}, uarts(v, warnings)) : undefined,
  ]);
  for (const o of v.others)
    warnings.add('DEVICE', `VirtualBox has no equivalent of resource "${o.instanceId}" (${o.what}); dropped`);
  const machine = el(
    'Machine',
    {
      uuid: `{${v.uuid ?? stableUuid(`${v.name}/machine`)}}`,
      name: v.name,
      OSType: vboxOsType(v.guestOs),
      snapshotFolder: 'Snapshots',
    },
    [
      v.annotation ? el('Description', {}, [v.annotation]) : undefined,
      el('MediaRegistry', {}, [
        media.disks.length ? el('HardDisks', {}, media.disks) : undefined,
        media.dvds.length ? el('DVDImages', {}, media.dvds) : undefined,
        media.floppies.length ? el('FloppyImages', {}, media.floppies) : undefined,
      ]),
      media.extra.length ? el('ExtraData', {}, media.extra) : undefined,
      hardware,
      el('StorageControllers', {}, controllers),
    ],
  );
  const root = ns(el('VirtualBox', { version: '1.16-linux' }, [machine]));
  root.nsDecls.push(['', VBOX_SETTINGS_NS]);
  return { output: serializeXml(root), disks };
}

function network(v: TargetView, written: Set<BootDevice>, warnings: Warnings): XmlElement[] {
  return v.nics.flatMap((n, slot) => {
    if (slot >= 8) {
      warnings.add('DEVICE', `VirtualBox has 8 network adapters; NIC "${n.instanceId}" dropped`);
      return [];
    }
    written.add(n);
    const net = n.network;
    let attachment: XmlElement;
    if (net === undefined || /^nat$/i.test(net)) attachment = el('NAT');
    else if (/^bridged$/i.test(net)) attachment = el('BridgedInterface');
    else if (/^host-?only$/i.test(net)) attachment = el('HostOnlyInterface');
    else {
      warnings.add(
        'NETWORK',
        `VirtualBox has no logical networks; NIC "${n.instanceId}" attached to the internal network "${net}"`,
      );
      attachment = el('InternalNetwork', { name: net });
    }
    const mac = n.mac?.replace(/:/g, '').toUpperCase();
    const type = VBOX_WORDS.word(n.model);
    return [el('Adapter', { slot, enabled: 'true', MACAddress: mac, type }, [attachment])];
  });
}

function uarts(v: TargetView, warnings: Warnings): XmlElement[] {
  const io = [
    ['0x3F8', 4],
    ['0x2F8', 3],
    ['0x3E8', 4],
    ['0x2E8', 3],
  ] as const;
  return v.serials.flatMap((s, slot) => {
    const port = io[slot];
    if (port === undefined) {
      warnings.add('SERIAL', `VirtualBox has 4 serial ports; "${s.instanceId}" dropped`);
      return [];
    }
    const file = s.backend !== undefined && /^(\/|[A-Za-z]:\\)/.test(s.backend) ? s.backend : undefined;
    return [
      el('Port', {
        slot,
        enabled: 'true',
        IOBase: port[0],
        IRQ: port[1],
        hostMode: file ? 'RawFile' : 'Disconnected',
        path: file,
      }),
    ];
  });
}

function storage(
  v: TargetView,
  media: { disks: XmlElement[]; dvds: XmlElement[]; floppies: XmlElement[]; extra: XmlElement[] },
  written: Set<BootDevice>,
  warnings: Warnings,
): { controllers: XmlElement[]; disks: OutputDisk[] } {
  const ctls = new Map<string, { c: VboxController; attached: XmlElement[]; maxPort: number }>();
  const slots = new SlotMap((name) =>
    name === 'IDE' ? 4 : name === 'Floppy' ? 2 : (ctls.get(name)?.c.ports ?? 30),
  );
  const out: OutputDisk[] = [];
  for (const d of v.drives) {
    const c = vboxController(d.controller);
    const entry = ctls.get(c.name) ?? { c, attached: [], maxPort: 0 };
    ctls.set(c.name, entry);
    const ide = c.name === 'IDE';
    const wanted = ide ? (d.controller!.address ?? d.controller!.ordinal) * 2 + d.slot : d.slot;
    const slot = slots.place(c.name, wanted, `Drive "${d.instanceId}"`, warnings);
    if (slot === undefined) continue;
    written.add(d);
    const port = ide ? slot >> 1 : c.name === 'Floppy' ? 0 : slot;
    const device = ide ? slot & 1 : c.name === 'Floppy' ? slot : 0;
    entry.maxPort = Math.max(entry.maxPort, port + 1);
    const uuid = stableUuid(`${v.name}/${d.instanceId}/${d.disk?.id ?? d.file?.id ?? 'empty'}`);
    if (d.kind === 'disk') {
      const disk = d.disk!;
      let location = disk.file ?? `${v.name}-${disk.id}.vdi`;
      let format = FORMATS[disk.format ?? 'vmdk'];
      if (format === undefined) {
        const renamed = `${location.replace(/\.[^./\\]*$/, '')}.vdi`;
        warnings.add(
          'DISK_FORMAT',
          `VirtualBox does not attach ${disk.format} images; "${baseName(location)}" is referenced as "${baseName(renamed)}": convert it with qemu-img convert -O vdi`,
        );
        location = renamed;
        format = 'VDI';
      }
      if (disk.file === undefined)
        warnings.add(
          'DISK_FORMAT',
          `Disk "${disk.id}" is blank; create "${location}" before starting the machine`,
        );
      media.disks.push(el('HardDisk', { uuid: `{${uuid}}`, location, format, type: 'Normal' }));
      if (disk.capacityBytes !== undefined)
        media.extra.push(
          el('ExtraDataItem', { name: `${VBOX_CAPACITY_KEY}{${uuid}}`, value: String(disk.capacityBytes) }),
        );
      entry.attached.push(
        el('AttachedDevice', { type: 'HardDisk', hotpluggable: 'false', port, device }, [
          el('Image', { uuid: `{${uuid}}` }),
        ]),
      );
      out.push({
        source: disk.file,
        target: location,
        capacityBytes: disk.capacityBytes,
        format: format.toLowerCase(),
        kind: 'disk',
      });
      continue;
    }
    const list = d.kind === 'cdrom' ? media.dvds : media.floppies;
    if (d.file) {
      list.push(el('Image', { uuid: `{${uuid}}`, location: d.file.file }));
      out.push({ source: d.file.file, target: d.file.file, kind: d.kind });
    }
    entry.attached.push(
      el(
        'AttachedDevice',
        {
          passthrough: d.kind === 'cdrom' ? 'false' : undefined,
          type: d.kind === 'cdrom' ? 'DVD' : 'Floppy',
          hotpluggable: 'false',
          port,
          device,
        },
        [d.file ? el('Image', { uuid: `{${uuid}}` }) : undefined],
      ),
    );
  }
  const controllers = [...ctls.values()].map(({ c, attached, maxPort }) =>
    el(
      'StorageController',
      {
        name: c.name,
        type: c.type,
        PortCount: c.name === 'IDE' ? 2 : c.name === 'Floppy' ? 1 : Math.max(maxPort, 1),
        useHostIOCache: c.name === 'IDE' || c.name === 'Floppy' ? 'true' : 'false',
        Bootable: 'true',
      },
      attached,
    ),
  );
  return { controllers, disks: out };
}
