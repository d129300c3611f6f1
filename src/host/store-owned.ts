import type Database from 'better-sqlite3';

/**
 * The images the host created for a system (new empty disks, DSP1047): each row says that `path` is the host's own
 * file for system `uuid`, so it goes when the system is undefined or stops naming it. A row is written before the
 * file is created and removed after the file is, so a crash in between leaves a row the next start cleans up,
 * never a file nobody owns.
 */

/** The table, created on any schema (an older Vessel ignores it). */
const OWNED_SCHEMA = `
CREATE TABLE IF NOT EXISTS vm_owned_images (
  uuid TEXT NOT NULL, path TEXT NOT NULL, PRIMARY KEY (uuid, path));
`;

/** One owned image. */
export interface OwnedImage {
  uuid: string;
  path: string;
}

/**
 * The owned-images table of the store.
 *
 * @example
 * store.ownedImages.add(uuid, '/var/lib/vessel/images/web1-disk5.qcow2');
 */
export class OwnedImageTable {
  private readonly stmts;

  constructor(db: Database.Database) {
    db.exec(OWNED_SCHEMA);
    this.stmts = {
      add: db.prepare('INSERT OR IGNORE INTO vm_owned_images (uuid, path) VALUES (?, ?)'),
      remove: db.prepare('DELETE FROM vm_owned_images WHERE uuid = ? AND path = ?'),
      of: db.prepare('SELECT path FROM vm_owned_images WHERE uuid = ? ORDER BY path'),
      all: db.prepare('SELECT uuid, path FROM vm_owned_images ORDER BY uuid, path'),
    };
  }

  /** Records that the host makes (or made) `path` for system `uuid`. */
  add(uuid: string, path: string): void {
    this.stmts.add.run(uuid, path);
  }

  /** Forgets one owned image (after its file is gone, or when it is kept). */
  remove(uuid: string, path: string): void {
    this.stmts.remove.run(uuid, path);
  }

  /** The paths the host created for a system. */
  of(uuid: string): string[] {
    return (this.stmts.of.all(uuid) as { path: string }[]).map((r) => r.path);
  }

  /** Every owned image of every system. */
  all(): OwnedImage[] {
    return this.stmts.all.all() as OwnedImage[];
  }
}
