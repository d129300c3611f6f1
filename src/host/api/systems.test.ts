import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, type ApiEvent, resultOf } from '../../api/index.js';
import { buildDefinition } from '../../model/index.js';
import { Host } from '../host.js';
import { openSession } from './session.js';
import { etagOf } from './vocabulary.js';

/** What the conformance cases do not reach: hot-plug, undefine with powerOff, stats' uptime, jobs by target. */

const root = mkdtempSync(join(tmpdir(), 'vessel-systems-'));
let host: Host;
let api: Api;
const UNTIL_DONE = { waitMs: Number.POSITIVE_INFINITY };
const nic = {
  cimClass: 'CIM_EthernetPortAllocationSettingData' as const,
  properties: { ResourceType: '10', ResourceSubType: 'virtio', Connection: ['user'] },
};

beforeAll(async () => {
  host = await Host.open({ stateDir: join(root, 'state'), driverUri: 'test:///default' });
  api = openSession(host, { user: 'alice', role: 'admin', local: true, via: 'in-process' });
});
afterAll(async () => {
  await host.close();
  rmSync(root, { recursive: true, force: true });
});

describe('systems namespace on test:///', () => {
  it('answers the etag stored with the definition: the same across reads and state changes, new on a change', async () => {
    const s = resultOf(
      await api.systems.define(
        buildDefinition({ name: 'tag', cpus: 1, memoryBytes: 64n << 20n }),
        UNTIL_DONE,
      ),
    );
    const first = await api.systems.get('tag');
    expect(first.etag).toBe(etagOf(first.definition));
    expect((await api.systems.list({ detail: true })).find((x) => x.uuid === s.uuid)?.etag).toBe(first.etag);
    resultOf(await api.systems.changeState('tag', 'start', UNTIL_DONE));
    resultOf(await api.systems.changeState('tag', 'powerOff', UNTIL_DONE));
    expect((await api.systems.get(s.uuid)).etag).toBe(first.etag);
    const changed = await api.systems.modifySettings(
      'tag',
      { Description: 'd' },
      { ...UNTIL_DONE, ifMatch: first.etag },
    );
    const after = resultOf(changed);
    expect(after.etag).not.toBe(first.etag);
    expect(after.etag).toBe(etagOf(after.definition));
    expect((await api.systems.get('tag')).etag).toBe(after.etag);
    const stale = await api.systems.modifySettings(
      'tag',
      { Description: 'e' },
      { ...UNTIL_DONE, ifMatch: first.etag },
    );
    expect(stale.error).toMatchObject({ code: 'CONFLICT' });
    expect((await api.systems.get('tag')).definition.system.Description).toBe('d');
    resultOf(await api.systems.undefine('tag', UNTIL_DONE));
  });

  it('hot-plugs a NIC into a running system and unplugs it, with device events', async () => {
    const s = resultOf(
      await api.systems.define(
        buildDefinition({ name: 'hot', cpus: 1, memoryBytes: 64n << 20n }),
        UNTIL_DONE,
      ),
    );
    resultOf(await api.systems.changeState('hot', 'start', UNTIL_DONE));
    const events: ApiEvent[] = [];
    const sub = await api.events.subscribe({ system: 'hot' }, (e) => events.push(e));
    const added = resultOf(await api.systems.addResources('hot', [nic], UNTIL_DONE));
    expect(added.applied).toBe('live');
    const [id] = added.instanceIds;
    const running = await api.systems.get(s.uuid);
    expect(running.definition.resources.some((r) => r.properties.InstanceID === id)).toBe(true);
    const config = await api.systems.addResources('hot', [nic], { ...UNTIL_DONE, live: 'config' });
    expect(config.error).toMatchObject({
      code: 'INVALID_STATE',
      message: 'Cannot modify "hot": it is running; stop it first',
    });
    expect(resultOf(await api.systems.removeResources('hot', [id!], UNTIL_DONE)).applied).toBe('live');
    expect(
      (await api.systems.get('hot')).definition.resources.some((r) => r.properties.InstanceID === id),
    ).toBe(false);
    expect(events.find((e) => e.type === 'system.device')).toMatchObject({
      action: 'detached',
      instanceId: id,
    });
    expect(events.filter((e) => e.type === 'system.modified')).toHaveLength(2);
    await sub.close();
  });

  it('refuses a list for a single-valued property in a define, an edit and a hot-plug, and changes nothing', async () => {
    const bad = { ...nic, properties: { ...nic.properties, ResourceType: ['10', '17'] } } as never;
    const def = buildDefinition({ name: 'shape', cpus: 1, memoryBytes: 64n << 20n });
    const listed = { ...def, system: { ...def.system, ElementName: ['shape', 'other'] } } as never;
    const refused = await api.systems.define(listed, UNTIL_DONE);
    expect([refused.state, refused.error?.code, refused.error?.message]).toEqual([
      'failed',
      'DEFINITION_INVALID',
      `Invalid definition "(unnamed)": The system's ElementName takes one value, got a list of 2`,
    ]);
    resultOf(await api.systems.define(def, UNTIL_DONE));
    const before = (await api.systems.get('shape')).definition;
    const stopped = await api.systems.addResources('shape', [bad], UNTIL_DONE);
    expect([stopped.state, stopped.error?.code]).toEqual(['failed', 'DEFINITION_INVALID']);
    expect(stopped.error?.message).toMatch(/ResourceType takes one value, got a list of 2/);
    resultOf(await api.systems.changeState('shape', 'start', UNTIL_DONE));
    const live = await api.systems.addResources('shape', [bad], UNTIL_DONE);
    expect([live.state, live.error?.code]).toEqual(['failed', 'DEFINITION_INVALID']);
    const modified = await api.systems.modifySettings(
      'shape',
      { Description: ['a', 'b'] } as never,
      UNTIL_DONE,
    );
    expect(modified.error?.code).toBe('INVALID_STATE'); // running: settings change only when stopped
    resultOf(await api.systems.changeState('shape', 'powerOff', UNTIL_DONE));
    const settings = await api.systems.modifySettings(
      'shape',
      { Description: ['a', 'b'] } as never,
      UNTIL_DONE,
    );
    expect(settings.error?.message).toMatch(/Description takes one value, got a list of 2/);
    expect((await api.systems.get('shape')).definition).toEqual(before);
    // One value for a list property is a list of one, on a hot-plug as on a define.
    resultOf(await api.systems.changeState('shape', 'start', UNTIL_DONE));
    const one = { ...nic, properties: { ...nic.properties, Connection: 'user' } } as never;
    const [id] = resultOf(await api.systems.addResources('shape', [one], UNTIL_DONE)).instanceIds;
    const added = (await api.systems.get('shape')).definition.resources.find(
      (r) => r.properties.InstanceID === id,
    );
    expect(added?.properties.Connection).toEqual(['user']);
    resultOf(await api.systems.undefine('shape', { ...UNTIL_DONE, powerOff: true }));
  });

  it('hot-unplugs all or none: when the second detach fails, the first device is attached again (issue 11)', async () => {
    const s = resultOf(
      await api.systems.define(
        buildDefinition({ name: 'hot2', cpus: 1, memoryBytes: 64n << 20n }),
        UNTIL_DONE,
      ),
    );
    resultOf(await api.systems.changeState('hot2', 'start', UNTIL_DONE));
    const ids = resultOf(await api.systems.addResources('hot2', [nic, nic], UNTIL_DONE)).instanceIds;
    const before = (await api.systems.get('hot2')).definition.resources;
    const driver = host.driver;
    const real = driver.detachDevice!.bind(driver);
    let calls = 0;
    // The fault a real hypervisor can give (a guest that refuses to release the second device).
    driver.detachDevice = async (uuid, id) => {
      if (++calls === 2) throw new Error('device_del: the guest did not release it');
      return real(uuid, id);
    };
    try {
      const r = await api.systems.removeResources('hot2', ids, UNTIL_DONE);
      expect(r.state).toBe('failed');
    } finally {
      driver.detachDevice = real;
    }
    const after = (await api.systems.get('hot2')).definition.resources;
    expect(after.map((x) => x.properties.InstanceID).sort()).toEqual(
      before.map((x) => x.properties.InstanceID).sort(),
    );
    expect((await host.driver.getDefinition(s.uuid)).resources).toHaveLength(before.length);
  });

  it('undefines a running system with powerOff, and refuses it without', async () => {
    resultOf(
      await api.systems.define(
        buildDefinition({ name: 'doomed', cpus: 1, memoryBytes: 64n << 20n }),
        UNTIL_DONE,
      ),
    );
    resultOf(await api.systems.changeState('doomed', 'start', UNTIL_DONE));
    expect((await api.systems.undefine('doomed', UNTIL_DONE)).error?.code).toBe('INVALID_STATE');
    expect((await api.systems.undefine('doomed', { ...UNTIL_DONE, powerOff: true })).state).toBe('completed');
    expect((await api.systems.list()).some((s) => s.name === 'doomed')).toBe(false);
  });

  it('lists systems by state and page, and jobs by system, newest first', async () => {
    for (const n of ['p1', 'p2', 'p3']) {
      resultOf(
        await api.systems.define(buildDefinition({ name: n, cpus: 1, memoryBytes: 64n << 20n }), UNTIL_DONE),
      );
    }
    resultOf(await api.systems.changeState('p2', 'start', UNTIL_DONE));
    const page = await api.systems.list({ after: 'p1', limit: 1 });
    expect(page.map((s) => s.name)).toEqual(['p2']);
    expect((await api.systems.list({ states: ['running'] })).map((s) => s.name)).toContain('p2');
    expect((await api.systems.list({ states: ['running'] })).map((s) => s.name)).not.toContain('p3');
    const jobs = await api.jobs.list({ target: 'p2' });
    expect(jobs.map((j) => j.operation)).toEqual(['start', 'define']);
    expect(jobs.every((j) => j.owner === 'alice' && j.target?.name === 'p2')).toBe(true);
    const stats = await api.systems.stats('p2');
    expect(stats.uptimeMs).toBeGreaterThanOrEqual(0);
    expect(stats.uptimeMs).toBeLessThan(60_000);
  });

  it('records who changed a state: the event names the job and the user', async () => {
    resultOf(
      await api.systems.define(
        buildDefinition({ name: 'who', cpus: 1, memoryBytes: 64n << 20n }),
        UNTIL_DONE,
      ),
    );
    const job = await api.systems.changeState('who', 'start', UNTIL_DONE);
    const events = await api.events.list({ system: 'who', types: ['system.state'] });
    expect(events.at(-1)).toMatchObject({
      state: 'running',
      reason: { code: 'booted' },
      cause: { kind: 'api', job: job.id, user: 'alice' },
    });
    const finished = await api.events.list({ types: ['job.finished'] });
    expect(finished.find((e) => e.type === 'job.finished' && e.job.id === job.id)).toBeDefined();
  });
});
