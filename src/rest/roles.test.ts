import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHODS, ROLES, roleAllows } from '../api/index.js';
import { call } from './contract.case.test.js';
import { ROUTES } from './routes.js';
import { type RestTestHost, startRestTestHost } from './test-host.js';

// Every route of the table with each role: 403 exactly when the role is below what the Api method needs (METHODS),
// checked on a system and a job that do not exist, so that an allowed call is a 404 and changes nothing.

const USERS = { reader: 'rd', operator: 'op', admin: 'ad' } as const;
const BODIES: Record<string, unknown> = {
  defineSystem: { system: { ElementName: 'ghost' }, resources: [] },
  modifySettings: { Description: 'x' },
  changeState: { state: 'stopped' },
  addResources: [{ cimClass: 'CIM_ResourceAllocationSettingData', properties: { ResourceType: '3' } }],
  modifyResource: { ElementName: 'x' },
  createToken: { role: 'reader', label: 'roles test' },
  modifyResources: [{ instanceId: '1', properties: { ElementName: 'x' } }],
  deploy: { source: { kind: 'pool', pool: 'ghost', image: 'x.ova' } },
  exportSystem: {},
  // The user exists (409 for an admin), so nothing is added; ghost users are 404; the old password is wrong (400).
  createUser: { name: 'reader', role: 'reader', password: 'x' },
  setUserRole: { role: 'reader' },
  resetUserPassword: { password: 'x' },
  changePassword: { oldPassword: 'wrong', password: 'x' },
  createImage: { name: 'x.qcow2', sizeBytes: '1048576', format: 'qcow2' },
  // The built-in network exists (409 for an admin); a pool's folder is refused to every remote caller (403).
  defineNetwork: { name: 'user', mode: 'user' },
  addPool: { id: 'ghost', path: '/nonexistent' },
  setMetadata: { value: 'x' },
};
const QUERIES: Record<string, string> = { removeResources: '?instanceId=1' };

let h: RestTestHost;
beforeAll(async () => {
  h = await startRestTestHost({
    vms: 1,
    users: ROLES.map((r) => [r, r, USERS[r]] as [string, (typeof ROLES)[number], string]),
  });
});
afterAll(async () => {
  await h?.close();
});

describe('REST roles', () => {
  // The session routes call no Api method: any user may use them (src/rest/auth.test.ts).
  for (const route of ROUTES.filter((r) => r.calls !== undefined)) {
    const needed = METHODS[route.calls ?? 'host.info'].role;
    it(`${route.method} ${route.path} (${route.calls}, ${needed})`, async () => {
      const path = route.path
        .replace(
          '{id}',
          route.path.startsWith('/jobs')
            ? 'nojob'
            : route.path.startsWith('/tokens')
              ? '0123456789abcdef'
              : 'ghost',
        )
        .replace('{rid}', '1')
        .replace('{key}', 'k')
        .replace('{name}', 'ghost');
      for (const role of ROLES) {
        const body = BODIES[route.operationId];
        const r = await call(
          h.restUrl,
          [role, USERS[role]],
          route.method,
          `${path}${QUERIES[route.operationId] ?? ''}`,
          body === undefined ? {} : { body },
        );
        const allowed = roleAllows(role, needed);
        if (!allowed) expect([r.status, r.json.code], role).toEqual([403, 'ACCESS_DENIED']);
        else if (route.operationId === 'defineSystem') expect(r.status, role).toBe(422);
        // The pool image a deployment names does not exist; an upload with no body is no image.
        else if (route.operationId === 'deploy') expect(r.status, role).toBe(404);
        else if (route.operationId === 'uploadImage') expect(r.status, role).toBe(415);
        else if (route.operationId === 'createUser' || route.operationId === 'defineNetwork')
          expect(r.json.code, role).toBe('ALREADY_EXISTS');
        else if (route.operationId === 'addPool')
          expect([r.status, r.json.detail], role).toEqual([403, expect.stringContaining("host's own user")]);
        else if (route.operationId === 'changePassword') expect(r.json.code, role).toBe('INVALID_ARGUMENT');
        else if (route.path.includes('{')) expect(r.status, `${role}: ${r.text}`).toBe(404);
        else expect(r.status, role).toBe(route.method === 'POST' ? 201 : 200);
      }
    });
  }
  it('no route changed anything', async () => {
    expect((await h.api.systems.list()).map((s) => s.name)).toEqual(['vm1']);
    expect((await h.api.users.list()).map((u) => u.name).sort()).toEqual([...ROLES].sort());
    for (const role of ROLES)
      expect((await call(h.restUrl, [role, USERS[role]], 'GET', '/session')).json.role).toBe(role);
  });
});
