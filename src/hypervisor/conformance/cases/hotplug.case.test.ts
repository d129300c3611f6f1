import { expect } from 'vitest';
import type { ResourceSetting } from '../../../model/index.js';
import { requireOperation } from '../../operations.js';
import type { CaseContext, DriverCase } from '../types.case.test.js';
import { cleanup, failure, guestDef } from './helpers.case.test.js';

const ids = async (t: CaseContext, uuid: string) =>
  (await t.driver.getDefinition(uuid)).resources.map((r) => r.properties.InstanceID);

/** Starts a guest and waits until it is ready; returns its UUID. */
async function running(t: CaseContext, name: string): Promise<string> {
  const { uuid } = await t.driver.define(guestDef(t, name));
  await requireOperation(t.driver, 'start')(uuid);
  await t.options.guest.waitReady(t.driver, uuid, 1);
  return uuid;
}

/** Devices added to and removed from a running system. */
export const hotplugCases: DriverCase[] = [
  {
    id: 'hotplug.disk',
    title: 'attaches a disk to a running system, and refuses to attach to a stopped one',
    requires: (caps, entry) =>
      caps.features.hotplug.disk && entry.includes('attachDevice') && entry.includes('start'),
    needs: 'disk hot-plug and the attachDevice entry point',
    timeoutMs: 120_000,
    async run(t) {
      const d = t.driver;
      const disk: ResourceSetting = {
        cimClass: 'CIM_ResourceAllocationSettingData',
        properties: {
          InstanceID: 'hot-disk',
          ResourceType: '17',
          HostResource: [t.options.guest.hotDisk ?? t.options.guest.disk],
        },
      };
      const stopped = await d.define(guestDef(t, 'conf-hd-off'));
      expect((await failure(requireOperation(d, 'attachDevice')(stopped.uuid, disk))).code).toBe(
        'INVALID_STATE',
      );
      await cleanup(t, stopped.uuid);
      const uuid = await running(t, 'conf-hd');
      try {
        await requireOperation(d, 'attachDevice')(uuid, disk);
        expect(await ids(t, uuid)).toContain('hot-disk');
        if (d.stats) expect((await d.stats(uuid)).disks.map((x) => x.instanceId)).toContain('hot-disk');
      } finally {
        await cleanup(t, uuid);
      }
    },
  },
  {
    id: 'hotplug.nic',
    title: 'attaches a NIC to a running system and detaches it again',
    requires: (caps, entry) =>
      caps.features.hotplug.nic &&
      entry.includes('attachDevice') &&
      entry.includes('detachDevice') &&
      entry.includes('start'),
    needs: 'NIC hot-plug and the attachDevice and detachDevice entry points',
    timeoutMs: 120_000,
    async run(t) {
      const d = t.driver;
      const uuid = await running(t, 'conf-hn');
      try {
        await requireOperation(d, 'attachDevice')(uuid, {
          cimClass: 'CIM_EthernetPortAllocationSettingData',
          properties: {
            InstanceID: 'hot-nic',
            ResourceType: '10',
            ResourceSubType: 'virtio',
            Connection: ['user'],
          },
        });
        expect(await ids(t, uuid)).toContain('hot-nic');
        await requireOperation(d, 'detachDevice')(uuid, 'hot-nic');
        expect(await ids(t, uuid)).not.toContain('hot-nic');
        expect((await failure(requireOperation(d, 'detachDevice')(uuid, 'hot-nic'))).code).toBe(
          'VM_NOT_FOUND',
        );
        expect((await d.getState(uuid)).state).toBe('running');
      } finally {
        await cleanup(t, uuid);
      }
    },
  },
];
