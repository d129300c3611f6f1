import { expect } from 'vitest';
import type { DriverCase } from '../types.case.test.js';
import { cleanup, guestDef } from './helpers.case.test.js';

/** A driver that owns its inventory: systems defined behind its back appear, and definitions outlive the driver. */
export const inventoryCases: DriverCase[] = [
  {
    id: 'inventory.external',
    title: 'lists a system defined behind its back, and keeps its definitions when reopened',
    requires: (caps, _entry, o) => caps.driver.ownsInventory && o.external !== undefined,
    needs: 'an inventory of its own and a way to define behind its back',
    async run(t) {
      const d = t.driver;
      await t.options.external!.define(guestDef(t, 'conf-ext'), { stateDir: t.stateDir });
      const found = await d.lookup('conf-ext');
      expect(found).toMatchObject({ name: 'conf-ext', state: 'stopped' });
      expect((await d.list()).map((x) => x.name)).toContain('conf-ext');
      expect((await d.getDefinition(found!.uuid)).system.ElementName).toBe('conf-ext');
      const own = await d.define(guestDef(t, 'conf-own'));
      const again = await t.open();
      expect((await again.list()).map((x) => x.name).sort()).toEqual(
        expect.arrayContaining(['conf-ext', 'conf-own']),
      );
      await again.close();
      await cleanup(t, own.uuid);
      await cleanup(t, found!.uuid);
      expect(await d.lookup('conf-ext')).toBeUndefined();
    },
  },
];
