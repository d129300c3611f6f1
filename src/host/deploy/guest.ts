import { copyFile, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { encodeStreamVmdk, probe } from '../../disk/index.js';
import { packOva, type StreamDiskEngine, streamDiskTransform } from '../../ova/index.js';
import {
  addDisk,
  addNic,
  createEnvelope,
  formatOvf,
  hardwareOf,
  type PropertyFields,
  setEula,
  setProperty,
  targetSystem,
} from '../../ovf/index.js';

/** A property of the package {@link buildGuestPackage} writes. */
export interface GuestProperty extends PropertyFields {
  key: string;
}

/** Options of {@link buildGuestPackage}. */
export interface GuestPackageOptions {
  /** The raw (or qcow2) boot disk: the test guest's `guest.raw`. */
  disk: string;
  /** The .ova to write. */
  out: string;
  name?: string;
  properties?: GuestProperty[];
  eula?: string;
  memoryBytes?: bigint;
  /** zlib level of the streamOptimized disk (default: the disk engine's). */
  level?: number;
}

/** The disk engine plugged into the packer: probe plus the streamOptimized encoder. */
const engine: StreamDiskEngine = {
  probe: (path) => probe(path),
  encode: (path, o) =>
    encodeStreamVmdk(path, {
      adapterType: o.adapterType,
      fileName: o.fileName,
      ...(o.level === undefined ? {} : { level: o.level }),
    }),
};

/**
 * Packs a bootable disk into an OVA the way an appliance vendor would: a descriptor authored with the OVF edit
 * helpers (one CPU, memory, the disk on an LSI Logic SCSI controller, an IDE controller for CDs, an E1000 NIC,
 * the ISO environment transport, the given ProductSection properties and EULA), the disk converted to a
 * streamOptimized VMDK in the same pass, and a SHA-256 manifest. The deploy tests, the demo and the deploy
 * benchmark use it with the test guest, which prints its OVF environment on its serial console.
 *
 * @example
 * await buildGuestPackage({ disk: guest.disk, out: '/tmp/demo.ova', properties: [{ key: 'greeting', type: 'string', userConfigurable: true }] });
 */
export async function buildGuestPackage(o: GuestPackageOptions): Promise<string> {
  const work = await mkdtemp(join(dirname(o.out), `.${basename(o.out)}-`));
  try {
    const ovf = await writeGuestDescriptor(work, o);
    await packOva(ovf, o.out, {
      algorithm: 'sha256',
      transform: streamDiskTransform(engine, o.level === undefined ? {} : { level: o.level }),
    });
    return o.out;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Writes the unpacked package {@link buildGuestPackage} packs: `NAME.ovf` (authored with the OVF edit helpers)
 * and the disk as `guest.raw` beside it, in `dir`. Returns the descriptor's path; `vessel ova pack
 * --disk-format stream` makes the same OVA from it.
 */
export async function writeGuestDescriptor(
  dir: string,
  o: Omit<GuestPackageOptions, 'out'>,
): Promise<string> {
  const name = o.name ?? 'vessel-guest';
  const work = dir;
  const diskName = 'guest.raw';
  await copyFile(o.disk, join(work, diskName));
  const info = await probe(o.disk);
  const env = createEnvelope({
    name,
    cpus: 1,
    memoryBytes: o.memoryBytes ?? 256n << 20n,
    osId: '101',
    osDescription: 'Linux 2.6.x (64-bit)',
  });
  const system = targetSystem(env);
  const hw = hardwareOf(system)!;
  hw.transport = 'iso';
  addDisk(env, system, {
    href: diskName,
    fileSize: BigInt((await stat(join(work, diskName))).size),
    capacityBytes: BigInt(info.virtualSize),
  });
  hw.items.push({
    element: 'Item',
    resource: {
      cimClass: 'CIM_ResourceAllocationSettingData',
      properties: { ElementName: 'IDE 0', InstanceID: '100', ResourceType: '5', Address: '0' },
    },
    attrs: [],
    extra: [],
  });
  addNic(env, system, 'VM Network', 'E1000');
  for (const p of o.properties ?? []) {
    const { key, ...fields } = p;
    setProperty(system, key, fields);
  }
  if (o.eula !== undefined) setEula(system, o.eula);
  const ovf = join(work, `${name}.ovf`);
  await writeFile(ovf, formatOvf(env));
  return ovf;
}
