import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { buildDefinition } from '../../model/index.js';
import {
  define,
  expectRefusal,
  readAll,
  smallDefinition,
  streamOf,
  UNTIL_DONE,
} from './helpers.case.test.js';
import type { ApiCase } from './types.case.test.js';

/** Cases of consoles, users, pools, networks, and packages with their artifacts. */

/** The cases of consoles, users, pools, networks and packages. */
export const OTHER_CASES: readonly ApiCase[] = [
  {
    id: 'consoles.stopped',
    title: "a stopped system's console is INVALID_STATE at once, its log is readable",
    requires: (caps) => caps.features.consoles,
    probe: (api) => api.consoles.log('conf-probe'),
    async run({ api, name }) {
      const s = await define(api, smallDefinition(name('console')));
      await expectRefusal(api, api.consoles.open(s.uuid, 'serial'), 'INVALID_STATE');
      assert.equal(typeof (await api.consoles.log(s.uuid, { maxBytes: 4096 })), 'string');
      await expectRefusal(api, api.consoles.log(name('missing')), 'VM_NOT_FOUND');
    },
  },
  {
    id: 'consoles.screenshot',
    title:
      "a running system's screenshot is a PNG; a stopped one's is INVALID_STATE, an unknown one's VM_NOT_FOUND",
    requires: (caps) => caps.features.screenshot,
    probe: (api) => api.consoles.screenshot('conf-probe'),
    async run({ api, name }) {
      const s = await define(
        api,
        buildDefinition({ name: name('screen'), cpus: 1, memoryBytes: 64n << 20n, graphics: 'vnc' }),
      );
      await expectRefusal(api, api.consoles.screenshot(s.uuid), 'INVALID_STATE');
      await api.systems.changeState(s.uuid, 'start', UNTIL_DONE);
      const png = await api.consoles.screenshot(s.name);
      assert.ok(png instanceof Uint8Array, 'a Uint8Array');
      assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      const ihdr = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
      assert.ok(ihdr.readUInt32BE(16) > 0 && ihdr.readUInt32BE(20) > 0, 'a width and a height');
      await api.systems.changeState(s.uuid, 'powerOff', UNTIL_DONE);
      await expectRefusal(api, api.consoles.screenshot(name('missing')), 'VM_NOT_FOUND');
    },
  },
  {
    id: 'users.crud',
    title:
      'users are added with a role, listed without passwords, refused twice, given another role, removed',
    requires: (caps) => caps.features.users,
    probe: (api) => api.users.list(),
    async run({ api, name }) {
      const user = name('user');
      await api.users.add(user, 'operator', 'correct horse battery staple');
      const listed = (await api.users.list()).find((u) => u.name === user);
      assert.deepEqual(listed, { name: user, role: 'operator' });
      await expectRefusal(api, api.users.add(user, 'reader', 'another'), 'ALREADY_EXISTS');
      await api.users.setRole(user, 'reader');
      assert.deepEqual(
        (await api.users.list()).find((u) => u.name === user),
        { name: user, role: 'reader' },
      );
      await api.users.setPassword(user, 'another horse');
      await api.users.remove(user);
      assert.equal(
        (await api.users.list()).some((u) => u.name === user),
        false,
      );
      await expectRefusal(api, api.users.remove(user), 'NOT_FOUND');
      await expectRefusal(api, api.users.setRole(user, 'admin'), 'NOT_FOUND');
      await expectRefusal(api, api.users.setPassword(user, 'x'), 'NOT_FOUND');
    },
  },
  {
    id: 'pools.read',
    title: 'every listed pool can be read by id; an unknown pool is NOT_FOUND',
    requires: (caps) => caps.features.pools !== 'none',
    probe: (api) => api.pools.list(),
    async run({ api }) {
      for (const p of await api.pools.list()) {
        assert.deepEqual(await api.pools.get(p.id), p);
        assert.ok(p.usedBytes <= p.capacityBytes || !p.available);
      }
      await expectRefusal(api, api.pools.get('no-such-pool'), 'NOT_FOUND');
    },
  },
  {
    id: 'networks.read',
    title: 'every listed network can be read by name; an unknown network is NOT_FOUND',
    requires: (caps) => caps.features.networks !== 'none',
    probe: (api) => api.networks.list(),
    async run({ api }) {
      for (const n of await api.networks.list()) assert.deepEqual(await api.networks.get(n.name), n);
      await expectRefusal(api, api.networks.get('no-such-net'), 'NOT_FOUND');
    },
  },
  {
    id: 'networks.manage',
    title:
      'a network is defined, read, listed, refused when defined twice and removed; removing it again is NOT_FOUND',
    requires: (caps) => caps.features.networks === 'manage',
    probe: (api) => api.networks.remove('conformance-probe'),
    async run({ api }) {
      const net = { name: 'conformance-net', mode: 'none' } as const;
      assert.deepEqual(await api.networks.define(net), net);
      assert.deepEqual(await api.networks.get(net.name), net);
      assert.ok((await api.networks.list()).some((n) => n.name === net.name));
      await expectRefusal(api, api.networks.define(net), 'ALREADY_EXISTS');
      await api.networks.remove(net.name);
      await expectRefusal(api, api.networks.get(net.name), 'NOT_FOUND');
      await expectRefusal(api, api.networks.remove(net.name), 'NOT_FOUND');
    },
  },
  {
    id: 'packages.deploy-export',
    title: 'a small OVA is deployed from an upload and exported to an artifact that downloads intact',
    requires: (caps) => caps.features.deploy && caps.features.export,
    needs: 'smallOva',
    probe: (api) =>
      api.packages.inspect({ kind: 'upload', fileName: 'probe.ova', body: streamOf(new Uint8Array(0)) }),
    async run({ api, fixtures, name }) {
      const ova = await fixtures.smallOva!();
      const n = name('deploy');
      const source = { kind: 'upload' as const, fileName: ova.fileName, body: streamOf(ova.bytes) };
      const deployed = await api.packages.deploy(source, { ...UNTIL_DONE, name: n });
      assert.equal(deployed.state, 'completed', deployed.error?.message);
      assert.equal(deployed.result?.systems[0]?.name, n);
      assert.equal((await api.systems.get(n)).name, n);
      const exported = await api.packages.export(n, {
        ...UNTIL_DONE,
        destination: { kind: 'artifact' },
        format: 'ova',
      });
      assert.equal(exported.state, 'completed', exported.error?.message);
      const id = exported.result?.artifact;
      assert.ok(id !== undefined, 'an artifact export names its artifact');
      const info = await api.artifacts.get(id);
      const bytes = await readAll(await api.artifacts.download(id));
      assert.equal(BigInt(bytes.length), info.sizeBytes);
      assert.equal(createHash('sha256').update(bytes).digest('hex'), info.sha256);
      assert.match(
        Buffer.from(bytes.subarray(0, 100)).toString('latin1'),
        /\.ovf\0/,
        'the OVA starts with its descriptor',
      );
      await api.artifacts.delete(id);
      await expectRefusal(api, api.artifacts.get(id), 'NOT_FOUND');
      await expectRefusal(
        api,
        api.packages.deploy(
          { kind: 'upload', fileName: 'junk.ova', body: streamOf(new Uint8Array(1024)) },
          UNTIL_DONE,
        ),
        'DEPLOY_PACKAGE',
      );
    },
  },
];
