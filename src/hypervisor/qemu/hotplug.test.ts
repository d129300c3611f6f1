import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDefinition } from '../../model/index.js';
import type { HypervisorError } from '../errors.js';
import { ensureTestGuest } from '../guest.js';
import { parseDriverUri } from '../uri.js';
import { openQemuDriver, readNetworks } from './open.js';

/** Hot changes on a running TCG guest: NIC and disk hot-plug, NIC unplug with the guest's cooperation, balloon. */
const state = mkdtempSync(join(tmpdir(), 'vessel-hotplug-'));
afterAll(() => rmSync(state, { recursive: true, force: true }));

describe('QemuDriver hot changes', () => {
  it('attaches a NIC and a disk, detaches the NIC, sets the balloon, and refuses other devices', async () => {
    const guest = await ensureTestGuest();
    writeFileSync(
      join(state, 'networks.json'),
      JSON.stringify({ fwd: { mode: 'user', hostForwards: ['tcp:127.0.0.1:0-:22'] } }),
    );
    const d = await openQemuDriver(parseDriverUri('qemu:///embed?accel=tcg'), { stateDir: state });
    try {
      const vm = await d.define(
        buildDefinition({
          name: 'hot',
          cpus: 1,
          memoryBytes: 256n << 20n,
          disks: [guest.stayDisk],
          nics: [{ network: 'fwd' }],
        }),
      );
      await d.start(vm.uuid);
      // The network named in networks.json gave the NIC its port forward.
      const pid = readFileSync(join(d.runPaths(vm.uuid).dir, 'qemu.pid'), 'utf8').trim();
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain(
        'user,id=net0,hostfwd=tcp:127.0.0.1:0-:22',
      );
      const con = await d.console(vm.uuid);
      for (let i = 0; i < 600 && !(await con.readLog()).includes(guest.markers.ready); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      await d.attachDevice(vm.uuid, {
        cimClass: 'CIM_EthernetPortAllocationSettingData',
        properties: {
          InstanceID: 'hot-nic',
          ResourceType: '10',
          ResourceSubType: 'virtio',
          Connection: ['user'],
          Address: '52:54:00:aa:bb:cc',
        },
      });
      await d.attachDevice(vm.uuid, {
        cimClass: 'CIM_ResourceAllocationSettingData',
        properties: { InstanceID: 'hot-disk', ResourceType: '17', HostResource: [guest.disk] },
      });
      const ids = async () => (await d.getDefinition(vm.uuid)).resources.map((r) => r.properties.InstanceID);
      expect(await ids()).toEqual(expect.arrayContaining(['hot-nic', 'hot-disk']));
      await d.detachDevice(vm.uuid, 'hot-nic');
      expect(await ids()).not.toContain('hot-nic');
      await d.setMemory(vm.uuid, 192n << 20n);
      const tooBig = (await d.setMemory(vm.uuid, 1n << 40n).catch((e: unknown) => e)) as HypervisorError;
      expect(tooBig.code).toBe('INVALID_STATE');
      const serial = (await d
        .attachDevice(vm.uuid, {
          cimClass: 'CIM_ResourceAllocationSettingData',
          properties: { InstanceID: 's9', ResourceType: '21' },
        })
        .catch((e: unknown) => e)) as HypervisorError;
      expect([serial.code, serial.message]).toEqual([
        'NOT_SUPPORTED',
        'Only disks and network adapters can be attached while running',
      ]);
      const stats = await d.stats(vm.uuid);
      expect(stats.disks.map((x) => x.instanceId)).toEqual(['4', 'hot-disk']);
      expect(stats.disks[0]!.readBytes).toBeGreaterThan(0n);
      await d.powerOff(vm.uuid);
    } finally {
      await d.close({ stopAll: true });
    }
  }, 90_000);
});

describe('readNetworks()', () => {
  it('refuses settings that are not networks', () => {
    const f = join(state, 'bad-networks.json');
    writeFileSync(f, JSON.stringify({ a: { mode: 'user', hostForwards: ['tcp:2222-22; rm -rf /'] } }));
    expect(() => readNetworks(f)).toThrow('"a".hostForwards must be like "tcp:127.0.0.1:2222-:22"');
    writeFileSync(f, JSON.stringify({ a: { mode: 'user', hostForwards: ['tcp::2222-:22'] } }));
    expect(() => readNetworks(f)).toThrow('(forwards listen on the loopback only)');
    writeFileSync(f, JSON.stringify({ b: { mode: 'bridge', bridge: 'br0,script=/tmp/x' } }));
    expect(() => readNetworks(f)).toThrow('network "b" needs mode user, bridge (with a bridge name) or none');
    writeFileSync(f, '[');
    expect(() => readNetworks(f)).toThrow('is not JSON');
    expect(readNetworks(join(state, 'absent.json')).size).toBe(0);
  });
});
