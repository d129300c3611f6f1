import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_CIM_PORTS, ROOT, runCli } from '../../../test/helpers/cli.js';
import { type ServedHost, serveHost } from '../../../test/helpers/host.js';
import { freePort } from '../../../test/helpers/ports.js';

/** `vessel deploy --dry-run`, `--options-out` and `--options` through the built CLI, against a test-driver host. */
const LICENSED = join(ROOT, 'test/fixtures/deploy/licensed.ovf');
const HOSTILE = join(ROOT, 'test/fixtures/hostile/packages');
const root = mkdtempSync(join(tmpdir(), 'vessel-cli-dryrun-'));
const state = join(root, 'state');
const at = ['--state', state];
let host: ServedHost;
let cimPort: number;

beforeAll(async () => {
  expect((await runCli(['user', 'add', 'admin', '--role', 'admin', ...at], { input: 'secret\n' })).code).toBe(
    0,
  );
  cimPort = await freePort();
  host = await serveHost(state, [...NO_CIM_PORTS, '--cim-http', String(cimPort)]);
  expect(host.output()).toContain('serving');
});
afterAll(async () => {
  await host.stop();
  rmSync(root, { recursive: true, force: true });
});

/** Every path under the state folder (not the database's content, which any call may touch). */
function stateFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      out.push(relative(state, p));
      if (e.isDirectory()) walk(p);
    }
  };
  walk(state);
  return out.sort();
}

const systems = async () => JSON.parse((await runCli(['vm', 'list', '--json', ...at])).stdout) as unknown[];

/** The OVF environment a deployed system got (its ISO holds ovf-env.xml as plain text). */
function environmentOf(uuid: string): Record<string, string> {
  const iso = readFileSync(join(state, 'vms', uuid, 'ovf-env.iso')).toString('latin1');
  return Object.fromEntries(
    [...iso.matchAll(/oe:key="([^"]+)" oe:value="([^"]*)"/g)].map((m) => [m[1], m[2]]),
  );
}

// Each case runs the CLI several times (up to two dozen): 120 s each, as under a heavy load.
describe('vessel deploy --dry-run', { timeout: 120_000 }, () => {
  it('shows the hardware, options, properties, networks and the whole EULA, and deploys and writes nothing', async () => {
    const before = stateFiles();
    const r = await runCli(['deploy', LICENSED, '--dry-run', ...at]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const out = r.stdout;
    expect(out).toContain('Dry run of licensed.ovf: nothing was deployed or written on the host');
    expect(out).toContain('system "appliance" (VirtualSystem "appliance"):');
    expect(out).toMatch(/^ {2}cpus: +1$/m);
    expect(out).toMatch(/^ {2}memory: +64 MiB$/m);
    expect(out).toMatch(/^ {2}controller 3 +ahci {2}"SATA"$/m);
    expect(out).toMatch(/^ {2}disk 4 +on ahci 3 slot 0, 8 MiB blank disk {2}"Data disk"$/m);
    expect(out).toMatch(/^ {2}nic 5 +vmxnet3 on "front" -> host network "user" {2}"NIC"$/m);
    expect(out).toMatch(/^ {2}cdrom 7 .*OVF environment CD/m);
    expect(out).toContain(
      'note: Item "6" left out: Parallel port (ResourceType 22) has no QEMU equivalent (it is optional)',
    );
    expect(out).toMatch(/^ {2}small {2}"Small" {2}\(default, chosen\)$/m);
    expect(out).toMatch(/^ {2}large {2}"Large"$/m);
    expect(out).toMatch(/^ {2}hostname +string +default "appliance"; user-configurable {2}"Host name"$/m);
    expect(out).toMatch(/^ {2}port +uint16 +default "8080"; user-configurable/m);
    expect(out).toMatch(/^ {2}owner +string +no default; user-configurable, REQUIRED: must be given/m);
    expect(out).toMatch(/^ {2}admin_password +string +no default \(password\); user-configurable, REQUIRED/m);
    expect(out).toMatch(/^ {2}build +string +default "7"; fixed$/m);
    expect(out).toContain('front (Front end) -> user: the host has no network "front": user-mode NAT');
    expect(out).toContain('--- license 1 of 1 ---\nLICENSE AGREEMENT\nUse it kindly.\nDo not resell it.\n');
    expect(out).toContain('warning: Property "owner" (Owner) has no default and must be given');
    expect(await systems()).toEqual([]);
    expect(stateFiles()).toEqual(before);

    const large = await runCli(['deploy', LICENSED, '--dry-run', '--config', 'large', ...at]);
    expect(large.code).toBe(0);
    expect(large.stdout).toMatch(/^ {2}memory: +256 MiB$/m);
    expect(large.stdout).toMatch(/^ {2}port +uint16 +default "8443"/m);
    expect(large.stdout).toMatch(/^ {2}small {2}"Small" {2}\(default\)$/m);
    expect(large.stdout).toMatch(/^ {2}large {2}"Large" {2}\(chosen\)$/m);
    expect(stateFiles()).toEqual(before);
  });

  it('refuses required hardware the host cannot give as the deploy does, and shows what --lax leaves out', async () => {
    const pkg = join(root, 'required.ovf');
    writeFileSync(pkg, readFileSync(LICENSED, 'utf8').replace('<Item ovf:required="false">', '<Item>'));
    const dry = await runCli(['deploy', pkg, '--dry-run', ...at]);
    const real = await runCli([
      'deploy',
      pkg,
      '--accept-eula',
      '--prop',
      'owner=o',
      '--prop',
      'admin_password=12345678',
      ...at,
    ]);
    expect(dry.code).toBe(1);
    expect(dry.stderr).toContain(
      '"appliance" has hardware this host cannot give it: item "6": Parallel port',
    );
    expect(dry.stderr).toContain('--lax leaves out required ones too');
    expect(real.code).toBe(1);
    expect(real.stderr).toContain(dry.stderr.split('\n')[0]!);
    const lax = await runCli(['deploy', pkg, '--dry-run', '--lax', ...at]);
    expect(lax.code).toBe(0);
    expect(lax.stdout).toContain(
      'note: Item "6" left out: Parallel port (ResourceType 22) has no QEMU equivalent (--lax)',
    );
    expect(await systems()).toEqual([]);
  });

  it("prints a package's text with its terminal controls and bidi overrides replaced, never as they are", async () => {
    const pkg = join(root, 'controls.ovf');
    const text = readFileSync(LICENSED, 'utf8')
      .replace('<License>LICENSE AGREEMENT', '<License>LICENSE &#x9b;31mAGREEMENT &#x202e;exe.txt')
      .replace('<Label>Owner</Label>', '<Label>Own&#x9b;2Jer</Label>');
    writeFileSync(pkg, text);
    const r = await runCli(['deploy', pkg, '--dry-run', ...at]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('LICENSE \ufffd31mAGREEMENT \ufffdexe.txt\nUse it kindly.');
    expect(r.stdout).toContain('"Own\ufffd2Jer"');
    expect(r.stdout).not.toMatch(/[\u009b\u202e]/);
  });

  it('--json prints the plan and the options a deploy would take', async () => {
    const r = await runCli(['deploy', LICENSED, '--dry-run', '--json', '--net', 'front=user', ...at]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j).sort()).toEqual(
      [
        'configuration',
        'configurations',
        'eulas',
        'networks',
        'options',
        'properties',
        'systems',
        'warnings',
      ].sort(),
    );
    expect(j.configuration).toBe('small');
    expect(j.systems).toHaveLength(1);
    expect(j.systems[0].disks).toEqual([
      { diskId: 'data', capacityBytes: 8 << 20, fileName: 'image-data.qcow2', blank: true },
    ]);
    // The named form of `vm info --json`: kinds, not ResourceType numbers.
    const devices = j.systems[0].definition.devices as Array<{ kind?: string; model?: string }>;
    expect(devices.map((d) => d.kind ?? d.model)).toEqual(
      expect.arrayContaining(['ahci', 'disk', 'cdrom', 'vmxnet3']),
    );
    expect(j.properties.find((p: { key: string }) => p.key === 'admin_password')).toEqual({
      key: 'admin_password',
      type: 'string',
      label: 'Administrator password',
      userConfigurable: true,
      password: true,
      required: true,
    });
    expect(j.eulas).toEqual(['LICENSE AGREEMENT\nUse it kindly.\nDo not resell it.']);
    expect(j.networks).toEqual([{ name: 'front', description: 'Front end' }]);
    expect(j.options).toEqual({
      name: 'appliance',
      configuration: 'small',
      properties: { hostname: 'appliance', port: '8080', owner: '', admin_password: '' },
      networks: { front: 'user' },
      powerOn: false,
      acceptEula: false,
      lax: false,
      requireSignature: false,
    });
  });

  it("writes no name for a collection (--name would prefix each system's), and classed property keys", async () => {
    const r = await runCli([
      'deploy',
      join(ROOT, 'test/fixtures/deploy/collection.ovf'),
      '--dry-run',
      '--options-out',
      '-',
      ...at,
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      configuration: 'small',
      properties: { domain: 'example.test', 'org.example.db.port': '5432' },
      networks: { front: 'user' },
      powerOn: false,
      acceptEula: false,
      lax: false,
      requireSignature: false,
    });
  });

  it('maps a package network to the host network of the same name, and refuses an unknown --net target', async () => {
    expect((await runCli(['net', 'define', 'front', ...at])).code).toBe(0);
    try {
      const r = await runCli(['deploy', LICENSED, '--dry-run', '--options-out', '-', ...at]);
      expect(JSON.parse(r.stdout).networks).toEqual({ front: 'front' });
      const bad = await runCli(['deploy', LICENSED, '--dry-run', '--net', 'front=nosuch', ...at]);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('--net: the host has no network "nosuch"');
    } finally {
      expect((await runCli(['net', 'remove', 'front', ...at])).code).toBe(0);
    }
  });

  it('writes an options file that the real deploy takes, with flags given in place of its values', async () => {
    const file = join(root, 'appliance.json');
    const w = await runCli([
      'deploy',
      LICENSED,
      '--dry-run',
      '--config',
      'large',
      '--options-out',
      file,
      ...at,
    ]);
    expect(w.code).toBe(0);
    expect(w.stdout).toContain(`Wrote the deploy options to ${file}; edit it, then: vessel deploy`);
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect([written.configuration, written.properties.port, written.acceptEula]).toEqual([
      'large',
      '8443',
      false,
    ]);
    expect(await systems()).toEqual([]);

    // As written, the deploy is refused: the license is not accepted.
    const unedited = await runCli(['deploy', LICENSED, '--options', file, ...at]);
    expect(unedited.code).toBe(1);
    expect(unedited.stderr).toContain('license agreement that must be accepted');

    written.name = 'lic1';
    written.acceptEula = true;
    written.properties.owner = 'ops';
    written.properties.admin_password = 'correct horse';
    writeFileSync(file, JSON.stringify(written, null, 2));
    const d = await runCli(['deploy', LICENSED, '--options', file, '--json', ...at]);
    expect(d.code).toBe(0);
    const done = JSON.parse(d.stdout);
    expect(done.configuration).toBe('large');
    expect(done.systems[0].name).toBe('lic1');
    expect(environmentOf(done.systems[0].uuid)).toEqual({
      hostname: 'appliance',
      port: '8443',
      owner: 'ops',
      admin_password: 'correct horse',
      build: '7',
    });
    const info = JSON.parse((await runCli(['vm', 'info', 'lic1', '--json', ...at])).stdout);
    expect(info.definition.memoryBytes).toBe(256 * 2 ** 20);

    // Flags win over the file: name, deployment option, one property; the file's other values (port) stay.
    const o = await runCli([
      'deploy',
      LICENSED,
      '--options',
      file,
      '--name',
      'lic2',
      '--config',
      'small',
      '--prop',
      'owner=dev',
      '--json',
      ...at,
    ]);
    expect(o.code).toBe(0);
    const over = JSON.parse(o.stdout);
    expect([over.configuration, over.systems[0].name]).toEqual(['small', 'lic2']);
    expect(environmentOf(over.systems[0].uuid)).toMatchObject({
      port: '8443',
      owner: 'dev',
      hostname: 'appliance',
    });
    expect(((await systems()) as { name: string }[]).map((s) => s.name).sort()).toEqual(['lic1', 'lic2']);
  });

  it('refuses a hostile or malformed options file (exit 2, naming the file and the JSON path) and deploys nothing', async () => {
    const f = (name: string, content: string | Buffer) => {
      const p = join(root, name);
      writeFileSync(p, content);
      return p;
    };
    const dir = join(root, 'options-dir.json');
    mkdirSync(dir);
    const fifo = join(root, 'options.fifo');
    execFileSync('mkfifo', [fifo]);
    const cases: [string, RegExp][] = [
      [
        f('unknown.json', '{"powerOn": false, "bogus": 1}'),
        /^vessel: Options file ".*unknown\.json": \/bogus: not a deploy option\n/,
      ],
      [
        f('type.json', '{"properties": {"port": 8080}}'),
        /^vessel: Options file ".*type\.json": \/properties\/port: Expected string\n/,
      ],
      [
        f('bool.json', '{"acceptEula": "yes"}'),
        /^vessel: Options file ".*bool\.json": \/acceptEula: Expected boolean\n/,
      ],
      [f('array.json', '[]'), /^vessel: Options file ".*array\.json": \/: Expected object\n/],
      [
        f('waitms.json', '{"waitMs": -1}'),
        /^vessel: Options file ".*waitms\.json": \/waitMs: not a deploy option\n/,
      ],
      [
        f('long.json', JSON.stringify({ name: 'x'.repeat(200) })),
        /^vessel: Options file ".*long\.json": \/name: Expected string length less/,
      ],
      [f('syntax.json', '{"name": "a",'), /^vessel: Options file ".*syntax\.json": not JSON \(/],
      [
        f('big.json', Buffer.alloc((4 << 20) + 1, 0x20)),
        /^vessel: Options file ".*big\.json": larger than 4194304 bytes; it is not read\n/,
      ],
      [dir, /^vessel: Cannot read ".*options-dir\.json": it is a directory\n$/],
      [fifo, /^vessel: Cannot read ".*options\.fifo": it is not a regular file\n$/],
      [join(root, 'absent.json'), /^vessel: Cannot read ".*absent\.json": no such file\n$/],
    ];
    for (const [file, message] of cases) {
      const r = await runCli(['deploy', LICENSED, '--options', file, '--accept-eula', ...at]);
      expect([file, r.code], r.stderr).toEqual([file, 2]);
      expect(r.stderr).toMatch(message);
    }
    // The dry run reads the file the same way (three of the cases, to keep the test short).
    for (const [file] of [cases[0]!, cases[7]!, cases[9]!]) {
      const dry = await runCli(['deploy', LICENSED, '--dry-run', '--options', file, '--json', ...at]);
      expect([file, dry.code]).toEqual([file, 2]);
      expect(JSON.parse(dry.stdout).error.code).toMatch(/^(USAGE|IO_READ)$/);
    }
    expect(statSync(fifo).isFIFO()).toBe(true);
    const noDry = await runCli(['deploy', LICENSED, '--options-out', join(root, 'x.json'), ...at]);
    expect([noDry.code, noDry.stderr]).toEqual([
      2,
      'vessel: --options-out writes the options of a dry run: add --dry-run\n',
    ]);
    expect(((await systems()) as { name: string }[]).filter((s) => s.name === 'appliance')).toEqual([]);
  });

  it('through CIM-XML, which has no OVF deploy method, the dry run is not supported (exit 4), like the deploy', async () => {
    const url = `http://admin:secret@127.0.0.1:${cimPort}`;
    const dry = await runCli(['--connect', url, 'deploy', LICENSED, '--dry-run']);
    const real = await runCli(['--connect', url, 'deploy', LICENSED, '--accept-eula']);
    expect([dry.code, real.code]).toEqual([4, 4]);
    expect(dry.stderr).toMatch(
      /^vessel: Cannot inspect a package .*DSP1042 has no OVF deploy or export method/,
    );
    expect(real.stderr).toMatch(
      /^vessel: Cannot deploy a package .*DSP1042 has no OVF deploy or export method/m,
    );
  });

  it('refuses a hostile package exactly as the deploy does, with nothing registered or written', async () => {
    const before = stateFiles();
    const vms = await systems();
    for (const pkg of ['disk-absolute.ovf', 'cdrom-file-url.ovf', 'href-dotdot.ovf']) {
      const path = join(HOSTILE, pkg);
      const dry = await runCli(['deploy', path, '--dry-run', '--lax', ...at]);
      const real = await runCli(['deploy', path, '--lax', ...at]);
      const refusal = (s: string) =>
        s.split('\n').filter((l) => l.startsWith('vessel: ') || l.startsWith('  hint: '));
      expect(dry.code, pkg).toBe(1);
      expect([pkg, dry.code, refusal(dry.stderr)]).toEqual([pkg, real.code, refusal(real.stderr)]);
      expect(refusal(dry.stderr)[0]).toMatch(/canary/);
      const json = await runCli(['deploy', path, '--dry-run', '--json', '--lax', ...at]);
      const realJson = await runCli(['deploy', path, '--json', '--lax', ...at]);
      expect(JSON.parse(json.stdout).error.code).toBe(JSON.parse(realJson.stdout).error.code);
    }
    expect(await systems()).toEqual(vms);
    expect(stateFiles().filter((p) => !p.startsWith('jobs'))).toEqual(
      before.filter((p) => !p.startsWith('jobs')),
    );
  });
});
