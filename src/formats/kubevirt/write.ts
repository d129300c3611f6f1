import { stringify } from 'yaml';
import { FormatError } from '../errors.js';
import { baseName, printable } from '../paths.js';
import { type TargetDrive, type TargetNic, type TargetView, targetView } from '../target.js';
import type { OutputDisk, SystemPackage } from '../types.js';
import type { Warnings } from '../warnings.js';
import { formatQuantity } from './quantity.js';
import { KUBEVIRT_TARGET, KUBEVIRT_WORDS } from './words.js';

/** Annotation keys Vessel writes on a VirtualMachine for what KubeVirt has no field for. */
export const KV = {
  description: 'description',
  name: 'vessel/name',
  osType: 'vessel/os-type',
  os: 'vessel/os',
  network: 'vessel/network.',
  imageFile: 'vessel/image-file',
  imageFormat: 'vessel/image-format',
} as const;

/** A DNS-1123 label: lower case letters, digits and '-', at most 63, starting and ending with an alphanumeric. */
export function dnsLabel(text: string, fallback: string, max = 63): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, max)
    .replace(/-+$/, '');
  return s === '' ? fallback : s;
}

type Json = Record<string, unknown>;

/**
 * Writes a {@link SystemPackage} as a KubeVirt VirtualMachine manifest (kubevirt.io/v1, YAML) with a DataVolume
 * template per disk and ISO (`source: upload`, sized to the disk's capacity): the disks come with it as a list
 * to upload (`virtctl image-upload dv NAME --no-create --image-path FILE`). CPUs become cores, memory
 * `memory.guest` exactly, firmware the bootloader, the boot order `bootOrder` on disks and interfaces; disk buses
 * map to virtio/sata/scsi in order (KubeVirt has no slots, and what it lacks is `SUBSTITUTES.kubevirt`); NICs go on
 * the pod network or on Multus networks. What KubeVirt has no field for but a round trip needs
 * (the guest OS, original names) is kept in `vessel/*` annotations.
 */
export function writeKubevirt(
  pkg: SystemPackage,
  warnings: Warnings,
): { output: string; disks: OutputDisk[] } {
  const v = targetView(pkg, KUBEVIRT_TARGET, warnings);
  const boot = new Map<TargetDrive | TargetNic, number>(v.bootOrder.map((d, i) => [d, i + 1]));
  const name = dnsLabel(v.name, 'vm');
  const annotations: Record<string, string> = {};
  if (name !== v.name) {
    annotations[KV.name] = v.name;
    warnings.add(
      'ANNOTATION',
      `KubeVirt names are DNS labels; "${printable(v.name)}" is named "${name}" (the name is kept in annotation ${KV.name})`,
    );
  }
  if (v.annotation) annotations[KV.description] = v.annotation;
  if (v.guestOs) {
    annotations[KV.osType] = String(v.guestOs.osType);
    if (v.guestOs.description) annotations[KV.os] = v.guestOs.description;
  }
  const { disks, volumes, templates, out } = storage(v, name, boot, warnings);
  const { interfaces, networks } = nics(v, annotations, boot, warnings);
  if (v.serials.length > 1)
    warnings.add(
      'SERIAL',
      `KubeVirt gives a VM one serial console; ${v.serials.length - 1} more serial port(s) dropped`,
    );
  if (v.usb) warnings.add('DEVICE', 'KubeVirt has no USB controller setting; dropped');
  for (const o of v.others)
    warnings.add('DEVICE', `KubeVirt has no equivalent of resource "${o.instanceId}" (${o.what}); dropped`);
  const firmware: Json = {};
  if (v.uuid) firmware.uuid = v.uuid;
  if (v.firmware === 'efi') firmware.bootloader = { efi: { secureBoot: false } };
  else if (v.firmware === 'bios') firmware.bootloader = { bios: {} };
  const vm = {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name, ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: {
      runStrategy: 'Halted',
      ...(templates.length ? { dataVolumeTemplates: templates } : {}),
      template: {
        metadata: { labels: { 'kubevirt.io/vm': name } },
        spec: {
          domain: {
            cpu: { cores: v.cpus },
            memory: { guest: formatQuantity(v.memoryBytes) },
            ...(Object.keys(firmware).length ? { firmware } : {}),
            devices: {
              autoattachSerialConsole: v.serials.length > 0,
              autoattachGraphicsDevice: v.graphics,
              disks,
              interfaces,
            },
          },
          networks,
          volumes,
        },
      },
    },
  };
  // YAML 1.1 quoting, so that readers on 1.1 (go-yaml) do not take a MAC such as 52:54:00:... for a number.
  return { output: stringify(vm, { lineWidth: 0, version: '1.1' }), disks: out };
}

function storage(
  v: TargetView,
  vm: string,
  boot: Map<TargetDrive | TargetNic, number>,
  warnings: Warnings,
): { disks: Json[]; volumes: Json[]; templates: Json[]; out: OutputDisk[] } {
  const disks: Json[] = [];
  const volumes: Json[] = [];
  const templates: Json[] = [];
  const out: OutputDisk[] = [];
  const names = new Set<string>();
  const perBus = new Map<string, TargetDrive[]>();
  let n = 0;
  for (const d of v.drives) {
    if (d.kind === 'floppy') {
      warnings.add('DEVICE', `KubeVirt has no floppy drive; "${d.instanceId}" dropped`);
      continue;
    }
    const image = d.kind === 'disk' ? d.disk?.file : d.file?.file;
    if (d.kind === 'cdrom' && image === undefined) {
      warnings.add('DEVICE', `KubeVirt has no empty CD-ROM drive; "${d.instanceId}" dropped`);
      continue;
    }
    const bus = KUBEVIRT_WORDS.word(d.controller!.kind)!;
    const list = perBus.get(bus) ?? [];
    list.push(d);
    perBus.set(bus, list);
    const volume = `${d.kind === 'cdrom' ? 'cdrom' : 'disk'}${n++}`;
    const order = boot.get(d);
    disks.push({
      name: volume,
      [d.kind === 'cdrom' ? 'cdrom' : 'disk']: { bus },
      ...(order === undefined ? {} : { bootOrder: order }),
    });
    const stem = dnsLabel(image === undefined ? volume : baseName(image).replace(/\.[^.]*$/, ''), volume);
    let dv = stem.startsWith(vm) ? stem : dnsLabel(`${vm}-${stem}`, `${vm}-${volume}`);
    for (let i = 2; names.has(dv); i++) dv = `${dnsLabel(dv, vm, 58)}-${i}`;
    names.add(dv);
    volumes.push({ name: volume, dataVolume: { name: dv } });
    const size = requestOf(d, image, dv, warnings);
    const ann: Record<string, string> = {};
    if (image !== undefined) ann[KV.imageFile] = image;
    if (d.kind === 'disk' && d.disk?.format) ann[KV.imageFormat] = d.disk.format;
    templates.push({
      metadata: { name: dv, ...(Object.keys(ann).length ? { annotations: ann } : {}) },
      spec: {
        source: image === undefined ? { blank: {} } : { upload: {} },
        storage: { resources: { requests: { storage: formatQuantity(size) } } },
      },
    });
    if (image !== undefined)
      out.push({ source: image, target: dv, capacityBytes: size, format: d.disk?.format, kind: d.kind });
  }
  for (const [bus, list] of perBus) {
    const ordered = list.every(
      (d, i) =>
        d.controller?.kind === 'virtio-blk' ||
        (d.slot === i && list.every((x) => x.controller === list[0]!.controller)),
    );
    if (!ordered)
      warnings.add(
        'DISK_POSITION',
        `KubeVirt has no controller slots; the ${bus} drives (${list.map((d) => d.instanceId).join(', ')}) are attached in definition order`,
      );
  }
  return { disks, volumes, templates, out };
}

/**
 * The storage a DataVolume requests: a disk's capacity, exactly; a CD-ROM image's size rounded up to whole MiB
 * (the source gives it: OVF `ovf:size`, a DataVolume, qemu-img), else 1Gi with a warning.
 */
function requestOf(d: TargetDrive, image: string | undefined, dv: string, warnings: Warnings): bigint {
  if (d.kind === 'disk') {
    if (d.disk?.capacityBytes !== undefined) return d.disk.capacityBytes;
    throw new FormatError(
      'FORMAT_DISK_CAPACITY',
      `Disk "${d.disk?.id}": its capacity is unknown, and a DataVolume needs a size`,
      { hint: 'Keep the image beside the input, so that vessel convert can read its size with qemu-img.' },
    );
  }
  const size = d.file?.sizeBytes;
  if (size !== undefined && size > 0n) return ((size + (1n << 20n) - 1n) >> 20n) << 20n;
  warnings.add(
    'DISK_FORMAT',
    `The size of "${printable(image ?? '')}" is unknown; its DataVolume ${dv} requests 1Gi: raise it to the image's size`,
  );
  return 1n << 30n;
}

function nics(
  v: TargetView,
  annotations: Record<string, string>,
  boot: Map<TargetDrive | TargetNic, number>,
  warnings: Warnings,
): { interfaces: Json[]; networks: Json[] } {
  const interfaces: Json[] = [];
  const networks: Json[] = [];
  let pod = false;
  v.nics.forEach((n, i) => {
    const name = `nic${i}`;
    const model = KUBEVIRT_WORDS.word(n.model);
    const order = boot.get(n);
    const common = {
      name,
      model,
      ...(n.mac ? { macAddress: n.mac } : {}),
      ...(order === undefined ? {} : { bootOrder: order }),
    };
    const onPod = !pod && (n.network === undefined || /^(pod|default)$/i.test(n.network));
    if (onPod) {
      pod = true;
      interfaces.push({ ...common, masquerade: {} });
      networks.push({ name, pod: {} });
      return;
    }
    const net = dnsLabel(n.network ?? 'default', 'default', 253);
    if (n.network !== undefined && net !== n.network) {
      annotations[`${KV.network}${name}`] = n.network;
      warnings.add(
        'NETWORK',
        `KubeVirt network names are DNS names; NIC "${n.instanceId}" is on the Multus network "${net}" for "${printable(n.network)}"`,
      );
    }
    interfaces.push({ ...common, bridge: {} });
    networks.push({ name, multus: { networkName: net } });
  });
  return { interfaces, networks };
}
