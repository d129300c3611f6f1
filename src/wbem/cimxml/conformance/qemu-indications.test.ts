import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultOf } from '../../../api/index.js';
import { type CimInstance, isInstance } from '../../../cim/index.js';
import { Host, openSession, USERS_FILE, UserStore } from '../../../host/index.js';
import { ensureTestGuest, type TestGuest } from '../../../hypervisor/index.js';
import { buildDefinition } from '../../../model/index.js';
import { CimClient } from '../client.js';
import { hostApiFactory } from '../host-api.js';
import { type IndicationListener, startIndicationListener } from '../listener.js';
import { type CimXmlEndpoint, serveCimXml } from '../serve.js';

// Indications from a real guest on QEMU (TCG): a subscription made over CIM-XML receives the guest's start and
// power-off as CIM_InstModification at an in-process listener, within a bounded time.

let state: string;
let guest: TestGuest;
let host: Host;
let ep: CimXmlEndpoint;
let listener: IndicationListener;
const received: Array<{ at: number; i: CimInstance }> = [];

beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), 'vessel-ind-qemu-'));
  guest = await ensureTestGuest();
  host = await Host.open({ stateDir: state, driverUri: 'qemu:///embed?accel=tcg' });
  host.pools.add('guest', dirname(guest.stayDisk));
  await new UserStore(join(state, USERS_FILE)).add('admin', 'admin', 'secret');
  ep = await serveCimXml({
    api: hostApiFactory(host),
    hostName: 'qemuhost',
    stateDir: state,
    http: { port: 0 },
  });
  listener = await startIndicationListener({
    port: 0,
    onIndication: (i) => received.push({ at: Date.now(), i }),
  });
}, 180_000);

afterAll(async () => {
  await listener?.close();
  await ep?.close();
  await host?.close({ stopVms: true });
  await rm(state, { recursive: true, force: true });
});

const stateOf = (i: CimInstance) => {
  const s = i.properties.SourceInstance;
  return isInstance(s) ? s.properties.EnabledState : undefined;
};

describe('indications from a real guest (QEMU, TCG)', () => {
  it('delivers the start and the power-off of the guest as CIM_InstModification', async () => {
    const api = openSession(host, { user: 'local', role: 'admin', local: true, via: 'in-process' });
    const c = new CimClient(`http://127.0.0.1:${ep.server.httpPort}`, {
      user: 'admin',
      password: 'secret',
      namespace: 'root/interop',
    });
    try {
      resultOf(
        await api.systems.define(
          buildDefinition({ name: 'qguest', cpus: 1, memoryBytes: 128n << 20n, disks: [guest.stayDisk] }),
          { waitMs: 60_000 },
        ),
      );
      const f = await c.createInstance({
        className: 'CIM_IndicationFilter',
        properties: {
          Name: 'qguest',
          Query: "SELECT * FROM CIM_InstModification WHERE SourceInstance.Name = 'qguest'",
          QueryLanguage: 'DMTF:CQL',
        },
      });
      const d = await c.createInstance({
        className: 'CIM_ListenerDestinationCIMXML',
        properties: { Name: 'q', Destination: listener.url },
      });
      await c.createInstance({
        className: 'CIM_IndicationSubscription',
        properties: { Filter: f, Handler: d },
      });
      const t0 = Date.now();
      resultOf(await api.systems.changeState('qguest', 'start', { waitMs: 60_000 }));
      await expect.poll(() => received.some((r) => stateOf(r.i) === '2'), { timeout: 10_000 }).toBe(true);
      const running = received.find((r) => stateOf(r.i) === '2')!;
      expect(running.at - t0).toBeLessThan(60_000);
      const t1 = Date.now();
      resultOf(await api.systems.changeState('qguest', 'powerOff', { waitMs: 60_000 }));
      await expect.poll(() => received.some((r) => stateOf(r.i) === '3'), { timeout: 10_000 }).toBe(true);
      const off = received.find((r) => stateOf(r.i) === '3')!;
      expect(off.at - t1).toBeLessThan(10_000);
      expect((off.i.properties.PreviousInstance as CimInstance).properties.EnabledState).toBe('2');
    } finally {
      c.close();
      await api.close();
    }
  }, 180_000);
});
