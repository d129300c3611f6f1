import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  DEFAULT_DRIVER_URI,
  Host,
  HostClient,
  type HostInfo,
  resolveStateDir,
  serveHost,
} from '../../host/index.js';
import { ensureTestGuest, findTestGuest } from '../../hypervisor/index.js';
import { buildDefinition } from '../../model/index.js';
import { action, printJson, println } from '../output.js';
import { registerGroup } from '../program.js';

/** Connects to the host of `--state` (or `$VESSEL_STATE`, or the default), or fails with HOST_NOT_RUNNING. */
export async function connectHost(state: string | undefined): Promise<HostClient> {
  return HostClient.connect(resolveStateDir(state));
}

/** Runs the host in the foreground until SIGTERM or SIGINT, then stops it cleanly. */
async function serve(opts: { state?: string; driver?: string; stopVms?: boolean }): Promise<number> {
  const stateDir = resolveStateDir(opts.state);
  const host = await Host.open({
    stateDir,
    driverUri: opts.driver ?? process.env.VESSEL_DRIVER ?? DEFAULT_DRIVER_URI,
  });
  let server: Awaited<ReturnType<typeof serveHost>>;
  try {
    server = await serveHost(host);
  } catch (e) {
    await host.close();
    throw e;
  }
  const info = await host.info();
  println(
    `vessel host serving ${stateDir} with ${info.uri} (accelerator ${info.accelerator}: ${info.acceleratorReason}); ${info.vmCount} systems`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await host.close({ stopVms: opts.stopVms === true });
  println('vessel host stopped');
  return 0;
}

/**
 * The main job: a host on the embedded defaults (QEMU, probed accelerator, SQLite state), the test guest booted
 * with an OVF environment CD, and its serial console printed until it powers off.
 */
async function runDemo(opts: { state?: string; driver: string }): Promise<number> {
  if (findTestGuest() === undefined)
    println('Building the test guest from Debian packages (once; cached)...');
  const guest = await ensureTestGuest();
  const stateDir = resolveStateDir(opts.state ?? mkdtempSync(join(tmpdir(), 'vessel-demo-')));
  const host = await Host.open({ stateDir, driverUri: opts.driver });
  const server = await serveHost(host);
  try {
    printHostInfo(await host.info());
    println(`(other terminals: vessel vm list --state ${stateDir})`);
    const def = buildDefinition({
      name: `demo-${Date.now().toString(36)}`,
      cpus: 1,
      memoryBytes: 256n << 20n,
      disks: [guest.disk],
      cdroms: [guest.iso],
      nics: [{ network: 'user' }],
    });
    const vm = await host.define(def);
    println(`defined ${vm.name} (${vm.uuid}); starting it`);
    await host.change(vm.uuid, 'start').done;
    println('--- serial console ---');
    const con = await host.console(vm.uuid);
    let shown = 0;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const log = await con.readLog();
      if (log.length > shown) process.stdout.write(log.slice(shown));
      shown = Math.max(shown, log.length);
      if (host.get(vm.uuid).state === 'stopped') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const final = host.get(vm.uuid);
    println('--- end of console ---');
    println(`${final.name}: ${final.state} (${final.reason})`);
    const ok = (await con.readLog()).includes(guest.markers.done);
    println(
      ok
        ? 'demo: the guest booted, read its OVF environment and powered off'
        : 'demo: the guest did not finish',
    );
    return ok ? 0 : 1;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await host.close({ stopVms: true });
  }
}

function printHostInfo(info: HostInfo): void {
  println(`driver:       ${info.driver} (${info.uri})`);
  println(`accelerator:  ${info.accelerator} (${info.acceleratorReason})`);
  if (info.hypervisorVersion !== undefined) println(`QEMU version: ${info.hypervisorVersion}`);
  println(`systems:      ${info.vmCount}`);
  println(`state:        ${info.stateDir}`);
  println(`host pid:     ${info.pid}, since ${info.startedAt}`);
}

registerGroup((program: Command) => {
  const cmd = program.command('host').description('Run the embedded hypervisor host and ask it about itself');

  cmd
    .command('serve')
    .description('Run the host in the foreground until SIGTERM; systems keep running unless --stop-vms')
    .option('--state <dir>', 'state directory (default: $VESSEL_STATE or ~/.local/share/vessel)')
    .option(
      '--driver <uri>',
      `driver URI: ${DEFAULT_DRIVER_URI} (default), qemu:///embed?accel=tcg, test:///default`,
    )
    .option('--stop-vms', 'stop every running system when the host stops')
    .action(action(serve));

  cmd
    .command('info')
    .description(
      'Driver, accelerator (kvm or tcg, and why), QEMU version and system count of the running host',
    )
    .option('--state <dir>', 'state directory')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { state?: string; json?: boolean }) => {
        const client = await connectHost(opts.state);
        try {
          const info = await client.call<HostInfo>('host.info');
          if (opts.json) {
            printJson({
              driver: info.driver,
              uri: info.uri,
              accelerator: info.accelerator,
              acceleratorReason: info.acceleratorReason,
              qemuVersion: info.hypervisorVersion ?? null,
              vmCount: info.vmCount,
              stateDir: info.stateDir,
              pid: info.pid,
              capabilities: info.capabilities,
            });
          } else printHostInfo(info);
        } finally {
          client.close();
        }
        return 0;
      }),
    );

  cmd
    .command('demo')
    .description(
      'The main job: start a host on the embedded defaults, boot the test guest and show its console',
    )
    .option('--state <dir>', 'state directory (default: a fresh temporary one)')
    .option('--driver <uri>', 'driver URI', DEFAULT_DRIVER_URI)
    .action(action(runDemo));
});
