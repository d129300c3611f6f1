import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_LIBVIRTD, type PrivateLibvirtd, startLibvirtd } from '../../test/helpers/libvirtd.js';
import {
  connectLibvirt,
  type LibvirtClient,
  LibvirtRemoteError,
  type RemoteNonnullDomain,
  VIR_ERR,
} from './index.js';

describe.skipIf(!HAVE_LIBVIRTD)('LibvirtClient against a private libvirtd (its test driver)', () => {
  let d: PrivateLibvirtd;
  let c: LibvirtClient;
  let test: RemoteNonnullDomain;
  beforeAll(async () => {
    d = await startLibvirtd();
    c = await connectLibvirt(d.testUri);
    test = (await c.call('DOMAIN_LOOKUP_BY_NAME', { name: 'test' })).dom;
  });
  afterAll(async () => {
    c?.close();
    await d?.stop();
  });

  it('lists the domains and reads the state of "test", as virsh does', async () => {
    const { domains } = await c.call('CONNECT_LIST_ALL_DOMAINS', { need_results: 1, flags: 0 });
    expect(domains.map((x) => x.name)).toEqual(['test']);
    expect(await c.call('DOMAIN_GET_STATE', { dom: test, flags: 0 })).toEqual({ state: 1, reason: 0 });
    expect(await d.virsh(d.testUri, 'list', '--all', '--name')).toBe('test\n');
    expect(test.uuid.toString('hex')).toBe(
      (await d.virsh(d.testUri, 'domuuid', 'test')).trim().replaceAll('-', ''),
    );
  });

  it('suspends and resumes "test"; lifecycle events arrive; virsh sees the paused state', async () => {
    const { callbackID } = await c.call('CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY', {
      eventID: 0,
      dom: undefined,
    });
    const events: [number, number][] = [];
    c.onEvent((e) => {
      if (e.procedure === 'DOMAIN_EVENT_CALLBACK_LIFECYCLE' && e.msg.callbackID === callbackID) {
        events.push([e.msg.msg.event, e.msg.msg.detail]);
      }
    });
    await c.call('DOMAIN_SUSPEND', { dom: test });
    expect((await d.virsh(d.testUri, 'domstate', 'test')).trim()).toBe('paused');
    await c.call('DOMAIN_RESUME', { dom: test });
    await d.virsh(d.testUri, 'suspend', 'test');
    await d.virsh(d.testUri, 'resume', 'test');
    // libvirtd sends the events on its own time: wait for them as long as a loaded machine needs (not 1 s).
    await expect.poll(() => events.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(4);
    expect(events).toEqual([
      [3, 0],
      [4, 0],
      [3, 0],
      [4, 0],
    ]);
    await c.call('CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY', { callbackID });
  });

  it('an unknown domain is an error reply: VIR_ERR_NO_DOMAIN from VIR_FROM_TEST', async () => {
    const e = await c.call('DOMAIN_LOOKUP_BY_NAME', { name: 'nosuchdom' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LibvirtRemoteError);
    expect(e).toMatchObject({ libvirtCode: VIR_ERR.NO_DOMAIN, libvirtDomain: 12 });
    expect((e as Error).message).toMatch(/Domain not found/);
  });

  it('reads the capabilities and the hostname', async () => {
    const { capabilities } = await c.call('CONNECT_GET_CAPABILITIES', undefined);
    expect(capabilities).toContain('<capabilities>');
    expect((await c.call('CONNECT_GET_TYPE', undefined)).type).toBe('TEST');
  });
});
