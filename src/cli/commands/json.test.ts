import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, NO_CIM_PORTS, ROOT, runCli } from '../../../test/helpers/cli.js';

/**
 * Issue 11: every `--json` of the CLI, run for real against a host on the test driver. Each answer parses, its
 * lists are arrays, its sizes are whole numbers of bytes named `...Bytes`, and no object is keyed by ''.
 */
const root = mkdtempSync(join(tmpdir(), 'vessel-cli-json-'));
const state = join(root, 'state');
const s = ['--state', state];
const env = { XDG_CONFIG_HOME: join(root, 'config') };
let host: ChildProcess;
let hostOut = '';

beforeAll(async () => {
  host = spawn(process.execPath, [CLI, 'host', 'serve', '--driver', 'test:///default', ...NO_CIM_PORTS], {
    env: { ...process.env, VESSEL_STATE: state },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  host.stdout!.on('data', (d: Buffer) => {
    hostOut += d.toString();
  });
  // Until it serves, however long a loaded machine takes (the hook's timeout bounds it), or exits.
  while (!hostOut.includes('serving') && host.exitCode === null) await new Promise((r) => setTimeout(r, 25));
  expect(hostOut).toContain('serving');
  expect((await runCli(['pool', 'add', 'test', root, ...s])).code).toBe(0);
  writeFileSync(join(root, 'disk.raw'), Buffer.alloc(1 << 20));
});
afterAll(() => {
  host.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

/** Fields that are lists wherever they appear. */
const LISTS = new Set([
  'hardware',
  'devices',
  'members',
  'systems',
  'disks',
  'nics',
  'files',
  'written',
  'events',
  'problems',
  'warnings',
  'diagnostics',
  'configurations',
  'bootOrder',
]);

/** What is wrong with a JSON answer: sizes not in bytes, lists that are not arrays, keys ''. */
function problems(v: unknown, path = ''): string[] {
  if (typeof v !== 'object' || v === null) return [];
  if (Array.isArray(v)) return v.flatMap((x, i) => problems(x, `${path}/${i}`));
  const out: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    const p = `${path}/${k}`;
    if (k === '') out.push(`${p}: an object keyed by ''`);
    // A list keyed by name or id is an object where an array is meant (host capabilities group their lists).
    const keyed = typeof x === 'object' && x !== null && !Array.isArray(x);
    if (LISTS.has(k) && keyed && !path.endsWith('/properties') && p !== '/capabilities/devices')
      out.push(`${p}: not an array`);
    // A disk's `details` are its format's own facts (cluster size in bytes, grain size in sectors).
    if (k === 'details' || path.endsWith('/properties')) continue;
    if (/size|bytes|capacity/i.test(k) && !k.endsWith('Text') && (typeof x !== 'object' || x === null)) {
      if (!k.endsWith('Bytes')) out.push(`${p}: a size not named ...Bytes`);
      else if (!Number.isSafeInteger(x) || (x as number) < 0)
        out.push(`${p}: ${JSON.stringify(x)} is not bytes`);
    }
    out.push(...problems(x, p));
  }
  return out;
}

/** Runs a command with --json; it must succeed and give one JSON value without problems. */
async function json(args: string[], o: { input?: string } = {}): Promise<unknown> {
  const r = await runCli([...args, '--json'], { env, ...o });
  expect([args.join(' '), r.code, r.stderr]).toEqual([args.join(' '), 0, expect.any(String)]);
  const value = JSON.parse(r.stdout) as unknown;
  expect([args.join(' '), problems(value)]).toEqual([args.join(' '), []]);
  return value;
}

describe('--json of every command', () => {
  it('parses, has arrays for lists, bytes for sizes and no key ""', async () => {
    const qcow = join(root, 'disk.qcow2');
    const ova = join(root, 'j1.ova');
    const lists: [string[], number][] = [];
    const table: { args: () => string[]; list?: boolean; input?: string }[] = [
      { args: () => ['disk', 'convert', join(root, 'disk.raw'), qcow, '--format', 'qcow2'] },
      { args: () => ['disk', 'info', qcow] },
      {
        args: () => [
          'vm',
          'define',
          '--name',
          'j1',
          '--memory',
          '64M',
          '--disk',
          qcow,
          '--nic',
          'user',
          '--vnc',
          ...s,
        ],
      },
      { args: () => ['vm', 'list', ...s], list: true },
      { args: () => ['vm', 'info', 'j1', ...s] },
      { args: () => ['vm', 'start', 'j1', ...s] },
      { args: () => ['vm', 'stop', 'j1', '--force', ...s] },
      { args: () => ['export', 'j1', '-o', ova, ...s] },
      { args: () => ['ova', 'verify', ova] },
      { args: () => ['ova', 'unpack', ova, join(root, 'unpacked')] },
      { args: () => ['ovf', 'info', ova] },
      { args: () => ['ovf', 'validate', ova] },
      { args: () => ['ovf', 'new', 'n1', '-o', join(root, 'n1.ovf')] },
      { args: () => ['ovf', 'edit', join(root, 'n1.ovf'), '--cpus', '2'] },
      { args: () => ['convert', join(root, 'n1.ovf'), '--to', 'vmx'] },
      { args: () => ['deploy', join(ROOT, 'test', 'fixtures', 'deploy', 'small.ovf'), '--name', 'd1', ...s] },
      { args: () => ['pool', 'list', ...s], list: true },
      { args: () => ['pool', 'add', 'p2', join(root, 'p2'), ...s] },
      { args: () => ['pool', 'remove', 'p2', ...s] },
      { args: () => ['net', 'list', ...s], list: true },
      { args: () => ['net', 'define', 'lan', '--mode', 'bridge', '--bridge', 'br0', ...s] },
      { args: () => ['net', 'remove', 'lan', ...s] },
      { args: () => ['job', 'list', ...s], list: true },
      { args: () => ['user', 'add', 'u1', '--role', 'reader', ...s], input: 'pw\n' },
      { args: () => ['user', 'list', ...s], list: true },
      { args: () => ['user', 'remove', 'u1', ...s] },
      { args: () => ['remote', 'add', 'r1', 'http://h1:5988', '--user', 'ann'] },
      { args: () => ['remote', 'list'], list: true },
      { args: () => ['remote', 'remove', 'r1'] },
      { args: () => ['host', 'info', ...s] },
      { args: () => ['vm', 'undefine', 'd1', ...s] },
    ];
    mkdirSync(join(root, 'p2'));
    for (const row of table) {
      const v = await json(row.args(), row.input === undefined ? {} : { input: row.input });
      if (row.list) lists.push([row.args(), Array.isArray(v) ? (v as unknown[]).length : -1]);
    }
    expect(lists.filter(([, n]) => n < 1)).toEqual([]);
    const unpacked = (await json(['ova', 'verify', ova])) as { members: { name: string }[] };
    const ovf = unpacked.members.find((m) => m.name.endsWith('.ovf'))!.name;
    await json(['ova', 'pack', join(root, 'unpacked', ovf), join(root, 're.ova')]);
    const jobs = (await json(['job', 'list', ...s])) as { id: string }[];
    await json(['job', 'get', jobs[0]!.id, ...s]);
    const info = (await json(['ovf', 'info', join(root, 'n1.ovf')])) as {
      systems: { hardware: unknown[] }[];
    };
    expect(info.systems[0]!.hardware).toEqual([expect.objectContaining({ default: true, cpus: 2 })]);
  }, 300_000);

  it('vm info --json names the devices, and vm define --from-json makes a system with the same hardware', async () => {
    const def = [
      'vm',
      'define',
      '--name',
      'r1',
      '--cpus',
      '2',
      '--memory',
      '128M',
      '--disk-bus',
      'scsi',
      ...s,
    ];
    expect((await runCli([...def, '--disk', join(root, 'disk.raw'), '--nic', 'user,model=e1000'])).code).toBe(
      0,
    );
    const a = (await json(['vm', 'info', 'r1', ...s])) as {
      definition: { devices: unknown[]; name: string };
    };
    expect(a.definition).toMatchObject({ name: 'r1', cpus: 2, memoryBytes: 128 << 20 });
    expect(a.definition.devices).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ device: 'controller', kind: 'lsilogic' }),
        expect.objectContaining({ device: 'drive', kind: 'disk', image: join(root, 'disk.raw'), slot: 0 }),
        expect.objectContaining({ device: 'nic', model: 'e1000', network: 'user' }),
      ]),
    );
    expect(JSON.stringify(a.definition)).not.toContain('ResourceType');
    const file = join(root, 'r1.json');
    writeFileSync(file, JSON.stringify(a));
    const copy = await json(['vm', 'define', '--from-json', file, '--name', 'r2', ...s]);
    expect(copy).toMatchObject({ name: 'r2', state: 'stopped' });
    const b = (await json(['vm', 'info', 'r2', ...s])) as typeof a;
    expect({ ...b.definition, name: 'r1' }).toEqual(a.definition);
    writeFileSync(join(root, 'r3.json'), JSON.stringify({ ...a.definition, name: 'r3' }));
    const again = await json(['vm', 'define', '--from-json', join(root, 'r3.json'), ...s]);
    expect(again).toMatchObject({ name: 'r3' });
  }, 120_000);

  it('vm define --from-json checks the networks of the NICs as --nic does, and takes --disk-mode beside the file', async () => {
    const base = { cpus: 1, memoryBytes: 1 << 26 };
    const nic = (network: string) => ({ device: 'nic', id: '5', model: 'e1000', network });
    writeFileSync(
      join(root, 'lan.json'),
      JSON.stringify({ ...base, name: 'n1', devices: [nic('nosuchnet')] }),
    );
    const r = await runCli(['vm', 'define', '--from-json', join(root, 'lan.json'), ...s]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--from-json lan.json: the host has no network "nosuchnet"');
    expect((await runCli(['vm', 'info', 'n1', ...s])).code).not.toBe(0);

    const disk = {
      device: 'drive',
      id: '4',
      kind: 'disk',
      controller: '3',
      slot: 0,
      image: join(root, 'direct.raw'),
    };
    writeFileSync(join(root, 'direct.raw'), Buffer.alloc(1 << 20));
    const ctl = { device: 'controller', id: '3', kind: 'ide', address: 0 };
    writeFileSync(join(root, 'direct.json'), JSON.stringify({ ...base, name: 'd1', devices: [ctl, disk] }));
    const d = await runCli([
      'vm',
      'define',
      '--from-json',
      join(root, 'direct.json'),
      '--disk-mode',
      'direct',
      ...s,
    ]);
    expect(d.code, d.stderr).toBe(0);
    const info = (await json(['vm', 'info', 'd1', ...s])) as {
      definition: { properties?: Record<string, unknown> };
    };
    expect(info.definition.properties?.DiskMode).toBe('direct');
    const bad = await runCli([
      'vm',
      'define',
      '--from-json',
      join(root, 'direct.json'),
      '--disk-mode',
      'rw',
      ...s,
    ]);
    expect(bad.code).toBe(2);
  }, 120_000);

  it('vm define --from-json refuses malformed and hostile files with exit 2, naming the file and JSON path', async () => {
    const base = { name: 'h', cpus: 1, memoryBytes: 1 << 26 };
    const cases: [string, string, string][] = [
      ['syntax', '{"name": ', 'is not JSON'],
      [
        'kind',
        JSON.stringify({ ...base, devices: [{ device: 'controller', id: '1', kind: 'raid' }] }),
        '/devices/0/kind: unknown value "raid"',
      ],
      ['type', JSON.stringify({ ...base, cpus: 'two', devices: [] }), '/cpus: expected a whole number'],
      [
        'proto',
        '{"name":"h","devices":[],"properties":{"__proto__":{"x":"1"}}}',
        '/properties/__proto__: this key is not allowed',
      ],
      [
        'old-proto',
        '{"system":{"ElementName":"h","__proto__":{"x":"1"}},"resources":[]}',
        '/system/__proto__',
      ],
      [
        'big',
        JSON.stringify({ ...base, description: 'x'.repeat(5 << 20), devices: [] }),
        'a definition has at most 4194304',
      ],
    ];
    for (const [name, text, message] of cases) {
      const file = join(root, `hostile-${name}.json`);
      writeFileSync(file, text);
      const r = await runCli(['vm', 'define', '--from-json', file, ...s]);
      expect([name, r.code]).toEqual([name, 2]);
      expect(r.stderr).toContain(file);
      expect(r.stderr).toContain(message);
    }
    const list = JSON.parse((await runCli(['vm', 'list', '--json', ...s])).stdout) as { name: string }[];
    expect(list.map((v) => v.name)).not.toContain('h');
  }, 60_000);
});
