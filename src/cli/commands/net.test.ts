import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../../../test/helpers/cli.js';
import { type ServedHost, serveHost } from '../../../test/helpers/host.js';

// `vessel net` and the network names of `vm define --nic` and `deploy --net`, through the built CLI against
// `vessel host serve` on the test driver (which has the built-in `user` network, as the QEMU driver does).

const root = mkdtempSync(join(tmpdir(), 'vessel-cli-net-'));
const state = join(root, 'state');
const s = ['--state', state];
let host: ServedHost;

beforeAll(async () => {
  host = await serveHost(state);
  expect(host.output()).toContain('serving');
});
afterAll(async () => {
  await host.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('vessel net', () => {
  it('lists the built-in user network, defines networks of each mode and removes them', async () => {
    expect((await runCli(['net', 'list', '--json', ...s])).stdout).toBe('[{"name":"user","mode":"user"}]\n');
    const steps: [string[], string][] = [
      [
        ['net', 'define', 'lan', '--mode', 'bridge', '--bridge', 'br0'],
        'Defined the network "lan" (bridge: bridge br0)\n',
      ],
      [
        [
          'net',
          'define',
          'web',
          '--forward',
          'tcp:127.0.0.1:8080-:80',
          '--forward',
          'udp:127.0.0.1:5353-:53',
        ],
        'Defined the network "web" (user: forwards tcp:127.0.0.1:8080-:80, udp:127.0.0.1:5353-:53)\n',
      ],
      [['net', 'define', 'off', '--mode', 'none'], 'Defined the network "off" (none: not connected)\n'],
    ];
    for (const [args, out] of steps) {
      const r = await runCli([...args, ...s]);
      expect([r.code, r.stdout, r.stderr]).toEqual([0, out, '']);
    }
    const table = await runCli(['net', 'list', ...s]);
    expect(table.stdout).toBe(
      [
        'NAME  MODE    DETAIL',
        'user  user    NAT',
        'lan   bridge  bridge br0',
        'web   user    forwards tcp:127.0.0.1:8080-:80, udp:127.0.0.1:5353-:53',
        'off   none    not connected',
        '',
      ].join('\n'),
    );
    const json = await runCli(['net', 'define', 'j1', '--mode', 'none', '--json', ...s]);
    expect(JSON.parse(json.stdout)).toEqual({ name: 'j1', mode: 'none' });
    const rm = await runCli(['net', 'remove', 'j1', '--json', ...s]);
    expect([rm.code, rm.stdout]).toEqual([0, '{"removed":"j1"}\n']);
    const rm2 = await runCli(['net', 'remove', 'off', ...s]);
    expect([rm2.code, rm2.stdout]).toEqual([0, 'Removed the network "off"\n']);
    const names = JSON.parse((await runCli(['net', 'list', '--json', ...s])).stdout).map(
      (n: { name: string }) => n.name,
    );
    expect(names).toEqual(['user', 'lan', 'web']);
  }, 60_000);

  it('refuses odd definitions: modes, names, flags of another mode, open forwards, duplicates, the built-in one', async () => {
    const cases: [string[], number, string][] = [
      [['net', 'define', 'x', '--mode', 'nat'], 2, 'vessel: --mode "nat": use user, bridge, none\n'],
      [
        ['net', 'define', 'x', '--mode', 'bridge'],
        2,
        'vessel: --mode bridge needs --bridge BRIDGE (e.g. br0)\n',
      ],
      [['net', 'define', 'x', '--bridge', 'br0'], 2, 'vessel: --bridge is for --mode bridge, not user\n'],
      [
        ['net', 'define', 'x', '--mode', 'none', '--forward', 'tcp:127.0.0.1:1-:1'],
        2,
        'vessel: --forward is for --mode user, not none\n',
      ],
      [
        ['net', 'define', '../etc'],
        2,
        'vessel: The network name "../etc" is not 1 to 64 letters, digits, . _ - starting with a letter or digit\n',
      ],
      [
        ['net', 'define', 'x', '--forward', 'tcp:0.0.0.0:80-:80'],
        2,
        'vessel: network "x": "x".hostForwards must be like "tcp:127.0.0.1:2222-:22" (forwards listen on the loopback only)\n',
      ],
      [
        ['net', 'define', 'lan', '--mode', 'none'],
        1,
        'vessel: Cannot define the network "lan": it exists\n  hint: Remove it first: vessel net remove lan\n',
      ],
      [['net', 'remove', 'user'], 1, 'vessel: The network "user" is built in: it cannot be removed\n'],
      [
        ['net', 'remove', 'ghost'],
        1,
        'vessel: No network "ghost"\n  hint: The networks are: user, lan, web (vessel net list)\n',
      ],
    ];
    for (const [args, code, err] of cases) {
      const r = await runCli([...args, ...s]);
      expect([args.join(' '), r.code, r.stderr]).toEqual([args.join(' '), code, err]);
    }
    const bridge = await runCli(['net', 'define', 'x', '--mode', 'bridge', '--bridge', 'br0;rm -rf', ...s]);
    expect(bridge.code).toBe(2);
    expect(bridge.stderr).not.toContain('internal error');
    expect((await runCli(['net', 'list', '--state', join(root, 'none')])).code).toBe(3);
  }, 60_000);

  it('vm define --nic and deploy --net refuse a network the host does not have, naming it and vessel net list', async () => {
    const hint =
      '  hint: Its networks are: user, lan, web (vessel net list); add one with vessel net define\n';
    const bad = await runCli(['vm', 'define', '--name', 'n1', '--nic', 'lna,model=e1000', ...s]);
    expect([bad.code, bad.stderr]).toEqual([1, `vessel: --nic: the host has no network "lna"\n${hint}`]);
    expect(JSON.parse((await runCli(['vm', 'list', '--json', ...s])).stdout)).toEqual([]);
    const pkg = join(ROOT, 'test', 'fixtures', 'deploy', 'small.ovf');
    const dep = await runCli(['deploy', pkg, '--net', 'user=nowhere', ...s]);
    expect([dep.code, dep.stderr]).toEqual([1, `vessel: --net: the host has no network "nowhere"\n${hint}`]);
    const ok = await runCli(['vm', 'define', '--name', 'n1', '--nic', 'lan', '--nic', 'user', ...s]);
    expect([ok.code, ok.stderr]).toEqual([0, '']);
    const busy = await runCli(['net', 'remove', 'lan', ...s]);
    expect([busy.code, busy.stderr]).toEqual([
      1,
      'vessel: Cannot remove the network "lan": in use by "n1"\n  hint: Undefine those systems, or connect their NICs to another network, first\n',
    ]);
    // ovftool's spellings: --net:OVFNET=HOSTNET and --prop:KEY=VALUE.
    const alias = await runCli(['deploy', pkg, '--net:user=nowhere', ...s]);
    expect([alias.code, alias.stderr]).toEqual([
      1,
      `vessel: --net: the host has no network "nowhere"\n${hint}`,
    ]);
    const prop = await runCli(['deploy', pkg, '--prop:color=blue=ish', '--net:user=web', ...s]);
    expect([prop.code, prop.stderr]).toEqual([1, 'vessel: The package has no property "color"\n']);
    const empty = await runCli(['deploy', pkg, '--prop:', ...s]);
    expect([empty.code, empty.stderr]).toMatchObject([2, expect.stringContaining('use --prop KEY=VALUE')]);
    const deployed = await runCli(['deploy', pkg, '--name', 'd1', '--net:user=web', '--json', ...s]);
    expect(deployed.code, deployed.stderr).toBe(0);
    const info = JSON.parse((await runCli(['vm', 'info', 'd1', '--json', ...s])).stdout);
    const nics = info.definition.devices.filter((d: { device: string }) => d.device === 'nic');
    expect(nics.map((d: { network: string }) => d.network)).toEqual(['web']);
  }, 60_000);
});
