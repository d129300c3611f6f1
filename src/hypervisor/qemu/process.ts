import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { HypervisorError } from '../errors.js';
import { openHandleFile, openHandles, type QemuHandles } from './handles.js';
import { QmpClient, type QmpEvent } from './qmp.js';
import { type QemuUser, spawnIdentity } from './sandbox.js';

/** How a QEMU process ended. */
interface QemuExit {
  /** Why the system stopped, in words: `guest powered off`, `QEMU was killed by SIGKILL`, ... */
  reason: string;
  /** True when the guest itself asked to power off. */
  byGuest: boolean;
}

/** Where a QEMU process keeps its control files. */
interface QemuPaths {
  qmpSocket: string;
  /** Written by the host (QEMU cannot reach the run directory); read to adopt QEMU after a restart. */
  pidFile: string;
  /** QEMU's stderr, appended; its last line explains failures. */
  logFile: string;
}

/** How {@link QemuProcess.spawn} starts QEMU. */
interface SpawnOptions {
  /** The files and sockets the command line refers to, opened by the host and inherited by QEMU. */
  handles: QemuHandles;
  /** Who QEMU runs as. */
  user: QemuUser;
  timeoutMs?: number;
}

function lastLine(file: string): string {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return text.slice(text.lastIndexOf('\n') + 1).slice(0, 300);
  } catch {
    return '';
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
   * Starts QEMU paused (`-S`) as its unprivileged user, with the handles the host opened for it as inherited
   * descriptors and its stderr on the 0600 log; records its pid, connects to QMP and lets the guest run.
   * `QEMU_START` with QEMU's own last words when it fails.
   */
  static async spawn(
    binary: string,
    argv: string[],
    paths: QemuPaths,
    o: SpawnOptions,
  ): Promise<QemuProcess> {
    const identity = spawnIdentity(o.user);
    rmSync(paths.pidFile, { force: true });
    const opened = await openHandles(o.handles);
    let child: ChildProcess;
    try {
      const log = openHandleFile(paths.logFile, 'append');
      try {
        child = spawn(binary, [...argv, '-S'], {
          detached: true,
          stdio: ['ignore', log, log, ...opened.stdio.slice(3)],
          ...identity,
        });
      } finally {
        closeSync(log);
      }
    } finally {
      opened.close(); // QEMU holds its own copies now
    }
    const childExit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on('exit', (code, signal) => resolve({ code, signal }));
      child.on('error', () => resolve({ code: 127, signal: null }));
    });
    child.unref();
    if (child.pid !== undefined) writeFileSync(paths.pidFile, `${child.pid}\n`, { mode: 0o600 });
    // The socket already listens (the host bound it), so connecting waits only for QEMU's greeting.
    const exitedEarly = childExit.then(() => {
      throw new HypervisorError(
        'QEMU_START',
        `QEMU did not start: ${lastLine(paths.logFile) || 'it exited at once'}`,
      );
    });
    let qmp: QmpClient | undefined;
    try {
      qmp = await Promise.race([
        QmpClient.connect(paths.qmpSocket, { timeoutMs: o.timeoutMs ?? 15_000 }),
        exitedEarly,
      ]);
      const proc = new QemuProcess(child.pid!, qmp, paths, child, childExit);
      await qmp.execute('cont');
      return proc;
    } catch (e) {
      qmp?.close();
      child.kill('SIGKILL');
      if (e instanceof HypervisorError && e.code === 'QEMU_START') throw e;
      const last = lastLine(paths.logFile);
      throw new HypervisorError('QEMU_START', `QEMU did not start: ${last || (e as Error).message}`, {
        cause: e,
      });
    } finally {
      exitedEarly.catch(() => undefined);
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
