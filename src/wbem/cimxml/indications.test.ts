import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultOf } from '../../api/index.js';
import {
  type CimInstance,
  type CimInstanceName,
  createCimService,
  INDICATIONS_FILE,
  isInstance,
  startIndications,
} from '../../cim/index.js';
import { openSession } from '../../host/index.js';
import { buildDefinition } from '../../model/index.js';
import { CimClient } from './client.js';
import { type IndicationListener, startIndicationListener } from './listener.js';
import { startTestHost, type TestHost } from './test-host.js';

/** Indications over CIM-XML (DSP1054) on a real host (test driver): subscriptions made by a client, delivery. */

let h: TestHost;
let admin: CimClient;
let listener: IndicationListener;
const received: CimInstance[] = [];
const NS = 'root/interop';

function filter(name: string, query: string, language = 'WQL'): CimInstance {
  return {
    className: 'CIM_IndicationFilter',
    properties: { Name: name, Query: query, QueryLanguage: language },
  };
}

function destination(name: string, url: string): CimInstance {
  return { className: 'CIM_ListenerDestinationCIMXML', properties: { Name: name, Destination: url } };
}

function subscription(
  f: CimInstanceName,
  d: CimInstanceName,
  extra: Record<string, string> = {},
): CimInstance {
  return { className: 'CIM_IndicationSubscription', properties: { Filter: f, Handler: d, ...extra } };
}

/** Waits until `pick` finds an indication received, or fails after `ms`. */
async function waitFor(pick: (i: CimInstance) => boolean, ms = 5000): Promise<CimInstance> {
  const end = Date.now() + ms;
  for (;;) {
    const found = received.find(pick);
    if (found) return found;
    if (Date.now() > end)
      throw new Error(
        `No matching indication in ${ms} ms; got ${received.map((i) => i.className).join(', ')}`,
      );
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sourceName = (i: CimInstance) => {
  const s = i.properties.SourceInstance;
  return isInstance(s) ? s.properties.Name : undefined;
};

beforeAll(async () => {
  h = await startTestHost({
    vms: 2,
    users: [
      ['admin', 'admin', 'secret'],
      ['op', 'operator', 'secret'],
    ],
    indications: { retry: { attempts: 2, intervalMs: 50, maxIntervalMs: 100 } },
  });
  admin = new CimClient(h.url, { user: 'admin', password: 'secret', namespace: NS });
  listener = await startIndicationListener({ port: 0, onIndication: (i) => received.push(i) });
}, 60_000);

afterAll(async () => {
  admin?.close();
  await listener?.close();
  await h?.close();
});

describe('CIM indications (DSP1054) over CIM-XML', () => {
  it('creates, enumerates and delivers: a state change reaches the listener as CIM_InstModification', async () => {
    const f = await admin.createInstance(
      filter(
        'vm1-changes',
        "SELECT * FROM CIM_InstModification WHERE SourceInstance ISA CIM_ComputerSystem AND SourceInstance.Name = 'vm1'",
      ),
    );
    expect(f.keys.Name).toBe('vm1-changes');
    const d = await admin.createInstance(destination('test-listener', listener.url));
    const s = await admin.createInstance(subscription(f, d));
    expect(s.className).toBe('CIM_IndicationSubscription');
    expect((await admin.enumerateInstances('CIM_IndicationFilter')).map((i) => i.properties.Query)).toEqual([
      "SELECT * FROM CIM_InstModification WHERE SourceInstance ISA CIM_ComputerSystem AND SourceInstance.Name = 'vm1'",
    ]);
    expect(
      (await admin.enumerateInstances('CIM_ListenerDestination')).map((i) => i.properties.Destination),
    ).toEqual([listener.url]);
    const subs = await admin.enumerateInstances('CIM_IndicationSubscription');
    expect(subs).toHaveLength(1);
    expect(subs[0]!.properties.SubscriptionState).toBe('2');

    const t0 = Date.now();
    resultOf(await h.api.systems.changeState('vm1', 'start', { waitMs: 10_000 }));
    const ind = await waitFor((i) => i.className === 'CIM_InstModification' && sourceName(i) === 'vm1');
    const took = Date.now() - t0;
    expect(took).toBeLessThan(5000);
    const src = ind.properties.SourceInstance as CimInstance;
    const prev = ind.properties.PreviousInstance as CimInstance;
    expect(src.className).toBe('Vessel_ComputerSystem');
    expect(['2', '10']).toContain(src.properties.EnabledState); // starting (Starting) or running (Enabled)
    expect(prev.properties.EnabledState).toBe('3'); // it was off
    expect(ind.properties.IndicationFilterName).toBe('vm1-changes');
    expect(ind.properties.SourceInstanceModelPath).toContain('Vessel_ComputerSystem');
    // vm2 is not in the filter's WHERE
    resultOf(await h.api.systems.changeState('vm2', 'start', { waitMs: 10_000 }));
    await h.endpoint.indications!.engine.settled();
    await new Promise((r) => setTimeout(r, 200));
    expect(received.filter((i) => sourceName(i) === 'vm2')).toEqual([]);
  });

  it('refuses unsupported and malformed filters at CreateInstance, saying what', async () => {
    const cases: Array<[CimInstance, string, RegExp]> = [
      [filter('a', 'SELECT * FROM CIM_InstModification', 'XPath'), 'CIM_ERR_NOT_SUPPORTED', /XPath/],
      [filter('b', 'SELECT * FROM'), 'CIM_ERR_INVALID_PARAMETER', /position/],
      [filter('c', 'SELECT * FROM CIM_ComputerSystem'), 'CIM_ERR_NOT_SUPPORTED', /not an indication class/],
      [filter('d', 'SELECT * FROM CIM_Nothing'), 'CIM_ERR_INVALID_PARAMETER', /No class/],
      [filter('e', 'SELECT Name FROM CIM_InstModification'), 'CIM_ERR_NOT_SUPPORTED', /property lists/],
      [
        filter('f', "SELECT * FROM CIM_InstModification WHERE SourceInstance.Bogus = 'x'"),
        'CIM_ERR_INVALID_PARAMETER',
        /Bogus/,
      ],
      [
        filter('g', 'SELECT * FROM CIM_InstModification WHERE Foo ISA CIM_System'),
        'CIM_ERR_NOT_SUPPORTED',
        /ISA tests/,
      ],
      [
        filter('h', `SELECT * FROM CIM_InstModification WHERE ${'('.repeat(100)}`),
        'CIM_ERR_INVALID_PARAMETER',
        /deeper/,
      ],
      [
        filter('i', `SELECT * FROM CIM_InstModification WHERE Name = '${'x'.repeat(9000)}'`),
        'CIM_ERR_INVALID_PARAMETER',
        /longer/,
      ],
      [
        { className: 'CIM_IndicationFilter', properties: { Name: 'j', QueryLanguage: 'WQL' } },
        'CIM_ERR_INVALID_PARAMETER',
        /Query is required/,
      ],
      [
        {
          ...filter('k', 'SELECT * FROM CIM_InstCreation'),
          properties: {
            ...filter('k', 'SELECT * FROM CIM_InstCreation').properties,
            SourceNamespaces: ['root/nowhere'],
          },
        },
        'CIM_ERR_INVALID_PARAMETER',
        /root\/nowhere/,
      ],
      [destination('file', 'file:///etc/passwd'), 'CIM_ERR_INVALID_PARAMETER', /http or https/],
      [destination('gopher', 'gopher://127.0.0.1:70/'), 'CIM_ERR_INVALID_PARAMETER', /http or https/],
      [destination('nourl', 'not a url'), 'CIM_ERR_INVALID_PARAMETER', /not a URL/],
      [destination('long', `http://127.0.0.1/${'a'.repeat(3000)}`), 'CIM_ERR_INVALID_PARAMETER', /longer/],
      [
        {
          className: 'CIM_IndicationFilter',
          properties: {
            Name: 'x',
            Query: 'SELECT * FROM CIM_InstCreation',
            QueryLanguage: 'WQL',
            Bogus: '1',
          },
        },
        'CIM_ERR_INVALID_PARAMETER',
        /no property Bogus/,
      ],
    ];
    for (const [inst, code, msg] of cases) {
      const e = await admin.createInstance(inst).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e, `${inst.properties.Name}`).toMatchObject({ code });
      expect((e as Error).message, `${inst.properties.Name}`).toMatch(msg);
    }
    expect(await admin.enumerateInstanceNames('CIM_IndicationFilter')).toHaveLength(1);
  });

  it('refuses subscriptions to filters or destinations that do not exist, and duplicates', async () => {
    const [f] = await admin.enumerateInstanceNames('CIM_IndicationFilter');
    const [d] = await admin.enumerateInstanceNames('CIM_ListenerDestinationCIMXML');
    const ghost = { ...f!, keys: { ...f!.keys, Name: 'ghost' } };
    await expect(admin.createInstance(subscription(ghost, d!))).rejects.toMatchObject({
      code: 'CIM_ERR_INVALID_PARAMETER',
    });
    await expect(admin.createInstance(subscription(f!, d!))).rejects.toMatchObject({
      code: 'CIM_ERR_ALREADY_EXISTS',
    });
    await expect(admin.deleteInstance(f!)).rejects.toThrow(/used by 1 subscription/);
  });

  it('is admin-only to create and delete (an operator is refused)', async () => {
    const op = new CimClient(h.url, { user: 'op', password: 'secret', namespace: NS });
    try {
      await expect(op.createInstance(filter('op', 'SELECT * FROM CIM_InstCreation'))).rejects.toMatchObject({
        code: 'CIM_ERR_ACCESS_DENIED',
      });
      const [d] = await op.enumerateInstanceNames('CIM_ListenerDestinationCIMXML');
      await expect(op.deleteInstance(d!)).rejects.toMatchObject({ code: 'CIM_ERR_ACCESS_DENIED' });
    } finally {
      op.close();
    }
  });

  it('keeps subscriptions in the state directory: a new service on the same store serves them', async () => {
    const svc = createCimService({ api: (p) => openSession(h.host, p), hostName: 'testhost' });
    const again = await startIndications({
      om: svc.om,
      api: (p) => openSession(h.host, p),
      hostName: 'testhost',
      file: join(h.stateDir, INDICATIONS_FILE),
      send: async () => undefined,
    });
    try {
      const ctx = { user: 'admin', role: 'admin' as const, memo: new Map() };
      const subs = await svc.om.enumerateInstances(ctx, NS, 'CIM_IndicationSubscription');
      expect(subs.map((s) => (s.properties.Filter as CimInstanceName).keys.Name)).toEqual(['vm1-changes']);
      expect(
        (await svc.om.enumerateInstances(ctx, NS, 'CIM_IndicationFilter')).map((i) => i.properties.Name),
      ).toEqual(['vm1-changes']);
    } finally {
      await again.close();
      await svc.close();
    }
  });

  it('a define and an undefine are CIM_InstCreation and CIM_InstDeletion', async () => {
    const f = await admin.createInstance(
      filter(
        'lifecycle',
        'SELECT * FROM CIM_InstIndication WHERE SourceInstance ISA Vessel_ComputerSystem',
        'DMTF:CQL',
      ),
    );
    const [d] = await admin.enumerateInstanceNames('CIM_ListenerDestinationCIMXML');
    const s = await admin.createInstance(subscription(f, d!));
    const def = buildDefinition({
      name: 'vm9',
      cpus: 1,
      memoryBytes: 64n << 20n,
      disks: [await h.image('vm9.qcow2')],
    });
    resultOf(await h.api.systems.define(def, { waitMs: 10_000 }));
    const created = await waitFor((i) => i.className === 'CIM_InstCreation' && sourceName(i) === 'vm9');
    expect(created.properties.IndicationFilterName).toBe('lifecycle');
    resultOf(await h.api.systems.undefine('vm9', { waitMs: 10_000 }));
    const deleted = await waitFor((i) => i.className === 'CIM_InstDeletion' && sourceName(i) === 'vm9');
    expect((deleted.properties.SourceInstance as CimInstance).className).toBe('Vessel_ComputerSystem');
    await admin.deleteInstance(s);
    await admin.deleteInstance(f);
    expect((await admin.enumerateInstanceNames('CIM_IndicationFilter')).map((n) => n.keys.Name)).toEqual([
      'vm1-changes',
    ]);
  });
});
