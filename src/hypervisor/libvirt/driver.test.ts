import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_LIBVIRTD, type PrivateLibvirtd, startLibvirtd } from '../../../test/helpers/libvirtd.js';
import { buildDefinition } from '../../model/index.js';
import { HypervisorError } from '../errors.js';
import { openDriver } from '../registry.js';
import type { DriverEvent, HypervisorDriver } from '../types.js';
import type { LibvirtDriver } from './driver.js';

async function code(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  return e instanceof HypervisorError ? e.code : `not a HypervisorError: ${String(e)}`;
}

describe.skipIf(!HAVE_LIBVIRTD)('libvirt driver and virsh on one private libvirtd (test driver)', () => {
  let d: PrivateLibvirtd;
  let driver: HypervisorDriver;
  let dir: string;
  let disk: string;
  beforeAll(async () => {
    d = await startLibvirtd();
    await import('../index.js'); // registers the libvirt: scheme
    driver = await openDriver(`libvirt:test:///default?socket=${d.socket}`);
    dir = mkdtempSync(join(tmpdir(), 'vessel-libvirt-'));
    disk = join(dir, 'disk.raw');
    closeSync(openSync(disk, 'w'));
  });
  afterAll(async () => {
    await driver?.close();
    await d?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists libvirt's own domains: the hypervisor owns the inventory", async () => {
    expect(driver.ownsInventory).toBe(true);
    expect(await driver.list()).toEqual([
      expect.objectContaining({ name: 'test', state: 'running', reason: 'running' }), // virsh: running (unknown)
    ]);
    expect((await driver.info()).hypervisorVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(await (driver as LibvirtDriver).libvirtCapabilities()).toContain('<capabilities>');
  });

  it('virsh sees what Vessel defined, Vessel sees what virsh did, with events caused by the host', async () => {
    const events: DriverEvent[] = [];
    const off = driver.subscribe((e) => events.push(e));
    const def = buildDefinition({ name: 'vx', cpus: 1, memoryBytes: 64n << 20n, disks: [disk], nics: [] });
    const { uuid } = await driver.define(def);
    expect((await d.virsh(d.testUri, 'domuuid', 'vx')).trim()).toBe(uuid);
    expect(await d.virsh(d.testUri, 'dumpxml', 'vx')).toContain(`<source file='${disk}'/>`);
    await d.virsh(d.testUri, 'start', 'vx');
    expect(await driver.getState(uuid)).toMatchObject({ state: 'running' });
    await driver.pause!(uuid);
    expect((await d.virsh(d.testUri, 'domstate', 'vx', '--reason')).trim()).toBe('paused (user)');
    await d.virsh(d.testUri, 'destroy', 'vx');
    expect(await driver.getState(uuid)).toMatchObject({ state: 'stopped', reason: 'powered off' });
    // libvirtd sends the events on its own time: wait for them as long as a loaded machine needs (not 1 s).
    await expect.poll(() => events.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
    expect(events.map((e) => [e.uuid, e.state, e.cause])).toEqual([
      [uuid, 'running', 'host'],
      [uuid, 'paused', 'api'],
      [uuid, 'stopped', 'host'],
    ]);
    const back = await driver.getDefinition(uuid);
    expect(back.system.ElementName).toBe('vx');
    expect(back.resources.some((r) => r.properties.HostResource?.[0] === disk)).toBe(true);
    await driver.undefine!(uuid);
    expect(await d.virsh(d.testUri, 'list', '--all', '--name')).toBe('test\n');
    off();
  });

  it("maps libvirt's errors and refuses transitions that do not apply", async () => {
    expect(await code(driver.getState('no-such-vm'))).toBe('VM_NOT_FOUND');
    expect(await code(driver.start!('test'))).toBe('INVALID_STATE');
    const dup = buildDefinition({ name: 'test', cpus: 1, memoryBytes: 64n << 20n, disks: [disk], nics: [] });
    expect(await code(driver.define(dup))).toBe('VM_EXISTS');
  });

  it('reports what the domain XML cannot express as warnings of validate', async () => {
    const def = buildDefinition({
      name: 'vw',
      cpus: 1,
      memoryBytes: (64n << 20n) + 512n,
      disks: [disk],
      nics: [],
    });
    const diags = await driver.validate(def, 'define');
    expect(diags.filter((x) => x.severity === 'error')).toEqual([]);
    expect(diags).toContainEqual(
      expect.objectContaining({
        severity: 'warning',
        location: '"vw"',
        message: `libvirt sets memory in KiB; ${(64n << 20n) + 512n} bytes written as 65537 KiB`,
      }),
    );
    expect(
      await driver.validate(
        buildDefinition({ name: 'ok', cpus: 1, memoryBytes: 64n << 20n, disks: [disk], nics: [] }),
        'define',
      ),
    ).toEqual([]);
  });
});
