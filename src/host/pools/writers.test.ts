import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDefinition, type DiskMode, type VirtualSystemDefinition } from '../../model/index.js';
import { HostError } from '../errors.js';
import { Store, type StoredVm } from '../store.js';
import { othersToCheck, refuseSharedWriters } from './writers.js';

// Two writers on one image are refused whatever path names it; readers through overlays may share it.

let dir: string;
let image: string;
let alias: string;
let other: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vessel-writers-'));
  image = join(dir, 'base.img');
  other = join(dir, 'other.img');
  alias = join(dir, 'alias.img');
  await writeFile(image, '');
  await writeFile(other, '');
  await symlink(image, alias);
});

afterAll(() => rm(dir, { recursive: true, force: true }));

let serial = 0;
function system(name: string, disks: string[], diskMode?: DiskMode): VirtualSystemDefinition {
  serial++;
  const uuid = `00000000-0000-4000-8000-${String(serial).padStart(12, '0')}`;
  return buildDefinition({
    name,
    uuid,
    cpus: 1,
    memoryBytes: 64n << 20n,
    disks,
    ...(diskMode === undefined ? {} : { diskMode }),
  });
}

/** A stored system as the store answers it (only what the check reads matters). */
function stored(def: VirtualSystemDefinition): StoredVm {
  const now = new Date(0).toISOString();
  return {
    uuid: String(def.system.VirtualSystemIdentifier),
    name: def.system.ElementName ?? '',
    definition: def,
    etag: '"0"',
    state: 'stopped',
    reason: '',
    reasonCode: 'defined',
    createdAt: now,
    updatedAt: now,
    changedAt: now,
    requested: undefined,
  };
}

function refusal(def: VirtualSystemDefinition, vms: VirtualSystemDefinition[], action?: string) {
  try {
    refuseSharedWriters(def, vms.map(stored), action);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(HostError);
    return e as HostError;
  }
}

describe('refuseSharedWriters', () => {
  it('lets systems share an image through overlays', () => {
    expect(refusal(system('b', [image]), [system('a', [image]), system('c', [alias])])).toBeUndefined();
  });

  it('refuses a disk on an image that another system writes directly, naming both and the image', () => {
    const e = refusal(system('b', [image]), [system('a', [other]), system('direct-a', [image], 'direct')]);
    expect(e?.code).toBe('IMAGE_IN_USE');
    expect(e?.message).toContain('Cannot define "b"');
    expect(e?.message).toContain('"direct-a" writes to it directly');
    expect(e?.message).toContain(image);
  });

  it('refuses a direct writer on an image that another system uses, also through a symlink', () => {
    const e = refusal(system('d', [alias], 'direct'), [system('a', [image])], 'start');
    expect(e?.code).toBe('IMAGE_IN_USE');
    expect(e?.message).toContain('Cannot start "d"');
    expect(e?.message).toContain('"d" would write to it directly and "a" uses it too');
  });

  it('leaves out the system being redefined, and systems on other images', () => {
    const d = system('d', [image], 'direct');
    expect(refusal(d, [d, system('a', [other])])).toBeUndefined();
  });

  it('refuses a direct writer among many overlay systems (each other system is looked at)', () => {
    const many = Array.from({ length: 200 }, (_, i) => system(`s${i}`, [other]));
    many.push(system('last', [image]));
    expect(refusal(system('d', [image], 'direct'), many)?.message).toContain('"last" uses it too');
  });

  it('reads stored rows as the store answers them: a direct writer found, a name that says DiskMode no writer', () => {
    const store = new Store(join(dir, 'writers.db'));
    try {
      for (let i = 0; i < 50; i++) {
        const d = system(`row${i}`, [other]);
        store.putVm(String(d.system.VirtualSystemIdentifier), d);
      }
      // Its text names DiskMode (as its name), yet it writes through an overlay.
      const named = system('DiskMode', [image]);
      store.putVm(String(named.system.VirtualSystemIdentifier), named);
      const b = system('b', [image]);
      expect(() => refuseSharedWriters(b, store.listVms())).not.toThrow();
      const direct = system('direct-row', [image], 'direct');
      store.putVm(String(direct.system.VirtualSystemIdentifier), direct);
      expect(() => refuseSharedWriters(b, store.listVms())).toThrow(/"direct-row" writes to it directly/);
      // What the host looks at: every row for a direct writer, only the rows that name DiskMode otherwise.
      expect(othersToCheck(store, b).map((v) => v.name)).toEqual(['DiskMode', 'direct-row']);
      expect(othersToCheck(store, system('d', [other], 'direct'))).toHaveLength(52);
      // A definition read (and so maybe changed) before the check is looked at as it is now.
      const rows = store.listVms();
      const row = rows.find((v) => v.name === 'row0')!;
      row.definition.system.DiskMode = 'direct';
      expect(() => refuseSharedWriters(system('c', [other]), rows)).toThrow(/"row0" writes to it directly/);
    } finally {
      store.close();
    }
  });
});
