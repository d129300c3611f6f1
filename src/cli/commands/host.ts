import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Capabilities, HostInfo } from '../../api/index.js';
import {
  buildGuestPackage,
  DEFAULT_DRIVER_URI,
  Host,
  type HostInfo as LocalHostInfo,
  resolveStateDir,
  serveHostApi,
} from '../../host/index.js';
import { ensureTestGuest, findTestGuest, type TestGuest } from '../../hypervisor/index.js';
import { VesselError } from '../../model/index.js';
import { type RestEndpoint, serveRest } from '../../rest/index.js';
import { type CimXmlEndpoint, hostApiFactory, serveCimXml } from '../../wbem/index.js';
import { markCommand } from '../connect/kinds.js';
import { withApi } from '../connect.js';
import { action, printJson, println } from '../output.js';
import { registerGroup } from '../program.js';
import { addSurfaceCommand } from './host-surface.js';

/** A bad command-line value (exit 2). */
class UsageError extends VesselError<'USAGE'> {}

/** Options of `vessel host serve` (`--state` is the program's). */
interface ServeOptions {
  driver?: string;
  stopVms?: boolean;
  cimHttp: string;
  cimHttps: string;
  cimListen?: string;
  cimAnonymous?: string;
  http: string;
  https: string;
  listen?: string;
  wsmanHttp: string;
  wsmanHttps: string;
  metricsInterval: string;
}

/** `--metrics-interval SECONDS`: 0 (off) or 1 to 3600. */
function metricsInterval(text: string): number {
  const n = Number(text);
  if (!/^[0-9]{1,4}$/.test(text) || n > 3600)
    throw new UsageError('USAGE', `--metrics-interval must be seconds from 0 (off) to 3600, not "${text}"`);
  return n * 1000;
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
  const wsHttp = port(opts.wsmanHttp, '--wsman-http');
  const wsHttps = port(opts.wsmanHttps, '--wsman-https');
  if (http === 0 && https === 0 && wsHttp === 0 && wsHttps === 0) return undefined;
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
    // WS-Man: the same CIM service, users and certificate (WinRM's ports 5985 and 5986).
    wsman: {
      http: wsHttp ? { port: wsHttp, host: opts.cimListen } : undefined,
      https: wsHttps ? { port: wsHttps, host: opts.cimListen } : undefined,
    },
    anonymousRole: role as 'admin' | 'operator' | 'reader' | undefined,
    onInternalError: (e) =>
      process.stderr.write(`vessel: CIM internal error: ${e instanceof Error ? e.stack : String(e)}\n`),
  });
}

/** Starts the REST endpoint (/api/v1) on the host's Api unless both ports are 0. */
async function startRest(
  host: Host,
  stateDir: string,
  opts: ServeOptions,
): Promise<RestEndpoint | undefined> {
  const http = port(opts.http, '--http');
  const https = port(opts.https, '--https');
  if (http === 0 && https === 0) return undefined;
  return serveRest({
    // Each REST user gets a session of the host's Api, through the same entry as CIM-XML.
    api: hostApiFactory(host),
    stateDir,
    users: host.users,
    tokens: host.tokens,
    http: http ? { port: http, host: opts.listen } : undefined,
    https: https ? { port: https, host: opts.listen } : undefined,
    onInternalError: (e) =>
      process.stderr.write(`vessel: REST internal error: ${e instanceof Error ? e.stack : String(e)}\n`),
  });
}

function restUrls(rest: RestEndpoint, listen: string | undefined): string[] {
  const out: string[] = [];
  if (rest.server.httpPort) out.push(`http://${listen ?? '127.0.0.1'}:${rest.server.httpPort}/api/v1`);
  if (rest.server.httpsPort) out.push(`https://${listen ?? '0.0.0.0'}:${rest.server.httpsPort}/api/v1`);
  return out;
}

function wsmanUrls(cim: CimXmlEndpoint, listen: string | undefined): string[] {
  const out: string[] = [];
  if (cim.wsman?.httpPort) out.push(`http://${listen ?? '127.0.0.1'}:${cim.wsman.httpPort}/wsman`);
  if (cim.wsman?.httpsPort) out.push(`https://${listen ?? '0.0.0.0'}:${cim.wsman.httpsPort}/wsman`);
  return out;
}

function cimUrls(cim: CimXmlEndpoint, listen: string | undefined): string[] {
  const out: string[] = [];
  if (cim.server.httpPort) out.push(`http://${listen ?? '127.0.0.1'}:${cim.server.httpPort}/cimom`);
  if (cim.server.httpsPort) out.push(`https://${listen ?? '0.0.0.0'}:${cim.server.httpsPort}/cimom`);
  return out;
}

/** Node's errors of a listener that cannot listen, as usage errors naming the address (exit 2); others as they are. */
function listenError(e: unknown, opts: ServeOptions): unknown {
  const err = e as NodeJS.ErrnoException & { address?: string; port?: number };
  const why: Record<string, string> = {
    EADDRINUSE: 'the port is in use',
    EACCES: 'this user may not listen on it',
    EADDRNOTAVAIL: 'the address is not one of this machine',
  };
  if (!(e instanceof Error) || err.code === undefined || !Object.hasOwn(why, err.code)) return e;
  const flags: [string, string][] = [
    ['--cim-http', opts.cimHttp],
    ['--cim-https', opts.cimHttps],
    ['--wsman-http', opts.wsmanHttp],
    ['--wsman-https', opts.wsmanHttps],
    ['--http', opts.http],
    ['--https', opts.https],
  ];
  const which = flags.find(([, p]) => err.port !== undefined && String(err.port) === p)?.[0] ?? '--cim-http';
  const what = which.startsWith('--cim') ? 'CIM-XML' : which.startsWith('--wsman') ? 'WS-Man' : 'REST';
  return new UsageError(
    'USAGE',
    `Cannot serve ${what} on ${err.address ?? (what === 'REST' ? opts.listen : opts.cimListen) ?? '127.0.0.1'}:${err.port ?? '?'} (${which}): ${why[err.code]}`,
    { hint: 'Choose another port, or stop what listens there' },
  );
}

/** Runs the host in the foreground until SIGTERM or SIGINT, then stops it cleanly. */
async function serve(opts: ServeOptions, command: Command): Promise<number> {
  port(opts.cimHttp, '--cim-http');
  port(opts.cimHttps, '--cim-https');
  port(opts.http, '--http');
  port(opts.https, '--https');
  port(opts.wsmanHttp, '--wsman-http');
  port(opts.wsmanHttps, '--wsman-https');
  const intervalMs = metricsInterval(opts.metricsInterval);
  const stateDir = resolveStateDir(command.optsWithGlobals<{ state?: string }>().state);
  const host = await Host.open({
    stateDir,
    driverUri: opts.driver ?? process.env.VESSEL_DRIVER ?? DEFAULT_DRIVER_URI,
    metrics: { intervalMs },
  });
  let server: Awaited<ReturnType<typeof serveHostApi>> | undefined;
  let cim: CimXmlEndpoint | undefined;
  let rest: RestEndpoint | undefined;
  try {
    server = await serveHostApi(host);
    cim = await startCim(host, stateDir, opts);
    rest = await startRest(host, stateDir, opts);
  } catch (e) {
    // Nothing is left half-started: the socket goes with the host.
    await cim?.close();
    await server?.close();
    await host.close();
    throw listenError(e, opts);
  }
  const info = await host.info();
  println(
    `vessel host serving ${stateDir} with ${info.uri} (accelerator ${info.accelerator}: ${info.acceleratorReason}); ${info.vmCount} systems`,
  );
  if (cim?.server.httpPort || cim?.server.httpsPort)
    println(`CIM-XML: ${cimUrls(cim, opts.cimListen).join(', ')}`);
  if (cim?.wsman) println(`WS-Man: ${wsmanUrls(cim, opts.cimListen).join(', ')}`);
  if (rest) println(`REST: ${restUrls(rest, opts.listen).join(', ')}`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await rest?.close();
  await cim?.close();
  await server.close();
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
async function runDemo(opts: { driver: string }, command: Command): Promise<number> {
  const state = command.optsWithGlobals<{ state?: string }>().state;
  if (findTestGuest() === undefined)
    println('Building the test guest from Debian packages (once; cached)...');
  const guest = await ensureTestGuest();
  const ova = await demoPackage(guest);
  const stateDir = resolveStateDir(state ?? mkdtempSync(join(tmpdir(), 'vessel-demo-')));
  const host = await Host.open({ stateDir, driverUri: opts.driver });
  const server = await serveHostApi(host);
  try {
    printDemoHost(await host.info());
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
    await server.close();
    await host.close({ stopVms: true });
  }
}

function printDemoHost(info: LocalHostInfo): void {
  println(`driver:       ${info.driver} (${info.uri})`);
  println(`accelerator:  ${info.accelerator} (${info.acceleratorReason})`);
  if (info.hypervisorVersion !== undefined) println(`QEMU version: ${info.hypervisorVersion}`);
  println(`state:        ${info.stateDir}`);
}

/** The accelerator a host uses: the first usable one it reports. */
function acceleratorOf(caps: Capabilities): Capabilities['accelerators'][number] | undefined {
  return caps.accelerators.find((a) => a.usable) ?? caps.accelerators[0];
}

function printHostInfo(info: HostInfo, caps: Capabilities): void {
  const accel = acceleratorOf(caps);
  println(`host:         ${info.name} (through ${info.transport})`);
  println(`driver:       ${info.driver.name}${info.driver.uri === '' ? '' : ` (${info.driver.uri})`}`);
  const sw = info.software;
  if (sw !== undefined)
    println(
      `software:     ${sw.image ? 'Vessel host image' : 'Vessel'} ${sw.version}${sw.digest === undefined ? '' : ` (sha256 ${sw.digest})`}`,
    );
  if (accel !== undefined) println(`accelerator:  ${accel.name} (${accel.reason})`);
  if (info.driver.hypervisorVersion !== undefined)
    println(`hypervisor:   ${info.driver.name} ${info.driver.hypervisorVersion}`);
  println(`systems:      ${info.systemCount}`);
  if (info.local !== undefined) {
    println(`state:        ${info.local.stateDir}`);
    println(`host pid:     ${info.local.pid}, since ${info.startedAt}`);
  } else println(`since:        ${info.startedAt}`);
}

registerGroup((program: Command) => {
  const cmd = program.command('host').description('Run the embedded hypervisor host and ask it about itself');

  markCommand(cmd.command('serve'), 'runs-host')
    .description(
      'Run the host of --state in the foreground until SIGTERM; systems keep running unless --stop-vms',
    )
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
    .option(
      '--wsman-http <port>',
      'WS-Management over HTTP, on 127.0.0.1 unless --cim-listen (0 disables)',
      process.env.VESSEL_WSMAN_HTTP ?? '5985',
    )
    .option(
      '--wsman-https <port>',
      'WS-Management over HTTPS, with the CIM-XML certificate (0 disables)',
      process.env.VESSEL_WSMAN_HTTPS ?? '5986',
    )
    .option('--cim-anonymous <role>', 'let requests without credentials in with this role (off by default)')
    .option(
      '--http <port>',
      'REST API (/api/v1) over HTTP, on 127.0.0.1 unless --listen (0 disables)',
      process.env.VESSEL_HTTP ?? '8080',
    )
    .option(
      '--https <port>',
      "REST API (/api/v1) over HTTPS with the host's certificate (0 disables)",
      process.env.VESSEL_HTTPS ?? '8443',
    )
    .option(
      '--listen <address>',
      'address for the REST listeners (default: 127.0.0.1 for HTTP, all for HTTPS)',
    )
    .option(
      '--metrics-interval <seconds>',
      'how often the host samples its systems for metrics (/metrics, vm stats; 0 disables)',
      process.env.VESSEL_METRICS_INTERVAL ?? '10',
    )
    .action(action(serve));

  cmd
    .command('info')
    .description('Name, driver, accelerator (and why), hypervisor version and system count of the host')
    .option('--json', 'print JSON: the host (Api HostInfo) and what it can do (capabilities)')
    .action(
      action(async (opts: { json?: boolean }, command: Command) => {
        const [info, caps] = await withApi(command, async (api) => {
          const i = await api.host.info();
          return [i, await api.host.capabilities()] as const;
        });
        if (opts.json) printJson({ ...info, capabilities: caps });
        else printHostInfo(info, caps);
        return 0;
      }),
    );

  addSurfaceCommand(cmd);

  markCommand(cmd.command('demo'), 'runs-host')
    .description(
      'The main job: start a host on the embedded defaults (--state, default: a fresh temporary folder), deploy the demo OVA with a property, show the console',
    )
    .option('--driver <uri>', 'driver URI', DEFAULT_DRIVER_URI)
    .action(action(runDemo));
});
