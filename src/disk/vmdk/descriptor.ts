/**
 * The VMDK text descriptor: the one embedded at sector 1 of a sparse extent, or a whole small file for
 * monolithicFlat and split disks. The writer copies VMware open-vmdk's template (notes/disk-formats.md §1.4).
 */
import { randomBytes } from 'node:crypto';

/** SCSI or IDE controller the descriptor names in `ddb.adapterType`; it chooses the geometry too. */
export type AdapterType = 'ide' | 'lsilogic' | 'buslogic' | 'legacyESX';

/** The adapter types a descriptor may name. */
export const ADAPTER_TYPES: readonly AdapterType[] = ['ide', 'lsilogic', 'buslogic', 'legacyESX'];

/** The first line every descriptor must have exactly: libvmdk refuses `# Disk Descriptor File`. */
const DESCRIPTOR_SIGNATURE = '# Disk DescriptorFile';

/** One extent line: `RW 2048 SPARSE "disk.vmdk"` or `RW 2048 FLAT "disk-flat.vmdk" 0`. */
interface Extent {
  access: string;
  sectors: number;
  type: string;
  file: string;
  offset: number;
}

/** A parsed descriptor: header keys, extents and the disk database (`ddb.*`). */
interface Descriptor {
  /** The first non-empty line is exactly `# Disk DescriptorFile`. */
  signatureOk: boolean;
  createType: string | undefined;
  version: string | undefined;
  cid: string | undefined;
  parentCID: string | undefined;
  extents: Extent[];
  ddb: Record<string, string>;
}

/** Parses descriptor text (NUL padding ignored). Lines it does not understand are skipped. */
export function parseDescriptor(text: string): Descriptor {
  const clean = text.replace(/\0[\s\S]*$/, '');
  const lines = clean.split(/\r?\n/).map((l) => l.trim());
  const first = lines.find((l) => l !== '');
  const d: Descriptor = {
    signatureOk: first === DESCRIPTOR_SIGNATURE,
    createType: undefined,
    version: undefined,
    cid: undefined,
    parentCID: undefined,
    extents: [],
    ddb: {},
  };
  for (const line of lines) {
    if (line === '' || line.startsWith('#')) continue;
    const ext = /^(RW|RDONLY|NOACCESS)\s+(\d+)\s+(\w+)\s+"([^"]*)"(?:\s+(\d+))?/.exec(line);
    if (ext) {
      d.extents.push({
        access: ext[1]!,
        sectors: Number(ext[2]),
        type: ext[3]!,
        file: ext[4]!,
        offset: Number(ext[5] ?? 0),
      });
      continue;
    }
    const kv = keyValue(line);
    if (!kv) continue;
    const [key, value] = kv;
    if (key.startsWith('ddb.')) d.ddb[key.slice(4)] = value;
    else if (key === 'createType') d.createType = value;
    else if (key === 'version') d.version = value;
    else if (key === 'CID') d.cid = value;
    else if (key === 'parentCID') d.parentCID = value;
  }
  return d;
}

/**
 * Splits `key = "value"` (quotes optional; the value ends at its closing quote) without a regular expression
 * that could backtrack: a hostile line of 64 KiB of blanks took a backtracking pattern half a minute.
 */
function keyValue(line: string): [string, string] | undefined {
  const eq = line.indexOf('=');
  const key = line.slice(0, Math.max(eq, 0)).trim();
  if (eq <= 0 || !/^[\w.]+$/.test(key)) return undefined;
  const rest = line.slice(eq + 1).trim();
  if (!rest.startsWith('"')) return [key, rest];
  const end = rest.indexOf('"', 1);
  return [key, end < 0 ? rest.slice(1) : rest.slice(1, end)];
}

/** Options of {@link formatStreamDescriptor}. */
interface StreamDescriptorOptions {
  /** Capacity in sectors. */
  capacity: number;
  adapterType: AdapterType;
  /** The file name in the extent line (VMware tools use the member name in the OVA). */
  fileName: string;
}

/** CHS geometry written into `ddb.geometry.*`: 16 heads for IDE, 255 for SCSI, 63 sectors, cylinders capped. */
export function geometry(capacity: number, adapter: AdapterType) {
  const heads = adapter === 'ide' ? 16 : 255;
  const max = adapter === 'ide' ? 16383 : 65535;
  return { cylinders: Math.max(1, Math.min(max, Math.ceil(capacity / (heads * 63)))), heads, sectors: 63 };
}

/** Formats the embedded descriptor of a streamOptimized extent, following VMware open-vmdk's template. */
export function formatStreamDescriptor(o: StreamDescriptorOptions): string {
  let cid: number;
  do cid = randomBytes(4).readUInt32LE(0);
  while (cid >= 0xfffffffe);
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  const g = geometry(o.capacity, o.adapterType);
  const name = o.fileName.replace(/["\n\r]/g, '_');
  return [
    DESCRIPTOR_SIGNATURE,
    'version=1',
    'encoding="UTF-8"',
    `CID=${hex(cid)}`,
    'parentCID=ffffffff',
    'createType="streamOptimized"',
    '',
    '# Extent description',
    `RW ${o.capacity} SPARSE "${name}"`,
    '',
    '# The Disk Data Base',
    '#DDB',
    '',
    `ddb.longContentID = "${randomBytes(12).toString('hex')}${hex(cid)}"`,
    'ddb.virtualHWVersion = "4"',
    `ddb.geometry.cylinders = "${g.cylinders}"`,
    `ddb.geometry.heads = "${g.heads}"`,
    `ddb.geometry.sectors = "${g.sectors}"`,
    `ddb.adapterType = "${o.adapterType}"`,
    'ddb.toolsInstallType = "4"',
    'ddb.toolsVersion = "2147483647"',
    '',
  ].join('\n');
}
