import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import {
  type CimClassDecl,
  CimError,
  type CimInstance,
  type CimInstanceName,
  type CimValue,
} from '../../cim/index.js';
import { exchange, printable } from '../http/exchange.js';
import { type CimXmlResponse, decodeResponse } from './decode-response.js';
import {
  cimObjectHeader,
  encodeIMethodCall,
  encodeMethodCall,
  type IParamIn,
  type ParamIn,
} from './encode-request.js';
import type { ClassLookup } from './encode-values.js';
import { CimXmlError } from './errors.js';
import { expectShape } from './response-shape.js';
import { DEFAULT_READ_LIMITS } from './xml-read.js';

/** How to reach a CIM-XML server. */
export interface CimClientOptions {
  user?: string | undefined;
  password?: string | undefined;
  /** Namespace of operations that do not name one (default root/virtualization). */
  namespace?: string;
  /** PEM CA certificate(s) to trust for HTTPS (e.g. the host's generated certificate). */
  ca?: string | Buffer | undefined;
  /** Accept any HTTPS certificate (like wbemcli -noverify); off by default. */
  insecure?: boolean | undefined;
  /** Time for one operation, from connecting to the last byte of the answer, ms (default 60 s). */
  timeoutMs?: number | undefined;
  /** The largest answer read, in bytes (default 16 MiB); a larger one is refused as it arrives. */
  maxResponseBytes?: number | undefined;
}

/**
 * An HTTP answer other than 200 (and 401, which is `CIMXML_UNAUTHORIZED`), with its status.
 *
 * @example
 * if (e instanceof CimHttpError && e.status === 403) console.log('forbidden');
 */
export class CimHttpError extends CimXmlError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super('CIMXML_HTTP', message);
  }
}

const upper = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Association filters. */
export interface AssocFilter {
  assocClass?: string | undefined;
  resultClass?: string | undefined;
  role?: string | undefined;
  resultRole?: string | undefined;
}

/** What an extrinsic method answered. */
export interface MethodOutcome {
  returnValue: number;
  out: Record<string, CimValue | undefined>;
}

/** One piece of a pull enumeration. */
export interface PullResult<T> {
  items: T[];
  endOfSequence: boolean;
  context: string;
}

/**
 * A CIM-XML client (DSP0200) for Vessel and any other WBEM server: the intrinsic operations, the pull operations
 * and extrinsic methods, over HTTP or HTTPS with Basic authentication and keep-alive.
 *
 * @example
 * const c = new CimClient('https://host1:5989', { user: 'alice', password: 's3cret', ca: pem });
 * const vms = await c.enumerateInstances('CIM_ComputerSystem');
 */
export class CimClient {
  readonly url: URL;
  readonly namespace: string;
  /** The encoding (CimOperations). */
  readonly transport = 'cimxml' as const;
  private readonly agent: HttpAgent;
  private nextId = 1000;

  constructor(
    url: string | URL,
    private readonly options: CimClientOptions = {},
  ) {
    this.url = new URL(url);
    if (this.url.pathname === '/' || this.url.pathname === '') this.url.pathname = '/cimom';
    this.namespace = options.namespace ?? 'root/virtualization';
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

  private async post(method: string, object: string, body: string): Promise<CimXmlResponse> {
    const maxBytes = this.options.maxResponseBytes ?? DEFAULT_READ_LIMITS.maxBytes;
    const where = `the CIM server at ${this.url.host}`;
    const a = await exchange({
      url: this.url,
      defaultPort: this.url.protocol === 'https:' ? 5989 : 5988,
      agent: this.agent,
      headers: {
        'Content-Type': 'application/xml; charset="utf-8"',
        'Content-Length': Buffer.byteLength(body),
        CIMProtocolVersion: '1.0',
        CIMOperation: 'MethodCall',
        CIMMethod: method,
        CIMObject: object,
      },
      body,
      user: this.options.user,
      password: this.options.password,
      timeoutMs: this.options.timeoutMs ?? 60_000,
      maxBytes,
      where,
      operation: method,
      fullBody: (status) => status === 200,
    });
    if (a.status !== 200) {
      const cimError = a.headers.cimerror;
      const text = printable(a.body.toString('utf8')).slice(0, 300);
      throw new CimHttpError(
        a.status,
        `${upper(where)} answered HTTP ${a.status}${cimError ? ` (${String(cimError)})` : ''}${text ? `: ${text}` : ''}`,
      );
    }
    try {
      return decodeResponse(a.body, { ...DEFAULT_READ_LIMITS, maxBytes });
    } catch (e) {
      if (e instanceof CimError || e instanceof CimXmlError) throw e;
      throw new CimXmlError(
        'CIMXML_RESPONSE_INVALID',
        `The answer of ${where} to ${method} is not valid CIM-XML: ${(e as Error).message}`,
        { cause: e },
      );
    }
  }

  /** Any intrinsic operation; the answer's shape is checked against the operation. */
  async intrinsic(
    method: string,
    params: Record<string, IParamIn | undefined>,
    namespace: string | undefined = this.namespace,
  ): Promise<CimXmlResponse> {
    namespace ??= this.namespace;
    const body = encodeIMethodCall(String(this.nextId++), method, namespace, params);
    return expectShape(method, await this.post(method, cimObjectHeader(namespace), body), {
      classLevel: false,
    });
  }

  async getClass(
    className: string,
    o: { localOnly?: boolean; namespace?: string | undefined } = {},
  ): Promise<CimClassDecl> {
    const r = await this.intrinsic(
      'GetClass',
      {
        ClassName: { className },
        LocalOnly: { value: o.localOnly ?? false },
        IncludeQualifiers: { value: true },
        IncludeClassOrigin: { value: true },
      },
      o.namespace,
    );
    const c = r.items[0];
    return (c as { decl: CimClassDecl }).decl;
  }

  async enumerateClassNames(
    className?: string,
    o: { deep?: boolean; namespace?: string } = {},
  ): Promise<string[]> {
    const r = await this.intrinsic(
      'EnumerateClassNames',
      { ClassName: className ? { className } : undefined, DeepInheritance: { value: o.deep ?? false } },
      o.namespace,
    );
    return r.items.map((i) => (i as { name: string }).name);
  }

  async enumerateInstances(
    className: string,
    o: { namespace?: string; propertyList?: string[]; deep?: boolean } = {},
  ): Promise<CimInstance[]> {
    const r = await this.intrinsic(
      'EnumerateInstances',
      {
        ClassName: { className },
        DeepInheritance: { value: o.deep ?? true },
        LocalOnly: { value: false },
        PropertyList: o.propertyList ? { array: o.propertyList } : undefined,
      },
      o.namespace,
    );
    const ns = o.namespace ?? this.namespace;
    return r.items.map((i) => {
      const inst = (i as { instance: CimInstance }).instance;
      if (inst.path && inst.path.namespace === undefined) inst.path.namespace = ns;
      return inst;
    });
  }

  /** EnumerateInstanceNames; the names carry the namespace they were enumerated in. */
  async enumerateInstanceNames(
    className: string,
    o: { namespace?: string } = {},
  ): Promise<CimInstanceName[]> {
    const ns = o.namespace ?? this.namespace;
    const r = await this.intrinsic('EnumerateInstanceNames', { ClassName: { className } }, ns);
    return r.items.map((i) => ({ ...(i as { path: CimInstanceName }).path, namespace: ns }));
  }

  async getInstance(name: CimInstanceName, o: { propertyList?: string[] } = {}): Promise<CimInstance> {
    const r = await this.intrinsic(
      'GetInstance',
      {
        InstanceName: { instanceName: name },
        LocalOnly: { value: false },
        PropertyList: o.propertyList ? { array: o.propertyList } : undefined,
      },
      name.namespace ?? this.namespace,
    );
    const inst = (r.items[0] as { instance: CimInstance }).instance;
    inst.path = { ...name, namespace: name.namespace ?? this.namespace };
    return inst;
  }

  private assocParams(
    name: CimInstanceName,
    f: AssocFilter,
    refs: boolean,
  ): Record<string, IParamIn | undefined> {
    const p: Record<string, IParamIn | undefined> = { ObjectName: { instanceName: name } };
    if (refs) p.ResultClass = f.assocClass ? { className: f.assocClass } : undefined;
    else {
      p.AssocClass = f.assocClass ? { className: f.assocClass } : undefined;
      p.ResultClass = f.resultClass ? { className: f.resultClass } : undefined;
      p.ResultRole = f.resultRole ? { value: f.resultRole } : undefined;
    }
    p.Role = f.role ? { value: f.role } : undefined;
    return p;
  }

  async associators(name: CimInstanceName, f: AssocFilter = {}): Promise<CimInstance[]> {
    const r = await this.intrinsic(
      'Associators',
      this.assocParams(name, f, false),
      name.namespace ?? this.namespace,
    );
    return r.items.map((i) => (i as { instance: CimInstance }).instance);
  }

  async associatorNames(name: CimInstanceName, f: AssocFilter = {}): Promise<CimInstanceName[]> {
    const r = await this.intrinsic(
      'AssociatorNames',
      this.assocParams(name, f, false),
      name.namespace ?? this.namespace,
    );
    return r.items.map((i) => (i as { path: CimInstanceName }).path);
  }

  /** References; `assocClass` is the association class (DSP0200 ResultClass). */
  async references(name: CimInstanceName, f: AssocFilter = {}): Promise<CimInstance[]> {
    const r = await this.intrinsic(
      'References',
      this.assocParams(name, f, true),
      name.namespace ?? this.namespace,
    );
    return r.items.map((i) => (i as { instance: CimInstance }).instance);
  }

  async referenceNames(name: CimInstanceName, f: AssocFilter = {}): Promise<CimInstanceName[]> {
    const r = await this.intrinsic(
      'ReferenceNames',
      this.assocParams(name, f, true),
      name.namespace ?? this.namespace,
    );
    return r.items.map((i) => (i as { path: CimInstanceName }).path);
  }

  async modifyInstance(instance: CimInstance, propertyList?: string[]): Promise<void> {
    await this.intrinsic(
      'ModifyInstance',
      { ModifiedInstance: { instance }, PropertyList: propertyList ? { array: propertyList } : undefined },
      instance.path?.namespace ?? this.namespace,
    );
  }

  /** CreateInstance (DSP0200 §5.3.2.7): the new instance's name. */
  async createInstance(instance: CimInstance, namespace = this.namespace): Promise<CimInstanceName> {
    const r = await this.intrinsic('CreateInstance', { NewInstance: { instance } }, namespace);
    const first = r.items[0];
    if (first?.kind !== 'path')
      throw new CimError('CIM_ERR_FAILED', 'CreateInstance answered no instance name');
    return first.path;
  }

  /** DeleteInstance (DSP0200 §5.3.2.6). */
  async deleteInstance(name: CimInstanceName): Promise<void> {
    await this.intrinsic(
      'DeleteInstance',
      { InstanceName: { instanceName: name } },
      name.namespace ?? this.namespace,
    );
  }

  /** OpenEnumerateInstances: the first `maxObjectCount` instances and a context for the rest. */
  async openEnumerateInstances(
    className: string,
    o: { maxObjectCount?: number; namespace?: string; timeoutS?: number } = {},
  ): Promise<PullResult<CimInstance>> {
    const r = await this.intrinsic(
      'OpenEnumerateInstances',
      {
        ClassName: { className },
        MaxObjectCount: { value: o.maxObjectCount ?? 100 },
        OperationTimeout: o.timeoutS === undefined ? undefined : { value: o.timeoutS },
      },
      o.namespace,
    );
    return pullResult(r, (i) => (i as { instance: CimInstance }).instance);
  }

  async pullInstancesWithPath(
    context: string,
    maxObjectCount: number,
    namespace = this.namespace,
  ): Promise<PullResult<CimInstance>> {
    const r = await this.intrinsic(
      'PullInstancesWithPath',
      { EnumerationContext: { value: context }, MaxObjectCount: { value: maxObjectCount } },
      namespace,
    );
    return pullResult(r, (i) => (i as { instance: CimInstance }).instance);
  }

  async closeEnumeration(context: string, namespace = this.namespace): Promise<void> {
    await this.intrinsic('CloseEnumeration', { EnumerationContext: { value: context } }, namespace);
  }

  /** Every instance of a class, pulled `batch` at a time (Open + Pull until EndOfSequence). */
  async *iterateInstances(
    className: string,
    batch = 100,
    namespace = this.namespace,
  ): AsyncGenerator<CimInstance> {
    let r = await this.openEnumerateInstances(className, { maxObjectCount: batch, namespace });
    yield* r.items;
    while (!r.endOfSequence) {
      r = await this.pullInstancesWithPath(r.context, batch, namespace);
      yield* r.items;
    }
  }

  /**
   * An extrinsic method on an instance or (with a class name only) a static method on a class. `lookup` gives the
   * class declarations that type embedded instances (otherwise their properties go as strings).
   */
  async invokeMethod(
    target: CimInstanceName,
    method: string,
    params: Record<string, ParamIn | undefined> = {},
    lookup?: ClassLookup,
  ): Promise<MethodOutcome> {
    const ns = target.namespace ?? this.namespace;
    const body = encodeMethodCall(String(this.nextId++), method, target, ns, params, lookup);
    const r = expectShape('InvokeMethod', await this.post(method, cimObjectHeader(ns, target), body), {
      extrinsic: method,
    });
    return { returnValue: Number(r.returnValue ?? 0), out: r.params };
  }
}

function pullResult<T>(r: CimXmlResponse, map: (i: CimXmlResponse['items'][number]) => T): PullResult<T> {
  return {
    items: r.items.map(map),
    endOfSequence: r.params.EndOfSequence === 'true' || r.params.EndOfSequence === 'TRUE',
    context: String(r.params.EnumerationContext ?? ''),
  };
}
