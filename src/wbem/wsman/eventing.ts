import { randomUUID } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import {
  type CimContext,
  CimError,
  type CimInstance,
  Courier,
  compileFilter,
  DEFAULT_RETRY,
  type IndicationEngine,
  type IndicationStore,
  type ObjectManager,
  type RetryPolicy,
  SOURCE_CLASS,
  SOURCE_NAMESPACE,
  type WsEventingRecord,
} from '../../cim/index.js';
import { childElements, getAttr, textContent, type XmlElement } from '../../xml/index.js';
import { xmlAttr, xmlText } from '../cimxml/escape.js';
import { exchange } from '../http/exchange.js';
import { instanceXml } from './encode.js';
import { parseDuration, type WsmanRequest } from './envelope.js';
import { faultOfCimError, WsmanFault } from './errors.js';
import { DIALECT, EVENTING, NS } from './names.js';
import { splitResourceUri } from './resource.js';

/** Most WS-Eventing subscriptions at once, and the longest and default lifetimes. */
export const EVENTING_LIMITS = {
  maxSubscriptions: 64,
  maxExpiresMs: 24 * 3600_000,
  defaultExpiresMs: 600_000,
};

interface Live extends WsEventingRecord {
  timer: NodeJS.Timeout;
  courier: Courier;
  remove: () => void;
}

/** The text of a child element in a namespace, or undefined. */
function child(el: XmlElement | undefined, ns: string, local: string): XmlElement | undefined {
  return el ? childElements(el, ns, local)[0] : undefined;
}

function address(epr: XmlElement | undefined, what: string): string {
  const a = child(epr, NS.wsa, 'Address');
  const text = a ? textContent(a).trim() : '';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WsmanFault('WSMAN_INVALID_PARAMETER', `${what} has no http(s) wsa:Address`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || text.length > 2048)
    throw new WsmanFault('WSMAN_INVALID_PARAMETER', `${what} must be an http or https address`);
  return url.href;
}

/** Reference parameters with text values, as header elements (other content is dropped). */
function refParams(epr: XmlElement | undefined): string {
  const holder = child(epr, NS.wsa, 'ReferenceParameters') ?? child(epr, NS.wsa, 'ReferenceProperties');
  if (!holder) return '';
  let s = '';
  for (const p of childElements(holder).slice(0, 16))
    s += `<rp:${p.local} xmlns:rp="${xmlAttr(p.ns)}">${xmlText(textContent(p).trim().slice(0, 1024))}</rp:${p.local}>`;
  return s;
}

function expires(body: XmlElement, now: number): number {
  const e = child(body, NS.wse, 'Expires');
  if (!e) return now + EVENTING_LIMITS.defaultExpiresMs;
  const ms = parseDuration(textContent(e));
  if (ms === undefined || ms <= 0)
    throw new WsmanFault('WSE_INVALID_EXPIRATION_TIME', 'Expires must be a positive xs:duration (PT10M)');
  return now + Math.min(ms, EVENTING_LIMITS.maxExpiresMs);
}

const duration = (ms: number) => `PT${Math.max(0, Math.round(ms / 1000))}S`;

/**
 * WS-Eventing (DSP0226 §10) on the WS-Man server: Subscribe with Push delivery to a NotifyTo address and a WQL or
 * CQL filter over the indications of the host (the same indication engine as CIM-XML's subscriptions), Renew,
 * GetStatus, Unsubscribe and expiry. Each event is POSTed as a SOAP envelope with the indication as the body and
 * the NotifyTo reference parameters as headers, retried as the indication service's policy says; when delivery
 * fails for good the subscription ends and SubscriptionEnd (DeliveryFailure) goes to EndTo. Only admins subscribe:
 * a subscription makes the host send requests. With the indication store, subscriptions are kept in it (the state
 * directory's indications.json) and come back when the server starts again, until they expire; a stored one
 * that is malformed, expired or whose filter no longer compiles is dropped.
 *
 * @example
 * const ev = new WsEventing(om, engine, {}, 10_000, indications.store);
 */
export class WsEventing {
  private readonly live = new Map<string, Live>();
  private readonly agents = {
    http: new HttpAgent({ keepAlive: true }),
    https: new HttpsAgent({ keepAlive: true }),
  };
  private readonly policy: RetryPolicy;

  constructor(
    private readonly om: ObjectManager,
    private readonly engine: IndicationEngine,
    retry: Partial<RetryPolicy> = {},
    private readonly timeoutMs = 10_000,
    private readonly store?: IndicationStore,
  ) {
    this.policy = { ...DEFAULT_RETRY, ...retry };
    this.restore();
  }

  /** The stored records (the store's list, made on first use). */
  private records(): WsEventingRecord[] {
    if (!this.store) return [];
    this.store.state.wsEventing ??= [];
    return this.store.state.wsEventing;
  }

  /** Writes the live subscriptions to the store (nothing without one). */
  private save(): Promise<void> {
    if (!this.store) return Promise.resolve();
    const keep = [...this.live.values()].map(
      ({ id, user, notifyTo, refParams, endTo, expiresAt, query, queryLanguage }) => ({
        id,
        user,
        notifyTo,
        refParams,
        ...(endTo === undefined ? {} : { endTo }),
        expiresAt,
        query,
        queryLanguage,
      }),
    );
    this.store.state.wsEventing = keep;
    return this.store.save();
  }

  /** Brings the stored subscriptions back (server start): the valid, unexpired ones whose filter compiles. */
  private restore(): void {
    const now = Date.now();
    const str = (v: unknown, max: number) => typeof v === 'string' && v.length <= max;
    let dropped = false;
    for (const item of this.records() as unknown[]) {
      const r = (typeof item === 'object' && item !== null ? item : {}) as WsEventingRecord;
      const ok =
        str(r.id, 128) &&
        str(r.user, 128) &&
        str(r.notifyTo, 2048) &&
        /^https?:\/\//.test(r.notifyTo) &&
        str(r.refParams, 64 * 1024) &&
        (r.endTo === undefined || (str(r.endTo, 2048) && /^https?:\/\//.test(r.endTo))) &&
        typeof r.expiresAt === 'number' &&
        Number.isFinite(r.expiresAt) &&
        str(r.query, 64 * 1024) &&
        (r.queryLanguage === 'WQL' || r.queryLanguage === 'DMTF:CQL');
      if (
        !ok ||
        r.expiresAt <= now ||
        this.live.has(r.id) ||
        this.live.size >= EVENTING_LIMITS.maxSubscriptions
      ) {
        dropped = true;
        continue;
      }
      try {
        this.activate(r, this.compile(r.query, r.queryLanguage));
      } catch {
        dropped = true;
      }
    }
    if (dropped) void this.save().catch(() => undefined);
  }

  /** Answers a WS-Eventing request (its action is one of EVENTING's). */
  async handle(
    req: WsmanRequest,
    ctx: CimContext,
    managerUrl: string,
  ): Promise<{ action: string; body: string }> {
    const wse = `xmlns:wse="${NS.wse}"`;
    switch (req.action) {
      case EVENTING.subscribe: {
        const { id, expiresAt } = this.subscribe(req, ctx);
        await this.save();
        return {
          action: `${EVENTING.subscribe}Response`,
          body: `<wse:SubscribeResponse ${wse}><wse:SubscriptionManager><wsa:Address>${xmlText(managerUrl)}</wsa:Address><wsa:ReferenceParameters><wse:Identifier>${id}</wse:Identifier></wsa:ReferenceParameters></wse:SubscriptionManager><wse:Expires>${duration(expiresAt - Date.now())}</wse:Expires></wse:SubscribeResponse>`,
        };
      }
      case EVENTING.renew: {
        const s = this.mine(req, ctx);
        const body = req.body;
        const at = body ? expires(body, Date.now()) : Date.now() + EVENTING_LIMITS.defaultExpiresMs;
        s.expiresAt = at;
        clearTimeout(s.timer);
        s.timer = this.expiry(s.id, at - Date.now());
        await this.save();
        return {
          action: `${EVENTING.renew}Response`,
          body: `<wse:RenewResponse ${wse}><wse:Expires>${duration(at - Date.now())}</wse:Expires></wse:RenewResponse>`,
        };
      }
      case EVENTING.getStatus: {
        const s = this.mine(req, ctx);
        return {
          action: `${EVENTING.getStatus}Response`,
          body: `<wse:GetStatusResponse ${wse}><wse:Expires>${duration(s.expiresAt - Date.now())}</wse:Expires></wse:GetStatusResponse>`,
        };
      }
      default: {
        const s = this.mine(req, ctx);
        this.end(s.id, false);
        await this.save();
        return { action: `${EVENTING.unsubscribe}Response`, body: '' };
      }
    }
  }

  /** How many subscriptions are live (tests, limits). */
  get size(): number {
    return this.live.size;
  }

  /** Stops every subscription (server shutdown); the store keeps them and no SubscriptionEnd is sent. */
  close(): void {
    for (const id of [...this.live.keys()]) this.end(id, false);
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private mine(req: WsmanRequest, ctx: CimContext): Live {
    const s = req.identifier ? this.live.get(req.identifier) : undefined;
    if (!s || (s.user !== ctx.user && ctx.role !== 'admin'))
      throw new WsmanFault(
        req.action === EVENTING.renew ? 'WSE_UNABLE_TO_RENEW' : 'WSMAN_INVALID_PARAMETER',
        `No subscription "${(req.identifier ?? '').slice(0, 64)}" (it expired, ended, or was never made)`,
      );
    return s;
  }

  private subscribe(req: WsmanRequest, ctx: CimContext): { id: string; expiresAt: number } {
    if (ctx.role !== 'admin')
      throw new WsmanFault(
        'WSMAN_ACCESS_DENIED',
        `Only an admin may subscribe (the caller "${ctx.user}" is ${ctx.role})`,
      );
    const body = req.body;
    if (!body || body.ns !== NS.wse || body.local !== 'Subscribe')
      throw new WsmanFault('WSMAN_SCHEMA_VALIDATION', 'Subscribe needs a wse:Subscribe body');
    const delivery = child(body, NS.wse, 'Delivery');
    const mode = delivery ? (getAttr(delivery, '', 'Mode') ?? EVENTING.push) : EVENTING.push;
    if (mode !== EVENTING.push)
      throw new WsmanFault(
        'WSE_DELIVERY_MODE_UNAVAILABLE',
        `Delivery mode "${mode.slice(0, 128)}" is not supported; use Push`,
      );
    const notify = child(delivery, NS.wse, 'NotifyTo');
    const notifyTo = address(notify, 'NotifyTo');
    const endToEl = child(body, NS.wse, 'EndTo');
    const endTo = endToEl ? address(endToEl, 'EndTo') : undefined;
    const expiresAt = expires(body, Date.now());
    const filter = this.filterOf(req, body);
    if (this.live.size >= EVENTING_LIMITS.maxSubscriptions)
      throw new WsmanFault(
        'WSMAN_QUOTA_LIMIT',
        `The server has ${EVENTING_LIMITS.maxSubscriptions} subscriptions`,
      );
    const id = `uuid:${randomUUID()}`;
    this.activate(
      {
        id,
        user: ctx.user,
        notifyTo,
        refParams: refParams(notify),
        endTo,
        expiresAt,
        query: filter.query,
        queryLanguage: filter.language,
      },
      filter.compiled,
    );
    return { id, expiresAt };
  }

  /** Makes a subscription live: its expiry timer, its courier, its sink in the indication engine. */
  private activate(r: WsEventingRecord, filter: ReturnType<typeof compileFilter>): void {
    const s: Live = {
      ...r,
      timer: this.expiry(r.id, r.expiresAt - Date.now()),
      courier: new Courier((i) => this.push(s, i), this.policy),
      remove: () => undefined,
    };
    s.remove = this.engine.addSink({
      filter,
      deliver: (i) => s.courier.push(i, () => this.failed(s)),
    });
    this.live.set(r.id, s);
  }

  private compile(query: string, language: string) {
    return compileFilter(query, language, this.om.repo.namespace(SOURCE_NAMESPACE), SOURCE_CLASS);
  }

  private filterOf(req: WsmanRequest, body: XmlElement) {
    const f = child(body, NS.wsman, 'Filter') ?? child(body, NS.wse, 'Filter');
    let query: string;
    let language = 'WQL';
    if (f) {
      const dialect = getAttr(f, '', 'Dialect') ?? DIALECT.wql;
      if (dialect === DIALECT.cql) language = 'DMTF:CQL';
      else if (dialect !== DIALECT.wql)
        throw new WsmanFault(
          'WSMAN_FILTER_DIALECT_UNAVAILABLE',
          `Filter dialect "${dialect.slice(0, 128)}" is not supported; use WQL or CQL`,
        );
      query = textContent(f).trim();
    } else {
      const cls = req.resourceUri ? splitResourceUri(req.resourceUri)?.className : undefined;
      if (!cls || cls === '*')
        throw new WsmanFault(
          'WSE_FILTERING_NOT_SUPPORTED',
          'Subscribe needs a WQL filter or an indication class resource URI',
        );
      query = `SELECT * FROM ${cls}`;
    }
    try {
      return { query, language, compiled: this.compile(query, language) };
    } catch (e) {
      if (e instanceof CimError) {
        const fault = faultOfCimError(e);
        throw new WsmanFault(
          e.code === 'CIM_ERR_NOT_SUPPORTED' ? 'WSE_FILTERING_NOT_SUPPORTED' : 'WSMAN_CANNOT_PROCESS_FILTER',
          e.message,
          { cim: fault.cim, cause: e },
        );
      }
      throw e;
    }
  }

  private expiry(id: string, ms: number): NodeJS.Timeout {
    const t = setTimeout(() => this.end(id), Math.max(ms, 0));
    t.unref();
    return t;
  }

  /** Ends a subscription; `forget` (expiry, delivery failure) also drops it from the store. */
  private end(id: string, forget = true): void {
    const s = this.live.get(id);
    if (!s) return;
    this.live.delete(id);
    clearTimeout(s.timer);
    s.remove();
    s.courier.close();
    if (forget) void this.save().catch(() => undefined);
  }

  /** Delivery failed for good: the subscription ends, and EndTo hears of it (DSP0226 §10.7). */
  private failed(s: Live): void {
    if (!this.live.has(s.id)) return;
    this.end(s.id);
    if (!s.endTo) return;
    const body = `<wse:SubscriptionEnd xmlns:wse="${NS.wse}"><wse:SubscriptionManager><wsa:Address>${xmlText(s.endTo)}</wsa:Address><wsa:ReferenceParameters><wse:Identifier>${s.id}</wse:Identifier></wsa:ReferenceParameters></wse:SubscriptionManager><wse:Status>${NS.wse}/DeliveryFailure</wse:Status><wse:Reason xml:lang="en-US">Events could not be delivered to ${xmlText(s.notifyTo)}</wse:Reason></wse:SubscriptionEnd>`;
    void this.post(s.endTo, EVENTING.subscriptionEnd, '', body).catch(() => undefined);
  }

  private push(s: Live, i: CimInstance): Promise<void> {
    const ns = this.om.repo.namespace(SOURCE_NAMESPACE);
    const xml = instanceXml(i, { lookup: (c) => ns.get(c), namespace: ns.name, style: 'dmtf' });
    return this.post(s.notifyTo, EVENTING.event, s.refParams, xml);
  }

  private async post(to: string, action: string, headers: string, body: string): Promise<void> {
    const url = new URL(to);
    const xml =
      `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${NS.soap}" xmlns:wsa="${NS.wsa}" xmlns:wsman="${NS.wsman}" xmlns:xsi="${NS.xsi}" xmlns:cim="${NS.cim}">` +
      `<s:Header><wsa:To>${xmlText(to)}</wsa:To><wsa:Action>${action}</wsa:Action><wsa:MessageID>uuid:${randomUUID()}</wsa:MessageID>${headers}</s:Header>` +
      `<s:Body>${body}</s:Body></s:Envelope>`;
    const a = await exchange({
      url,
      defaultPort: url.protocol === 'https:' ? 443 : 80,
      agent: url.protocol === 'https:' ? this.agents.https : this.agents.http,
      headers: { 'Content-Type': 'application/soap+xml;charset=UTF-8' },
      body: xml,
      timeoutMs: this.timeoutMs,
      maxBytes: 64 * 1024,
      where: `the event sink ${url.host}`,
      operation: 'Event',
      fullBody: () => false,
    });
    if (a.status < 200 || a.status > 299)
      throw new WsmanFault(
        'WSMAN_DESTINATION_UNREACHABLE',
        `The event sink ${url.host} answered HTTP ${a.status}`,
      );
  }
}
