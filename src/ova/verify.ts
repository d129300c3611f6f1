import { VesselError } from '../model/index.js';
import { OvaReader, type ReadOvaOptions } from './reader.js';
import type { OvaReport } from './report.js';
import type { TarSource } from './tar-read.js';

/** Options of {@link verifyOva}: a CA bundle, whether a signature is required, the time to check at. */
export type VerifyOvaOptions = Omit<ReadOvaOptions, 'collect'>;

/**
 * Verifies an OVA in one streaming pass without unpacking it: structure (descriptor first, only referenced
 * files, no links/devices/duplicates/unsafe names, not truncated), sizes against `ovf:size`, every file against
 * the manifest, and the signature (with the chain against `ca` when given). Returns a report listing every
 * problem; `intact` is true when there is none. Throws only when the input cannot be read at all
 * (`FILE_NOT_FOUND`, `IO_ERROR`).
 *
 * @example
 * const report = await verifyOva('appliance.ova', { requireSignature: true });
 * if (!report.intact) console.error(report.problems.map((p) => p.message).join('\n'));
 */
export async function verifyOva(source: TarSource, options: VerifyOvaOptions = {}): Promise<OvaReport> {
  const reader = new OvaReader(source, { ...options, collect: true });
  try {
    for await (const _member of reader) {
      // The reader hashes and checks each member as it drains it.
    }
  } catch (e) {
    if (e instanceof VesselError && (e.code === 'FILE_NOT_FOUND' || e.code === 'IO_ERROR')) throw e;
    reader.fail(e);
  }
  return reader.report();
}
