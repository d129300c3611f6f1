import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { HypervisorError } from '../errors.js';
import { QmpClient, type QmpEvent } from './qmp.js';

/** How a QEMU process ended. */
export interface QemuExit {
  /** Why the system stopped, in words: `guest powered off`, `QEMU was killed by SIGKILL`, ... */
  reason: string;
  /** True when the guest itself asked to power off. */
  byGuest: boolean;
}

/** Where a QEMU process keeps its control files. */
export interface QemuPaths {
  qmpSocket: string;
  pidFile: string;
  /** QEMU's stderr, appended; its last line explains failures. */
  logFile: string;
}

function lastLine(file: string): string {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return text.slice(text.lastIndexOf('\n') + 1).slice(0, 300);
  } catch {
    return '';
  }
}

/**
 * Connects to a QMP socket that QEMU has just created: the file appears at bind(), a moment before QEMU listens,
 * so a refused connection is tried again until the deadline.
 */
async function connectRetrying(path: string, deadline: number, timeoutMs: number): Promise<QmpClient> {
  for (;;) {
    try {
      return await QmpClient.connect(path, { timeoutMs });
    } catch (e) {
      const refused = /ECONNREFUSED|ENOENT/.test((e as Error).message);
      if (!refused || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/** True when the pid is a live (not zombie) process. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * One QEMU process and its QMP connection, started by this host (a child in its own process group, so it
 * outlives the host) or adopted after a restart (found by pid file, reached by its QMP socket). `exited`
 * resolves once the process is gone, with the reason.
 */
export class QemuProcess {
  private shutdown: { guest: boolean; reason: string } | undefined;
  private stopRequested = false;
  /** Resolves when the process has ended. */
  readonly exited: Promise<QemuExit>;

  private constructor(
    readonly pid: number,
    readonly qmp: QmpClient,
    private readonly paths: QemuPaths,
    child: ChildProcess | undefined,
    childExit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined,
  ) {
    qmp.on('event', (e: QmpEvent) => {
      if (e.event === 'SHUTDOWN') {
        this.shutdown = { guest: e.data.guest === true, reason: String(e.data.reason ?? '') };
      }
    });
    this.exited = (childExit ?? this.waitAdoptedExit()).then((x) => this.describe(x));
    void child;
  }

  /**
   * Starts QEMU paused (`-S`), waits for its QMP socket, connects, and lets the guest run; `QEMU_START` with
   * QEMU's own last words when it fails.
   */
  static async spawn(
    binary: string,
    argv: string[],
    paths: QemuPaths,
    timeoutMs = 15_000,
  ): Promise<QemuProcess> {
    rmSync(paths.qmpSocket, { force: true });
    rmSync(paths.pidFile, { force: true });
    const log = openSync(paths.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(binary, [...argv, '-S'], { detached: true, stdio: ['ignore', log, log] });
    } finally {
      closeSync(log);
    }
    const childExit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on('exit', (code, signal) => resolve({ code, signal }));
      child.on('error', () => resolve({ code: 127, signal: null }));
    });
    child.unref();
    let gone = false;
    void childExit.then(() => {
      gone = true;
    });
    const deadline = Date.now() + timeoutMs;
    while (!existsSync(paths.qmpSocket)) {
      if (gone || Date.now() > deadline) {
        if (!gone) child.kill('SIGKILL');
        const why = lastLine(paths.logFile) || (gone ? 'QEMU exited at once' : 'no QMP socket appeared');
        throw new HypervisorError('QEMU_START', `QEMU did not start: ${why}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    let qmp: QmpClient;
    try {
      qmp = await connectRetrying(paths.qmpSocket, deadline, timeoutMs);
      const proc = new QemuProcess(child.pid!, qmp, paths, child, childExit);
      await qmp.execute('cont');
      return proc;
    } catch (e) {
      child.kill('SIGKILL');
      throw new HypervisorError('QEMU_START', `QEMU did not start: ${(e as Error).message}`, { cause: e });
    }
  }

  /**
   * Re-attaches to a QEMU left running by an earlier host: reads the pid file, checks the process is alive and
   * is this system's QEMU (its command line carries the UUID), and connects to QMP. Undefined when it is gone.
   */
  static async adopt(uuid: string, paths: QemuPaths): Promise<QemuProcess | undefined> {
    let pid: number;
    try {
      pid = Number.parseInt(readFileSync(paths.pidFile, 'utf8').trim(), 10);
    } catch {
      return undefined;
    }
    if (!Number.isInteger(pid) || pid <= 1 || !pidAlive(pid)) return undefined;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!cmdline.includes(uuid)) return undefined; // the pid was reused by another process
    } catch {
      return undefined;
    }
    const qmp = await QmpClient.connect(paths.qmpSocket, { timeoutMs: 5000 });
    return new QemuProcess(pid, qmp, paths, undefined, undefined);
  }

  private async waitAdoptedExit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    await this.qmp.closed;
    for (let i = 0; i < 500 && pidAlive(this.pid); i++) await new Promise((r) => setTimeout(r, 20));
    return { code: null, signal: null };
  }

  private describe(x: { code: number | null; signal: NodeJS.Signals | null }): QemuExit {
    this.qmp.close();
    if (this.shutdown?.guest) {
      return { reason: `guest powered off (${this.shutdown.reason || 'guest-shutdown'})`, byGuest: true };
    }
    if (this.stopRequested) return { reason: 'powered off', byGuest: false };
    const last = lastLine(this.paths.logFile);
    if (x.signal !== null) return { reason: `QEMU was killed by ${x.signal}`, byGuest: false };
    if (x.code !== null && x.code !== 0) {
      return { reason: `QEMU exited with code ${x.code}${last ? `: ${last}` : ''}`, byGuest: false };
    }
    if (x.code === 0)
      return { reason: `QEMU exited (${this.shutdown?.reason || 'no reason given'})`, byGuest: false };
    return { reason: `QEMU (pid ${this.pid}) exited unexpectedly${last ? `: ${last}` : ''}`, byGuest: false };
  }

  /** Powers off: QMP `quit`, then SIGTERM after 3 s and SIGKILL after 6 s; resolves when the process is gone. */
  async stop(): Promise<QemuExit> {
    this.stopRequested = true;
    this.qmp.execute('quit', undefined, 3000).catch(() => undefined);
    const term = setTimeout(() => this.signal('SIGTERM'), 3000);
    const kill = setTimeout(() => this.signal('SIGKILL'), 6000);
    try {
      return await this.exited;
    } finally {
      clearTimeout(term);
      clearTimeout(kill);
    }
  }

  /** Sends a signal to the process, ignoring a process that is already gone. */
  signal(sig: NodeJS.Signals): void {
    try {
      process.kill(this.pid, sig);
    } catch {
      // already gone
    }
  }
}
