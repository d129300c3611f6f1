import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiError, type Principal, resultOf } from '../../api/index.js';
import { buildDefinition, type DiskMode } from '../../model/index.js';
import { Host } from '../host.js';
import { openSession } from './session.js';

const root = mkdtempSync(join(tmpdir(), 'vessel-api-undefine-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const ADMIN: Principal = { user: 'root', role: 'admin', local: true, via: 'socket' };
const WAIT = { waitMs: Number.POSITIVE_INFINITY };

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const def = (name: string, disk: string, diskMode?: DiskMode) =>
  buildDefinition({
    name,
    cpus: 1,
    memoryBytes: 64n << 20n,
    disks: [disk],
    nics: [],
    graphics: 'none',
    ...(diskMode === undefined ? {} : { diskMode }),
  });
/** True when `qemu-io` reads the pattern byte at the start of the image (format pinned, as the test made it). */
const holds = (file: string, format: string, byte: string) => {
  try {
    execFileSync('qemu-io', ['-f', format, '-c', `read -P ${byte} 0 64k`, file], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
};

/** What the running QEMU of a system writes through its own block node for drive "4" (HMP qemu-io, via QMP). */
async function guestWrite(host: Host, uuid: string, byte: string): Promise<void> {
  type Qmp = { execute(c: string, a?: Record<string, unknown>): Promise<unknown> };
  const table = (
    host.driver as unknown as { table: { get(u: string): { runtime?: { proc: { qmp: Qmp } } } } }
  ).table;
  const qmp = table.get(uuid).runtime!.proc.qmp;
  const out = await qmp.execute('human-monitor-command', {
    'command-line': `qemu-io -d dev-4 "write -P ${byte} 0 64k"`,
  });
  expect(String(out)).not.toMatch(/error/i); // the files show what was written
}

describe('systems.define DiskMode and systems.undefine keepDisks on QEMU (TCG, real qemu-img)', () => {
  it('overlay: the image stays byte-identical and keepDisks makes a standalone image; direct: QEMU writes the image', async () => {
    const state = join(root, 'qemu');
    const host = await Host.open({ stateDir: state, driverUri: 'qemu:///embed?accel=tcg' });
    try {
      const api = openSession(host, ADMIN);
      const images = join(state, 'images');
      const base = join(images, 'base.raw');
      writeFileSync(base, Buffer.alloc(4 << 20));
      const own = join(images, 'own.qcow2');
      execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', own, '4M']);
      const [baseSum, ownSum] = [sha(base), sha(own)];

      const ov = resultOf(await api.systems.define(def('ov', base), WAIT));
      const dr = resultOf(await api.systems.define(def('dr', own, 'direct'), WAIT));
      expect((await api.systems.get('dr')).definition.system.DiskMode).toBe('direct');
      for (const [vm, byte] of [
        [ov, '0xab'],
        [dr, '0xcd'],
      ] as const) {
        resultOf(await api.systems.changeState(vm.uuid, 'start', WAIT));
        await guestWrite(host, vm.uuid, byte);
        resultOf(await api.systems.changeState(vm.uuid, 'powerOff', WAIT));
      }
      // Overlay mode: the image is never written; the guest's data is in the system's overlay.
      expect(sha(base)).toBe(baseSum);
      const vmDir = join(state, 'vms', ov.uuid);
      const overlay = readdirSync(vmDir).find((f) => f.startsWith('disk-4-'))!;
      expect(holds(join(vmDir, overlay), 'qcow2', '0xab')).toBe(true);
      // Direct mode: the image itself holds what the guest wrote, and no overlay was made.
      expect(sha(own)).not.toBe(ownSum);
      expect(holds(own, 'qcow2', '0xcd')).toBe(true);
      expect(readdirSync(join(state, 'vms', dr.uuid)).filter((f) => f.startsWith('disk-'))).toEqual([]);

      // keepDisks: the overlay chain becomes a standalone qcow2 in the default pool; the direct image stays.
      const kept = resultOf(await api.systems.undefine('ov', { keepDisks: true, ...WAIT })).keptImages;
      expect(kept).toEqual([{ instanceId: '4', pool: 'default', image: 'ov-disk4.qcow2', how: 'converted' }]);
      const file = join(images, 'ov-disk4.qcow2');
      execFileSync('qemu-img', ['check', '-q', '-f', 'qcow2', file]);
      const info = JSON.parse(
        execFileSync('qemu-img', ['info', '--output=json', '-f', 'qcow2', file]).toString(),
      );
      expect([info['backing-filename'], info['virtual-size']]).toEqual([undefined, 4 << 20]);
      expect(holds(file, 'qcow2', '0xab')).toBe(true);
      expect(existsSync(vmDir)).toBe(false);
      expect(sha(base)).toBe(baseSum);
      expect(readdirSync(images).filter((f) => f.startsWith('.'))).toEqual([]); // no temporary left
      const again = resultOf(await api.systems.undefine('dr', { keepDisks: true, ...WAIT })).keptImages;
      expect(again).toEqual([{ instanceId: '4', pool: 'default', image: 'own.qcow2', how: 'in-place' }]);
      expect(holds(own, 'qcow2', '0xcd')).toBe(true);

      // A later define from the kept image works, in either mode; a second keep takes the next free name.
      const next = resultOf(await api.systems.define(def('ov', file, 'direct'), WAIT));
      resultOf(await api.systems.changeState(next.uuid, 'start', WAIT));
      resultOf(await api.systems.changeState(next.uuid, 'powerOff', WAIT));
      resultOf(await api.systems.undefine('ov', WAIT));
      expect(holds(file, 'qcow2', '0xab')).toBe(true); // undefine never deletes a direct image
      const twice = resultOf(await api.systems.define(def('ov', base), WAIT));
      resultOf(await api.systems.changeState(twice.uuid, 'start', WAIT));
      resultOf(await api.systems.changeState(twice.uuid, 'powerOff', WAIT));
      const second = resultOf(await api.systems.undefine('ov', { keepDisks: true, ...WAIT })).keptImages;
      expect(second.map((k) => k.image)).toEqual(['ov-disk4-2.qcow2']);
    } finally {
      await host.close({ stopVms: true });
    }
  }, 120_000);

  it('refuses to switch a system whose overlays hold data to direct mode; without keepDisks the overlays go', async () => {
    const state = join(root, 'switch');
    const host = await Host.open({ stateDir: state, driverUri: 'qemu:///embed?accel=tcg' });
    try {
      const api = openSession(host, ADMIN);
      const base = join(state, 'images', 'base.raw');
      writeFileSync(base, Buffer.alloc(1 << 20));
      const vm = resultOf(await api.systems.define(def('sw', base), WAIT));
      resultOf(await api.systems.changeState(vm.uuid, 'start', WAIT));
      resultOf(await api.systems.changeState(vm.uuid, 'powerOff', WAIT));
      const e = await api.systems
        .modifySettings('sw', { DiskMode: 'direct' }, WAIT)
        .then(resultOf)
        .catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ApiError);
      expect([(e as ApiError).code, (e as ApiError).message]).toEqual([
        'INVALID_STATE',
        'Cannot change "sw" to direct disk mode: what its guest wrote is in overlays (drive "4")',
      ]);
      expect(resultOf(await api.systems.undefine('sw', WAIT)).keptImages).toEqual([]);
      expect(existsSync(join(state, 'vms', vm.uuid))).toBe(false);
      expect(existsSync(base)).toBe(true);
    } finally {
      await host.close({ stopVms: true });
    }
  }, 60_000);
});
