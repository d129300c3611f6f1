/**
 * The libvirt driver (`libvirt:<libvirt URI>`): Vessel's driver table over src/libvirt's RPC client, in front of
 * any libvirtd (QEMU/KVM, Xen, LXC, its test driver). libvirt owns the inventory.
 */
export { definitionOf, domainXml } from './domain-xml.js';
export { type LibvirtDaemonInfo, LibvirtDriver } from './driver.js';
export { hypervisorError } from './errors.js';
export { openLibvirtDriver } from './open.js';
export { domainState, lifecycleEvent } from './states.js';
export { uuidText } from './uuid.js';
