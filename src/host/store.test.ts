import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDefinition } from '../model/index.js';
import { etagOf } from './api/vocabulary.js';
import { HostError } from './errors.js';
import { Store } from './store.js';

const dir = mkdtempSync(join(tmpdir(), 'vessel-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const def = (name: string) => buildDefinition({ name, cpus: 1, memoryBytes: 1n << 28n });

describe('Store', () => {
  it('keeps definitions, states, events and jobs across reopening', () => {
    const file = join(dir, 'a.db');
    const s = new Store(file);
    s.putVm('u1', def('web1'));
    s.setState('u1', 'running', 'started');
    s.addEvent({
      time: 't',
      uuid: 'u1',
      name: 'web1',
      kind: 'state',
      state: 'running',
      reason: 'started',
      cause: 'api',
    });
    s.createJob('j1', 'vm.start', 'u1');
    s.finishJob('j1', { result: { state: 'running' } });
    s.close();

    const again = new Store(file);
    expect(again.getVm('web1')).toMatchObject({ uuid: 'u1', state: 'running', reason: 'started' });
    expect(again.getVm('u1')?.definition).toEqual(def('web1'));
    expect(again.events({ uuid: 'u1' }).map((e) => [e.state, e.reason])).toEqual([['running', 'started']]);
    expect(again.getJob('j1')).toMatchObject({
      state: 'completed',
      progress: 100,
      result: { state: 'running' },
    });
    again.close();
  });

  it('keeps the state when a definition is replaced, and refuses two systems with one name', () => {
    const s = new Store(join(dir, 'b.db'));
    s.putVm('u1', def('a'));
    s.setState('u1', 'paused', 'paused');
    const changed = def('a');
    changed.system.Description = 'new';
    s.putVm('u1', changed);
    expect(s.getVm('u1')).toMatchObject({ state: 'paused', definition: { system: { Description: 'new' } } });
    expect(() => s.putVm('u2', def('a'))).toThrow(/UNIQUE constraint failed: vms.name/);
    s.close();
  });

  it('stores the etag with the definition: it changes exactly when the definition does', () => {
    const s = new Store(join(dir, 'etag.db'));
    s.putVm('u1', def('e'));
    const first = s.getVm('u1')!;
    expect(first.etag).toMatch(/^[0-9a-f]{32}$/);
    expect(first.etag).toBe(etagOf(def('e')));
    s.setState('u1', 'running', 'started');
    s.setRequested('u1', 'start');
    s.putVm('u1', def('e')); // the same definition written again
    expect(s.getVm('u1')!.etag).toBe(first.etag);
    const changed = def('e');
    changed.system.Description = 'new';
    s.putVm('u1', changed);
    const after = s.getVm('u1')!;
    expect(after.etag).not.toBe(first.etag);
    expect(after.etag).toBe(etagOf(after.definition));
    expect(s.listVms().map((v) => v.etag)).toEqual([after.etag]);
    s.close();
  });

  it('parses a definition only when it is read, gives each read its own, and writes it as JSON', () => {
    const s = new Store(join(dir, 'lazy.db'));
    s.putVm('u1', def('l'));
    const a = s.getVm('u1')!;
    const b = s.getVm('u1')!;
    a.definition.system.Description = 'changed by a reader';
    expect(b.definition.system.Description).toBeUndefined();
    expect(s.getVm('u1')!.definition).toEqual(def('l'));
    // The definition is a prototype accessor (cheap to make): JSON writes it, as it would a plain field.
    expect(JSON.parse(JSON.stringify(s.getVm('u1')))).toMatchObject({ definition: def('l'), name: 'l' });
    s.close();
    // A row whose JSON no longer parses still answers its state: only reading the definition parses.
    const raw = new Database(join(dir, 'lazy.db'));
    raw.prepare("UPDATE vms SET definition = '{' WHERE uuid = 'u1'").run();
    raw.close();
    const again = new Store(join(dir, 'lazy.db'));
    const row = again.getVm('l')!;
    expect(row.state).toBe('stopped');
    expect(() => row.definition).toThrow(SyntaxError);
    again.close();
  });

  it('marks jobs left running by a dead host as failed', () => {
    const s = new Store(join(dir, 'c.db'));
    s.createJob('j', 'vm.stop', 'u');
    expect(s.failOrphanJobs()).toBe(1);
    expect(s.getJob('j')).toMatchObject({ state: 'failed', error: { code: 'HOST_RESTARTED' } });
    s.close();
  });

  it('refuses a database of another schema version and a file that is not a database', () => {
    const file = join(dir, 'd.db');
    new Store(file).close();
    const raw = new Database(file);
    raw.prepare("UPDATE meta SET value = '99' WHERE key = 'schema'").run();
    raw.close();
    expect(() => new Store(file)).toThrow('has schema 99; this Vessel knows 3');
    expect(() => new Store(join(dir, 'no', 'such', 'dir.db'))).toThrow(HostError);
  });

  it('pages events after an id and by system', () => {
    const s = new Store(join(dir, 'e.db'));
    for (let i = 0; i < 5; i++) {
      s.addEvent({
        time: 't',
        uuid: i % 2 ? 'x' : 'y',
        name: 'n',
        kind: 'k',
        state: undefined,
        reason: String(i),
        cause: 'api',
      });
    }
    expect(s.events({ afterId: 2 }).map((e) => e.reason)).toEqual(['2', '3', '4']);
    expect(s.events({ uuid: 'x' }).map((e) => e.reason)).toEqual(['1', '3']);
    expect(s.events({ limit: 2 }).map((e) => e.reason)).toEqual(['0', '1']);
    s.close();
  });
});

describe('the rows a store keeps read', () => {
  const UUID = '6f1c2a9e-0000-4000-8000-000000000001';

  it('answers every write at once: state, requested change, rename, delete', () => {
    const s = new Store(join(dir, 'cache.db'));
    s.putVm(UUID, def('c1'));
    expect(s.getVm('c1')?.state).toBe('stopped');
    s.setState(UUID, 'running', 'started', 'booted');
    expect(s.getVm('c1')?.state).toBe('running');
    expect(s.getVm(UUID.toUpperCase())?.state).toBe('running');
    s.setRequested(UUID, 'shutdown');
    expect(s.getVm(UUID)?.requested).toBe('shutdown');
    s.putVm(UUID, def('c2'));
    expect(s.getVm('c1')).toBeUndefined();
    expect(s.getVm('c2')?.definition.system.ElementName).toBe('c2');
    s.deleteVm(UUID);
    expect(s.getVm('c2')).toBeUndefined();
    expect(s.getVm(UUID)).toBeUndefined();
    s.close();
  });

  it('never remembers a row read inside a transaction that is rolled back', () => {
    const s = new Store(join(dir, 'cache-tx.db'));
    const other = '6f1c2a9e-0000-4000-8000-000000000002';
    expect(() =>
      s.putVmsWithMetadata([
        { uuid: UUID, def: def('t1'), metadata: {} },
        // The same name again breaks the UNIQUE constraint: the whole transaction rolls back.
        { uuid: other, def: def('t1'), metadata: {} },
      ]),
    ).toThrow();
    expect(s.getVm('t1')).toBeUndefined();
    expect(s.getVm(UUID)).toBeUndefined();
    s.close();
  });

  it('gives each reader its own copy of the definition', () => {
    const s = new Store(join(dir, 'cache-copy.db'));
    s.putVm(UUID, def('k1'));
    const a = s.getVm('k1')!;
    a.definition.system.ElementName = 'changed by a caller';
    expect(s.getVm('k1')?.definition.system.ElementName).toBe('k1');
    s.close();
  });
});
