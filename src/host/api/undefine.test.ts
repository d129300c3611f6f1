import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiError, type Principal, resultOf } from '../../api/index.js';
import { ensureOverlay } from '../../hypervisor/index.js';
import { buildDefinition, readDevices } from '../../model/index.js';
import { Host } from '../host.js';
import { openSession } from './session.js';

const root = mkdtempSync(join(tmpdir(), 'vessel-api-undefine-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const ADMIN: Principal = { user: 'root', role: 'admin', local: true, via: 'socket' };

describe('systems.undefine with keepDisks', () => {
  it('on QEMU: refused (NOT_SUPPORTED) once an overlay holds the guest data; the base image always stays', async () => {
    const state = join(root, 'qemu');
    const host = await Host.open({ stateDir: state, driverUri: 'qemu:///embed?accel=tcg' });
    try {
      const api = openSession(host, ADMIN);
      const base = join(state, 'images', 'base.raw');
      writeFileSync(base, Buffer.alloc(1 << 20));
      const def = buildDefinition({
        name: 'keep1',
        cpus: 1,
        memoryBytes: 64n << 20n,
        disks: [base],
        cdroms: [],
        diskBus: 'ide',
        nics: [],
        graphics: 'none',
      });
      const vm = resultOf(await api.systems.define(def, { waitMs: Number.POSITIVE_INFINITY }));
      // Before it has run there is no overlay: the disks are the images it names, which stay.
      const clean = resultOf(
        await api.systems.define(
          { ...def, system: { ...def.system, ElementName: 'keep2' } },
          { waitMs: 60_000 },
        ),
      );
      resultOf(await api.systems.undefine(clean.uuid, { keepDisks: true, waitMs: 60_000 }));
      // As a start does: the drive's overlay over the base.
      const drive = readDevices(def).drives.find((d) => d.kind === 'disk')!;
      mkdirSync(join(state, 'vms', vm.uuid), { recursive: true, mode: 0o700 });
      const overlay = await ensureOverlay(join(state, 'vms', vm.uuid), drive.instanceId, base);
      const e = await api.systems
        .undefine('keep1', { keepDisks: true, waitMs: 60_000 })
        .catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ApiError);
      expect([(e as ApiError).code, (e as ApiError).message]).toEqual([
        'NOT_SUPPORTED',
        `Cannot undefine "keep1" keeping its disks: what its guest wrote is in an overlay (drive "${drive.instanceId}"), which this host deletes with the system`,
      ]);
      expect((e as ApiError).hint).toBe(
        'Keep its data with vessel export keep1 --format ova -o FILE first, then undefine it',
      );
      expect((await api.systems.get('keep1')).uuid).toBe(vm.uuid);
      resultOf(await api.systems.undefine('keep1', { waitMs: 60_000 }));
      expect(existsSync(overlay.file)).toBe(false);
      expect(existsSync(base)).toBe(true);
    } finally {
      await host.close();
    }
  }, 60_000);
});
