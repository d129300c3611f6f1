import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { writeFileDurableSync } from '../../durable/index.js';
import { openHandleFile } from './handles.js';
import { kvmAccessProblem, type QemuUser, SANDBOX, spawnIdentity } from './sandbox.js';

/** The accelerator chosen for QEMU and why. */
export interface AccelVerdict {
  accel: 'kvm' | 'tcg';
  reason: string;
  /** What the verdict was made for; a cached verdict is reused only for the same pair. */
  qemuVersion: string;
  kernel: string;
}

/** Paths the static checks read; tests point them elsewhere. */
interface ProbeFiles {
  devKvm: string;
  cpuinfo: string;
  modules: string;
}

const SYSTEM: ProbeFiles = { devKvm: '/dev/kvm', cpuinfo: '/proc/cpuinfo', modules: '/sys/module' };

/**
 * The cheap checks: /dev/kvm usable, hardware virtualisation (vmx/svm) visible, kvm_intel or kvm_amd loaded, and
 * not the kvm_pvm backend (software nested virtualisation that fails on stock guests). Returns the reasons
 * it fails, empty when KVM may work.
 */
export function staticKvmProblems(files: ProbeFiles = SYSTEM): string[] {
  const problems: string[] = [];
  try {
    accessSync(files.devKvm, constants.R_OK | constants.W_OK);
  } catch {
    problems.push(`${files.devKvm} is missing or not read/writable`);
  }
  if (existsSync(`${files.modules}/kvm_pvm`)) {
    problems.push(
      '/dev/kvm is served by kvm_pvm (software nested virtualisation), which fails on stock guests',
    );
  }
  let cpuinfo = '';
  try {
    cpuinfo = readFileSync(files.cpuinfo, 'utf8');
  } catch {
    // unreadable: treated as no flags
  }
  if (!/\b(vmx|svm)\b/.test(cpuinfo)) problems.push('the CPU shows no vmx or svm flag');
  if (!existsSync(`${files.modules}/kvm_intel`) && !existsSync(`${files.modules}/kvm_amd`)) {
    problems.push('neither kvm_intel nor kvm_amd is loaded');
  }
  return problems;
}

/** What a boot probe needs: the QEMU binary, a guest disk that prints `marker` and powers off, and a deadline. */
interface BootProbe {
  binary: string;
  disk: string;
  marker: string;
  deadlineMs: number;
  /** Extra arguments; `-accel kvm -cpu host` by default. */
  accelArgs?: string[];
  /** Who QEMU runs as (the host's own user when absent). */
  user?: QemuUser;
}

/**
 * Boots the probe guest under KVM with a hard deadline: KVM works only if the guest prints its marker and QEMU
 * exits 0 in time. On the deadline QEMU gets SIGTERM, then SIGKILL a second later. QEMU runs confined as the VMs
 * do: sandboxed, as `user`, with the guest disk a read-only virtio disk on a descriptor the host opened.
 */
export function bootProbe(p: BootProbe): Promise<{ ok: boolean; reason: string }> {
  return new Promise((resolve) => {
    const args = [
      ...['-sandbox', SANDBOX],
      ...(p.accelArgs ?? ['-accel', 'kvm', '-cpu', 'host']),
      ...['-m', '128', '-nodefaults', '-display', 'none', '-no-reboot', '-serial', 'stdio'],
      ...['-add-fd', 'fd=3,set=1,opaque=probe'],
      ...[
        '-blockdev',
        '{"driver":"file","filename":"/dev/fdset/1","node-name":"probe-file","read-only":true}',
      ],
      ...['-blockdev', '{"driver":"raw","file":"probe-file","node-name":"probe","read-only":true}'],
      ...['-device', 'virtio-blk-pci,drive=probe,bootindex=1'],
    ];
    let child: ChildProcess;
    try {
      const identity = p.user === undefined ? {} : spawnIdentity(p.user);
      const disk = openHandleFile(p.disk, 'read');
      try {
        child = spawn(p.binary, args, { stdio: ['ignore', 'pipe', 'pipe', disk], ...identity });
      } finally {
        closeSync(disk);
      }
    } catch (e) {
      resolve({ ok: false, reason: `cannot run the KVM probe: ${(e as Error).message}` });
      return;
    }
    let out = '';
    let err = '';
    let timedOut = false;
    child.stdout!.on('data', (d: Buffer) => {
      out = (out + d.toString()).slice(-65_536);
    });
    child.stderr!.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-4096);
    });
    const kill = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 1000).unref();
    }, p.deadlineMs);
    child.on('error', (e) => {
      clearTimeout(kill);
      resolve({ ok: false, reason: `cannot run ${p.binary}: ${e.message}` });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(kill);
      const seen = out.includes(p.marker);
      if (seen && code === 0)
        resolve({ ok: true, reason: 'the probe guest booted under KVM and powered off' });
      else if (timedOut)
        resolve({ ok: false, reason: `the KVM probe guest did not finish within ${p.deadlineMs} ms` });
      else {
        const last = err.trim().split('\n').pop() ?? '';
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        resolve({
          ok: false,
          reason: `the KVM probe ${how}${seen ? '' : ' before the marker'}${last ? `: ${last}` : ''}`,
        });
      }
    });
  });
}

/** Options of {@link probeAccelerator}. */
interface ProbeOptions {
  binary: string;
  qemuVersion: string;
  /** Where to cache the verdict (JSON); reused for the same QEMU version and kernel. */
  cacheFile?: string;
  /** The guest for the boot probe; without one KVM is never chosen. */
  guest?: { disk: string; marker: string };
  deadlineMs?: number;
  /** Boot the probe even when the static checks fail (to see why KVM fails). */
  alwaysBoot?: boolean;
  files?: ProbeFiles;
  /** Who QEMU runs as; KVM needs /dev/kvm to be usable by that user. */
  user?: QemuUser;
}

/**
 * Chooses KVM or TCG: static checks first, then (when they pass) a boot probe with a deadline, because a present
 * /dev/kvm proves nothing (nested backends abort or stall). The verdict is cached per QEMU version and kernel.
 *
 * @example
 * const v = await probeAccelerator({ binary: 'qemu-system-x86_64', qemuVersion: '7.2.22' });
 * v.accel; // 'tcg' here, with v.reason saying why
 */
export async function probeAccelerator(o: ProbeOptions): Promise<AccelVerdict> {
  const kernel = release();
  if (o.cacheFile !== undefined && existsSync(o.cacheFile)) {
    try {
      const cached = JSON.parse(readFileSync(o.cacheFile, 'utf8')) as AccelVerdict;
      if (cached.qemuVersion === o.qemuVersion && cached.kernel === kernel) return cached;
    } catch {
      // a damaged cache is probed again
    }
  }
  const verdict = await decide(o, kernel);
  if (o.cacheFile !== undefined) writeFileDurableSync(o.cacheFile, `${JSON.stringify(verdict)}\n`);
  return verdict;
}

async function decide(o: ProbeOptions, kernel: string): Promise<AccelVerdict> {
  const base = { qemuVersion: o.qemuVersion, kernel };
  const problems = staticKvmProblems(o.files);
  const access = o.user === undefined ? undefined : kvmAccessProblem(o.user, o.files?.devKvm);
  if (access !== undefined) problems.push(access);
  if (problems.length > 0 && !o.alwaysBoot) return { ...base, accel: 'tcg', reason: problems.join('; ') };
  if (o.guest === undefined) {
    return {
      ...base,
      accel: 'tcg',
      reason: 'KVM looks available but no probe guest is built to prove it boots',
    };
  }
  const boot = await bootProbe({
    binary: o.binary,
    disk: o.guest.disk,
    marker: o.guest.marker,
    deadlineMs: o.deadlineMs ?? 20_000,
    ...(o.user === undefined ? {} : { user: o.user }),
  });
  if (boot.ok && problems.length === 0) return { ...base, accel: 'kvm', reason: boot.reason };
  return { ...base, accel: 'tcg', reason: [...problems, boot.reason].join('; ') };
}
