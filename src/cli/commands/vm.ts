import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  ApiError,
  type ApiEvent,
  isApiError,
  resultOf,
  type StateOperation,
  type SystemDetail,
} from '../../api/index.js';
import {
  buildDefinition,
  cpuCount,
  DISK_MODE_PROPERTY,
  DISK_MODES,
  type DiskBus,
  diskModeOf,
  formatBytes,
  memoryBytes,
  parseSize,
  readDevices,
  type SimpleSystemSpec,
  VesselError,
  type VirtualSystemDefinition,
} from '../../model/index.js';
import { connectApi, withApi } from '../connect.js';
import { action, printJson, println } from '../output.js';
import { registerGroup } from '../program.js';
import { watchStop } from '../watch-stop.js';
import { checkNetworks } from './net-check.js';
import { parseNewDisk } from './vm-disks.js';
import { readDefinitionFile, systemJson } from './vm-json.js';
import { addMetadataCommand } from './vm-metadata.js';
import { addStatsCommand } from './vm-stats.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];
const BUSES: DiskBus[] = ['ide', 'sata', 'scsi', 'virtio', 'nvme'];

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
  name?: string;
  cpus: string;
  memory: string;
  disk?: string[];
  newDisk?: string[];
  cdrom?: string[];
  nic?: string[];
  diskBus?: string;
  diskMode?: string;
  vnc?: boolean;
  firmware?: string;
  fromJson?: string;
  json?: boolean;
}

async function definitionFrom(opts: DefineOptions): Promise<VirtualSystemDefinition> {
  const diskMode = DISK_MODES.find((m) => m === (opts.diskMode ?? 'overlay'));
  if (diskMode === undefined)
    throw new VesselError('USAGE', `--disk-mode "${opts.diskMode}": use ${DISK_MODES.join(' or ')}`);
  if (opts.fromJson !== undefined) {
    const def = await readDefinitionFile(opts.fromJson, opts.name);
    // --disk-mode given beside a file says the mode of the copy (a file's own DiskMode otherwise).
    if (opts.diskMode === undefined) return def;
    const { [DISK_MODE_PROPERTY]: _, ...system } = def.system;
    return { ...def, system: diskMode === 'direct' ? { ...system, [DISK_MODE_PROPERTY]: diskMode } : system };
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
    disks: [...(opts.disk ?? []).map((d) => resolve(d)), ...(opts.newDisk ?? []).map(parseNewDisk)],
    cdroms: (opts.cdrom ?? []).map((d) => resolve(d)),
    diskBus: bus,
    nics: (opts.nic ?? []).map(parseNic),
    graphics: opts.vnc ? 'vnc' : 'none',
    ...(opts.firmware === undefined ? {} : { firmware: opts.firmware as 'bios' | 'efi' }),
    ...(diskMode === 'direct' ? { diskMode } : {}),
  };
  return buildDefinition(spec);
}

/** The host networks a definition's NICs name; none for one too malformed to read (the host refuses it). */
function networksOf(def: VirtualSystemDefinition): string[] {
  try {
    return [...new Set(readDevices(def).nics.map((n) => n.network ?? 'user'))];
  } catch {
    return [];
  }
}

/** Each `vessel vm` state change: the Api's operation and what the command prints once it is done. */
const CHANGES = {
  start: { op: 'start', done: 'Started' },
  stop: { op: 'shutdown', done: 'Stopped' },
  pause: { op: 'pause', done: 'Paused' },
  resume: { op: 'resume', done: 'Resumed' },
  reboot: { op: 'reboot', done: 'Rebooted' },
  reset: { op: 'reset', done: 'Reset' },
} as const satisfies Record<string, { op: StateOperation; done: string }>;

interface ChangeOptions {
  json?: boolean;
  wait: boolean;
  force?: boolean;
  timeout?: string;
}

function timeoutMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text))
    throw new VesselError('USAGE', `--timeout "${text}" is not a whole number of seconds`);
  return Number(text) * 1000;
}

function stateChange(program: Command, name: keyof typeof CHANGES, description: string): Command {
  return program
    .command(name)
    .description(description)
    .argument('<vm>', 'name or UUID')
    .option('--json', 'print JSON (the job)')
    .option('--no-wait', 'return the job id at once instead of waiting')
    .action(
      action(async (vm: string, opts: ChangeOptions, command: Command) => {
        const force = name === 'stop' && opts.force === true;
        const op: StateOperation = force ? 'powerOff' : CHANGES[name].op;
        const timeout = timeoutMs(opts.timeout);
        const job = await withApi(command, (api) =>
          api.systems.changeState(vm, op, {
            waitMs: opts.wait ? Number.POSITIVE_INFINITY : 0,
            ...(timeout === undefined ? {} : { timeoutMs: timeout }),
          }),
        );
        if (!opts.wait) {
          if (opts.json) printJson(job);
          else println(`Job ${job.id} started`);
          return 0;
        }
        const s = resultOf(job);
        if (opts.json) printJson(job);
        else
          println(`${force ? 'Powered off' : CHANGES[name].done} "${s.name}": ${s.state} (${s.reason.text})`);
        return 0;
      }),
    );
}

registerGroup((program: Command) => {
  const cmd = program
    .command('vm')
    .description(
      'Define, run and inspect the virtual systems of the host (--connect, default: the local one)',
    );

  cmd
    .command('define')
    .description('Define a system from flags (VSSD + RASDs with DMTF names) or from a JSON definition')
    .option('--name <name>', 'the system name (VSSD ElementName)')
    .option('--cpus <n>', 'virtual CPUs', '1')
    .option('--memory <size>', 'memory, e.g. 256M or 1G', '256M')
    .option(
      '--disk <file>',
      'a disk image (repeatable); with --disk-mode overlay the image is never written',
      collect,
    )
    .option(
      '--new-disk <size>',
      'a new empty disk the host creates: SIZE[,pool=NAME], e.g. 8G or 512M,pool=fast (a qcow2 in the pool, the default pool when none is named; deleted with the system); after the --disk images (repeatable)',
      collect,
    )
    .option('--cdrom <iso>', 'a CD/DVD image (repeatable)', collect)
    .option(
      '--nic <network>',
      'a network adapter on a host network (vessel net list): user[,model=e1000][,mac=52:54:00:..] (repeatable)',
      collect,
    )
    .option('--disk-bus <bus>', `the disks' controller: ${BUSES.join(', ')}`, 'ide')
    .option(
      '--disk-mode <mode>',
      'overlay: the system writes to a qcow2 overlay of its own (STATE/vms/UUID), the image stays unchanged; direct: it writes to the image itself, which must lie in a storage pool and no other system may use',
      'overlay',
    )
    .option(
      '--vnc',
      'a graphics card with a VNC display, reached only through the host (web UI, REST WebSocket)',
    )
    .option('--firmware <fw>', 'bios or efi')
    .option(
      '--from-json <file>',
      'a definition as JSON: what vm info --json prints (named kinds), or {system, resources}; --name renames it',
    )
    .option('--json', 'print JSON')
    .action(
      action(async (opts: DefineOptions, command: Command) => {
        const def = await definitionFrom(opts);
        const nets = (opts.nic ?? []).map((n) => parseNic(n).network);
        // A file's NICs name host networks as --nic does: a misspelt one is refused, never NAT by default.
        const fileNets = opts.fromJson === undefined ? [] : networksOf(def);
        const vm = resultOf(
          await withApi(command, async (api) => {
            await checkNetworks(api, nets, '--nic');
            await checkNetworks(api, fileNets, `--from-json ${basename(opts.fromJson ?? '')}`);
            return api.systems.define(def, { waitMs: Number.POSITIVE_INFINITY });
          }),
        );
        if (opts.json) printJson(vm);
        else println(`Defined "${vm.name}" (${vm.uuid})`);
        return 0;
      }),
    );

  cmd
    .command('list')
    .description('List the systems: name, UUID, state')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { json?: boolean }, command: Command) => {
        const vms = await withApi(command, (api) => api.systems.list());
        if (opts.json) {
          printJson(vms);
          return 0;
        }
        const w = Math.max(4, ...vms.map((v) => v.name.length));
        println(`${'NAME'.padEnd(w)}  ${'UUID'.padEnd(36)}  STATE`);
        for (const v of vms)
          println(`${v.name.padEnd(w)}  ${v.uuid.padEnd(36)}  ${v.state} (${v.reason.text})`);
        return 0;
      }),
    );

  stateChange(cmd, 'start', 'Start a stopped system');
  stateChange(cmd, 'stop', 'Ask the guest to shut down (ACPI), powering it off after --timeout')
    .option('--force', 'power off at once')
    .option('--timeout <seconds>', 'how long the guest has to shut down (default 60)');
  stateChange(cmd, 'pause', 'Pause a running system');
  stateChange(cmd, 'resume', 'Resume a paused system');
  stateChange(
    cmd,
    'reboot',
    'Ask the guest to restart (ACPI shutdown, then start); the guest has --timeout',
  ).option('--timeout <seconds>', 'how long the guest has to shut down (default 60)');
  stateChange(cmd, 'reset', 'Reset a running system at once (hard reset: the guest is not asked)');

  cmd
    .command('undefine')
    .description(
      'Remove a stopped system and its overlays (what the guest wrote); the images it names are never deleted',
    )
    .argument('<vm>', 'name or UUID')
    .option(
      '--keep-disks',
      "keep the guest's data: each overlay disk becomes a standalone qcow2 in the default pool, a direct disk stays",
    )
    .option('--json', 'print JSON (the job, whose result lists the kept images)')
    .action(
      action(async (vm: string, opts: { keepDisks?: boolean; json?: boolean }, command: Command) => {
        const job = await withApi(command, (api) =>
          api.systems.undefine(vm, {
            waitMs: Number.POSITIVE_INFINITY,
            ...(opts.keepDisks === true ? { keepDisks: true } : {}),
          }),
        );
        const { keptImages } = resultOf(job);
        if (opts.json) printJson(job);
        else {
          println(`Undefined "${vm}"`);
          for (const k of keptImages)
            println(`Kept disk ${k.instanceId}: pool ${k.pool} image ${k.image} (${k.how})`);
        }
        return 0;
      }),
    );

  cmd
    .command('console')
    .description("Print the guest's serial console log (--log) or attach to it (Ctrl-] detaches)")
    .argument('<vm>', 'name or UUID')
    .option('--log', 'print what the guest wrote to its serial port, then exit')
    .action(
      action(async (vm: string, opts: { log?: boolean }, command: Command) => {
        if (opts.log) {
          process.stdout.write(await withApi(command, (api) => api.consoles.log(vm)));
          return 0;
        }
        return attachConsole(vm, command);
      }),
    );

  cmd
    .command('info')
    .description('Show a system: state and reason, hardware, recent events')
    .argument('<vm>', 'name or UUID')
    .option('--json', 'print JSON')
    .action(
      action(async (vm: string, opts: { json?: boolean }, command: Command) => {
        const [info, events] = await withApi(command, async (api) => {
          const detail = await api.systems.get(vm);
          return [detail, await recentEvents(api.events.list({ system: detail.uuid, limit: 10 }))] as const;
        });
        if (opts.json) printJson(systemJson(info, events));
        else printVmInfo(info, events);
        return 0;
      }),
    );

  addStatsCommand(cmd);
  addMetadataCommand(cmd);
});

/** A system's recent events; none when the host does not keep events for this connection (CIM-XML). */
async function recentEvents(list: Promise<ApiEvent[]>): Promise<ApiEvent[]> {
  try {
    return await list;
  } catch (e) {
    if (isApiError(e, 'NOT_SUPPORTED')) return [];
    throw e;
  }
}

function eventLine(e: ApiEvent): string {
  if (e.type === 'system.state') return `${e.time} ${e.type} ${e.state} (${e.reason.text}; ${e.cause.kind})`;
  if (e.type === 'system.device') return `${e.time} ${e.type} ${e.action} ${e.instanceId}`;
  if ('detail' in e && e.detail !== undefined) return `${e.time} ${e.type} (${e.detail})`;
  return `${e.time} ${e.type}`;
}

function printVmInfo(info: SystemDetail, events: ApiEvent[]): void {
  const def = info.definition;
  const devices = readDevices(def);
  const mem = memoryBytes(def);
  println(`name:    ${info.name}`);
  println(`uuid:    ${info.uuid}`);
  println(`state:   ${info.state} (${info.reason.text})`);
  println(`cpus:    ${cpuCount(def) ?? '?'}`);
  println(`memory:  ${mem === undefined ? '?' : formatBytes(mem)}`);
  // The display has no address of its own: the host bridges it (the web UI's console, REST's WebSocket).
  if (info.display !== undefined)
    println(
      `display: ${info.display.protocol} (through the host: /api/v1/systems/${encodeURIComponent(info.name)}/console/vnc)`,
    );
  const mode = diskModeOf(def.system) ?? '?';
  for (const d of devices.drives) {
    const how =
      d.kind === 'disk' && d.hostResource !== undefined
        ? ` (${mode}${mode === 'overlay' ? ': base image, never written' : ': written in place'})`
        : '';
    println(`${d.kind.padEnd(8)} ${d.instanceId}: ${d.hostResource ?? '(empty)'}${how}`);
  }
  for (const n of devices.nics)
    println(`nic      ${n.instanceId}: ${n.subType ?? 'e1000'} ${n.macText ?? ''} on ${n.network ?? 'user'}`);
  println('events:');
  for (const e of events.slice(-10)) println(`  ${eventLine(e)}`);
}

/** Attaches the terminal to the serial console until Ctrl-] or the connection ends. */
async function attachConsole(vm: string, command: Command): Promise<number> {
  const api = await connectApi(command);
  try {
    const channel = await api.consoles.open(vm, 'serial').catch((e: unknown) => {
      if (!isApiError(e, 'INVALID_STATE')) throw e;
      throw new ApiError(e.code, e.message, {
        hint: `Start it (vessel vm start ${vm}), or print what it wrote: vessel vm console ${vm} --log`,
      });
    });
    const stdin = process.stdin;
    if (stdin.isTTY) stdin.setRawMode(true);
    process.stderr.write(`Connected to the console of "${vm}" (Ctrl-] detaches)\r\n`);
    let ended = () => {};
    let finished = false;
    await new Promise<void>((done) => {
      stdin.on('data', (d: Buffer) => {
        if (d.includes(0x1d)) return done();
        channel.write(d).catch(() => done());
      });
      stdin.on('end', () => setTimeout(done, 500));
      (async () => {
        for await (const chunk of channel.input) process.stdout.write(chunk);
      })().then(done, done);
      // A system that stops ends the session even where the transport keeps the channel open.
      watchStop(api, vm, (why) => {
        process.stderr.write(`\r\n${why}\r\n`);
        done();
      }).then((stop) => {
        // A watch that arrives after the detach is stopped at once (over REST it is a stream of its own).
        if (finished) stop();
        else ended = stop;
      }, done);
    });
    finished = true;
    ended();
    if (stdin.isTTY) stdin.setRawMode(false);
    stdin.pause();
    await channel.close();
    return 0;
  } finally {
    await api.close();
  }
}
