/**
 * The local host's implementation of src/api's `Api`: a session per principal (session.ts) over namespace objects,
 * one file each, built from a {@link SessionContext}; domain errors become Api errors in errors.ts, once.
 */
export type { SessionContext } from './context.js';
export { toApiError } from './errors.js';
export { openSession } from './session.js';
export { storeUsers } from './users.js';
