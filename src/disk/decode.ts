/**
 * The public streamOptimized decoder: VMDK bytes arriving in one pass (a tar entry inside an OVA, a file
 * stream, an HTTP body) written to a raw or qcow2 image, or just verified.
 */
import { convertSinkFor } from './sink-factory.js';
import { nullSink } from './sinks.js';
import { type ReadStreamOptions, type ReadStreamResult, readStreamVmdk } from './vmdk/decoder.js';

/** Options of {@link decodeStreamVmdk}. */
export interface DecodeOptions extends ReadStreamOptions {
  /** Output format; default `raw` (sparse). `qcow2` is written natively in the same pass. */
  format?: 'raw' | 'qcow2';
}

/**
 * Reads a streamOptimized VMDK from `source` and writes the disk to `outPath`. On any error the output is
 * deleted and a {@link DiskError} names the stream offset of the problem.
 *
 * @example
 * await decodeStreamVmdk(tarEntry, '/var/lib/vessel/web1.qcow2', { format: 'qcow2', name: 'disk1.vmdk' });
 */
export function decodeStreamVmdk(
  source: AsyncIterable<Buffer | Uint8Array | string>,
  outPath: string,
  options: DecodeOptions = {},
): Promise<ReadStreamResult> {
  return readStreamVmdk(source, convertSinkFor(options.format ?? 'raw', outPath), options);
}

/** Reads a whole streamOptimized VMDK, checking every marker and grain, without writing anything. */
export function verifyStreamVmdk(
  source: AsyncIterable<Buffer | Uint8Array | string>,
  options: ReadStreamOptions = {},
): Promise<ReadStreamResult> {
  return readStreamVmdk(source, async () => nullSink, options);
}
