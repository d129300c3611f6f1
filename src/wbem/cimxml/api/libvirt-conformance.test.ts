import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_LIBVIRTD, type PrivateLibvirtd, startLibvirtd } from '../../../../test/helpers/libvirtd.js';
import { runApiConformance } from '../../../api/conformance.case.test.js';
import type { ApiEvent } from '../../../api/index.js';
import { connectWsmanApi } from '../../wsman/client/index.js';
import { startVesselHostServer } from '../test-host.js';
import { cimDeclarations, openCimHost } from './cim-conformance.case.test.js';
import { CimXmlApi } from './cimxml-api.js';

// The Api conformance over CIM-XML and WS-Man against a Vessel host whose driver is libvirt: libvirt's test
// driver inside a private libvirtd. Each host opens `test:///FILE` on an empty node, which libvirt gives a world
// of its own per connection (test:///default is one world shared by every connection of the daemon), so each
// case starts on an empty host as the runner expects.

let daemon: PrivateLibvirtd | undefined;
let uri = '';
beforeAll(async () => {
  daemon = await startLibvirtd();
  const node = join(daemon.dir, 'home', 'empty-node.xml');
  writeFileSync(node, '<node></node>\n', { mode: 0o644 });
  uri = `libvirt:test://${node}?socket=${daemon.socket}`;
});
afterAll(async () => {
  await daemon?.stop();
});

const libvirt = (encoding: 'CIM-XML' | 'WS-Man') => {
  const d = cimDeclarations(encoding);
  return {
    ...d,
    fixtures: {},
    skip: [
      ...d.skip,
      {
        cases: ['jobs.cancel', 'jobs.supersede', 'state.shutdown-timeout'] as const,
        reason: "libvirt's test driver has no guest that ignores ACPI: its shutdown always stops the domain",
      },
      {
        cases: ['systems.firmware'] as const,
        reason:
          "libvirt's test driver has no firmware images, so the host offers BIOS only and refuses EFI; over CIM the VSSD class's Firmware ValueMap names EFI whatever the driver (EFI on libvirt runs on qemu:///session in src/hypervisor/libvirt/efi.test.ts)",
      },
    ],
  };
};

describe.skipIf(!HAVE_LIBVIRTD)('CIM-XML and WS-Man on a libvirt host', () => {
  runApiConformance({
    label: 'CimXmlApi on a Vessel CIM-XML host (libvirt:test:///empty-node, private libvirtd)',
    open: () =>
      openCimHost(
        'cimxml',
        (s) => CimXmlApi.connect({ url: s.url, user: 'admin', password: 'secret', timeoutMs: 20_000 }),
        undefined,
        uri,
      ),
    ...libvirt('CIM-XML'),
  });
  runApiConformance({
    label: 'WS-Man Api on a Vessel WS-Man host (libvirt:test:///empty-node, private libvirtd)',
    open: () =>
      openCimHost(
        'wsman',
        (s) => connectWsmanApi({ url: s.wsmanUrl!, user: 'admin', password: 'secret', timeoutMs: 20_000 }),
        undefined,
        uri,
      ),
    ...libvirt('WS-Man'),
  });
});

describe.skipIf(!HAVE_LIBVIRTD)('virsh and CIM-XML on one libvirt (test:///default, shared by both)', () => {
  it('virsh defines, CIM sees it; CIM starts it, virsh sees it running; virsh pauses it, the event reaches Vessel', async () => {
    const d = daemon!;
    const server = await startVesselHostServer({
      driverUri: `libvirt:test:///default?socket=${d.socket}`,
    });
    const api = await CimXmlApi.connect({ url: server.url, user: 'admin', password: 'secret' });
    try {
      const xml = join(d.dir, 'home', 'vx1.xml');
      writeFileSync(
        xml,
        "<domain type='test'><name>vx1</name><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>\n",
        { mode: 0o644 },
      );
      await d.virsh(d.testUri, 'define', xml);
      const seen = (await api.systems.list()).find((s) => s.name === 'vx1');
      expect(seen).toMatchObject({ name: 'vx1', state: 'stopped' });
      expect(seen!.uuid).toBe((await d.virsh(d.testUri, 'domuuid', 'vx1')).trim());
      const started = await api.systems.changeState('vx1', 'start', { waitMs: Number.POSITIVE_INFINITY });
      expect(started.state).toBe('completed');
      expect((await d.virsh(d.testUri, 'domstate', 'vx1')).trim()).toBe('running');
      const after = (await server.api.events.list({ system: 'vx1', types: ['system.state'] })).length;
      await d.virsh(d.testUri, 'suspend', 'vx1');
      let events: ApiEvent[] = [];
      for (let i = 0; i < 100 && events.length === 0; i++) {
        events = (await server.api.events.list({ system: 'vx1', types: ['system.state'] })).slice(after);
        if (events.length === 0) await new Promise((r) => setTimeout(r, 50));
      }
      expect(events.at(-1)).toMatchObject({ state: 'paused', cause: { kind: 'host' } });
      expect((await api.systems.get('vx1')).state).toBe('paused');
      await d.virsh(d.testUri, 'destroy', 'vx1');
      await d.virsh(d.testUri, 'undefine', 'vx1');
      expect((await api.systems.list()).some((s) => s.name === 'vx1')).toBe(false);
    } finally {
      await api.close();
      await server.close();
    }
  }, 60_000);
});
