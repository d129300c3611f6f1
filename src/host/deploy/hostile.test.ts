import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildFolderCase,
  buildLegitPackage,
  buildOvaCase,
  CANONICAL_CANARY,
  corpusReadme,
  type DescriptorCase,
  descriptorCases,
  FOLDER_CASES,
  type HostileCase,
  OVA_CASES,
  writeCanary,
} from '../../../test/fixtures/hostile/packages.js';
import { ROOT } from '../../../test/helpers/cli.js';
import { imagePath } from '../../model/index.js';
import { OvaReader, packageFiles, packOva } from '../../ova/index.js';
import { Host } from '../host.js';
import { packageReference } from './confine.js';
import { openDeployPackage } from './package.js';

const CORPUS = join(ROOT, 'test/fixtures/hostile/packages');
let work: string;
let canary: ReturnType<typeof writeCanary>;
let host: Host;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'vessel-hostile-'));
  canary = writeCanary(join(work, 'canary'));
  host = await Host.open({ stateDir: join(work, 'state'), driverUri: 'test:///default' });
});
afterAll(async () => {
  await host?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Every regular file under `dir`, links not followed. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((p) => lstatSync(p).isFile());
}

/** True when the canary's content (its token, or any 4 KiB of its random bytes) is in a file under `dir`. */
function holdsCanary(dir: string): boolean {
  const probe = canary.content.subarray(20_000, 24_096);
  return filesUnder(dir).some((f) => {
    const b = readFileSync(f);
    return b.includes(canary.token) || b.includes(probe);
  });
}

/** What a deploy may leave in the state directory: staging folders and system folders. */
function leftovers(h: Host): string[] {
  return ['deploy', 'vms'].flatMap((sub) => {
    const d = join(h.stateDir, sub);
    return existsSync(d) ? readdirSync(d).map((f) => `${sub}/${f}`) : [];
  });
}

/**
 * Deploys `pkg` and checks the refusal: its code, the item and value it names, nothing registered or left
 * behind, and the canary's content nowhere (message, hint, job, events, state directory).
 */
async function refused(pkg: string, c: HostileCase, value?: string, lax = false): Promise<void> {
  const { job, done } = host.deploy({ package: pkg, lax });
  const err = (await done.catch((e: unknown) => e)) as { code?: string; message: string; hint?: string };
  expect(err.code, `${c.name}: ${err.message}`).toBe(c.code);
  if (c.item !== undefined) expect(err.message).toMatch(new RegExp(`item "${c.item}" \\(Hostile [^)]+\\)`));
  if (value !== undefined) expect(err.message).toContain(JSON.stringify(value.trim())); // the XML text, trimmed
  if (c.code === 'DEPLOY_HOST_PATH') expect(err.message).toMatch(/^Cannot deploy "hostile"|^File "iso1"/);
  expect(await host.list()).toEqual([]);
  expect(leftovers(host)).toEqual([]);
  const said = JSON.stringify([err.message, err.hint, host.getJob(job.id), host.store.events({})]);
  expect(said).not.toContain(canary.token);
  expect(holdsCanary(host.stateDir)).toBe(false);
}

describe('the committed hostile descriptors', () => {
  it('are what test/fixtures/hostile/packages.ts writes (VESSEL_UPDATE_FIXTURES=1 regenerates them)', () => {
    const want = new Map(descriptorCases().map((c) => [`${c.name}.ovf`, c.descriptor(CANONICAL_CANARY)]));
    want.set('README.md', corpusReadme());
    if (process.env.VESSEL_UPDATE_FIXTURES === '1') {
      rmSync(CORPUS, { recursive: true, force: true });
      mkdirSync(CORPUS, { recursive: true });
      for (const [name, text] of want) writeFileSync(join(CORPUS, name), text);
    }
    expect(readdirSync(CORPUS).sort()).toEqual([...want.keys()].sort());
    for (const [name, text] of want) expect(readFileSync(join(CORPUS, name), 'utf8'), name).toBe(text);
  });

  it.each(descriptorCases().map((c) => [c.name, c] as const))('%s is refused as committed', async (_, c) => {
    await refused(join(CORPUS, `${c.name}.ovf`), c, c.value?.(CANONICAL_CANARY));
  });
});

describe('a deploy refuses a package that names a host file, with no --lax escape', () => {
  const write = (c: DescriptorCase) => {
    const dir = mkdtempSync(join(work, `${c.name}-`));
    const ovf = join(dir, 'hostile.ovf');
    writeFileSync(ovf, c.descriptor(canary.path));
    return ovf;
  };
  it.each(descriptorCases().map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const ovf = write(c);
    await refused(ovf, c, c.value?.(canary.path));
    await refused(ovf, c, c.value?.(canary.path), true);
  });
});

describe('a deploy refuses package file names that lead out of the package', () => {
  it.each(FOLDER_CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const ovf = buildFolderCase(c.name, mkdtempSync(join(work, `${c.name}-`)), canary.path);
    await refused(ovf, c);
  });
  it.each(OVA_CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const ova = await buildOvaCase(c.name, mkdtempSync(join(work, `${c.name}-`)), canary.path);
    await refused(ova, c);
  });
});

describe('a package folder changed after it was checked', () => {
  it('is not read through a file swapped for a link to a host file (DEPLOY_PACKAGE)', async () => {
    const dir = join(work, 'swapped');
    const pkg = await openDeployPackage(buildLegitPackage(dir));
    renameSync(join(dir, 'tools.iso'), join(dir, 'tools.iso.saved'));
    symlinkSync(canary.path, join(dir, 'tools.iso'));
    const read: Buffer[] = [];
    const err = await (async () => {
      for await (const f of packageFiles(new OvaReader(pkg.source(), { label: pkg.path })))
        for await (const c of f.body) read.push(c);
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'DEPLOY_PACKAGE',
      message: '"tools.iso" changed while it was being deployed',
    });
    expect(Buffer.concat(read).includes(canary.token)).toBe(false);
  });
});

describe('the control: a package using its own files in odd spellings', () => {
  it('deploys (as a folder and as an OVA), and every file of the system is one the deploy wrote in its folder', async () => {
    const ovf = buildLegitPackage(join(work, 'legit'));
    const ova = join(work, 'legit.ova');
    await packOva(ovf, ova);
    for (const [pkg, name] of [
      [ovf, 'legit-folder'],
      [ova, 'legit-ova'],
    ] as const) {
      const r = await host.deploy({ package: pkg, name }).done;
      const vm = host.get(r.vms[0]!.uuid);
      const dir = join(host.stateDir, 'vms', vm.uuid);
      const images = vm.definition.resources.flatMap((x) => x.properties.HostResource ?? []);
      expect(images.map((v) => imagePath(v)).sort()).toEqual(
        ['file-flp', 'file-iso1', 'image-data.qcow2'].map((f) => join(dir, f)),
      );
      expect(readFileSync(join(dir, 'file-iso1'))).toEqual(readFileSync(join(work, 'legit', 'tools.iso')));
      execFileSync('qemu-img', [
        'compare',
        '-q',
        join(dir, 'image-data.qcow2'),
        join(work, 'legit', 'disk.img'),
      ]);
    }
    expect(holdsCanary(host.stateDir)).toBe(false);
    for (const name of ['legit-folder', 'legit-ova']) await host.undefine(name);
  });
});

describe('packageReference()', () => {
  const ids = { disks: new Set(['data', 'a%b']), files: new Set(['iso1', 'odd id']) };
  it.each([
    ['ovf:/disk/data', { kind: 'disk', id: 'data' }],
    ['ovf://disk/data', { kind: 'disk', id: 'data' }],
    ['/disk/data', { kind: 'disk', id: 'data' }],
    ['OVF:/DISK/data', { kind: 'disk', id: 'data' }],
    ['  ovf:/file/iso1\n', { kind: 'file', id: 'iso1' }],
    ['ovf:/file/iso%31', { kind: 'file', id: 'iso1' }],
    ['ovf:/file/odd%20id', { kind: 'file', id: 'odd id' }],
    ['ovf:/disk/a%b', { kind: 'disk', id: 'a%b' }],
    ['', 'empty'],
    ['   ', 'empty'],
  ] as const)('%j resolves', (value, want) => {
    expect(packageReference(value, ids)).toEqual(want);
  });
  it.each([
    '/etc/shadow',
    'file:///etc/shadow',
    'ovf:/disk/DATA',
    'ovf:/disk/nope',
    'ovf:/file/data',
    'ovf:/file/../iso1',
    'ovf:/file/%2e%2e%2fiso1',
    'ovf:/file/%',
    'ovf:///file/iso1',
    'ovf:/cdrom/iso1',
    'json:{"file.filename":"/etc/shadow"}',
  ])('%j does not', (value) => {
    expect(packageReference(value, ids)).toBeUndefined();
  });
});
