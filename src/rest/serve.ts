import { hostname } from 'node:os';
import { join } from 'node:path';
import { type Role, roleAllows } from '../api/index.js';
import { TOKENS_FILE, TokenStore, USERS_FILE, UserStore } from '../host/index.js';
import {
  ensureCertificate,
  type HttpLimits,
  type HttpServer,
  type LoginLimits,
  startHttpServer,
  type TlsFiles,
} from '../wbem/index.js';
import { type ConsoleSocketLimits, ConsoleSockets } from './consoles-ws.js';
import { CookieSessions, SESSION_COOKIE } from './cookies.js';
import { type EventStreamLimits, EventStreams } from './event-streams.js';
import { metricsRoute } from './metrics-route.js';
import { restRoute } from './server.js';
import { type RestApiFactory, Sessions } from './sessions.js';
import { staticRoute, webAssetsDir } from './static.js';

/**
 * Who a session cookie stands for now: nobody once its user is removed, and at most the user's current role (a
 * demoted admin's open session is demoted with it, whatever transport made the change).
 */
function sessionUser(
  cookies: CookieSessions,
  users: UserStore,
  id: string,
): { name: string; role: Role } | undefined {
  const who = cookies.lookup(id);
  const now = who === undefined ? undefined : users.peek(who.name);
  if (who === undefined || now === undefined) return undefined;
  return { name: who.name, role: roleAllows(now.role, who.role) ? who.role : now.role };
}

/** Options of {@link serveRest}: what `vessel host serve --http PORT --https PORT` passes. */
export interface ServeRestOptions {
  /** Opens the Api for each caller's user and role (on a Vessel host: `hostApiFactory(host)`). */
  api: RestApiFactory;
  /** The host's state directory: holds users.json and the generated certificate (shared with CIM-XML). */
  stateDir: string;
  /** The host's users (`Host.users`), so a removal or a role change counts at once; default: STATE/users.json. */
  users?: UserStore | undefined;
  /** The host's token store (`Host.tokens`), so a revocation counts at once; default: one on STATE/tokens.json. */
  tokens?: TokenStore | undefined;
  /** The host's name in the generated certificate (default: the machine's name). */
  hostName?: string | undefined;
  /** The HTTP listener, absent = off; on 127.0.0.1 unless `host` says otherwise (Basic sends passwords in clear). */
  http?: { port: number; host?: string | undefined } | undefined;
  /** The HTTPS listener (0.0.0.0 unless `host`), with a given key and certificate or the host's generated one. */
  https?:
    | { port: number; host?: string | undefined; key?: Buffer | string; cert?: Buffer | string }
    | undefined;
  limits?: Partial<HttpLimits> | undefined;
  login?: Partial<LoginLimits> | undefined;
  /** Limits of the event streams (GET /api/v1/events). */
  events?: Partial<EventStreamLimits> | undefined;
  /** Limits of uploads (images, packages): most bytes of one, and how long one may send nothing (ms). */
  uploads?: { maxBytes?: bigint | undefined; idleMs?: number | undefined } | undefined;
  /** Limits of the WebSocket consoles (GET /api/v1/systems/{id}/console/serial|vnc). */
  consoles?: Partial<ConsoleSocketLimits> | undefined;
  onInternalError?: ((e: unknown) => void) | undefined;
  /** The web UI's built files served at `/` without credentials (default: the package's dist/web), or off. */
  web?: string | false | undefined;
}

/** A running REST endpoint. */
export interface RestEndpoint {
  server: HttpServer;
  tls?: TlsFiles | { key: Buffer | string; cert: Buffer | string } | undefined;
  /** The open event streams (GET /api/v1/events). */
  streams: EventStreams;
  /** The open WebSocket consoles. */
  consoles: ConsoleSockets;
  close(): Promise<void>;
}

/**
 * Serves a host's Api as REST/JSON at /api/v1 on the shared HTTP server (TLS, Basic authentication against the
 * host's users with login throttling, bearer tokens of STATE/tokens.json, browser sessions by cookie with a CSRF
 * token, connection and body limits): one Api session per user and role, the same
 * roles as CIM-XML and the CLI. The web UI's built files are served at `/` beside it (staticRoute).
 *
 * @example
 * const ep = await serveRest({ api: hostApiFactory(host), stateDir: '/var/lib/vessel', http: { port: 8080 } });
 */
export async function serveRest(o: ServeRestOptions): Promise<RestEndpoint> {
  const users = o.users ?? new UserStore(join(o.stateDir, USERS_FILE));
  await users.load();
  const given =
    o.https?.key !== undefined && o.https.cert !== undefined
      ? { key: o.https.key, cert: o.https.cert }
      : undefined;
  const tls = o.https
    ? (given ?? (await ensureCertificate(o.stateDir, o.hostName ?? hostname())))
    : undefined;
  const tokens = o.tokens ?? new TokenStore(join(o.stateDir, TOKENS_FILE), users);
  const cookies = new CookieSessions();
  const sessions = new Sessions(o.api);
  const streams = new EventStreams(o.events);
  const consoles = new ConsoleSockets(o.consoles);
  try {
    const server = await startHttpServer({
      routes: [
        restRoute({
          sessions,
          cookies,
          streams,
          onInternalError: o.onInternalError,
          maxUploadBytes: o.uploads?.maxBytes,
          uploadIdleMs: o.uploads?.idleMs,
          consoles,
        }),
        metricsRoute(sessions),
        ...(o.web === false ? [] : [staticRoute(o.web ?? webAssetsDir())]),
      ],
      auth: {
        users,
        realm: 'Vessel',
        lookups: {
          bearer: (t) => tokens.verify(t),
          cookie: { name: SESSION_COOKIE, lookup: (id) => sessionUser(cookies, users, id) },
        },
      },
      http: o.http ? { port: o.http.port, ...(o.http.host ? { host: o.http.host } : {}) } : undefined,
      https:
        o.https && tls
          ? {
              port: o.https.port,
              key: tls.key,
              cert: tls.cert,
              ...(o.https.host ? { host: o.https.host } : {}),
            }
          : undefined,
      limits: o.limits,
      login: o.login,
      onInternalError: o.onInternalError,
    });
    return {
      server,
      tls,
      streams,
      consoles,
      close: async () => {
        // Event streams end with their last words before the connections are closed under them.
        streams.stopAll();
        consoles.closeAll();
        if (streams.size > 0) await new Promise((r) => setTimeout(r, 20));
        await server.close();
        await sessions.close();
      },
    };
  } catch (e) {
    await sessions.close();
    throw e;
  }
}
