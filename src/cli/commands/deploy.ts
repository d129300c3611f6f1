import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { DeployResult, HostClient, Job } from '../../host/index.js';
import { VesselError } from '../../model/index.js';
import { action, printJson, println } from '../output.js';
import { registerGroup } from '../program.js';
import { connectHost } from './host.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

interface DeployOpts {
  name?: string;
  config?: string;
  prop?: string[];
  net?: string[];
  powerOn?: boolean;
  acceptEula?: boolean;
  lax?: boolean;
  requireSignature?: boolean;
  ca?: string;
  state?: string;
  json?: boolean;
}

/** Parses repeated `KEY=VALUE` options into an object; the value may contain `=`. */
export function keyValues(list: string[] | undefined, option: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new VesselError('USAGE', `${option} "${item}": use ${option} KEY=VALUE`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** Waits for a job, calling `onProgress` when its progress changes; returns the finished job. */
async function waitJob(client: HostClient, id: string, onProgress: (p: number) => void): Promise<Job> {
  let last = -1;
  for (;;) {
    const job = await client.call<Job>('job.get', { id });
    if (job.progress !== last) {
      last = job.progress;
      onProgress(last);
    }
    if (job.state !== 'running') return job;
    await new Promise((r) => setTimeout(r, 250));
  }
}

function printResult(r: DeployResult): void {
  for (const w of r.warnings) println(`warning: ${w}`);
  for (const vm of r.vms) {
    println(`Deployed "${vm.name}" (${vm.uuid}) from system "${vm.systemId}": ${vm.state}`);
    for (const n of vm.notes) println(`  note: ${n}`);
  }
  if (r.configuration !== undefined) println(`deployment option: ${r.configuration}`);
  const s = r.signature;
  println(
    `package: ${r.manifest ? 'manifest verified' : 'no manifest'}${s ? `, signature ${s.valid ? 'valid' : 'INVALID'}${s.signer ? ` (${s.signer.subject})` : ''}` : ''}`,
  );
  if (r.started.length) println(`powered on: ${r.started.join(', ')}`);
}

async function deploy(pkg: string, opts: DeployOpts): Promise<number> {
  const params = {
    package: resolve(pkg),
    ...(opts.name === undefined ? {} : { name: opts.name }),
    ...(opts.config === undefined ? {} : { configuration: opts.config }),
    properties: keyValues(opts.prop, '--prop'),
    networks: keyValues(opts.net, '--net'),
    powerOn: opts.powerOn === true,
    acceptEula: opts.acceptEula === true,
    lax: opts.lax === true,
    requireSignature: opts.requireSignature === true,
    ...(opts.ca === undefined ? {} : { ca: resolve(opts.ca) }),
    wait: false,
  };
  const client = await connectHost(opts.state);
  try {
    const { job } = await client.call<{ job: string }>('vm.deploy', params);
    const tty = process.stderr.isTTY && !opts.json;
    const done = await waitJob(client, job, (p) => {
      if (tty) process.stderr.write(`\rdeploying ${pkg}: ${p}%`);
    });
    if (tty) process.stderr.write('\n');
    if (done.state === 'failed') {
      const e = done.error ?? { code: 'INTERNAL', message: 'The deploy failed' };
      throw new VesselError(e.code, e.message);
    }
    const result = done.result as DeployResult;
    if (opts.json) printJson({ job, ...result });
    else printResult(result);
    return 0;
  } finally {
    client.close();
  }
}

registerGroup((program: Command) => {
  program
    .command('deploy')
    .description(
      'Deploy an OVF package (.ova, or .ovf with its files) onto the running host: verify it, convert its disks and register its systems',
    )
    .argument('<package>', 'the .ova or .ovf')
    .option('--name <name>', "the system's name (a prefix for each system of a collection)")
    .option('--config <id>', 'the deployment option (DeploymentOptionSection)')
    .option('--prop <key=value>', 'a property value for the OVF environment (repeatable)', collect)
    .option('--net <ovfnet=hostnet>', "connect the package's network to a host network (repeatable)", collect)
    .option('--power-on', 'start the systems once deployed (StartupSection order and delays)')
    .option('--accept-eula', "accept the package's license agreements")
    .option('--lax', 'relax conformance checks and leave out hardware this host cannot give')
    .option('--require-signature', 'refuse a package without a valid signature')
    .option('--ca <bundle.pem>', 'CA certificates the signer must chain to')
    .option('--state <dir>', 'state directory of the host (default: $VESSEL_STATE or ~/.local/share/vessel)')
    .option('--json', 'print the result as JSON')
    .action(action(deploy));
});
