import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type ExportResult, type HostClient, type Job, RemoteError } from '../../host/index.js';
import { formatBytes, VesselError } from '../../model/index.js';
import { readInput } from '../files.js';
import { action, printJson, println } from '../output.js';
import { registerGroup } from '../program.js';
import { connectHost } from './host.js';

const STATE_HELP = 'state directory of the host (default: $VESSEL_STATE or ~/.local/share/vessel)';

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
  state?: string;
  json?: boolean;
}

/** A name usable as a file name: what `vessel export` calls the package when no -o is given. */
function fileName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  return s === '' ? 'vm' : s;
}

/** Waits for a job, showing its progress on a terminal; returns its result or throws its error. */
async function follow<T>(client: HostClient, id: string, quiet: boolean): Promise<T> {
  const tty = !quiet && process.stderr.isTTY;
  for (;;) {
    const job = await client.call<Job>('job.get', { id });
    if (tty) process.stderr.write(`\rexporting: ${String(job.progress).padStart(3)}%`);
    if (job.state === 'completed') {
      if (tty) process.stderr.write('\n');
      return job.result as T;
    }
    if (job.state === 'failed') {
      if (tty) process.stderr.write('\n');
      throw new RemoteError(job.error?.code ?? 'INTERNAL', job.error?.message ?? 'The export failed');
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

function printResult(r: ExportResult): void {
  println(`Exported to ${r.output} (${r.format.toUpperCase()}, OVF ${r.ovfVersion}, target ${r.target})`);
  for (const f of r.files) println(`  ${f.name.padEnd(40)} ${formatBytes(f.size)}`);
  println(
    `  manifest    ${r.manifest === 'none' ? 'none' : r.manifest.toUpperCase()}${r.signed ? ', signed' : ''}`,
  );
  if (r.fromDeploy) println('  product section and properties kept from the deploy');
  for (const n of r.notes) println(`  note: ${n}`);
  for (const w of r.warnings) println(`  warning: ${w}`);
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
    .option('--state <dir>', STATE_HELP)
    .option('--json', 'print JSON')
    .action(
      action(async (vm: string, opts: ExportOpts) => {
        if (opts.format !== 'ova' && opts.format !== 'ovf')
          throw new VesselError('USAGE', `--format "${opts.format}": use ova or ovf`);
        if (opts.cert !== undefined && opts.sign === undefined)
          throw new VesselError('USAGE', '--cert needs --sign KEY.pem');
        const keyPem = opts.sign === undefined ? undefined : (await readInput(opts.sign)).toString('utf8');
        const certPem = opts.cert === undefined ? undefined : (await readInput(opts.cert)).toString('utf8');
        const client = await connectHost(opts.state);
        try {
          const info = await client.call<{ name: string }>('vm.get', { vm });
          const output = resolve(
            opts.output ?? (opts.format === 'ova' ? `${fileName(info.name)}.ova` : fileName(info.name)),
          );
          const { job } = await client.call<{ job: string }>('vm.export', {
            vm,
            wait: false,
            format: opts.format,
            output,
            ...(opts.ovfVersion === undefined ? {} : { ovfVersion: opts.ovfVersion }),
            ...(opts.target === undefined ? {} : { target: opts.target }),
            ...(opts.manifest === undefined ? {} : { manifest: opts.manifest }),
            ...(keyPem === undefined ? {} : { keyPem }),
            ...(certPem === undefined ? {} : { certPem }),
            keepMacs: opts.keepMacs === true,
            overwrite: opts.overwrite === true,
          });
          const result = await follow<ExportResult>(client, job, opts.json === true);
          if (opts.json) printJson({ job, ...result });
          else printResult(result);
          return 0;
        } finally {
          client.close();
        }
      }),
    );
});
