import { dirname, isAbsolute, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import * as disk from '../../disk/index.js';
import * as formats from '../../formats/index.js';
import { isTarFile, readOvaDescriptor } from '../../ova/index.js';
import { markCommand } from '../connect/kinds.js';
import { ExitCode } from '../exit.js';
import { readInput, writeAtomic } from '../files.js';
import { action, printJson } from '../output.js';
import { registerGroup } from '../program.js';

interface ConvertOpts {
  to: formats.FormatName;
  from?: formats.FormatName;
  output?: string;
  config?: string;
  system?: string;
  imageDir?: string;
  json?: boolean;
  strict?: boolean;
}

/** The format name the converters use for what src/disk's probe found (ISO images are raw). */
const PROBED_FORMAT: Partial<Record<string, string>> = {
  raw: 'raw',
  iso: 'raw',
  qcow2: 'qcow2',
  vmdk: 'vmdk',
  'vmdk-stream': 'vmdk',
  vhd: 'vhd',
  vhdx: 'vhdx',
  vdi: 'vdi',
};

/**
 * The virtual size and format of the images an input names without giving them (vmx, libvirt, .vbox, Hyper-V),
 * read by src/disk's native probe: it reads headers only and never opens a file an image names in turn, whereas
 * `qemu-img info` would guess the format and open a VMDK descriptor's extents. Relative names are looked up
 * beside the input; missing or unreadable files give nothing.
 */
async function imageInfoBeside(
  input: string,
  names: readonly string[],
): Promise<(file: string) => formats.ImageInfo | undefined> {
  const base = dirname(resolve(input));
  const found = new Map<string, formats.ImageInfo>();
  for (const file of names) {
    const path = file.startsWith('file://')
      ? decodeURIComponent(file.slice(7))
      : isAbsolute(file)
        ? file
        : resolve(base, file);
    try {
      const info = await disk.probe(path);
      const format = PROBED_FORMAT[info.format];
      found.set(file, {
        ...(info.format === 'gzip' || info.format === 'tar'
          ? {}
          : { capacityBytes: BigInt(info.virtualSize) }),
        ...(format === undefined ? {} : { format }),
      });
    } catch {
      // missing or unreadable: the converter reports the size as unknown
    }
  }
  return (file) => found.get(file);
}

registerGroup((program: Command) => {
  markCommand(program.command('convert'), 'offline')
    .description(
      'Convert a VM definition between OVF/OVA, VMware vmx, libvirt domain XML, VirtualBox .vbox, a Hyper-V ' +
        'definition and KubeVirt; what the target cannot express is listed on stderr (exit 0, or 1 with --strict)',
    )
    .argument(
      '<input>',
      'an .ovf/.ova, .vmx, libvirt domain XML, .vbox, Hyper-V definition or KubeVirt manifest',
    )
    .addOption(
      new Option('--to <format>', 'the target format')
        .choices([...formats.FORMAT_NAMES])
        .makeOptionMandatory(),
    )
    .addOption(
      new Option('--from <format>', 'the input format (default: detected from the content)').choices([
        ...formats.FORMAT_NAMES,
      ]),
    )
    .option('-o, --output <file>', 'write the result here (default: stdout)')
    .option('--config <id>', 'OVF input: the deployment option to convert (default: the package default)')
    .option('--system <id>', 'OVF input: the VirtualSystem to convert (default: the first)')
    .option('--image-dir <dir>', "libvirt output: folder of the disk images (default: the input's folder)")
    .option('--json', 'one JSON object: output (unless -o), warnings, disks')
    .option('--strict', 'exit 1 when the target could not express something')
    .action(
      action(async (input: string, opts: ConvertOpts) => {
        let data: Buffer;
        let from = opts.from;
        let file = input;
        if (await isTarFile(input)) {
          const d = await readOvaDescriptor(input);
          data = d.data;
          file = `${input}/${d.name}`;
          from = 'ovf';
        } else data = await readInput(input);
        const options: formats.ConvertOptions = {
          to: opts.to,
          from,
          file,
          configuration: opts.config,
          systemId: opts.system,
          imageDirectory: resolve(opts.imageDir ?? dirname(resolve(input))),
        };
        const imageInfo = await imageInfoBeside(input, formats.referencedImages(data, options));
        const result = formats.convert(data, { ...options, imageInfo });
        if (opts.output !== undefined) await writeAtomic(opts.output, result.output);
        if (opts.json) {
          printJson({
            from: result.from,
            to: result.to,
            ...(opts.output === undefined ? { output: result.output } : { outputFile: opts.output }),
            warnings: result.warnings,
            disks: result.disks,
          });
        } else {
          if (opts.output === undefined) process.stdout.write(result.output);
          for (const w of result.warnings)
            process.stderr.write(`vessel: warning [${w.code}]: ${w.message}\n`);
          if (result.to === 'kubevirt') {
            for (const d of result.disks) {
              if (d.source === undefined) continue;
              process.stderr.write(
                `upload: virtctl image-upload dv ${d.target} --no-create --image-path=${d.source}\n`,
              );
            }
          }
        }
        return opts.strict && result.warnings.length > 0 ? ExitCode.Failed : ExitCode.Ok;
      }),
    );
});
