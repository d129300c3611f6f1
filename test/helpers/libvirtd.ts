/**
 * A private libvirtd for tests: an unprivileged (session-mode) daemon with its own config, unix_sock_dir, pid
 * file, HOME and XDG directories in a temp dir, auth "none", so any number run side by side and none touches the
 * system's /run/libvirt or /etc/libvirt. Run as root, it runs as the `vessel-qemu` user (scripts/setup.sh makes
 * it). Its daemon-hosted test driver (`test:///default` through the socket) is the fast oracle; `qemu:///session`
 * is its QEMU driver.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** Where libvirtd is installed (Debian 12's libvirt-daemon). */
export const LIBVIRTD = '/usr/sbin/libvirtd';
/** Whether this machine can run the daemon tests. */
export const HAVE_LIBVIRTD = existsSync(LIBVIRTD) && existsSync('/usr/bin/virsh');
/**
 * Whether a test may start the machine's one system-mode libvirtd (`qemu:///system`): as root, with no system
 * daemon running already (its QEMU driver state under /run/libvirt/qemu allows one per machine).
 */
export const CAN_RUN_SYSTEM_LIBVIRTD =
  HAVE_LIBVIRTD && process.getuid?.() === 0 && !existsSync('/run/libvirt/libvirt-sock');

/** A running private daemon. */
export interface PrivateLibvirtd {
  dir: string;
  socket: string;
  /** `test+unix:///default?socket=...` for virsh; the libvirt driver takes `libvirt:<this>`. */
  testUri: string;
  /** The loopback TCP port it listens on (listen_tcp, auth_tcp none), when started with `tcpPort`. */
  tcpPort?: number;
  /** The loopback port of its TLS listener, when started with `tls`. */
  tlsPort?: number;
  /** The pid of the daemon now running. */
  readonly pid: number;
  /** Kills the daemon with `signal` (SIGKILL: as a crash) and waits for it to exit; its QEMU guests keep running. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the daemon again on the same directory, config and socket (after `kill`), and waits for its socket. */
  restart(): Promise<void>;
  /** The daemon's log so far. */
  log(): string;
  /** Runs virsh against this daemon (`-c URI` first), resolving with its stdout. */
  virsh(uri: string, ...args: string[]): Promise<string>;
  /** Destroys its running QEMU guests, kills the daemon (SIGTERM, then SIGKILL after 5 s), removes its directory. */
  stop(): Promise<void>;
}

function uidOf(user: string): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  if (line === undefined) return undefined;
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

async function waitForSocket(
  path: string,
  child: ChildProcess,
  log: () => string,
  ms = 20_000,
): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`libvirtd exited with ${child.exitCode}:\n${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection(path);
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`libvirtd did not open ${path} within ${ms} ms:\n${log()}`);
}

/** The TLS listener of a private daemon: its loopback port and the PEM files of libvirtd.conf (copied for it). */
export interface LibvirtdTls {
  port: number;
  ca: string;
  cert: string;
  key: string;
}

/**
 * Starts a private libvirtd and waits for its socket.
 *
 * @example
 * const d = await startLibvirtd();
 * try { await d.virsh(d.testUri, 'list', '--all'); } finally { await d.stop(); }
 */
export async function startLibvirtd(
  options: { tcpPort?: number; tls?: LibvirtdTls; system?: boolean } = {},
): Promise<PrivateLibvirtd> {
  if (options.system === true) return startSystemLibvirtd();
  const dir = mkdtempSync(join(tmpdir(), 'vessel-libvirtd-'));
  const run = join(dir, 'run');
  const home = join(dir, 'home');
  mkdirSync(run);
  mkdirSync(home);
  const conf = join(dir, 'libvirtd.conf');
  const logFile = join(dir, 'libvirtd.log');
  const tls = options.tls;
  const pem = (name: string) => join(dir, `tls-${name}.pem`);
  if (tls !== undefined) for (const f of ['ca', 'cert', 'key'] as const) copyFileSync(tls[f], pem(f));
  const listen = options.tcpPort !== undefined || tls !== undefined;
  writeFileSync(
    conf,
    [
      `unix_sock_dir = "${run}"`,
      'unix_sock_rw_perms = "0700"',
      'unix_sock_ro_perms = "0700"',
      'auth_unix_rw = "none"',
      'auth_unix_ro = "none"',
      `log_outputs = "3:file:${logFile}"`,
      // TCP and TLS on loopback only (`--listen` below): TCP unauthenticated, TLS with client certificates.
      ...(listen ? ['listen_addr = "127.0.0.1"'] : []),
      ...(options.tcpPort === undefined
        ? ['listen_tcp = 0']
        : ['listen_tcp = 1', `tcp_port = "${options.tcpPort}"`, 'auth_tcp = "none"']),
      ...(tls === undefined
        ? ['listen_tls = 0']
        : [
            'listen_tls = 1',
            `tls_port = "${tls.port}"`,
            'auth_tls = "none"',
            `ca_file = "${pem('ca')}"`,
            `cert_file = "${pem('cert')}"`,
            `key_file = "${pem('key')}"`,
          ]),
      '',
    ].join('\n'),
  );
  const asUser = process.getuid?.() === 0 ? uidOf('vessel-qemu') : undefined;
  if (process.getuid?.() === 0 && asUser === undefined) {
    throw new Error('The user vessel-qemu is missing: run scripts/setup.sh');
  }
  const prefix: string[] = [];
  if (asUser !== undefined) {
    for (const p of [dir, run, home]) chownSync(p, asUser.uid, asUser.gid);
    if (tls !== undefined) for (const f of ['ca', 'cert', 'key']) chownSync(pem(f), asUser.uid, asUser.gid);
    chmodSync(dir, 0o755);
    prefix.push('setpriv', `--reuid=${asUser.uid}`, `--regid=${asUser.gid}`, '--clear-groups');
  }
  const env = {
    PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: home,
    XDG_RUNTIME_DIR: run,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local/share'),
  };
  const argv = [
    ...prefix,
    LIBVIRTD,
    '-f',
    conf,
    '-p',
    join(dir, 'libvirtd.pid'),
    ...(listen ? ['--listen'] : []),
  ];
  let stderr = '';
  const launch = () => {
    const c = spawn(argv[0]!, argv.slice(1), { env, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    return { c, exited: new Promise<void>((resolve) => c.once('exit', () => resolve())) };
  };
  let { c: child, exited } = launch();
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '') + stderr;
  const socket = join(run, 'libvirt-sock');
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  const restart = async () => {
    await kill('SIGTERM');
    ({ c: child, exited } = launch());
    await waitForSocket(socket, child, log);
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // QEMU guests outlive their libvirtd: destroy the ones still running (a failed test may leave them).
      const uri = `qemu+unix:///session?socket=${socket}`;
      const names = await promisify(execFile)('virsh', ['-q', '-c', uri, 'list', '--name']).then(
        (r) => r.stdout.split('\n').filter((n) => n.trim() !== ''),
        () => [],
      );
      for (const n of names)
        await promisify(execFile)('virsh', ['-c', uri, 'destroy', n.trim()]).catch(() => undefined);
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForSocket(socket, child, log);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    dir,
    socket,
    testUri: `test+unix:///default?socket=${socket}`,
    ...(options.tcpPort === undefined ? {} : { tcpPort: options.tcpPort }),
    ...(tls === undefined ? {} : { tlsPort: tls.port }),
    get pid() {
      return child.pid!;
    },
    kill,
    restart,
    log,
    virsh: async (uri, ...args) => (await promisify(execFile)('virsh', ['-q', '-c', uri, ...args])).stdout,
    stop,
  };
}

/**
 * The machine's system-mode libvirtd (root, `qemu:///system`, its QEMU guests run as libvirt-qemu) with only its
 * sockets in a private directory, and virtlogd started for it when none runs. Domains it did not have at the start
 * are destroyed and undefined at `stop`, so a test leaves /etc/libvirt/qemu as it found it.
 */
async function startSystemLibvirtd(): Promise<PrivateLibvirtd> {
  const dir = mkdtempSync(join(tmpdir(), 'vessel-libvirtd-system-'));
  chmodSync(dir, 0o755);
  const conf = join(dir, 'libvirtd.conf');
  const logFile = join(dir, 'libvirtd.log');
  writeFileSync(
    conf,
    [
      `unix_sock_dir = "${dir}"`,
      'unix_sock_rw_perms = "0700"',
      'unix_sock_ro_perms = "0700"',
      'auth_unix_rw = "none"',
      'auth_unix_ro = "none"',
      `log_outputs = "3:file:${logFile}"`,
      'listen_tcp = 0',
      'listen_tls = 0',
      '',
    ].join('\n'),
  );
  mkdirSync('/var/log/libvirt', { recursive: true });
  const spawned: ChildProcess[] = [];
  let stderr = '';
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '') + stderr;
  if (!existsSync('/run/libvirt/virtlogd-sock')) {
    const v = spawn('/usr/sbin/virtlogd', [], { stdio: ['ignore', 'ignore', 'pipe'] });
    v.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    spawned.push(v);
    await waitForSocket('/run/libvirt/virtlogd-sock', v, log);
  }
  // In a mount namespace of its own where /dev/kvm is /dev/null: this machine's /dev/kvm is a nested backend that
  // stalls QEMU, and the system driver probes KVM again on every define (30 s each); the tests boot with TCG.
  const argv = [
    '-m',
    'sh',
    '-c',
    'mount --bind /dev/null /dev/kvm 2>/dev/null; exec "$0" "$@"',
    LIBVIRTD,
    '-f',
    conf,
    '-p',
    join(dir, 'libvirtd.pid'),
  ];
  const launch = () => {
    const c = spawn('unshare', argv, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    return { c, exited: new Promise<void>((resolve) => c.once('exit', () => resolve())) };
  };
  let { c: child, exited } = launch();
  const socket = join(dir, 'libvirt-sock');
  const uri = `qemu+unix:///system?socket=${socket}`;
  const virsh = async (u: string, ...args: string[]) =>
    (await promisify(execFile)('virsh', ['-q', '-c', u, ...args])).stdout;
  const names = async (...flags: string[]) =>
    (await virsh(uri, 'list', '--name', ...flags).catch(() => ''))
      .split('\n')
      .map((n) => n.trim())
      .filter((n) => n !== '');
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  let before: string[] = [];
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      for (const n of await names()) if (!before.includes(n)) await virsh(uri, 'destroy', n).catch(() => '');
      for (const n of await names('--all'))
        if (!before.includes(n)) await virsh(uri, 'undefine', '--nvram', n).catch(() => '');
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    for (const v of spawned) v.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForSocket(socket, child, log);
    before = await names('--all');
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    dir,
    socket,
    testUri: `test+unix:///default?socket=${socket}`,
    get pid() {
      return child.pid!;
    },
    kill,
    restart: async () => {
      await kill('SIGTERM');
      ({ c: child, exited } = launch());
      await waitForSocket(socket, child, log);
    },
    log,
    virsh,
    stop,
  };
}
