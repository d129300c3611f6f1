import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host, USERS_FILE, UserStore } from '../host/index.js';
import { ensureTestGuest, requireOperation, type TestGuest } from '../hypervisor/index.js';
import { buildDefinition } from '../model/index.js';
import { serveRest } from '../rest/index.js';
import { hostApiFactory } from '../wbem/index.js';
import { logIn, openPage, startWebHarness, type WebHarness, type WebHost } from './harness.case.test.js';

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
});
