import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultOf } from '../../../api/index.js';
import {
  type CimInstance,
  type CimInstanceName,
  createClassRepository,
  INTEROP_NAMESPACE,
  isInstanceName,
  VIRT_NAMESPACE,
} from '../../../cim/index.js';
import { CimClient } from '../client.js';
import { startTestHost, type TestHost } from '../test-host.js';

// Every class and every association, generically: cimtest's "enumerate and compare" and "forward/reverse"
// archetypes applied to every class Vessel serves, on a host with a running, a paused and a stopped system.

let host: TestHost;
let c: CimClient;
const repo = createClassRepository();

beforeAll(async () => {
  host = await startTestHost({ vms: 3 });
  c = new CimClient(host.url, { user: 'admin', password: 'secret' });
  const done = { waitMs: Number.POSITIVE_INFINITY };
  for (const [name, op] of [
    ['vm1', 'start'],
    ['vm2', 'start'],
    ['vm2', 'pause'],
  ] as const)
    resultOf(await host.api.systems.changeState(name, op, done));
});
afterAll(async () => {
  c.close();
  await host.close();
});

const key = (p: CimInstanceName) => JSON.stringify([p.className.toLowerCase(), p.namespace ?? '', p.keys]);

/**
 * An instance's properties less what changes between two reads on its own: the bytes used on the file system a
 * storage pool lies on (other processes write there too).
 */
function stable(i: CimInstance): CimInstance['properties'] {
  if (!String(i.properties.PoolID ?? '').startsWith('Storage/')) return i.properties;
  const { Reserved: _r, CurrentlyConsumedResource: _c, ...rest } = i.properties;
  return rest;
}

describe.each([VIRT_NAMESPACE, INTEROP_NAMESPACE])('every class in %s', (ns) => {
  const classes = repo
    .namespace(ns)
    .all()
    .filter((cl) => cl.name.startsWith('Vessel_'));

  it('EnumerateInstanceNames agrees with EnumerateInstances, and GetInstance returns each instance', async () => {
    let total = 0;
    for (const cl of classes) {
      const names = await c.enumerateInstanceNames(cl.name, { namespace: ns });
      const insts = await c.enumerateInstances(cl.name, { namespace: ns });
      expect(insts.map((i) => key(i.path!)).sort(), cl.name).toEqual(names.map(key).sort());
      for (const i of insts.slice(0, 25)) {
        const got = await c.getInstance({ ...i.path!, namespace: ns });
        expect(stable(got), `${cl.name} ${key(i.path!)}`).toEqual(stable(i));
      }
      total += insts.length;
    }
    expect(total).toBeGreaterThan(ns === VIRT_NAMESPACE ? 150 : 20);
  });

  it('walks every association instance from each end to the other (AssociatorNames both ways)', async () => {
    let walked = 0;
    for (const cl of classes.filter((x) => x.isAssociation)) {
      const refs = cl.properties.filter((p) => p.type === 'reference').map((p) => p.name);
      const insts = await c.enumerateInstances(cl.name, { namespace: ns });
      for (const a of insts.slice(0, 12)) {
        const [ra, rb] = refs.map((r) => a.properties[r]);
        if (!isInstanceName(ra) || !isInstanceName(rb))
          throw new Error(`${cl.name} has an instance without both references`);
        for (const [from, to, role] of [
          [ra, rb, refs[0]],
          [rb, ra, refs[1]],
        ] as const) {
          const found = await c.associatorNames(
            { ...from, namespace: from.namespace ?? ns },
            { assocClass: cl.name, role },
          );
          expect(found.map(key), `${cl.name}: ${key(from)} → ${key(to)}`).toContain(
            key({ ...to, namespace: to.namespace ?? ns }),
          );
        }
        walked++;
      }
    }
    expect(walked).toBeGreaterThan(ns === VIRT_NAMESPACE ? 100 : 10);
  });

  it('answers bad keys of every keyed class with CIM_ERR_NOT_FOUND', async () => {
    for (const cl of classes.filter((x) => !x.isAssociation && x.keys.length > 0)) {
      const keys = Object.fromEntries(
        cl.keys.map((k) => [k.name, k.name === 'CreationClassName' ? cl.name : 'no-such-thing']),
      );
      await expect(c.getInstance({ className: cl.name, keys, namespace: ns }), cl.name).rejects.toMatchObject(
        { code: 'CIM_ERR_NOT_FOUND' },
      );
    }
  });
});
