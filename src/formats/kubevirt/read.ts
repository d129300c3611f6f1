import { parseAllDocuments } from 'yaml';
import type { VssdProperties } from '../../model/index.js';
import { PackageBuilder } from '../build.js';
import { formatFromName } from '../disk-formats.js';
import { FormatError } from '../errors.js';
import { checkImagePath } from '../paths.js';
import type { GuestOs, SystemPackage } from '../types.js';
import { LIMITS } from '../values.js';
import type { Warnings } from '../warnings.js';
import { quantityBytes } from './quantity.js';
import { KUBEVIRT_WORDS } from './words.js';
import { KV } from './write.js';

/** Largest manifest accepted, and the most YAML aliases (a billion-laughs file needs thousands). */
export const MAX_MANIFEST_BYTES = 4 << 20;
const MAX_ALIASES = 50;

type Json = Record<string, unknown>;

/** Typed access to a parsed manifest that throws `FORMAT_INVALID` naming the path of a wrong value. */
class Reader {
  constructor(readonly file: string | undefined) {}
  fail(path: string, what: string): never {
    throw new FormatError('FORMAT_INVALID', `${path} must be ${what}`, { location: { file: this.file } });
  }
  obj(v: unknown, path: string): Json | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) this.fail(path, 'a mapping');
    return v as Json;
  }
  list(v: unknown, path: string): unknown[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(path, 'a list');
    if (v.length > LIMITS.devices) this.fail(path, `a list of at most ${LIMITS.devices} items`);
    return v;
  }
  str(v: unknown, path: string): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') this.fail(path, 'a string');
    return v;
  }
  count(v: unknown, path: string, max: number): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max)
      this.fail(path, `a whole number from 1 to ${max}`);
    return v;
  }
}

/**
 * Parses a KubeVirt manifest (YAML or JSON, one or more documents) safely: at most 4 MiB, at most 50 aliases (so
 * alias bombs fail fast), no custom tags, duplicate keys refused. Returns the plain objects.
 */
export function parseManifest(input: string | Uint8Array, file?: string): unknown[] {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  if (size > MAX_MANIFEST_BYTES) {
    throw new FormatError(
      'FORMAT_TOO_LARGE',
      `The manifest is ${size} bytes, over the limit of ${MAX_MANIFEST_BYTES}`,
      { location: { file } },
    );
  }
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  try {
    const docs = parseAllDocuments(text, { uniqueKeys: true, customTags: [], prettyErrors: false });
    if (!Array.isArray(docs)) return [];
    return docs.map((d) => {
      const err = d.errors[0];
      if (err) {
        const pos = err.linePos?.[0];
        throw new FormatError('FORMAT_SYNTAX', `YAML: ${err.message.split('\n')[0]}`, {
          location: { file, line: pos?.line, column: pos?.col },
        });
      }
      return d.toJS({ maxAliasCount: MAX_ALIASES });
    });
  } catch (e) {
    if (e instanceof FormatError) throw e;
    if (e instanceof RangeError)
      throw new FormatError('FORMAT_TOO_LARGE', 'The manifest nests too deeply to read', {
        location: { file },
        cause: e,
      });
    const msg = (e as Error).message ?? String(e);
    if (/alias/i.test(msg))
      throw new FormatError(
        'FORMAT_TOO_LARGE',
        `The manifest uses too many YAML aliases (over ${MAX_ALIASES}): ${msg}`,
        { location: { file }, cause: e },
      );
    throw new FormatError('FORMAT_SYNTAX', `YAML: ${msg}`, { location: { file }, cause: e });
  }
}

/**
 * Reads a KubeVirt VirtualMachine (kubevirt.io/v1) as a {@link SystemPackage}: cores x sockets x threads, memory
 * (`memory.guest`, else the memory request), firmware, disks and CD-ROMs in order on their virtio/sata/scsi bus,
 * their volumes (DataVolume templates or DataVolume documents give the size, of CD-ROM images too; PVCs and
 * container disks are referenced by name), interfaces with their pod or Multus networks, `bootOrder` on disks and
 * interfaces, the serial console and graphics.
 */
export function readKubevirt(input: string | Uint8Array, warnings: Warnings, file?: string): SystemPackage {
  const docs = parseManifest(input, file);
  const r: Reader = new Reader(file);
  const objects = docs.map((d, i) => r.obj(d, `document ${i + 1}`)).filter((d): d is Json => d !== undefined);
  const vms = objects.filter((o) => o.kind === 'VirtualMachine');
  if (vms.length !== 1) {
    throw new FormatError(
      'FORMAT_UNKNOWN',
      `A KubeVirt manifest to convert holds one VirtualMachine; this one has ${vms.length}`,
      { location: { file } },
    );
  }
  const vm = vms[0]!;
  if (typeof vm.apiVersion !== 'string' || !vm.apiVersion.startsWith('kubevirt.io/'))
    r.fail('apiVersion', 'kubevirt.io/v1');
  const meta = r.obj(vm.metadata, 'metadata') ?? {};
  const ann = r.obj(meta.annotations, 'metadata.annotations') ?? {};
  const spec = r.obj(r.obj(r.obj(vm.spec, 'spec')?.template, 'spec.template')?.spec, 'spec.template.spec');
  if (!spec) r.fail('spec.template.spec', 'given');
  const domain =
    r.obj(spec.domain, 'spec.template.spec.domain') ?? r.fail('spec.template.spec.domain', 'given');
  const system: VssdProperties = {
    ElementName: r.str(ann[KV.name], `annotation ${KV.name}`) ?? r.str(meta.name, 'metadata.name') ?? 'vm',
  };
  const description = r.str(ann[KV.description], 'annotation description');
  if (description) system.Description = description;
  const firmware = r.obj(domain.firmware, 'domain.firmware');
  const uuid = r.str(firmware?.uuid, 'domain.firmware.uuid');
  if (uuid) system.VirtualSystemIdentifier = uuid.toLowerCase();
  const loader = r.obj(firmware?.bootloader, 'domain.firmware.bootloader');
  const b = new PackageBuilder(system);
  if (loader?.efi !== undefined) b.firmware('efi');
  else if (loader?.bios !== undefined) b.firmware('bios');
  const cpu = r.obj(domain.cpu, 'domain.cpu');
  const cpus = [cpu?.cores, cpu?.sockets, cpu?.threads].map(
    (x, i) => r.count(x, `domain.cpu.${['cores', 'sockets', 'threads'][i]}`, LIMITS.cpus) ?? 1,
  );
  const total = cpus.reduce((a, x) => a * x, 1);
  if (total > LIMITS.cpus) r.fail('domain.cpu', `at most ${LIMITS.cpus} CPUs in all`);
  b.cpus(total);
  const resources = r.obj(domain.resources, 'domain.resources');
  const guest =
    r.obj(domain.memory, 'domain.memory')?.guest ??
    r.obj(resources?.requests, 'domain.resources.requests')?.memory;
  if (guest === undefined) r.fail('domain.memory.guest', 'given (or domain.resources.requests.memory)');
  const bytes = quantityBytes(guest, 'domain.memory.guest');
  if (bytes < 1n << 20n || bytes > LIMITS.memoryBytes)
    r.fail('domain.memory.guest', `from 1Mi to ${LIMITS.memoryBytes >> 40n}Ti`);
  b.memory(bytes);
  const devices = r.obj(domain.devices, 'domain.devices') ?? {};
  const boot: { id: string; order: number }[] = [];
  readDisks(r, vm, spec, devices, objects, b, boot, warnings);
  readNics(r, spec, devices, ann, b, boot, warnings);
  b.bootOrder(boot.sort((x, y) => x.order - y.order).map((x) => x.id));
  if (devices.autoattachSerialConsole !== false) b.serial();
  if (devices.autoattachGraphicsDevice !== false) b.graphics();
  const osType = Number(r.str(ann[KV.osType], `annotation ${KV.osType}`));
  const os: GuestOs | undefined =
    Number.isInteger(osType) && osType >= 0 && osType <= 0xffff && ann[KV.osType] !== undefined
      ? { osType, ...(typeof ann[KV.os] === 'string' ? { description: ann[KV.os] as string } : {}) }
      : undefined;
  return b.build(os);
}

function readDisks(
  r: Reader,
  vm: Json,
  spec: Json,
  devices: Json,
  objects: Json[],
  b: PackageBuilder,
  boot: { id: string; order: number }[],
  warnings: Warnings,
): void {
  const volumes = new Map<string, Json>();
  r.list(spec.volumes, 'spec.template.spec.volumes').forEach((v, i) => {
    const o = r.obj(v, `volumes[${i}]`)!;
    volumes.set(r.str(o.name, `volumes[${i}].name`) ?? '', o);
  });
  const templates = new Map<string, Json>();
  const dvs = [
    ...r.list(r.obj(vm.spec, 'spec')?.dataVolumeTemplates, 'spec.dataVolumeTemplates'),
    ...objects.filter((o) => o.kind === 'DataVolume'),
  ];
  dvs.forEach((t, i) => {
    const o = r.obj(t, `dataVolumeTemplates[${i}]`)!;
    templates.set(
      r.str(r.obj(o.metadata, 'metadata')?.name, `dataVolumeTemplates[${i}].metadata.name`) ?? '',
      o,
    );
  });
  const ctl = new Map<string, string>();
  const controller = (bus: string): string | undefined => {
    const kind = KUBEVIRT_WORDS.controller(bus);
    if (kind === undefined) return undefined;
    let id = ctl.get(bus);
    if (id === undefined) {
      id = b.controller(kind);
      ctl.set(bus, id);
    }
    return id;
  };
  const slot = new Map<string, number>();
  r.list(devices.disks, 'domain.devices.disks').forEach((x, i) => {
    const d = r.obj(x, `disks[${i}]`)!;
    const name = r.str(d.name, `disks[${i}].name`) ?? '';
    const kind =
      d.cdrom !== undefined ? 'cdrom' : d.disk !== undefined || d.lun === undefined ? 'disk' : 'lun';
    if (kind === 'lun') {
      warnings.add('DEVICE', `Disk "${name}" is a LUN pass-through; dropped`);
      return;
    }
    const bus =
      r.str(r.obj(d[kind], `disks[${i}].${kind}`)?.bus, `disks[${i}].${kind}.bus`) ??
      (kind === 'cdrom' ? 'sata' : 'virtio');
    const parent = controller(bus);
    if (parent === undefined) {
      warnings.add('CONTROLLER', `Disk "${name}" on bus "${bus.slice(0, 40)}" has no equivalent; dropped`);
      return;
    }
    const vol = volumes.get(name);
    if (!vol) r.fail(`disks[${i}]`, `backed by a volume named "${name}"`);
    const src = image(r, vol, templates, warnings);
    if (src === undefined) return;
    const position = slot.get(bus) ?? 0;
    slot.set(bus, position + 1);
    const id =
      kind === 'cdrom'
        ? b.cdrom(parent, position, src.file, src.capacity)
        : b.disk(parent, position, {
            file: src.file,
            capacityBytes: src.capacity,
            format: src.format ?? formatFromName(src.file),
          });
    const order = r.count(d.bootOrder, `disks[${i}].bootOrder`, 65535);
    if (order !== undefined) boot.push({ id, order });
  });
}

function image(
  r: Reader,
  vol: Json,
  templates: Map<string, Json>,
  warnings: Warnings,
): { file?: string; capacity?: bigint; format?: string } | undefined {
  const name = String(vol.name);
  const dvName = r.str(
    r.obj(vol.dataVolume, `volume ${name}.dataVolume`)?.name,
    `volume ${name}.dataVolume.name`,
  );
  if (dvName !== undefined) {
    const t = templates.get(dvName);
    const ann = r.obj(r.obj(t?.metadata, 'metadata')?.annotations, `DataVolume ${dvName} annotations`) ?? {};
    const dvSpec = r.obj(t?.spec, `DataVolume ${dvName} spec`);
    const req = r.obj(
      r.obj(r.obj(dvSpec?.storage ?? dvSpec?.pvc, 'spec.storage')?.resources, 'resources')?.requests,
      'requests',
    );
    const file = r.str(ann[KV.imageFile], `annotation ${KV.imageFile}`);
    const format = r.str(ann[KV.imageFormat], `annotation ${KV.imageFormat}`);
    const source = r.obj(dvSpec?.source, 'source');
    const blank = source?.blank !== undefined;
    const url = r.str(r.obj(source?.http, 'source.http')?.url, `DataVolume ${dvName} source.http.url`);
    const fromUrl =
      url === undefined
        ? undefined
        : decodeURIComponent(
            url
              .replace(/[?#].*$/, '')
              .split('/')
              .pop() ?? '',
          );
    return {
      ...(blank ? {} : { file: checkImagePath(file ?? (fromUrl || dvName), `DataVolume ${dvName}`) }),
      ...(req?.storage === undefined
        ? {}
        : { capacity: quantityBytes(req.storage, `DataVolume ${dvName} storage request`) }),
      ...(format === undefined ? {} : { format }),
    };
  }
  const claim = r.str(
    r.obj(vol.persistentVolumeClaim, 'persistentVolumeClaim')?.claimName,
    `volume ${name} claimName`,
  );
  if (claim !== undefined) return { file: checkImagePath(claim, `PVC ${claim}`) };
  const container = r.str(
    r.obj(vol.containerDisk, 'containerDisk')?.image,
    `volume ${name} containerDisk.image`,
  );
  if (container !== undefined) {
    warnings.add(
      'DISK_FORMAT',
      `Volume "${name}" is the container image "${container}"; referenced by that name`,
    );
    return { file: checkImagePath(container, `containerDisk ${name}`) };
  }
  const empty = r.obj(vol.emptyDisk, 'emptyDisk');
  if (empty) return { capacity: quantityBytes(empty.capacity, `volume ${name} emptyDisk.capacity`) };
  warnings.add(
    'DEVICE',
    `Volume "${name}" (${Object.keys(vol)
      .filter((k) => k !== 'name')
      .join(', ')}) has no place in the definition; dropped`,
  );
  return undefined;
}

function readNics(
  r: Reader,
  spec: Json,
  devices: Json,
  ann: Json,
  b: PackageBuilder,
  boot: { id: string; order: number }[],
  warnings: Warnings,
): void {
  const networks = new Map<string, Json>();
  r.list(spec.networks, 'spec.template.spec.networks').forEach((n, i) => {
    const o = r.obj(n, `networks[${i}]`)!;
    networks.set(r.str(o.name, `networks[${i}].name`) ?? '', o);
  });
  r.list(devices.interfaces, 'domain.devices.interfaces').forEach((x, i) => {
    const o = r.obj(x, `interfaces[${i}]`)!;
    const name = r.str(o.name, `interfaces[${i}].name`) ?? '';
    const net = networks.get(name);
    const multus = r.str(r.obj(net?.multus, 'multus')?.networkName, `networks ${name}.multus.networkName`);
    const original = r.str(ann[`${KV.network}${name}`], `annotation ${KV.network}${name}`);
    const network = original ?? multus ?? (net?.pod !== undefined ? 'pod' : undefined);
    const word = r.str(o.model, `interfaces[${i}].model`) ?? 'virtio';
    const model = KUBEVIRT_WORDS.nic(word);
    if (model === undefined)
      warnings.add(
        'NIC_MODEL',
        `Interface model "${word.slice(0, 40)}" is not one Vessel knows; kept as written`,
      );
    const mac = r.str(o.macAddress, `interfaces[${i}].macAddress`);
    const id = b.nic(model, network, mac, model === undefined ? word : undefined);
    const order = r.count(o.bootOrder, `interfaces[${i}].bootOrder`, 65535);
    if (order !== undefined) boot.push({ id, order });
  });
}
