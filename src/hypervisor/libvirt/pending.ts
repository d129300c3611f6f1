import { existsSync, readFileSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';

/** A volume an upload is making: its pool and name (`<uuid>-<file>`, see `volumeName`). */
export interface PendingVolume {
  pool: string;
  name: string;
}

/** What a journal entry may name: one of Vessel's pools, a volume name of the characters `volumeName` writes. */
function valid(v: unknown, pools: readonly string[]): v is PendingVolume {
  if (typeof v !== 'object' || v === null) return false;
  const { pool, name } = v as Record<string, unknown>;
  return (
    typeof pool === 'string' &&
    pools.includes(pool) &&
    typeof name === 'string' &&
    /^[A-Za-z0-9._-]{1,255}$/.test(name) &&
    !/^\.\.?$/.test(name)
  );
}

const key = (v: PendingVolume) => `${v.pool}/${v.name}`;

/**
 * The uploads not yet finished, kept durably: an entry is written (and synced) before the volume is created and
 * removed once the upload is complete or its volume is deleted again. What a lost connection or a crash leaves
 * behind is therefore named here, and deleted when the driver reconnects or next opens (`LibvirtStorage.sweep`).
 * Without a file (a driver opened without a state directory) the journal lives in memory: reconnects are covered,
 * a restart is not. Entries that do not name one of Vessel's pools and a plain volume name are ignored (the file is
 * Vessel's own, but a tampered one must not steer a delete).
 *
 * @example
 * const j = new PendingVolumes('/var/lib/vessel/libvirt-pending-volumes.json', ['vessel', 'default']);
 * await j.record({ pool: 'vessel', name: 'u1-disk.qcow2' });
 */
export class PendingVolumes {
  private entries = new Map<string, PendingVolume>();
  /** Uploads of this process still running: not swept, their own error path cleans them. */
  private readonly running = new Set<string>();
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string | undefined,
    pools: readonly string[],
  ) {
    if (file === undefined || !existsSync(file)) return;
    let list: unknown;
    try {
      list = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return; // unreadable: nothing to clean up from it (it is rewritten at the next upload)
    }
    if (!Array.isArray(list)) return;
    for (const v of list) if (valid(v, pools)) this.entries.set(key(v), { pool: v.pool, name: v.name });
  }

  /** The entries no upload of this process is running for: what a sweep deletes. */
  stale(): PendingVolume[] {
    return [...this.entries.values()].filter((v) => !this.running.has(key(v)));
  }

  /** Records an upload that is about to create its volume (durable before it resolves). */
  async record(v: PendingVolume): Promise<void> {
    this.entries.set(key(v), v);
    this.running.add(key(v));
    await this.persist();
  }

  /** The upload's volume is complete, or gone: the entry is removed. */
  async settle(v: PendingVolume): Promise<void> {
    this.running.delete(key(v));
    if (this.entries.delete(key(v))) await this.persist();
  }

  /** The upload ended without settling (its volume may be left): the entry stays, for the next sweep. */
  release(v: PendingVolume): void {
    this.running.delete(key(v));
  }

  /** Writes the entries to a new file, syncs it and renames it over the journal (one write at a time). */
  private persist(): Promise<void> {
    const file = this.file;
    if (file === undefined) return Promise.resolve();
    const run = async () => {
      const tmp = `${file}.tmp`;
      const fh = await open(tmp, 'w', 0o600);
      try {
        await fh.writeFile(`${JSON.stringify([...this.entries.values()])}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, file);
    };
    this.writing = this.writing.then(run, run);
    return this.writing;
  }
}
