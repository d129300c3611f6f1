import type { ApiErrorCode } from './errors.js';

/**
 * The `vessel` command's exit code for each Api error (README "Exit codes"): 1 the operation was refused or
 * failed, 2 a parameter is wrong (usage), 3 no host answers, 4 not supported here, 70 a bug. The CLI adds one
 * table per offline registry (ovf, ova, disk, ...) and its own usage codes; this one is exhaustive, so a new
 * Api code does not compile until it has an exit code.
 */
export type CliExitCode = 1 | 2 | 3 | 4 | 70;

/**
 * Exit code per Api error code.
 *
 * @example
 * process.exitCode = CLI_EXIT_OF[err.code]; // INVALID_STATE -> 1, NOT_SUPPORTED -> 4
 */
export const CLI_EXIT_OF: Readonly<Record<ApiErrorCode, CliExitCode>> = {
  INVALID_ARGUMENT: 2,
  DEFINITION_INVALID: 1,
  // A missing image is the host's refusal of the definition, not unreadable input of the command (it was 2).
  IMAGE_NOT_FOUND: 1,
  IMAGE_UNSAFE: 1,
  PATH_OUTSIDE_POOL: 1,
  VM_NOT_FOUND: 1,
  NOT_FOUND: 1,
  VM_EXISTS: 1,
  ALREADY_EXISTS: 1,
  INVALID_STATE: 1,
  CONFLICT: 1,
  BUSY: 1,
  NOT_SUPPORTED: 4,
  AUTH_FAILED: 1,
  ACCESS_DENIED: 1,
  HOST_NOT_RUNNING: 3,
  HOST_UNREACHABLE: 3,
  PROTOCOL: 3,
  TIMEOUT: 1,
  LIMIT_EXCEEDED: 1,
  CANCELLED: 1,
  HYPERVISOR_FAILED: 1,
  DEPLOY_PACKAGE: 1,
  DEPLOY_INVALID: 1,
  DEPLOY_EULA: 1,
  DEPLOY_PROPERTY: 1,
  DEPLOY_HARDWARE: 1,
  DEPLOY_DISK: 1,
  EXPORT_OUTPUT: 1,
  // The host wrote a descriptor its own validator refuses: a bug.
  EXPORT_INVALID: 70,
  HOST_STORE: 1,
  INTERNAL: 70,
};
