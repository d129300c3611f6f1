/**
 * Hypervisor drivers, libvirt-style: one interface (required entry points plus optional ones that fail the same
 * way when missing), a registry that opens drivers by URI (`test:///default`, `qemu:///embed`), the in-memory test
 * driver, the QEMU driver, the libvirt driver, and the tiny test guest that everything that boots uses.
 */

import { openLibvirtDriver } from './libvirt/index.js';
import { openQemuDriver } from './qemu/index.js';
import { registerDriver } from './registry.js';
import { openTestDriver } from './test/index.js';

export * from './capabilities.js';
export { capabilityProblems } from './capability-check.js';
export * from './errors.js';
export * from './guest.js';
export { driveImages } from './images.js';
export * from './libvirt/index.js';
export * from './operations.js';
export * from './qemu/index.js';
export * from './registry.js';
export * from './rundir.js';

export * from './test/index.js';
export * from './transitions.js';
export * from './types.js';
export * from './uri.js';
export { throwFirstError } from './validate.js';

registerDriver('test', openTestDriver);
registerDriver('qemu', openQemuDriver);
registerDriver('libvirt', openLibvirtDriver);
