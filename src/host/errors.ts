import { VesselError } from '../model/index.js';

/**
 * Error codes of the host. `HOST_NOT_RUNNING` (no host answers on the state directory's socket) and
 * `HOST_UNREACHABLE` exit 3 in the CLI. A running host's errors reach its clients as Api errors (src/api, through
 * src/host/api/errors.ts). An export refuses
 * an output that exists (`EXPORT_OUTPUT`) and never writes a descriptor its own validator rejects
 * (`EXPORT_INVALID`).
 * `DEPLOY_*` refuse an OVF deploy before anything is registered: the package cannot be used (`DEPLOY_PACKAGE`),
 * its descriptor is invalid (`DEPLOY_INVALID`), the EULA was not accepted, a property value is missing or wrong,
 * hardware cannot be mapped to this host, or a disk is unusable. `DEPLOY_HOST_PATH`: an item of the package names
 * something that is not one of the package's own files (a host path, device, URL or pseudo-protocol), which a
 * deployed system may never use; `EXPORT_HOST_PATH`: an export would read a file the host did not create for
 * that system (see docs/security.md).
 * `HOST_STATE_DIR` refuses a state directory that is not a directory of the user the host runs as.
 * `POOL_*` refuse a storage pool operation (a malformed name or folder, a name or folder taken, an unknown pool, a
 * pool that a defined system uses); `IMAGE_*` refuse an image an admin names: outside every storage pool (or not
 * the file it was when checked), a device node, FIFO or socket, an image that refers to other files, or one that
 * another system writes directly (or uses, when this one would write it directly: `IMAGE_IN_USE`).
 */
export type HostErrorCode =
  | 'HOST_NOT_RUNNING'
  | 'HOST_UNREACHABLE'
  | 'HOST_ALREADY_RUNNING'
  | 'HOST_STORE'
  | 'HOST_STATE_DIR'
  | 'VM_NOT_FOUND'
  | 'JOB_NOT_FOUND'
  | 'USAGE'
  | 'DEPLOY_PACKAGE'
  | 'DEPLOY_INVALID'
  | 'DEPLOY_EULA'
  | 'DEPLOY_PROPERTY'
  | 'DEPLOY_HARDWARE'
  | 'DEPLOY_DISK'
  | 'DEPLOY_HOST_PATH'
  | 'FILE_NOT_FOUND'
  | 'EXPORT_OUTPUT'
  | 'EXPORT_INVALID'
  | 'EXPORT_HOST_PATH'
  | 'POOL_INVALID'
  | 'POOL_EXISTS'
  | 'POOL_NOT_FOUND'
  | 'POOL_IN_USE'
  | 'IMAGE_OUTSIDE_POOLS'
  | 'IMAGE_DEVICE'
  | 'IMAGE_REFERENCES'
  | 'IMAGE_IN_USE';

/** An error of the host itself. */
export class HostError extends VesselError<HostErrorCode> {}
