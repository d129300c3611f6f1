import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  buildGuestPackage,
  DEFAULT_DRIVER_URI,
  Host,
  HostClient,
  type HostInfo,
  resolveStateDir,
  serveHost,
} from '../../host/index.js';
import { ensureTestGuest, findTestGuest, type TestGuest } from '../../hypervisor/index.js';
import { VesselError } from '../../model/index.js';
import { type CimXmlEndpoint, hostApiFactory, serveCimXml } from '../../wbem/index.js';
import { action, printJson, println } from '../output.js';

/** A bad command-line value (exit 2). */
class UsageError extends VesselError<'USAGE'> {}

import { registerGroup } from '../program.js';

/** Connects to the host of `--state` (or `$VESSEL_STATE`, or the default), or fails with HOST_NOT_RUNNING. */
export async function connectHost(state: string | undefined): Promise<HostClient> {
  return HostClient.connect(resolveStateDir(state));
}

/** Options of `vessel host serve`. */
interface ServeOptions {
  state?: string;
  driver?: string;
  stopVms?: boolean;
  cimHttp: string;
  cimHttps: string;
  cimListen?: string;
  cimAnonymous?: string;
}

function port(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new UsageError('USAGE', `${flag} must be a port number from 0 (off) to 65535, not "${text}"`);
  }
  return n;
}

/** Starts the CIM-XML endpoint (DSP0200) on the host's Api unless both ports are 0. */
async function startCim(
  host: Host,
  stateDir: string,
  opts: ServeOptions,
): Promise<CimXmlEndpoint | undefined> {
  const http = port(opts.cimHttp, '--cim-http');
  const https = port(opts.cimHttps, '--cim-https');
  if (http === 0 && https === 0) return undefined;
  const role = opts.cimAnonymous;
  if (role !== undefined && !['admin', 'operator', 'reader'].includes(role)) {
    throw new UsageError('USAGE', `--cim-anonymous must be admin, operator or reader, not "${role}"`);
  }
  return serveCimXml({
    // Each CIM user gets a session of the host's Api (its pools appear as DSP1047 pools).
    api: hostApiFactory(host),
    stateDir,
    http: http ? { port: http, host: opts.cimListen } : undefined,
    https: https ? { port: https, host: opts.cimListen } : undefined,
    anonymousRole: role as 'admin' | 'operator' | 'reader' | undefined,
    onInternalError: (e) =>
      process.stderr.write(`vessel: CIM internal error: ${e instanceof Error ? e.stack : String(e)}\n`),
  });
}

function cimUrls(cim: CimXmlEndpoint, listen: string | undefined): string[] {
  const out: string[] = [];
  if (cim.server.httpPort) out.push(`http://${listen ?? '127.0.0.1'}:${cim.server.httpPort}/cimom`);
  if (cim.server.httpsPort) out.push(`https://${listen ?? '0.0.0.0'}:${cim.server.httpsPort}/cimom`);
  return out;
}

/** Runs the host in the foreground until SIGTERM or SIGINT, then stops it cleanly. */
async function serve(opts: ServeOptions): Promise<number> {
  port(opts.cimHttp, '--cim-http');
  port(opts.cimHttps, '--cim-https');
  const stateDir = resolveStateDir(opts.state);
  const host = await Host.open({
    stateDir,
    driverUri: opts.driver ?? process.env.VESSEL_DRIVER ?? DEFAULT_DRIVER_URI,
  });
  let server: Awaited<ReturnType<typeof serveHost>>;
  let cim: CimXmlEndpoint | undefined;
  try {
    server = await serveHost(host);
    cim = await startCim(host, stateDir, opts);
  } catch (e) {
    await host.close();
    throw e;
  }
  const info = await host.info();
  println(
    `vessel host serving ${stateDir} with ${info.uri} (accelerator ${info.accelerator}: ${info.acceleratorReason}); ${info.vmCount} systems`,
  );
  if (cim) println(`CIM-XML: ${cimUrls(cim, opts.cimListen).join(', ')}`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await cim?.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await host.close({ stopVms: opts.stopVms === true });
  println('vessel host stopped');
  return 0;
}

/** The demo package: the test guest as an OVA with user-configurable properties, built once beside the guest. */
async function demoPackage(guest: TestGuest): Promise<string> {
  const out = join(guest.dir, 'demo.ova');
  if (existsSync(out)) return out;
  println(`Building the demo OVA ${out} (once; cached)...`);
  await buildGuestPackage({
    disk: guest.disk,
    out,
    name: 'vessel-demo',
    properties: [
      { key: 'hostname', type: 'string', value: 'vessel-demo', userConfigurable: true, label: 'Host name' },
      {
        key: 'greeting',
        type: 'string',
        qualifiers: 'MinLen(1) MaxLen(80)',
        userConfigurable: true,
        label: 'What the guest says',
      },
    ],
  });
  return out;
}

/**
 * The main job: a host on the embedded defaults (QEMU, probed accelerator, SQLite state), a demo OVA (the test
 * guest with properties) deployed onto it with a property value, powered on, and its serial console printed until
 * it powers off: the guest prints the OVF environment it read from its CD, with the value given.
 */
async function runDemo(opts: { state?: string; driver: string }): Promise<number> {
  if (findTestGuest() === undefined)
    println('Building the test guest from Debian packages (once; cached)...');
  const guest = await ensureTestGuest();
  const ova = await demoPackage(guest);
  const stateDir = resolveStateDir(opts.state ?? mkdtempSync(join(tmpdir(), 'vessel-demo-')));
  const host = await Host.open({ stateDir, driverUri: opts.driver });
  const server = await serveHost(host);
  try {
    printHostInfo(await host.info());
    println(`(other terminals: vessel vm list --state ${stateDir})`);
    const greeting = `Hello from an OVF property, deployed at ${new Date().toISOString()}`;
    const name = `demo-${Date.now().toString(36)}`;
    println(`vessel deploy ${ova} --name ${name} --prop greeting="${greeting}" --power-on`);
    const r = await host.deploy({ package: ova, name, properties: { greeting }, powerOn: true }).done;
    const vm = r.vms[0]!;
    println(`deployed ${vm.name} (${vm.uuid}); disks converted, manifest verified; powered on`);
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
    const log = await con.readLog();
    const ok = log.includes(guest.markers.done) && log.includes(greeting);
    println(
      ok
        ? 'demo: the deployed guest booted, printed its OVF environment with the property given, and powered off'
        : 'demo: the guest did not print its OVF environment with the property',
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
    .option(
      '--cim-http <port>',
      'CIM-XML over HTTP, on 127.0.0.1 unless --cim-listen (0 disables)',
      process.env.VESSEL_CIM_HTTP ?? '5988',
    )
    .option(
      '--cim-https <port>',
      'CIM-XML over HTTPS, certificate generated on first start (0 disables)',
      process.env.VESSEL_CIM_HTTPS ?? '5989',
    )
    .option(
      '--cim-listen <address>',
      'address for the CIM listeners (default: 127.0.0.1 for HTTP, all for HTTPS)',
    )
    .option('--cim-anonymous <role>', 'let requests without credentials in with this role (off by default)')
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
      'The main job: start a host on the embedded defaults, deploy the demo OVA with a property, show the console',
    )
    .option('--state <dir>', 'state directory (default: a fresh temporary one)')
    .option('--driver <uri>', 'driver URI', DEFAULT_DRIVER_URI)
    .action(action(runDemo));
});
