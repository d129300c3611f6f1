import type { CliExitCode } from '../api/index.js';
import type { CimErrorCode } from '../cim/index.js';
import type { DiskErrorCode } from '../disk/index.js';
import type { FormatErrorCode } from '../formats/index.js';
import type { HostErrorCode } from '../host/index.js';
import type { HypervisorErrorCode } from '../hypervisor/index.js';
import type { ImageErrorCode } from '../image/index.js';
import type { ModelErrorCode } from '../model/index.js';
import type { OvaErrorCode } from '../ova/index.js';
import type { OvfErrorCode } from '../ovf/index.js';
import type { CimXmlErrorCode, HttpErrorCode } from '../wbem/index.js';
import type { XmlErrorCode } from '../xml/index.js';

/**
 * The exit code of every error code of every offline registry the CLI meets (the Api's own table is
 * `CLI_EXIT_OF` in src/api). Each table is a `Record` over its registry's union, so a new code does not compile
 * until it has an exit code here: 1 refused or failed, 2 unreadable input or usage, 3 no host answers, 4 not
 * supported here, 70 a bug.
 */

/** The CLI's own codes (usage, files it cannot read or write, a host it cannot reach, a feature it lacks). */
export type CliErrorCode = 'USAGE' | 'IO_READ' | 'IO_WRITE' | 'HOST_UNREACHABLE' | 'NOT_SUPPORTED';

export const CLI_OWN_EXIT: Readonly<Record<CliErrorCode, CliExitCode>> = {
  USAGE: 2,
  IO_READ: 2,
  IO_WRITE: 2,
  HOST_UNREACHABLE: 3,
  NOT_SUPPORTED: 4,
};

export const XML_EXIT: Readonly<Record<XmlErrorCode, CliExitCode>> = {
  XML_SYNTAX: 2,
  XML_DOCTYPE: 2,
  XML_TOO_LARGE: 2,
  XML_TOO_DEEP: 2,
};

export const MODEL_EXIT: Readonly<Record<ModelErrorCode, CliExitCode>> = {
  MODEL_INVALID: 1,
  MODEL_UNITS: 1,
  NOT_SUPPORTED: 4,
};

export const OVF_EXIT: Readonly<Record<OvfErrorCode, CliExitCode>> = {
  OVF_XML_SYNTAX: 2,
  OVF_XML_DOCTYPE: 2,
  OVF_XML_TOO_LARGE: 2,
  OVF_NOT_OVF: 1,
  OVF_UNSUPPORTED_VERSION: 1,
  OVF_EDIT: 1,
  OVF_NOT_FOUND: 1,
};

export const OVA_EXIT: Readonly<Record<OvaErrorCode, CliExitCode>> = {
  OVA_NOT_TAR: 1,
  OVA_TRUNCATED: 1,
  OVA_CORRUPT: 1,
  OVA_NO_DESCRIPTOR: 1,
  OVA_DESCRIPTOR_INVALID: 1,
  OVA_UNSAFE_NAME: 1,
  OVA_MEMBER_TYPE: 1,
  OVA_DUPLICATE: 1,
  OVA_UNEXPECTED_MEMBER: 1,
  OVA_MISSING_FILE: 1,
  OVA_SIZE_MISMATCH: 1,
  OVA_DIGEST_MISMATCH: 1,
  OVA_MANIFEST_SYNTAX: 1,
  OVA_MANIFEST_INCOMPLETE: 1,
  OVA_MANIFEST_EXTRA: 1,
  OVA_CERT_SYNTAX: 1,
  OVA_SIGNATURE_INVALID: 1,
  OVA_CERT_UNTRUSTED: 1,
  OVA_CERT_EXPIRED: 1,
  OVA_SIGNATURE_REQUIRED: 1,
  OVA_KEY: 1,
  OVA_CHUNK: 1,
  OVA_COMPRESSION: 1,
  OVA_NAME_TOO_LONG: 1,
  OVA_TOO_LARGE: 1,
  OVA_TRANSFORM: 1,
  FILE_NOT_FOUND: 2,
  IO_ERROR: 2,
  USAGE_OVA: 2,
};

export const DISK_EXIT: Readonly<Record<DiskErrorCode, CliExitCode>> = {
  DISK_CORRUPT: 1,
  DISK_TRUNCATED: 1,
  DISK_TOO_LARGE: 1,
  DISK_UNSUPPORTED: 1,
  DISK_EXTERNAL_REFERENCE: 1,
  DISK_ABORTED: 1,
  DISK_TOOL_FAILED: 1,
  IO_DISK: 2,
  FILE_NOT_FOUND: 2,
  USAGE_DISK: 2,
};

export const FORMAT_EXIT: Readonly<Record<FormatErrorCode, CliExitCode>> = {
  FORMAT_UNKNOWN: 2,
  FORMAT_SYNTAX: 2,
  FORMAT_INVALID: 1,
  FORMAT_TOO_LARGE: 2,
  FORMAT_UNSAFE_PATH: 1,
  FORMAT_DISK_CAPACITY: 1,
  FORMAT_UNSUPPORTED: 1,
};

export const HYPERVISOR_EXIT: Readonly<Record<HypervisorErrorCode, CliExitCode>> = {
  NOT_SUPPORTED: 4,
  VM_NOT_FOUND: 1,
  VM_EXISTS: 1,
  INVALID_STATE: 1,
  DEFINITION_INVALID: 1,
  FILE_NOT_FOUND: 2,
  DRIVER_URI: 1,
  QMP_PROTOCOL: 1,
  QMP_COMMAND: 1,
  QMP_CLOSED: 1,
  QMP_TIMEOUT: 1,
  QEMU_NOT_FOUND: 1,
  QEMU_START: 1,
  TIMEOUT: 1,
  RUN_DIR_UNSAFE: 1,
  LIBVIRT_FAILED: 1,
  LIBVIRT_DISCONNECTED: 1,
};

export const HOST_EXIT: Readonly<Record<HostErrorCode, CliExitCode>> = {
  HOST_NOT_RUNNING: 3,
  HOST_UNREACHABLE: 3,
  HOST_ALREADY_RUNNING: 1,
  HOST_STORE: 1,
  HOST_STATE_DIR: 1,
  VM_NOT_FOUND: 1,
  JOB_NOT_FOUND: 1,
  USAGE: 2,
  DEPLOY_PACKAGE: 1,
  DEPLOY_INVALID: 1,
  DEPLOY_EULA: 1,
  DEPLOY_PROPERTY: 1,
  DEPLOY_HARDWARE: 1,
  DEPLOY_DISK: 1,
  DEPLOY_HOST_PATH: 1,
  FILE_NOT_FOUND: 2,
  EXPORT_OUTPUT: 1,
  EXPORT_INVALID: 70,
  EXPORT_HOST_PATH: 1,
  POOL_INVALID: 1,
  POOL_EXISTS: 1,
  POOL_NOT_FOUND: 1,
  POOL_IN_USE: 1,
  IMAGE_OUTSIDE_POOLS: 1,
  IMAGE_DEVICE: 1,
  IMAGE_REFERENCES: 1,
  IMAGE_IN_USE: 1,
};

export const IMAGE_EXIT: Readonly<Record<ImageErrorCode, CliExitCode>> = {
  IMAGE_TOOLS: 4,
  IMAGE_PRIVILEGE: 4,
  IMAGE_BUILD: 1,
  IMAGE_OUTPUT: 1,
  IMAGE_USAGE: 2,
};

export const CIMXML_EXIT: Readonly<Record<CimXmlErrorCode, CliExitCode>> = {
  CIMXML_UNSUPPORTED_PROTOCOL_VERSION: 3,
  CIMXML_MULTIPLE_REQUESTS_UNSUPPORTED: 4,
  CIMXML_UNSUPPORTED_CIM_VERSION: 3,
  CIMXML_UNSUPPORTED_DTD_VERSION: 3,
  CIMXML_REQUEST_NOT_VALID: 1,
  CIMXML_REQUEST_NOT_WELL_FORMED: 1,
  CIMXML_REQUEST_NOT_LOOSELY_VALID: 1,
  CIMXML_HEADER_MISMATCH: 1,
  CIMXML_UNSUPPORTED_OPERATION: 4,
  CIMXML_BAD_REQUEST: 1,
  CIMXML_TOO_LARGE: 1,
  CIMXML_TIMEOUT: 1,
  CIMXML_UNAUTHORIZED: 1,
  // The peer answered with something that is not CIM-XML: it is not a host we can talk to.
  CIMXML_RESPONSE_INVALID: 3,
  CIMXML_REMOTE_FAILED: 1,
  CIMXML_HTTP: 1,
  HOST_UNREACHABLE: 3,
};

export const HTTP_EXIT: Readonly<Record<HttpErrorCode, CliExitCode>> = {
  HTTP_TLS: 1,
  HTTP_BAD_REQUEST: 1,
  HTTP_TOO_LARGE: 1,
  HTTP_BUSY: 1,
  HTTP_LOGIN_THROTTLED: 1,
};

/** CIM status names: NOT_SUPPORTED kinds exit 4, everything else the peer refused exits 1. */
export function cimExit(code: CimErrorCode): CliExitCode {
  return code === 'CIM_ERR_NOT_SUPPORTED' || code === 'CIM_ERR_METHOD_NOT_AVAILABLE' ? 4 : 1;
}
