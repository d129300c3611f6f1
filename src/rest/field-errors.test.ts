import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../api/index.js';
import { buildDefinition } from '../model/index.js';
import { RestApi } from './client/index.js';
import { call } from './contract.case.test.js';
import { type RestTestHost, startRestTestHost } from './test-host.js';

// A refused definition's problem names each refused member (RFC 9457 `errors`, RFC 6901 pointers into the body):
// the model's refusals point at the system's name or the resource, the REST edge's schema refusals at the member;
// hostile and oversized definitions keep the list bounded; the REST client hands the pointers on.

const ADMIN = ['admin', 'secret'] as const;
let h: RestTestHost;
beforeAll(async () => {
  h = await startRestTestHost({ vms: 1 });
});
afterAll(async () => {
  await h?.close();
});

/** A definition as POST /systems takes it, with its resources' properties changed by `edit`. */
function body(name: string, edit: (type: string | undefined, p: Record<string, unknown>) => void = () => {}) {
  const def = buildDefinition({ name, cpus: 1, memoryBytes: 64n << 20n, nics: [{ network: 'user' }] });
  const resources = def.resources.map((r) => {
    const properties: Record<string, unknown> = { ...r.properties };
    edit(r.properties.ResourceType, properties);
    return { cimClass: r.cimClass, properties };
  });
  return { system: { ...def.system }, resources };
}
const indexOf = (b: ReturnType<typeof body>, type: string) =>
  b.resources.findIndex((r) => r.properties.ResourceType === type);

describe('problem details name the refused members', () => {
  it('a refused definition points at the memory and the CPUs, each with its own detail', async () => {
    const b = body('f1', (t, p) => {
      if (t === '4') p.VirtualQuantity = '0';
      if (t === '3') p.VirtualQuantity = '100000';
    });
    const r = await call(h.restUrl, ADMIN, 'POST', '/systems', { body: b });
    expect([r.status, r.json.code]).toEqual([422, 'DEFINITION_INVALID']);
    expect(r.json.errors).toEqual([
      {
        pointer: `/resources/${indexOf(b, '3')}`,
        detail: '100000 virtual CPUs asked; this host gives at most 255',
      },
      { pointer: `/resources/${indexOf(b, '4')}`, detail: 'Memory must be at least 1 MiB, got 0 bytes' },
    ]);
  });

  it('a hostile name points at /system/ElementName; a schema refusal at the member', async () => {
    const bad = await call(h.restUrl, ADMIN, 'POST', '/systems', { body: body('../etc/x') });
    expect(bad.json.errors).toEqual([
      { pointer: '/system/ElementName', detail: expect.stringMatching(/not usable/) },
    ]);
    const b = body('f2', (t, p) => {
      if (t === '10') p.Address = 17;
    });
    const typed = await call(h.restUrl, ADMIN, 'POST', '/systems', { body: b });
    expect([typed.status, typed.json.type]).toEqual([400, 'urn:vessel:problem:REST_INVALID_BODY']);
    expect(typed.json.errors[0].pointer).toBe(`/resources/${indexOf(b, '10')}/properties/Address`);
  });

  it('a list for a single-valued property points at that property; one value for a list property is a list', async () => {
    const b = body('f5', (t, p) => {
      if (t === '4') p.ResourceType = ['4', '6'];
    });
    b.system = { ...b.system, VirtualSystemType: ['vessel-qemu', 'vessel-q35'] } as never;
    const r = await call(h.restUrl, ADMIN, 'POST', '/systems', { body: b });
    expect([r.status, r.json.code]).toEqual([422, 'DEFINITION_INVALID']);
    expect(r.json.errors).toEqual([
      {
        pointer: '/system/VirtualSystemType',
        detail: "The system's VirtualSystemType takes one value, got a list of 2",
      },
      {
        pointer: `/resources/${b.resources.findIndex((x) => Array.isArray(x.properties.ResourceType))}/properties/ResourceType`,
        detail: expect.stringMatching(/ResourceType takes one value, got a list of 2$/),
      },
    ]);
    // A name given as a list was an internal error before (the job's record could not store it).
    const named = body('f6');
    named.system = { ...named.system, ElementName: ['f6', 'f7'] } as never;
    const n = await call(h.restUrl, ADMIN, 'POST', '/systems', { body: named });
    expect([n.status, n.json.errors]).toEqual([
      422,
      [
        {
          pointer: '/system/ElementName',
          detail: "The system's ElementName takes one value, got a list of 2",
        },
      ],
    ]);
    const listed = body('f8', (t, p) => {
      if (t === '10') p.Connection = 'user';
    });
    expect((await call(h.restUrl, ADMIN, 'POST', '/systems', { body: listed })).status).toBe(201);
    const nic = (await h.api.systems.get('f8')).definition.resources.find(
      (x) => x.properties.ResourceType === '10',
    );
    expect(nic?.properties.Connection).toEqual(['user']);
    expect((await h.api.systems.list()).map((s) => s.name).sort()).toEqual(['f8', 'vm1']);
    await h.api.systems.undefine('f8');
  });

  it('200 refused resources: the message lists ten, `errors` at most 64, each pointing at its resource', async () => {
    const b = body('f3');
    for (let i = 0; i < 200; i++)
      b.resources.push({
        cimClass: 'CIM_ResourceAllocationSettingData',
        properties: { InstanceID: `x${i}`, ResourceType: '7', ElementName: `<b>${i}</b>` },
      });
    const r = await call(h.restUrl, ADMIN, 'POST', '/systems', { body: b });
    expect(r.status).toBe(422);
    expect(r.json.errors.length).toBe(64);
    expect(r.json.detail).toContain('... and 190 more');
    for (const e of r.json.errors as { pointer: string }[]) {
      const i = Number(/^\/resources\/(\d+)$/.exec(e.pointer)?.[1]);
      expect(b.resources[i]?.properties.InstanceID).toMatch(/^x\d+$/);
    }
    expect((await h.api.systems.list()).map((s) => s.name)).toEqual(['vm1']);
  });

  it("the REST client gives the pointers to its caller on the define job's error", async () => {
    const api = new RestApi({
      url: new URL(h.restUrl.replace(/\/api\/v1$/, '/')),
      user: ADMIN[0],
      password: ADMIN[1],
    });
    const def = buildDefinition({ name: 'f4', cpus: 1, memoryBytes: 64n << 20n });
    const mem = def.resources.find((r) => r.properties.ResourceType === '4');
    if (mem !== undefined) mem.properties.VirtualQuantity = '0';
    // A define is a job: its failure, read back through GET /jobs/{id}, keeps the members as its error's.
    const job = await api.systems.define(def, { waitMs: 10_000 });
    expect([job.state, job.error?.code]).toEqual(['failed', 'DEFINITION_INVALID']);
    const e = ApiError.fromInfo(job.error ?? { code: 'INTERNAL', message: '' });
    expect(e.errors).toEqual([
      {
        pointer: `/resources/${def.resources.indexOf(mem!)}`,
        detail: 'Memory must be at least 1 MiB, got 0 bytes',
      },
    ]);
    await api.close();
  });
});
