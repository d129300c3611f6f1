/**
 * CIM for Vessel: the CIM object model (instances, paths, classes), MOF, the class repository with Vessel's
 * DMTF-derived classes, and the providers that present a host's Api (systems with the one model's VSSD + RASDs,
 * states, jobs, pools) as the DMTF System Virtualization profiles (DSP1042, DSP1057 and their component profiles).
 * Protocol-neutral: the CIM-XML and WS-Man edges in src/wbem encode what this module answers.
 */

export * from './classes/index.js';
export { CONSOLE_LIMITS, type ConsoleLimits } from './console-sessions.js';
export * from './datetime.js';
export * from './embedded.js';
export * from './enumeration.js';
export * from './errors.js';
export { freezeProperties, isFrozenSet, KeptInstances } from './frozen.js';
export * from './indications/index.js';
export * from './jobs.js';
export { rasdClassOf, rasdFromInstance, vssdFromInstance } from './mapping.js';
export { metadataEntries, metadataMap, metadataTag } from './metadata.js';
export { toCimError } from './methods/errors-map.js';
export * from './mof/parse.js';
export * from './naming.js';
export * from './object-manager.js';
export * from './paths.js';
export * from './provider.js';
export {
  type AssociatorsQuery,
  execAssociatorsQuery,
  isAssociatorsQuery,
  parseAssociatorsQuery,
} from './query/associators.js';
export { MAX_QUERY_CHARS, MAX_QUERY_DEPTH, parseQuery, type Query, queryLanguage } from './query/parse.js';
export { execQuery, type QueryResult } from './query/run.js';
export * from './repository.js';
export * from './service.js';
export * from './types.js';
