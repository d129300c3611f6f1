import { ModelError } from '../errors.js';
import type { RasdProperties, ResourceSetting } from '../settings.js';
import { bytesOf } from '../units/quantity.js';
import { classifyResource } from './classify.js';

/**
 * A new, empty virtual disk asked for in a definition, the way DSP1041 and DSP1047 (Storage Resource
 * Virtualization) request one: a disk RASD (ResourceType 17 Disk Drive or 31 Logical Disk, RASD or SASD) with a
 * capacity and no HostResource. The capacity is VirtualQuantity in its unit (VirtualQuantityUnits, or a SASD's
 * `count(fixed size block)` × VirtualResourceBlockSize, or AllocationUnits; see `quantityOf`); PoolID names the
 * storage pool the host takes the space from (none: the host's default pool). Reservation and Limit are host
 * space (DSP1047: what is set aside and the most the image may take): a Limit below the capacity would cap the
 * guest's disk, and a Reservation is the whole capacity (a preallocated image) or nothing. OVF says the same with a
 * Disk that has ovf:capacity and no ovf:fileRef (DSP0243 §9.1), which a deploy creates.
 *
 * The model only reads the request; the host creates the image and gives the RASD its HostResource.
 */

/** The smallest new disk: 1 MiB. */
export const MIN_NEW_DISK_BYTES = 1n << 20n;

/** The largest new disk: 64 TiB (what qemu-img and every target here can make). */
export const MAX_NEW_DISK_BYTES = 64n << 40n;

/** A new disk as a definition asks for it. */
export interface NewDiskRequest {
  /** The guest's disk size, exactly. */
  capacityBytes: bigint;
  /** The storage pool's name (PoolID); undefined: the host's default pool. */
  pool: string | undefined;
  /** Host space set aside now (a preallocated image): the whole capacity, or undefined for a sparse image. */
  reservedBytes: bigint | undefined;
}

/** What {@link newDiskOf} read: the request, or why it cannot be one. */
export type NewDiskReading = { request: NewDiskRequest } | { problem: string; hint?: string };

const present = (v: string | readonly string[] | undefined) =>
  v !== undefined && (typeof v === 'string' ? v.trim() !== '' : v.some((x) => x.trim() !== ''));

/** True when a RASD names an image: a HostResource with text in it. */
function namesImage(p: RasdProperties): boolean {
  return present(p.HostResource);
}

function bytesOrProblem(r: ResourceSetting, what: 'VirtualQuantity' | 'Reservation' | 'Limit') {
  try {
    return { bytes: bytesOf(r, what) };
  } catch (e) {
    return { problem: (e as ModelError).message };
  }
}

/**
 * Reads a RASD as a request for a new disk: undefined when it is not one (not a disk, a disk that names an image,
 * or a disk that gives no size); otherwise the request, or the problem with its size, units or host space.
 *
 * @example
 * newDiskOf({ cimClass: 'CIM_ResourceAllocationSettingData', properties: { ResourceType: '17',
 *   VirtualQuantity: '8', VirtualQuantityUnits: 'byte*2^30', PoolID: 'fast' } });
 * // { request: { capacityBytes: 8589934592n, pool: 'fast', reservedBytes: undefined } }
 */
export function newDiskOf(r: ResourceSetting): NewDiskReading | undefined {
  const p = r.properties;
  const c = classifyResource(r);
  if (c.device !== 'drive' || c.kind !== 'disk' || namesImage(p)) return undefined;
  const id = `Disk "${p.InstanceID ?? '?'}"`;
  if (!present(p.VirtualQuantity)) {
    if (!present(p.Limit) && !present(p.Reservation)) return undefined;
    return {
      problem: `${id} gives Limit or Reservation but no VirtualQuantity, the size of the new disk`,
      hint: 'Give the size in VirtualQuantity with VirtualQuantityUnits (e.g. 8 and byte*2^30)',
    };
  }
  const size = bytesOrProblem(r, 'VirtualQuantity');
  if (size.problem !== undefined) return { problem: `${id}: ${size.problem}` };
  const bytes = size.bytes!;
  const range = 'a new disk is a multiple of 512 bytes from 1 MiB to 64 TiB';
  if (bytes < MIN_NEW_DISK_BYTES || bytes > MAX_NEW_DISK_BYTES || bytes % 512n !== 0n)
    return { problem: `${id}: a capacity of ${bytes} bytes cannot be created; ${range}` };
  const limit = bytesOrProblem(r, 'Limit');
  if (limit.problem !== undefined) return { problem: `${id}: ${limit.problem}` };
  if (limit.bytes !== undefined && limit.bytes !== 0n && limit.bytes < bytes)
    return {
      problem: `${id}: Limit ${limit.bytes} bytes is below its capacity of ${bytes} bytes; this host cannot cap a disk's image below the disk's size`,
      hint: 'Leave Limit out, or give at least the capacity',
    };
  const reserve = bytesOrProblem(r, 'Reservation');
  if (reserve.problem !== undefined) return { problem: `${id}: ${reserve.problem}` };
  const reserved = reserve.bytes === 0n ? undefined : reserve.bytes;
  if (reserved !== undefined && reserved !== bytes)
    return {
      problem: `${id}: Reservation ${reserved} bytes is neither 0 nor its capacity of ${bytes} bytes; this host reserves a new disk's whole size (a preallocated image) or nothing`,
      hint: 'Leave Reservation out for a sparse image, or give the capacity for a preallocated one',
    };
  const pool = typeof p.PoolID === 'string' && p.PoolID.trim() !== '' ? p.PoolID.trim() : undefined;
  return { request: { capacityBytes: bytes, pool, reservedBytes: reserved } };
}

/**
 * The RASD of a new disk once the host made its image: HostResource names the image, PoolID (spent) and
 * Reservation (done) go; the capacity stays as the client wrote it.
 *
 * @example
 * withNewImage(rasd, '/var/lib/vessel/images/web1-disk5.qcow2');
 */
export function withNewImage(r: ResourceSetting, path: string): ResourceSetting {
  const { PoolID: _pool, Reservation: _reservation, HostResource: _host, ...rest } = r.properties;
  return { cimClass: r.cimClass, properties: { ...rest, HostResource: [path] } };
}

/** Throws the problem of a reading as `MODEL_INVALID`, or returns its request. */
export function requireNewDisk(reading: NewDiskReading): NewDiskRequest {
  if ('request' in reading) return reading.request;
  throw new ModelError('MODEL_INVALID', reading.problem, { hint: reading.hint });
}
