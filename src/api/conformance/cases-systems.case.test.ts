import assert from 'node:assert/strict';
import { DISK_MODE_PROPERTY, FIRMWARE_PROPERTY, ResourceType, toBaseUnits } from '../../model/index.js';
import { STATE_OPERATIONS, type StateOperation } from '../operations.js';
import { TRANSPORTS } from '../principal.js';
import { change, define, expectRefusal, smallDefinition, UNTIL_DONE } from './helpers.case.test.js';
import type { ApiCase } from './types.case.test.js';

/** Cases of the host and systems namespaces: CRUD, refusals, what a definition keeps, settings and resources. */

const MEMORY = String(ResourceType.Memory);

/** The cases of the host and systems namespaces. */
export const SYSTEM_CASES: readonly ApiCase[] = [
  {
    id: 'host.info',
    title: 'host info and capabilities describe the host coherently',
    async run({ api, caps, name }) {
      const before = await api.host.info();
      assert.ok(TRANSPORTS.includes(before.transport));
      assert.equal(before.systemCount, (await api.systems.list()).length);
      await define(api, smallDefinition(name('info')));
      assert.equal((await api.host.info()).systemCount, before.systemCount + 1);
      for (const op of caps.operations) assert.ok(STATE_OPERATIONS.includes(op), op);
      for (const op of ['start', 'powerOff'] as StateOperation[]) assert.ok(caps.operations.includes(op), op);
      assert.ok(caps.limits.cpus > 0 && caps.limits.memoryBytes > 0n);
    },
  },
  {
    id: 'systems.crud',
    title: 'define, list, get by name and by UUID in any case, undefine',
    async run({ api, name }) {
      const n = name('crud');
      const s = await define(api, smallDefinition(n));
      assert.equal(s.name, n);
      assert.equal(s.state, 'stopped');
      assert.ok((await api.systems.list()).some((x) => x.uuid === s.uuid));
      const detailed = await api.systems.list({ detail: true });
      assert.equal(detailed.find((x) => x.uuid === s.uuid)?.definition.system.ElementName, n);
      const byName = await api.systems.get(n);
      const byUuid = await api.systems.get(s.uuid.toUpperCase());
      assert.equal(byName.uuid, s.uuid);
      assert.equal(byUuid.uuid, s.uuid);
      assert.ok(byName.etag.length > 0);
      assert.equal(byName.definition.system.ElementName, n);
      const gone = await api.systems.undefine(n, UNTIL_DONE);
      assert.equal(gone.state, 'completed');
      await expectRefusal(api, api.systems.get(n), 'VM_NOT_FOUND');
      assert.ok(!(await api.systems.list()).some((x) => x.uuid === s.uuid));
    },
  },
  {
    id: 'systems.errors',
    title: 'unknown systems, taken names, invalid definitions and unknown operations are refused by code',
    async run({ api, name }) {
      const missing = name('missing');
      const e = await expectRefusal(api, api.systems.get(missing), 'VM_NOT_FOUND');
      assert.ok(e.message.includes(missing), `the message names the system: ${e.message}`);
      await expectRefusal(api, api.systems.undefine(missing, UNTIL_DONE), 'VM_NOT_FOUND');
      await expectRefusal(api, api.systems.changeState(missing, 'start', UNTIL_DONE), 'VM_NOT_FOUND');
      const n = name('taken');
      await define(api, smallDefinition(n));
      await expectRefusal(api, api.systems.define(smallDefinition(n), UNTIL_DONE), 'VM_EXISTS');
      const nameless = smallDefinition('x');
      delete nameless.system.ElementName;
      await expectRefusal(api, api.systems.define(nameless, UNTIL_DONE), 'DEFINITION_INVALID');
      const fly = 'fly' as StateOperation;
      await expectRefusal(api, api.systems.changeState(n, fly, UNTIL_DONE), 'INVALID_ARGUMENT');
      await expectRefusal(api, api.jobs.get('no-such-job'), 'NOT_FOUND');
    },
  },
  {
    id: 'systems.firmware',
    title: 'the firmware a definition asks for is kept, and can be changed',
    async run({ api, name }) {
      const def = smallDefinition(name('efi'));
      def.system[FIRMWARE_PROPERTY] = 'efi';
      const s = await define(api, def);
      assert.equal((await api.systems.get(s.uuid)).definition.system[FIRMWARE_PROPERTY], 'efi');
      const job = await api.systems.modifySettings(s.uuid, { [FIRMWARE_PROPERTY]: 'bios' }, UNTIL_DONE);
      assert.equal(job.state, 'completed', job.error?.message);
      assert.equal((await api.systems.get(s.uuid)).definition.system[FIRMWARE_PROPERTY], 'bios');
    },
  },
  {
    id: 'systems.disk-mode',
    title:
      'the disk mode a definition asks for is kept and can be changed; a mode that is neither is refused',
    async run({ api, name }) {
      const def = smallDefinition(name('direct'));
      def.system[DISK_MODE_PROPERTY] = 'direct';
      const s = await define(api, def);
      assert.equal((await api.systems.get(s.uuid)).definition.system[DISK_MODE_PROPERTY], 'direct');
      const job = await api.systems.modifySettings(s.uuid, { [DISK_MODE_PROPERTY]: 'overlay' }, UNTIL_DONE);
      assert.equal(job.state, 'completed', job.error?.message);
      assert.equal((await api.systems.get(s.uuid)).definition.system[DISK_MODE_PROPERTY], 'overlay');
      const bad = smallDefinition(name('shared'));
      bad.system[DISK_MODE_PROPERTY] = 'shared';
      await expectRefusal(api, api.systems.define(bad, UNTIL_DONE), 'DEFINITION_INVALID');
    },
  },
  {
    id: 'systems.keep-disks',
    title: 'an undefine that keeps the disks says which images it kept (none for a system without disks)',
    requires: (caps) => caps.features.keepDisks,
    probe: (api) => api.systems.undefine('conformance-no-such-system', { keepDisks: true }),
    async run({ api, name }) {
      const s = await define(api, smallDefinition(name('keep')));
      const job = await api.systems.undefine(s.uuid, { keepDisks: true, ...UNTIL_DONE });
      assert.equal(job.state, 'completed', job.error?.message);
      assert.deepEqual(job.result, { keptImages: [] });
      await expectRefusal(api, api.systems.get(s.uuid), 'VM_NOT_FOUND');
    },
  },
  {
    id: 'systems.memory-units',
    title: 'memory given in VirtualQuantityUnits (1 x byte*2^30) is 1 GiB',
    async run({ api, caps, name }) {
      const def = smallDefinition(name('units'));
      const memory = def.resources.find((r) => r.properties.ResourceType === MEMORY)!;
      memory.properties = {
        InstanceID: memory.properties.InstanceID ?? '2',
        ResourceType: MEMORY,
        VirtualQuantity: '1',
        VirtualQuantityUnits: 'byte*2^30',
      };
      const s = await define(api, def);
      const back = (await api.systems.get(s.uuid)).definition.resources.find(
        (r) => r.properties.ResourceType === MEMORY,
      );
      assert.ok(back !== undefined, 'the memory setting is kept');
      // DSP1041: VirtualQuantityUnits states VirtualQuantity's unit; AllocationUnits applies when it is absent.
      const unit = back.properties.VirtualQuantityUnits ?? back.properties.AllocationUnits ?? 'byte*2^20';
      assert.equal(toBaseUnits(BigInt(back.properties.VirtualQuantity ?? '0'), unit, 'byte'), 1n << 30n);
      if (caps.features.stats && caps.operations.includes('start')) {
        await change(api, s.uuid, 'start');
        assert.equal(
          (await api.systems.stats(s.uuid)).memoryBytes,
          1n << 30n,
          'the running system was given 1 GiB',
        );
      }
    },
  },
  {
    id: 'systems.modify',
    title:
      'settings change with the current etag, a stale etag is CONFLICT, config-only changes need a stopped system',
    async run({ api, name }) {
      const s = await define(api, smallDefinition(name('modify')));
      const { etag } = await api.systems.get(s.uuid);
      const job = await api.systems.modifySettings(
        s.uuid,
        { Description: 'changed' },
        { ...UNTIL_DONE, ifMatch: etag },
      );
      assert.equal(job.state, 'completed', job.error?.message);
      const after = await api.systems.get(s.uuid);
      assert.equal(after.definition.system.Description, 'changed');
      assert.notEqual(after.etag, etag);
      await expectRefusal(
        api,
        api.systems.modifySettings(s.uuid, { Description: 'x' }, { ...UNTIL_DONE, ifMatch: etag }),
        'CONFLICT',
      );
      await change(api, s.uuid, 'start');
      await expectRefusal(
        api,
        api.systems.modifySettings(s.uuid, { Description: 'y' }, { ...UNTIL_DONE, live: 'config' }),
        'INVALID_STATE',
      );
      assert.equal((await api.systems.get(s.uuid)).definition.system.Description, 'changed');
    },
  },
  {
    id: 'systems.resources',
    title: 'resource changes are all-or-nothing: one bad item leaves the definition as it was',
    async run({ api, name }) {
      const s = await define(api, smallDefinition(name('rasd')));
      const count = async () => (await api.systems.get(s.uuid)).definition.resources.length;
      const before = await count();
      const nic = (mac?: string) => ({
        cimClass: 'CIM_EthernetPortAllocationSettingData' as const,
        properties: {
          ResourceType: '10',
          ResourceSubType: 'virtio',
          Connection: ['user'],
          ...(mac === undefined ? {} : { Address: mac }),
        },
      });
      await expectRefusal(
        api,
        api.systems.addResources(s.uuid, [nic(), nic('not-a-mac')], UNTIL_DONE),
        'DEFINITION_INVALID',
      );
      assert.equal(await count(), before, 'nothing was added');
      const added = await api.systems.addResources(s.uuid, [nic('52:54:00:12:34:56')], UNTIL_DONE);
      assert.equal(added.state, 'completed', added.error?.message);
      const [id] = added.result?.instanceIds ?? [];
      assert.ok(id !== undefined && added.result?.applied === 'config');
      assert.equal(await count(), before + 1);
      await expectRefusal(
        api,
        api.systems.removeResources(s.uuid, [id, 'no-such-rasd'], UNTIL_DONE),
        'NOT_FOUND',
      );
      assert.equal(await count(), before + 1, 'nothing was removed');
      const removed = await api.systems.removeResources(s.uuid, [id], UNTIL_DONE);
      assert.equal(removed.state, 'completed', removed.error?.message);
      assert.equal(await count(), before);
    },
  },
  {
    id: 'systems.metadata',
    title: 'metadata keys are set, read back and removed',
    requires: (caps) => caps.features.metadata,
    probe: (api) => api.systems.metadata('conf-probe'),
    async run({ api, name }) {
      const s = await define(api, smallDefinition(name('meta')));
      await api.systems.setMetadata(s.uuid, 'app.role', 'web');
      assert.equal((await api.systems.metadata(s.uuid))['app.role'], 'web');
      await api.systems.setMetadata(s.uuid, 'app.role', undefined);
      assert.equal(Object.hasOwn(await api.systems.metadata(s.uuid), 'app.role'), false);
      await expectRefusal(api, api.systems.metadata(name('missing')), 'VM_NOT_FOUND');
    },
  },
  {
    id: 'systems.stats',
    title: 'a running system has statistics; a stopped one is INVALID_STATE',
    requires: (caps) => caps.features.stats,
    probe: (api) => api.systems.stats('conf-probe'),
    async run({ api, name }) {
      const s = await define(api, smallDefinition(name('stats')));
      await expectRefusal(api, api.systems.stats(s.uuid), 'INVALID_STATE');
      await change(api, s.uuid, 'start');
      const st = await api.systems.stats(s.uuid);
      assert.equal(st.memoryBytes, 64n << 20n);
      assert.ok(st.uptimeMs >= 0 && st.cpuTimeNs >= 0n);
    },
  },
];
