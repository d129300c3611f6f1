import { stringify } from 'yaml';
import { busName, NIC_NAMES, type NicModel } from '../devices.js';
import { FormatError } from '../errors.js';
import { baseName, printable } from '../paths.js';
import type { OutputDisk, SystemPackage } from '../types.js';
import { type DriveView, type SystemView, viewSystem } from '../view.js';
import type { Warnings } from '../warnings.js';
import { formatQuantity } from './quantity.js';

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

const NICS: Record<NicModel, string> = {
  e1000: 'e1000',
  e1000e: 'e1000e',
  vmxnet3: 'virtio',
  pcnet: 'pcnet',
  virtio: 'virtio',
  rtl8139: 'rtl8139',
};

type Json = Record<string, unknown>;

/**
 * Writes a {@link SystemPackage} as a KubeVirt VirtualMachine manifest (kubevirt.io/v1, YAML) with a DataVolume
 * template per disk and ISO (`source: upload`, sized to the disk's capacity): the disks come with it as a list
 * to upload (`virtctl image-upload dv NAME --no-create --image-path FILE`). CPUs become cores, memory
 * `memory.guest` exactly, firmware the bootloader; disk buses map to virtio/sata/scsi in order (KubeVirt has no
 * slots); NICs go on the pod network or on Multus networks. What KubeVirt has no field for but a round trip needs
 * (the guest OS, original names) is kept in `vessel/*` annotations.
 */
export function writeKubevirt(
  pkg: SystemPackage,
  warnings: Warnings,
): { output: string; disks: OutputDisk[] } {
  const v = viewSystem(pkg, warnings);
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
  const { disks, volumes, templates, out } = storage(v, name, warnings);
  const { interfaces, networks } = nics(v, annotations, warnings);
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
  v: SystemView,
  vm: string,
  warnings: Warnings,
): { disks: Json[]; volumes: Json[]; templates: Json[]; out: OutputDisk[] } {
  const disks: Json[] = [];
  const volumes: Json[] = [];
  const templates: Json[] = [];
  const out: OutputDisk[] = [];
  const names = new Set<string>();
  const perBus = new Map<string, DriveView[]>();
  let n = 0;
  for (const d of v.drives) {
    if (d.kind === 'floppy') {
      warnings.add('DEVICE', `KubeVirt has no floppy drive; "${d.instanceId}" dropped`);
      continue;
    }
    const bus = kvBus(d, warnings);
    const list = perBus.get(bus) ?? [];
    list.push(d);
    perBus.set(bus, list);
    const volume = `${d.kind === 'cdrom' ? 'cdrom' : 'disk'}${n++}`;
    disks.push({ name: volume, [d.kind === 'cdrom' ? 'cdrom' : 'disk']: { bus } });
    const image = d.kind === 'disk' ? d.disk?.file : d.file?.file;
    if (d.kind === 'cdrom' && image === undefined) {
      disks.pop();
      warnings.add('DEVICE', `KubeVirt has no empty CD-ROM drive; "${d.instanceId}" dropped`);
      continue;
    }
    const stem = dnsLabel(image === undefined ? volume : baseName(image).replace(/\.[^.]*$/, ''), volume);
    let dv = stem.startsWith(vm) ? stem : dnsLabel(`${vm}-${stem}`, `${vm}-${volume}`);
    for (let i = 2; names.has(dv); i++) dv = `${dnsLabel(dv, vm, 58)}-${i}`;
    names.add(dv);
    volumes.push({ name: volume, dataVolume: { name: dv } });
    let size = d.disk?.capacityBytes;
    if (d.kind === 'disk' && size === undefined) {
      throw new FormatError(
        'FORMAT_DISK_CAPACITY',
        `Disk "${d.disk?.id}": its capacity is unknown, and a DataVolume needs a size`,
        {
          hint: 'Keep the image beside the input, so that vessel convert can read its size with qemu-img.',
        },
      );
    }
    if (size === undefined) {
      size = 1n << 30n;
      warnings.add(
        'DISK_FORMAT',
        `The size of "${printable(image ?? '')}" is unknown; its DataVolume ${dv} requests 1Gi: raise it to the image's size`,
      );
    }
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
        d.controller?.bus === 'virtio' ||
        (d.position === i && list.every((x) => x.controller === list[0]!.controller)),
    );
    if (!ordered)
      warnings.add(
        'DISK_POSITION',
        `KubeVirt has no controller slots; the ${bus} drives (${list.map((d) => d.instanceId).join(', ')}) are attached in definition order`,
      );
  }
  return { disks, volumes, templates, out };
}

function kvBus(d: DriveView, warnings: Warnings): string {
  const c = d.controller!;
  const from = busName(c.bus, c.model);
  if (d.kind === 'cdrom') {
    if (c.bus === 'scsi') return 'scsi';
    if (c.bus !== 'sata' && c.bus !== 'ide')
      warnings.add(
        'CONTROLLER',
        `KubeVirt CD-ROMs use sata or scsi; "${d.instanceId}" on ${from} written on sata`,
      );
    if (c.bus === 'ide')
      warnings.add('CONTROLLER', `KubeVirt has no IDE bus; "${d.instanceId}" written on sata`);
    return 'sata';
  }
  switch (c.bus) {
    case 'virtio':
    case 'sata':
      return c.bus;
    case 'ide':
      warnings.add('CONTROLLER', `KubeVirt has no IDE bus; disk "${d.instanceId}" written on sata`);
      return 'sata';
    case 'nvme':
      warnings.add('CONTROLLER', `KubeVirt has no NVMe bus; disk "${d.instanceId}" written on virtio`);
      return 'virtio';
    case 'scsi':
      if (c.model !== 'virtio-scsi')
        warnings.add(
          'CONTROLLER',
          `KubeVirt's SCSI bus is virtio-scsi; controller "${c.instanceId}" (${from}) written as virtio-scsi`,
        );
      return 'scsi';
  }
}

function nics(
  v: SystemView,
  annotations: Record<string, string>,
  warnings: Warnings,
): { interfaces: Json[]; networks: Json[] } {
  const interfaces: Json[] = [];
  const networks: Json[] = [];
  let pod = false;
  v.nics.forEach((n, i) => {
    const name = `nic${i}`;
    const model = n.model === undefined ? 'virtio' : NICS[n.model];
    if (n.model === 'vmxnet3')
      warnings.add(
        'NIC_MODEL',
        `KubeVirt has no ${NIC_NAMES[n.model]} NIC; NIC "${n.instanceId}" written as virtio`,
      );
    const onPod = !pod && (n.network === undefined || /^(pod|default)$/i.test(n.network));
    if (onPod) {
      pod = true;
      interfaces.push({ name, model, ...(n.mac ? { macAddress: n.mac } : {}), masquerade: {} });
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
    interfaces.push({ name, model, ...(n.mac ? { macAddress: n.mac } : {}), bridge: {} });
    networks.push({ name, multus: { networkName: net } });
  });
  return { interfaces, networks };
}
