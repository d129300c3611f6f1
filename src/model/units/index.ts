/**
 * Units, exactly: DSP0004 programmatic units (parse, convert, spell), which unit governs which RASD number
 * (VirtualQuantityUnits, AllocationUnits, block sizes), and sizes for people (`formatBytes`, `parseSize`).
 */

export * from './convert.js';
export * from './format.js';
export * from './punit.js';
export * from './quantity.js';
