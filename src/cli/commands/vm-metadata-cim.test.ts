import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli.js';
import { freePort } from '../../../test/helpers/ports.js';
import { type ServedHost, serveHost } from '../../../test/helpers/serve.js';

// `vessel vm metadata` through `--connect http://` (CIM-XML) and `--connect wsman+http://` (WS-Man) against a
// served host on the test driver: Vessel's Metadata extension of the VSSD, with the answers of the host itself;
// then the property as real clients see it (sblim wbemcli, Debian's wsl).

const run = promisify(execFile);
let served: ServedHost | undefined;
let cimPort: number;
let wsmanPort: number;
let work: string;

const over = (scheme: 'http' | 'wsman+http', user: string, password: string, args: string[]) =>
  runCli([
    '--connect',
    `${scheme}://${user}:${password}@127.0.0.1:${scheme === 'http' ? cimPort : wsmanPort}`,
    ...args,
  ]);
const local = (...args: string[]) => runCli([...args, '--state', served?.state ?? '']);
const json = async (p: Promise<{ code: number; stdout: string; stderr: string }>) => {
  const r = await p;
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as unknown;
};

beforeAll(async () => {
  [cimPort, wsmanPort] = [await freePort(), await freePort()];
  work = await mkdtemp(join(tmpdir(), 'vessel-mcim-'));
  served = await serveHost({
    users: [
      ['admin', 'admin', 'secret'],
      ['otto', 'operator', '0per'],
      ['rita', 'reader', 'r3ad'],
    ],
    args: [
      ...['--cim-http', String(cimPort), '--cim-https', '0', '--http', '0', '--https', '0'],
      ...['--wsman-http', String(wsmanPort), '--wsman-https', '0'],
    ],
    ready: 'WS-Man:',
    prefix: 'vessel-mcim-',
  });
  expect((await local('vm', 'define', '--name', 'mc1', '--cpus', '1', '--memory', '64M')).code).toBe(0);
}, 60_000);

afterAll(async () => {
  await served?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('vessel vm metadata over CIM-XML and WS-Man', { timeout: 240_000 }, () => {
  for (const scheme of ['http', 'wsman+http'] as const) {
    it(`${scheme}://: sets, lists, prints and removes keys as the host itself answers`, async () => {
      const admin = (...args: string[]) => over(scheme, 'admin', 'secret', args);
      const k = scheme === 'http' ? 'cim' : 'ws';
      const set = await admin('vm', 'metadata', 'mc1', `${k}.role`, '--set', 'web=front');
      expect([set.code, set.stdout, set.stderr]).toEqual([0, `Set "${k}.role" of mc1\n`, '']);
      const hostile = `line 1\nline 2\r\n50% = 100%\t%41`;
      expect((await admin('vm', 'metadata', 'mc1', `${k}=odd key\n`, '--set', hostile)).code).toBe(0);
      // CIM-XML carries the whole list as one embedded instance, at most 64 Ki characters (the server's bound on
      // an embedded instance); WS-Man's typed instance has only the 1 MiB body limit.
      const big = 'x'.repeat(scheme === 'http' ? 60_000 : 65_536);
      const setBig = await admin('vm', 'metadata', 'mc1', `${k}.big`, '--set', big);
      expect(setBig.code, setBig.stderr).toBe(0);
      if (scheme === 'http') {
        const over64k = await admin('vm', 'metadata', 'mc1', `${k}.big2`, '--set', big);
        expect([over64k.code, over64k.stderr]).toEqual([
          2,
          expect.stringContaining('over the limit of 65536'),
        ]);
      }
      const remote = await json(admin('vm', 'metadata', 'mc1', '--json'));
      expect(remote).toEqual(await json(local('vm', 'metadata', 'mc1', '--json')));
      expect(remote).toMatchObject({
        [`${k}.role`]: 'web=front',
        [`${k}=odd key\n`]: hostile,
        [`${k}.big`]: big,
      });
      const one = await over(scheme, 'rita', 'r3ad', ['vm', 'metadata', 'mc1', `${k}=odd key\n`]);
      expect([one.code, one.stdout]).toEqual([0, `${hostile}\n`]);
      const list = await over(scheme, 'rita', 'r3ad', ['vm', 'metadata', 'mc1']);
      expect([list.code, list.stdout]).toEqual([0, (await local('vm', 'metadata', 'mc1')).stdout]);
      // Refusals: the Api's, with the host's exit codes.
      const tooBig = await admin('vm', 'metadata', 'mc1', `${k}.big`, '--set', 'y'.repeat(65_537));
      const tooBigLocal = await local('vm', 'metadata', 'mc1', `${k}.big`, '--set', 'y'.repeat(65_537));
      expect([tooBig.code, tooBig.stderr]).toEqual([
        tooBigLocal.code,
        expect.stringContaining('setMetadata'),
      ]);
      for (const [user, password] of [
        ['rita', 'r3ad'],
        ['otto', '0per'],
      ] as const) {
        const denied = await over(scheme, user, password, [
          'vm',
          'metadata',
          'mc1',
          `${k}.role`,
          '--set',
          'x',
        ]);
        expect([denied.code, denied.stderr]).toEqual([1, expect.stringContaining('needs the admin role')]);
        const same = await over(scheme, user, password, [
          'vm',
          'metadata',
          'mc1',
          `${k}.role`,
          '--set',
          'web=front',
        ]);
        expect(same.code, 'a change to the same value is refused too, as on the host').toBe(1);
      }
      expect(await json(local('vm', 'metadata', 'mc1', '--json'))).toEqual(remote);
      const unset = await admin('vm', 'metadata', 'mc1', `${k}.role`, '--unset', '--json');
      expect([unset.code, JSON.parse(unset.stdout)]).toEqual([0, { key: `${k}.role`, value: null }]);
      const missing = await admin('vm', 'metadata', 'mc1', `${k}.role`);
      expect([missing.code, missing.stderr]).toEqual([
        1,
        expect.stringContaining(`mc1 has no metadata "${k}.role"`),
      ]);
      const ghost = await admin('vm', 'metadata', 'ghost');
      expect(ghost.code).toBe((await local('vm', 'metadata', 'ghost')).code);
      for (const key of [`${k}=odd key\n`, `${k}.big`])
        expect((await admin('vm', 'metadata', 'mc1', key, '--unset')).code).toBe(0);
    });
  }

  it('concurrent changes of different keys over both encodings keep every change', async () => {
    const calls = [];
    for (let i = 0; i < 4; i++) {
      calls.push(over('http', 'admin', 'secret', ['vm', 'metadata', 'mc1', `c.cim${i}`, '--set', String(i)]));
      calls.push(
        over('wsman+http', 'admin', 'secret', ['vm', 'metadata', 'mc1', `c.ws${i}`, '--set', String(i)]),
      );
    }
    const results = await Promise.all(calls);
    expect(results.map((r) => [r.code, r.stderr])).toEqual(results.map(() => [0, '']));
    const map = (await json(local('vm', 'metadata', 'mc1', '--json'))) as Record<string, string>;
    for (let i = 0; i < 4; i++) expect([map[`c.cim${i}`], map[`c.ws${i}`]]).toEqual([String(i), String(i)]);
  });

  it('wbemcli and wsl read the Metadata property of the VSSD', async () => {
    await local('vm', 'metadata', 'mc1', 'app.tier', '--set', 'gold');
    const base = `http://admin:secret@127.0.0.1:${cimPort}/root/virtualization`;
    const gi = await run(
      'wbemcli',
      ['-nl', 'gi', `${base}:Vessel_VirtualSystemSettingData.InstanceID="Vessel:mc1"`],
      {
        timeout: 20_000,
      },
    );
    expect(gi.stdout).toMatch(/-Metadata=.*"app\.tier=gold"/);
    expect(gi.stdout).toMatch(/-MetadataTag="[0-9a-f]{32}"/);
    const env = {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: work,
      WSENDPOINT: `127.0.0.1:${wsmanPort}`,
      WSUSER: 'rita',
      WSPASS: 'r3ad',
      WSNOSSL: '1',
      WSDONTASK: 'y',
      KEEPHISTORY: '0',
      WSDEFAULTSCHEMA: 'schemas.dmtf.org',
    };
    const get = await run(
      'wsl',
      [
        'get',
        'Vessel_VirtualSystemSettingData',
        '__cimnamespace=root/virtualization',
        'InstanceID=Vessel:mc1',
      ],
      { env, cwd: work, timeout: 30_000 },
    );
    expect(get.stdout).toContain('<p:Metadata>app.tier=gold</p:Metadata>');
  });
});
