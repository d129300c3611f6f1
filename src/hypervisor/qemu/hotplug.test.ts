import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/helpers/ports.js';
import { buildDefinition } from '../../model/index.js';
import type { HypervisorError } from '../errors.js';
import { ensureTestGuest } from '../guest.js';
import { parseDriverUri } from '../uri.js';
import { deviceArguments, driveDevice } from './hotplug.js';
import { openQemuDriver, readNetworks } from './open.js';

/**
 * Hot changes on a running TCG guest: NIC and disk hot-plug built by the start path's builders (a NIC on the
 * network networks.json names, a disk on its controller), NIC unplug with the guest's cooperation, balloon.
 */
const state = mkdtempSync(join(tmpdir(), 'vessel-hotplug-'));
afterAll(() => rmSync(state, { recursive: true, force: true }));

/** A loopback port nothing listens on (bound once by the kernel's choice, then released). */

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

describe('QemuDriver hot changes', () => {
  it('hot-plugs a NIC on its networks.json network and a disk on its controller, and unplugs the NIC', async () => {
    const guest = await ensureTestGuest();
    const [startPort, hotPort] = [await freePort(), await freePort()];
    writeFileSync(
      join(state, 'networks.json'),
      JSON.stringify({
        fwd: { mode: 'user', hostForwards: [`tcp:127.0.0.1:${startPort}-:22`] },
        hot: { mode: 'user', hostForwards: [`tcp:127.0.0.1:${hotPort}-:22`] },
        off: { mode: 'none' },
      }),
    );
    const d = await openQemuDriver(parseDriverUri('qemu:///embed?accel=tcg'), { stateDir: state });
    try {
      const def = buildDefinition({
        name: 'hot',
        cpus: 1,
        memoryBytes: 256n << 20n,
        disks: [guest.stayDisk],
        nics: [{ network: 'fwd' }],
      });
      // An LSI SCSI controller with nothing on it yet: a hot-plugged disk goes there.
      def.resources.push({
        cimClass: 'CIM_ResourceAllocationSettingData',
        properties: { InstanceID: 'hba', ResourceType: '6', ResourceSubType: 'lsilogic' },
      });
      const vm = await d.define(def);
      await d.start(vm.uuid);
      // The network named in networks.json gave the NIC its port forward, at start.
      const pid = readFileSync(join(d.runPaths(vm.uuid).dir, 'qemu.pid'), 'utf8').trim();
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain(
        `user,id=net-5,hostfwd=tcp:127.0.0.1:${startPort}-:22`,
      );
      expect(await listening(startPort)).toBe(true);
      const con = await d.console(vm.uuid);
      for (let i = 0; i < 600 && !(await con.readLog()).includes(guest.markers.ready); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }

      // A hot-plugged NIC gets the same network as it would at start: here the forward of network "hot".
      expect(await listening(hotPort)).toBe(false);
      await d.attachDevice(vm.uuid, {
        cimClass: 'CIM_EthernetPortAllocationSettingData',
        properties: {
          InstanceID: 'hot-nic',
          ResourceType: '10',
          ResourceSubType: 'virtio',
          Connection: ['hot'],
          Address: '52:54:00:aa:bb:cc',
        },
      });
      expect(await listening(hotPort)).toBe(true);
      // On a network of mode none the NIC is defined with nothing in QEMU, as at start.
      await d.attachDevice(vm.uuid, {
        cimClass: 'CIM_EthernetPortAllocationSettingData',
        properties: {
          InstanceID: 'cable-out',
          ResourceType: '10',
          ResourceSubType: 'e1000',
          Connection: ['off'],
        },
      });
      await d.attachDevice(vm.uuid, {
        cimClass: 'CIM_ResourceAllocationSettingData',
        properties: { InstanceID: 'hot-disk', ResourceType: '17', HostResource: [guest.disk] },
      });
      await d.attachDevice(vm.uuid, {
        cimClass: 'CIM_ResourceAllocationSettingData',
        properties: {
          InstanceID: 'hot-scsi',
          ResourceType: '17',
          Parent: 'hba',
          AddressOnParent: '1',
          HostResource: [guest.disk],
        },
      });
      // Without an InstanceID a device gets the next free whole number, which names it in QEMU too.
      await d.attachDevice(vm.uuid, {
        cimClass: 'CIM_ResourceAllocationSettingData',
        properties: { ResourceType: '17', HostResource: [guest.disk] },
      });
      // A disk asked for on the IDE controller: QEMU cannot hot-plug IDE, refused before QMP, naming the bus.
      const ide = String(def.resources.find((r) => r.properties.ResourceType === '5')!.properties.InstanceID);
      const onIde = (await d
        .attachDevice(vm.uuid, {
          cimClass: 'CIM_ResourceAllocationSettingData',
          properties: { InstanceID: 'on-ide', ResourceType: '17', Parent: ide, HostResource: [guest.disk] },
        })
        .catch((e: unknown) => e)) as HypervisorError;
      expect([onIde.code, onIde.message]).toEqual([
        'NOT_SUPPORTED',
        `Cannot attach disk "on-ide" to "hot" while it runs: QEMU cannot hot-plug a disk on IDE (controller "${ide}")`,
      ]);
      const ids = async () => (await d.getDefinition(vm.uuid)).resources.map((r) => r.properties.InstanceID);
      expect(await ids()).toEqual(
        expect.arrayContaining(['hot-nic', 'cable-out', 'hot-disk', 'hot-scsi', '7']),
      );
      expect(await ids()).not.toContain('on-ide');
      await d.detachDevice(vm.uuid, 'hot-nic');
      expect(await ids()).not.toContain('hot-nic');
      expect(await listening(hotPort)).toBe(false); // its netdev went with it
      expect(await listening(startPort)).toBe(true);

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
      expect(stats.disks.map((x) => x.instanceId)).toEqual(['4', 'hot-disk', 'hot-scsi', '7']);
      expect(stats.disks[0]!.readBytes).toBeGreaterThan(0n);
      await d.powerOff(vm.uuid);
    } finally {
      await d.close({ stopAll: true });
    }
  }, 120_000);
});

describe('driveDevice() and deviceArguments()', () => {
  it("gives a hot-plugged drive the start path's device on its controller, without a boot index", () => {
    const def = buildDefinition({
      name: 'x',
      cpus: 1,
      memoryBytes: 64n << 20n,
      disks: ['/a.raw'],
      diskBus: 'scsi',
    });
    const ctl = def.resources.find((r) => r.properties.ResourceType === '6')!.properties.InstanceID!;
    def.resources.push({
      cimClass: 'CIM_ResourceAllocationSettingData',
      properties: {
        InstanceID: 'new,1',
        ResourceType: '17',
        Parent: ctl,
        AddressOnParent: '3',
        HostResource: ['/b.raw'],
      },
    });
    expect(driveDevice(def, 'new,1', { file: '/b.qcow2', format: 'qcow2' })).toEqual({
      driver: 'scsi-hd',
      bus: 'scsi0.0',
      'scsi-id': 3,
      drive: 'drive-new_1',
      id: 'dev-new_1',
    });
    def.resources.push({
      cimClass: 'CIM_ResourceAllocationSettingData',
      properties: { InstanceID: 'v', ResourceType: '17', HostResource: ['/c.raw'] },
    });
    expect(driveDevice(def, 'v', { file: '/c.qcow2', format: 'qcow2' })).toEqual({
      driver: 'virtio-blk-pci',
      drive: 'drive-v',
      id: 'dev-v',
    });
  });

  it('reads option text with doubled commas and refuses a part that is not key=value', () => {
    expect(deviceArguments('x,id=a,,b,unit=2')).toEqual({ driver: 'x', id: 'a,b', unit: 2 });
    expect(() => deviceArguments('x,novalue')).toThrow('"novalue" in "x,novalue" is not key=value');
  });
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
