import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { HostClient, HostEvent, VmSummary } from '../../host/index.js';
import {
  buildDefinition,
  cpuCount,
  type DiskBus,
  formatBytes,
  memoryBytes,
  parseSize,
  readHardware,
  type SimpleSystemSpec,
  VesselError,
  type VirtualSystemDefinition,
} from '../../model/index.js';
import type { RemoteHost } from '../../wbem/index.js';
import { readInput } from '../files.js';
import { action, printJson, println } from '../output.js';
import { registerGroup } from '../program.js';
import { connectRemote, RemoteError, remoteTarget } from '../remote.js';
import { connectHost } from './host.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];
const STATE_HELP = 'state directory of the host (default: $VESSEL_STATE or ~/.local/share/vessel)';
const BUSES: DiskBus[] = ['ide', 'sata', 'scsi', 'virtio', 'nvme'];

/** Runs `fn` with a remote host (CIM-XML) when the command names one, else returns undefined. */
async function withRemote<T>(
  command: Command,
  fn: (r: RemoteHost) => Promise<T>,
): Promise<{ value: T } | undefined> {
  const target = remoteTarget(command);
  if (target === undefined) return undefined;
  const remote = await connectRemote(target, command);
  try {
    return { value: await fn(remote) };
  } finally {
    remote.client.close();
  }
}

/** The Api's state operation for each `vessel vm` state change (`stop` asks the guest: `shutdown`). */
const REMOTE_OP = {
  start: 'start',
  stop: 'shutdown',
  powerOff: 'powerOff',
  pause: 'pause',
  resume: 'resume',
  reset: 'reset',
} as const;

/** Runs `fn` with a client of the running host and closes it afterwards. */
async function withHost<T>(state: string | undefined, fn: (c: HostClient) => Promise<T>): Promise<T> {
  const client = await connectHost(state);
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

/** Parses `--nic NETWORK[,model=M][,mac=MAC]`. */
function parseNic(text: string): { network: string; model?: string; mac?: string } {
  const [network, ...opts] = text.split(',');
  const nic: { network: string; model?: string; mac?: string } = { network: network || 'user' };
  for (const o of opts) {
    const [k, v] = o.split('=');
    if (k === 'model' && v) nic.model = v;
    else if (k === 'mac' && v) nic.mac = v;
    else
      throw new VesselError(
        'USAGE',
        `--nic "${text}": unknown option "${o}"; use NETWORK[,model=M][,mac=MAC]`,
      );
  }
  return nic;
}

/** `--memory`: a size such as 256M; a bad one is a usage error. */
function sizeOption(text: string): bigint {
  try {
    return parseSize(text);
  } catch (e) {
    throw new VesselError('USAGE', `--memory: ${(e as Error).message}`);
  }
}

interface DefineOptions {
  state?: string;
  name?: string;
  cpus: string;
  memory: string;
  disk?: string[];
  cdrom?: string[];
  nic?: string[];
  diskBus?: string;
  vnc?: boolean;
  firmware?: string;
  fromJson?: string;
  json?: boolean;
}

async function definitionFrom(opts: DefineOptions): Promise<VirtualSystemDefinition> {
  if (opts.fromJson !== undefined) {
    const text = (await readInput(opts.fromJson)).toString('utf8');
    try {
      return JSON.parse(text) as VirtualSystemDefinition;
    } catch (e) {
      throw new VesselError('USAGE', `${opts.fromJson} is not JSON: ${(e as Error).message}`);
    }
  }
  if (opts.name === undefined) throw new VesselError('USAGE', 'vm define needs --name (or --from-json FILE)');
  if (!/^\d+$/.test(opts.cpus)) throw new VesselError('USAGE', `--cpus "${opts.cpus}" is not a whole number`);
  const bus = (opts.diskBus ?? 'ide') as DiskBus;
  if (!BUSES.includes(bus))
    throw new VesselError('USAGE', `--disk-bus "${opts.diskBus}": use ${BUSES.join(', ')}`);
  if (opts.firmware !== undefined && opts.firmware !== 'bios' && opts.firmware !== 'efi') {
    throw new VesselError('USAGE', `--firmware "${opts.firmware}": use bios or efi`);
  }
  const spec: SimpleSystemSpec = {
    name: opts.name,
    cpus: Number(opts.cpus),
    memoryBytes: sizeOption(opts.memory),
    disks: (opts.disk ?? []).map((d) => resolve(d)),
    cdroms: (opts.cdrom ?? []).map((d) => resolve(d)),
    diskBus: bus,
    nics: (opts.nic ?? []).map(parseNic),
    graphics: opts.vnc ? 'vnc' : 'none',
    ...(opts.firmware === undefined ? {} : { firmware: opts.firmware as 'bios' | 'efi' }),
  };
  return buildDefinition(spec);
}

const PAST: Record<string, string> = {
  start: 'Started',
  stop: 'Stopped',
  powerOff: 'Powered off',
  pause: 'Paused',
  resume: 'Resumed',
  reset: 'Reset',
};

function stateChange(program: Command, name: string, op: string, description: string): Command {
  return program
    .command(name)
    .description(description)
    .argument('<vm>', 'name or UUID')
    .option('--state <dir>', STATE_HELP)
    .option('--json', 'print JSON')
    .option('--no-wait', 'return the job id at once instead of waiting')
    .action(
      action(
        async (
          vm: string,
          opts: { state?: string; json?: boolean; wait: boolean; force?: boolean; timeout?: string },
          command: Command,
        ) => {
          const realOp = op === 'stop' && opts.force ? 'powerOff' : op;
          const timeoutMs = opts.timeout === undefined ? undefined : Number(opts.timeout) * 1000;
          const remote = await withRemote(command, async (r) => {
            // A guest timeout is something RequestStateChange cannot carry: the Api refuses it (exit 4).
            const guest = timeoutMs === undefined ? {} : { timeoutMs };
            const job = await r.change(
              vm,
              REMOTE_OP[realOp as keyof typeof REMOTE_OP],
              opts.wait ? 300_000 : 0,
              guest,
            );
            return { job, vm: job.result };
          });
          if (remote) {
            const v = remote.value.vm;
            if (opts.json)
              printJson({
                job: remote.value.job.id,
                ...(v === undefined
                  ? {}
                  : { vm: { name: v.name, uuid: v.uuid, state: v.state, reason: v.reason.text } }),
              });
            else if (v === undefined) println(`Job ${remote.value.job.id} started`);
            else println(`${PAST[realOp]} "${v.name}": ${v.state} (${v.reason.text})`);
            return 0;
          }
          const r = await withHost(opts.state, (c) =>
            c.call<{ job: string; vm?: VmSummary }>('vm.change', {
              vm,
              op: realOp,
              wait: opts.wait,
              ...(timeoutMs === undefined ? {} : { timeoutMs }),
            }),
          );
          if (opts.json) printJson(r);
          else if (r.vm === undefined) println(`Job ${r.job} started`);
          else println(`${PAST[realOp]} "${r.vm.name}": ${r.vm.state} (${r.vm.reason})`);
          return 0;
        },
      ),
    );
}

registerGroup((program: Command) => {
  const cmd = program
    .command('vm')
    .description('Define, run and inspect virtual systems on the running host');

  cmd
    .command('define')
    .description('Define a system from flags (VSSD + RASDs with DMTF names) or from a JSON definition')
    .option('--state <dir>', STATE_HELP)
    .option('--name <name>', 'the system name (VSSD ElementName)')
    .option('--cpus <n>', 'virtual CPUs', '1')
    .option('--memory <size>', 'memory, e.g. 256M or 1G', '256M')
    .option('--disk <file>', 'a disk image (repeatable); the system writes to a qcow2 overlay', collect)
    .option('--cdrom <iso>', 'a CD/DVD image (repeatable)', collect)
    .option(
      '--nic <network>',
      'a network adapter: user[,model=e1000][,mac=52:54:00:..] (repeatable)',
      collect,
    )
    .option('--disk-bus <bus>', `the disks' controller: ${BUSES.join(', ')}`, 'ide')
    .option('--vnc', 'a graphics card with VNC on 127.0.0.1')
    .option('--firmware <fw>', 'bios or efi')
    .option('--from-json <file>', 'a definition as JSON ({system, resources})')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: DefineOptions, command: Command) => {
        const def = await definitionFrom(opts);
        const remote = await withRemote(command, (r) => r.define(def));
        if (remote) {
          if (opts.json) printJson({ name: remote.value });
          else println(`Defined "${remote.value}"`);
          return 0;
        }
        const vm = await withHost(opts.state, (c) => c.call<VmSummary>('vm.define', { definition: def }));
        if (opts.json) printJson(vm);
        else println(`Defined "${vm.name}" (${vm.uuid})`);
        return 0;
      }),
    );

  cmd
    .command('list')
    .description('List the systems: name, UUID, state')
    .option('--state <dir>', STATE_HELP)
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { state?: string; json?: boolean }, command: Command) => {
        const remote = await withRemote(command, (r) => r.list());
        const vms: Array<Pick<VmSummary, 'name' | 'uuid' | 'state' | 'reason'>> = remote
          ? remote.value.map((v) => ({
              name: v.name,
              uuid: v.uuid,
              state: v.state as VmSummary['state'],
              reason: v.reason.text,
            }))
          : await withHost(opts.state, (c) => c.call<VmSummary[]>('vm.list'));
        if (opts.json) {
          printJson(vms.map((v) => ({ name: v.name, uuid: v.uuid, state: v.state, reason: v.reason })));
          return 0;
        }
        const w = Math.max(4, ...vms.map((v) => v.name.length));
        println(`${'NAME'.padEnd(w)}  ${'UUID'.padEnd(36)}  STATE`);
        for (const v of vms) println(`${v.name.padEnd(w)}  ${v.uuid}  ${v.state} (${v.reason})`);
        return 0;
      }),
    );

  stateChange(cmd, 'start', 'start', 'Start a stopped system');
  stateChange(cmd, 'stop', 'stop', 'Ask the guest to shut down (ACPI), powering it off after --timeout')
    .option('--force', 'power off at once')
    .option('--timeout <seconds>', 'how long the guest has to shut down (default 60)');
  stateChange(cmd, 'pause', 'pause', 'Pause a running system');
  stateChange(cmd, 'resume', 'resume', 'Resume a paused system');
  stateChange(cmd, 'reset', 'reset', 'Reset a running system (hard reset)');

  cmd
    .command('undefine')
    .description('Remove a stopped system and its overlays')
    .argument('<vm>', 'name or UUID')
    .option('--state <dir>', STATE_HELP)
    .action(
      action(async (vm: string, opts: { state?: string }, command: Command) => {
        const remote = await withRemote(command, (r) => r.destroy(vm));
        if (!remote) await withHost(opts.state, (c) => c.call('vm.undefine', { vm }));
        println(`Undefined "${vm}"`);
        return 0;
      }),
    );

  cmd
    .command('console')
    .description("Print the guest's serial console log (--log) or attach to it (Ctrl-] detaches)")
    .argument('<vm>', 'name or UUID')
    .option('--state <dir>', STATE_HELP)
    .option('--log', 'print what the guest wrote to its serial port, then exit')
    .action(
      action(async (vm: string, opts: { state?: string; log?: boolean }, command: Command) => {
        if (remoteTarget(command) !== undefined) {
          throw new RemoteError(
            'NOT_SUPPORTED',
            'The serial console is a Vessel-only feature that CIM does not carry; run vessel vm console on the host itself',
          );
        }
        if (opts.log) {
          const r = await withHost(opts.state, (c) => c.call<{ log: string }>('vm.console', { vm }));
          process.stdout.write(r.log);
          return 0;
        }
        return attachConsole(vm, opts.state);
      }),
    );

  cmd
    .command('info')
    .description('Show a system: state and reason, hardware, recent events')
    .argument('<vm>', 'name or UUID')
    .option('--state <dir>', STATE_HELP)
    .option('--json', 'print JSON')
    .action(
      action(async (vm: string, opts: { state?: string; json?: boolean }, command: Command) => {
        const remote = await withRemote(command, (r) => r.find(vm));
        if (remote) {
          const system = remote.value;
          const info = {
            name: system.name,
            uuid: system.uuid,
            state: system.state,
            reason: system.reason.text,
            definition: system.definition,
          };
          if (opts.json) printJson(info);
          else printVmInfo(info as VmSummary & { definition: VirtualSystemDefinition }, []);
          return 0;
        }
        const [info, events] = await withHost(opts.state, async (c) => {
          const i = await c.call<VmSummary & { definition: VirtualSystemDefinition }>('vm.get', { vm });
          return [i, await c.call<HostEvent[]>('events.list', { vm: i.uuid })] as const;
        });
        if (opts.json) {
          printJson({ ...info, events });
          return 0;
        }
        printVmInfo(info, events);
        return 0;
      }),
    );
});

function printVmInfo(info: VmSummary & { definition: VirtualSystemDefinition }, events: HostEvent[]): void {
  const def = info.definition;
  const hw = readHardware(def.resources);
  const mem = memoryBytes(def);
  println(`name:    ${info.name}`);
  println(`uuid:    ${info.uuid}`);
  println(`state:   ${info.state} (${info.reason})`);
  println(`cpus:    ${cpuCount(def) ?? '?'}`);
  println(`memory:  ${mem === undefined ? '?' : formatBytes(mem)}`);
  for (const d of hw.drives) println(`${d.kind.padEnd(8)} ${d.instanceId}: ${d.hostResource ?? '(empty)'}`);
  for (const n of hw.nics)
    println(`nic      ${n.instanceId}: ${n.subType ?? 'e1000'} ${n.mac ?? ''} on ${n.connection ?? 'user'}`);
  println('events:');
  for (const e of events.slice(-10))
    println(`  ${e.time} ${e.kind} ${e.state ?? ''} (${e.reason}; ${e.cause})`);
}

/** Attaches the terminal to the serial console until Ctrl-] or the connection ends. */
async function attachConsole(vm: string, state: string | undefined): Promise<number> {
  const client = await connectHost(state);
  const sock = await client.attachConsole(vm);
  const stdin = process.stdin;
  if (stdin.isTTY) stdin.setRawMode(true);
  process.stderr.write(`Connected to the console of "${vm}" (Ctrl-] detaches)\r\n`);
  await new Promise<void>((done) => {
    stdin.on('data', (d: Buffer) => {
      if (d.includes(0x1d)) return done();
      sock.write(d);
    });
    sock.on('data', (d: Buffer | string) => process.stdout.write(d));
    sock.on('close', () => done());
    stdin.on('end', () => setTimeout(done, 500));
  });
  if (stdin.isTTY) stdin.setRawMode(false);
  stdin.pause();
  sock.destroy();
  return 0;
}
