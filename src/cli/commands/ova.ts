import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import * as disk from '../../disk/index.js';
import { formatBytes, parseSize } from '../../model/index.js';
import * as ova from '../../ova/index.js';
import { markCommand } from '../connect/kinds.js';
import { ExitCode } from '../exit.js';
import { readInput } from '../files.js';
import { action, OVA_SIZES, printJson, println } from '../output.js';
import { registerGroup } from '../program.js';
import { Progress } from '../progress.js';

interface PackOpts {
  manifest?: string;
  diskFormat?: string;
  chunkSize?: string;
  compress?: string;
  key?: string;
  cert?: string;
  json?: boolean;
}

interface CheckOpts {
  ca?: string;
  requireSignature?: boolean;
  json?: boolean;
  expand?: boolean;
  diskFormat?: string;
}

/** Where oVirt and jclouds point Disk ovf:format for qcow2 (there is no DMTF-registered URI; raw has none). */
const QCOW2_FORMAT_URI = 'http://www.gnome.org/~markmc/qcow-image-format.html';

/** Decodes streamOptimized VMDK disks to raw or qcow2 with the disk engine while the OVA is read. */
function diskDecoder(format: string | undefined): ova.DiskDecoder | undefined {
  if (format === undefined) return undefined;
  if (format !== 'raw' && format !== 'qcow2') {
    throw new ova.OvaError('USAGE_OVA', `Unknown --disk-format "${format}": use raw or qcow2`);
  }
  return {
    async decode({ file, disk: d, body, targetFor }) {
      if (d.format !== ova.STREAM_VMDK_FORMAT) return undefined;
      const href = `${file.href.replace(/\.vmdk$/i, '')}.${format}`;
      const path = await targetFor(href);
      await disk.decodeStreamVmdk(body, path, { format, name: file.href });
      return {
        href,
        size: (await stat(path)).size,
        format: format === 'qcow2' ? QCOW2_FORMAT_URI : undefined,
      };
    },
  };
}

function algorithmOption(
  value: string | undefined,
  allowNone: boolean,
): ova.DigestAlgorithm | 'none' | undefined {
  if (value === undefined) return undefined;
  if (allowNone && value.toLowerCase() === 'none') return 'none';
  const a = ova.parseDigestAlgorithm(value);
  if (a === undefined) {
    throw new ova.OvaError(
      'USAGE_OVA',
      `Unknown --manifest "${value}": use sha1, sha256 or sha512${allowNone ? ' (or none)' : ''}`,
    );
  }
  return a;
}

async function caOption(path: string | undefined) {
  if (path === undefined) return undefined;
  const ca = ova.readPemCertificates(await readInput(path), `CA bundle ${path}`);
  if (ca.length === 0) throw new ova.OvaError('USAGE_OVA', `The CA bundle ${path} holds no PEM certificate`);
  return ca;
}

async function signerOption(key: string | undefined, cert: string | undefined) {
  if (key === undefined) {
    if (cert !== undefined) throw new ova.OvaError('USAGE_OVA', '--cert needs --key');
    return undefined;
  }
  return ova.loadSigner(await readInput(key), cert === undefined ? undefined : await readInput(cert));
}

/** The disk engine's probe and streamOptimized VMDK encoder, plugged into the packer for `--disk-format stream`. */
const streamEngine: ova.StreamDiskEngine = {
  probe: (path) => disk.probe(path),
  encode: (path, o) =>
    disk.encodeStreamVmdk(path, {
      adapterType: o.adapterType,
      fileName: o.fileName,
      references: 'follow', // the user's own qcow2 chain, read with the user's rights, pinned image by image
      ...(o.level === undefined ? {} : { level: o.level }),
    }),
};

function diskTransform(format: string | undefined): ova.FileTransform | undefined {
  if (format === undefined) return undefined;
  if (format !== 'stream') {
    throw new ova.OvaError('USAGE_OVA', `Unknown --disk-format "${format}": the only conversion is "stream"`);
  }
  return ova.streamDiskTransform(streamEngine);
}

function chunkSizeOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  let n: number;
  try {
    n = Number(parseSize(value));
  } catch (e) {
    throw new ova.OvaError('USAGE_OVA', `--chunk-size: ${(e as Error).message}`, { cause: e });
  }
  if (!Number.isSafeInteger(n) || n < 1)
    throw new ova.OvaError('USAGE_OVA', '--chunk-size must be at least 1 byte');
  return n;
}

function printReport(r: ova.OvaReport): void {
  println(`${r.file}: ${r.intact ? 'intact' : 'NOT intact'}`);
  if (r.descriptor) {
    const v = r.descriptor.ovfVersion ? `, OVF ${r.descriptor.ovfVersion}` : '';
    println(`  descriptor  ${r.descriptor.name} (${r.descriptor.size} bytes${v})`);
  }
  if (r.manifest) {
    const algs = r.manifest.algorithms.map((a) => ova.MANIFEST_TOKEN[a]).join('+');
    println(`  manifest    ${r.manifest.name}: ${algs}, ${r.manifest.entries} entries`);
  } else if (r.descriptor) {
    println('  manifest    none');
  }
  const s = r.signature;
  if (s) {
    const by = s.signer ? ` by ${s.signer.subject}` : '';
    const trust =
      s.trusted === true ? ', chains to the CA bundle' : s.trusted === false ? ', NOT trusted' : '';
    println(`  signature   ${s.name}: ${s.valid ? 'valid' : 'INVALID'}${by}${trust}`);
  } else if (r.descriptor) {
    println('  signature   none');
  }
  for (const m of r.members) {
    if (m.role !== 'file') continue;
    const state = r.manifest ? (m.verified ? 'ok' : 'not verified') : '';
    println(`  file        ${m.name}  ${formatBytes(m.size)}  ${state}`.trimEnd());
  }
  for (const w of r.warnings) println(`  warning: ${w}`);
  for (const p of r.problems) println(`  problem [${p.code}]: ${p.message}`);
}

registerGroup((program: Command) => {
  const cmd = markCommand(program.command('ova'), 'offline').description(
    'Pack, unpack, verify and sign OVA packages',
  );

  cmd
    .command('pack')
    .description('Pack an OVF package (the descriptor and the files beside it) into an OVA, in one pass')
    .argument('<descriptor>', 'the .ovf descriptor; the files it references are found beside it')
    .argument('<output>', 'the .ova to write')
    .option('--manifest <algorithm>', 'manifest digest: sha1, sha256 (default), sha512, or none')
    .option('--disk-format <format>', 'convert raw/qcow2 disks on the way: stream (streamOptimized VMDK)')
    .option('--chunk-size <size>', 'split files larger than this into chunks (e.g. 2G, 512M, bytes)')
    .option('--compress <level>', 'gzip the disk files at this level (1-9), as ovftool --compress does')
    .option('--key <key.pem>', 'sign the package with this RSA private key (PEM)')
    .option('--cert <cert.pem>', 'the signing certificate (default: the one in the key file)')
    .option('--json', 'print what was written as JSON')
    .action(
      action(async (descriptor: string, output: string, opts: PackOpts) => {
        const chunkSize = chunkSizeOption(opts.chunkSize);
        const level = opts.compress === undefined ? undefined : Number(opts.compress);
        if (level !== undefined && !(Number.isInteger(level) && level >= 1 && level <= 9)) {
          throw new ova.OvaError('USAGE_OVA', `--compress takes a level from 1 to 9, not "${opts.compress}"`);
        }
        const progress = new Progress(`pack ${basename(output)}`, { quiet: opts.json === true });
        const result = await ova
          .packOva(descriptor, output, {
            algorithm: algorithmOption(opts.manifest, true),
            chunkSize,
            gzipLevel: level,
            transform: diskTransform(opts.diskFormat),
            signer: await signerOption(opts.key, opts.cert),
            onProgress: (e) => progress.update(e),
          })
          .catch((e: unknown) => {
            progress.fail();
            throw e;
          });
        progress.finish(`${output}: packed ${result.members.length + 1} members`);
        if (opts.json) printJson(result, { sizes: OVA_SIZES });
        else {
          println(`${output}: packed ${result.descriptor} and ${result.members.length} files`);
          for (const m of result.members) println(`  ${m.name}  ${formatBytes(m.size)}`);
        }
        return ExitCode.Ok;
      }),
    );

  cmd
    .command('unpack')
    .description(
      'Unpack an OVA into a folder, verifying it on the way (nothing is written outside the folder)',
    )
    .argument('<input>', 'the .ova')
    .argument('<dir>', 'the folder to write (created if needed)')
    .option('--ca <bundle.pem>', 'CA certificates the signer must chain to')
    .option('--require-signature', 'refuse a package without a valid signature')
    .option(
      '--expand',
      'join chunks and inflate gzip files, rewriting the descriptor (no manifest is written)',
    )
    .option(
      '--disk-format <format>',
      'decode streamOptimized VMDK disks to raw or qcow2 on the way (implies --expand)',
    )
    .option('--json', 'print the verification report and the files written as JSON')
    .action(
      action(async (input: string, dir: string, opts: CheckOpts) => {
        const progress = new Progress(`unpack ${basename(input)}`, { quiet: opts.json === true });
        const check = {
          ca: await caOption(opts.ca),
          requireSignature: opts.requireSignature,
          onProgress: (e: ova.ReadProgress) => progress.update(e),
        };
        const decoder = diskDecoder(opts.diskFormat);
        const result = await (opts.expand || decoder
          ? ova.extractOva(input, dir, { ...check, decoder })
          : ova.unpackOva(input, dir, check)
        ).catch((e: unknown) => {
          progress.fail();
          throw e;
        });
        progress.finish(`${input}: unpacked ${result.written.length} files`);
        if (opts.json) printJson(result, { sizes: OVA_SIZES });
        else {
          for (const w of result.warnings) println(`warning: ${w}`);
          println(`${input}: unpacked ${result.written.length} files into ${dir}`);
        }
        return ExitCode.Ok;
      }),
    );

  cmd
    .command('verify')
    .description('Verify an OVA without unpacking it (exit 0: intact, 1: not intact, 2: unreadable input)')
    .argument('<input>', 'the .ova')
    .option('--ca <bundle.pem>', 'CA certificates the signer must chain to')
    .option('--require-signature', 'a package without a valid signature is not intact')
    .option('--json', 'print the report as one JSON object')
    .action(
      action(async (input: string, opts: CheckOpts) => {
        const progress = new Progress(`verify ${basename(input)}`, { quiet: opts.json === true });
        const report = await ova
          .verifyOva(input, {
            ca: await caOption(opts.ca),
            requireSignature: opts.requireSignature,
            onProgress: (e) => progress.update(e),
          })
          .catch((e: unknown) => {
            progress.fail();
            throw e;
          });
        if (report.intact) progress.finish(`${input}: intact`);
        else progress.fail();
        if (opts.json) printJson(report, { sizes: OVA_SIZES });
        else printReport(report);
        return report.intact ? ExitCode.Ok : ExitCode.Failed;
      }),
    );

  cmd
    .command('sign')
    .description(
      'Sign an OVA: verify it, then write it again with a fresh manifest and a .cert (as ovftool does)',
    )
    .argument('<input>', 'the .ova')
    .requiredOption('--key <key.pem>', 'RSA private key (PEM)')
    .option(
      '--cert <cert.pem>',
      'the signing certificate, plus any intermediates (default: from the key file)',
    )
    .option('-o, --output <out.ova>', 'write the signed package here (default: replace the input)')
    .option('--manifest <algorithm>', "digest: sha1, sha256 or sha512 (default: the package's, else sha256)")
    .option('--json', 'print the verification report of the input as JSON')
    .action(
      action(async (input: string, opts: PackOpts & { output?: string }) => {
        const signer = (await signerOption(opts.key, opts.cert))!;
        const algorithm = algorithmOption(opts.manifest, false) as ova.DigestAlgorithm | undefined;
        const report = await ova.signOva(input, signer, { output: opts.output, algorithm });
        const out = opts.output ?? input;
        const who = ova.signerInfo(signer.certificates[0]!).subject;
        if (opts.json) printJson({ output: out, signer: who, input: report }, { sizes: OVA_SIZES });
        else println(`${out}: signed by ${who}`);
        return ExitCode.Ok;
      }),
    );
});
