import { describe, expect, it } from 'vitest';
import { type CapturedPacket, ReplayPeer, readCapture } from '../../test/helpers/libvirt-replay.js';
import {
  decodeXdr,
  LibvirtClient,
  type LibvirtEvent,
  LibvirtRemoteError,
  openConnection,
  type ProcedureName,
  REMOTE_PROCEDURE_TYPES,
  VIR_ERR,
} from './index.js';

const names = new Map<number, ProcedureName>(
  Object.entries(REMOTE_PROCEDURE_TYPES).map(([n, t]) => [t.proc, n as ProcedureName]),
);

/**
 * Makes the calls the capture's client made, in its order, after the opening sequence (done by openConnection):
 * each argument is the captured one decoded, so the peer's byte-for-byte check tests the encoder too.
 */
async function replay(file: string, uri: string, until?: (p: CapturedPacket) => boolean) {
  let script = readCapture(file);
  const cut = until === undefined ? -1 : script.findIndex(until);
  if (cut >= 0) script = script.slice(0, cut);
  const peer = new ReplayPeer(script);
  const client = new LibvirtClient(peer.client, { timeoutMs: 5000 });
  const events: LibvirtEvent[] = [];
  client.onEvent((e) => events.push(e));
  const results: unknown[] = [];
  let console: Buffer[] | undefined;
  await openConnection(client, uri, { keepalive: false });
  const calls = script.filter((p) => p.dir === 'C>S' && p.type === 0).slice(3);
  for (const p of calls) {
    const name = names.get(p.proc);
    if (name === undefined) throw new Error(`${p.label}: procedure ${p.proc} is not in the generated table`);
    const args = decodeXdr(REMOTE_PROCEDURE_TYPES[name].args as never, p.payload) as never;
    if (name === 'DOMAIN_OPEN_CONSOLE') {
      const chunks: Buffer[] = [];
      (await client.openStream(name, args)).on('data', (b: Buffer) => chunks.push(b));
      console = chunks;
      continue;
    }
    results.push(await client.call(name, args).catch((e: unknown) => e));
  }
  await new Promise((r) => setTimeout(r, 50));
  expect(peer.mismatches).toEqual([]);
  expect(peer.remaining().map((p) => p.label)).toEqual([]);
  return { client, results, events, console: console === undefined ? undefined : Buffer.concat(console) };
}

describe('LibvirtClient replays virsh 9.0 against libvirtd 9.0 (captures in ../shared/libvirt)', () => {
  it('test-driver-list.txt: open, list all domains, state of "test", close', async () => {
    const { results } = await replay('test-driver-list.txt', 'test:///default');
    const list = results[3] as { domains: { name: string; id: number }[]; ret: number };
    expect(list.domains.map((d) => [d.name, d.id])).toEqual([['test', 1]]);
    expect(results[4]).toEqual({ state: 1, reason: 0 });
  });

  it('test-driver-error-reply.txt: an unknown domain is a LibvirtRemoteError with code 42, domain 12', async () => {
    const { results } = await replay('test-driver-error-reply.txt', 'test:///default');
    const e = results[3];
    expect(e).toBeInstanceOf(LibvirtRemoteError);
    expect(e).toMatchObject({
      code: 'REMOTE',
      libvirtCode: VIR_ERR.NO_DOMAIN,
      libvirtDomain: 12,
      message: 'Domain not found',
    });
    expect(results[4]).toBeUndefined(); // UNREGISTER_CLOSE_CALLBACK still works after the error
  });

  it('test-driver-events-keepalive.txt: 27 registrations, then 4 lifecycle events with serial 1 reach the listener', async () => {
    const { results, events } = await replay(
      'test-driver-events-keepalive.txt',
      'test:///default',
      (p) => p.prog === 0x6b656570,
    );
    expect(results.slice(3)).toEqual(Array.from({ length: 27 }, (_, i) => ({ callbackID: i })));
    expect(events.map((e) => e.procedure)).toEqual(Array(4).fill('DOMAIN_EVENT_CALLBACK_LIFECYCLE'));
    const lifecycle = events.map((e) =>
      e.procedure === 'DOMAIN_EVENT_CALLBACK_LIFECYCLE' ? e.msg : undefined,
    );
    expect(lifecycle.map((m) => [m?.msg.dom.name, m?.msg.event, m?.msg.detail])).toEqual([
      ['test', 3, 0], // suspended, paused
      ['test', 4, 0], // resumed, unpaused
      ['test', 5, 1], // stopped, destroyed
      ['test', 2, 0], // started, booted
    ]);
  });

  it('qemu-tcg-lifecycle.txt: define, start, state, suspend, resume, stats, destroy, undefine of a TCG guest', async () => {
    const { results } = await replay('qemu-tcg-lifecycle.txt', 'qemu:///system');
    const defined = results[3] as { dom: { name: string } };
    expect(defined.dom.name).toBe('vtest');
    const stats = results.find((r) => typeof r === 'object' && r !== null && 'retStats' in r) as {
      retStats: { params: { field: string; value: { type: number; value: unknown } }[] }[];
    };
    const state = stats.retStats[0]!.params.find((p) => p.field === 'state.state');
    expect(state?.value).toEqual({ type: 1, value: 1 });
  });

  it('qemu-console-stream.txt: the console stream carries the SeaBIOS banner; the final PING gets a PONG', async () => {
    const { console: out } = await replay('qemu-console-stream.txt', 'qemu:///system');
    expect(out?.toString('latin1')).toContain('SeaBIOS (version 1.16.2');
  });
});
