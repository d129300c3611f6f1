import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLegitPackage, writeCanary } from '../../../test/fixtures/hostile/packages.js';
import { imagePath, readDevices, type VirtualSystemDefinition } from '../../model/index.js';
import { DEPLOY_METADATA } from '../deploy/deploy.js';
import { Host } from '../host.js';
import { databasePath } from '../paths.js';
import { Store } from '../store.js';

let work: string;
let state: string;
let out: string;
let canary: ReturnType<typeof writeCanary>;
let host: Host;
let uuid: string;
let vmDir: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'vessel-export-confine-'));
  state = join(work, 'state');
  out = join(work, 'out');
  mkdirSync(out);
  canary = writeCanary(join(work, 'canary'));
  host = await Host.open({ stateDir: state, driverUri: 'test:///default' });
  // The canary lies in a storage pool, so that the pools' check lets it through and what refuses it is the rule
  // of deployed systems: their own folder only (a pool file is an admin's, never a package's).
  host.pools.add('canary', join(work, 'canary'));
  const r = await host.deploy({ package: buildLegitPackage(join(work, 'legit')), name: 'app' }).done;
  uuid = r.vms[0]!.uuid;
  vmDir = join(state, 'vms', uuid);
});
afterAll(async () => {
  await host?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Rewrites the system's row in the store as an attacker with the database would, and reopens the host. */
async function tamper(edit: (def: VirtualSystemDefinition) => void): Promise<() => Promise<void>> {
  await host.close();
  const store = new Store(databasePath(state));
  const original = store.getVm(uuid)!.definition;
  const def = structuredClone(original);
  edit(def);
  store.putVm(uuid, def);
  store.close();
  host = await Host.open({ stateDir: state, driverUri: 'test:///default' });
  return async () => {
    await host.close();
    const s = new Store(databasePath(state));
    s.putVm(uuid, original);
    s.close();
    host = await Host.open({ stateDir: state, driverUri: 'test:///default' });
  };
}

/** Points the HostResource of the first drive of `kind` at `value`. */
const pointAt = (kind: 'disk' | 'cdrom', value: string) => (def: VirtualSystemDefinition) => {
  const id = readDevices(def).drives.find((d) => d.kind === kind)!.instanceId;
  def.resources.find((r) => r.properties.InstanceID === id)!.properties.HostResource = [value];
};

/** Exports `app` and expects EXPORT_HOST_PATH naming `path`, with nothing written and the canary nowhere. */
async function refusedExport(path: string, why: RegExp): Promise<void> {
  const output = join(out, 'app.ova');
  const { job, done } = host.exportVm('app', { format: 'ova', output });
  const err = (await done.catch((e: unknown) => e)) as { code?: string; message: string; hint?: string };
  expect(err.code, err.message).toBe('EXPORT_HOST_PATH');
  expect(err.message).toContain(`Cannot export "app"`);
  expect(err.message).toContain(JSON.stringify(path));
  expect(err.message).toMatch(why);
  expect(readdirSync(out)).toEqual([]);
  expect(existsSync(join(state, 'export-tmp')) ? readdirSync(join(state, 'export-tmp')) : []).toEqual([]);
  expect(JSON.stringify([err.message, err.hint, host.getJob(job.id)])).not.toContain(canary.token);
}

describe('an export of a deployed system reads only the files of its folder', () => {
  it('exports the system as deployed (the control), from its own folder', async () => {
    const output = join(out, 'control.ova');
    const r = await host.exportVm('app', { format: 'ova', output, level: 1 }).done;
    expect(r.disks.map((d) => d.source)).toEqual([join(vmDir, 'image-data.qcow2')]);
    expect(readFileSync(output).includes(canary.token)).toBe(false);
    rmSync(output);
  });

  it('refuses a stored disk that names a host file (a tampered or older store)', async () => {
    const restore = await tamper(pointAt('disk', `file://${canary.path}`));
    try {
      await refusedExport(canary.path, /outside its folder/);
    } finally {
      await restore();
    }
  });

  it('refuses a stored CD-ROM that names a host file, even with the deploy metadata removed', async () => {
    const restore = await tamper(pointAt('cdrom', canary.path));
    const meta = host.getMetadata('app');
    for (const k of Object.values(DEPLOY_METADATA)) host.setMetadata('app', k, '');
    try {
      await refusedExport(canary.path, /outside its folder/); // the deploy's marker in its folder still says so
    } finally {
      for (const [k, v] of Object.entries(meta)) host.setMetadata('app', k, v);
      await restore();
    }
  });

  it('refuses a file of its folder that is a link out of it', async () => {
    const planted = join(vmDir, 'planted.img');
    symlinkSync(canary.path, planted);
    const restore = await tamper(pointAt('disk', `file://${planted}`));
    try {
      await refusedExport(planted, /a link to/);
    } finally {
      rmSync(planted);
      await restore();
    }
  });

  it('refuses its CD image swapped for a link to a host file', async () => {
    const iso = join(vmDir, 'file-iso1');
    renameSync(iso, `${iso}.saved`);
    symlinkSync(canary.path, iso);
    try {
      await refusedExport(iso, /a link to/);
    } finally {
      rmSync(iso);
      renameSync(`${iso}.saved`, iso);
    }
  });

  it('refuses its disk image swapped for one over a host file (a backing file)', async () => {
    const disk = imagePath(
      readDevices(host.get('app').definition).drives.find((d) => d.kind === 'disk')!.hostResource,
    )!;
    renameSync(disk, `${disk}.saved`);
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', canary.path, disk]);
    try {
      await refusedExport(disk, /backing file/);
    } finally {
      rmSync(disk);
      renameSync(`${disk}.saved`, disk);
    }
  });
});
