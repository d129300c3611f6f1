import type { OvfDisk } from '../types.js';
import type { ValidationContext } from './context.js';
import { parseByteCount } from './files.js';
import { type ConfigurationSet, diskUse, overlaps } from './refs.js';
import { checkUnit, exactBaseUnits } from './units.js';

/** 2^64 bytes (16 EiB): no platform addresses a larger disk. */
const MAX_CAPACITY = 1n << 64n;

/**
 * DiskSection (DSP0243 §9.1): ids present and unique, capacity a positive whole number (or a `${property}` that
 * exists) in DSP0004 byte units, file and parent references resolve, one file per disk, no parent cycles, and
 * populatedSize within capacity.
 */
export function checkDisks(ctx: ValidationContext): void {
  const seen = new Map<string, number | undefined>();
  const fileUsers = new Map<string, OvfDisk[]>();
  const used = diskUse(ctx);
  const all: OvfDisk[] = [];
  for (const { section: s } of ctx.sections) if (s.kind === 'DiskSection') all.push(...s.disks);
  for (const d of all) {
    if (d.diskId === '') ctx.report('OVF_MISSING_ATTRIBUTE', d, 'A Disk has no ovf:diskId');
    else if (seen.has(d.diskId)) {
      const line = seen.get(d.diskId);
      ctx.report(
        'OVF_DUPLICATE_ID',
        d,
        `Disk id "${d.diskId}" is used twice${line === undefined ? '' : ` (first on line ${line})`}`,
      );
    } else seen.set(d.diskId, d.line);
    const name = d.diskId === '' ? 'A Disk without ovf:diskId' : `Disk "${d.diskId}"`;
    const capacity = checkCapacity(ctx, d, name);
    // An empty ovf:fileRef (as vSphere writes for blank disks) means no file.
    if (d.fileRef !== undefined && d.fileRef.trim() !== '') {
      if (!ctx.files.has(d.fileRef)) {
        ctx.report(
          'OVF_UNRESOLVED_FILE',
          d,
          `${name} references file "${d.fileRef}", which is not in References`,
          'ovf:fileRef names the ovf:id of a File; leave it out for an empty disk created at deployment.',
        );
      } else {
        // ovftool writes one image for disks of different deployment options; within one option it is an error.
        // A disk no Item uses counts as used everywhere (a consumer may create every listed disk).
        const mine: ConfigurationSet = used.get(d.diskId) ?? 'all';
        const other = (fileUsers.get(d.fileRef) ?? []).find((o) =>
          overlaps(mine, used.get(o.diskId) ?? 'all'),
        );
        if (other !== undefined) {
          ctx.report(
            'OVF_DISK_FILE_SHARED',
            d,
            `${name} uses file "${d.fileRef}", which Disk "${other.diskId}" also uses in the same configuration`,
            'Each disk has its own image file (disks of different deployment options may share one).',
          );
        }
        fileUsers.set(d.fileRef, [...(fileUsers.get(d.fileRef) ?? []), d]);
      }
      if (d.format === undefined || d.format.trim() === '') {
        ctx.report(
          'OVF_DISK_NO_FORMAT',
          d,
          `${name} has a file but no ovf:format`,
          'Give the image format URI, e.g. http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized.',
        );
      }
    }
    if (d.populatedSize !== undefined) {
      const pop = parseByteCount(d.populatedSize);
      if (pop === undefined) {
        ctx.report(
          'OVF_VALUE_NOT_INTEGER',
          d,
          `${name} has ovf:populatedSize="${d.populatedSize}", not a whole number of bytes`,
        );
      } else if (capacity !== undefined && pop > capacity) {
        ctx.report(
          'OVF_POPULATED_SIZE_EXCEEDS_CAPACITY',
          d,
          `${name} has ovf:populatedSize ${pop} bytes, more than its capacity of ${capacity} bytes`,
          'populatedSize estimates the bytes in use, at most the capacity.',
        );
      }
    }
    if (d.diskId !== '' && !used.has(d.diskId) && !all.some((o) => o.parentRef === d.diskId)) {
      ctx.report(
        'OVF_DISK_UNUSED',
        d,
        `${name} is not used by any Item (no HostResource ovf:/disk/${d.diskId})`,
      );
    }
  }
  checkParents(ctx, all);
}

/** The capacity in bytes when it is a number; undefined for a `${property}` or an invalid value. */
function checkCapacity(ctx: ValidationContext, d: OvfDisk, name: string): bigint | undefined {
  const units = d.capacityAllocationUnits ?? 'byte';
  const unit = checkUnit(ctx, d, `${name} ovf:capacityAllocationUnits`, units, 'byte');
  const text = d.capacity.trim();
  if (text === '') {
    ctx.report('OVF_MISSING_ATTRIBUTE', d, `${name} has no ovf:capacity`);
    return undefined;
  }
  const ref = /^\$\{([^}]+)\}$/.exec(text);
  if (ref) {
    if (!ctx.propertyNames.has(ref[1]!)) {
      ctx.report(
        'OVF_UNRESOLVED_PROPERTY',
        d,
        `${name} takes its capacity from property "${ref[1]}", which no ProductSection defines`,
      );
    }
    return undefined;
  }
  const n = /^[+-]?\d{1,40}$/.test(text) ? BigInt(text) : undefined;
  if (n === undefined) {
    ctx.report(
      'OVF_CAPACITY_INVALID',
      d,
      `${name} has ovf:capacity="${d.capacity}", neither a whole number nor a \${property} reference`,
    );
    return undefined;
  }
  if (n <= 0n) {
    ctx.report('OVF_VALUE_OUT_OF_RANGE', d, `${name} has capacity ${n}; a disk capacity is greater than 0`);
    return undefined;
  }
  if (unit === undefined) return undefined;
  const bytes = exactBaseUnits(ctx, d, `${name} capacity`, n, unit);
  if (bytes === undefined) return undefined;
  if (bytes > MAX_CAPACITY) {
    ctx.report(
      'OVF_VALUE_OUT_OF_RANGE',
      d,
      `${name} has a capacity of ${n} × "${units}" = ${bytes} bytes, beyond 2^64 bytes (16 EiB)`,
      'No platform supports a disk that large; check the value and capacityAllocationUnits.',
    );
  }
  return bytes;
}

function checkParents(ctx: ValidationContext, disks: OvfDisk[]): void {
  const byId = new Map(disks.map((d) => [d.diskId, d]));
  for (const d of disks) {
    if (d.parentRef === undefined) continue;
    if (!byId.has(d.parentRef)) {
      ctx.report(
        'OVF_UNRESOLVED_DISK',
        d,
        `Disk "${d.diskId}" has parent disk "${d.parentRef}", which is not in DiskSection`,
      );
      continue;
    }
    const chain = new Set([d.diskId]);
    for (
      let p = byId.get(d.parentRef);
      p !== undefined;
      p = p.parentRef ? byId.get(p.parentRef) : undefined
    ) {
      if (chain.has(p.diskId)) {
        ctx.report(
          'OVF_DISK_PARENT_CYCLE',
          d,
          `Disk "${d.diskId}" is its own ancestor through ovf:parentRef`,
        );
        break;
      }
      chain.add(p.diskId);
    }
  }
}
