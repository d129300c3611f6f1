import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureTestGuest } from '../guest.js';
import { bootProbe, probeAccelerator, staticKvmProblems } from './accel.js';
import { resolveQemuUser } from './sandbox.js';

const tmp = mkdtempSync(join(tmpdir(), 'vessel-accel-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function fakeHost(opts: { vmx: boolean; pvm: boolean; intel: boolean }) {
  const dir = mkdtempSync(join(tmp, 'host-'));
  writeFileSync(join(dir, 'kvm'), '');
  writeFileSync(join(dir, 'cpuinfo'), `flags\t: fpu sse2 ${opts.vmx ? 'vmx ' : ''}hypervisor\n`);
  mkdirSync(join(dir, 'module', 'kvm'), { recursive: true });
  if (opts.pvm) mkdirSync(join(dir, 'module', 'kvm_pvm'));
  if (opts.intel) mkdirSync(join(dir, 'module', 'kvm_intel'));
  return { devKvm: join(dir, 'kvm'), cpuinfo: join(dir, 'cpuinfo'), modules: join(dir, 'module') };
}

describe('staticKvmProblems()', () => {
  it('finds nothing wrong on a host with vmx and kvm_intel', () => {
    expect(staticKvmProblems(fakeHost({ vmx: true, pvm: false, intel: true }))).toEqual([]);
  });

  it('names kvm_pvm, the missing flags and modules', () => {
    expect(staticKvmProblems(fakeHost({ vmx: false, pvm: true, intel: false }))).toEqual([
      '/dev/kvm is served by kvm_pvm (software nested virtualisation), which fails on stock guests',
      'the CPU shows no vmx or svm flag',
      'neither kvm_intel nor kvm_amd is loaded',
    ]);
  });

  it('on this machine, refuses KVM without booting anything', async () => {
    const v = await probeAccelerator({ binary: 'qemu-system-x86_64', qemuVersion: '7.2.22' });
    expect(v.accel).toBe('tcg');
    expect(v.reason).not.toBe('');
  });
});

describe('bootProbe()', () => {
  it('gives up at the deadline, with SIGTERM, when QEMU hangs', async () => {
    const hang = join(tmp, 'hang-qemu.sh');
    writeFileSync(hang, '#!/bin/sh\nexec sleep 30\n');
    chmodSync(hang, 0o755);
    // The reason shows the deadline ended it: without it the probe would wait the 30 s of the script.
    const r = await bootProbe({ binary: hang, disk: '/dev/null', marker: 'X', deadlineMs: 300 });
    expect(r).toEqual({ ok: false, reason: 'the KVM probe guest did not finish within 300 ms' });
  });

  it('reports how QEMU failed when it exits without the marker', async () => {
    const fail = join(tmp, 'fail-qemu.sh');
    writeFileSync(fail, '#!/bin/sh\necho "error: failed to set MSR 0x10a" >&2\nexit 1\n');
    chmodSync(fail, 0o755);
    const r = await bootProbe({ binary: fail, disk: '/dev/null', marker: 'X', deadlineMs: 5000 });
    expect(r).toEqual({
      ok: false,
      reason: 'the KVM probe exited with code 1 before the marker: error: failed to set MSR 0x10a',
    });
  });

  it('accepts a real guest that prints the marker and powers off (under TCG, to prove the detection), confined as VMs are', async () => {
    const guest = await ensureTestGuest();
    const r = await bootProbe({
      binary: 'qemu-system-x86_64',
      disk: guest.disk,
      marker: guest.markers.up,
      deadlineMs: 60_000,
      accelArgs: ['-accel', 'tcg'],
      // vessel-qemu under a root host: the guest disk (in root's 0700 home) reaches QEMU only as a descriptor.
      user: await resolveQemuUser('vessel-qemu', false),
    });
    expect(r.ok).toBe(true);
  }, 90_000);
});

describe('probeAccelerator() cache', () => {
  it('reuses a verdict for the same QEMU version and probes again for another', async () => {
    const cacheFile = join(tmp, 'accel.json');
    const files = fakeHost({ vmx: false, pvm: true, intel: false });
    const first = await probeAccelerator({
      binary: 'qemu-system-x86_64',
      qemuVersion: '7.2.22',
      cacheFile,
      files,
    });
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as { reason: string };
    writeFileSync(cacheFile, JSON.stringify({ ...first, reason: 'from the cache' }));
    expect((await probeAccelerator({ binary: 'x', qemuVersion: '7.2.22', cacheFile, files })).reason).toBe(
      'from the cache',
    );
    const other = await probeAccelerator({ binary: 'x', qemuVersion: '8.0.0', cacheFile, files });
    expect(other.reason).toBe(cached.reason);
    expect(other.qemuVersion).toBe('8.0.0');
  });

  it('chooses TCG when static checks pass but there is no guest to prove KVM boots', async () => {
    const files = fakeHost({ vmx: true, pvm: false, intel: true });
    const v = await probeAccelerator({ binary: 'x', qemuVersion: '1', files });
    expect([v.accel, v.reason]).toEqual([
      'tcg',
      'KVM looks available but no probe guest is built to prove it boots',
    ]);
  });
});
