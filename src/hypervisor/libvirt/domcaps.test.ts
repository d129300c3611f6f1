import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_LIBVIRTD, type PrivateLibvirtd, startLibvirtd } from '../../../test/helpers/libvirtd.js';
import { openDriver } from '../registry.js';
import { parseDomainCaps } from './domcaps.js';
import type { LibvirtDriver } from './driver.js';

describe('parseDomainCaps()', () => {
  it('reads vcpu max, the machine, disk buses and loaders', () => {
    const caps = parseDomainCaps(
      "<domainCapabilities><machine>pc-i440fx-7.2</machine><vcpu max='255'/><os supported='yes'><loader supported='yes'><value>/usr/share/OVMF/OVMF_CODE.fd</value></loader></os><devices><disk supported='yes'><enum name='bus'><value>ide</value><value>scsi</value><value>virtio</value></enum></disk></devices></domainCapabilities>",
    );
    expect(caps).toEqual({
      maxCpus: 255,
      machine: 'pc-i440fx-7.2',
      diskBuses: ['ide', 'scsi', 'virtio'],
      loaders: ['/usr/share/OVMF/OVMF_CODE.fd'],
    });
  });

  it('leaves out what a hostile daemon sends out of range or malformed', () => {
    expect(parseDomainCaps("<vcpu max='0'/><machine>a b</machine>")).toEqual({ diskBuses: [], loaders: [] });
    expect(parseDomainCaps("<vcpu max='999999'/>").maxCpus).toBeUndefined();
    expect(parseDomainCaps('x'.repeat(2_000_000))).toEqual({ diskBuses: [], loaders: [] });
  });
});

describe.skipIf(!HAVE_LIBVIRTD)('domain capabilities feed the libvirt driver (qemu:///session)', () => {
  let d: PrivateLibvirtd;
  beforeAll(async () => {
    d = await startLibvirtd();
    await import('../index.js');
  });
  afterAll(async () => {
    await d?.stop();
  });

  it("bounds the driver's vCPU limit by libvirt's <vcpu max> for TCG x86_64 domains, as virsh reports it", async () => {
    const driver = (await openDriver(`libvirt:qemu:///session?socket=${d.socket}`)) as LibvirtDriver;
    try {
      const xml = await d.virsh(
        `qemu+unix:///session?socket=${d.socket}`,
        'domcapabilities',
        '--virttype',
        'qemu',
        '--arch',
        'x86_64',
      );
      const max = Number(/<vcpu max='(\d+)'/.exec(xml)?.[1]);
      expect(max).toBeGreaterThan(0);
      expect(driver.domainCapabilities()?.maxCpus).toBe(max);
      expect((await driver.capabilities()).limits.cpus).toBe(Math.min(255, max));
      expect(driver.domainCapabilities()?.diskBuses).toContain('ide');
    } finally {
      await driver.close();
    }
  });
});
