import type { Command } from 'commander';
import type { NetworkInfo } from '../../api/index.js';
import { VesselError } from '../../model/index.js';
import { withApi } from '../connect.js';
import { action, printJson, println } from '../output.js';
import { registerGroup } from '../program.js';

/**
 * `vessel net`: the host's networks (api.networks), the names a NIC's Connection (`vm define --nic NET`,
 * `deploy --net OVFNET=NET`) gives. On the QEMU driver they are kept in STATE/networks.json; `user` (user-mode
 * NAT) is built in.
 */

const collect = (v: string, prev: string[] = []) => [...prev, v];
const MODES = ['user', 'bridge', 'none'] as const;

function detail(n: NetworkInfo): string {
  if (n.mode === 'bridge') return `bridge ${n.bridge}`;
  if (n.mode === 'user') return n.hostForwards?.length ? `forwards ${n.hostForwards.join(', ')}` : 'NAT';
  return 'not connected';
}

function printNetworks(nets: NetworkInfo[]): void {
  const w = Math.max(4, ...nets.map((n) => n.name.length));
  println(`${'NAME'.padEnd(w)}  ${'MODE'.padEnd(6)}  DETAIL`);
  for (const n of nets) println(`${n.name.padEnd(w)}  ${n.mode.padEnd(6)}  ${detail(n)}`);
}

interface DefineOpts {
  mode: string;
  bridge?: string;
  forward?: string[];
  json?: boolean;
}

/** The network `net define` asks for, from its flags; a flag that does not fit the mode is a usage error. */
function networkOf(name: string, o: DefineOpts): NetworkInfo {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name))
    throw new VesselError(
      'USAGE',
      `The network name "${name.slice(0, 80)}" is not 1 to 64 letters, digits, . _ - starting with a letter or digit`,
    );
  if (!(MODES as readonly string[]).includes(o.mode))
    throw new VesselError('USAGE', `--mode "${o.mode}": use ${MODES.join(', ')}`);
  if (o.mode !== 'bridge' && o.bridge !== undefined)
    throw new VesselError('USAGE', `--bridge is for --mode bridge, not ${o.mode}`);
  if (o.mode !== 'user' && o.forward !== undefined)
    throw new VesselError('USAGE', `--forward is for --mode user, not ${o.mode}`);
  if (o.mode === 'bridge') {
    if (o.bridge === undefined)
      throw new VesselError('USAGE', '--mode bridge needs --bridge BRIDGE (e.g. br0)');
    return { name, mode: 'bridge', bridge: o.bridge };
  }
  if (o.mode === 'user')
    return { name, mode: 'user', ...(o.forward === undefined ? {} : { hostForwards: o.forward }) };
  return { name, mode: 'none' };
}

registerGroup((program: Command) => {
  const cmd = program
    .command('net')
    .description('The networks of the host: the names NICs connect to (user-mode NAT, a bridge, or none)');

  cmd
    .command('list')
    .description('List the networks: name, mode, bridge or forwards')
    .option('--json', 'print JSON (an array of networks)')
    .action(
      action(async (opts: { json?: boolean }, command: Command) => {
        const nets = await withApi(command, (api) => api.networks.list());
        if (opts.json) printJson(nets);
        else printNetworks(nets);
        return 0;
      }),
    );

  cmd
    .command('define')
    .description('Define a network (used by systems started afterwards)')
    .argument('<name>', '1 to 64 letters, digits, . _ -')
    .option('--mode <mode>', `${MODES.join(', ')}`, 'user')
    .option('--bridge <bridge>', 'the host bridge for --mode bridge (it must exist when a system starts)')
    .option(
      '--forward <rule>',
      'a host forward for --mode user, e.g. tcp:127.0.0.1:2222-:22 (loopback only; repeatable)',
      collect,
    )
    .option('--json', 'print JSON')
    .action(
      action(async (name: string, opts: DefineOpts, command: Command) => {
        const wanted = networkOf(name, opts);
        const net = await withApi(command, (api) => api.networks.define(wanted));
        if (opts.json) printJson(net);
        else println(`Defined the network "${net.name}" (${net.mode}: ${detail(net)})`);
        return 0;
      }),
    );

  cmd
    .command('remove')
    .description('Remove a network; refused while a defined system has a NIC on it')
    .argument('<name>', 'the network')
    .option('--json', 'print JSON')
    .action(
      action(async (name: string, opts: { json?: boolean }, command: Command) => {
        await withApi(command, (api) => api.networks.remove(name));
        if (opts.json) printJson({ removed: name });
        else println(`Removed the network "${name}"`);
        return 0;
      }),
    );
});
