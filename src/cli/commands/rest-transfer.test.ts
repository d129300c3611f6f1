import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../../../test/helpers/cli.js';
import { freePort } from '../../../test/helpers/ports.js';
import { type ServedHost, serveHost } from '../../../test/helpers/serve.js';

// `vessel --connect rest+http://...` deploys and exports through REST alone (test:///default): the package is
// uploaded, the export comes back as an artifact that is downloaded here and passes `vessel ova verify`.

let state: string;
let work: string;
let served: ServedHost | undefined;
let url: string;
const env = { VESSEL_PASSWORD: 'secret' };

beforeAll(async () => {
  const port = await freePort();
  url = `rest+http://admin@127.0.0.1:${port}`;
  served = await serveHost({
    users: [['admin', 'admin', 'secret']],
    args: ['--cim-http', '0', '--cim-https', '0', '--http', String(port)],
    ready: 'REST:',
    prefix: 'vessel-rxfer-',
  });
  state = served.state;
  work = await mkdtemp(join(tmpdir(), 'vessel-rxfer-work-'));
  const packed = await runCli([
    'ova',
    'pack',
    join(ROOT, 'test/fixtures/deploy/small.ovf'),
    join(work, 'small.ova'),
  ]);
  expect(packed.code, packed.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await served?.close();
  await rm(work, { recursive: true, force: true });
});

describe('vessel --connect rest+http:// deploy and export', () => {
  it('deploy --dry-run shows the plan, deploy uploads and deploys', async () => {
    const dry = await runCli(['--connect', url, 'deploy', join(work, 'small.ova'), '--dry-run', '--json'], {
      env,
    });
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout).systems[0].name).toBe('small');
    const r = await runCli(['--connect', url, 'deploy', join(work, 'small.ova'), '--name', 'r1', '--json'], {
      env,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ systems: [{ name: 'r1' }], manifest: true });
    // The upload was staged in the host's private area and removed after the deploy.
    expect(await readdir(join(state, 'uploads'))).toEqual([]);
  });

  it('export downloads the artifact to -o, which ova verify accepts; the artifact is gone from the host', async () => {
    const out = join(work, 'r1.ova');
    const r = await runCli(['--connect', url, 'export', 'r1', '-o', out], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Exported to ${out} (through an artifact of the host)`);
    const v = await runCli(['ova', 'verify', out, '--json']);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(await readdir(join(state, 'artifacts'))).toEqual([]);
    const again = await runCli(['--connect', url, 'export', 'r1', '-o', out], { env });
    expect([again.code, again.stderr]).toEqual([1, expect.stringContaining('exists; add --overwrite')]);
    const replaced = await runCli(['--connect', url, 'export', 'r1', '-o', out, '--overwrite', '--json'], {
      env,
    });
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(JSON.parse(replaced.stdout).output).toBe(out);
    expect((await readdir(work)).filter((f) => f.includes('.part-'))).toEqual([]);
  });

  it('export --format ovf over a connection is a usage error', async () => {
    const r = await runCli(['--connect', url, 'export', 'r1', '--format', 'ovf', '-o', join(work, 'dir')], {
      env,
    });
    expect(r.code).toBe(2);
    expect(existsSync(join(work, 'dir'))).toBe(false);
  });

  it('a junk package is refused by the host, not half-deployed', async () => {
    await writeFile(join(work, 'junk.ova'), Buffer.alloc(4096, 1));
    const r = await runCli(['--connect', url, 'deploy', join(work, 'junk.ova'), '--name', 'j1'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/junk\.ova/);
    const list = await runCli(['--connect', url, 'vm', 'list', '--json'], { env });
    expect(JSON.parse(list.stdout).map((v: { name: string }) => v.name)).toEqual(['r1']);
  });
});
