import type { Role } from '../api/index.js';
import { hostApiFactory, type LoginLimits, startTestHost, type TestHost } from '../wbem/index.js';
import { type RestEndpoint, serveRest } from './serve.js';

/** Options of {@link startRestTestHost}. */
export interface RestTestHostOptions {
  /** Systems to define (`vm1`..`vmN`). */
  vms?: number;
  /** Users: name, role, password (default admin/secret). */
  users?: Array<[string, Role, string]>;
  login?: Partial<LoginLimits>;
  limits?: Parameters<typeof serveRest>[0]['limits'];
  events?: Parameters<typeof serveRest>[0]['events'];
  uploads?: Parameters<typeof serveRest>[0]['uploads'];
  consoles?: Parameters<typeof serveRest>[0]['consoles'];
  /** Also an HTTPS listener on a free port, with the host's generated certificate (STATE/cim-cert.pem). */
  https?: boolean;
  /** The web UI's files at `/` (default: the package's dist/web). */
  web?: string | false;
}

/** A real host on test:///default with its REST edge on 127.0.0.1 and a free port (and CIM-XML beside it). */
export interface RestTestHost extends TestHost {
  /** `http://127.0.0.1:PORT/api/v1` */
  restUrl: string;
  rest: RestEndpoint;
}

/**
 * Starts what `vessel host serve --driver test:///default --http PORT` runs: the CIM test host (a real Host, its
 * users and systems) with the REST edge on the same host through the same entry (`hostApiFactory`).
 *
 * @example
 * const h = await startRestTestHost({ vms: 2 });
 * await fetch(`${h.restUrl}/systems`, { headers: { Authorization: 'Basic ...' } });
 * await h.close();
 */
export async function startRestTestHost(o: RestTestHostOptions = {}): Promise<RestTestHost> {
  const h = await startTestHost({
    ...(o.vms === undefined ? {} : { vms: o.vms }),
    ...(o.users === undefined ? {} : { users: o.users }),
  });
  try {
    const rest = await serveRest({
      api: hostApiFactory(h.host),
      stateDir: h.stateDir,
      users: h.host.users,
      tokens: h.host.tokens,
      http: { port: 0 },
      ...(o.https === true ? { https: { port: 0, host: '127.0.0.1' }, hostName: 'vessel-test' } : {}),
      login: o.login,
      limits: o.limits,
      events: o.events,
      uploads: o.uploads,
      consoles: o.consoles,
      ...(o.web === undefined ? {} : { web: o.web }),
    });
    return {
      ...h,
      restUrl: `http://127.0.0.1:${rest.server.httpPort}/api/v1`,
      rest,
      close: async () => {
        await rest.close();
        await h.close();
      },
    };
  } catch (e) {
    await h.close();
    throw e;
  }
}
