import { ApiError, CLI_EXIT_OF, type CliExitCode } from '../api/index.js';
import { CimError } from '../cim/index.js';
import { DiskError } from '../disk/index.js';
import { FormatError } from '../formats/index.js';
import { HostError } from '../host/index.js';
import { HypervisorError } from '../hypervisor/index.js';
import { ImageError } from '../image/index.js';
import { ModelError, VesselError } from '../model/index.js';
import { OvaError } from '../ova/index.js';
import { OvfError } from '../ovf/index.js';
import { CimXmlError, HttpError } from '../wbem/index.js';
import { XmlError } from '../xml/index.js';
import {
  CIMXML_EXIT,
  CLI_OWN_EXIT,
  type CliErrorCode,
  cimExit,
  DISK_EXIT,
  FORMAT_EXIT,
  HOST_EXIT,
  HTTP_EXIT,
  HYPERVISOR_EXIT,
  IMAGE_EXIT,
  MODEL_EXIT,
  OVA_EXIT,
  OVF_EXIT,
  XML_EXIT,
} from './exit-tables.js';

/**
 * Exit codes of the `vessel` command, documented in the README:
 * 0 success; 1 the check failed (invalid descriptor, package not intact, corrupt image, operation refused);
 * 2 usage error, unreadable input or XML that is not well formed; 3 the host is not running or unreachable;
 * 4 not supported by this driver or platform; 70 internal error (a bug).
 */
export const ExitCode = {
  Ok: 0,
  Failed: 1,
  Usage: 2,
  NoHost: 3,
  NotSupported: 4,
  Internal: 70,
} as const;

/** One registry: its error class and its exhaustive table (exit-tables.ts). */
type Registry = readonly [
  new (...a: never[]) => VesselError<string>,
  (code: string) => CliExitCode | undefined,
];

const lookup =
  (table: Readonly<Record<string, CliExitCode>>) =>
  (code: string): CliExitCode | undefined =>
    Object.hasOwn(table, code) ? table[code] : undefined;

const REGISTRIES: readonly Registry[] = [
  [ApiError, lookup(CLI_EXIT_OF)],
  [XmlError, lookup(XML_EXIT)],
  [ModelError, lookup(MODEL_EXIT)],
  [OvfError, lookup(OVF_EXIT)],
  [OvaError, lookup(OVA_EXIT)],
  [DiskError, lookup(DISK_EXIT)],
  [FormatError, lookup(FORMAT_EXIT)],
  [HypervisorError, lookup(HYPERVISOR_EXIT)],
  [HostError, lookup(HOST_EXIT)],
  [ImageError, lookup(IMAGE_EXIT)],
  [CimXmlError, lookup(CIMXML_EXIT)],
  [HttpError, lookup(HTTP_EXIT)],
  [CimError, (code) => cimExit(code as never)],
];

/**
 * The exit code for an error thrown by a command: each registry's error class is looked up in its own exhaustive
 * table; the CLI's own errors (usage, files) in {@link CLI_OWN_EXIT}, and a host code relayed from a job in the
 * host's table. Anything that is not a Vessel error is a bug.
 *
 * @example
 * exitCodeFor(new OvfError('OVF_XML_SYNTAX', '...')); // 2
 */
export function exitCodeFor(err: unknown): number {
  if (!(err instanceof VesselError)) return ExitCode.Internal;
  for (const [cls, exitOf] of REGISTRIES) {
    if (err instanceof cls) return exitOf(err.code) ?? ExitCode.Failed;
  }
  // The CLI's own errors (usage, files it cannot read or write).
  return lookup(CLI_OWN_EXIT)(err.code as CliErrorCode) ?? ExitCode.Failed;
}
