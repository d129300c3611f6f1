import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host, USERS_FILE, UserStore } from '../host/index.js';
import { ensureTestGuest, requireOperation, type TestGuest } from '../hypervisor/index.js';
import { buildDefinition } from '../model/index.js';
import { serveRest } from '../rest/index.js';
import { hostApiFactory } from '../wbem/index.js';
import { logIn, openPage, startWebHarness, type WebHarness, type WebHost } from './harness.case.test.js';
import { canvasAndScreenshot, compareRgba, type Rgba } from './pixels.case.test.js';

// The web UI against a host on real QEMU (TCG) with the tiny test guest: start from the list until the guest is
// up, then shut it down from its page (the guest powers off on the ACPI button), each state change reaching the
// page through the event stream; its page charts the guest's sampled CPU time. One boot.

interface QemuWebHost extends WebHost {
  host: Host;
}

let guest: TestGuest;
let h: WebHarness<QemuWebHost>;
beforeAll(async () => {
  guest = await ensureTestGuest();
  h = await startWebHarness(0, async (web, dir): Promise<QemuWebHost> => {
    const host = await Host.open({ stateDir: dir, driverUri: 'qemu:///embed?accel=tcg' });
    host.pools.add('guest', dirname(guest.stayDisk));
    await new UserStore(join(dir, USERS_FILE)).add('admin', 'admin', 'secret');
    const rest = await serveRest({
      api: hostApiFactory(host),
      stateDir: dir,
      tokens: host.tokens,
      http: { port: 0 },
      web,
    });
    return {
      host,
      restUrl: `http://127.0.0.1:${rest.server.httpPort}/api/v1`,
      close: async () => {
        await rest.close();
        await host.close({ stopVms: true });
      },
    };
  });
  await hostApiFactory(h.host.host)({
    user: 'admin',
    role: 'admin',
    local: false,
    via: 'rest',
  }).systems.define(
    buildDefinition({
      name: 'webguest',
      cpus: 1,
      memoryBytes: 128n << 20n,
      disks: [guest.stayDisk],
      nics: [{ network: 'user' }],
    }),
    { waitMs: 30_000 },
  );
}, 300_000);
afterAll(async () => {
  await h?.close();
});

/** The page's clipboard (the tests compile without the DOM's types). */
interface ClipboardHolder {
  navigator: { clipboard: { readText(): Promise<string>; writeText(t: string): Promise<void> } };
}
const fmt = (v: number[]) => v.map((x) => x.toFixed(2)).join('/');
/** Within tolerance: on every channel the mean difference is under a tenth of the screendump's spread. */
const close = (d: { meanAbs: number[]; spread: number[] }) =>
  d.meanAbs.every((m, c) => m <= 0.1 * (d.spread[c] ?? 0));

describe('the web UI on QEMU', () => {
  it('starts the tiny guest from the list and shuts it down from its page', async () => {
    const host = h.host.host;
    const state = () => host.get('webguest').state;
    const w = await openPage(h, 'qemu', { expected401: ['/api/v1/session'] });
    await w.page.goto(`${h.base}/`);
    await logIn(w.page, 'admin', 'secret');
    await w.page.getByRole('button', { name: 'Start webguest' }).click();
    const row = w.page.locator('tr[data-system="webguest"]');
    await row.locator('[data-state="running"]').waitFor({ timeout: 60_000 });
    expect(state()).toBe('running');
    const con = await requireOperation(host.driver, 'console')(host.get('webguest').uuid);
    await expect
      .poll(async () => (await con.readLog()).includes(guest.markers.ready), {
        timeout: 90_000,
        interval: 500,
      })
      .toBe(true);
    // The guest's own CPU time, sampled twice by the host, is a line on its CPU chart and a bar on the list.
    await host.metrics.sample();
    await new Promise((r) => setTimeout(r, 1500));
    await host.metrics.sample();
    await w.page.getByRole('link', { name: 'webguest' }).click();
    const cpu = w.page.locator('figure.chart').filter({ hasText: 'CPU:' });
    await expect.poll(async () => Number(await cpu.getAttribute('data-points'))).toBeGreaterThanOrEqual(1);
    const caption = await cpu.locator('figcaption').textContent();
    expect(caption).toMatch(/CPU: \d+(\.\d)? %/);
    console.log(`the TCG guest's chart: ${caption}`);
    await w.page.getByRole('button', { name: 'Shut down' }).click();
    await w.page.locator('[data-state="stopped"]').waitFor({ timeout: 90_000 });
    expect(state()).toBe('stopped');
    // The host page names the QEMU version and the accelerator this host uses (TCG here).
    await w.page.getByRole('link', { name: 'Host', exact: true }).click();
    const hv = w.page.locator('[data-field="hypervisor"]');
    await hv.waitFor();
    expect(await hv.textContent()).toMatch(/\d+\.\d+/);
    expect((await w.page.locator('[data-field="accelerator"]').textContent())?.toLowerCase()).toContain(
      'tcg',
    );
    console.log(
      `host page: ${await hv.textContent()}; ${await w.page.locator('[data-field="accelerator"]').textContent()}`,
    );
    expect(w.problems).toEqual([]);
    await w.context.close();
  }, 240_000);

  it('the console page shows the guest marker in xterm, runs a typed command, and draws the VNC display', async () => {
    const host = h.host.host;
    const api = hostApiFactory(host)({ user: 'admin', role: 'admin', local: false, via: 'rest' });
    await api.systems.define(
      buildDefinition({
        name: 'conguest',
        cpus: 1,
        memoryBytes: 128n << 20n,
        disks: [guest.stayDisk],
        nics: [{ network: 'user' }],
        graphics: 'vnc',
      }),
      { waitMs: 30_000 },
    );
    const w = await openPage(h, 'console', { expected401: ['/api/v1/session'] });
    await w.page.goto(`${h.base}/`);
    await logIn(w.page, 'admin', 'secret');
    await w.page.locator('tr[data-system="conguest"]').waitFor();
    const scripts: string[] = [];
    w.page.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.push(r.url());
    });
    await api.systems.changeState('conguest', 'start', { waitMs: 60_000 });
    // The page connects while the guest boots: its marker comes later, through the WebSocket.
    await w.page.goto(`${h.base}/#/systems/conguest/console`);
    await w.page.locator('[data-console="serial"][data-status="open"]').waitFor({ timeout: 30_000 });
    const rows = w.page.locator('[data-testid="serial"] .xterm-rows');
    await expect
      .poll(async () => (await rows.textContent()) ?? '', { timeout: 120_000, interval: 500 })
      .toContain(guest.markers.ready);
    await w.page.locator('[data-testid="serial"]').click();
    await w.page.keyboard.type('echo WEB-$((6*7))-OK\n');
    await expect
      .poll(async () => (await rows.textContent()) ?? '', { timeout: 30_000, interval: 500 })
      .toContain('WEB-42-OK');
    // Copy: the output line selected with a double click (xterm's word selection), Ctrl+Shift+C puts it on the
    // clipboard. Paste: a command put on the clipboard, Ctrl+Shift+V types it into the guest, which runs it.
    await w.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.base });
    const line = w.page
      .locator('[data-testid="serial"] .xterm-rows > div')
      .filter({ hasText: /^WEB-42-OK\s*$/ });
    const box = await line.last().boundingBox();
    if (box === null) throw new Error('the output line is not on screen');
    await w.page.mouse.dblclick(box.x + 8, box.y + box.height / 2);
    await w.page.keyboard.press('Control+Shift+C');
    const clipboard = () =>
      w.page.evaluate(() => (globalThis as unknown as ClipboardHolder).navigator.clipboard.readText());
    await expect.poll(clipboard, { timeout: 5000 }).toBe('WEB-42-OK');
    await w.page.evaluate(() =>
      (globalThis as unknown as ClipboardHolder).navigator.clipboard.writeText('echo PASTED-$((5*5))-OK\n'),
    );
    await w.page.keyboard.press('Control+Shift+V');
    await expect
      .poll(async () => (await rows.textContent()) ?? '', { timeout: 30_000, interval: 500 })
      .toContain('PASTED-25-OK');
    // The display: noVNC connected; its canvas shows what the host's screendump (QMP, through the REST route)
    // shows: same size, and a per-channel mean difference under a tenth of the screendump's own spread (a blank
    // canvas of the same size is checked to miss that bound on this very screen).
    await w.page.locator('[data-console="vnc"][data-status="open"]').waitFor({ timeout: 30_000 });
    const canvas = w.page.locator('[data-testid="vnc"] canvas');
    let seen = 'nothing read';
    const matches = async () => {
      const { canvas: c, shot } = await canvasAndScreenshot(canvas, 'conguest');
      if (c.width !== shot.width || c.height !== shot.height) {
        seen = `canvas ${c.width}x${c.height}, screendump ${shot.width}x${shot.height}`;
        return false;
      }
      const d = compareRgba(c, shot);
      const blank: Rgba = { ...shot, data: new Uint8Array(shot.data.length) };
      const b = compareRgba(blank, shot);
      seen = `${c.width}x${c.height}, ${d.colours} colours, mean |canvas - dump| ${fmt(d.meanAbs)}, spread ${fmt(d.spread)}, blank ${fmt(b.meanAbs)}`;
      return d.colours > 1 && close(d) && !close(b);
    };
    await expect.poll(matches, { timeout: 60_000, interval: 1000 }).toBe(true);
    console.log(`VNC canvas vs QMP screendump: ${seen}`);
    // xterm and noVNC came in their own chunks, loaded by this page only.
    expect(scripts.some((u) => /\/assets\/serial-[A-Z0-9]+\.js$/.test(u))).toBe(true);
    expect(scripts.some((u) => /\/assets\/vnc-[A-Z0-9]+\.js$/.test(u))).toBe(true);
    await api.systems.changeState('conguest', 'powerOff', { waitMs: 60_000 });
    await w.page.locator('[data-console="serial"][data-status="closed"]').waitFor({ timeout: 30_000 });
    expect(w.problems).toEqual([]);
    await w.context.close();
  }, 300_000);
});
