import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type ByteChannel } from '../../../api/index.js';
import { CimError } from '../../../cim/index.js';
import { connectWsmanHost } from '../../wsman/index.js';
import { CimClient, type MethodOutcome } from '../client.js';
import { startTestHost, type TestHost } from '../test-host.js';
import { CimXmlApi } from './cimxml-api.js';
import { CONSOLE_SERVICE_CLASS } from './consoles.js';
import type { CimOperations } from './operations.js';

// The consoles namespace over CIM-XML and WS-Man against a Vessel host on the test driver (its serial line echoes
// what is written), and against peers that lack the console service or answer it wrongly: every case ends in the
// bytes that were sent, or an ApiError that says what the host lacks or did wrong.

let server: TestHost;
const UNTIL_DONE = { waitMs: Number.POSITIVE_INFINITY };
beforeAll(async () => {
  server = await startTestHost({ vms: 2, wsman: true });
  await server.api.systems.changeState('vm1', 'start', UNTIL_DONE);
}, 60_000);
afterAll(async () => {
  await server?.close();
});

/** Reads a channel until `want` arrived, or it ended. */
async function readUntil(ch: ByteChannel, want: string): Promise<string> {
  let got = '';
  for await (const chunk of ch.input) {
    got += Buffer.from(chunk).toString('latin1');
    if (got.includes(want)) break;
  }
  return got;
}

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected a refusal');
}

/** The Api over the test host, with the console service's class and methods answering what `o` says. */
async function apiWith(o: {
  noService?: boolean;
  invoke?: (method: string) => MethodOutcome | undefined;
}): Promise<CimXmlApi> {
  const real = new CimClient(server.url, { user: 'admin', password: 'secret' });
  const tampered: CimOperations = {
    url: real.url,
    transport: 'cimxml',
    user: real.user,
    getClass: (c, opts) => real.getClass(c, opts),
    enumerateInstances: async (c, opts) => {
      if (o.noService && c === CONSOLE_SERVICE_CLASS) throw new CimError('CIM_ERR_INVALID_CLASS', c);
      return real.enumerateInstances(c, opts);
    },
    enumerateInstanceNames: (c, opts) => real.enumerateInstanceNames(c, opts),
    getInstance: (n) => real.getInstance(n),
    associators: (n, f) => real.associators(n, f),
    associatorNames: (n, f) => real.associatorNames(n, f),
    deleteInstance: (n) => real.deleteInstance(n),
    invokeMethod: async (t, m, p, l) => o.invoke?.(m) ?? real.invokeMethod(t, m, p, l),
    close: () => real.close(),
  };
  return CimXmlApi.over(tampered);
}

describe.each([
  ['CIM-XML', () => CimXmlApi.connect({ url: server.url, user: 'admin', password: 'secret' })],
  ['WS-Man', () => connectWsmanHost({ url: server.wsmanUrl!, user: 'admin', password: 'secret' })],
])('consoles over %s on a Vessel host', (_name, connect) => {
  it('open() carries bytes both ways (control bytes too) and close() ends the host session; log() reads the log', async () => {
    const api = await connect();
    try {
      expect((await api.host.capabilities()).features.consoles).toBe(true);
      expect((await api.systems.get('vm1')).consoles).toEqual(['serial']);
      expect(await api.consoles.log('vm1')).toContain('VESSEL-GUEST-UP test-driver name=vm1');
      expect(await api.consoles.log('vm1', { maxBytes: 4 })).toBe('vm1\n');
      const ch = await api.consoles.open('vm1', 'serial');
      const big = `${'x'.repeat(100_000)}\u0000\u001b[1mEND`;
      const reading = readUntil(ch, 'END');
      await ch.write(Buffer.from(big, 'latin1'));
      // More than one Send carries it (64 KiB each) and the echo comes back whole, in order.
      expect(await reading).toBe(big);
      await ch.close();
      // The host's session is gone with it.
      expect((await refusal(ch.write(Buffer.from('late')))).code).toBe('NOT_FOUND');
    } finally {
      await api.close();
    }
  });

  it('refuses a stopped system, an unknown one, the VNC display and screenshots by code', async () => {
    const api = await connect();
    try {
      const stopped = await refusal(api.consoles.open('vm2', 'serial'));
      expect(stopped.code).toBe('INVALID_STATE');
      expect(stopped.message).toContain('Cannot open the serial console of "vm2": it is stopped');
      expect((await refusal(api.consoles.log('ghost'))).code).toBe('VM_NOT_FOUND');
      expect((await refusal(api.consoles.open('vm1', 'vnc'))).code).toBe('NOT_SUPPORTED');
      expect((await refusal(api.consoles.screenshot('vm1'))).code).toBe('NOT_SUPPORTED');
    } finally {
      await api.close();
    }
  });

  it("ends the channel's input when the system stops", async () => {
    const api = await connect();
    try {
      await server.api.systems.changeState('vm2', 'start', UNTIL_DONE);
      const ch = await api.consoles.open('vm2', 'serial');
      await server.api.systems.changeState('vm2', 'powerOff', UNTIL_DONE);
      expect(await readUntil(ch, 'never')).toBe('');
      await ch.close();
    } finally {
      await api.close();
    }
  });
});

describe('consoles over CIM from a peer without the service or answering it wrongly', () => {
  it('a host without Vessel_TextConsoleService is NOT_SUPPORTED, saying what it lacks; capabilities say so', async () => {
    const api = await apiWith({ noService: true });
    try {
      expect((await api.host.capabilities()).features.consoles).toBe(false);
      expect((await api.systems.get('vm1')).consoles).toEqual([]);
      for (const p of [api.consoles.log('vm1'), api.consoles.open('vm1', 'serial')]) {
        const e = await refusal(p);
        expect(e.code).toBe('NOT_SUPPORTED');
        expect(e.message).toContain('has no Vessel_TextConsoleService');
      }
    } finally {
      await api.close();
    }
  });

  it('Data that is not base64, a missing Session and return values outside the ValueMap are PROTOCOL', async () => {
    const answers: Record<string, MethodOutcome> = {
      ReadLog: { returnValue: 0, out: { Data: '<not base64>' } },
      OpenSession: { returnValue: 0, out: {} },
    };
    let api = await apiWith({ invoke: (m) => answers[m] });
    try {
      expect((await refusal(api.consoles.log('vm1'))).code).toBe('PROTOCOL');
      expect((await refusal(api.consoles.open('vm1', 'serial'))).code).toBe('PROTOCOL');
    } finally {
      await api.close();
    }
    api = await apiWith({
      invoke: (m) => (m === 'OpenSession' ? { returnValue: 4242, out: {} } : undefined),
    });
    try {
      expect((await refusal(api.consoles.open('vm1', 'serial'))).code).toBe('PROTOCOL');
    } finally {
      await api.close();
    }
    api = await apiWith({
      invoke: (m) => (m === 'Receive' ? { returnValue: 0, out: { Data: 'A', Closed: 'false' } } : undefined),
    });
    try {
      const ch = await api.consoles.open('vm1', 'serial');
      expect((await refusal(readUntil(ch, 'x'))).code).toBe('PROTOCOL');
      await ch.close();
    } finally {
      await api.close();
    }
  });
});
