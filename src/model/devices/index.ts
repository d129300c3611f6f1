/**
 * The device vocabulary of the model: controller kinds, drive kinds, NIC, graphics and sound models, firmware and
 * boot order; the per-kind slot limits; the one table of RASD spellings per producer; and the classifier that
 * reads a RASD into those words. Every reader, writer, check and driver names devices with these.
 */

export * from './classify.js';
export * from './kinds.js';
export * from './spellings.js';
export * from './vocabulary.js';
