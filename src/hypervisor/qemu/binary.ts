import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { HypervisorError } from '../errors.js';

const run = promisify(execFile);

/** The QEMU system emulator Vessel runs: `$VESSEL_QEMU`, else `qemu-system-x86_64` from PATH. */
export function qemuBinary(): string {
  return process.env.VESSEL_QEMU ?? 'qemu-system-x86_64';
}

/**
 * The version of a QEMU binary, e.g. `7.2.22`, from `-version`; `QEMU_NOT_FOUND` when it cannot be run.
 *
 * @example
 * await qemuVersion('qemu-system-x86_64'); // '7.2.22'
 */
export async function qemuVersion(binary = qemuBinary()): Promise<string> {
  let out: string;
  try {
    out = (await run(binary, ['-version'], { timeout: 10_000 })).stdout;
  } catch (e) {
    throw new HypervisorError(
      'QEMU_NOT_FOUND',
      `Cannot run ${binary}: ${(e as Error).message.split('\n')[0]}`,
      {
        cause: e,
        hint: 'Install QEMU (apt-get install qemu-system-x86) or set VESSEL_QEMU',
      },
    );
  }
  const m = /version (\d+\.\d+(?:\.\d+)?)/.exec(out);
  if (!m)
    throw new HypervisorError('QEMU_NOT_FOUND', `${binary} -version printed no version: ${out.slice(0, 80)}`);
  return m[1]!;
}
