import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDevices } from '../model/index.js';
import { logIn, openPage, startWebHarness, type WebHarness } from './harness.case.test.js';

// The create form's new disk (issue 15: "disks from a pool or new") in Chromium against a real host
// (test:///default) serving the real build: the API's definition names an image the host made of the size
// entered, in the pool chosen (qemu-img info), beside a disk from a pool; the host's refusals of a new disk show
// on its size or pool field.

const T = 90_000;
let h: WebHarness;
let fast: string;
let spare: string;
beforeAll(async () => {
  h = await startWebHarness(1);
  fast = join(h.dir, 'fast');
  spare = join(h.dir, 'spare');
  mkdirSync(fast);
  mkdirSync(spare);
  await h.host.api.pools.add({ id: 'fast', path: fast });
  await h.host.api.pools.add({ id: 'spare', path: spare });
}, 180_000);
afterAll(async () => {
  await h?.close();
});

const info = (p: string) =>
  JSON.parse(execFileSync('qemu-img', ['info', '--output=json', '-U', p], { encoding: 'utf8' })) as {
    format: string;
    'virtual-size': number;
  };

describe('the create form with a new disk', () => {
  it(
    'creates a system with a disk from a pool and a new disk; the API names the new image, qemu-img sees its size',
    async () => {
      const w = await openPage(h, 'create-new-disk', { expected401: ['/api/v1/session'] });
      const p = w.page;
      await p.goto(`${h.base}/`);
      await logIn(p, 'admin', 'secret');
      await p.getByRole('link', { name: 'Create system' }).click();
      const vm1 = (await h.host.api.systems.get('vm1')).definition;
      const image = readDevices(vm1).drives[0]!.hostResource!;
      await p.getByLabel('Name').fill('fresh1');
      await p.getByLabel('Disk 1 image').fill(image);
      await p.getByRole('button', { name: 'Add new disk' }).click();
      await p.getByLabel('Disk 2 size', { exact: true }).fill('24');
      await p.getByLabel('Disk 2 size unit').selectOption('MiB');
      await p.getByLabel('Disk 2 pool').selectOption('fast');
      await p.getByRole('button', { name: 'Create', exact: true }).click();
      await p.getByRole('heading', { name: 'fresh1' }).waitFor();
      const def = (await h.host.api.systems.get('fresh1')).definition;
      const drives = readDevices(def).drives;
      const made = join(fast, `fresh1-disk${drives[1]!.instanceId}.qcow2`);
      expect(drives.map((d) => [d.kind, d.hostResource])).toEqual([
        ['disk', image],
        ['disk', made],
      ]);
      expect(drives[1]!.resource.properties).toMatchObject({
        VirtualQuantity: '24',
        VirtualQuantityUnits: 'byte*2^20',
      });
      expect(info(made)).toMatchObject({ format: 'qcow2', 'virtual-size': 24 << 20 });
      expect(readdirSync(fast)).toEqual([`fresh1-disk${drives[1]!.instanceId}.qcow2`]);
      // The system page shows the new disk with its capacity.
      await expect
        .poll(() => p.locator('table.disks').textContent())
        .toContain(`fresh1-disk${drives[1]!.instanceId}.qcow2`);
      const row = p.locator('table.disks tr', { hasText: `fresh1-disk${drives[1]!.instanceId}.qcow2` });
      expect(await row.locator('[data-label="Capacity"]').textContent()).toBe('24 MiB');
      expect(w.problems).toEqual([]);
      await w.context.close();
    },
    T,
  );

  it(
    "shows the host's refusal of a new disk on its size or pool field, and makes nothing",
    async () => {
      const w = await openPage(h, 'create-new-disk-errors', {
        expected401: ['/api/v1/session'],
        allow: [/status of 4(22|09|03|29)/],
      });
      const p = w.page;
      await p.goto(`${h.base}/#/create`);
      await logIn(p, 'admin', 'secret');
      await p.getByLabel('Name').fill('bad2');
      await p.getByRole('button', { name: 'Remove disk 1' }).click();
      await p.getByRole('button', { name: 'Add new disk' }).click();
      await p.getByLabel('Disk 1 pool').selectOption('spare');
      const refused = async (field: string, text: RegExp) => {
        await p.getByRole('button', { name: 'Create', exact: true }).click();
        const err = p.locator(`[data-error-for="${field}"]`);
        await err.waitFor();
        expect(await err.textContent()).toMatch(text);
        expect(await p.locator(`#${field}`).getAttribute('aria-invalid')).toBe('true');
        expect(await p.locator('[data-error-for]').count()).toBe(1);
      };
      const size = p.getByLabel('Disk 1 size', { exact: true });
      for (const [typed, text] of [
        ['0', /a capacity of 0 bytes cannot be created/],
        ['-3', /"-3" is not a whole number/],
        ['1e3', /"1e3" is not a whole number/],
        ['<img src=x onerror=alert(1)>', /is not a whole number/],
        ['65537', /a capacity of 70369817919488 bytes cannot be created/],
      ] as const) {
        await size.fill(typed);
        await p.getByLabel('Disk 1 size unit').selectOption(typed === '65537' ? 'GiB' : 'MiB');
        await refused('create-disk-0-size', text);
      }
      expect(await p.locator('img').count()).toBe(0);
      // The pool goes while the form is open: the refusal is on the pool field.
      await size.fill('8');
      await h.host.api.pools.remove('spare');
      await refused('create-disk-0-pool', /no storage pool "spare"/);
      expect(readdirSync(spare)).toEqual([]);
      expect((await h.host.api.systems.list()).map((s) => s.name)).not.toContain('bad2');
      expect(w.problems).toEqual([]);
      await w.context.close();
      // The image the form's first system got is its own: it goes with the system.
      await h.host.api.systems.undefine('fresh1', { waitMs: 30_000 });
      expect(readdirSync(fast)).toEqual([]);
    },
    T,
  );
});
