import {
  ApiError,
  type ByteStream,
  type ImageInfo,
  type PoolInfo,
  type PoolSpec,
  type PoolsApi,
} from '../../../api/index.js';
import type { CimInstance } from '../../../cim/index.js';
import { toBaseUnits } from '../../../model/index.js';
import { type CimSession, PROFILE } from './session.js';
import { text, texts, whole } from './values.js';

/** The ResourceTypes of storage pools (DSP1047): Disk Drive, Storage Extent, Logical Disk, Storage Volume. */
const STORAGE_TYPES = new Set([17, 19, 31, 32]);
const POOL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function bytes(i: CimInstance, name: string): bigint | undefined {
  const v = text(i, name);
  if (v === undefined || !/^\d{1,20}$/.test(v)) return undefined;
  try {
    return toBaseUnits(BigInt(v), text(i, 'AllocationUnits') ?? 'byte', 'byte');
  } catch {
    return undefined;
  }
}

/** A DSP1047 storage pool as PoolInfo, or undefined when it has no name the Api can carry. */
function poolOf(i: CimInstance): PoolInfo | undefined {
  const id = [text(i, 'ElementName'), text(i, 'PoolID')?.split('/').pop()].find(
    (n) => n !== undefined && POOL_NAME.test(n),
  );
  if (id === undefined) return undefined;
  const capacity = bytes(i, 'Capacity');
  const used = bytes(i, 'Reserved') ?? bytes(i, 'CurrentlyConsumedResource');
  const failed = whole(i, 'HealthState') === 20 || texts(i, 'OperationalStatus').includes('6');
  const available = capacity !== undefined && !failed;
  return {
    id,
    // DSP1047 has no default pool: which one a host uses by default is not said over CIM-XML.
    isDefault: false,
    available,
    capacityBytes: available ? capacity : 0n,
    usedBytes: available ? (used ?? 0n) : 0n,
    allowDevices: /block devices/i.test(text(i, 'ResourceSubType') ?? ''),
  };
}

/**
 * Storage pools over CIM-XML: the concrete (non-primordial) storage pools of a host that registers DSP1047, read
 * only. Adding or removing pools and moving images need a host's own methods, which DSP1047 does not define:
 * NOT_SUPPORTED.
 *
 * @example
 * for (const p of await api.pools.list()) console.log(p.id, p.usedBytes, p.capacityBytes);
 */
export class CimPools implements PoolsApi {
  constructor(private readonly s: CimSession) {}

  private refuse(what: string): ApiError {
    return new ApiError(
      'NOT_SUPPORTED',
      `Cannot ${what} over ${this.s.encoding}: DSP1047 defines no method for it`,
      {
        hint: 'Use the host itself (vessel:///STATE or vessel pool on the host)',
      },
    );
  }

  async list(): Promise<PoolInfo[]> {
    if (!this.s.found.profiles.has(PROFILE.storage))
      throw new ApiError(
        'NOT_SUPPORTED',
        `${this.s.where} registers no DMTF Storage Resource Virtualization profile (DSP1047): it shows no storage pools`,
      );
    const all = await this.s.call({ what: 'Listing the storage pools' }, (c) =>
      c.enumerateInstances('CIM_ResourcePool', { namespace: this.s.namespace }),
    );
    return all
      .filter(
        (p) =>
          STORAGE_TYPES.has(whole(p, 'ResourceType') ?? 0) && /^false$/i.test(text(p, 'Primordial') ?? ''),
      )
      .map(poolOf)
      .filter((p): p is PoolInfo => p !== undefined)
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<PoolInfo> {
    const found = (await this.list()).find((p) => p.id === id);
    if (found === undefined) throw new ApiError('NOT_FOUND', `No storage pool "${id}" on ${this.s.where}`);
    return found;
  }

  async add(_spec: PoolSpec): Promise<PoolInfo> {
    throw this.refuse('add a storage pool');
  }

  async remove(_id: string): Promise<void> {
    throw this.refuse('remove a storage pool');
  }

  async images(_id: string): Promise<ImageInfo[]> {
    throw this.refuse("list a pool's images");
  }

  async upload(_id: string, _name: string, _body: ByteStream): Promise<ImageInfo> {
    throw this.refuse('upload an image');
  }

  async download(_id: string, _name: string): Promise<ByteStream> {
    throw this.refuse('download an image');
  }

  async deleteImage(_id: string, _name: string): Promise<void> {
    throw this.refuse('delete an image');
  }

  async createImage(_id: string, _name: string, _sizeBytes: bigint, _format: string): Promise<ImageInfo> {
    throw this.refuse('create an image');
  }
}
