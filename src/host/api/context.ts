import type { Principal } from '../../api/index.js';
import type { Host } from '../host.js';

/**
 * What every namespace of the local host's Api works with: the host, and the principal the session was opened
 * for (whose role the session checks against METHODS once per call, and whose `local` flag allows host paths).
 *
 * @example
 * const ctx: SessionContext = { host, principal: { user: 'local', role: 'admin', local: true, via: 'in-process' } };
 */
export interface SessionContext {
  readonly host: Host;
  readonly principal: Principal;
}
