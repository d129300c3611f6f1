import type { Principal } from '../../api/index.js';
import type { Host } from '../host.js';

/**
 * What every namespace of the in-process Api is built from: the host and the principal the session was opened
 * for. The session (session.ts) checks the principal's role against METHODS before any namespace runs; a
 * namespace uses the principal only for what the role check cannot say (a job's owner, `local` host paths).
 *
 * @example
 * export function poolsApi(ctx: SessionContext): PoolsApi {
 *   return { list: async () => ctx.host.pools.list().map(toPoolInfo), ... };
 * }
 */
export interface SessionContext {
  readonly host: Host;
  readonly principal: Principal;
}
