import { VesselError } from '../model/index.js';

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

/** Codes whose errors mean "the input could not be read", which exit 2. */
const INPUT_CODES = /^(XML_|USAGE|IO_|OVF_XML|FILE_NOT_FOUND|FORMAT_SYNTAX|FORMAT_UNKNOWN|FORMAT_TOO_LARGE)/;

/** The exit code for an error thrown by a command. Each error code is mapped here and nowhere else. */
export function exitCodeFor(err: unknown): number {
  if (!(err instanceof VesselError)) return ExitCode.Internal;
  if (err.code === 'NOT_SUPPORTED') return ExitCode.NotSupported;
  if (err.code === 'HOST_NOT_RUNNING' || err.code === 'HOST_UNREACHABLE') return ExitCode.NoHost;
  if (INPUT_CODES.test(err.code)) return ExitCode.Usage;
  return ExitCode.Failed;
}
