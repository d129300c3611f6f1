import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDefinition, type VirtualSystemDefinition } from '../../model/index.js';
import { ensureTestGuest } from '../guest.js';
import { parseDriverUri } from '../uri.js';
import type { QemuDriver } from './driver.js';
import { openQemuDriver } from './open.js';
import { QmpClient } from './qmp.js';

/**
 * Issue 10's virtio-scsi fix on a real TCG guest: a ResourceType 6 controller of subtype `virtio-scsi` is a
 * virtio-scsi HBA (it used to become virtio-blk, with no HBA at all). The guest boots from a disk on it and reads
 * its OVF environment from a CD on it.
 */
const state = mkdtempSync(join(tmpdir(), 'vessel-vscsi-'));
const drivers: QemuDriver[] = [];
afterAll(async () => {
  for (const d of drivers) await d.close({ stopAll: true }).catch(() => undefined);
  rmSync(state, { recursive: true, force: true });
});

async function waitFor(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The guest's disk and its OVF environment CD, both on one RT 6 `virtio-scsi` controller. */
function onVirtioScsi(disk: string, iso: string): VirtualSystemDefinition {
  const def = buildDefinition({
    name: 'vscsi',
    cpus: 1,
    memoryBytes: 256n << 20n,
    disks: [disk],
    diskBus: 'scsi',
  });
  const hba = def.resources.find((r) => r.properties.ResourceType === '6')!;
  hba.properties.ResourceSubType = 'virtio-scsi';
  def.resources.push({
    cimClass: 'CIM_ResourceAllocationSettingData',
    properties: {
      InstanceID: 'cd',
      ResourceType: '15',
      HostResource: [iso],
      Parent: hba.properties.InstanceID!,
      AddressOnParent: '1',
    },
  });
  return def;
}

describe('a virtio-scsi controller on real QEMU', () => {
  it('starts with virtio-scsi-pci, its disk and CD as SCSI devices the guest boots from and reads', async () => {
    const guest = await ensureTestGuest();
    const d = await openQemuDriver(parseDriverUri('qemu:///embed?accel=tcg'), { stateDir: state });
    drivers.push(d);
    const def = onVirtioScsi(guest.stayDisk, guest.iso);
    const vm = await d.define(def);
    const disk = def.resources.find((r) => r.properties.ResourceType === '17')!.properties.InstanceID!;
    await d.start(vm.uuid);

    // The command line QEMU runs with: the HBA, and the drives as SCSI devices on its bus.
    const pid = Number(readFileSync(d.runPaths(vm.uuid).pidFile, 'utf8'));
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    expect(argv).toContain('virtio-scsi-pci,id=scsi0');
    expect(argv.filter((a) => a.startsWith('scsi-hd,bus=scsi0.0,scsi-id=0,'))).toHaveLength(1);
    expect(argv.filter((a) => a.startsWith('scsi-cd,bus=scsi0.0,scsi-id=1,'))).toHaveLength(1);
    expect(argv.some((a) => a.startsWith('virtio-blk-pci'))).toBe(false);

    // What QEMU made of it: the HBA's type, and both block nodes attached to SCSI devices.
    const qmp = await QmpClient.connect(d.runPaths(vm.uuid).fdSocket);
    try {
      const type = await qmp.execute<string>('qom-get', {
        path: '/machine/peripheral/scsi0',
        property: 'type',
      });
      expect(type).toBe('virtio-scsi-pci');
      const blocks =
        await qmp.execute<{ qdev?: string; inserted?: { 'node-name'?: string } }[]>('query-block');
      const attached = (node: string) => blocks.find((b) => b.inserted?.['node-name'] === node)?.qdev ?? '';
      expect(attached(`drive-${disk}`)).toContain(`dev-${disk}`);
      expect(attached('drive-cd')).toContain('dev-cd');
      const hd = await qmp.execute<string>('qom-get', {
        path: `/machine/peripheral/dev-${disk}`,
        property: 'type',
      });
      expect(hd).toBe('scsi-hd');
    } finally {
      qmp.close();
    }

    // SeaBIOS boots the disk through the HBA, and the guest's virtio_scsi driver finds the CD (/dev/sr0).
    const con = await d.console(vm.uuid);
    await waitFor('the guest', async () => (await con.readLog()).includes(guest.markers.ready));
    const log = await con.readLog();
    expect(log).toMatch(/OVF-ENV-FOUND dev=\/dev\/sr0 /);
    await d.powerOff(vm.uuid);
  });
});
