import { ApiError, type ImageInfo, type PoolInfo, type PoolsApi } from '../../api/index.js';
import {
  createPoolImage,
  DEFAULT_POOL,
  deletePoolImage,
  downloadPoolImage,
  type PoolImage,
  poolImages,
  type StoragePool,
  uploadPoolImage,
} from '../pools/index.js';
import type { SessionContext } from './context.js';

/**
 * The `pools` namespace of the local host: its storage pools (src/host/pools, DSP1047). Sizes are exact bytes
 * (statfs read as 64-bit integers); a folder's path is shown to a local principal only, and only a local principal
 * may add a pool, since a pool names a host folder whose files admins' images may then be (a remote admin could
 * otherwise make `/etc` a pool and give a guest `/etc/shadow`).
 *
 * @example
 * const pools = poolsApi({ host, principal });
 * await pools.add({ id: 'iso', path: '/srv/iso' });
 * for (const p of await pools.list()) console.log(p.id, p.capacityBytes - p.usedBytes);
 */
export function poolsApi(ctx: SessionContext): PoolsApi {
  const { host, principal } = ctx;
  const info = (pool: StoragePool): PoolInfo => {
    const sizes = host.pools.sizes(pool); // undefined: removed or unmounted, shown unavailable
    return {
      id: pool.name,
      isDefault: pool.name === DEFAULT_POOL,
      available: sizes !== undefined,
      capacityBytes: sizes?.capacityBytes ?? 0n,
      usedBytes: sizes?.usedBytes ?? 0n,
      allowDevices: pool.allowDevices,
      ...(principal.local ? { path: pool.path } : {}),
    };
  };
  // A driver that owns its inventory is asked first, so that "in use" sees every system it has.
  const systems = async () => {
    await host.list();
    return host.store.listVms();
  };
  const image = (i: PoolImage): ImageInfo => ({
    name: i.name,
    sizeBytes: i.sizeBytes,
    format: i.format,
    ...(i.virtualSizeBytes === undefined ? {} : { virtualSizeBytes: i.virtualSizeBytes }),
    usedBy: i.usedBy,
    ...(i.modifiedAt === undefined ? {} : { modifiedAt: i.modifiedAt }),
  });
  return {
    async list() {
      return host.pools.all.map(info);
    },
    async get(id) {
      return info(host.pools.get(id));
    },
    async add(spec) {
      if (!principal.local) {
        throw new ApiError(
          'ACCESS_DENIED',
          `Cannot add the storage pool "${spec.id}": a pool names a host folder, which only the host's own user may name`,
          { hint: 'Add it on the host: vessel pool add NAME DIR' },
        );
      }
      host.pools.add(spec.id, spec.path, { allowDevices: spec.allowDevices === true });
      return info(host.pools.get(spec.id));
    },
    async remove(id) {
      host.pools.remove(id, await systems());
    },
    async images(id) {
      return (await poolImages(host.pools.get(id), await systems())).map(image);
    },
    async upload(id, name, body, o = {}) {
      const pool = host.pools.get(id);
      return image(await uploadPoolImage(pool, name, body, o, await systems()));
    },
    async download(id, name, o = {}) {
      return downloadPoolImage(host.pools.get(id), name, o.offset ?? 0n);
    },
    async deleteImage(id, name) {
      await deletePoolImage(host.pools.get(id), name, await systems());
    },
    async createImage(id, name, sizeBytes, format) {
      return image(await createPoolImage(host.pools.get(id), name, sizeBytes, format, await systems()));
    },
  };
}
