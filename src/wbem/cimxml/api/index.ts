/**
 * The Api over CIM-XML (issue 10): a client of any DMTF System Virtualization host, one file per namespace.
 * Discovery (session.ts), errors (errors.ts), values (values.ts), definitions (definitions.ts), the systems and
 * their changes (inventory.ts, systems.ts, resources.ts, forced-shutdown.ts, keep-disks.ts), jobs (jobs.ts, and
 * local-job.ts for those the client runs itself), the host (host.ts), pools (pools.ts), the serial console over
 * Vessel's console service (consoles.ts), and what CIM-XML cannot carry (unsupported.ts).
 */

export * from './cimxml-api.js';
export {
  API_CODE_OF_RSC,
  API_CODE_OF_STATUS,
  API_CODE_OF_VSMS,
  type CallContext,
  toApiError,
} from './errors.js';
export { jobIdOf, jobPathOf } from './job-ids.js';
export type { CimOperations } from './operations.js';
export { type Discovery, discover, INTEROP_NAMESPACES } from './session.js';
export { isoOfCimTimestamp, operationsOfRequestedStates, summaryOf } from './values.js';
