import { join } from 'node:path';
import { newDiskOf, parseUint, toBaseUnits, type VirtualSystemDefinition } from '../../model/index.js';
import { findSection, type OvfEnvelope } from '../../ovf/index.js';
import { HostError } from '../errors.js';
import { isRemoteHref } from './checks.js';
import { declaredIds, itemLabel, packageReference } from './confine.js';
import { MAX_DEPLOY_CAPACITY } from './disks.js';

/** A disk of one system: where it is staged and where it ends up. */
export interface PlannedDisk {
  diskId: string;
  capacity: bigint;
  /** The References/File it is read from; undefined for a blank disk. */
  fileId: string | undefined;
  /** File name inside the system's directory. */
  fileName: string;
}

/** A non-disk file a drive uses (`ovf:/file/ID`, an ISO or floppy image), copied into the system's directory. */
export interface PlannedFile {
  fileId: string;
  fileName: string;
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 80);

/** The capacity of a disk in bytes, `${property}` references resolved (DSP0243 §9.1). */
function capacityOf(
  diskId: string,
  text: string,
  units: string | undefined,
  props: Record<string, string>,
): bigint {
  let t = text.trim();
  const ref = /^\$\{(.+)\}$/.exec(t);
  if (ref) {
    const v = props[ref[1]!];
    if (v === undefined)
      throw new HostError(
        'DEPLOY_INVALID',
        `Disk "${diskId}": capacity ${t} names no property of the system`,
      );
    t = v;
  }
  const n = parseUint(t);
  let bytes: bigint | undefined;
  try {
    bytes = n === undefined ? undefined : toBaseUnits(n, units ?? 'byte', 'byte');
  } catch {
    bytes = undefined;
  }
  if (bytes === undefined || bytes === 0n) {
    throw new HostError(
      'DEPLOY_INVALID',
      `Disk "${diskId}": capacity "${text}"${units ? ` ${units}` : ''} is not a size in bytes`,
    );
  }
  if (bytes > MAX_DEPLOY_CAPACITY) {
    throw new HostError(
      'DEPLOY_DISK',
      `Disk "${diskId}" declares ${bytes} bytes of capacity; this host creates disks of at most ${MAX_DEPLOY_CAPACITY} bytes (64 TiB)`,
    );
  }
  return bytes;
}

/**
 * Resolves a system's drives: every HostResource (of any item; {@link checkPackageReferences} has made sure each
 * is a package reference or blank) becomes the `file://` URL of the file the deploy writes for it in the system's
 * final folder `dir`: `image-ID.qcow2` for a disk, `file-ID` for any other file. Blank values are removed. A
 * disk item with a capacity and no image (a new empty disk, `newDiskOf`) gets a blank `image-item-ID.qcow2`.
 */
export function resolveDrives(
  env: OvfEnvelope,
  def: VirtualSystemDefinition,
  dir: string,
  props: Record<string, string>,
): { disks: PlannedDisk[]; files: PlannedFile[] } {
  const pkgDisks = new Map((findSection(env.sections, 'DiskSection')?.disks ?? []).map((d) => [d.diskId, d]));
  const refs = new Map(env.references.map((f) => [f.id, f]));
  const ids = declaredIds(env);
  const disks: PlannedDisk[] = [];
  const files: PlannedFile[] = [];
  const names = new Set<string>();
  /** A file name of the system's folder, unique even when two ids differ only in characters `safe` replaces. */
  const unique = (prefix: string, id: string, suffix: string) => {
    let name = `${prefix}${safe(id)}${suffix}`;
    for (let n = 2; names.has(name); n++) name = `${prefix}${safe(id)}-${n}${suffix}`;
    names.add(name);
    return name;
  };
  def.resources.forEach((r, i) => {
    const hr = r.properties.HostResource ?? [];
    const resolved: string[] = [];
    for (const value of Array.isArray(hr) ? hr : [hr]) {
      const ref = packageReference(value, ids);
      if (ref === 'empty') continue;
      if (ref === undefined) {
        throw new HostError(
          'DEPLOY_HOST_PATH',
          `${itemLabel(r, i)} names "${value}", not a file of the package`,
        );
      }
      if (ref.kind === 'disk') {
        const d = pkgDisks.get(ref.id)!;
        if (d.parentRef !== undefined)
          throw new HostError(
            'DEPLOY_DISK',
            `Disk "${ref.id}" is a delta of "${d.parentRef}" (ovf:parentRef); Vessel deploys self-contained disks only`,
          );
        let planned = disks.find((x) => x.diskId === ref.id);
        if (planned === undefined) {
          planned = {
            diskId: ref.id,
            capacity: capacityOf(ref.id, d.capacity, d.capacityAllocationUnits, props),
            fileId: d.fileRef,
            fileName: unique('image-', ref.id, '.qcow2'),
          };
          disks.push(planned);
        }
        resolved.push(`file://${join(dir, planned.fileName)}`);
        continue;
      }
      const href = refs.get(ref.id)!.href;
      if (isRemoteHref(href))
        throw new HostError(
          'DEPLOY_PACKAGE',
          `${itemLabel(r, i)} uses File "${ref.id}", the remote file "${href}"; Vessel deploys only files the package holds`,
        );
      let file = files.find((f) => f.fileId === ref.id);
      if (file === undefined) {
        file = { fileId: ref.id, fileName: unique('file-', ref.id, '') };
        files.push(file);
      }
      resolved.push(`file://${join(dir, file.fileName)}`);
    }
    // A disk item with a capacity and no image asks for a new empty disk (DSP1047, as VMware writes them): it is
    // made blank in the system's folder like a Disk without ovf:fileRef; its PoolID names the producer's pool.
    const asked = resolved.length === 0 ? newDiskOf(r) : undefined;
    if (asked !== undefined && 'request' in asked) {
      const id = `item-${r.properties.InstanceID ?? i + 1}`;
      const planned = {
        diskId: id,
        capacity: asked.request.capacityBytes,
        fileId: undefined,
        fileName: unique('image-', id, '.qcow2'),
      };
      disks.push(planned);
      resolved.push(`file://${join(dir, planned.fileName)}`);
      delete r.properties.PoolID;
    }
    if (resolved.length === 0) delete r.properties.HostResource;
    else r.properties.HostResource = resolved;
  });
  return { disks, files };
}
