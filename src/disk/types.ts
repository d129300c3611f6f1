import type { DiskFormat } from './formats.js';
import type { ImageReference } from './reference-kinds.js';

/** How serious a {@link Problem} is: `error` means the image is corrupt or unusable. */
export type Severity = 'error' | 'warning' | 'info';

/** Something `probe()` found wrong or noteworthy in an image. */
export interface Problem {
  severity: Severity;
  /** A stable code such as `VMDK_TRUNCATED` or `QCOW2_DIRTY`. */
  code: string;
  message: string;
  /** Byte offset in the file, when the problem is at one place. */
  offset?: number;
}

/** What `probe()` learns about an image from its bytes. */
export interface ProbeResult {
  path: string;
  format: DiskFormat;
  /** Variant within the format: `streamOptimized`, `monolithicSparse`, `fixed`, `dynamic`, `v3`, ... */
  subformat?: string;
  /** Size of the virtual disk in bytes (what the guest sees). */
  virtualSize: number;
  /** Size of the image file in bytes. */
  fileSize: number;
  /** Bytes the file occupies on the host (st_blocks × 512), like qemu-img's "disk size". */
  allocatedSize: number;
  /** Bytes of guest data the image holds (allocated grains/clusters/blocks), when the format tells. */
  populatedSize?: number;
  /** Format-specific facts: cluster size, backing file, layout, adapter type, ... */
  details: Record<string, string | number | boolean>;
  /**
   * The other files (or parent images) the image names: backing files, extents, parents, data files. Each also
   * appears in `problems` as an error `DISK_EXTERNAL_REFERENCE`, since an image that names another file is
   * not self-contained (see references.ts).
   */
  references: ImageReference[];
  /** What is wrong with the image; any `error` means it is corrupt, unusable or not self-contained. */
  problems: Problem[];
  /** For a gzip file: what its content is, probed from the first bytes. */
  inner?: { format: DiskFormat; virtualSize?: number; subformat?: string };
}

/** Collects problems while a format prober works. */
export class Problems {
  readonly list: Problem[] = [];

  /** Adds an error (the image is corrupt or unusable). */
  error(code: string, message: string, offset?: number): void {
    this.add('error', code, message, offset);
  }

  /** Adds a warning (usable, but something is off). */
  warn(code: string, message: string, offset?: number): void {
    this.add('warning', code, message, offset);
  }

  /** Adds a note (a fact worth showing, e.g. a backing file). */
  info(code: string, message: string, offset?: number): void {
    this.add('info', code, message, offset);
  }

  /** True when an error was recorded. */
  get failed(): boolean {
    return this.list.some((p) => p.severity === 'error');
  }

  private add(severity: Severity, code: string, message: string, offset: number | undefined): void {
    const p: Problem = { severity, code, message };
    if (offset !== undefined) p.offset = offset;
    this.list.push(p);
  }
}

/** Progress of a long operation, reported through `onProgress`. */
export interface ProgressEvent {
  /** What is being done: `convert`, `encode`, `decode`, `qemu-img`. */
  phase: string;
  /** Bytes of the virtual disk processed so far. */
  done: number;
  /** Bytes to process in total (the virtual size), when known. */
  total: number | undefined;
  /** Bytes written to the output so far, when known. */
  written?: number;
}

/** A callback receiving {@link ProgressEvent}s. */
export type ProgressFn = (e: ProgressEvent) => void;
