import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { buildDefinition } from '../../model/index.js';
import { fakeApi } from '../conformance/fake.case.test.js';
import { SocketApi } from './client.js';
import { dataFrame, FrameReader, jsonFrame } from './frames.js';
import { PROTOCOL_NAME, PROTOCOL_VERSION } from './messages.js';
import { serveApi } from './server.js';

/** SocketApi against hosts that are absent, silent, of another version, broken or dishonest. */

const dir = mkdtempSync(join(tmpdir(), 'vessel-client-'));
let n = 0;
const servers: Server[] = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hello = { t: 'hello', protocol: PROTOCOL_NAME, version: PROTOCOL_VERSION, maxFrameBytes: 1 << 20 };

/** A host played by hand: `onConnect` greets (or not), `onCall` answers each call message. */
async function scripted(
  onConnect: (s: Socket) => void,
  onCall: (s: Socket, call: { id: number; method: string; params: unknown }) => void = () => {},
): Promise<string> {
  const path = join(dir, `x${n++}.sock`);
  const server = createServer((s) => {
    const reader = new FrameReader(1 << 24, 'The client');
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('data', (c: Buffer) => {
      for (const f of reader.push(c)) if (f.kind === 'json') onCall(s, JSON.parse(f.text));
    });
    onConnect(s);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(path, () => r()));
  return path;
}

const INFO = {
  name: 'h',
  vesselVersion: '1',
  startedAt: '2026-12-02T13:42:00Z',
  systemCount: 0,
  transport: 'socket',
  driver: { uri: 'test:///default', name: 'test' },
};
const greet = (s: Socket) => s.write(jsonFrame(hello));
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('SocketApi', () => {
  it('is HOST_NOT_RUNNING when nothing listens on the path', async () => {
    const path = join(dir, 'none.sock');
    expect(await refusal(SocketApi.connect(path))).toMatchObject({
      code: 'HOST_NOT_RUNNING',
      message: `No Vessel host answers on ${path}`,
    });
    expect(await refusal(SocketApi.connect(path, { stateDir: '/srv/v' }))).toMatchObject({
      code: 'HOST_NOT_RUNNING',
      hint: 'Start one with: vessel host serve --state /srv/v',
    });
  });

  it('is PROTOCOL when the peer does not greet in time, greets in another version, or sends garbage', async () => {
    const silent = await scripted(() => {});
    expect(await refusal(SocketApi.connect(silent, { helloTimeoutMs: 200 }))).toMatchObject({
      code: 'PROTOCOL',
      message: expect.stringMatching(/did not greet within 200 ms/),
    });
    const newer = await scripted((s) => s.write(jsonFrame({ ...hello, version: 2 })));
    expect(await refusal(SocketApi.connect(newer))).toMatchObject({
      code: 'PROTOCOL',
      message: expect.stringMatching(/speaks vessel-api 2; this client speaks vessel-api 1$/),
    });
    const http = await scripted((s) => s.write('HTTP/1.1 400 Bad Request\r\n\r\n'));
    expect(await refusal(SocketApi.connect(http))).toMatchObject({
      code: 'PROTOCOL',
      message: expect.stringMatching(/The host sent a frame of \d+ bytes/),
    });
    const refuses = await scripted((s) =>
      s.end(
        jsonFrame({
          t: 'error',
          id: null,
          error: { code: 'LIMIT_EXCEEDED', message: 'Too many connections' },
        }),
      ),
    );
    expect(await refusal(SocketApi.connect(refuses))).toMatchObject({ code: 'LIMIT_EXCEEDED' });
  });

  it('fails calls in progress with HOST_UNREACHABLE when the host goes, and every later call too', async () => {
    const path = await scripted(greet, (s) => s.destroy());
    const api = await SocketApi.connect(path);
    expect(await refusal(api.host.info())).toMatchObject({
      code: 'HOST_UNREACHABLE',
      message: 'The host closed the connection',
    });
    expect(await refusal(api.systems.list())).toMatchObject({ code: 'HOST_UNREACHABLE' });
  });

  it('fails calls in progress with the reason the host gave for closing', async () => {
    const path = await scripted(greet, (s) =>
      s.end(jsonFrame({ t: 'error', id: null, error: { code: 'PROTOCOL', message: 'Go away' } })),
    );
    const api = await SocketApi.connect(path);
    expect(await refusal(api.host.info())).toMatchObject({ code: 'PROTOCOL', message: 'Go away' });
  });

  it('refuses a malformed answer with PROTOCOL naming the method and the place, and goes on', async () => {
    const path = await scripted(greet, (s, call) => {
      if (call.id === 1) s.write(jsonFrame({ t: 'result', id: 1, result: { ...INFO, name: 7 } }));
      else if (call.id === 2)
        s.write(jsonFrame({ t: 'error', id: 2, error: { code: 'FROM_THE_FUTURE', message: 'x' } }));
      else s.write(jsonFrame({ t: 'result', id: call.id, result: [] }));
    });
    const api = await SocketApi.connect(path);
    expect(await refusal(api.host.info())).toMatchObject({
      code: 'PROTOCOL',
      message: expect.stringMatching(
        /^The host's answer to host.info is malformed: \/name: Expected string$/,
      ),
    });
    expect(await refusal(api.host.info())).toMatchObject({
      code: 'PROTOCOL',
      message: 'The host answered with an unknown error code FROM_THE_FUTURE: x',
    });
    expect(await api.pools.list()).toEqual([]);
    await api.close();
  });

  it('cuts a host that sends stream bytes beyond the credit granted', async () => {
    const early = await scripted(greet, (s, call) => {
      // Bytes before the result: no credit was granted yet.
      s.write(dataFrame(call.id, new Uint8Array(10)));
      s.write(jsonFrame({ t: 'result', id: call.id, result: { stream: '0'.repeat(32) } }));
    });
    expect(await refusal((await SocketApi.connect(early)).artifacts.download('a'))).toMatchObject({
      code: 'PROTOCOL',
      message: expect.stringMatching(/more bytes for call \d+ than granted/),
    });
    const flood = await scripted(greet, (s, call) => {
      s.write(jsonFrame({ t: 'result', id: call.id, result: { stream: '0'.repeat(32) } }));
      // 8 MiB at once, against a window of 256 KiB that a slow reader has barely begun to grant back.
      for (let i = 0; i < 128; i++) s.write(dataFrame(call.id, new Uint8Array(65_536)));
    });
    const stream = await (await SocketApi.connect(flood)).artifacts.download('a');
    const reading = (async () => {
      for await (const _ of stream) await new Promise((r) => setTimeout(r, 20));
    })();
    await expect(reading).rejects.toMatchObject({
      code: 'PROTOCOL',
      message: expect.stringMatching(/more bytes for call \d+ than granted/),
    });
  });

  it('refuses a call longer than the host reads with LIMIT_EXCEEDED, without sending it', async () => {
    const server = serveApi(() => fakeApi(), { limits: { maxFrameBytes: 4096 } });
    const path = join(dir, `l${n++}.sock`);
    await server.listen(path);
    const api = await SocketApi.connect(path);
    const def = buildDefinition({ name: 'big', cpus: 1, memoryBytes: 64n << 20n });
    def.system.Description = 'x'.repeat(8000);
    expect(await refusal(api.systems.define(def))).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      message: expect.stringMatching(
        /^The call of systems.define is \d+ bytes, more than the 4096 the host reads$/,
      ),
    });
    expect((await api.host.info()).name).toBe('fake');
    await api.close();
    expect(await refusal(api.host.info())).toMatchObject({ code: 'HOST_UNREACHABLE' });
    await server.close();
  });
});
