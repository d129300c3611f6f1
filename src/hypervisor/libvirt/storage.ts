import { createWriteStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { basename } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type {
  LibvirtClient,
  RemoteNonnullStoragePool,
  RemoteNonnullStorageVol,
} from '../../libvirt/index.js';
import { HypervisorError } from '../errors.js';
import { hypervisorError } from './errors.js';
import { type PendingVolume, PendingVolumes } from './pending.js';

/** The libvirt storage pools a deploy writes into, the first that exists: Vessel's own, then libvirt's default. */
export const LIBVIRT_POOLS = ['vessel', 'default'] as const;

/** A volume name libvirt takes in a dir pool: the system's UUID and the file's name, nothing else. */
export function volumeName(uuid: string, file: string): string {
  return `${uuid}-${basename(file).replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

async function guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw hypervisorError(e, what);
  }
}

/**
 * Disk images in libvirt's storage, through its storage RPCs only (so a remote daemon and a daemon of another
 * user work the same): a deploy's images are uploaded as volumes of a dir pool (STORAGE_VOL_CREATE_XML, then
 * STORAGE_VOL_UPLOAD streams the file's bytes as `virsh vol-upload` does), and an export downloads them again
 * (STORAGE_VOL_DOWNLOAD). The pool is `vessel` when the admin made one, else libvirt's `default`.
 *
 * @example
 * const path = await new LibvirtStorage(() => client).upload(uuid, '/state/vms/u/image-d1.qcow2');
 */
export class LibvirtStorage {
  private sweeping: Promise<number> | undefined;

  /** `pending`: the journal of unfinished uploads (default: one in memory). */
  constructor(
    private readonly client: () => LibvirtClient,
    private readonly pending = new PendingVolumes(undefined, LIBVIRT_POOLS),
  ) {}

  /** The pool volumes go into (refreshed, so files added behind libvirt's back are seen). */
  async pool(): Promise<RemoteNonnullStoragePool> {
    for (const name of LIBVIRT_POOLS) {
      const found = await this.client()
        .call('STORAGE_POOL_LOOKUP_BY_NAME', { name })
        .then(
          (r) => r.pool,
          () => undefined,
        );
      if (found === undefined) continue;
      await guard(`Cannot refresh the libvirt storage pool "${name}"`, () =>
        this.client().call('STORAGE_POOL_REFRESH', { pool: found, flags: 0 }),
      );
      return found;
    }
    throw new HypervisorError(
      'NOT_SUPPORTED',
      `libvirt has no storage pool named ${LIBVIRT_POOLS.map((p) => `"${p}"`).join(' or ')} to write the images into`,
      {
        hint: 'Define a dir pool: virsh pool-define-as vessel dir --target DIR && virsh pool-build vessel && virsh pool-start vessel',
      },
    );
  }

  /**
   * Uploads one file as a new volume of the pool; resolves with the volume's path (what the domain XML names).
   * The bytes go through the stream with the connection's backpressure, then the client's finish; the upload
   * counts only when the daemon confirms it (its final status) and exactly the file's size went through. Anything
   * else (a read error, a file that shrank, the daemon's error) aborts the stream (virStreamAbort) and deletes
   * the volume. The volume is recorded in the journal of pending uploads before it is created and removed from it
   * once complete or deleted: when the connection is lost mid-upload (libvirtd killed) and the volume cannot be
   * deleted then, the next `sweep` (on reconnect, or when the driver next opens) deletes it.
   */
  async upload(uuid: string, file: string): Promise<string> {
    const pool = await this.pool();
    const name = volumeName(uuid, file);
    const entry: PendingVolume = { pool: pool.name, name };
    const fh = await open(file, 'r');
    /** Whether a volume of this upload may be left in the pool (`no` once it is complete or deleted). */
    let made: 'no' | 'maybe' | 'yes' = 'no';
    try {
      const size = (await fh.stat()).size;
      // A raw volume of the file's size: the upload writes the file's bytes as they are (a qcow2 stays a qcow2).
      const xml = `<volume><name>${name}</name><capacity unit="bytes">${size}</capacity><allocation>0</allocation><target><format type="raw"/></target></volume>`;
      await this.pending.record(entry);
      made = 'maybe'; // a create whose answer is lost may still have made it
      const { vol } = await guard(`Cannot create the libvirt volume "${name}"`, () =>
        this.client().call('STORAGE_VOL_CREATE_XML', { pool, xml, flags: 0 }),
      ).catch((e: unknown) => {
        if (!(e instanceof HypervisorError && /DISCONNECTED|TIMEOUT/.test(e.code))) made = 'no';
        throw e;
      });
      made = 'yes';
      try {
        await this.send(vol, fh, size);
      } catch (e) {
        await this.deleteFreed(vol);
        made = 'no';
        throw e;
      }
      const { name: path } = await guard(`Cannot read the path of "${name}"`, () =>
        this.client().call('STORAGE_VOL_GET_PATH', { vol }),
      );
      await this.pending.settle(entry);
      made = 'no'; // complete: nothing left behind
      return path;
    } finally {
      await fh.close();
      if (made === 'no') await this.pending.settle(entry);
      else {
        this.pending.release(entry);
        // Left behind (the connection went): swept now if the connection is back, else when it comes back.
        if (this.client().closed === undefined) void this.sweep().catch(() => undefined);
      }
    }
  }

  /**
   * Deletes the volumes unfinished uploads left (the journal's entries no upload of this process is running for)
   * and resolves with how many. A volume a domain of its UUID uses is kept (its upload had finished). Entries
   * whose pool is not there stay for the next sweep; a lost connection ends the sweep (the next one goes on).
   */
  sweep(): Promise<number> {
    this.sweeping ??= this.sweepOnce().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  private async sweepOnce(): Promise<number> {
    let deleted = 0;
    for (const v of this.pending.stale()) {
      try {
        if (await this.sweepOne(v)) deleted++;
        await this.pending.settle(v);
      } catch (e) {
        if (this.client().closed !== undefined) throw e; // lost again: the next reconnect sweeps on
        // this entry stays for the next sweep (its pool is busy, or libvirt refused the delete); the others go on
      }
    }
    return deleted;
  }

  /** Deletes one journaled volume when it is there and not its domain's; true when it deleted it. */
  private async sweepOne(v: PendingVolume): Promise<boolean> {
    const pool = await this.client()
      .call('STORAGE_POOL_LOOKUP_BY_NAME', { name: v.pool })
      .then((r) => r.pool)
      .catch(() => undefined);
    if (pool === undefined) throw new Error(`no pool "${v.pool}" now`); // kept for when it is back
    await guard(`Cannot refresh the libvirt storage pool "${v.pool}"`, () =>
      this.client().call('STORAGE_POOL_REFRESH', { pool, flags: 0 }),
    );
    const vol = await this.client()
      .call('STORAGE_VOL_LOOKUP_BY_NAME', { pool, name: v.name })
      .then((r) => r.vol)
      .catch(() => undefined);
    if (vol === undefined || (await this.usedByItsDomain(vol))) return false;
    // The daemon may still hold it for the stream the cut connection had open: retried while it is in use.
    await this.deleteFreed(vol);
    return true;
  }

  /** Whether the domain whose UUID starts the volume's name names the volume's path in its definition. */
  private async usedByItsDomain(vol: RemoteNonnullStorageVol): Promise<boolean> {
    const uuid = /^[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}/i.exec(vol.name)?.[0];
    if (uuid === undefined) return false;
    const dom = await this.client()
      .call('DOMAIN_LOOKUP_BY_UUID', { uuid: Buffer.from(uuid.replaceAll('-', ''), 'hex') })
      .then((r) => r.dom)
      .catch(() => undefined);
    if (dom === undefined) return false;
    const [{ xml }, { name: path }] = await Promise.all([
      this.client().call('DOMAIN_GET_XML_DESC', { dom, flags: 2 }),
      this.client().call('STORAGE_VOL_GET_PATH', { vol }),
    ]);
    return xml.includes(`'${path}'`) || xml.includes(`"${path}"`);
  }

  /** Streams `size` bytes of an open file into a volume (STORAGE_VOL_UPLOAD) and waits for the daemon's end. */
  private async send(vol: RemoteNonnullStorageVol, fh: FileHandle, size: number): Promise<void> {
    const what = `Cannot upload "${vol.name}"`;
    const s = await guard(what, () =>
      this.client().openStream('STORAGE_VOL_UPLOAD', { vol, offset: 0n, length: BigInt(size), flags: 0 }),
    );
    s.resume(); // the daemon sends no data on an upload; its final status ends the stream
    let sent = 0;
    const exact = new Transform({
      transform(chunk: Buffer, _enc, done) {
        sent += chunk.length;
        done(sent > size ? new Error(`the file grew past its ${size} bytes`) : null, chunk);
      },
      flush(done) {
        done(sent === size ? null : new Error(`the file ended after ${sent} of its ${size} bytes`));
      },
    });
    try {
      await pipeline(fh.createReadStream({ start: 0, autoClose: false }), exact, s);
      await s.done;
    } catch (e) {
      await s.abort();
      const mapped = hypervisorError(e, what);
      if (mapped instanceof HypervisorError) throw mapped;
      // The file's side (a read error, a size that changed): the upload failed, not libvirt.
      throw new HypervisorError('LIBVIRT_FAILED', `${what}: ${(e as Error).message}`, { cause: e });
    }
  }

  /**
   * Deletes a volume an aborted upload held: libvirt frees it once the aborted stream is closed on its side, so a
   * refusal because it is still in use is tried again for a few seconds.
   */
  private async deleteFreed(vol: RemoteNonnullStorageVol): Promise<void> {
    for (let i = 0; ; i++) {
      try {
        await this.delete(vol);
        return;
      } catch (e) {
        if (i >= 20 || this.client().closed !== undefined) throw e;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  /** The volume of a path, or undefined when the path is no libvirt volume. */
  async volumeOf(path: string): Promise<RemoteNonnullStorageVol | undefined> {
    return this.client()
      .call('STORAGE_VOL_LOOKUP_BY_PATH', { path })
      .then(
        (r) => r.vol,
        () => undefined,
      );
  }

  /** Downloads a volume's bytes into a new file `to` (refused when it exists). */
  async download(vol: RemoteNonnullStorageVol, to: string): Promise<void> {
    const s = await guard(`Cannot download "${vol.name}"`, () =>
      this.client().openStream('STORAGE_VOL_DOWNLOAD', { vol, offset: 0n, length: 0n, flags: 0 }),
    );
    try {
      await pipeline(s, createWriteStream(to, { flags: 'wx', mode: 0o600 }));
      s.end(); // the client's finish (virStreamFinish); the daemon confirms with its final status
      await s.done;
    } catch (e) {
      s.destroy();
      throw hypervisorError(e, `Cannot download "${vol.name}"`);
    }
  }

  /** Whether a volume is one `upload` made for a system: in one of Vessel's pools, named by the system's UUID. */
  owns(vol: RemoteNonnullStorageVol, uuid: string): boolean {
    return (LIBVIRT_POOLS as readonly string[]).includes(vol.pool) && vol.name.startsWith(`${uuid}-`);
  }

  /** Deletes a volume. */
  async delete(vol: RemoteNonnullStorageVol): Promise<void> {
    await guard(`Cannot delete the libvirt volume "${vol.name}"`, () =>
      this.client().call('STORAGE_VOL_DELETE', { vol, flags: 0 }),
    );
  }
}
