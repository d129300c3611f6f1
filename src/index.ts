/**
 * Vessel's library (SDK): the model and every domain, for programs that embed Vessel.
 *
 * @example
 * import { ovf } from 'vessel';
 * const env = ovf.parseOvf(readFileSync('app.ovf'));
 * console.log(ovf.validateOvf(env));
 */

export * as cim from './cim/index.js';
export * as disk from './disk/index.js';
export * as formats from './formats/index.js';
export * as host from './host/index.js';
export * as hypervisor from './hypervisor/index.js';
export * as model from './model/index.js';
export * as ova from './ova/index.js';
export * as ovf from './ovf/index.js';
export * as wbem from './wbem/index.js';
export * as xml from './xml/index.js';
