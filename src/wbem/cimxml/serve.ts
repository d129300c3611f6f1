import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Role } from '../../api/index.js';
import {
  type ApiFactory,
  type CimService,
  createCimService,
  type EnumerationContexts,
  INDICATIONS_FILE,
  type Indications,
  type RetryPolicy,
  startIndications,
} from '../../cim/index.js';
import { USERS_FILE, UserStore, VESSEL_PLATFORM_VERSION } from '../../host/index.js';
import type { LoginLimits } from '../http/throttle.js';
import { ensureCertificate, type TlsFiles } from '../http/tls.js';
import { createWsmanDispatcher } from '../wsman/dispatcher.js';
import { WsEventing } from '../wsman/eventing.js';
import { startWsmanServer, type WsmanLimits, type WsmanServer } from '../wsman/server.js';
import { createDispatcher } from './dispatcher.js';
import { type ExportSender, exportSender } from './export-send.js';
import { type CimXmlLimits, type CimXmlServer, startCimXmlServer } from './server.js';

/** Options of {@link serveCimXml}: what `vessel host serve --cim-http PORT --cim-https PORT` passes. */
export interface ServeCimXmlOptions {
  /** Opens the Api for each caller's user and role (on a Vessel host: `hostApiFactory(host)`). */
  api: ApiFactory;
  /** The host's name in instance paths and the generated certificate (default: the machine's name). */
  hostName?: string | undefined;
  /** The host's state directory: holds users.json and the generated certificate. */
  stateDir: string;
  /**
   * The HTTP listener, absent = off (the CLI's `--cim-http 0`); port 0 here picks a free port. The DMTF default
   * port is 5988; the address defaults to 127.0.0.1, as plain HTTP carries passwords in clear.
   */
  http?: { port: number; host?: string | undefined } | undefined;
  /** The HTTPS listener (default port 5989, address 0.0.0.0), with a given key and certificate or a generated one. */
  https?:
    | { port: number; host?: string | undefined; key?: Buffer | string; cert?: Buffer | string }
    | undefined;
  /**
   * WS-Management over the same CIM service, users and certificate (`--wsman-http`, `--wsman-https`; WinRM's ports
   * 5985 on 127.0.0.1 and 5986 on all addresses); absent listeners are off.
   */
  wsman?:
    | {
        http?: { port: number; host?: string | undefined } | undefined;
        https?: { port: number; host?: string | undefined } | undefined;
        limits?: Partial<WsmanLimits> | undefined;
      }
    | undefined;
  /**
   * Indications (DSP1054): subscriptions kept in the state directory's indications.json, delivered as CIM-XML
   * ExportIndication with this retry policy (default DEFAULT_RETRY) and delivery timeout; `off` serves none.
   */
  indications?: { off?: boolean; retry?: Partial<RetryPolicy>; timeoutMs?: number } | undefined;
  /** Off unless set: the role of requests without credentials. */
  anonymousRole?: Role | undefined;
  limits?: Partial<CimXmlLimits> | undefined;
  /** How failed logins are paced (see LoginThrottle). */
  login?: Partial<LoginLimits> | undefined;
  /** Method timing of the CIM service (see CimServiceOptions). */
  syncMs?: number | undefined;
  shutdownTimeoutMs?: number | undefined;
  onInternalError?: (e: unknown) => void;
}

/** A running CIM-XML endpoint with its CIM service. */
export interface CimXmlEndpoint {
  service: CimService;
  /** The CIM-XML listeners (none listening when both are off). */
  server: CimXmlServer;
  /** The WS-Man listeners, when on. */
  wsman?: WsmanServer | undefined;
  /** The host's indications (subscriptions, engine), unless off. */
  indications?: Indications | undefined;
  /** The certificate in use when HTTPS is on. */
  tls?: TlsFiles | { key: Buffer | string; cert: Buffer | string } | undefined;
  close(): Promise<void>;
}

/**
 * Serves a host's Api over CIM-XML: builds the CIM service on the Api factory, opens the users file of the state
 * directory, generates the HTTPS certificate on first start, and starts the listeners.
 *
 * @example
 * const ep = await serveCimXml({ api: hostApiFactory(host), stateDir: '/var/lib/vessel', http: { port: 5988 } });
 */
export async function serveCimXml(o: ServeCimXmlOptions): Promise<CimXmlEndpoint> {
  const hostName = o.hostName ?? hostname();
  const service = createCimService({
    api: o.api,
    hostName,
    ...(o.syncMs === undefined ? {} : { syncMs: o.syncMs }),
    ...(o.shutdownTimeoutMs === undefined ? {} : { shutdownTimeoutMs: o.shutdownTimeoutMs }),
  });
  const users = new UserStore(join(o.stateDir, USERS_FILE));
  await users.load();
  const given =
    o.https?.key !== undefined && o.https.cert !== undefined
      ? { key: o.https.key, cert: o.https.cert }
      : undefined;
  const wantTls = o.https !== undefined || o.wsman?.https !== undefined;
  const tls = wantTls ? (given ?? (await ensureCertificate(o.stateDir, hostName))) : undefined;
  const dispatcher = createDispatcher(service.om, hostName, o.onInternalError);
  let sender: ExportSender | undefined;
  let indications: Indications | undefined;
  try {
    if (!o.indications?.off) {
      const s = exportSender({ repo: service.om.repo, timeoutMs: o.indications?.timeoutMs });
      sender = s;
      indications = await startIndications({
        om: service.om,
        api: o.api,
        hostName,
        file: join(o.stateDir, INDICATIONS_FILE),
        send: s.send,
        retry: o.indications?.retry,
      });
    }
    const server = await startCimXmlServer({
      dispatcher,
      auth: { users, anonymousRole: o.anonymousRole },
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
      ...(o.limits ? { limits: o.limits } : {}),
      login: o.login,
    });
    let wsman: WsmanServer | undefined;
    let eventing: WsEventing | undefined;
    try {
      // One set of enumeration contexts: a user's open enumerations count once across both encodings.
      eventing = indications
        ? new WsEventing(
            service.om,
            indications.engine,
            o.indications?.retry,
            o.indications?.timeoutMs,
            indications.store,
          )
        : undefined;
      wsman = await startWsman(o, service, hostName, users, tls, dispatcher.contexts, eventing);
    } catch (e) {
      eventing?.close();
      await server.close();
      throw e;
    }
    return {
      service,
      server,
      wsman,
      indications,
      tls,
      close: async () => {
        await wsman?.close();
        eventing?.close();
        await server.close();
        await indications?.close();
        sender?.close();
        await service.close();
      },
    };
  } catch (e) {
    await indications?.close();
    sender?.close();
    await service.close();
    throw e;
  }
}

function startWsman(
  o: ServeCimXmlOptions,
  service: CimService,
  hostName: string,
  users: UserStore,
  tls: { key: Buffer | string; cert: Buffer | string } | undefined,
  contexts: EnumerationContexts<string>,
  eventing: WsEventing | undefined,
): Promise<WsmanServer | undefined> {
  const w = o.wsman;
  if (!w || (!w.http && !w.https)) return Promise.resolve(undefined);
  return startWsmanServer({
    dispatcher: {
      ...createWsmanDispatcher(service.om, hostName, VESSEL_PLATFORM_VERSION, o.onInternalError),
      contexts,
      eventing,
    },
    auth: { users, anonymousRole: o.anonymousRole },
    http: w.http ? { port: w.http.port, ...(w.http.host ? { host: w.http.host } : {}) } : undefined,
    https:
      w.https && tls
        ? {
            port: w.https.port,
            key: tls.key,
            cert: tls.cert,
            ...(w.https.host ? { host: w.https.host } : {}),
          }
        : undefined,
    limits: w.limits ?? o.limits,
    login: o.login,
  });
}
