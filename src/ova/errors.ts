import { VesselError } from '../model/index.js';

/**
 * Error codes of the OVA module, one registry (see also the problem codes in {@link OvaProblem}).
 *
 * - `OVA_NOT_TAR`: the input is not a tar archive (or is a gzip-compressed one).
 * - `OVA_TRUNCATED`: the archive ends inside a member or without its end-of-archive blocks.
 * - `OVA_CORRUPT`: a header further into the archive is damaged.
 * - `OVA_NO_DESCRIPTOR`: the first member is not an `.ovf` descriptor.
 * - `OVA_DESCRIPTOR_INVALID`: the descriptor is not a readable OVF envelope (the cause says why).
 * - `OVA_UNSAFE_NAME`: an absolute name, `..`, a backslash or a control character in a member name or href.
 * - `OVA_MEMBER_TYPE`: a link, symlink, device, fifo or directory member.
 * - `OVA_DUPLICATE`: two members with the same name.
 * - `OVA_UNEXPECTED_MEMBER`: a member that is neither referenced by the descriptor nor listed in the manifest.
 * - `OVA_MISSING_FILE`: a file the descriptor references is not in the package.
 * - `OVA_SIZE_MISMATCH`: a member's size differs from `ovf:size`.
 * - `OVA_DIGEST_MISMATCH`: a member's digest differs from the manifest.
 * - `OVA_MANIFEST_SYNTAX`, `OVA_MANIFEST_INCOMPLETE` (a file not covered), `OVA_MANIFEST_EXTRA` (an entry for a
 *   file the package does not contain).
 * - `OVA_CERT_SYNTAX`, `OVA_SIGNATURE_INVALID`, `OVA_CERT_UNTRUSTED`, `OVA_CERT_EXPIRED`, `OVA_SIGNATURE_REQUIRED`.
 * - `OVA_KEY`: a signing key or certificate that cannot be used.
 * - `OVA_CHUNK`: chunks missing, out of order or of the wrong size.
 * - `OVA_COMPRESSION`: an unsupported `ovf:compression` or a corrupt gzip member.
 * - `OVA_NAME_TOO_LONG`: a name that does not fit a ustar header (pax headers are never written).
 * - `OVA_TOO_LARGE`: a descriptor, manifest or certificate over its size cap.
 * - `OVA_TRANSFORM`: a per-file transform (such as disk conversion) failed or is not available.
 * - `FILE_NOT_FOUND`, `IO_ERROR`: an input that cannot be read (exit 2 in the CLI).
 * - `USAGE_OVA`: an option value that makes no sense (exit 2 in the CLI).
 */
export type OvaErrorCode =
  | 'OVA_NOT_TAR'
  | 'OVA_TRUNCATED'
  | 'OVA_CORRUPT'
  | 'OVA_NO_DESCRIPTOR'
  | 'OVA_DESCRIPTOR_INVALID'
  | 'OVA_UNSAFE_NAME'
  | 'OVA_MEMBER_TYPE'
  | 'OVA_DUPLICATE'
  | 'OVA_UNEXPECTED_MEMBER'
  | 'OVA_MISSING_FILE'
  | 'OVA_SIZE_MISMATCH'
  | 'OVA_DIGEST_MISMATCH'
  | 'OVA_MANIFEST_SYNTAX'
  | 'OVA_MANIFEST_INCOMPLETE'
  | 'OVA_MANIFEST_EXTRA'
  | 'OVA_CERT_SYNTAX'
  | 'OVA_SIGNATURE_INVALID'
  | 'OVA_CERT_UNTRUSTED'
  | 'OVA_CERT_EXPIRED'
  | 'OVA_SIGNATURE_REQUIRED'
  | 'OVA_KEY'
  | 'OVA_CHUNK'
  | 'OVA_COMPRESSION'
  | 'OVA_NAME_TOO_LONG'
  | 'OVA_TOO_LARGE'
  | 'OVA_TRANSFORM'
  | 'FILE_NOT_FOUND'
  | 'IO_ERROR'
  | 'USAGE_OVA';

/** An OVA that cannot be read, written, verified or signed. `member` names the archive member concerned. */
export class OvaError extends VesselError<OvaErrorCode> {
  /** The archive member (or package file) the error is about, when there is one. */
  member: string | undefined;

  constructor(
    code: OvaErrorCode,
    message: string,
    options: {
      member?: string | undefined;
      cause?: unknown;
      hint?: string | undefined;
      file?: string | undefined;
    } = {},
  ) {
    super(code, message, {
      cause: options.cause,
      hint: options.hint,
      location: options.file === undefined ? undefined : { file: options.file },
    });
    this.member = options.member;
  }
}

/** Maps a file-system error (ENOENT, EACCES, ...) on `path` to an {@link OvaError}; other errors pass through. */
export function ioError(err: unknown, path: string, what = 'read'): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT')
    return new OvaError('FILE_NOT_FOUND', `Cannot ${what} "${path}": no such file`, { cause: err });
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code))
    return new OvaError('IO_ERROR', `Cannot ${what} "${path}": ${(err as Error).message}`, { cause: err });
  return err;
}
