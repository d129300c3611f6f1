/**
 * OVF descriptors (DSP0243): the envelope model, a hardened parser (1.x, 2.x, and VMware's 0.9 draft read-only),
 * a writer that keeps what it does not understand, validation with diagnostics, editing, and the OVF environment.
 */

export * from './boot.js';
export * from './definition.js';
export * from './diagnostics.js';
export * from './edit/check.js';
export * from './edit/devices.js';
export * from './edit/drives.js';
export * from './edit/edit.js';
export * from './edit/files.js';
export * from './edit/hardware.js';
export * from './edit/nics.js';
export * from './edit/place.js';
export * from './edit/properties.js';
export * from './edit/serial.js';
export * from './edit/system.js';
export * from './environment.js';
export * from './errors.js';
export * from './format.js';
export * from './info.js';
export * from './namespaces.js';
export * from './parse.js';
export * from './qualifiers.js';
export * from './select.js';
export type * from './types.js';
export * from './validate/validate.js';
export * from './write/carry.js';
export * from './write/descriptor.js';
export * from './write/target.js';
export type * from './write/types.js';
