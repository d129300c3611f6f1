import { join } from 'node:path';
import { expect } from 'vitest';
import { buildDefinition } from '../../../model/index.js';
import { requireOperation } from '../../operations.js';
import type { DriverCase } from '../types.case.test.js';
import { cleanup, failure, guestDef } from './helpers.case.test.js';

/** Definitions: UUIDs, names, lookups, refusals, and edits of a stopped system. */
export const defineCases: DriverCase[] = [
  {
    id: 'define.lookup',
    title: 'defines with a new UUID, lists, and looks up by name and UUID',
    async run(t) {
      const d = t.driver;
      const info = await d.define(guestDef(t, 'conf-a'));
      expect(info).toMatchObject({ name: 'conf-a', state: 'stopped' });
      expect(info.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect((await d.lookup('conf-a'))?.uuid).toBe(info.uuid);
      expect((await d.lookup(info.uuid.toUpperCase()))?.name).toBe('conf-a');
      expect((await d.list()).map((x) => x.name)).toContain('conf-a');
      expect((await d.getDefinition(info.uuid)).system.VirtualSystemIdentifier).toBe(info.uuid);
      expect(await d.getState(info.uuid)).toMatchObject({ uuid: info.uuid, state: 'stopped' });
      expect((await d.info()).vmCount).toBe((await d.list()).length);
      await cleanup(t, info.uuid);
    },
  },
  {
    id: 'define.refusals',
    title: 'refuses a duplicate name, a missing disk, zero memory and unknown systems, saying why',
    async run(t) {
      const d = t.driver;
      const a = await d.define(guestDef(t, 'conf-r'));
      expect((await failure(d.define(guestDef(t, 'conf-r')))).code).toBe('VM_EXISTS');
      const nope = join(t.stateDir, 'nope.raw');
      const missing = await failure(d.define(guestDef(t, 'conf-m', nope)));
      expect([missing.code, missing.message]).toEqual([
        'FILE_NOT_FOUND',
        `Cannot define "conf-m": the image of drive "4" does not exist: ${nope}`,
      ]);
      const zero = buildDefinition({ name: 'conf-z', cpus: 1, memoryBytes: 0n });
      expect((await failure(d.define(zero))).code).toBe('DEFINITION_INVALID');
      expect((await failure(d.getState('no-such-vm'))).code).toBe('VM_NOT_FOUND');
      expect((await failure(d.getDefinition('no-such-vm'))).code).toBe('VM_NOT_FOUND');
      expect(await d.lookup('conf-m')).toBeUndefined();
      // validate() says the same as define, without defining anything.
      const problems = await d.validate(guestDef(t, 'conf-v', nope), 'define');
      expect(problems.map((p) => [p.code, p.severity])).toEqual([['FILE_NOT_FOUND', 'error']]);
      expect(await d.validate(guestDef(t, 'conf-v', nope), 'deploy')).toEqual([]);
      expect(await d.lookup('conf-v')).toBeUndefined();
      await cleanup(t, a.uuid);
    },
  },
  {
    id: 'modify.undefine',
    title: 'modifies a stopped system, then undefines it',
    requires: (_caps, entry) => entry.includes('modify') && entry.includes('undefine'),
    needs: 'the modify and undefine entry points',
    async run(t) {
      const d = t.driver;
      const { uuid } = await d.define(guestDef(t, 'conf-mod'));
      const next = await d.getDefinition(uuid);
      next.system.Description = 'changed';
      await requireOperation(d, 'modify')(uuid, next);
      expect((await d.getDefinition(uuid)).system.Description).toBe('changed');
      await requireOperation(d, 'undefine')(uuid);
      expect(await d.lookup(uuid)).toBeUndefined();
      expect((await failure(requireOperation(d, 'undefine')(uuid))).code).toBe('VM_NOT_FOUND');
    },
  },
];
