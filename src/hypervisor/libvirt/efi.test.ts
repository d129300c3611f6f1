import { chmodSync, chownSync, copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_LIBVIRTD, type PrivateLibvirtd, startLibvirtd } from '../../../test/helpers/libvirtd.js';
import { buildDefinition } from '../../model/index.js';
import { ensureTestGuest } from '../guest.js';
import { openDriver } from '../registry.js';
import type { HypervisorDriver } from '../types.js';
import type { LibvirtDriver } from './driver.js';

/**
 * EFI firmware on libvirt's QEMU driver (Debian's ovmf package: /usr/share/OVMF, with firmware descriptors in
 * /usr/share/qemu/firmware): the domain capabilities name the OVMF images, the driver offers `efi`, a definition
 * with Firmware efi becomes `<os firmware='efi'>` and libvirt starts it on an OVMF loader with its own NVRAM.
 */
let d: PrivateLibvirtd;
let driver: HypervisorDriver;
let dir: string;
let disk: string;

beforeAll(async () => {
  const guest = await ensureTestGuest();
  d = await startLibvirtd();
  await import('../index.js');
  driver = await openDriver(`libvirt:qemu:///session?socket=${d.socket}`);
  dir = mkdtempSync(join(tmpdir(), 'vessel-libvirt-efi-'));
  chmodSync(dir, 0o755);
  disk = join(dir, 'guest.raw');
  copyFileSync(guest.stayDisk, disk);
  const owner = statSync(d.dir);
  chownSync(disk, owner.uid, owner.gid);
}, 120_000);
afterAll(async () => {
  await driver?.close({ stopAll: true });
  await d?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!HAVE_LIBVIRTD)('EFI firmware on libvirt (qemu:///session, TCG)', () => {
  it('offers efi from the OVMF images of the domain capabilities, and starts a domain on OVMF', async () => {
    const loaders = (driver as LibvirtDriver).domainCapabilities()?.loaders ?? [];
    expect(loaders).toContain('/usr/share/OVMF/OVMF_CODE_4M.fd');
    expect((await driver.capabilities()).firmware).toEqual(['bios', 'efi']);
    const def = buildDefinition({
      name: 'efi1',
      cpus: 1,
      memoryBytes: 128n << 20n,
      disks: [disk],
      firmware: 'efi',
    });
    const { uuid } = await driver.define(def);
    const uri = `qemu+unix:///session?socket=${d.socket}`;
    expect(await d.virsh(uri, 'dumpxml', '--inactive', 'efi1')).toMatch(/<os firmware=['"]efi['"]>/);
    expect((await driver.getDefinition(uuid)).system.Firmware).toBe('efi');
    await driver.start!(uuid);
    const live = await d.virsh(uri, 'dumpxml', 'efi1');
    expect(live).toMatch(
      /<loader [^>]*type=['"]pflash['"][^>]*>\/usr\/share\/OVMF\/OVMF_CODE[^<]*\.fd<\/loader>/,
    );
    expect(live).toMatch(/<nvram[^>]*>[^<]*efi1_VARS\.fd<\/nvram>/);
    expect((await driver.getState(uuid)).state).toBe('running');
    await driver.powerOff!(uuid);
    await driver.undefine!(uuid); // with its NVRAM
    expect(await driver.lookup(uuid)).toBeUndefined();
    // A BIOS definition stays BIOS (no firmware attribute: libvirt's SeaBIOS default).
    const bios = await driver.define(
      buildDefinition({ name: 'bios1', cpus: 1, memoryBytes: 64n << 20n, disks: [disk] }),
    );
    expect(await d.virsh(uri, 'dumpxml', '--inactive', 'bios1')).not.toMatch(/firmware=|<loader/);
    await driver.undefine!(bios.uuid);
  }, 120_000);
});
