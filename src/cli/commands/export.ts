import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type ExportResult, resultOf } from '../../api/index.js';
import { formatBytes, VesselError } from '../../model/index.js';
import { withApi } from '../connect.js';
import { readInput } from '../files.js';
import { action, printJson, println } from '../output.js';
import { registerGroup } from '../program.js';
import { followJob, Progress } from '../progress.js';
import { downloadArtifact, refuseExisting } from './export-download.js';

interface ExportOpts {
  format: string;
  output?: string;
  ovfVersion?: string;
  target?: string;
  sign?: string;
  cert?: string;
  manifest?: string;
  keepMacs?: boolean;
  overwrite?: boolean;
  json?: boolean;
}

/** A name usable as a file name: what `vessel export` calls the package when no -o is given. */
function fileName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  return s === '' ? 'vm' : s;
}

function printResult(r: ExportResult, downloadedTo?: string): void {
  const where =
    downloadedTo !== undefined
      ? `${downloadedTo} (through an artifact of the host)`
      : r.destination.kind === 'hostPath'
        ? r.destination.path
        : r.destination.kind;
  println(`Exported to ${where} (${r.format.toUpperCase()}, OVF ${r.ovfVersion}, target ${r.target})`);
  for (const f of r.files) println(`  ${f.name.padEnd(40)} ${formatBytes(f.sizeBytes)}`);
  println(
    `  manifest    ${r.manifest === 'none' ? 'none' : r.manifest.toUpperCase()}${r.signed ? ', signed' : ''}`,
  );
  for (const n of r.notes) println(`  note: ${n}`);
  for (const w of r.warnings) println(`  warning: ${w}`);
}

const FORMATS = ['ova', 'ovf'] as const;
const VERSIONS = ['1.0', '2.0'] as const;
const TARGETS = ['generic', 'vmware', 'virtualbox'] as const;
const MANIFESTS = ['sha1', 'sha256', 'sha512', 'none'] as const;

/** An option's value from its list, or a usage error (exit 2) that names the choices. */
function oneOf<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new VesselError('USAGE', `${flag} "${value}": use ${choices.join(', ')}`);
}

async function exportVm(vm: string, opts: ExportOpts, command: Command): Promise<number> {
  const format = oneOf('--format', opts.format, FORMATS);
  const ovfVersion =
    opts.ovfVersion === undefined ? undefined : oneOf('--ovf-version', opts.ovfVersion, VERSIONS);
  const target = opts.target === undefined ? undefined : oneOf('--target', opts.target, TARGETS);
  const manifest = opts.manifest === undefined ? undefined : oneOf('--manifest', opts.manifest, MANIFESTS);
  if (opts.cert !== undefined && opts.sign === undefined)
    throw new VesselError('USAGE', '--cert needs --sign KEY.pem');
  const keyPem = opts.sign === undefined ? undefined : (await readInput(opts.sign)).toString('utf8');
  const certPem = opts.cert === undefined ? undefined : (await readInput(opts.cert)).toString('utf8');
  const progress = new Progress(`export ${vm}`, { quiet: opts.json === true });
  const done = await withApi(command, async (api) => {
    const { name } = await api.systems.get(vm);
    const path = resolve(opts.output ?? (format === 'ova' ? `${fileName(name)}.ova` : fileName(name)));
    // A host that is not this machine's cannot write here: it exports to an artifact, downloaded below.
    const remote = (await api.host.info()).local === undefined;
    if (remote && format !== 'ova')
      throw new VesselError(
        'USAGE',
        '--format ovf writes a folder on the host itself; over a connection use ova',
      );
    if (remote && !opts.overwrite) await refuseExisting(path);
    const job = await api.packages.export(vm, {
      destination: remote
        ? { kind: 'artifact' }
        : { kind: 'hostPath', path, ...(opts.overwrite ? { overwrite: true } : {}) },
      format,
      ...(ovfVersion === undefined ? {} : { ovfVersion }),
      ...(target === undefined ? {} : { target }),
      ...(manifest === undefined ? {} : { manifest }),
      ...(keyPem === undefined ? {} : { signer: { keyPem, ...(certPem === undefined ? {} : { certPem }) } }),
      keepMacs: opts.keepMacs === true,
      waitMs: 0,
    });
    const ended = await followJob<ExportResult>(api, job.id, progress);
    const artifact = ended.result?.artifact;
    if (remote && ended.state === 'completed' && artifact !== undefined)
      await downloadArtifact(api, artifact, path, opts.overwrite === true);
    return { ...ended, downloadedTo: remote ? path : undefined };
  });
  const result = resultOf(done);
  progress.finish(`${vm}: exported ${result.files.length} files (job ${done.id})`);
  if (opts.json)
    printJson({
      job: done.id,
      ...result,
      ...(done.downloadedTo === undefined ? {} : { output: done.downloadedTo }),
    });
  else printResult(result, done.downloadedTo);
  return 0;
}

registerGroup((program: Command) => {
  program
    .command('export')
    .description(
      'Export a stopped system as an OVF package: streamOptimized VMDK disks, a manifest, optionally signed',
    )
    .argument('<vm>', 'name or UUID')
    .option('--format <format>', 'ova (one file) or ovf (a folder)', 'ova')
    .option('-o, --output <path>', 'the .ova file or the folder (default: NAME.ova or NAME/ here)')
    .option('--ovf-version <version>', '1.0 (default) or 2.0')
    .option(
      '--target <platform>',
      'generic (default), vmware or virtualbox: write what that platform accepts',
    )
    .option('--sign <key.pem>', 'sign the manifest with this RSA private key (PEM)')
    .option('--cert <cert.pem>', 'the signing certificate (default: the one in the key file)')
    .option('--manifest <algorithm>', "sha1, sha256 or sha512 (default: the target's), or none")
    .option('--keep-macs', "keep the NICs' MAC addresses (left out by default, as ovftool does)")
    .option('--overwrite', 'replace an existing output file')
    .option('--json', 'print JSON')
    .action(action(exportVm));
});
