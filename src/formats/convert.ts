import { formatOvf, parseOvf } from '../ovf/index.js';
import { detectFormat } from './detect.js';
import { readHyperv } from './hyperv/read.js';
import { writeHyperv } from './hyperv/write.js';
import { readKubevirt } from './kubevirt/read.js';
import { writeKubevirt } from './kubevirt/write.js';
import { readLibvirt } from './libvirt/read.js';
import { writeLibvirt } from './libvirt/write.js';
import { readOvfPackage } from './ovf-read.js';
import { writeOvfPackage } from './ovf-write.js';
import type { ConversionResult, FormatName, OutputDisk, SystemPackage } from './types.js';
import { readVbox } from './vbox/read.js';
import { writeVbox } from './vbox/write.js';
import { readVmx } from './vmx/read.js';
import { writeVmx } from './vmx/write.js';
import { Warnings } from './warnings.js';

/** What an image reference gives when the converter looks at the file (the CLI asks qemu-img). */
export interface ImageInfo {
  capacityBytes?: bigint | undefined;
  format?: string | undefined;
}

/** Options of {@link convert}. */
export interface ConvertOptions {
  to: FormatName;
  /** The input format; detected from the content when absent. */
  from?: FormatName | undefined;
  /** The input's file name, for messages. */
  file?: string | undefined;
  /** OVF input: the deployment option to convert (default: the package's default). */
  configuration?: string | undefined;
  /** OVF input: the VirtualSystem to convert (default: the first). */
  systemId?: string | undefined;
  /** libvirt output: the absolute folder relative image names are placed in (default /var/lib/libvirt/images). */
  imageDirectory?: string | undefined;
  /** Called for each disk (and other image) whose size or format the input does not give; returns what it says. */
  imageInfo?: ((file: string) => ImageInfo | undefined) | undefined;
}

/** How each format is named in messages about what it cannot hold. */
export const FORMAT_LABELS: Record<FormatName, string> = {
  ovf: 'the converted OVF',
  vmx: 'vmx',
  libvirt: 'libvirt domain XML',
  vbox: 'VirtualBox .vbox',
  hyperv: 'the Hyper-V definition',
  kubevirt: 'KubeVirt',
};

/** Reads a document of any supported format as a {@link SystemPackage}. */
export function readPackage(
  input: string | Uint8Array,
  from: FormatName,
  options: Omit<ConvertOptions, 'from'>,
  warnings: Warnings,
): SystemPackage {
  const file = options.file;
  switch (from) {
    case 'ovf':
      return readOvfPackage(
        parseOvf(input, { ...(file === undefined ? {} : { file }) }),
        {
          systemId: options.systemId,
          configuration: options.configuration,
          target: FORMAT_LABELS[options.to],
          keepsOvf: options.to === 'ovf',
        },
        warnings,
      );
    case 'vmx':
      return readVmx(input, warnings, file);
    case 'libvirt':
      return readLibvirt(input, warnings, file);
    case 'vbox':
      return readVbox(input, warnings, file);
    case 'hyperv':
      return readHyperv(input, warnings, file);
    case 'kubevirt':
      return readKubevirt(input, warnings, file);
  }
}

/** Writes a {@link SystemPackage} in a target format. */
export function writePackage(
  pkg: SystemPackage,
  to: FormatName,
  options: Pick<ConvertOptions, 'imageDirectory'>,
  warnings: Warnings,
): { output: string; disks: OutputDisk[] } {
  switch (to) {
    case 'ovf': {
      const { env, disks } = writeOvfPackage(pkg, warnings);
      return { output: formatOvf(env), disks };
    }
    case 'vmx':
      return writeVmx(pkg, warnings);
    case 'libvirt':
      return writeLibvirt(
        pkg,
        { imageDirectory: options.imageDirectory ?? '/var/lib/libvirt/images' },
        warnings,
      );
    case 'vbox':
      return writeVbox(pkg, warnings);
    case 'hyperv':
      return writeHyperv(pkg, warnings);
    case 'kubevirt':
      return writeKubevirt(pkg, warnings);
  }
}

/**
 * The image files a definition names without giving everything {@link convert} needs of them (a disk's capacity
 * or format, a file's size): what a caller can look up first, so that `imageInfo` answers from what it found.
 *
 * @example
 * for (const f of referencedImages(readFileSync('web1.vmx'), { to: 'ovf' })) sizes.set(f, await probe(f));
 */
export function referencedImages(input: string | Uint8Array, options: ConvertOptions): string[] {
  const from = options.from ?? detectFormat(input, options.file);
  const pkg = readPackage(input, from, options, new Warnings());
  const disks = pkg.disks.filter(
    (d) => d.file !== undefined && (d.capacityBytes === undefined || d.format === undefined),
  );
  const files = pkg.files.filter((f) => f.sizeBytes === undefined);
  return [...new Set([...disks.map((d) => d.file!), ...files.map((f) => f.file)])];
}

/**
 * Converts a virtual machine definition between OVF, VMware vmx, libvirt domain XML, VirtualBox .vbox, a Hyper-V
 * definition and a KubeVirt VirtualMachine, always through the one model (VSSD + RASDs): read the input as a
 * {@link SystemPackage}, write it in the target. The result lists precisely what the target could not express.
 *
 * @example
 * const r = convert(readFileSync('web1.ovf'), { to: 'vmx', file: 'web1.ovf' });
 * writeFileSync('web1.vmx', r.output);
 * for (const w of r.warnings) console.error(`${w.code}: ${w.message}`);
 */
export function convert(input: string | Uint8Array, options: ConvertOptions): ConversionResult {
  const from = options.from ?? detectFormat(input, options.file);
  const warnings = new Warnings();
  const pkg = readPackage(input, from, options, warnings);
  if (options.imageInfo) {
    for (const d of pkg.disks) {
      if (d.file === undefined || (d.capacityBytes !== undefined && d.format !== undefined)) continue;
      const info = options.imageInfo(d.file);
      if (d.capacityBytes === undefined && info?.capacityBytes !== undefined)
        d.capacityBytes = info.capacityBytes;
      if (info?.format !== undefined && (d.format === undefined || from !== 'ovf')) d.format = info.format;
    }
    for (const f of pkg.files) {
      if (f.sizeBytes !== undefined) continue;
      const size = options.imageInfo(f.file)?.capacityBytes;
      if (size !== undefined) f.sizeBytes = size;
    }
  }
  const { output, disks } = writePackage(pkg, options.to, options, warnings);
  return { from, to: options.to, output, warnings: warnings.list, disks };
}
