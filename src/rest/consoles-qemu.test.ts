import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ByteChannel } from '../api/index.js';
import { Host, USERS_FILE, UserStore } from '../host/index.js';
import { ensureTestGuest, pngSize, type TestGuest } from '../hypervisor/index.js';
import { buildDefinition } from '../model/index.js';
import { hostApiFactory } from '../wbem/index.js';
import { RestApi } from './client/index.js';
import { type RestEndpoint, serveRest } from './serve.js';

// The tiny guest under QEMU (TCG) with a VNC display, reached only through the REST client (`--connect rest+http`):
// its serial marker arrives over the WebSocket and a typed command runs in its shell; the VNC WebSocket speaks RFB
// (version, security None, ServerInit, a framebuffer update); the screenshot is a PNG of the display's size; the
// serial socket ends when the guest is powered off. One boot.

let state: string;
let guest: TestGuest;
let host: Host;
let rest: RestEndpoint;
let api: RestApi;

beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), 'vessel-rest-console-'));
  guest = await ensureTestGuest();
  host = await Host.open({ stateDir: state, driverUri: 'qemu:///embed?accel=tcg' });
  host.pools.add('guest', dirname(guest.stayDisk));
  await new UserStore(join(state, USERS_FILE)).add('admin', 'admin', 'secret');
  rest = await serveRest({ api: hostApiFactory(host), stateDir: state, http: { port: 0 }, web: false });
  api = new RestApi({
    url: new URL(`http://127.0.0.1:${rest.server.httpPort}`),
    user: 'admin',
    password: 'secret',
  });
  await api.systems.define(
    buildDefinition({
      name: 'con1',
      cpus: 1,
      memoryBytes: 128n << 20n,
      disks: [guest.stayDisk],
      nics: [{ network: 'user' }],
      graphics: 'vnc',
    }),
    { waitMs: Number.POSITIVE_INFINITY },
  );
}, 300_000);

afterAll(async () => {
  await api?.close();
  await rest?.close();
  await host?.close({ stopVms: true });
  if (state) await rm(state, { recursive: true, force: true });
});

/** Reads a channel as a byte queue: exact reads (RFB) and waits for text (serial). */
class Reader {
  private buf = Buffer.alloc(0);
  private readonly it: AsyncIterator<Uint8Array>;
  ended = false;
  constructor(ch: ByteChannel) {
    this.it = ch.input[Symbol.asyncIterator]();
  }
  private async more(): Promise<void> {
    const r = await this.it.next();
    if (r.done) {
      this.ended = true;
      throw new Error(`the channel ended; had: ${this.buf.toString('latin1').slice(-300)}`);
    }
    this.buf = Buffer.concat([this.buf, r.value]);
  }
  async read(n: number): Promise<Buffer> {
    while (this.buf.length < n) await this.more();
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }
  async until(text: string, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    const missing = () => new Error(`no "${text}" in: ${this.buf.toString('latin1').slice(-500)}`);
    while (!this.buf.toString('latin1').includes(text)) {
      if (Date.now() > deadline) throw missing();
      // A channel that goes quiet fails at the deadline with what it had, not at the test's timeout.
      let timer: NodeJS.Timeout | undefined;
      const quiet = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(missing()), Math.max(0, deadline - Date.now()));
      });
      const next = this.more();
      next.catch(() => undefined); // a read still pending when the deadline fails the test
      try {
        await Promise.race([next, quiet]);
      } finally {
        clearTimeout(timer);
      }
    }
    return this.buf.toString('latin1');
  }
  /** Waits until the channel ends (reading and dropping what comes). */
  async end(): Promise<void> {
    for (;;) {
      const r = await this.it.next();
      if (r.done) return;
    }
  }
}

describe('QEMU (TCG) consoles over REST WebSockets', () => {
  it('serial: the marker arrives, a typed command runs; VNC: RFB handshake and an update; screenshot size', async () => {
    await api.systems.changeState('con1', 'start', { waitMs: Number.POSITIVE_INFINITY });
    const serial = await api.consoles.open('con1', 'serial');
    const s = new Reader(serial);
    await s.until(guest.markers.ready, 120_000);
    await serial.write(new TextEncoder().encode('echo VESSEL-$((6*7))-OK\n'));
    // The shell computes it: the echo of the typed line alone would show `$((6*7))`, not 42.
    await s.until('VESSEL-42-OK', 30_000);

    // The display has no address of its own (QEMU listens nowhere); the host bridges it.
    expect((await api.systems.get('con1')).display).toEqual({ protocol: 'vnc' });
    const vnc = await api.consoles.open('con1', 'vnc');
    const v = new Reader(vnc);
    const version = (await v.read(12)).toString('latin1');
    expect(version).toMatch(/^RFB 003\.00[378]\n$/);
    await vnc.write(Buffer.from('RFB 003.008\n', 'latin1'));
    const count = (await v.read(1))[0] ?? 0;
    expect(count).toBeGreaterThan(0);
    const types = [...(await v.read(count))];
    expect(types).toContain(1); // None: only the host reaches QEMU's VNC (a socket pair), the API authorised the caller
    await vnc.write(Buffer.from([1]));
    expect((await v.read(4)).readUInt32BE(0)).toBe(0); // SecurityResult OK (RFC 6143 §7.1.3)
    await vnc.write(Buffer.from([1])); // ClientInit, shared
    const init = await v.read(24);
    const [width, height] = [init.readUInt16BE(0), init.readUInt16BE(2)];
    const name = (await v.read(init.readUInt32BE(20))).toString('utf8');
    expect(width).toBeGreaterThan(0);
    expect(name).toContain('con1');
    const req = Buffer.alloc(10);
    req.writeUInt8(3, 0); // FramebufferUpdateRequest, full
    req.writeUInt16BE(width, 6);
    req.writeUInt16BE(height, 8);
    await vnc.write(req);
    const update = await v.read(4);
    expect(update[0]).toBe(0); // FramebufferUpdate
    expect(update.readUInt16BE(2)).toBeGreaterThan(0); // rectangles

    const png = await api.consoles.screenshot('con1');
    expect(pngSize(png)).toEqual({ width, height });
    await vnc.close();

    await api.systems.changeState('con1', 'powerOff', { waitMs: Number.POSITIVE_INFINITY });
    // The serial WebSocket ends when the guest stops (no hang).
    await s.end();
    await expect(api.consoles.open('con1', 'serial')).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await expect(api.consoles.screenshot('con1')).rejects.toMatchObject({ code: 'INVALID_STATE' });
  }, 240_000);
});
