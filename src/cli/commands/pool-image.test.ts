import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli.js';
import { freePort } from '../../../test/helpers/ports.js';
import { randomImageBytes } from '../../../test/helpers/random-image.js';
import { type ServedHost, serveHost } from '../../../test/helpers/serve.js';

// `vessel pool image upload|download` against a served host (test:///default), through its socket (--state) and
// through REST alone (--connect rest+http://): the same bytes come back (SHA-256), a wrong digest keeps nothing,
// and a download cut part-way goes on from where it stopped (the Api's offset, a Range over REST).

let served: ServedHost | undefined;
let work: string;
let rest: string[];
let local: string[];
let poolDir: string;
const env = { VESSEL_PASSWORD: 'secret' };
const bytes = randomImageBytes(3 << 20);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  const port = await freePort();
  served = await serveHost({
    users: [
      ['admin', 'admin', 'secret'],
      ['rita', 'reader', 'r3ad'],
    ],
    args: ['--cim-http', '0', '--cim-https', '0', '--http', String(port)],
    ready: 'REST:',
    prefix: 'vessel-pimg-',
  });
  rest = ['--connect', `rest+http://admin@127.0.0.1:${port}`];
  local = ['--state', served.state];
  work = await mkdtemp(join(tmpdir(), 'vessel-pimg-work-'));
  await writeFile(join(work, 'disk.raw'), bytes);
  const pools = await runCli(['pool', 'list', '--json', ...local]);
  poolDir = JSON.parse(pools.stdout).find((p: { id: string }) => p.id === 'default').path;
}, 60_000);

afterAll(async () => {
  await served?.close();
  await rm(work, { recursive: true, force: true });
});

describe('vessel pool image', { timeout: 180_000 }, () => {
  for (const [via, args] of [
    ['the socket', () => local],
    ['REST', () => rest],
  ] as const) {
    it(`uploads and downloads the same bytes through ${via}`, async () => {
      const name = `up-${via === 'REST' ? 'rest' : 'sock'}.raw`;
      const up = await runCli(
        [
          'pool',
          'image',
          'upload',
          'default',
          join(work, 'disk.raw'),
          '--name',
          name,
          '--sha256',
          sha(bytes),
          '--json',
          ...args(),
        ],
        { env },
      );
      expect(up.code, up.stderr).toBe(0);
      expect(JSON.parse(up.stdout)).toMatchObject({
        name,
        sizeBytes: bytes.length,
        format: 'raw',
        sha256: sha(bytes),
      });
      expect(sha(await readFile(join(poolDir, name)))).toBe(sha(bytes));
      const out = join(work, `${name}.back`);
      const down = await runCli(
        ['pool', 'image', 'download', 'default', name, '-o', out, '--json', ...args()],
        { env },
      );
      expect(down.code, down.stderr).toBe(0);
      expect(JSON.parse(down.stdout)).toMatchObject({
        sizeBytes: bytes.length,
        sha256: sha(bytes),
        resumedAtBytes: 0,
      });
      expect(sha(await readFile(out))).toBe(sha(bytes));
      // Not over an existing file without --overwrite; no part file is left.
      const again = await runCli(['pool', 'image', 'download', 'default', name, '-o', out, ...args()], {
        env,
      });
      expect([again.code, again.stderr]).toEqual([2, expect.stringContaining('exists; add --overwrite')]);
      expect((await readdir(work)).filter((f) => f.includes('.part'))).toEqual([]);
      const list = await runCli(['pool', 'image', 'list', 'default', '--json', ...args()], { env });
      expect(JSON.parse(list.stdout).map((i: { name: string }) => i.name)).toContain(name);
      const del = await runCli(['pool', 'image', 'delete', 'default', name, ...args()], { env });
      expect(del.code, del.stderr).toBe(0);
      expect(existsSync(join(poolDir, name))).toBe(false);
    });
  }

  it('a wrong --sha256 keeps nothing in the pool; a malformed one is a usage error', async () => {
    const wrong = await runCli(
      [
        'pool',
        'image',
        'upload',
        'default',
        join(work, 'disk.raw'),
        '--name',
        'w.raw',
        '--sha256',
        '0'.repeat(64),
        ...rest,
      ],
      { env },
    );
    expect([wrong.code, wrong.stderr]).toEqual([2, expect.stringMatching(/SHA-256/i)]);
    expect(existsSync(join(poolDir, 'w.raw'))).toBe(false);
    const bad = await runCli(
      ['pool', 'image', 'upload', 'default', join(work, 'disk.raw'), '--sha256', 'xyz', ...rest],
      {
        env,
      },
    );
    expect(bad.code).toBe(2);
    const missing = await runCli(['pool', 'image', 'upload', 'default', join(work, 'none.raw'), ...rest], {
      env,
    });
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('not a readable file')]);
  });

  it('refuses hostile names, unknown images and a reader, with the exit codes of the table', async () => {
    for (const name of ['../escape.raw', '..', 'a/b']) {
      const r = await runCli(
        ['pool', 'image', 'upload', 'default', join(work, 'disk.raw'), '--name', name, ...rest],
        {
          env,
        },
      );
      expect(r.code, `${name}: ${r.stderr}`).toBe(2);
    }
    expect(existsSync(join(poolDir, '..', 'escape.raw'))).toBe(false);
    const none = await runCli(
      ['pool', 'image', 'download', 'default', 'none.raw', '-o', join(work, 'none'), ...rest],
      {
        env,
      },
    );
    expect([none.code, none.stderr]).toEqual([1, expect.stringContaining('none.raw')]);
    const reader = await runCli(
      [
        'pool',
        'image',
        'upload',
        'default',
        join(work, 'disk.raw'),
        '--connect',
        rest[1]!.replace('admin@', 'rita@'),
      ],
      { env: { VESSEL_PASSWORD: 'r3ad' } },
    );
    expect([reader.code, reader.stderr]).toEqual([1, expect.stringContaining('admin')]);
  });

  it('a download cut part-way goes on from where it stopped and gives the exact bytes', async () => {
    const up = await runCli([
      'pool',
      'image',
      'upload',
      'default',
      join(work, 'disk.raw'),
      '--name',
      'cut.raw',
      ...local,
    ]);
    expect(up.code, up.stderr).toBe(0);
    const out = join(work, 'cut.back');
    // The whole image, for the part a cut download would have left.
    const first = await runCli(
      ['pool', 'image', 'download', 'default', 'cut.raw', '-o', out, '--json', ...rest],
      { env },
    );
    expect(first.code, first.stderr).toBe(0);
    const whole = await readFile(out);
    await rm(out);
    // What a cut download leaves: the first 1.5 MiB and the record of which image they are of.
    const list = JSON.parse((await runCli(['pool', 'image', 'list', 'default', '--json', ...local])).stdout);
    const info = list.find((i: { name: string }) => i.name === 'cut.raw');
    await writeFile(`${out}.part`, whole.subarray(0, 1_572_864));
    await writeFile(
      `${out}.part.json`,
      JSON.stringify({
        pool: 'default',
        name: 'cut.raw',
        sizeBytes: String(info.sizeBytes),
        modifiedAt: info.modifiedAt,
      }),
    );
    const resumed = await runCli(
      [
        'pool',
        'image',
        'download',
        'default',
        'cut.raw',
        '-o',
        out,
        '--json',
        '--sha256',
        sha(bytes),
        ...rest,
      ],
      {
        env,
      },
    );
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ resumedAtBytes: 1_572_864, sha256: sha(bytes) });
    expect(sha(await readFile(out))).toBe(sha(bytes));
    expect(existsSync(`${out}.part`) || existsSync(`${out}.part.json`)).toBe(false);

    // A part of another version of the image (another change time) is not trusted: the download starts over.
    await rm(out);
    await writeFile(`${out}.part`, Buffer.alloc(1000, 0x41));
    await writeFile(
      `${out}.part.json`,
      JSON.stringify({
        pool: 'default',
        name: 'cut.raw',
        sizeBytes: String(info.sizeBytes),
        modifiedAt: '2020-01-01T00:00:00.000Z',
      }),
    );
    const fresh = await runCli([
      'pool',
      'image',
      'download',
      'default',
      'cut.raw',
      '-o',
      out,
      '--json',
      ...local,
    ]);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(JSON.parse(fresh.stdout)).toMatchObject({ resumedAtBytes: 0, sha256: sha(bytes) });

    // A part whose bytes were damaged is caught by --sha256 and nothing is kept.
    await rm(out);
    const damaged = Buffer.from(whole.subarray(0, 2 << 20));
    damaged[1000] = (damaged[1000] ?? 0) ^ 0xff;
    await writeFile(`${out}.part`, damaged);
    await writeFile(
      `${out}.part.json`,
      JSON.stringify({
        pool: 'default',
        name: 'cut.raw',
        sizeBytes: String(info.sizeBytes),
        modifiedAt: info.modifiedAt,
      }),
    );
    const caught = await runCli(
      ['pool', 'image', 'download', 'default', 'cut.raw', '-o', out, '--sha256', sha(bytes), ...rest],
      {
        env,
      },
    );
    expect([caught.code, caught.stderr]).toEqual([2, expect.stringContaining('nothing is kept')]);
    expect((await readdir(work)).filter((f) => f.startsWith('cut.back'))).toEqual([]);
  });
});
