/**
 * The virtual system model: a VSSD plus a list of RASDs (CIM settings data), units, ResourceType values and the
 * base error class. It depends on nothing and does no I/O; every other module builds on it.
 */

export * from './build.js';
export * from './devices/index.js';
export * from './errors.js';
export * from './json/index.js';
export * from './problems.js';
export * from './resource-type.js';
export * from './resources.js';
export * from './schema/index.js';
export * from './settings.js';
export * from './shapes.js';
export * from './units/index.js';
export * from './uuid.js';
export * from './validate.js';
