/**
 * Running `qemu-img` (Debian qemu-utils) for the formats the native engine does not write, with progress.
 * qemu-img never guesses a format and never follows a name found inside an image: every input is given as a
 * `json:` block spec that pins the probed driver, opens the file with the `file` protocol, and sets
 * `backing: null` (or the backing image, pinned the same way, for a chain the host made). A VMDK descriptor's
 * extents cannot be forbidden by an option; for those the native check (references.ts) is the guard.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { DiskError } from './errors.js';
import { type DiskFormat, qemuDriver, type TargetFormat } from './formats.js';
import type { ProgressFn } from './types.js';

/** One image of a chain qemu-img is allowed to open, with the format it was probed as. */
export interface ChainImage {
  path: string;
  format: DiskFormat;
}

/**
 * The `json:` filename that opens `chain[0]` with its probed driver, each image's backing being the next one
 * (pinned the same way) and the last one's `null`, so qemu-img opens exactly these files.
 *
 * @example
 * imageSpec([{ path: 'disk.qcow2', format: 'qcow2' }]);
 * // json:{"driver":"qcow2","file":{"driver":"file","filename":"/abs/disk.qcow2"},"backing":null}
 */
export function imageSpec(chain: readonly ChainImage[]): string {
  let spec: Record<string, unknown> | null = null;
  for (const img of [...chain].reverse()) {
    const driver = qemuDriver(img.format);
    if (driver === undefined)
      throw new DiskError(
        'DISK_UNSUPPORTED',
        `qemu-img cannot read "${img.path}": it is a ${img.format} file`,
      );
    spec = { driver, file: { driver: 'file', filename: resolve(img.path) }, backing: spec };
  }
  if (spec === null) throw new DiskError('USAGE_DISK', 'imageSpec() needs at least one image');
  return `json:${JSON.stringify(spec)}`;
}

/** Options of {@link qemuConvert}. */
interface QemuConvertOptions {
  /** The probed input format (pinned in the block spec, so qemu-img never guesses). */
  from: DiskFormat;
  /** The backing chain below the input, for an image the host made (see `trustedChain`); default none. */
  backing?: readonly ChainImage[];
  /** Controller for a VMDK target (`adapter_type`). */
  adapterType?: string;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  /** Virtual size, to turn qemu-img's percentage into bytes for progress events. */
  virtualSize?: number;
}

/** The `-O` driver and `-o` options qemu-img needs to write `target`. */
function qemuTargetArgs(target: TargetFormat, adapterType?: string): string[] {
  switch (target) {
    case 'vmdk':
      return [
        '-O',
        'vmdk',
        '-o',
        `subformat=monolithicSparse${adapterType ? `,adapter_type=${adapterType}` : ''}`,
      ];
    case 'vmdk-stream':
      return [
        '-O',
        'vmdk',
        '-o',
        `subformat=streamOptimized${adapterType ? `,adapter_type=${adapterType}` : ''}`,
      ];
    case 'vhd':
      // force_size keeps the exact size instead of rounding up to a CHS geometry (notes/disk-formats.md §1.6).
      return ['-O', 'vpc', '-o', 'subformat=dynamic,force_size=on'];
    default:
      return ['-O', target];
  }
}

/** The arguments of `qemu-img convert` for {@link qemuConvert}: a pinned input spec, never `-f`. */
export function qemuConvertArgs(
  input: string,
  output: string,
  target: TargetFormat,
  o: Pick<QemuConvertOptions, 'from' | 'backing' | 'adapterType'>,
): string[] {
  const spec = imageSpec([{ path: input, format: o.from }, ...(o.backing ?? [])]);
  return ['convert', '-p', ...qemuTargetArgs(target, o.adapterType), spec, output];
}

/** Converts `input` (of the probed format `o.from`) to `output` in format `target` with `qemu-img convert`. */
export async function qemuConvert(
  input: string,
  output: string,
  target: TargetFormat,
  o: QemuConvertOptions,
): Promise<void> {
  await runQemuImg(qemuConvertArgs(input, output, target, o), o, (pct) =>
    o.onProgress?.({
      phase: 'qemu-img',
      done: o.virtualSize === undefined ? pct : Math.round((pct / 100) * o.virtualSize),
      total: o.virtualSize ?? 100,
    }),
  );
}

/** Result of `qemu-img check`: corruption is an error, leaked clusters only a warning. */
interface QemuCheck {
  errors: string[];
  warnings: string[];
}

/** The arguments of `qemu-img check` for {@link qemuCheck}: the image pinned to `format`, no backing file. */
export function qemuCheckArgs(path: string, format: DiskFormat): string[] {
  return ['check', '--output=json', imageSpec([{ path, format }])];
}

/** Runs `qemu-img check` on an image of a format it checks, pinned to that format with no backing file. */
export async function qemuCheck(path: string, format: DiskFormat): Promise<QemuCheck> {
  const out: QemuCheck = { errors: [], warnings: [] };
  try {
    const stdout = await runQemuImg(qemuCheckArgs(path, format), {}, undefined, [0, 2, 3]);
    const r = JSON.parse(stdout || '{}') as { corruptions?: number; leaks?: number; 'check-errors'?: number };
    if (r.corruptions) out.errors.push(`qemu-img check found ${r.corruptions} corruptions`);
    if (r['check-errors']) out.errors.push(`qemu-img check hit ${r['check-errors']} errors`);
    if (r.leaks) out.warnings.push(`qemu-img check found ${r.leaks} leaked clusters`);
  } catch (err) {
    if (err instanceof DiskError && err.message.includes('not installed')) throw err;
    out.errors.push((err as Error).message);
  }
  return out;
}

/** Runs qemu-img; resolves with stdout when the exit code is accepted, else throws `DISK_TOOL_FAILED`. */
function runQemuImg(
  args: string[],
  o: { signal?: AbortSignal },
  onPercent?: (pct: number) => void,
  okCodes: number[] = [0],
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('qemu-img', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(o.signal ? { signal: o.signal } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      if (onPercent) {
        const m = /\((\d+(?:\.\d+)?)\/100%\)[^(]*$/.exec(s);
        if (m) onPercent(Number(m[1]));
      } else stdout += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      if (stderr.length < 8192) stderr += s;
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.name === 'AbortError')
        reject(new DiskError('DISK_ABORTED', 'qemu-img was cancelled', { cause: err }));
      else if (err.code === 'ENOENT')
        reject(
          new DiskError('DISK_TOOL_FAILED', 'qemu-img is not installed', {
            cause: err,
            hint: 'install the qemu-utils package (scripts/setup.sh)',
          }),
        );
      else reject(new DiskError('DISK_TOOL_FAILED', `Cannot run qemu-img: ${err.message}`, { cause: err }));
    });
    child.on('close', (code) => {
      if (code !== null && okCodes.includes(code)) resolve(stdout);
      else if (!o.signal?.aborted)
        reject(
          new DiskError(
            'DISK_TOOL_FAILED',
            `qemu-img ${args[0]} failed: ${stderr.trim() || `exit code ${code}`}`,
          ),
        );
    });
  });
}
