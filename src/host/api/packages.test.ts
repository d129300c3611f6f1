import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makePki } from '../../../test/fixtures/ova/helpers.js';
import { ROOT } from '../../../test/helpers/cli.js';
import { type Api, ApiError, type JobInfo, type Principal } from '../../api/index.js';
import { memoryBytes } from '../../model/index.js';
import { packOva } from '../../ova/index.js';
import { Host } from '../host.js';
import { openSession } from './session.js';

const COLLECTION = join(ROOT, 'test/fixtures/deploy/collection.ovf');
const HOSTILE = join(ROOT, 'test/fixtures/hostile/packages');
const UNTIL_DONE = { waitMs: Number.POSITIVE_INFINITY } as const;

const LOCAL: Principal = { user: 'local', role: 'admin', local: true, via: 'in-process' };
const REMOTE: Principal = { user: 'alice', role: 'admin', local: false, via: 'cimxml' };

const work = mkdtempSync(join(tmpdir(), 'vessel-api-packages-'));
let ova: string;
beforeAll(async () => {
  ova = join(work, 'collection.ova');
  await packOva(COLLECTION, ova, { algorithm: 'sha256' });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
let host: Host;
let remote: Api;
let local: Api;
beforeEach(async () => {
  host = await Host.open({ stateDir: join(work, `s${n++}`), driverUri: 'test:///default' });
  remote = openSession(host, REMOTE);
  local = openSession(host, LOCAL);
});
afterEach(() => host.close());

async function* streamOf(bytes: Uint8Array, size = 65_536): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function readAll(s: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const p of s) parts.push(p);
  return Buffer.concat(parts);
}

async function refusal(call: Promise<unknown>): Promise<ApiError> {
  try {
    await call;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('the call was not refused');
}

/** The job's error, after it ended: a refusal found once the job ran. */
function failure(job: JobInfo): { code: string | undefined; domain: string | undefined } {
  expect(job.state).toBe('failed');
  return { code: job.error?.code, domain: job.error?.detail?.code };
}

const upload = (file: string, name = file.split('/').pop()!) => ({
  kind: 'upload' as const,
  fileName: name,
  body: streamOf(readFileSync(file)),
});

/** Puts a file into the default pool, as an admin on the host would. */
async function intoPool(file: string, name: string): Promise<void> {
  await local.pools.upload('default', name, streamOf(readFileSync(file)));
}

describe('packages.deploy', () => {
  it('deploys an uploaded OVF package for a remote admin, as a job that names its owner and package', async () => {
    const job = await remote.packages.deploy(upload(COLLECTION), {
      ...UNTIL_DONE,
      configuration: 'large',
      properties: { domain: 'corp.test' },
      networks: { front: 'user' },
    });
    expect(job).toMatchObject({
      operation: 'deploy',
      owner: 'alice',
      state: 'completed',
      percent: 100,
      target: { kind: 'package', id: 'collection.ovf' },
    });
    const r = job.result!;
    expect(r.configuration).toBe('large');
    expect(r.systems.map((s) => s.name)).toEqual(['db', 'web']);
    expect(r.started).toEqual([]);
    expect(r.manifest).toBe(false);
    const db = await host.lookup('db');
    expect(r.systems[0]!.uuid).toBe(db.uuid);
    expect(memoryBytes(db.definition)).toBe(512n << 20n);
    // The upload is gone once the job ended; nothing of it is left in the host's upload area.
    expect(readdirSync(join(host.stateDir, 'uploads'))).toEqual([]);
  });

  it('deploys an OVA from a storage pool, powering the systems on in StartupSection order (UUIDs)', async () => {
    await intoPool(ova, 'app.ova');
    const job = await remote.packages.deploy(
      { kind: 'pool', pool: 'default', image: 'app.ova' },
      { ...UNTIL_DONE, name: 'shop', powerOn: true },
    );
    expect(job.state).toBe('completed');
    const r = job.result!;
    expect(r.manifest).toBe(true);
    expect(r.systems.map((s) => s.name)).toEqual(['shop-db', 'shop-web']);
    expect(r.started).toEqual(r.systems.map((s) => s.uuid));
    expect((await host.lookup('shop-web')).state).toBe('running');
    expect(job.target).toEqual({ kind: 'package', id: 'default/app.ova' });
  });

  it('answers at once with a running job when waitMs is 0; the job completes on its own', async () => {
    const job = await remote.packages.deploy(upload(ova));
    expect(job.state).toBe('running');
    await expect.poll(() => host.store.getJob(job.id)?.state, { timeout: 20_000 }).toBe('completed');
  });

  it("deploys from a host path for the host's own user only", async () => {
    const job = await local.packages.deploy({ kind: 'hostPath', path: ova }, UNTIL_DONE);
    expect(job.state).toBe('completed');
    const e = await refusal(remote.packages.deploy({ kind: 'hostPath', path: ova }, UNTIL_DONE));
    expect(e.code).toBe('ACCESS_DENIED');
  });

  it('refuses a remote admin naming /etc/passwd as a package, however it is named', async () => {
    const asPath = await refusal(remote.packages.deploy({ kind: 'hostPath', path: '/etc/passwd' }));
    expect([asPath.code, asPath.message]).toEqual([
      'ACCESS_DENIED',
      'alice may not read the package "/etc/passwd": only the host\'s own user (in process or on its socket) may name host paths',
    ]);
    expect((await refusal(remote.packages.inspect({ kind: 'hostPath', path: '/etc/passwd' }))).code).toBe(
      'ACCESS_DENIED',
    );
    const traversal = await refusal(
      remote.packages.deploy({ kind: 'pool', pool: 'default', image: '../../../../etc/passwd' }),
    );
    expect(traversal.code).toBe('INVALID_ARGUMENT');
    symlinkSync('/etc/passwd', join(host.stateDir, 'images', 'passwd.ova'));
    const link = await refusal(
      remote.packages.deploy({ kind: 'pool', pool: 'default', image: 'passwd.ova' }),
    );
    expect(link.code).toBe('IMAGE_UNSAFE');
    expect((await refusal(remote.packages.deploy(upload('/etc/passwd', '../passwd.ova')))).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(host.store.listVms()).toEqual([]);
    expect(host.store.listJobs()).toEqual([]);
  });

  it('fails the job of a hostile package (an item naming a host file) with nothing registered or left', async () => {
    for (const f of ['disk-absolute.ovf', 'cdrom-file-url.ovf', 'serial-file.ovf']) {
      const job = await remote.packages.deploy(upload(join(HOSTILE, f)), { ...UNTIL_DONE, lax: true });
      expect(failure(job), f).toEqual({ code: 'DEPLOY_PACKAGE', domain: 'DEPLOY_HOST_PATH' });
    }
    const dotdot = await remote.packages.deploy(upload(join(HOSTILE, 'href-dotdot.ovf')), UNTIL_DONE);
    expect(failure(dotdot)).toEqual({ code: 'DEPLOY_PACKAGE', domain: 'OVA_UNSAFE_NAME' });
    const junk = await remote.packages.deploy(
      { kind: 'upload', fileName: 'junk.ova', body: streamOf(new Uint8Array(1024)) },
      UNTIL_DONE,
    );
    expect(failure(junk).code).toBe('DEPLOY_PACKAGE');
    // The message names the upload, not where the host staged it.
    expect(junk.error?.message).toBe('junk.ova holds no files');
    expect(host.store.listVms()).toEqual([]);
    expect(readdirSync(join(host.stateDir, 'uploads'))).toEqual([]);
  });

  it('keeps the deploy rules: EULA, properties, names; a pool for the disks is NOT_SUPPORTED', async () => {
    const eula = join(work, `eula-${n}.ovf`);
    writeFileSync(
      eula,
      readFileSync(COLLECTION, 'utf8').replace(
        '<Name>app</Name>',
        '<Name>app</Name><EulaSection><Info>License</Info><License>Be nice.</License></EulaSection>',
      ),
    );
    expect((await remote.packages.inspect(upload(eula))).eulas).toEqual(['Be nice.']);
    expect(failure(await remote.packages.deploy(upload(eula), UNTIL_DONE)).code).toBe('DEPLOY_EULA');
    const accepted = await remote.packages.deploy(upload(eula), {
      ...UNTIL_DONE,
      acceptEula: true,
      name: 'lic',
    });
    expect(accepted.state).toBe('completed');
    const bad = await remote.packages.deploy(upload(ova), { ...UNTIL_DONE, properties: { port: '1' } });
    expect(failure(bad)).toEqual({ code: 'DEPLOY_PROPERTY', domain: 'DEPLOY_PROPERTY' });
    expect((await remote.packages.deploy(upload(ova), UNTIL_DONE)).state).toBe('completed');
    expect(failure(await remote.packages.deploy(upload(ova), UNTIL_DONE)).code).toBe('VM_EXISTS');
    const pool = await refusal(remote.packages.deploy(upload(ova), { pool: 'default' }));
    expect(pool.code).toBe('NOT_SUPPORTED');
    expect(readdirSync(join(host.stateDir, 'uploads'))).toEqual([]);
  });

  it('is refused to a reader and an operator by the session, before anything is read', async () => {
    for (const role of ['reader', 'operator'] as const) {
      const api = openSession(host, { user: 'eve', role, local: true, via: 'socket' });
      expect((await refusal(api.packages.deploy({ kind: 'hostPath', path: ova }))).code).toBe(
        'ACCESS_DENIED',
      );
      expect(
        (await refusal(api.packages.export('db', { destination: { kind: 'artifact' }, format: 'ova' }))).code,
      ).toBe('ACCESS_DENIED');
      expect((await refusal(api.artifacts.get('0'.repeat(32)))).code).toBe('ACCESS_DENIED');
    }
    expect(host.store.listJobs()).toEqual([]);
  });
});

describe('packages.inspect', () => {
  it('shows a dry run: mapped systems, properties with types and defaults, networks, options, nothing written', async () => {
    const view = await remote.packages.inspect(upload(ova), { configuration: 'large' });
    expect(view.configuration).toBe('large');
    expect(view.systems.map((s) => [s.systemId, s.name])).toEqual([
      ['db', 'db'],
      ['web', 'web'],
    ]);
    expect(memoryBytes(view.systems[0]!.definition)).toBe(512n << 20n);
    expect(view.properties.find((p) => p.key === 'domain')).toEqual({
      key: 'domain',
      type: 'string',
      defaultValue: 'example.test',
      userConfigurable: true,
      password: false,
      required: false,
    });
    expect(view.systems[0]!.disks).toEqual([
      { diskId: 'data', capacityBytes: 64n << 20n, fileName: 'image-data.qcow2', blank: true },
    ]);
    expect(view.systems[1]!.disks).toEqual([]);
    expect(view.networks).toEqual([{ name: 'front', description: 'Front end' }]);
    expect(view.configurations.map((c) => [c.id, c.isDefault])).toEqual([
      ['small', true],
      ['large', false],
    ]);
    expect(view.eulas).toEqual([]);
    expect(host.store.listVms()).toEqual([]);
    expect(readdirSync(join(host.stateDir, 'uploads'))).toEqual([]);
    expect(existsSync(join(host.stateDir, 'vms')) ? readdirSync(join(host.stateDir, 'vms')) : []).toEqual([]);
  });

  it('lists what a deploy would still refuse as warnings (a bad value, a name taken)', async () => {
    await remote.packages.deploy(upload(ova), UNTIL_DONE);
    const view = await remote.packages.inspect(upload(ova), { properties: { port: '1' } });
    expect(view.warnings.join('\n')).toMatch(/port/);
    expect(view.warnings).toContain('Cannot deploy "db": a virtual system with that name exists');
  });
});

describe('packages.export and artifacts', () => {
  beforeEach(async () => {
    expect((await local.packages.deploy({ kind: 'hostPath', path: ova }, UNTIL_DONE)).state).toBe(
      'completed',
    );
  });

  it('exports a system to an artifact that downloads intact (whole and from an offset), then is deleted', async () => {
    const job = await remote.packages.export('db', {
      ...UNTIL_DONE,
      destination: { kind: 'artifact' },
      format: 'ova',
    });
    expect(job).toMatchObject({ state: 'completed', operation: 'export', owner: 'alice' });
    expect(job.target).toMatchObject({ kind: 'system', name: 'db' });
    const id = job.result!.artifact!;
    const info = await remote.artifacts.get(id);
    expect(info).toMatchObject({ id, fileName: 'db.ova', job: job.id });
    const bytes = await readAll(await remote.artifacts.download(id));
    expect(BigInt(bytes.length)).toBe(info.sizeBytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(info.sha256);
    expect(bytes.subarray(0, 100).toString('latin1')).toMatch(/\.ovf\0/);
    expect(job.result!.files.reduce((s, f) => s + f.sizeBytes, 0n)).toBeGreaterThan(0n);
    const tail = await readAll(await remote.artifacts.download(id, { offset: 1000n }));
    expect(tail.equals(bytes.subarray(1000))).toBe(true);
    expect((await refusal(remote.artifacts.download(id, { offset: info.sizeBytes + 1n }))).code).toBe(
      'INVALID_ARGUMENT',
    );
    const dir = join(host.stateDir, 'artifacts', id);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    await remote.artifacts.delete(id);
    expect(existsSync(dir)).toBe(false);
    expect((await refusal(remote.artifacts.get(id))).code).toBe('NOT_FOUND');
  });

  it('signs with a real key and certificate, and refuses a key that is not PEM or is hostile oversized text', async () => {
    const pki = makePki(mkdtempSync(join(work, 'pki-')));
    const signed = await remote.packages.export('db', {
      ...UNTIL_DONE,
      destination: { kind: 'artifact' },
      format: 'ova',
      signer: { keyPem: readFileSync(pki.selfKey, 'utf8'), certPem: readFileSync(pki.selfCert, 'utf8') },
    });
    expect(signed.state).toBe('completed');
    expect(signed.result).toMatchObject({ signed: true, manifest: 'sha256' });
    const bytes = await readAll(await remote.artifacts.download(signed.result!.artifact!));
    expect(bytes.toString('latin1')).toMatch(/[\w-]+\.cert\0/);
    for (const keyPem of ['not a key', 'A'.repeat(65_536)]) {
      const bad = await remote.packages
        .export('db', { ...UNTIL_DONE, destination: { kind: 'artifact' }, format: 'ova', signer: { keyPem } })
        .catch((e: unknown) => e);
      const code = bad instanceof ApiError ? bad.code : failure(bad as JobInfo).code;
      expect(code).toBe('INVALID_ARGUMENT');
    }
    // Beyond the schema's bound the session refuses the call itself, before reading the key.
    const huge = await refusal(
      remote.packages.export('db', {
        ...UNTIL_DONE,
        destination: { kind: 'artifact' },
        format: 'ova',
        signer: { keyPem: 'A'.repeat(4 << 20) },
      }),
    );
    expect(huge.code).toBe('INVALID_ARGUMENT');
    expect(readdirSync(join(host.stateDir, 'artifacts'))).toHaveLength(1);
  });

  it('removes an artifact with its job', async () => {
    const job = await remote.packages.export('db', {
      ...UNTIL_DONE,
      destination: { kind: 'artifact' },
      format: 'ova',
    });
    const id = job.result!.artifact!;
    expect((await remote.artifacts.get(id)).job).toBe(job.id);
    host.jobs.delete(job.id);
    expect((await refusal(remote.artifacts.get(id))).code).toBe('NOT_FOUND');
    expect(readdirSync(join(host.stateDir, 'artifacts'))).toEqual([]);
  });

  it('leaves no artifact behind when the export fails (a running system)', async () => {
    await host.changeState('db', 'start', {}).done;
    const job = await remote.packages.export('db', {
      ...UNTIL_DONE,
      destination: { kind: 'artifact' },
      format: 'ova',
    });
    expect(failure(job).code).toBe('INVALID_STATE');
    expect(readdirSync(join(host.stateDir, 'artifacts'))).toEqual([]);
  });

  it('exports to a storage pool image, never over an existing one', async () => {
    const job = await remote.packages.export('web', {
      ...UNTIL_DONE,
      destination: { kind: 'pool', pool: 'default', image: 'web.ova' },
      format: 'ova',
      manifest: 'sha512',
    });
    expect(job.state).toBe('completed');
    expect(job.result?.artifact).toBeUndefined();
    expect((await remote.pools.images('default')).map((i) => i.name)).toEqual(['web.ova']);
    const again = await remote.packages.export('web', {
      ...UNTIL_DONE,
      destination: { kind: 'pool', pool: 'default', image: 'web.ova' },
      format: 'ova',
    });
    expect(failure(again).code).toBe('EXPORT_OUTPUT');
    const folder = await refusal(
      remote.packages.export('web', {
        destination: { kind: 'pool', pool: 'default', image: 'w' },
        format: 'ovf',
      }),
    );
    expect(folder.code).toBe('INVALID_ARGUMENT');
  });

  it('refuses a remote admin an export to /etc/passwd, or any host path, or out of the pool', async () => {
    const before = readFileSync('/etc/passwd');
    const e = await refusal(
      remote.packages.export('db', {
        destination: { kind: 'hostPath', path: '/etc/passwd', overwrite: true },
        format: 'ova',
      }),
    );
    expect(e.code).toBe('ACCESS_DENIED');
    const out = await refusal(
      remote.packages.export('db', {
        destination: { kind: 'pool', pool: 'default', image: '../../../../etc/passwd' },
        format: 'ova',
      }),
    );
    expect(out.code).toBe('INVALID_ARGUMENT');
    expect(readFileSync('/etc/passwd').equals(before)).toBe(true);
    expect(host.store.listJobs().filter((j) => j.kind === 'vm.export')).toEqual([]);
    // Artifacts are named by id only: nothing else on the host can be read through them.
    expect((await refusal(remote.artifacts.get('../../etc/passwd'))).code).toBe('INVALID_ARGUMENT');
    expect((await refusal(remote.artifacts.get('0'.repeat(32)))).code).toBe('NOT_FOUND');
  });

  it("exports to a host path for the host's own user", async () => {
    const out = join(work, `db-${n}.ova`);
    const job = await local.packages.export('db', {
      ...UNTIL_DONE,
      destination: { kind: 'hostPath', path: out },
      format: 'ova',
    });
    expect(job.state).toBe('completed');
    expect(statSync(out).size).toBeGreaterThan(0);
  });
});
