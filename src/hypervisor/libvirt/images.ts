import type { RemoteNonnullStorageVol } from '../../libvirt/index.js';
import { imagePath, readDevices } from '../../model/index.js';
import type { DomainLookup } from './lookup.js';
import type { LibvirtStorage } from './storage.js';

/**
 * A deploy's and an export's disk images on libvirt: the host's files become volumes of Vessel's libvirt pool
 * (uploaded over the connection, all or none), an export downloads them again, and an undefine deletes the
 * volumes a deploy uploaded for the system (named by its UUID). libvirt's test driver runs no guest: its images
 * stay where they are and none of this applies (`enabled` false).
 *
 * @example
 * const moved = await new LibvirtImages(look, storage, true).import(uuid, ['/state/vms/u/disk1.qcow2']);
 */
export class LibvirtImages {
  constructor(
    private readonly look: DomainLookup,
    private readonly storage: LibvirtStorage,
    private readonly enabled: boolean,
  ) {}

  /** Uploads each file as a volume; resolves with file -> volume path. One failure deletes those made. */
  async import(uuid: string, paths: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (!this.enabled) return out;
    try {
      for (const p of paths) out.set(p, await this.storage.upload(uuid, p));
    } catch (e) {
      await this.discard([...out.values()]).catch(() => undefined); // all or none
      throw e;
    }
    return out;
  }

  /** Deletes volumes `import` made (by path), those still there. */
  async discard(images: readonly string[]): Promise<void> {
    for (const p of images) {
      const vol = await this.storage.volumeOf(p);
      if (vol !== undefined) await this.storage.delete(vol);
    }
  }

  /** Each image of the definition that is a libvirt volume, downloaded into a new file of `dir`. */
  async export(uuid: string, dir: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (!this.enabled) return out;
    const def = await this.look.definition(await this.look.mustDomain(uuid));
    let n = 0;
    for (const r of def.resources) {
      const p = r.properties.HostResource?.[0];
      if (p === undefined || !p.startsWith('/') || out.has(p)) continue;
      const vol = await this.storage.volumeOf(p);
      if (vol === undefined) continue;
      const to = `${dir}/${++n}-${vol.name.replace(/[^A-Za-z0-9._-]/g, '_')}`;
      await this.storage.download(vol, to);
      out.set(p, to);
    }
    return out;
  }

  /** The volumes of a system's definition that its deploy uploaded (named by its UUID, in Vessel's pool). */
  async owned(uuid: string): Promise<RemoteNonnullStorageVol[]> {
    if (!this.enabled) return [];
    const def = await this.look.definition(await this.look.mustDomain(uuid));
    const id = def.system.VirtualSystemIdentifier ?? uuid;
    const out: RemoteNonnullStorageVol[] = [];
    for (const d of readDevices(def).drives) {
      const base = imagePath(d.hostResource);
      if (base === undefined) continue;
      const vol = await this.storage.volumeOf(base);
      if (vol !== undefined && this.storage.owns(vol, id) && !out.some((v) => v.key === vol.key))
        out.push(vol);
    }
    return out;
  }

  /** Deletes volumes (after an undefine). */
  async delete(volumes: readonly RemoteNonnullStorageVol[]): Promise<void> {
    for (const vol of volumes) await this.storage.delete(vol);
  }
}
