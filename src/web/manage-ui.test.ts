import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawTar } from '../../test/fixtures/ova/helpers.js';
import { readDevices } from '../model/index.js';
import { verifyOva } from '../ova/index.js';
import { logIn, openPage, startWebHarness, type WebHarness } from './harness.case.test.js';

// The management pages in Chromium against a real host (test:///default) serving the real build: the create form
// against the API's resources and its refusals on the right field (hostile values too), bulk start and stop with
// a result per row, live use bars and charts from the host's metrics sampler, editing with If-Match, the host
// page, what a reader sees, and axe-core on each page at 375 px.

const T = 90_000;
let h: WebHarness;
let poolDir: string;
beforeAll(async () => {
  h = await startWebHarness(3);
  const vm1 = (await h.host.api.systems.get('vm1')).definition.resources.find(
    (r) => r.properties.ResourceType === '17',
  );
  poolDir = dirname(String(vm1?.properties.HostResource?.[0]));
  writeFileSync(join(poolDir, 'tools.iso'), Buffer.alloc(64 * 1024));
}, 180_000);
afterAll(async () => {
  await h?.close();
});

const state = async (name: string) => (await h.host.api.systems.get(name)).state;

async function axe(page: Page, label: string): Promise<void> {
  await page.evaluate(readFileSync(join(process.cwd(), 'node_modules', 'axe-core', 'axe.min.js'), 'utf8'));
  const found = await page.evaluate(async () => {
    const r = await (
      globalThis as unknown as {
        axe: {
          run(): Promise<{ violations: { id: string; impact: string; nodes: { target: unknown }[] }[] }>;
        };
      }
    ).axe.run();
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, where: v.nodes.map((n) => n.target) }));
  });
  expect(
    found.filter((v) => v.impact === 'serious' || v.impact === 'critical'),
    label,
  ).toEqual([]);
  const width = await page.evaluate(
    () =>
      (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
        .documentElement.scrollWidth,
  );
  expect(width, `${label} scrolls sideways`).toBeLessThanOrEqual(
    await page.evaluate(() => (globalThis as unknown as { innerWidth: number }).innerWidth),
  );
}

describe('the management pages', () => {
  it(
    'creates a system with the form; the API has what was entered',
    async () => {
      const w = await openPage(h, 'create', { expected401: ['/api/v1/session'] });
      await w.page.goto(`${h.base}/`);
      await logIn(w.page, 'admin', 'secret');
      await w.page.getByRole('link', { name: 'Create system' }).click();
      const p = w.page;
      await p.getByLabel('Name').fill('made1');
      await p.getByLabel('vCPUs').fill('2');
      await p.getByLabel('Memory (MiB)').fill('192');
      await p.getByLabel('Firmware').selectOption('efi');
      await p.getByLabel('Disk 1 image').fill(join(poolDir, 'vm1.qcow2'));
      await p.getByRole('button', { name: 'Add CD/DVD drive' }).click();
      await p.getByLabel(/CD\/DVD 1 image/).fill(join(poolDir, 'tools.iso'));
      await p.getByLabel('Adapter 1 model').selectOption('e1000');
      await p.getByLabel('Adapter 1 MAC (empty: assigned)').fill('52:54:00:ab:cd:ef');
      await p.getByRole('button', { name: 'Add network adapter' }).click();
      await p.getByRole('button', { name: 'Create', exact: true }).click();
      await p.getByRole('heading', { name: 'made1' }).waitFor();
      const def = (await h.host.api.systems.get('made1')).definition;
      const dev = readDevices(def);
      expect(dev.system.firmware).toBe('efi');
      expect(def.resources.find((r) => r.properties.ResourceType === '3')?.properties.VirtualQuantity).toBe(
        '2',
      );
      const mem = def.resources.find((r) => r.properties.ResourceType === '4')?.properties;
      expect([mem?.VirtualQuantity, mem?.AllocationUnits]).toEqual(['192', 'byte * 2^20']);
      expect(dev.drives.map((d) => [d.kind, d.hostResource])).toEqual([
        ['disk', join(poolDir, 'vm1.qcow2')],
        ['cdrom', join(poolDir, 'tools.iso')],
      ]);
      expect(
        def.resources.filter((r) => r.properties.ResourceType === '10').map((r) => r.properties),
      ).toEqual([
        expect.objectContaining({
          Connection: ['user'],
          ResourceSubType: 'e1000',
          Address: '52:54:00:ab:cd:ef',
        }),
        expect.objectContaining({ Connection: ['user'], ResourceSubType: 'virtio' }),
      ]);
      // The system page lists what was made: disk on its controller, the CD's media, NICs with MAC, firmware.
      await expect
        .poll(() => p.locator('table.disks').textContent())
        .toContain('IDE Controller 0 (PIIX4), bus 0, slot 0');
      expect(await p.locator('table.cdroms').textContent()).toContain('tools.iso');
      expect(await p.locator('table.nics').textContent()).toContain('52:54:00:ab:cd:ef');
      expect(await p.locator('[data-field="firmware"]').textContent()).toBe('efi');
      expect(w.problems).toEqual([]);
      await w.context.close();
    },
    T,
  );

  it(
    "shows the host's refusal on the field it is about, for hostile and oversized values too",
    async () => {
      const w = await openPage(h, 'create-errors', {
        expected401: ['/api/v1/session'],
        allow: [/status of 4(22|09|03)/],
      });
      const p = w.page;
      await p.goto(`${h.base}/#/create`);
      await logIn(p, 'admin', 'secret');
      await p.getByLabel('Name').waitFor();
      const tryIt = async (fill: () => Promise<void>, field: string, text: RegExp) => {
        await fill();
        await p.getByRole('button', { name: 'Create', exact: true }).click();
        const err = p.locator(`[data-error-for="${field}"]`);
        await err.waitFor();
        expect(await err.textContent()).toMatch(text);
        expect(await p.locator(`#${field}`).getAttribute('aria-invalid')).toBe('true');
        // The refusal is on that field only, and the keyboard is taken there.
        expect(await p.locator('[data-error-for]').count()).toBe(1);
        expect(
          await p.evaluate(
            () =>
              (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document
                .activeElement?.id,
          ),
        ).toBe(field);
      };
      const name = (v: string) => () => p.getByLabel('Name').fill(v);
      // The disk first: an empty one is refused too, on its own field (each refused member is shown).
      await p.getByLabel('Disk 1 image').fill(join(poolDir, 'vm1.qcow2'));
      await tryIt(name('../../etc/x'), 'create-name', /not usable/);
      await tryIt(name(`v${'x'.repeat(300)}`), 'create-name', /at most 128/);
      await p.getByLabel('Name').fill('bad1');
      await p.getByLabel('Disk 1 image').fill(join(poolDir, 'vm1.qcow2'));
      await tryIt(() => p.getByLabel('vCPUs').fill('100000'), 'create-cpus', /at most 255/);
      await p.getByLabel('vCPUs').fill('1');
      await tryIt(() => p.getByLabel('Memory (MiB)').fill('0'), 'create-memory', /at least 1 MiB/);
      await p.getByLabel('Memory (MiB)').fill('64');
      // A host file outside every pool, and a relative path: the disk's field says why.
      await tryIt(() => p.getByLabel('Disk 1 image').fill('/etc/passwd'), 'create-disk-0', /pool/i);
      await tryIt(() => p.getByLabel('Disk 1 image').fill('vm1.qcow2'), 'create-disk-0', /absolute path/);
      await tryIt(() => p.getByLabel('Disk 1 image').fill(join(poolDir, 'nope.qcow2')), 'create-disk-0', /./);
      // Two members refused at once: each on its own field, as the problem's `errors` point at them.
      await p.getByLabel('Disk 1 image').fill(join(poolDir, 'vm1.qcow2'));
      await p.getByLabel('vCPUs').fill('100000');
      await p.getByLabel('Memory (MiB)').fill('0');
      await p.getByRole('button', { name: 'Create', exact: true }).click();
      await p.locator('[data-error-for="create-memory"]').waitFor();
      expect(await p.locator('[data-error-for="create-memory"]').textContent()).toMatch(
        /^Memory must be at least 1 MiB/,
      );
      expect(await p.locator('[data-error-for="create-cpus"]').textContent()).toMatch(
        /^100000 virtual CPUs asked/,
      );
      expect(await p.locator('[data-error-for]').count()).toBe(2);
      expect(await p.locator('#create-cpus').getAttribute('aria-invalid')).toBe('true');
      // Nothing of these was defined.
      expect((await h.host.api.systems.list()).map((s) => s.name)).not.toContain('bad1');
      expect(w.problems).toEqual([]);
      await w.context.close();
    },
    T,
  );

  it(
    'starts and stops the selected systems, with a result per row; the API agrees',
    async () => {
      await h.host.api.systems.changeState('vm3', 'start', { waitMs: 10_000 });
      const w = await openPage(h, 'bulk', { expected401: ['/api/v1/session'] });
      const p = w.page;
      await p.goto(`${h.base}/`);
      await logIn(p, 'op', 'op-pw');
      await p.getByRole('link', { name: 'vm1' }).waitFor();
      await p.getByLabel('Filter').fill('vm');
      // By keyboard: Space ticks each row, Enter on the bulk button.
      for (const n of ['vm1', 'vm2', 'vm3']) {
        await p.getByLabel(`Select ${n}`).focus();
        await p.keyboard.press('Space');
      }
      await p.getByRole('button', { name: 'Start selected' }).focus();
      await p.keyboard.press('Enter');
      const result = (n: string) => p.locator(`tr[data-system="${n}"] [data-result]`);
      await expect.poll(() => result('vm1').getAttribute('data-result')).toBe('ok');
      await expect.poll(() => result('vm2').getAttribute('data-result')).toBe('ok');
      expect(await result('vm3').getAttribute('data-result')).toBe('skipped');
      expect(await result('vm3').textContent()).toBe('already running');
      for (const n of ['vm1', 'vm2', 'vm3']) expect(await state(n)).toBe('running');
      await p.getByRole('button', { name: 'Stop selected' }).click();
      await p.getByRole('dialog').getByRole('button', { name: 'Power off' }).click();
      for (const n of ['vm1', 'vm2', 'vm3'])
        await expect.poll(() => result(n).getAttribute('data-result')).toBe('ok');
      for (const n of ['vm1', 'vm2', 'vm3']) expect(await state(n)).toBe('stopped');
      expect(w.problems).toEqual([]);
      await w.context.close();
    },
    T,
  );

  it(
    'draws use bars on the list and charts with points from the host’s metrics',
    async () => {
      await h.host.api.systems.changeState('vm2', 'start', { waitMs: 10_000 });
      const metrics = h.host.host.metrics;
      for (let i = 0; i < 3; i++) {
        await metrics.sample();
        await new Promise((r) => setTimeout(r, 300));
      }
      const w = await openPage(h, 'charts', { expected401: ['/api/v1/session'] });
      const p = w.page;
      await p.goto(`${h.base}/`);
      await logIn(p, 'op', 'op-pw');
      const bar = p.locator('tr[data-system="vm2"] .cpu-use [data-use]');
      await bar.waitFor();
      // The test driver counts wall-clock time as CPU time: one vCPU, fully used.
      expect(Number(await bar.getAttribute('data-use'))).toBeGreaterThan(0.5);
      expect(await p.locator('tr[data-system="vm2"] .memory-use').textContent()).toContain('64 MiB');
      expect(await p.locator('tr[data-system="vm1"] .cpu-use [data-use]').count()).toBe(0); // stopped: no bar
      // VESSEL_UPDATE_SCREENSHOTS=1 renews the pictures in docs/ (the list with its bars, a system page).
      const shots = process.env.VESSEL_UPDATE_SCREENSHOTS === '1';
      if (shots) await p.screenshot({ path: join(process.cwd(), 'docs', 'web-systems.png') });
      await p.getByRole('link', { name: 'vm2' }).click();
      const chart = (t: string) => p.locator('figure.chart').filter({ hasText: `${t}:` });
      await expect
        .poll(async () => Number(await chart('CPU').getAttribute('data-points')))
        .toBeGreaterThanOrEqual(2);
      expect(Number(await chart('Memory').getAttribute('data-points'))).toBeGreaterThanOrEqual(3);
      expect(await chart('CPU').locator('polyline').getAttribute('points')).toMatch(
        /^[\d.]+,[\d.]+ [\d.]+,[\d.]+/,
      );
      await p.getByLabel('Range').selectOption('1h');
      await expect
        .poll(async () => Number(await chart('Memory').getAttribute('data-points')))
        .toBeGreaterThanOrEqual(3);
      // The system's events and jobs.
      await expect.poll(() => p.locator('table.jobs').textContent()).toContain('start');
      expect(await p.locator('table.events').textContent()).toContain('system.state');
      if (shots) await p.screenshot({ path: join(process.cwd(), 'docs', 'web-system.png'), fullPage: true });
      await axe(p, 'system page with charts');
      await p.setViewportSize({ width: 375, height: 800 });
      await axe(p, 'system page with charts at 375 px');
      await h.host.api.systems.changeState('vm2', 'powerOff', { waitMs: 10_000 });
      expect(w.problems).toEqual([]);
      await w.context.close();
    },
    T,
  );

  it(
    'edits vCPUs and memory with If-Match: a stale page is refused, a running system needs a restart',
    async () => {
      const w = await openPage(h, 'edit', {
        expected401: ['/api/v1/session'],
        allow: [/status of 412/, /api\/v1\/events/],
      });
      const p = w.page;
      await p.goto(`${h.base}/#/systems/vm3`);
      await logIn(p, 'admin', 'secret');
      const form = p.locator('form.edit');
      await form.getByLabel('vCPUs').fill('3');
      await form.getByLabel('Memory (MiB)').fill('96');
      await form.getByRole('button', { name: 'Save' }).click();
      await form.getByRole('status').waitFor();
      const def = (await h.host.api.systems.get('vm3')).definition;
      expect(def.resources.find((r) => r.properties.ResourceType === '3')?.properties.VirtualQuantity).toBe(
        '3',
      );
      const mem = def.resources.find((r) => r.properties.ResourceType === '4')?.properties;
      expect(Number(mem?.VirtualQuantity) * (mem?.AllocationUnits === 'byte * 2^20' ? 1 : Number.NaN)).toBe(
        96,
      );
      // A page that hears nothing goes stale; a change made elsewhere meanwhile makes its etag old.
      await p.route('**/api/v1/events*', (r) => r.abort());
      await p.reload();
      await form.getByLabel('vCPUs').waitFor();
      const cpu = def.resources.find((r) => r.properties.ResourceType === '3')?.properties.InstanceID ?? '';
      await h.host.api.systems.modifyResources(
        'vm3',
        [{ instanceId: cpu, properties: { VirtualQuantity: '4' } }],
        {
          waitMs: 10_000,
        },
      );
      await form.getByLabel('vCPUs').fill('1');
      await form.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/changed since it was read/);
      expect(
        (await h.host.api.systems.get('vm3')).definition.resources.find(
          (r) => r.properties.ResourceType === '3',
        )?.properties.VirtualQuantity,
      ).toBe('4');
      // The form now shows the host's value.
      await expect.poll(() => form.getByLabel('vCPUs').inputValue()).toBe('4');
      // Running: the fields are locked and say a restart is needed.
      await h.host.api.systems.changeState('vm3', 'start', { waitMs: 10_000 });
      await p.unroute('**/api/v1/events*');
      await p.reload();
      await form.getByText('Needs a restart').waitFor();
      expect(await form.getByLabel('vCPUs').isDisabled()).toBe(true);
      expect(await form.getByRole('button', { name: 'Save' }).count()).toBe(0);
      await h.host.api.systems.changeState('vm3', 'powerOff', { waitMs: 10_000 });
      expect(w.problems).toEqual([]);
      await w.context.close();
    },
    T,
  );

  it(
    'the host page lists the summary, pools with their use, networks, images, users (admin), jobs and events',
    async () => {
      const w = await openPage(h, 'host', { width: 375, expected401: ['/api/v1/session'] });
      const p = w.page;
      await p.goto(`${h.base}/#/host`);
      await logIn(p, 'admin', 'secret');
      await p.getByRole('heading', { name: /^Host / }).waitFor();
      expect(await p.locator('[data-field="accelerator"]').textContent()).toContain('none');
      // The certificate the host's HTTPS listener presents: its fingerprint, subject and validity.
      const cert = new X509Certificate(h.host.rest.tls?.cert ?? '');
      expect(await p.locator('[data-field="cert-fingerprint"]').textContent()).toBe(cert.fingerprint256);
      expect(await p.locator('[data-field="cert-subject"]').textContent()).toBe('CN=vessel-test, O=Vessel');
      expect(await p.locator('[data-field="cert-issuer"]').textContent()).toContain('(self-signed)');
      expect(await p.locator('[data-field="cert-validity"] time').last().getAttribute('datetime')).toBe(
        new Date(cert.validTo).toISOString(),
      );
      const pool = p.locator('tr[data-pool="default"]');
      expect(await pool.textContent()).toContain('(default)');
      const api = (await h.host.api.pools.list()).find((x) => x.id === 'default');
      expect(Number(await pool.locator('[data-use]').getAttribute('data-use'))).toBeCloseTo(
        Number(api?.usedBytes) / Number(api?.capacityBytes),
        2,
      );
      expect(await p.locator('tr[data-network="user"]').count()).toBe(1);
      expect(await p.locator('tr[data-image="tools.iso"]').textContent()).toContain('default');
      expect(await p.locator('tr[data-image="vm1.qcow2"]').textContent()).toContain('vm1');
      expect(await p.locator('table.users').textContent()).toMatch(/rd\s*reader|rdreader/);
      expect(await p.locator('table.jobs tbody tr').count()).toBeGreaterThan(0);
      expect(await p.locator('table.events tbody tr').count()).toBeGreaterThan(0);
      // An upload from the page: the bytes land in the pool as they were, and the list shows the new image.
      const bytes = Buffer.alloc(3 * 2 ** 20, 7);
      writeFileSync(join(h.dir, 'rescue.iso'), bytes);
      await p.getByLabel('ISO or disk image').setInputFiles(join(h.dir, 'rescue.iso'));
      await p.locator('form.upload-image').getByRole('button', { name: 'Upload' }).click();
      await p.locator('tr[data-image="rescue.iso"]').waitFor();
      expect(await p.locator('form.upload-image progress').getAttribute('value')).toBe('1');
      expect(readFileSync(join(poolDir, 'rescue.iso')).equals(bytes)).toBe(true);
      const listed = (await h.host.api.pools.images('default')).find((i) => i.name === 'rescue.iso');
      expect(String(listed?.sizeBytes)).toBe(String(bytes.length));
      await axe(p, 'host page');
      await p.goto(`${h.base}/#/create`);
      await p.getByLabel('Name').waitFor();
      await p.getByRole('button', { name: 'Add new disk' }).click(); // a row of each kind
      await p.getByLabel('Disk 2 pool').waitFor();
      await axe(p, 'create form');
      expect(w.problems).toEqual([]);
      await w.context.close();
    },
    T,
  );

  it(
    'a reader sees no button it cannot use: no bulk actions, create, edit or users',
    async () => {
      const w = await openPage(h, 'reader', { expected401: ['/api/v1/session'] });
      const p = w.page;
      await p.goto(`${h.base}/`);
      await logIn(p, 'rd', 'rd-pw');
      await p.getByRole('link', { name: 'vm1' }).waitFor();
      expect(await p.getByRole('button').allTextContents()).toEqual(['Log out']);
      expect(await p.getByRole('checkbox').count()).toBe(0);
      expect(await p.getByRole('link', { name: 'Create system' }).count()).toBe(0);
      await p.goto(`${h.base}/#/create`); // not offered; the address alone shows the list
      await p.getByRole('heading', { name: 'Systems' }).waitFor();
      await p.getByRole('link', { name: 'vm1' }).click();
      await p.locator('table.disks tbody tr').first().waitFor();
      expect(await p.getByRole('button').allTextContents()).toEqual(['Log out']);
      expect(await p.locator('form.edit').count()).toBe(0);
      await p.getByRole('link', { name: 'Host' }).click();
      await p.locator('tr[data-pool="default"]').waitFor();
      expect(await p.locator('table.users').count()).toBe(0);
      expect(await p.getByRole('button').allTextContents()).toEqual(['Log out']);
      expect(w.problems).toEqual([]);
      await w.context.close();
    },
    T,
  );

  it(
    'an admin adds a user who then logs in with the chosen role, changes its role, and removes it after asking',
    async () => {
      // The refusal of the last admin is a 409 the page shows: the browser logs that failed request.
      const w = await openPage(h, 'users', { expected401: ['/api/v1/session'], allow: [/409/] });
      const p = w.page;
      await p.goto(`${h.base}/#/host`);
      await logIn(p, 'admin', 'secret');
      const form = p.locator('form.add-user');
      await form.waitFor();
      await form.getByLabel('User name').fill('nina');
      await form.getByLabel('Role').selectOption('operator');
      await form.getByLabel('Password').fill('n1na pw');
      await form.getByRole('button', { name: 'Add user' }).click();
      const row = p.locator('tr[data-user="nina"]');
      await row.locator('[data-role="operator"]').waitFor();
      expect((await h.host.api.users.list()).find((u) => u.name === 'nina')?.role).toBe('operator');

      // nina logs in on a page of her own with the role chosen: an operator may start systems, not add users.
      const n = await openPage(h, 'nina', { expected401: ['/api/v1/session'] });
      await n.page.goto(`${h.base}/`);
      await logIn(n.page, 'nina', 'n1na pw');
      await n.page.getByRole('button', { name: 'Start vm1' }).waitFor();
      const seen = await n.page.evaluate(
        async () => ((await (await fetch('/api/v1/session')).json()) as { role: string }).role,
      );
      expect(seen).toBe('operator');
      await n.page.getByRole('link', { name: 'Host' }).click();
      await n.page.locator('tr[data-pool="default"]').waitFor();
      expect(await n.page.locator('table.users').count()).toBe(0);
      expect(await n.page.locator('form.add-user').count()).toBe(0);

      // The admin makes her a reader: her browser session ends (the next call of her page is a 401).
      await row.getByLabel('Role of nina').selectOption('reader');
      await row.locator('[data-role="reader"]').waitFor();
      expect((await h.host.api.users.list()).find((u) => u.name === 'nina')?.role).toBe('reader');
      const after = await n.page.evaluate(async () => (await fetch('/api/v1/session')).status);
      expect(after).toBe(401);

      // A reset password: the old one no longer works, the new one does.
      await row.getByRole('button', { name: 'Reset password of nina' }).click();
      await row.getByLabel('New password of nina').fill('second pw');
      await row.getByRole('button', { name: 'Set password', exact: true }).click();
      await p.getByRole('status').getByText('Set the password of nina.').waitFor();
      await n.page.goto(`${h.base}/`);
      await logIn(n.page, 'nina', 'second pw');
      await n.page.getByRole('link', { name: 'vm1' }).waitFor();
      expect(await n.page.getByRole('button', { name: 'Start vm1' }).count()).toBe(0);

      // The last admin is refused with the host's words; nina goes only after the confirmation.
      await p.locator('tr[data-user="admin"]').getByLabel('Role of admin').selectOption('reader');
      await p.getByRole('alert').getByText('it is the last admin').waitFor();
      expect((await h.host.api.users.list()).find((u) => u.name === 'admin')?.role).toBe('admin');
      await row.getByRole('button', { name: 'Remove nina' }).click();
      await p.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
      expect((await h.host.api.users.list()).some((u) => u.name === 'nina')).toBe(true);
      await row.getByRole('button', { name: 'Remove nina' }).click();
      await p.getByRole('dialog').getByRole('button', { name: 'Remove', exact: true }).click();
      await row.waitFor({ state: 'detached' });
      expect((await h.host.api.users.list()).some((u) => u.name === 'nina')).toBe(false);
      await axe(p, 'users and roles');
      expect(w.problems).toEqual([]);
      await w.context.close();
      await n.context.close();
    },
    T,
  );
});

describe('export', () => {
  it(
    'exports a stopped system as an OVA; the download verifies and matches the SHA-256 shown',
    async () => {
      // A real (small) disk: the test hosts' own images are empty files, which an OVF may not carry.
      const image = join(poolDir, 'exp1.qcow2');
      await promisify(execFile)('qemu-img', ['create', '-q', '-f', 'qcow2', image, '4M']);
      const base = (await h.host.api.systems.get('vm1')).definition;
      const job = await h.host.api.systems.define(
        {
          system: { ElementName: 'exp1', VirtualSystemType: 'vessel-qemu' },
          resources: base.resources.map((r) =>
            r.properties.ResourceType === '17'
              ? { ...r, properties: { ...r.properties, HostResource: [image] } }
              : r,
          ),
        },
        { waitMs: 10_000 },
      );
      expect(job.state, job.error?.message).toBe('completed');
      const w = await openPage(h, 'export', { expected401: ['/api/v1/session'] });
      const p = w.page;
      await p.goto(`${h.base}/#/systems/exp1`);
      await logIn(p, 'admin', 'secret');
      const form = p.locator('form.export');
      await form.getByLabel('For').selectOption('vmware');
      await form.getByRole('button', { name: 'Export as OVA' }).click();
      const link = form.getByRole('link', { name: /^Download / });
      await link.waitFor();
      expect(Number(await form.locator('progress').getAttribute('value'))).toBe(100);
      const [download] = await Promise.all([p.waitForEvent('download'), link.click()]);
      const file = join(h.dir, 'exported.ova');
      await download.saveAs(file);
      const report = await verifyOva(file);
      expect(report.problems, JSON.stringify(report.problems)).toEqual([]);
      expect(report.intact).toBe(true);
      const { createHash } = await import('node:crypto');
      const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
      expect(await form.textContent()).toContain(sha);
      // A running system is not offered the export.
      await h.host.api.systems.changeState('exp1', 'start', { waitMs: 10_000 });
      await form.getByText('exports a stopped system only').waitFor();
      expect(await form.getByRole('button', { name: 'Export as OVA' }).count()).toBe(0);
      await h.host.api.systems.changeState('exp1', 'powerOff', { waitMs: 10_000 });
      expect(w.problems).toEqual([]);
      await w.context.close();
    },
    T,
  );
});

describe('deploy', () => {
  it(
    'uploads an OVA (progress to 100 %), shows the dry run as a form, deploys it with its properties; a tampered one shows the manifest error',
    async () => {
      const { createHash } = await import('node:crypto');
      const ovf = readFileSync(join(process.cwd(), 'test', 'fixtures', 'deploy', 'licensed.ovf'), 'utf8');
      const ova = async (text: string, digestOf: string) =>
        rawTar([
          { header: { name: 'appliance.ovf' }, data: text },
          {
            header: { name: 'appliance.mf' },
            data: `SHA256(appliance.ovf)= ${createHash('sha256').update(digestOf).digest('hex')}\n`,
          },
        ]);
      writeFileSync(join(h.dir, 'appliance.ova'), await ova(ovf, ovf));
      writeFileSync(
        join(h.dir, 'tampered.ova'),
        await ova(ovf.replace('Use it kindly', 'Use it harshly'), ovf),
      );
      const w = await openPage(h, 'deploy', {
        expected401: ['/api/v1/session'],
        allow: [/status of 4\d\d/],
      });
      const p = w.page;
      await p.goto(`${h.base}/`);
      await logIn(p, 'admin', 'secret');
      await p.getByRole('link', { name: 'Deploy package' }).click();
      await p.getByLabel('OVA file (choose or drop here)').setInputFiles(join(h.dir, 'appliance.ova'));
      await p.getByRole('button', { name: 'Upload and inspect' }).click();
      await p.getByRole('heading', { name: 'What the deploy does' }).waitFor();
      expect(await p.locator('progress.upload').getAttribute('value')).toBe('1');
      // The dry run's facts: the system, properties with their types and defaults, the license, the network.
      const plan = p.locator('form.plan');
      expect(await plan.textContent()).toContain('appliance');
      expect(await p.getByLabel(/^Host name/).inputValue()).toBe('appliance');
      expect(await p.getByLabel(/^Port/).inputValue()).toBe('8080');
      expect(await p.getByLabel(/^Administrator password/).getAttribute('type')).toBe('password');
      expect(await plan.locator('pre').textContent()).toContain('Do not resell it.');
      expect(await p.getByLabel('Configuration').inputValue()).toBe('small');
      await axe(p, 'deploy plan');
      await p.getByLabel('Configuration').selectOption('large');
      await expect.poll(() => p.getByLabel(/^Port/).inputValue()).toBe('8080'); // what was typed stays
      expect(await plan.getByRole('button', { name: 'Deploy' }).isDisabled()).toBe(true); // license not accepted
      await p.getByLabel(/^Owner/).fill('ops team');
      await p.getByLabel(/^Administrator password/).fill('s3cret-pass');
      await p.getByLabel(/^Host name/).fill('web-a');
      await p.getByLabel("Name (empty: the package's)").fill('deployed1');
      await p.getByLabel('I accept the license').check();
      await plan.getByRole('button', { name: 'Deploy' }).click();
      await plan.getByRole('link', { name: 'deployed1' }).waitFor({ timeout: 60_000 });
      const made = await h.host.api.systems.get('deployed1');
      const mem = made.definition.resources.find((r) => r.properties.ResourceType === '4')?.properties;
      expect([mem?.VirtualQuantity, mem?.AllocationUnits]).toEqual(['256', 'byte * 2^20']); // the large one
      // The properties reach the guest in its OVF environment CD (ovf-env.xml, stored as is in the ISO); the
      // definition does not carry the password.
      const envCd = made.definition.resources.find((r) => r.properties.ResourceType === '15')?.properties;
      const iso = readFileSync(new URL(String(envCd?.HostResource?.[0]))).toString('latin1');
      expect(iso).toMatch(/oe:key="hostname" oe:value="web-a"/);
      expect(iso).toMatch(/oe:key="owner" oe:value="ops team"/);
      expect(JSON.stringify(made.definition)).not.toContain('s3cret-pass');
      // The tampered package: the dry run reads its descriptor (the host checks digests when it deploys), the
      // form starts afresh, and the deploy's refusal names the manifest.
      await p.getByLabel('OVA file (choose or drop here)').setInputFiles(join(h.dir, 'tampered.ova'));
      await p.getByRole('button', { name: 'Upload and inspect' }).click();
      await expect.poll(() => plan.locator('pre').textContent()).toContain('Use it harshly');
      expect(await p.getByLabel('I accept the license').isChecked()).toBe(false);
      expect(await p.getByLabel("Name (empty: the package's)").inputValue()).toBe('');
      await p.getByLabel(/^Owner/).fill('ops team');
      await p.getByLabel(/^Administrator password/).fill('s3cret-pass');
      await p.getByLabel("Name (empty: the package's)").fill('tampered1');
      await p.getByLabel('I accept the license').check();
      await plan.getByRole('button', { name: 'Deploy' }).click();
      const alert = p.getByRole('alert');
      await alert.waitFor({ timeout: 60_000 });
      console.log(`tampered OVA: ${await alert.textContent()}`);
      expect(await alert.textContent()).toMatch(/manifest|digest|SHA/i);
      expect((await h.host.api.systems.list()).map((x) => x.name)).not.toContain('tampered1');
      expect(w.problems).toEqual([]);
      await w.context.close();
    },
    T,
  );
});

describe('hostile names from the host', () => {
  it(
    'shows markup in a system name as text, on the list, its page and the host page, and a 128-character name fits 375 px',
    async () => {
      // Markup without "/" (a name may not hold one).
      const evil = '<img src=x onerror=alert(1)><b onclick=alert(2)>&amp;';
      const long = `L${'o'.repeat(126)}g`;
      for (const name of [evil, long]) {
        const d = (await h.host.api.systems.get('vm1')).definition;
        const job = await h.host.api.systems.define(
          {
            system: { ElementName: name, VirtualSystemType: 'vessel-qemu' },
            resources: d.resources.filter((r) =>
              ['3', '4', '21'].includes(String(r.properties.ResourceType)),
            ),
          },
          { waitMs: 10_000 },
        );
        expect(job.state, job.error?.message).toBe('completed');
      }
      const w = await openPage(h, 'hostile-names', { width: 375, expected401: ['/api/v1/session'] });
      const p = w.page;
      await p.goto(`${h.base}/`);
      await logIn(p, 'admin', 'secret');
      await p.getByRole('link', { name: evil }).waitFor();
      expect(await p.locator('img').count()).toBe(0);
      expect(await p.locator('main b').count()).toBe(0);
      await p.getByRole('link', { name: long }).waitFor();
      await axe(p, 'list with hostile names');
      await p.getByRole('link', { name: evil }).click();
      await p.getByRole('heading', { name: evil }).waitFor();
      expect(await p.locator('img').count()).toBe(0);
      await p.getByRole('link', { name: 'Host', exact: true }).click();
      await p.locator('table.events tbody tr').first().waitFor();
      expect(await p.locator('table.events').textContent()).toContain(evil);
      expect(await p.locator('img').count()).toBe(0);
      await axe(p, 'host page with hostile names');
      expect(w.problems).toEqual([]);
      await w.context.close();
    },
    T,
  );
});
