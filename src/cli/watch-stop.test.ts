import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultOf } from '../api/index.js';
import { CimXmlApi, startTestHost, type TestHost } from '../wbem/index.js';
import { watchStop } from './watch-stop.js';

/** Resolves with the reason `watchStop` gave, or rejects after `ms`. */
function ending(ms: number): { onEnd: (why: string) => void; why: Promise<string> } {
  let onEnd: (why: string) => void = () => {};
  const why = new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no end within ${ms} ms`)), ms);
    onEnd = (w) => {
      clearTimeout(t);
      resolve(w);
    };
  });
  return { onEnd, why };
}

describe('watchStop (vm console ends when its system stops)', () => {
  let h: TestHost;
  beforeAll(async () => {
    h = await startTestHost({ vms: 2 });
  });
  afterAll(async () => h?.close());

  it("follows the host's event stream: a stop ends the watch at once, once", async () => {
    resultOf(await h.api.systems.changeState('vm1', 'start', { waitMs: Number.POSITIVE_INFINITY }));
    const calls: string[] = [];
    const e = ending(5000);
    const stop = await watchStop(h.api, 'vm1', (w) => {
      calls.push(w);
      e.onEnd(w);
    });
    resultOf(await h.api.systems.changeState('vm1', 'powerOff', { waitMs: Number.POSITIVE_INFINITY }));
    expect(await e.why).toBe('The system "vm1" is stopped: console closed');
    stop();
    expect(calls).toHaveLength(1);
  });

  it('ends at once for a system already stopped when the watch starts', async () => {
    const e = ending(2000);
    const stop = await watchStop(h.api, 'vm2', e.onEnd);
    expect(await e.why).toBe('The system "vm2" is stopped: console closed');
    stop();
  });

  it('asks for the state where the host has no event stream (CIM-XML), and ends on a stop too', async () => {
    resultOf(await h.api.systems.changeState('vm2', 'start', { waitMs: Number.POSITIVE_INFINITY }));
    const cim = await CimXmlApi.connect({ url: h.url, user: 'admin', password: 'secret' });
    try {
      const e = ending(8000);
      const stop = await watchStop(cim, 'vm2', e.onEnd);
      resultOf(await h.api.systems.changeState('vm2', 'powerOff', { waitMs: Number.POSITIVE_INFINITY }));
      expect(await e.why).toBe('The system "vm2" is stopped: console closed');
      stop();
    } finally {
      await cim.close();
    }
  });
});
