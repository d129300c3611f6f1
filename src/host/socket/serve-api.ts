import { type ApiServerLimits, type ApiSocketServer, serveApi } from '../../api/index.js';
import { openSession } from '../api/index.js';
import type { Host } from '../host.js';
import { hostSocketPath } from '../paths.js';
import { listenPrivately } from './listen.js';

/** Options of {@link serveHostApi}. */
export interface ServeHostApiOptions {
  limits?: Partial<ApiServerLimits>;
}

/**
 * Serves the host's Api (src/api) on the unix socket of its state directory: one session per connection
 * (`openSession`) for the socket's peer, who is the host's own user (the socket is 0600 in the private run
 * directory: admin, local, via `socket`). The socket is put in place as every host socket is (listen.ts): a
 * second host is refused, a stale socket removed, the socket private before it appears. Every connection is held
 * to the transport's limits (src/api/transport/limits.ts). `close()` cuts the connections, closes their sessions
 * and removes the socket; the host stays open.
 *
 * @example
 * const host = await Host.open({ stateDir });
 * const server = await serveHostApi(host);
 * // ... vessel commands connect with connectHostApi({ stateDir }) ...
 * await server.close();
 */
export async function serveHostApi(
  host: Host,
  socketPath: string = hostSocketPath(host.stateDir),
  o: ServeHostApiOptions = {},
): Promise<ApiSocketServer> {
  const server = serveApi((principal) => openSession(host, principal), o.limits ? { limits: o.limits } : {});
  await listenPrivately(server.server, socketPath, host.stateDir);
  return server;
}
