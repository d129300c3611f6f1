/**
 * The QEMU driver: command line from the model, the QMP client, the accelerator probe, overlays, processes, and
 * QEMU's confinement (seccomp sandbox, unprivileged user, descriptors instead of paths).
 */
export { type AccelVerdict, bootProbe, probeAccelerator, staticKvmProblems } from './accel.js';
export { type ArgvContext, buildQemuArgv, machineFor } from './argv.js';
export { qemuBinary, qemuVersion } from './binary.js';
export { QEMU_CONTROLLER_CAPABILITIES, QEMU_NIC_MODELS, qemuCapabilities } from './capabilities.js';
export {
  QEMU_CONTROLLERS,
  QEMU_FIRMWARE,
  QEMU_NICS,
  qemuControllerKind,
  qemuNicModel,
} from './devices.js';
export type { NetworkConfig } from './devices-argv.js';
export { QemuDriver } from './driver.js';
export { type FileAccess, type OpenedHandles, openHandles, type QemuHandle, QemuHandles } from './handles.js';
export { mapQemuHardware } from './map.js';
export { openQemuDriver, readNetworks } from './open.js';
export { ensureOverlay, imageFormat, imageInfo, overlayPath } from './overlay.js';
export { pidAlive } from './process.js';
export { QmpClient, type QmpEvent, type QmpGreeting, type QmpOptions } from './qmp.js';
export {
  DEFAULT_QEMU_USER,
  type QemuUser,
  resolveQemuUser,
  SANDBOX,
} from './sandbox.js';
export { QEMU_SLOTS } from './slots.js';
export { uefiFirmware } from './uefi.js';
export { qemuDeployHooks, validateForQemu } from './validate.js';
