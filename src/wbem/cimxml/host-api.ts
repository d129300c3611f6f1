import type { ApiFactory } from '../../cim/index.js';
import { type Host, openSession } from '../../host/index.js';

/**
 * The CIM providers' Api on a running Vessel host: each CIM caller gets an in-process session of the host for its
 * user and role (`openSession`), so CIM reads the host's store, changes systems through its jobs and per-system
 * locks, and is refused by the same role check as the socket and the CLI; CIM keeps no second copy of anything.
 *
 * @example
 * const ep = await serveCimXml({ api: hostApiFactory(host), hostName: 'h1', stateDir: host.stateDir, http: { port: 5988 } });
 */
export function hostApiFactory(host: Host): ApiFactory {
  return (principal) => openSession(host, principal);
}
