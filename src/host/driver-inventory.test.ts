import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HypervisorDriver, openDriver, TEST_INVENTORY_FILE } from '../hypervisor/index.js';
import { buildDefinition } from '../model/index.js';
import { Host } from './host.js';
import { connectHostApi, serveHostApi } from './socket/index.js';

let root: string;
let disk: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'vessel-owns-'));
  mkdirSync(join(root, 'disks'));
  disk = join(root, 'disks', 'disk.raw');
  const fd = openSync(disk, 'w');
  ftruncateSync(fd, 1 << 20);
  closeSync(fd);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const def = (name: string) => buildDefinition({ name, cpus: 1, memoryBytes: 64n << 20n, disks: [disk] });
const names = async (h: Host) => (await h.list()).map((v) => v.name);

/** A host on a fresh state directory whose pool holds the test disk. */
async function open(stateDir: string, driverUri: string): Promise<Host> {
  const host = await Host.open({ stateDir, driverUri });
  if (!host.pools.all.some((p) => p.name === 'disks')) host.pools.add('disks', join(root, 'disks'));
  return host;
}

/** Another driver on the host's state directory: changes behind the host's back, as virsh does with libvirt. */
async function behindTheBack<T>(stateDir: string, fn: (d: HypervisorDriver) => Promise<T>): Promise<T> {
  const d = await openDriver('test:///default?owns=1', { stateDir });
  try {
    return await fn(d);
  } finally {
    await d.close();
  }
}

describe('a host on a driver that owns its inventory (test:///default?owns=1)', () => {
  it('lists what the driver has: systems defined or removed behind its back, over the socket too', async () => {
    const state = join(root, 'state-list');
    const host = await open(state, 'test:///default?owns=1');
    const server = await serveHostApi(host);
    try {
      await host.define(def('mine'));
      expect(await names(host)).toEqual(['mine']);
      const theirs = await behindTheBack(state, (d) => d.define(def('theirs')));
      expect(await names(host)).toEqual(['mine', 'theirs']);
      const client = await connectHostApi({ stateDir: state });
      const listed = await client.systems.list();
      await client.close();
      expect(listed.map((v) => v.name)).toEqual(['mine', 'theirs']);
      const events = host.store.events({ uuid: theirs.uuid });
      expect(events.map((e) => [e.kind, e.reason, e.cause])).toEqual([
        ['defined', 'found in the driver', 'host'],
      ]);
      // The host works on it like on its own: state changes go through the driver.
      expect((await host.lookup('theirs')).definition.system.ElementName).toBe('theirs');
      await host.change('theirs', 'start').done;
      expect((await host.driver.getState(theirs.uuid)).state).toBe('running');
      await host.change('theirs', 'powerOff').done;

      await behindTheBack(state, async (d) => d.undefine!((await d.lookup('mine'))!.uuid));
      expect(await names(host)).toEqual(['theirs']);
      await expect(host.lookup('mine')).rejects.toMatchObject({ code: 'VM_NOT_FOUND' });
    } finally {
      await server.close();
      await host.close();
    }
  });

  it("never loads the store's definitions into the driver: what the driver lost stays lost", async () => {
    const state = join(root, 'state-reconcile');
    let host = await open(state, 'test:///default?owns=1');
    await host.define(def('kept'));
    await host.define(def('lost'));
    await host.close();
    // The hypervisor lost "lost" while the host was down.
    await behindTheBack(state, async (d) => d.undefine!((await d.lookup('lost'))!.uuid));
    host = await open(state, 'test:///default?owns=1');
    expect(await names(host)).toEqual(['kept']);
    expect((await host.driver.list()).map((d) => d.name)).toEqual(['kept']);
    expect(host.store.getVm('lost')).toBeUndefined();
    await host.close();
    // Without its inventory the driver has nothing, and the host shows nothing.
    rmSync(join(state, TEST_INVENTORY_FILE));
    host = await open(state, 'test:///default?owns=1');
    expect(await names(host)).toEqual([]);
    expect(await host.driver.list()).toEqual([]);
    await host.close();
  });

  it('is unlike a host whose store is the master, which loads every stored definition into its driver', async () => {
    const state = join(root, 'state-mirror');
    let host = await open(state, 'test:///default');
    await host.define(def('stored'));
    await host.close();
    host = await open(state, 'test:///default');
    expect(await names(host)).toEqual(['stored']);
    expect((await host.driver.list()).map((d) => d.name)).toEqual(['stored']);
    await host.close();
  });
});
