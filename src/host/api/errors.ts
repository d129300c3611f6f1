import { ApiError, type ApiErrorCode, isApiErrorCode } from '../../api/index.js';
import { DiskError, type DiskErrorCode } from '../../disk/index.js';
import { HypervisorError, type HypervisorErrorCode } from '../../hypervisor/index.js';
import { ModelError, type ModelErrorCode, VesselError } from '../../model/index.js';
import { OvaError, type OvaErrorCode } from '../../ova/index.js';
import { OvfError, type OvfErrorCode } from '../../ovf/index.js';
import { XmlError, type XmlErrorCode } from '../../xml/index.js';
import { HostError, type HostErrorCode } from '../errors.js';

/**
 * Where the host's domain errors become the Api's: one exhaustive table per domain registry (a new domain code
 * does not compile until it says what it becomes), the message and hint kept, the domain's own code in `detail`.
 * The session maps every error a namespace throws through {@link toApiError}, once.
 */

type Table<C extends string> = Readonly<Record<C, ApiErrorCode>>;

const HYPERVISOR: Table<HypervisorErrorCode> = {
  NOT_SUPPORTED: 'NOT_SUPPORTED',
  VM_NOT_FOUND: 'VM_NOT_FOUND',
  VM_EXISTS: 'VM_EXISTS',
  INVALID_STATE: 'INVALID_STATE',
  DEFINITION_INVALID: 'DEFINITION_INVALID',
  // An image the definition names cannot be opened for the hypervisor.
  FILE_NOT_FOUND: 'IMAGE_NOT_FOUND',
  DRIVER_URI: 'INVALID_ARGUMENT',
  QMP_PROTOCOL: 'HYPERVISOR_FAILED',
  QMP_COMMAND: 'HYPERVISOR_FAILED',
  QMP_CLOSED: 'HYPERVISOR_FAILED',
  QMP_TIMEOUT: 'HYPERVISOR_FAILED',
  QEMU_NOT_FOUND: 'HYPERVISOR_FAILED',
  QEMU_START: 'HYPERVISOR_FAILED',
  TIMEOUT: 'TIMEOUT',
  RUN_DIR_UNSAFE: 'HYPERVISOR_FAILED',
  LIBVIRT_FAILED: 'HYPERVISOR_FAILED',
  // libvirtd went away (restart, crash); the driver reconnects with backoff.
  LIBVIRT_DISCONNECTED: 'HYPERVISOR_FAILED',
};

const HOST: Table<HostErrorCode> = {
  HOST_NOT_RUNNING: 'HOST_NOT_RUNNING',
  HOST_UNREACHABLE: 'HOST_UNREACHABLE',
  // Another host process holds the state directory.
  HOST_ALREADY_RUNNING: 'BUSY',
  HOST_STORE: 'HOST_STORE',
  HOST_STATE_DIR: 'HOST_STORE',
  VM_NOT_FOUND: 'VM_NOT_FOUND',
  JOB_NOT_FOUND: 'NOT_FOUND',
  USAGE: 'INVALID_ARGUMENT',
  DEPLOY_PACKAGE: 'DEPLOY_PACKAGE',
  DEPLOY_INVALID: 'DEPLOY_INVALID',
  DEPLOY_EULA: 'DEPLOY_EULA',
  DEPLOY_PROPERTY: 'DEPLOY_PROPERTY',
  DEPLOY_HARDWARE: 'DEPLOY_HARDWARE',
  DEPLOY_DISK: 'DEPLOY_DISK',
  // An item of an (untrusted) package names a host path: the package cannot be used.
  DEPLOY_HOST_PATH: 'DEPLOY_PACKAGE',
  FILE_NOT_FOUND: 'IMAGE_NOT_FOUND',
  EXPORT_OUTPUT: 'EXPORT_OUTPUT',
  EXPORT_INVALID: 'EXPORT_INVALID',
  // An export would read a file the host did not create for the system.
  EXPORT_HOST_PATH: 'IMAGE_UNSAFE',
  POOL_INVALID: 'INVALID_ARGUMENT',
  POOL_EXISTS: 'ALREADY_EXISTS',
  POOL_NOT_FOUND: 'NOT_FOUND',
  POOL_IN_USE: 'INVALID_STATE',
  IMAGE_OUTSIDE_POOLS: 'PATH_OUTSIDE_POOL',
  IMAGE_DEVICE: 'IMAGE_UNSAFE',
  IMAGE_REFERENCES: 'IMAGE_UNSAFE',
  // Another system writes the image directly, or uses it while this one would.
  IMAGE_IN_USE: 'INVALID_STATE',
};

const MODEL: Table<ModelErrorCode> = {
  MODEL_INVALID: 'DEFINITION_INVALID',
  MODEL_UNITS: 'DEFINITION_INVALID',
  NOT_SUPPORTED: 'NOT_SUPPORTED',
};

/** OVA errors reach the host while it reads an (untrusted) package to deploy or writes one to export. */
const OVA: Table<OvaErrorCode> = {
  OVA_NOT_TAR: 'DEPLOY_PACKAGE',
  OVA_TRUNCATED: 'DEPLOY_PACKAGE',
  OVA_CORRUPT: 'DEPLOY_PACKAGE',
  OVA_NO_DESCRIPTOR: 'DEPLOY_PACKAGE',
  OVA_DESCRIPTOR_INVALID: 'DEPLOY_INVALID',
  OVA_UNSAFE_NAME: 'DEPLOY_PACKAGE',
  OVA_MEMBER_TYPE: 'DEPLOY_PACKAGE',
  OVA_DUPLICATE: 'DEPLOY_PACKAGE',
  OVA_UNEXPECTED_MEMBER: 'DEPLOY_PACKAGE',
  OVA_MISSING_FILE: 'DEPLOY_PACKAGE',
  OVA_SIZE_MISMATCH: 'DEPLOY_PACKAGE',
  OVA_DIGEST_MISMATCH: 'DEPLOY_PACKAGE',
  OVA_MANIFEST_SYNTAX: 'DEPLOY_PACKAGE',
  OVA_MANIFEST_INCOMPLETE: 'DEPLOY_PACKAGE',
  OVA_MANIFEST_EXTRA: 'DEPLOY_PACKAGE',
  OVA_CERT_SYNTAX: 'DEPLOY_PACKAGE',
  OVA_SIGNATURE_INVALID: 'DEPLOY_PACKAGE',
  OVA_CERT_UNTRUSTED: 'DEPLOY_PACKAGE',
  OVA_CERT_EXPIRED: 'DEPLOY_PACKAGE',
  OVA_SIGNATURE_REQUIRED: 'DEPLOY_PACKAGE',
  OVA_KEY: 'INVALID_ARGUMENT',
  OVA_CHUNK: 'DEPLOY_PACKAGE',
  OVA_COMPRESSION: 'DEPLOY_PACKAGE',
  OVA_NAME_TOO_LONG: 'DEPLOY_PACKAGE',
  OVA_TOO_LARGE: 'LIMIT_EXCEEDED',
  OVA_TRANSFORM: 'DEPLOY_DISK',
  FILE_NOT_FOUND: 'DEPLOY_PACKAGE',
  IO_ERROR: 'DEPLOY_PACKAGE',
  USAGE_OVA: 'INVALID_ARGUMENT',
};

const OVF: Table<OvfErrorCode> = {
  OVF_XML_SYNTAX: 'DEPLOY_INVALID',
  OVF_XML_DOCTYPE: 'DEPLOY_INVALID',
  OVF_XML_TOO_LARGE: 'DEPLOY_INVALID',
  OVF_NOT_OVF: 'DEPLOY_INVALID',
  OVF_UNSUPPORTED_VERSION: 'DEPLOY_INVALID',
  OVF_EDIT: 'INVALID_ARGUMENT',
  // The system or deployment option a caller asked for is not in the package.
  OVF_NOT_FOUND: 'INVALID_ARGUMENT',
};

const XML: Table<XmlErrorCode> = {
  XML_SYNTAX: 'DEPLOY_INVALID',
  XML_DOCTYPE: 'DEPLOY_INVALID',
  XML_TOO_LARGE: 'DEPLOY_INVALID',
  XML_TOO_DEEP: 'DEPLOY_INVALID',
};

const DISK: Table<DiskErrorCode> = {
  DISK_CORRUPT: 'DEPLOY_DISK',
  DISK_TRUNCATED: 'DEPLOY_DISK',
  DISK_TOO_LARGE: 'DEPLOY_DISK',
  DISK_UNSUPPORTED: 'DEPLOY_DISK',
  DISK_EXTERNAL_REFERENCE: 'IMAGE_UNSAFE',
  DISK_ABORTED: 'CANCELLED',
  DISK_TOOL_FAILED: 'HYPERVISOR_FAILED',
  IO_DISK: 'HOST_STORE',
  FILE_NOT_FOUND: 'IMAGE_NOT_FOUND',
  USAGE_DISK: 'INVALID_ARGUMENT',
};

/** The domain name and Api code of a domain error, or undefined for an error of no known domain. */
function classify(e: VesselError): { domain: string; code: ApiErrorCode } | undefined {
  if (e instanceof HypervisorError) return { domain: 'hypervisor', code: HYPERVISOR[e.code] };
  if (e instanceof HostError) return { domain: 'host', code: HOST[e.code] };
  if (e instanceof ModelError) return { domain: 'model', code: MODEL[e.code] };
  if (e instanceof OvaError) return { domain: 'ova', code: OVA[e.code] };
  if (e instanceof OvfError) return { domain: 'ovf', code: OVF[e.code] };
  if (e instanceof XmlError) return { domain: 'xml', code: XML[e.code] };
  if (e instanceof DiskError) return { domain: 'disk', code: DISK[e.code] };
  return undefined;
}

/**
 * The refused members of a model refusal as the Api names them (at most 64, texts cut to the wire's limits): the
 * error's own, or its cause's (a driver passes the model's refusal on as its own DEFINITION_INVALID).
 */
function fieldErrors(e: unknown): ApiError['errors'] {
  for (let x = e, depth = 0; x instanceof Error && depth < 4; x = x.cause, depth++)
    if (x instanceof ModelError && x.fields !== undefined)
      return x.fields
        .slice(0, 64)
        .map((f) => ({ pointer: f.pointer.slice(0, 1024), detail: f.detail.slice(0, 8192) }));
  return undefined;
}

/**
 * The Api error for anything a host operation threw: an ApiError as it is; a domain error by its domain's
 * table, with message, hint and cause kept and `detail: { domain, code }`; a store (SQLite) failure as
 * HOST_STORE; anything else as INTERNAL (a bug), its message kept.
 *
 * @example
 * toApiError(new HostError('POOL_NOT_FOUND', 'No storage pool "p9"')).code; // 'NOT_FOUND'
 */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof VesselError) {
    const known = classify(e);
    const domainCode = String(e.code);
    const code = known?.code ?? (isApiErrorCode(domainCode) ? domainCode : 'INTERNAL');
    return new ApiError(code, e.message, {
      hint: e.hint,
      location: e.location,
      cause: e,
      detail: { domain: known?.domain ?? e.name, code: domainCode.slice(0, 64) },
      errors: fieldErrors(e),
    });
  }
  if (e instanceof Error && e.name === 'SqliteError') {
    const code = String((e as { code?: unknown }).code ?? 'SQLITE_ERROR');
    return new ApiError('HOST_STORE', `The host's store failed: ${e.message}`, {
      cause: e,
      detail: { domain: 'store', code: code.slice(0, 64) },
    });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new ApiError('INTERNAL', message === '' ? 'Internal error' : message, { cause: e });
}

/**
 * The Api code of an error recorded only by its code (a job's error in a store written before errors were
 * mapped, or `HOST_RESTARTED`), as {@link toApiError} maps a thrown one: an Api code stays, a host or hypervisor
 * code goes through its table, anything else is INTERNAL.
 *
 * @example
 * apiErrorCodeOf('JOB_NOT_FOUND'); // 'NOT_FOUND'
 */
export function apiErrorCodeOf(domainCode: string): ApiErrorCode {
  if (isApiErrorCode(domainCode)) return domainCode;
  if (Object.hasOwn(HOST, domainCode)) return HOST[domainCode as HostErrorCode];
  if (Object.hasOwn(HYPERVISOR, domainCode)) return HYPERVISOR[domainCode as HypervisorErrorCode];
  return 'INTERNAL';
}
