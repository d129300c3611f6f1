import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logIn, openPage, startWebHarness, type WebHarness } from './harness.case.test.js';

// The host client in a real browser (Debian's Chromium through playwright-core) against a real host serving the
// UI built by the real build script: login, logout, a wrong password, the first load's size, start and stop from
// the UI with the API agreeing, a second page following through events, a reader without power buttons, the
// narrow screen, and axe-core on every page.

const T = 90_000;
let h: WebHarness;
beforeAll(async () => {
  h = await startWebHarness(2);
}, 180_000);
afterAll(async () => {
  await h?.close();
});

async function apiState(name: string): Promise<string> {
  return (await h.host.api.systems.get(name)).state;
}

describe('the web UI', () => {
  it(
    'a page opened after a system came and went reads no system that is gone; one defined later appears',
    async () => {
      // The event stream replays the define and the undefine: reading the system between the two would ask the
      // host for one it no longer has (a 404 that the browser logs, which fails the page's problems check).
      const base = (await h.host.api.systems.get('vm1')).definition;
      const diskless = (name: string) => ({
        system: { ElementName: name, VirtualSystemType: base.system.VirtualSystemType ?? 'vessel-qemu' },
        resources: base.resources.filter((r) => r.properties.ResourceType !== '17'),
      });
      const gone = await h.host.api.systems.define(diskless('brief1'), { waitMs: 10_000 });
      expect(gone.state, gone.error?.message).toBe('completed');
      await h.host.api.systems.modifySettings('brief1', { Description: 'changed' }, { waitMs: 10_000 });
      await h.host.api.systems.undefine('brief1', { waitMs: 10_000 });
      const w = await openPage(h, 'replay', { expected401: ['/api/v1/session'] });
      await w.page.goto(`${h.base}/`);
      await logIn(w.page, 'op', 'op-pw');
      await w.page.getByRole('link', { name: 'vm1' }).waitFor();
      await w.page.getByText('Live', { exact: true }).waitFor();
      const later = await h.host.api.systems.define(diskless('brief2'), { waitMs: 10_000 });
      expect(later.state, later.error?.message).toBe('completed');
      await w.page.getByRole('link', { name: 'brief2' }).waitFor();
      expect(await w.page.getByRole('link', { name: 'brief1' }).count()).toBe(0);
      expect(w.problems).toEqual([]);
      await w.context.close();
      await h.host.api.systems.undefine('brief2', { waitMs: 10_000 });
    },
    T,
  );

  it(
    'a read of a system that the host answered before a state change, arriving after its event, does not undo it',
    async () => {
      // The replayed define makes the page read vm2; the read is answered now (stopped) but held back until the
      // start's event has shown vm2 running, as a loaded machine may deliver them.
      const uuid = (await h.host.api.systems.get('vm2')).uuid;
      const w = await openPage(h, 'late-read', { expected401: ['/api/v1/session'] });
      let answered!: () => void;
      const read = new Promise<void>((r) => {
        answered = r;
      });
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      await w.page.route(
        (u) => u.pathname === `/api/v1/systems/${uuid}`,
        async (route) => {
          const answer = await route.fetch();
          answered();
          await gate;
          await route.fulfill({ response: answer });
        },
      );
      await w.page.goto(`${h.base}/`);
      await logIn(w.page, 'op', 'op-pw');
      await w.page.getByText('Live', { exact: true }).waitFor();
      await read;
      await h.host.api.systems.changeState('vm2', 'start', { waitMs: 10_000 });
      const state = w.page.locator('tr[data-system="vm2"] [data-state]');
      await w.page.locator('tr[data-system="vm2"] [data-state="running"]').waitFor();
      const late = w.page.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1/systems/${uuid}`);
      release();
      await late;
      // A system defined now is read after the held answer was applied; by the time it shows, vm2 must still run.
      const base = (await h.host.api.systems.get('vm1')).definition;
      const defined = await h.host.api.systems.define(
        {
          system: {
            ElementName: 'after1',
            VirtualSystemType: base.system.VirtualSystemType ?? 'vessel-qemu',
          },
          resources: base.resources.filter((r) => r.properties.ResourceType !== '17'),
        },
        { waitMs: 10_000 },
      );
      expect(defined.state, defined.error?.message).toBe('completed');
      await w.page.getByRole('link', { name: 'after1' }).waitFor();
      expect(await state.getAttribute('data-state')).toBe('running');
      expect(w.problems).toEqual([]);
      await w.context.close();
      await h.host.api.systems.changeState('vm2', 'powerOff', { waitMs: 10_000 });
      await h.host.api.systems.undefine('after1', { waitMs: 10_000 });
    },
    T,
  );

  it(
    'logs in (wrong password first) with a first load under 150 KiB gzipped, then logs out',
    async () => {
      const w = await openPage(h, 'login', { expected401: ['/api/v1/session', '/api/v1/systems'] });
      const loaded: string[] = [];
      w.page.on('response', (r) => {
        if (new URL(r.url()).pathname.startsWith('/api/')) return;
        loaded.push(new URL(r.url()).pathname);
        expect(r.headers()['content-security-policy']).toContain("script-src 'self'");
      });
      const challenges: string[] = [];
      w.page.on('response', (r) => {
        const c = r.headers()['www-authenticate'];
        if (c !== undefined) challenges.push(`${r.url()}: ${c}`);
      });
      await w.page.goto(`${h.base}/`);
      await logIn(w.page, 'admin', 'not-the-password');
      await expect
        .poll(() => w.page.getByRole('alert').textContent())
        .toContain('Wrong user name or password');
      expect(await w.page.getByLabel('Password').inputValue()).toBe('');
      await logIn(w.page, 'admin', 'secret');
      await w.page.getByRole('link', { name: 'vm1' }).waitFor();
      expect(await w.page.getByRole('link', { name: 'vm2' }).isVisible()).toBe(true);
      // Only the cookie from now on: the page holds no password, and no request after the login sends one.
      const cookies = await w.context.cookies();
      expect(cookies.find((c) => c.name === 'vessel_session')?.httpOnly).toBe(true);
      expect(challenges).toEqual([]);
      // The first load: the HTML, scripts and stylesheets of the login and systems pages, as their .gz files.
      const files = [...new Set(loaded)].map((p) => join(h.web, p === '/' ? 'index.html' : p));
      expect(files.some((f) => f.endsWith('.js'))).toBe(true);
      expect(files.some((f) => f.endsWith('.css'))).toBe(true);
      const gz = files.reduce((n, f) => n + statSync(`${f}.gz`).size, 0);
      console.log(`first load: ${files.length} files, ${(gz / 1024).toFixed(1)} KiB gzipped`);
      expect(gz).toBeLessThan(150 * 1024);
      expect(readFileSync(join(h.web, 'index.html'), 'utf8')).not.toMatch(/<script>|\son[a-z]+=/);
      await w.page.getByRole('button', { name: 'Log out' }).click();
      await w.page.getByLabel('User name').waitFor();
      // The cookie is gone: the API answers 401, without a Basic challenge to a page's request (a challenge would
      // open the browser's own password dialog, which hangs a headless page).
      const after = await w.page.evaluate(async () => {
        const r = await fetch('/api/v1/systems', { headers: { 'X-Requested-With': 'XMLHttpRequest' } });
        return [r.status, r.headers.get('www-authenticate')];
      });
      expect(after).toEqual([401, null]);
      expect(w.problems).toEqual([]);
      await w.context.close();
    },
    T,
  );

  it(
    'starts and stops a system from the list; the API agrees and a second page follows without reloading',
    async () => {
      const a = await openPage(h, 'operator', { expected401: ['/api/v1/session'] });
      const b = await openPage(h, 'watcher', { expected401: ['/api/v1/session'] });
      for (const w of [a, b]) {
        await w.page.goto(`${h.base}/`);
        await logIn(w.page, 'op', 'op-pw');
        await w.page.getByRole('link', { name: 'vm1' }).waitFor();
      }
      await b.page.getByText('Live', { exact: true }).waitFor();
      const navigations: string[] = [];
      b.page.on('framenavigated', (f) => navigations.push(f.url()));
      const row = (w: typeof a) => w.page.locator('tr[data-system="vm1"]');
      // Keyboard: focus the button and press Enter.
      await a.page.getByRole('button', { name: 'Start vm1' }).focus();
      await a.page.keyboard.press('Enter');
      await expect.poll(() => apiState('vm1')).toBe('running');
      await row(a).locator('[data-state="running"]').waitFor();
      await row(b).locator('[data-state="running"]').waitFor();
      // Stop asks first; Cancel keeps it running.
      await a.page.getByRole('button', { name: 'Stop vm1' }).click();
      await a.page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
      expect(await apiState('vm1')).toBe('running');
      await a.page.getByRole('button', { name: 'Stop vm1' }).click();
      await a.page.getByRole('dialog').getByRole('button', { name: 'Power off' }).click();
      await expect.poll(() => apiState('vm1')).toBe('stopped');
      await row(b).locator('[data-state="stopped"]').waitFor();
      // A change made elsewhere (the API) shows up too.
      await h.host.api.systems.changeState('vm2', 'start', { waitMs: 10_000 });
      await b.page.locator('tr[data-system="vm2"] [data-state="running"]').waitFor();
      await h.host.api.systems.changeState('vm2', 'powerOff', { waitMs: 10_000 });
      await b.page.locator('tr[data-system="vm2"] [data-state="stopped"]').waitFor();
      expect(navigations).toEqual([]);
      expect(a.problems).toEqual([]);
      expect(b.problems).toEqual([]);
      await a.context.close();
      await b.context.close();
    },
    T,
  );

  it(
    'the system page shows the hardware and powers off only after confirmation',
    async () => {
      const w = await openPage(h, 'system', { expected401: ['/api/v1/session'] });
      await w.page.goto(`${h.base}/#/systems/vm2`);
      await logIn(w.page, 'admin', 'secret');
      await w.page.getByRole('heading', { name: 'vm2' }).waitFor();
      const hw = w.page.locator('table.hardware');
      await expect.poll(() => hw.textContent()).toContain('64 MiB');
      expect(await hw.textContent()).toContain('Network adapter');
      expect(await hw.textContent()).toContain('vm2.qcow2');
      await w.page.getByRole('button', { name: 'Start' }).click();
      await expect.poll(() => apiState('vm2')).toBe('running');
      await w.page.getByRole('button', { name: 'Power off' }).click();
      const dialog = w.page.getByRole('dialog');
      expect(await dialog.textContent()).toContain('unsaved work');
      await w.page.keyboard.press('Escape');
      expect(await apiState('vm2')).toBe('running');
      await w.page.getByRole('button', { name: 'Power off' }).click();
      await dialog.getByRole('button', { name: 'Power off' }).click();
      await expect.poll(() => apiState('vm2')).toBe('stopped');
      await w.page.locator('[data-state="stopped"]').waitFor();
      expect(w.problems).toEqual([]);
      await w.context.close();
    },
    T,
  );

  it(
    "shows the host's problem details when a stale page asks for a change the host refuses",
    async () => {
      const w = await openPage(h, 'problem', {
        expected401: ['/api/v1/session'],
        allow: [/status of 409/, /api\/v1\/events/],
      });
      // No events reach this page, so it goes stale: it still offers Start after the system was started elsewhere.
      await w.page.route('**/api/v1/events*', (r) => r.abort());
      await w.page.goto(`${h.base}/#/systems/vm1`);
      await logIn(w.page, 'op', 'op-pw');
      await w.page.getByRole('heading', { name: 'vm1' }).waitFor();
      await h.host.api.systems.changeState('vm1', 'start', { waitMs: 10_000 });
      await w.page.getByRole('button', { name: 'Start' }).click();
      const alert = w.page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toContain('Cannot start "vm1": it is already running');
      expect(await alert.textContent()).toContain('INVALID_STATE');
      await h.host.api.systems.changeState('vm1', 'powerOff', { waitMs: 10_000 });
      expect(w.problems).toEqual([]);
      await w.context.close();
    },
    T,
  );

  it(
    'a reader sees no power buttons, on the list or a system page',
    async () => {
      const w = await openPage(h, 'reader', { expected401: ['/api/v1/session'] });
      await w.page.goto(`${h.base}/`);
      await logIn(w.page, 'rd', 'rd-pw');
      await w.page.getByRole('link', { name: 'vm1' }).waitFor();
      expect(await w.page.getByText('(reader)').isVisible()).toBe(true);
      expect(await w.page.getByRole('button', { name: /^(Start|Stop)/ }).count()).toBe(0);
      await w.page.getByRole('link', { name: 'vm1' }).click();
      await w.page.getByRole('heading', { name: 'vm1' }).waitFor();
      await w.page.locator('table.hardware tbody tr').first().waitFor();
      expect(await w.page.getByRole('button').allTextContents()).toEqual(['Log out']);
      expect(w.problems).toEqual([]);
      await w.context.close();
    },
    T,
  );

  it(
    'fits a 375 px screen and axe-core finds no serious or critical violation on the login, list and system pages',
    async () => {
      const axe = readFileSync(join(process.cwd(), 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
      const w = await openPage(h, 'axe', { width: 375, expected401: ['/api/v1/session'] });
      const check = async (label: string) => {
        // Evaluated over the DevTools protocol: the page's CSP (no inline script) stays as it is.
        await w.page.evaluate(axe);
        const found = await w.page.evaluate(async () => {
          const r = await (
            globalThis as unknown as {
              axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> };
            }
          ).axe.run();
          return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
        });
        const bad = found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        expect(bad, label).toEqual([]);
        const width = await w.page.evaluate(
          () =>
            (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
              .documentElement.scrollWidth,
        );
        expect(width, `${label} scrolls sideways`).toBeLessThanOrEqual(375);
      };
      await w.page.goto(`${h.base}/`);
      await w.page.getByLabel('User name').waitFor();
      await check('login');
      await logIn(w.page, 'admin', 'secret');
      await w.page.getByRole('link', { name: 'vm1' }).waitFor();
      await check('list');
      // VESSEL_UPDATE_SCREENSHOTS=1 renews the screenshot in docs/ (the list on a narrow screen).
      if (process.env.VESSEL_UPDATE_SCREENSHOTS === '1')
        await w.page.screenshot({ path: join(process.cwd(), 'docs', 'web-systems-375.png') });
      await w.page.getByRole('link', { name: 'vm1' }).click();
      await w.page.locator('table.hardware tbody tr').first().waitFor();
      await check('system');
      expect(w.problems).toEqual([]);
      await w.context.close();
    },
    T,
  );
});
