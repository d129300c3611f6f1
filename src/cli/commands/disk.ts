import { basename } from 'node:path';
import { type Command, Option } from 'commander';
import * as disk from '../../disk/index.js';
import { formatBytes } from '../../model/index.js';
import { markCommand } from '../connect/kinds.js';
import { ExitCode } from '../exit.js';
import { action, DISK_SIZES, printJson, println } from '../output.js';
import { registerGroup } from '../program.js';
import { Progress } from '../progress.js';

registerGroup((program: Command) => {
  const group = markCommand(program.command('disk'), 'offline').description(
    'Probe and convert disk images: raw, qcow2, VMDK (sparse and streamOptimized), VHD, VHDX, VDI',
  );

  group
    .command('info')
    .description('Show what an image is (by its bytes): format, virtual size, allocated size, problems')
    .argument('<file>', 'the image')
    .option('--json', 'print one JSON object')
    .option('--deep', 'also decode every grain of a stream VMDK, inflate gzip, and run qemu-img check')
    .addHelpText(
      'after',
      '\nExit status: 0 the image is sound, 1 it is corrupt or refers to other files (DISK_EXTERNAL_REFERENCE:\n' +
        'a backing file, VMDK extent or parent, data file, VHD/VHDX/VDI parent), 2 it cannot be read.',
    )
    .action(
      action(async (file: string, opts: { json?: boolean; deep?: boolean }) => {
        const info = await disk.probe(file, { deep: opts.deep ?? false });
        if (opts.json) printJson(info, { sizes: DISK_SIZES });
        else printInfo(info);
        return info.problems.some((p) => p.severity === 'error') ? ExitCode.Failed : ExitCode.Ok;
      }),
    );

  group
    .command('convert')
    .description(
      'Convert an image to another format (input format probed); a progress bar on a terminal. An image that ' +
        'refers to other files is refused (DISK_EXTERNAL_REFERENCE)',
    )
    .argument('<in>', 'the source image')
    .argument('<out>', 'the image to write (replaced if it exists)')
    .addOption(
      new Option('--format <format>', 'output format').choices(disk.TARGET_FORMATS).makeOptionMandatory(),
    )
    .addOption(new Option('--adapter-type <type>', 'controller named in a VMDK').choices(disk.ADAPTER_TYPES))
    .option('--level <n>', `zlib level for vmdk-stream, 1-9 (default ${disk.DEFAULT_LEVEL})`, toInt)
    .option('--threads <n>', 'compression threads (default: one per core)', toInt)
    .option('--json', 'print the result as JSON')
    .action(
      action(async (input: string, output: string, opts: ConvertFlags) => {
        const ac = new AbortController();
        const stop = () => ac.abort();
        process.once('SIGINT', stop);
        const progress = new Progress(`convert ${basename(input)}`, { quiet: opts.json === true });
        try {
          const r = await disk.convert(input, output, opts.format, {
            signal: ac.signal,
            ...(opts.adapterType ? { adapterType: opts.adapterType } : {}),
            ...(opts.level !== undefined ? { level: opts.level } : {}),
            ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
            onProgress: (e: disk.ProgressEvent) => progress.update(e),
          });
          progress.finish(`${output}: ${r.format}, ${formatBytes(r.bytes)} (${r.engine})`);
          if (opts.json) printJson(r, { sizes: DISK_SIZES });
          return ExitCode.Ok;
        } catch (e) {
          progress.fail();
          throw e;
        } finally {
          process.off('SIGINT', stop);
        }
      }),
    );
});

interface ConvertFlags {
  format: disk.TargetFormat;
  adapterType?: disk.AdapterType;
  level?: number;
  threads?: number;
  json?: boolean;
}

function toInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`expected a whole number, got "${v}"`);
  return n;
}

function size(n: number): string {
  return `${formatBytes(n)} (${n} bytes)`;
}

function printInfo(r: disk.ProbeResult): void {
  const rows: Array<[string, string]> = [
    ['file', r.path],
    ['format', r.subformat ? `${r.format} (${r.subformat})` : r.format],
    ['virtual size', size(r.virtualSize)],
    ['file size', size(r.fileSize)],
    ['allocated size', size(r.allocatedSize)],
  ];
  if (r.populatedSize !== undefined) rows.push(['populated size', size(r.populatedSize)]);
  if (r.inner)
    rows.push([
      'contains',
      `${r.inner.format}${r.inner.virtualSize ? `, ${size(r.inner.virtualSize)}` : ''}`,
    ]);
  for (const [k, v] of Object.entries(r.details)) rows.push([k, String(v)]);
  for (const [k, v] of rows) println(`${`${k}:`.padEnd(16)} ${v}`);
  if (r.problems.length === 0) println(`${'problems:'.padEnd(16)} none`);
  for (const p of r.problems)
    println(
      `${p.severity}: ${p.code}${p.offset === undefined ? '' : ` at offset ${p.offset}`}: ${p.message}`,
    );
}
