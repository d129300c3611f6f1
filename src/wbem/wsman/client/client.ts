import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { CimClassDecl, CimInstance, CimInstanceName, CimValue } from '../../../cim/index.js';
import { childElements, textContent } from '../../../xml/index.js';
import { CimHttpError, type MethodOutcome } from '../../cimxml/client.js';
import { decodeClass } from '../../cimxml/decode-class.js';
import type { ParamIn } from '../../cimxml/encode-request.js';
import { CimXmlError } from '../../cimxml/errors.js';
import { xmlAttr } from '../../cimxml/escape.js';
import { exchange, printable } from '../../http/exchange.js';
import { classUri, instanceXml, propertyXml, type UriStyle } from '../encode.js';
import { ACTION, ALL_CLASSES_URI, CIMXML_CLASS_URI, NS, WMI_URI } from '../names.js';
import { NAMESPACE_SELECTOR } from '../resource.js';
import {
  type EnumerationFilter,
  type EnumerationItem,
  type EnumerationMode,
  type EnumerationPiece,
  enumerateXml,
  pieceOf,
} from './enumeration.js';
import { type ClientRequest, requestXml, type SelectorValue, selectorsOf } from './request.js';
import { type AnswerLimits, DEFAULT_ANSWER_LIMITS, readAnswer, type WsmanReply } from './response.js';
import { instanceOfElement, nameOfEpr, outputOf } from './values.js';

/** How to reach a WS-Man service. */
export interface WsmanClientOptions {
  user?: string | undefined;
  password?: string | undefined;
  /** Namespace of operations that do not name one (default root/virtualization). */
  namespace?: string | undefined;
  /** PEM CA certificate(s) to trust for HTTPS. */
  ca?: string | Buffer | undefined;
  /** Accept any HTTPS certificate; off by default. */
  insecure?: boolean | undefined;
  /** Time for one request, from connecting to the last byte of the answer, ms (default 60 s). */
  timeoutMs?: number | undefined;
  /** The largest answer read, bytes (default 16 MiB). */
  maxResponseBytes?: number | undefined;
  /**
   * MaxEnvelopeSize asked of the service (DSP0226 §6.2), bytes: default 512000, what PowerShell sends and
   * WinRM's default MaxEnvelopeSizekb allows (it faults a larger one); enumerations fit their items into it.
   */
  maxEnvelopeSize?: number | undefined;
  /** Resource URIs in the DMTF form (default) or Microsoft's WMI form. */
  uriStyle?: UriStyle | undefined;
  /** Most items one enumeration collects before it is refused (default 1,000,000). */
  maxItems?: number | undefined;
}

/** What Identify answers (DSP0226 §11). */
export interface IdentifyResult {
  protocolVersion: string;
  productVendor: string;
  productVersion: string;
  securityProfiles: string[];
}

/** Options of an enumeration. */
export interface EnumerateOptions {
  namespace?: string | undefined;
  mode?: EnumerationMode | undefined;
  filter?: EnumerationFilter | undefined;
  /** Items per answer (default 100); OptimizeEnumeration is always asked for. */
  maxElements?: number | undefined;
}

/** `http://h:5985/wsman` for `http://h:5985` or `http://h:5985/`. */
function endpoint(url: string | URL): URL {
  const u = new URL(url);
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/wsman';
  return u;
}

/**
 * A WS-Management client (DSP0226 with the CIM binding DSP0227 and mapping DSP0230) for Vessel's service, WinRM
 * and openwsman: Identify, WS-Transfer Get/Put/Create/Delete, WS-Enumeration Enumerate/Pull/Release (optimized,
 * with EnumerationMode, WQL, CQL, selector and association filters), custom actions, and class declarations over
 * MS-WSMV's CIM-XML class resource. HTTP(S) with Basic authentication and keep-alive, bounded in time and size;
 * answers read with the hardened XML reader; faults thrown as WsmanFault with the CIM error they carry.
 *
 * @example
 * const c = new WsmanClient('https://host1:5986/wsman', { user: 'admin', password, ca: pem });
 * const vm = await c.getInstance({ className: 'Vessel_ComputerSystem', keys: { CreationClassName: 'Vessel_ComputerSystem', Name: uuid } });
 */
export class WsmanClient {
  readonly url: URL;
  readonly namespace: string;
  readonly style: UriStyle;
  private readonly agent: HttpAgent;
  private readonly limits: AnswerLimits;

  constructor(
    url: string | URL,
    private readonly options: WsmanClientOptions = {},
  ) {
    this.url = endpoint(url);
    this.namespace = options.namespace ?? 'root/virtualization';
    this.style = options.uriStyle ?? 'dmtf';
    this.limits = {
      ...DEFAULT_ANSWER_LIMITS,
      maxBytes: options.maxResponseBytes ?? DEFAULT_ANSWER_LIMITS.maxBytes,
    };
    this.agent =
      this.url.protocol === 'https:'
        ? new HttpsAgent({ keepAlive: true, ca: options.ca, rejectUnauthorized: !options.insecure })
        : new HttpAgent({ keepAlive: true });
  }

  /** The user the client logs in as, if any. */
  get user(): string | undefined {
    return this.options.user;
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  private get where(): string {
    return `the WS-Man service at ${this.url.host}`;
  }

  /** Sends one request and reads its answer; faults are thrown as WsmanFault. */
  async send(
    r: Omit<ClientRequest, 'to'>,
    operation: string,
    namespace = this.namespace,
  ): Promise<WsmanReply> {
    const body = requestXml(
      {
        ...r,
        to: this.url.href,
        maxEnvelopeSize:
          r.action === undefined
            ? undefined
            : Math.min(this.options.maxEnvelopeSize ?? 512_000, this.limits.maxBytes),
      },
      namespace,
    );
    const a = await exchange({
      url: this.url,
      defaultPort: this.url.protocol === 'https:' ? 5986 : 5985,
      agent: this.agent,
      headers: {
        'Content-Type': 'application/soap+xml;charset=UTF-8',
        'Content-Length': Buffer.byteLength(body),
      },
      body,
      user: this.options.user,
      password: this.options.password,
      timeoutMs: this.options.timeoutMs ?? 60_000,
      maxBytes: this.limits.maxBytes,
      where: this.where,
      operation,
      fullBody: (s) => s === 200 || s === 400 || s === 500,
    });
    const soap = /soap|xml/i.test(String(a.headers['content-type'] ?? ''));
    if (a.status !== 200 && !(soap && (a.status === 400 || a.status === 500))) {
      const text = printable(a.body.toString('utf8')).slice(0, 300);
      throw new CimHttpError(a.status, `${this.where} answered HTTP ${a.status}${text ? `: ${text}` : ''}`);
    }
    const answer = await readAnswer(a.body, this.limits, this.where, operation);
    if (a.status !== 200)
      throw new CimXmlError(
        'CIMXML_RESPONSE_INVALID',
        `${this.where} answered ${operation} with HTTP ${a.status} but no fault`,
      );
    return answer;
  }

  /** The resource URI of a class in the client's style. */
  classUri(className: string, namespace = this.namespace): string {
    return classUri(className, namespace, this.style);
  }

  /** The `*` resource URI of a namespace (filters choose the classes), with the selectors it needs. */
  private allUri(namespace: string): { resourceUri: string; selectors: Array<[string, SelectorValue]> } {
    return this.style === 'wmi'
      ? { resourceUri: `${WMI_URI}${namespace}/*`, selectors: [] }
      : { resourceUri: ALL_CLASSES_URI, selectors: [[NAMESPACE_SELECTOR, namespace]] };
  }

  private target(name: CimInstanceName): Pick<ClientRequest, 'resourceUri' | 'selectors'> {
    const ns = name.namespace ?? this.namespace;
    const selectors = selectorsOf(name, ns);
    return {
      resourceUri: this.classUri(name.className, ns),
      selectors: this.style === 'wmi' ? selectors.slice(1) : selectors,
    };
  }

  /**
   * Identify (DSP0226 §11): the protocol version, vendor, version and security profiles, without an Action.
   *
   * @example
   * (await c.identify()).productVendor; // 'Vessel'
   */
  async identify(): Promise<IdentifyResult> {
    const a = await this.send({ action: undefined, body: '<wsmid:Identify/>' }, 'Identify');
    if (!a.body || a.body.ns !== NS.wsmid || a.body.local !== 'IdentifyResponse')
      throw new CimXmlError(
        'CIMXML_RESPONSE_INVALID',
        `${this.where} did not answer Identify with IdentifyResponse`,
      );
    const text = (local: string) => {
      const el = childElements(a.body!, NS.wsmid, local)[0];
      return el ? textContent(el).trim() : '';
    };
    const profiles = childElements(a.body, NS.wsmid, 'SecurityProfiles')[0];
    return {
      protocolVersion: text('ProtocolVersion'),
      productVendor: text('ProductVendor'),
      productVersion: text('ProductVersion'),
      securityProfiles: profiles ? childElements(profiles).map((p) => textContent(p).trim()) : [],
    };
  }

  /** WS-Transfer Get of the instance a name gives (DSP0226 §7.3); the instance carries that name as its path. */
  async getInstance(name: CimInstanceName): Promise<CimInstance> {
    const a = await this.send({ action: ACTION.get, ...this.target(name), body: '' }, 'Get');
    if (!a.body)
      throw new CimXmlError('CIMXML_RESPONSE_INVALID', `${this.where} answered Get with an empty body`);
    const inst = instanceOfElement(a.body);
    inst.path = { ...name, namespace: name.namespace ?? this.namespace };
    return inst;
  }

  /** WS-Transfer Put (DSP0226 §7.5): the properties given (only those) replace the instance's; answers the result. */
  async putInstance(name: CimInstanceName, inst: CimInstance): Promise<CimInstance> {
    const ns = name.namespace ?? this.namespace;
    const body = instanceXml(inst, { lookup: () => undefined, namespace: ns, style: this.style });
    const a = await this.send({ action: ACTION.put, ...this.target(name), body }, 'Put');
    const out = a.body ? instanceOfElement(a.body) : inst;
    out.path = { ...name, namespace: ns };
    return out;
  }

  /** WS-Transfer Create (DSP0226 §7.6): answers the EPR of the new instance (wxf:ResourceCreated). */
  async createInstance(inst: CimInstance, namespace = this.namespace): Promise<CimInstanceName> {
    const body = instanceXml(inst, { lookup: () => undefined, namespace, style: this.style });
    const selectors: Array<[string, SelectorValue]> =
      this.style === 'wmi' ? [] : [[NAMESPACE_SELECTOR, namespace]];
    const a = await this.send(
      { action: ACTION.create, resourceUri: this.classUri(inst.className, namespace), selectors, body },
      'Create',
    );
    if (a.body?.local !== 'ResourceCreated')
      throw new CimXmlError(
        'CIMXML_RESPONSE_INVALID',
        `${this.where} answered Create without ResourceCreated`,
      );
    return nameOfEpr(a.body);
  }

  /** WS-Transfer Delete (DSP0226 §7.7). */
  async deleteInstance(name: CimInstanceName): Promise<void> {
    await this.send({ action: ACTION.delete, ...this.target(name), body: '' }, 'Delete');
  }

  /**
   * Enumerate (optimized): the first piece. `className` undefined enumerates the namespace's `*` URI (a filter
   * then chooses the classes).
   */
  async enumerate(
    className: string | undefined,
    o: EnumerateOptions = {},
  ): Promise<EnumerationPiece & { resourceUri: string }> {
    const ns = o.namespace ?? this.namespace;
    const res =
      className === undefined
        ? this.allUri(ns)
        : {
            resourceUri: this.classUri(className, ns),
            selectors: this.style === 'wmi' ? [] : [[NAMESPACE_SELECTOR, ns] as [string, string]],
          };
    const body = enumerateXml(
      { mode: o.mode ?? 'objectAndEpr', maxElements: o.maxElements ?? 100, filter: o.filter },
      ns,
    );
    const a = await this.send({ action: ACTION.enumerate, ...res, body }, 'Enumerate', ns);
    return { ...pieceOf(a.body, 'EnumerateResponse'), resourceUri: res.resourceUri };
  }

  /** Pull (WS-Enumeration §3.2): the next `maxElements` items. */
  async pull(resourceUri: string, context: string, maxElements = 100): Promise<EnumerationPiece> {
    const body = `<wsen:Pull><wsen:EnumerationContext>${xmlAttr(context)}</wsen:EnumerationContext><wsen:MaxElements>${maxElements}</wsen:MaxElements></wsen:Pull>`;
    const a = await this.send({ action: ACTION.pull, resourceUri, body }, 'Pull');
    return pieceOf(a.body, 'PullResponse');
  }

  /** Release (WS-Enumeration §3.5): drops a context the client will not pull to its end. */
  async release(resourceUri: string, context: string): Promise<void> {
    const body = `<wsen:Release><wsen:EnumerationContext>${xmlAttr(context)}</wsen:EnumerationContext></wsen:Release>`;
    await this.send({ action: ACTION.release, resourceUri, body }, 'Release');
  }

  /**
   * Every item of an enumeration: Enumerate, then Pull to EndOfSequence; the context is released when a Pull
   * fails, and an enumeration past `maxItems` is refused (a peer that never ends).
   *
   * @example
   * const items = await c.enumerateAll('CIM_ComputerSystem', { mode: 'objectAndEpr' });
   */
  async enumerateAll(className: string | undefined, o: EnumerateOptions = {}): Promise<EnumerationItem[]> {
    const max = this.options.maxItems ?? 1_000_000;
    const first = await this.enumerate(className, o);
    const items = [...first.items];
    let piece: EnumerationPiece = first;
    while (!piece.endOfSequence && piece.context !== undefined) {
      const context = piece.context;
      if (items.length > max) {
        await this.release(first.resourceUri, context).catch(() => undefined);
        throw new CimXmlError('CIMXML_RESPONSE_INVALID', `${this.where} enumerates more than ${max} items`);
      }
      piece = await this.pull(first.resourceUri, context, o.maxElements ?? 100);
      items.push(...piece.items);
    }
    return items;
  }

  /**
   * A custom action (DSP0227 §9): `<ResourceURI>/<Method>` with `<p:Method_INPUT>`: references as EPRs, embedded
   * instances as the elements of their class, other values as text. A target without keys calls the method on
   * the class.
   *
   * @example
   * await c.invoke(vmName, 'RequestStateChange', { RequestedState: { type: 'uint16', value: '2' } });
   */
  async invoke(
    target: CimInstanceName,
    method: string,
    params: Record<string, ParamIn | undefined> = {},
  ): Promise<MethodOutcome> {
    const ns = target.namespace ?? this.namespace;
    const uri = this.classUri(target.className, ns);
    const o = { lookup: () => undefined, namespace: ns, style: this.style };
    let body = `<p:${method}_INPUT xmlns:p="${xmlAttr(uri)}">`;
    for (const [k, p] of Object.entries(params))
      if (p !== undefined) body += propertyXml(k, p.type, p.value as CimValue, o);
    body += `</p:${method}_INPUT>`;
    const to =
      Object.keys(target.keys).length > 0
        ? this.target(target)
        : {
            resourceUri: uri,
            selectors: this.style === 'wmi' ? [] : [[NAMESPACE_SELECTOR, ns] as [string, string]],
          };
    const a = await this.send({ action: `${uri}/${method}`, ...to, body }, method, ns);
    if (!a.body || a.body.local.toLowerCase() !== `${method}_output`.toLowerCase())
      throw new CimXmlError(
        'CIMXML_RESPONSE_INVALID',
        `${this.where} answered ${method} without <${method}_OUTPUT>`,
      );
    return outputOf(a.body);
  }

  /** The declaration of a class with all it inherits (MS-WSMV's CIM-XML class resource: a `<CLASS>` element). */
  async getClass(className: string, namespace = this.namespace): Promise<CimClassDecl> {
    const a = await this.send(
      {
        action: ACTION.get,
        resourceUri: CIMXML_CLASS_URI,
        selectors: [
          [NAMESPACE_SELECTOR, namespace],
          ['ClassName', className],
        ],
        body: '',
      },
      'Get',
      namespace,
    );
    if (a.body?.local !== 'CLASS')
      throw new CimXmlError(
        'CIMXML_RESPONSE_INVALID',
        `${this.where} did not answer a class Get with <CLASS>`,
      );
    try {
      return decodeClass(a.body);
    } catch (e) {
      throw new CimXmlError(
        'CIMXML_RESPONSE_INVALID',
        `The class ${className} from ${this.where} is not valid CIM-XML: ${(e as Error).message}`,
        { cause: e },
      );
    }
  }
}
