/**
 * The one property schema of the model's settings classes (VSSD, RASD, SASD, EPASD, PASD): DMTF names, CIM
 * types, array-ness, units, value maps and per-encoding carriage, and what derives from it (OVF item lists,
 * ARRAY_PROPERTIES, the Vessel_ MOF extensions, typed property bags, input checks).
 */

export * from './derive.js';
export * from './properties.js';
export type * from './types.js';
