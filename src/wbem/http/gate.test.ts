import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIMethodCall } from '../cimxml/encode-request.js';
import { startTestHost, type TestHost } from '../cimxml/test-host.js';

// The connection gate of the CIM-XML server, end to end on a host with small limits: every phase timed, caps in
// total and per address, 503 with Retry-After rather than a reset, eviction of idle and stalled connections.

let host: TestHost;
let port: number;
let tlsPort: number;

beforeAll(async () => {
  host = await startTestHost({
    https: true,
    limits: {
      maxConnections: 6,
      maxConnectionsPerAddress: 3,
      // Long enough that held connections outlive the opening of the next on a loaded machine (a full CI run).
      tlsHandshakeTimeoutMs: 1500,
      headersTimeoutMs: 2000,
      requestTimeoutMs: 2000,
      keepAliveTimeoutMs: 60_000,
    },
  });
  port = Number(new URL(host.url).port);
  tlsPort = Number(new URL(host.httpsUrl!).port);
});
afterAll(async () => {
  await host?.close();
});

interface Seen {
  socket: Socket;
  /** Everything received, as text. */
  text: () => string;
  closed: Promise<void>;
}

/** A raw connection from `from`, writing `first` once connected. */
function open(from: string, first = '', tls = false): Promise<Seen> {
  return new Promise((resolve) => {
    const raw = connect({ port: tls ? tlsPort : port, host: '127.0.0.1', localAddress: from });
    const socket = tls ? tlsConnect({ socket: raw, rejectUnauthorized: false }) : raw;
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
    });
    socket.on('error', () => undefined);
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      if (first) socket.write(first);
      resolve({ socket, text: () => text, closed });
    });
    raw.once('close', () => resolve({ socket, text: () => text, closed }));
  });
}

const BODY = encodeIMethodCall('1', 'EnumerateInstanceNames', 'root/virtualization', {
  ClassName: { className: 'CIM_ComputerSystem' },
});
const HEAD = (length: number) =>
  `POST /cimom HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${Buffer.from('admin:secret').toString('base64')}\r\n` +
  `Content-Type: application/xml; charset="utf-8"\r\nCIMOperation: MethodCall\r\nCIMMethod: EnumerateInstanceNames\r\n` +
  `CIMObject: root/virtualization\r\nContent-Length: ${length}\r\n\r\n`;

/** A complete request on a fresh connection from `from`; resolves with the status. */
function enumerate(from: string, agent?: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/cimom',
        method: 'POST',
        localAddress: from,
        agent: agent ?? false,
        headers: {
          'Content-Type': 'application/xml; charset="utf-8"',
          CIMOperation: 'MethodCall',
          CIMMethod: 'EnumerateInstanceNames',
          CIMObject: 'root/virtualization',
          Authorization: `Basic ${Buffer.from('admin:secret').toString('base64')}`,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(BODY);
  });
}

const status = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);

describe('the connection gate of the CIM-XML server', () => {
  it('closes a TLS socket that never sends a ClientHello once the handshake time is up', async () => {
    const raw = connect({ port: tlsPort, host: '127.0.0.1', localAddress: '127.0.0.21' });
    raw.on('error', () => undefined);
    await new Promise<void>((r) => raw.on('close', () => r()));
  });

  it('answers 408 to headers trickling in slower than the header time, whatever the pace of the bytes', async () => {
    const slow = await open('127.0.0.22', 'POST /cimom HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const drip = setInterval(() => slow.socket.write('a'), 100);
    await slow.closed;
    clearInterval(drip);
    expect(status(slow.text())).toBe(408);
  });

  it('answers 408 to a body that does not arrive in time (slow POST)', async () => {
    const slow = await open('127.0.0.23', `${HEAD(BODY.length)}${BODY.slice(0, 10)}`);
    await slow.closed;
    expect(status(slow.text())).toBe(408);
  });

  it('refuses a fourth connection from one address with 503 and Retry-After, and serves other addresses', async () => {
    const held = await Promise.all([1, 2, 3].map(() => open('127.0.0.24')));
    const fourth = await open('127.0.0.24');
    await fourth.closed;
    expect(status(fourth.text())).toBe(503);
    expect(fourth.text()).toMatch(/\r\nRetry-After: \d+\r\n/);
    expect(fourth.text()).toContain('Too many connections from this address');
    expect(await enumerate('127.0.0.25')).toBe(200);
    for (const h of held) h.socket.destroy();
  });

  it('refuses over TLS after the handshake, with the same 503', async () => {
    const held = await Promise.all([1, 2, 3].map(() => open('127.0.0.26', '', true)));
    const fourth = await open('127.0.0.26', '', true);
    await fourth.closed;
    expect(status(fourth.text())).toBe(503);
    for (const h of held) h.socket.destroy();
  });

  it('when full, gives a newcomer the slot of a stalled connection of the address that holds the most', async () => {
    const stalled: Seen[] = [];
    for (const a of ['127.0.0.27', '127.0.0.27', '127.0.0.27', '127.0.0.28', '127.0.0.28'])
      stalled.push(await open(a, 'POST /cimom HTTP/1.1\r\n'));
    const single = await open('127.0.0.29', 'POST /cimom HTTP/1.1\r\n');
    // Full (6). A newcomer evicts the oldest stalled connection of 127.0.0.27, which holds the most.
    expect(await enumerate('127.0.0.30')).toBe(200);
    await stalled[0]!.closed;
    expect(status(stalled[0]!.text())).toBe(503);
    expect(single.socket.destroyed).toBe(false);
    for (const s of [...stalled, single]) s.socket.destroy();
  });

  it('when full, closes an idle keep-alive connection for a newcomer', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect(await enumerate('127.0.0.31', agent)).toBe(200);
    const idle = [...Object.values(agent.freeSockets)].flat()[0]!;
    const idleClosed = new Promise<void>((r) => idle.on('close', () => r()));
    const others = await Promise.all(
      ['127.0.0.32', '127.0.0.33', '127.0.0.34', '127.0.0.35', '127.0.0.36'].map((a) =>
        open(a, `${HEAD(BODY.length)}`),
      ),
    );
    expect(await enumerate('127.0.0.37')).toBe(200);
    await idleClosed;
    agent.destroy();
    for (const o of others) o.socket.destroy();
  });
});
