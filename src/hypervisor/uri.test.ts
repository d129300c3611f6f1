import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HypervisorError } from './errors.js';
import { openDriver } from './index.js';
import { parseDriverUri } from './uri.js';

const state = mkdtempSync(join(tmpdir(), 'vessel-uri-'));
afterAll(() => rmSync(state, { recursive: true, force: true }));

/** The error a call fails with, as `[code, message]`. */
async function refusal(p: Promise<unknown> | (() => unknown)): Promise<[string, string]> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof HypervisorError) return [e.code, e.message];
    throw e;
  }
  throw new Error('expected a HypervisorError');
}

describe('parseDriverUri()', () => {
  it('reads local URIs with parameters, URIs with a transport, user, host and port, and libvirt URIs', () => {
    const local = parseDriverUri('test:///default?x=1&owns=0');
    expect(local).toMatchObject({ scheme: 'test', path: '/default', text: 'test:///default?x=1&owns=0' });
    expect([...local.params]).toEqual([
      ['x', '1'],
      ['owns', '0'],
    ]);
    expect(local.host).toBeUndefined();
    expect(parseDriverUri('qemu+ssh://root@h.example:2222/system')).toMatchObject({
      scheme: 'qemu',
      transport: 'ssh',
      user: 'root',
      host: 'h.example',
      port: 2222,
      path: '/system',
    });
    expect(parseDriverUri('qemu+tls://[::1]/system')).toMatchObject({ transport: 'tls', host: '[::1]' });
    expect(parseDriverUri('QEMU:///embed').scheme).toBe('qemu');
    expect(parseDriverUri('libvirt:qemu+ssh://h/system')).toMatchObject({
      scheme: 'libvirt',
      opaque: 'qemu+ssh://h/system',
      path: '',
    });
  });

  it('refuses what is not a driver URI, saying why (DRIVER_URI)', async () => {
    const cases: [string, string][] = [
      ['', 'it has no scheme'],
      ['/var/lib/vessel', 'it has no scheme'],
      ['qemu:embed', 'it needs "//" after "qemu:"'],
      ['qemu://h:99999/system', 'its host or path cannot be read'],
      ['qemu:///embed#x', 'it has a fragment (#...)'],
      ['qemu+ssh://u:secret@h/system', 'it carries a password; drivers authenticate on their own'],
      ['qemu:///embed\nx', 'it contains spaces or control characters'],
      ['libvirt:', 'libvirt: needs a libvirt URI after it, e.g. libvirt:qemu:///system'],
      ['libvirt+ssh:qemu:///system', 'libvirt: takes no transport; put it in the libvirt URI'],
      [`test:///${'a'.repeat(3000)}`, 'it is longer than 2048 characters'],
    ];
    for (const [uri, why] of cases) {
      const [code, message] = await refusal(() => parseDriverUri(uri));
      expect([uri.slice(0, 30), code, message.endsWith(why)]).toEqual([uri.slice(0, 30), 'DRIVER_URI', true]);
    }
  });
});

describe('openDriver(): each factory refuses what it cannot do, naming the URI', () => {
  it('refuses hosts, transports, unknown parameters and schemes with NOT_SUPPORTED', async () => {
    expect(await refusal(openDriver('qemu+ssh://h/system', { stateDir: state }))).toEqual([
      'NOT_SUPPORTED',
      'Cannot open "qemu+ssh://h/system": the embedded QEMU driver runs QEMU on this machine only; it cannot reach another host',
    ]);
    expect(await refusal(openDriver('qemu://h/embed', { stateDir: state }))).toEqual([
      'NOT_SUPPORTED',
      'Cannot open "qemu://h/embed": the embedded QEMU driver runs QEMU on this machine only; it cannot reach another host',
    ]);
    expect(await refusal(openDriver('qemu:///embed?acel=tcg', { stateDir: state }))).toEqual([
      'NOT_SUPPORTED',
      'Cannot open "qemu:///embed?acel=tcg": the QEMU driver has no "acel" parameter',
    ]);
    expect(await refusal(openDriver('test://h/default'))).toEqual([
      'NOT_SUPPORTED',
      'Cannot open "test://h/default": the test driver runs in this process; it has no host to reach',
    ]);
    expect(await refusal(openDriver('test:///default?x=1'))).toEqual([
      'NOT_SUPPORTED',
      'Cannot open "test:///default?x=1": the test driver has no "x" parameter',
    ]);
    expect(await refusal(openDriver('test:///default?owns=yes'))).toEqual([
      'NOT_SUPPORTED',
      'Cannot open "test:///default?owns=yes": owns=yes is not 0 or 1',
    ]);
    const [code, message] = await refusal(openDriver('vbox:///session'));
    expect([code, message]).toEqual([
      'NOT_SUPPORTED',
      expect.stringMatching(
        /^Cannot open "vbox:\/\/\/session": this Vessel has no "vbox:" driver; it has libvirt, qemu, test/,
      ),
    ]);
    expect(await refusal(openDriver('libvirt:qemu+ssh://h/system'))).toEqual([
      'NOT_SUPPORTED',
      'Cannot open "libvirt:qemu+ssh://h/system": Cannot reach "qemu+ssh://h/system": the ssh transport is not supported',
    ]);
    expect(await refusal(openDriver('test:///elsewhere'))).toEqual([
      'DRIVER_URI',
      'Unknown test driver path "/elsewhere" in "test:///elsewhere"',
    ]);
  });

  it('opens the test driver in both inventory modes', async () => {
    const mirror = await openDriver('test:///default');
    const owner = await openDriver('test:///default?owns=1', { stateDir: state });
    expect([mirror.ownsInventory, owner.ownsInventory]).toEqual([false, true]);
    expect((await owner.capabilities()).driver).toEqual({
      uri: 'test:///default?owns=1',
      name: 'test',
      version: undefined,
      ownsInventory: true,
    });
    await mirror.close();
    await owner.close();
  });
});
