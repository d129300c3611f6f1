import { execFile, spawn } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/helpers/cli.js';
import { freePort } from '../../test/helpers/ports.js';
import type { SurfaceReport } from '../api/index.js';
import { buildGuestPackage } from '../host/index.js';
import { ensureTestGuest } from '../hypervisor/index.js';

// Issue 16, end to end: build the image, make a state disk, boot both under QEMU/TCG with only port forwards,
// and reach the host from outside. Slow (the build and a TCG boot take minutes each): `npm run test:image`.

const run = promisify(execFile);
const ENABLED = process.env.VESSEL_IMAGE_TEST === '1';
const PASSWORD = 'image-test-Pw1';
/** Under TCG on a shared, loaded machine a boot took up to 12 min: the deadline leaves room for that. */
const BOOT_DEADLINE_MS = 20 * 60_000;
/** Guest ports: the three configured HTTPS ports, and ports that must not answer (ssh, telnet, rpcbind, plain HTTP). */
const OPEN = { cim: 5989, wsman: 5986, rest: 443 } as const;
const CLOSED = [22, 23, 111, 5988, 5985, 8080, 8443, 80] as const;

/** The peer certificate of a TLS port, or undefined when the handshake fails (nothing listening yet). */
function tlsCert(port: number): Promise<X509Certificate | undefined> {
  return new Promise((done) => {
    const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, timeout: 10_000 }, () => {
      const raw = s.getPeerX509Certificate();
      s.destroy();
      done(raw);
    });
    s.on('error', () => done(undefined));
    s.on('timeout', () => {
      s.destroy();
      done(undefined);
    });
  });
}

/**
 * Whether anything answers behind a forwarded port: slirp accepts every connection on the host side, so a port
 * answers when a TLS handshake completes, or the guest sends a byte back to a plain request (an HTTP error, an
 * SSH banner) or keeps the connection open; it does not when the connection is closed without a byte.
 */
async function answers(port: number): Promise<boolean> {
  return (await tlsCert(port)) !== undefined || (await answersPlain(port));
}

function answersPlain(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = netConnect({ host: '127.0.0.1', port }, () => s.write('GET / HTTP/1.0\r\n\r\n'));
    const settle = (v: boolean) => {
      clearTimeout(t);
      s.destroy();
      done(v);
    };
    const t = setTimeout(() => settle(true), 8000);
    s.on('data', () => settle(true));
    s.on('close', () => settle(false));
    s.on('error', () => settle(false));
  });
}

const work = ENABLED ? await mkdtemp(join(tmpdir(), 'vessel-image-test-')) : '';
/** VESSEL_IMAGE_PREBUILT=DIR boots the build in DIR instead of building (to iterate on the boot checks). */
const PREBUILT = process.env.VESSEL_IMAGE_PREBUILT;
const out = PREBUILT ?? join(work, 'out');
const ports: Record<string, number> = {};
let qemu: ReturnType<typeof spawn> | undefined;
let bootSeconds = 0;
/** The idle host's memory in use after the first boot (MiB), from the status screen. */
let idleMiB: number | undefined;
let cert: X509Certificate | undefined;

/** OVMF's 4 MiB code (read-only) and a fresh copy of its variable store: the pflash pair of a UEFI boot. */
async function uefiFirmware(): Promise<string[]> {
  const vars = join(work, 'OVMF_VARS.fd');
  await copyFile('/usr/share/OVMF/OVMF_VARS_4M.fd', vars);
  return [
    ...['-drive', 'if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd'],
    ...['-drive', `if=pflash,format=raw,file=${vars}`],
  ];
}

/**
 * Boots the image read-only with the state disk (BIOS, or UEFI with OVMF); resolves when the CIM-XML port
 * completes a TLS handshake.
 */
async function boot(serial: string, firmware: 'bios' | 'uefi' = 'bios'): Promise<void> {
  const pflash = firmware === 'uefi' ? await uefiFirmware() : [];
  const fwd = Object.entries(ports)
    .map(([guest, host]) => `hostfwd=tcp:127.0.0.1:${host}-:${guest}`)
    .join(',');
  const t0 = Date.now();
  qemu = spawn(
    'qemu-system-x86_64',
    [
      '-machine',
      'q35',
      '-m',
      '2048',
      '-smp',
      '2',
      '-display',
      'none',
      '-monitor',
      'none',
      '-no-user-config',
      '-serial',
      `file:${serial}`,
      ...pflash,
      '-drive',
      `file=${join(out, 'vessel-host.img')},if=virtio,format=raw,readonly=on`,
      '-drive',
      `file=${join(work, 'state.img')},if=virtio,format=raw`,
      '-nic',
      `user,model=virtio-net-pci,${fwd}`,
    ],
    { stdio: 'ignore' },
  );
  while (Date.now() - t0 < BOOT_DEADLINE_MS) {
    if (qemu.exitCode !== null) throw new Error(`QEMU exited (${qemu.exitCode}) before the host answered`);
    cert = await tlsCert(ports[OPEN.cim]!);
    if (cert !== undefined) {
      bootSeconds = Math.round((Date.now() - t0) / 1000);
      return;
    }
    await new Promise((r) => setTimeout(r, 5000));
  }
  throw new Error(
    `The CIM-XML port did not answer within ${BOOT_DEADLINE_MS / 60_000} min:\n${await readFile(serial, 'utf8').catch(() => '')}`,
  );
}

/**
 * The idle host's memory in use (MiB): the status screen's first report (MemTotal - MemAvailable, once a minute)
 * after its listening line names ports, i.e. with the host serving and no guest started yet. Undefined when no
 * report came within 5 min.
 */
async function idleMemoryMiB(serial: string): Promise<number | undefined> {
  const t0 = Date.now();
  while (Date.now() - t0 < 5 * 60_000) {
    const text = await readFile(serial, 'utf8');
    const at = text.search(/listening: +\d/);
    const m = at < 0 ? null : /memory in use: (\d+) MiB/.exec(text.slice(at));
    if (m) return Number(m[1]);
    await new Promise((r) => setTimeout(r, 5000));
  }
  return undefined;
}

/** `vessel --connect https://USER@...` against the booted host, pinning its certificate. */
function vesselAs(user: string, password: string, args: string[], input?: string) {
  return runCli(
    [
      '--connect',
      `https://${user}@127.0.0.1:${ports[OPEN.cim]}`,
      '--host-ca',
      join(work, 'host-ca.pem'),
      ...args,
    ],
    { env: { VESSEL_PASSWORD: password }, ...(input === undefined ? {} : { input }) },
  );
}

/** `vessel --connect rest+https://admin@...` against the booted host's REST port, pinning its certificate. */
function vesselRest(...args: string[]) {
  return runCli(
    [
      '--connect',
      `rest+https://admin@127.0.0.1:${ports[OPEN.rest]}`,
      '--host-ca',
      join(work, 'host-ca.pem'),
      ...args,
    ],
    { env: { VESSEL_PASSWORD: PASSWORD } },
  );
}

/** A GET of the booted host's REST API from outside, as admin, trusting only the host's own certificate. */
function restGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: ports[OPEN.rest],
        path: `/api/v1${path}`,
        ca: cert!.toString(),
        auth: `admin:${PASSWORD}`,
        timeout: 120_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', fail);
    req.end();
  });
}

/** `vessel --connect https://admin@...` against the booted host. */
function vessel(...args: string[]) {
  return vesselAs('admin', PASSWORD, args);
}

/** Powers the image off: SIGKILL by default, a hard power-off (no flush, no shutdown of the guest's systemd). */
async function stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (qemu === undefined || qemu.exitCode !== null || qemu.signalCode !== null) return;
  const exited = new Promise((r) => qemu?.once('exit', r));
  qemu.kill(signal);
  await exited;
}

describe.skipIf(!ENABLED)('the Vessel host image (VESSEL_IMAGE_TEST=1)', () => {
  beforeAll(async () => {
    const t0 = Date.now();
    if (PREBUILT === undefined) {
      // The build's scratch space (the Debian root and its copies, some GB) is this test's, and goes after it.
      const scratch = join(work, 'build');
      const b = await runCli(['image', 'build', '-o', out, '--work', scratch, '--json']);
      if (b.code !== 0) throw new Error(`image build failed: ${b.stderr}${b.stdout}`);
      console.log(`image build: ${Math.round((Date.now() - t0) / 1000)} s`, JSON.parse(b.stdout));
      await rm(scratch, { recursive: true, force: true });
    }
    await writeFile(join(work, 'pw'), `${PASSWORD}\n`);
    const s = await runCli([
      'image',
      'state-disk',
      '-o',
      join(work, 'state.img'),
      '--size',
      '4G',
      '--admin-password-file',
      join(work, 'pw'),
      '--hostname',
      'vessel-test',
    ]);
    if (s.code !== 0) throw new Error(`state-disk failed: ${s.stderr}`);
    for (const p of [...Object.values(OPEN), ...CLOSED]) ports[p] = await freePort();
    await boot(join(work, 'serial-1.log'));
    await writeFile(join(work, 'host-ca.pem'), cert!.toString());
    console.log(`boot to the CIM-XML port: ${bootSeconds} s`);
    idleMiB = await idleMemoryMiB(join(work, 'serial-1.log'));
    console.log(`memory in use, host serving, no guest: ${idleMiB} MiB`);
  }, 60 * 60_000);
  afterAll(() => stop(), 120_000);

  it('writes the manifest (packages, sizes) and SHA-256 sums that match the artefacts', async () => {
    const manifest = await readFile(join(out, 'manifest.txt'), 'utf8');
    expect(manifest).toMatch(/^qemu-system-x86 \S+ \d+$/m);
    // The host's run-time tools: the OVF environment CD of a deployed package, the firmware of UEFI guests.
    expect(manifest).toMatch(/^genisoimage \S+ \d+$/m);
    expect(manifest).toMatch(/^ovmf \S+ \d+$/m);
    expect(manifest).not.toMatch(/^openssh-server /m);
    expect(manifest).toContain('apt and dpkg: installed by the build, their programs and data removed');
    const { stdout } = await run('sha256sum', ['-c', 'SHA256SUMS'], { cwd: out });
    expect(stdout).toContain('vessel-host.img: OK');
  });

  it('keeps the compressed boot set (kernel, initramfs, both squashfs layers) within 150 MiB', async () => {
    let bytes = 0;
    for (const f of ['vmlinuz', 'initrd.img', 'filesystem.squashfs', 'vessel.squashfs'])
      bytes += (await stat(join(out, 'boot', f))).size;
    console.log(`boot set: ${(bytes / 1048576).toFixed(1)} MiB compressed`);
    expect(bytes).toBeLessThanOrEqual(150 * 1048576);
  });

  it('lists the registered profiles with wbemcli from outside, over HTTPS with the pinned certificate', async () => {
    const ca = join(work, 'host-ca.pem');
    const { stdout } = await run(
      'wbemcli',
      [
        '-nl',
        '-cacert',
        ca,
        'ei',
        `https://admin:${PASSWORD}@127.0.0.1:${ports[OPEN.cim]}/root/interop:CIM_RegisteredProfile`,
      ],
      { timeout: 120_000 },
    );
    expect(stdout).toContain('-RegisteredName="System Virtualization"');
    // DSP1023: the hypervisor's CIM_SoftwareIdentity (the image's version and digest) has its profile.
    expect(stdout).toContain('-RegisteredName="Software Inventory"');
  }, 180_000);

  it('answers vessel --connect host info with the host name of the state disk', async () => {
    const r = await vessel('host', 'info', '--json');
    expect(r.code, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout) as { name: string; driver: { name: string }; software?: unknown };
    expect(info.name).toBe('vessel-test');
    expect(info.driver.name).toMatch(/qemu/);
    // The image's version and digest, through CIM-XML's Vessel_SoftwareIdentity: the digest is the SHA-256 of the
    // boot set's sum list, recomputed here from the build's artefacts.
    const version = /^# Vessel host image (\S+),/.exec(
      await readFile(join(out, 'manifest.txt'), 'utf8'),
    )?.[1];
    const sums = await readFile(join(out, 'boot', 'SHA256SUMS'));
    expect(info.software).toEqual({
      version,
      image: true,
      digest: createHash('sha256').update(sums).digest('hex'),
    });
  }, 180_000);

  it('defines and starts a guest through the management port; QEMU runs inside the hardened service', async () => {
    const d = await vessel('vm', 'define', '--name', 'tiny', '--memory', '64M');
    expect(d.code, d.stderr).toBe(0);
    const s = await vessel('vm', 'start', 'tiny');
    expect(s.code, s.stderr).toBe(0);
    const l = await vessel('vm', 'list');
    expect(l.stdout).toMatch(/^tiny\s+\S+\s+running/m);
  }, 600_000);

  it('reports its own attack surface over REST from outside: the three ports, no login services, QEMU unprivileged, Node with few capabilities', async () => {
    const r = await restGet('/host/surface');
    expect(r.status, r.body).toBe(200);
    const s = JSON.parse(r.body) as SurfaceReport;
    console.log('surface:', JSON.stringify({ listening: s.listening, self: s.self }));
    // TCP: exactly the configured ports, on any address (loopback too: nothing else listens inside).
    const tcp = [...new Set(s.listening.filter((l) => l.protocol.startsWith('tcp')).map((l) => l.port))];
    expect(tcp.sort((a, b) => a - b)).toEqual([443, 5986, 5989]);
    // UDP: at most the DHCP client's ports.
    for (const u of s.listening.filter((l) => l.protocol.startsWith('udp')))
      expect([68, 546]).toContain(u.port);
    const names = s.processes.map((p) => p.name);
    for (const login of ['sshd', 'dropbear', 'telnetd', 'inetd', 'getty', 'agetty', 'login'])
      expect(names, login).not.toContain(login);
    // The guest started above: its QEMU runs as the unprivileged vessel-qemu user, never as root.
    const qemus = s.processes.filter((p) => p.name.startsWith('qemu-system'));
    expect(qemus.length).toBeGreaterThan(0);
    for (const q of qemus) expect(q.user).toBe('vessel-qemu');
    // The host process: no new privileges, and a bounding set of only what starting QEMU as vessel-qemu needs.
    expect(s.self.noNewPrivileges).toBe(true);
    for (const cap of s.self.bounding)
      expect(['chown', 'dac_override', 'fowner', 'kill', 'setgid', 'setuid', 'net_bind_service']).toContain(
        cap,
      );
    for (const cap of ['sys_admin', 'sys_module', 'sys_ptrace', 'net_admin', 'net_raw', 'sys_rawio'])
      expect(s.self.effective).not.toContain(cap);
    // The same report through `vessel host surface` over REST.
    const cli = await vesselRest('host', 'surface');
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/^ {2}tcp6? +\S+ +5989$/m);
    expect(cli.stdout).toMatch(/^ {2}no_new_privs: yes; seccomp: (none|strict|filter)$/m);
  }, 300_000);

  it('shows the status screen with the certificate fingerprint on the serial console, never a login prompt', async () => {
    const serial = await readFile(join(work, 'serial-1.log'), 'utf8');
    expect(serial).toContain('No login here');
    expect(serial).toContain(cert!.fingerprint256);
    expect(serial).not.toMatch(/login:/);
    // The host's own view: what listens inside the image is exactly the configured ports.
    const listening = [...serial.matchAll(/listening: +([\d ]+)\(/g)].at(-1)?.[1]?.trim();
    expect(listening).toBe('443 5986 5989');
    // The status screen reports the memory in use once the host serves (the idle figure of the README).
    expect(idleMiB).toBeGreaterThan(0);
  });

  it('answers on exactly the configured ports', async () => {
    for (const p of Object.values(OPEN)) expect(await answers(ports[p]!), `port ${p}`).toBe(true);
    for (const p of CLOSED) expect(await answers(ports[p]!), `port ${p}`).toBe(false);
  }, 180_000);

  it(
    'keeps the certificate, users and guest definitions on the state disk across a hard power-off (QEMU killed right after the writes)',
    async () => {
      // Writes of each kind just before the kill, well inside ext4's 30 s writeback delay: a guest definition (the
      // database); the certificate was made at the first boot, seconds ago too.
      const d = await vessel('vm', 'define', '--name', 'late', '--memory', '32M');
      expect(d.code, d.stderr).toBe(0);
      await stop('SIGKILL');
      await boot(join(work, 'serial-2.log'));
      console.log(`second boot to the CIM-XML port: ${bootSeconds} s`);
      expect((cert as X509Certificate).fingerprint256).toBe(
        new X509Certificate(await readFile(join(work, 'host-ca.pem'))).fingerprint256,
      );
      const l = await vessel('vm', 'list');
      expect(l.code, l.stderr).toBe(0);
      expect(l.stdout).toMatch(/^tiny\s/m);
      expect(l.stdout).toMatch(/^late\s/m);
      const mem = await idleMemoryMiB(join(work, 'serial-2.log'));
      console.log(`memory in use after the second boot, host serving, no guest: ${mem} MiB`);
    },
    20 * 60_000,
  );

  it(
    'deploys the test guest package over REST, powers it on and reads its console: the OVF property arrives',
    async () => {
      const guest = await ensureTestGuest();
      const ova = join(work, 'guest.ova');
      await buildGuestPackage({
        disk: guest.disk,
        out: ova,
        name: 'image-guest',
        properties: [
          { key: 'greeting', type: 'string', userConfigurable: true, label: 'What the guest says' },
        ],
      });
      const greeting = `hello-from-outside-${Date.now()}`;
      const d = await vesselRest(
        'deploy',
        ova,
        '--name',
        'tg',
        '--prop',
        `greeting=${greeting}`,
        '--power-on',
      );
      expect(d.code, d.stderr).toBe(0);
      const t0 = Date.now();
      let log = '';
      while (Date.now() - t0 < 25 * 60_000 && !log.includes(guest.markers.done)) {
        await new Promise((r) => setTimeout(r, 15_000));
        const c = await vesselRest('vm', 'console', 'tg', '--log');
        if (c.code === 0) log = c.stdout;
      }
      console.log(`guest console marker after ${Math.round((Date.now() - t0) / 1000)} s (TCG inside TCG)`);
      expect(log).toContain(guest.markers.up);
      expect(log).toContain(`oe:key="greeting" oe:value="${greeting}"`);
    },
    30 * 60_000,
  );
  it(
    'boots under UEFI as well (OVMF): SYSLINUX’s EFI loader at /EFI/BOOT/BOOTX64.EFI starts the same host, which answers on its management port',
    async () => {
      await stop();
      const serial = join(work, 'serial-uefi.log');
      await boot(serial, 'uefi');
      console.log(`UEFI boot to the CIM-XML port: ${bootSeconds} s`);
      const text = await readFile(serial, 'utf8');
      // OVMF itself booted the disk through its removable-media path (no boot entry of the image's own).
      expect(text).toMatch(/BdsDxe: starting Boot\d+ "UEFI Misc Device"/);
      expect(text).toContain('No login here');
      expect(text).not.toMatch(/login:/);
      // The same host on the same state disk: its certificate, name, image digest and guests.
      expect((cert as X509Certificate).fingerprint256).toBe(
        new X509Certificate(await readFile(join(work, 'host-ca.pem'))).fingerprint256,
      );
      const r = await vessel('host', 'info', '--json');
      expect(r.code, r.stderr).toBe(0);
      const info = JSON.parse(r.stdout) as { name: string; software?: { digest?: string } };
      expect(info.name).toBe('vessel-test');
      expect(info.software?.digest).toBe(
        createHash('sha256')
          .update(await readFile(join(out, 'boot', 'SHA256SUMS')))
          .digest('hex'),
      );
      const l = await vessel('vm', 'list');
      expect(l.code, l.stderr).toBe(0);
      expect(l.stdout).toMatch(/^tiny\s/m);
      expect(l.stdout).toMatch(/^late\s/m);
    },
    BOOT_DEADLINE_MS + 10 * 60_000,
  );
});
