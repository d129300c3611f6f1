/**
 * Disk images: probe any image by its bytes, convert between raw, qcow2, VMDK (sparse and streamOptimized),
 * VHD, VHDX and VDI, and stream streamOptimized VMDK in both directions with a native engine (deflate and
 * inflate on worker threads, bounded memory) so an OVA is packed or unpacked in one pass. qemu-img does the
 * formats the native engine does not write, always through a pinned block spec. Images are untrusted: one
 * that names another file (backing file, extent, parent, data file) is found natively and refused.
 *
 * @example
 * const info = await probe('disk.qcow2');
 * const enc = encodeStreamVmdk('disk.qcow2', { adapterType: 'lsilogic', onProgress: console.log });
 * for await (const chunk of enc) tarEntry.write(chunk);
 * const { bytes, populatedSize } = await enc.result;
 * await decodeStreamVmdk(tarEntryStream, 'disk.qcow2', { format: 'qcow2' });
 */
export { type ConvertOptions, type ConvertResult, convert, writeEncoded } from './convert.js';
export { type DecodeOptions, decodeStreamVmdk, verifyStreamVmdk } from './decode.js';
export { DiskError, type DiskErrorCode } from './errors.js';
export {
  type DiskFormat,
  parseTargetFormat,
  qemuDriver,
  TARGET_FORMATS,
  type TargetFormat,
} from './formats.js';
export { ISO_NAME_MAX, type IsoFile, type IsoOptions, writeIsoImage } from './iso-write.js';
export { type ProbeOptions, probe } from './probe.js';
export {
  formatDuration,
  formatProgressBar,
  type ProgressState,
  ProgressTracker,
} from './progress.js';
export { type ChainImage, imageSpec, qemuConvert } from './qemu-img.js';
export {
  describeReference,
  type ImageReference,
  type ReferenceKind,
  referenceError,
} from './reference-kinds.js';
export { assertSelfContained, trustedChain } from './self-contained.js';
export type { ProbeResult, Problem, ProgressEvent, ProgressFn, Severity } from './types.js';
export type { ReadStreamOptions, ReadStreamResult } from './vmdk/decoder.js';
export { ADAPTER_TYPES, type AdapterType } from './vmdk/descriptor.js';
export {
  DEFAULT_LEVEL,
  type EncodeOptions,
  type EncodeResult,
  encodeStreamVmdk,
  type StreamVmdkEncoder,
} from './vmdk/encoder.js';
export { DEFAULT_MAX_VIRTUAL_SIZE } from './vmdk/validate.js';
