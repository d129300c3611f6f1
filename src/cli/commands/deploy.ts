import { createReadStream } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  type Api,
  type DeployOptions,
  type DeployResult,
  isApiError,
  type PackageSource,
  resultOf,
} from '../../api/index.js';
import { definitionToJson, VesselError } from '../../model/index.js';
import { withApi } from '../connect.js';
import { readInput, requireReadableFile, writeAtomic } from '../files.js';
import { action, printJson, println } from '../output.js';
import { registerGroup } from '../program.js';
import { followJob, Progress } from '../progress.js';
import { type DeployFlags, mergeDeployOptions, readDeployOptionsFile } from './deploy-options.js';
import { networkMapping, optionsFileOf, printPlan } from './deploy-plan.js';
import { checkNetworks } from './net-check.js';

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
  json?: boolean;
  dryRun?: boolean;
  options?: string;
  optionsOut?: string;
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

function printResult(r: DeployResult): void {
  for (const w of r.warnings) println(`warning: ${w}`);
  const names = new Map(r.systems.map((s) => [s.uuid, s.name]));
  for (const vm of r.systems) {
    println(`Deployed "${vm.name}" (${vm.uuid}) from system "${vm.systemId}"`);
    for (const n of vm.notes) println(`  note: ${n}`);
  }
  if (r.configuration !== undefined) println(`deployment option: ${r.configuration}`);
  const s = r.signature;
  const signed =
    s === undefined ? '' : `, signed by ${s.signer || 'an unnamed signer'}${s.trusted ? ' (trusted)' : ''}`;
  println(`package: ${r.manifest ? 'manifest verified' : 'no manifest'}${signed}`);
  if (r.started.length) println(`powered on: ${r.started.map((u) => names.get(u) ?? u).join(', ')}`);
}

/** Where the package comes from: a path on the host for a local principal, else its bytes, uploaded. */
async function sourceOf(api: Api, pkg: string): Promise<PackageSource> {
  const path = resolve(pkg);
  if ((await api.host.info()).local !== undefined) return { kind: 'hostPath', path };
  return { kind: 'upload', fileName: basename(path), body: createReadStream(path) };
}

/** The deploy options: the `--options` file's, with the flags given in its place. */
async function optionsOf(opts: DeployOpts): Promise<DeployOptions> {
  const flags: DeployFlags = {
    name: opts.name,
    configuration: opts.config,
    properties: keyValues(opts.prop, '--prop'),
    networks: keyValues(opts.net, '--net'),
    powerOn: opts.powerOn === true ? true : undefined,
    acceptEula: opts.acceptEula === true ? true : undefined,
    lax: opts.lax === true ? true : undefined,
    requireSignature: opts.requireSignature === true ? true : undefined,
    caPem: opts.ca === undefined ? undefined : (await readInput(opts.ca)).toString('utf8'),
  };
  if (opts.optionsOut !== undefined && opts.dryRun !== true) {
    throw new VesselError('USAGE', '--options-out writes the options of a dry run: add --dry-run');
  }
  return mergeDeployOptions(
    opts.options === undefined ? {} : await readDeployOptionsFile(opts.options),
    flags,
  );
}

async function deploy(pkg: string, opts: DeployOpts, command: Command): Promise<number> {
  // A package that is not there is unreadable input (exit 2), whichever host would read it.
  await requireReadableFile(pkg);
  const o: DeployOptions = { ...(await optionsOf(opts)), waitMs: 0 };
  if (opts.dryRun) return dryRun(pkg, o, opts, command);
  const progress = new Progress(`deploy ${basename(pkg)}`, { quiet: opts.json === true });
  const done = await withApi(command, async (api) => {
    await checkNetworks(api, Object.values(o.networks ?? {}), '--net');
    const job = await api.packages.deploy(await sourceOf(api, pkg), o);
    return followJob<DeployResult>(api, job.id, progress);
  });
  const result = resultOf(done);
  const n = result.systems.length;
  progress.finish(`${basename(pkg)}: deployed ${n} system${n === 1 ? '' : 's'} (job ${done.id})`);
  if (opts.json) printJson({ job: done.id, ...result });
  else printResult(result);
  return 0;
}

/** `--dry-run`: the host's plan of the deploy (`packages.inspect`), printed, and the options file written. */
async function dryRun(pkg: string, o: DeployOptions, opts: DeployOpts, command: Command): Promise<number> {
  const { powerOn: _powerOn, waitMs: _waitMs, ...asked } = o;
  const { view, hostNetworks } = await withApi(command, async (api) => {
    await checkNetworks(api, Object.values(o.networks ?? {}), '--net');
    const plan = await api.packages.inspect(await sourceOf(api, pkg), asked);
    const names = await api.networks.list().then(
      (ns) => ns.map((n) => n.name),
      (e: unknown) => {
        if (isApiError(e, 'NOT_SUPPORTED')) return undefined;
        throw e;
      },
    );
    return { view: plan, hostNetworks: names };
  });
  const mapping = networkMapping(view, o.networks ?? {}, hostNetworks);
  const file = optionsFileOf(view, o, mapping);
  const text = `${JSON.stringify(file, null, 2)}\n`;
  if (opts.optionsOut === '-') {
    process.stdout.write(text);
    return 0;
  }
  if (opts.optionsOut !== undefined) await writeAtomic(opts.optionsOut, text);
  // Definitions in the named form of `vm info --json`, which `vm define --from-json` reads.
  const systems = view.systems.map((s) => ({ ...s, definition: definitionToJson(s.definition) }));
  if (opts.json) printJson({ ...view, systems, options: file });
  else printPlan(basename(pkg), view, mapping);
  if (opts.optionsOut !== undefined && !opts.json) {
    println(
      `Wrote the deploy options to ${opts.optionsOut}; edit it, then: vessel deploy ${pkg} --options ${opts.optionsOut}`,
    );
  }
  return 0;
}

registerGroup((program: Command) => {
  program
    .command('deploy')
    .description(
      'Deploy an OVF package (.ova, or .ovf with its files) onto the host (--connect): verify it, convert its disks and register its systems',
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
    .option(
      '--options <file.json>',
      'take the deploy options from a JSON file (as --dry-run --options-out writes it); flags given override its values',
    )
    .option(
      '--dry-run',
      'deploy nothing: show the hardware as this host would create it, the deployment options, properties, networks and license texts',
    )
    .option(
      '--options-out <file.json>',
      'with --dry-run: write the options of this deploy (every configurable property, each network mapped) for --options; - prints them',
    )
    .option('--json', 'print the result (with --dry-run: the plan and its options) as JSON')
    .action(action(deploy));
});
