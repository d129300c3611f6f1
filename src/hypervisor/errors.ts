import { VesselError } from '../model/index.js';

/**
 * Error codes of the hypervisor drivers. `NOT_SUPPORTED` is the one error every driver throws for an operation it
 * does not offer; `INVALID_STATE` says the operation does not apply in the virtual system's current state.
 * `RUN_DIR_UNSAFE` refuses a run directory (or host socket) that another user could have made or can change.
 * `LIBVIRT_FAILED`: libvirtd answered with an error Vessel has no closer code for, or broke the protocol.
 * `LIBVIRT_DISCONNECTED`: the connection to libvirtd was lost (closed, reset, keepalive unanswered) before or
 * while the call ran; the driver reconnects on its own, so the call may be retried.
 */
export type HypervisorErrorCode =
  | 'NOT_SUPPORTED'
  | 'VM_NOT_FOUND'
  | 'VM_EXISTS'
  | 'INVALID_STATE'
  | 'DEFINITION_INVALID'
  | 'FILE_NOT_FOUND'
  | 'DRIVER_URI'
  | 'QMP_PROTOCOL'
  | 'QMP_COMMAND'
  | 'QMP_CLOSED'
  | 'QMP_TIMEOUT'
  | 'QEMU_NOT_FOUND'
  | 'QEMU_START'
  | 'TIMEOUT'
  | 'RUN_DIR_UNSAFE'
  | 'LIBVIRT_FAILED'
  | 'LIBVIRT_DISCONNECTED';

/** An error from a hypervisor driver, the QMP client or the QEMU process. */
export class HypervisorError extends VesselError<HypervisorErrorCode> {}
