/**
 * The device vocabulary of the model: controller kinds, drive kinds, NIC, graphics and sound models, firmware and
 * boot order; the per-kind slot limits; the one table of RASD spellings per producer; the classifier that reads
 * a RASD into those words; the typed device view of a definition (`readDevices`) and drive placement. Every
 * reader, writer, check and driver names devices with these.
 */

export * from './addresses.js';
export * from './boot.js';
export * from './build.js';
export * from './classify.js';
export type * from './device-view.js';
export * from './disk-mode.js';
export * from './kinds.js';
export * from './new-disk.js';
export * from './place.js';
export * from './spellings.js';
export * from './view.js';
export * from './vocabulary.js';
