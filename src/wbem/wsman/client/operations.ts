import {
  type CimClassDecl,
  CimError,
  type CimInstance,
  type CimInstanceName,
  type CimStatusName,
} from '../../../cim/index.js';
import type { CimOperations } from '../../cimxml/api/index.js';
import type { AssocFilter, MethodOutcome } from '../../cimxml/client.js';
import type { ParamIn } from '../../cimxml/encode-request.js';
import { CimXmlError } from '../../cimxml/errors.js';
import { FAULT_DETAIL, WsmanFault, type WsmanFaultCode } from '../errors.js';
import type { WsmanClient } from './client.js';

/**
 * The CIM status each fault stands for when it carries no CIM error (DSP0227 §10 Table 3 read backwards);
 * `protocol` for faults about the messages themselves, which the client, not the host, got wrong.
 */
export const CIM_STATUS_OF_FAULT: Readonly<Record<WsmanFaultCode, CimStatusName | 'protocol'>> = {
  WSMAN_VERSION_MISMATCH: 'protocol',
  WSMAN_MUST_UNDERSTAND: 'protocol',
  WSMAN_ACCESS_DENIED: 'CIM_ERR_ACCESS_DENIED',
  WSMAN_ACTION_NOT_SUPPORTED: 'CIM_ERR_NOT_SUPPORTED',
  WSMAN_ALREADY_EXISTS: 'CIM_ERR_ALREADY_EXISTS',
  WSMAN_CANNOT_PROCESS_FILTER: 'CIM_ERR_INVALID_QUERY',
  WSMAN_DESTINATION_UNREACHABLE: 'CIM_ERR_NOT_FOUND',
  WSMAN_ENCODING_LIMIT: 'protocol',
  WSMAN_ENDPOINT_UNAVAILABLE: 'CIM_ERR_SERVER_IS_SHUTTING_DOWN',
  WSMAN_FILTER_DIALECT_UNAVAILABLE: 'CIM_ERR_QUERY_LANGUAGE_NOT_SUPPORTED',
  WSMAN_INTERNAL_ERROR: 'CIM_ERR_FAILED',
  WSMAN_INVALID_ENUMERATION_CONTEXT: 'CIM_ERR_INVALID_ENUMERATION_CONTEXT',
  WSMAN_INVALID_EXPIRATION_TIME: 'CIM_ERR_INVALID_OPERATION_TIMEOUT',
  WSMAN_INVALID_HEADER: 'protocol',
  WSMAN_HEADER_REQUIRED: 'protocol',
  WSMAN_INVALID_OPTIONS: 'protocol',
  WSMAN_INVALID_PARAMETER: 'CIM_ERR_INVALID_PARAMETER',
  WSMAN_INVALID_SELECTORS: 'CIM_ERR_INVALID_PARAMETER',
  WSMAN_QUOTA_LIMIT: 'CIM_ERR_SERVER_LIMITS_EXCEEDED',
  WSMAN_SCHEMA_VALIDATION: 'CIM_ERR_INVALID_PARAMETER',
  WSMAN_TIMED_OUT: 'CIM_ERR_FAILED',
  WSMAN_UNSUPPORTED_FEATURE: 'protocol',
  WSE_DELIVERY_MODE_UNAVAILABLE: 'CIM_ERR_NOT_SUPPORTED',
  WSE_INVALID_EXPIRATION_TIME: 'CIM_ERR_INVALID_PARAMETER',
  WSE_UNABLE_TO_RENEW: 'CIM_ERR_FAILED',
  WSE_FILTERING_NOT_SUPPORTED: 'CIM_ERR_NOT_SUPPORTED',
};

/**
 * A fault as what the Api over CIM understands: the CIM error it carries, else the status of its kind (an
 * unknown resource URI is CIM_ERR_INVALID_CLASS), else a CIMXML_RESPONSE_INVALID naming the fault.
 *
 * @example
 * cimErrorOfFault(new WsmanFault('WSMAN_ACCESS_DENIED', 'no')).code; // 'CIM_ERR_ACCESS_DENIED'
 */
export function cimErrorOfFault(f: WsmanFault): CimError | CimXmlError {
  if (f.cim) return f.cim;
  const status = CIM_STATUS_OF_FAULT[f.code];
  if (status === 'protocol')
    return new CimXmlError(
      'CIMXML_RESPONSE_INVALID',
      `The WS-Man service refused the request (${f.code}): ${f.message}`,
      {
        cause: f,
      },
    );
  const code =
    status === 'CIM_ERR_NOT_FOUND' && f.detail === FAULT_DETAIL.invalidResourceUri
      ? 'CIM_ERR_INVALID_CLASS'
      : status;
  return new CimError(code, f.message, { cause: f });
}

async function mapped<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    throw e instanceof WsmanFault ? cimErrorOfFault(e) : e;
  }
}

/**
 * The CIM operations of the Api over CIM, carried by WS-Management: enumerations as Enumerate/Pull with
 * EnumerateObjectAndEPR, associators as the DSP0227 association filter, methods as custom actions, classes through
 * the CIM-XML class resource. Instances are read without declarations and then typed by their class (read once
 * per connection): an array property with one element stays an array.
 *
 * @example
 * const api = await CimXmlApi.over(new WsmanCimOperations(new WsmanClient('https://h1:5986/wsman', { user, password, ca })));
 */
export class WsmanCimOperations implements CimOperations {
  private readonly classes = new Map<string, Promise<CimClassDecl | undefined>>();
  readonly transport = 'wsman' as const;

  constructor(readonly wsman: WsmanClient) {}

  get url(): URL {
    return this.wsman.url;
  }

  get user(): string | undefined {
    return this.wsman.user;
  }

  close(): void {
    this.wsman.close();
  }

  getClass(className: string, o: { namespace?: string | undefined } = {}): Promise<CimClassDecl> {
    return mapped(this.wsman.getClass(className, o.namespace));
  }

  /** The declaration of a class for typing, or undefined when the service has none (WinRM without the class resource). */
  private declOf(className: string, namespace: string): Promise<CimClassDecl | undefined> {
    const key = `${namespace}:${className}`.toLowerCase();
    let hit = this.classes.get(key);
    if (!hit) {
      hit = this.wsman.getClass(className, namespace).catch(() => undefined);
      this.classes.set(key, hit);
    }
    return hit;
  }

  /** Makes the array properties of the instance's class arrays (a single element reads like a scalar). */
  private async typed(inst: CimInstance, namespace: string): Promise<CimInstance> {
    const decl = await this.declOf(inst.className, inst.path?.namespace ?? namespace);
    if (!decl) return inst;
    for (const p of decl.properties) {
      const v = inst.properties[p.name];
      if (p.isArray && v !== undefined && !Array.isArray(v)) inst.properties[p.name] = [v];
    }
    return inst;
  }

  private async all(list: CimInstance[], namespace: string): Promise<CimInstance[]> {
    for (const i of list) await this.typed(i, namespace);
    return list;
  }

  enumerateInstances(className: string, o: { namespace?: string } = {}): Promise<CimInstance[]> {
    const ns = o.namespace ?? this.wsman.namespace;
    return mapped(
      (async () => {
        const items = await this.wsman.enumerateAll(className, { namespace: ns, mode: 'objectAndEpr' });
        return this.all(
          items.flatMap((i) => (i.instance ? [i.instance] : [])),
          ns,
        );
      })(),
    );
  }

  enumerateInstanceNames(className: string, o: { namespace?: string } = {}): Promise<CimInstanceName[]> {
    const ns = o.namespace ?? this.wsman.namespace;
    return mapped(
      this.wsman
        .enumerateAll(className, { namespace: ns, mode: 'epr' })
        .then((items) =>
          items.flatMap((i) => (i.name ? [{ ...i.name, namespace: i.name.namespace ?? ns }] : [])),
        ),
    );
  }

  getInstance(name: CimInstanceName): Promise<CimInstance> {
    const ns = name.namespace ?? this.wsman.namespace;
    return mapped(this.wsman.getInstance(name).then((i) => this.typed(i, ns)));
  }

  private association(name: CimInstanceName, f: AssocFilter, mode: 'objectAndEpr' | 'epr') {
    const ns = name.namespace ?? this.wsman.namespace;
    return this.wsman.enumerateAll(undefined, {
      namespace: ns,
      mode,
      filter: {
        association: {
          kind: 'associated',
          object: { ...name, namespace: ns },
          associationClass: f.assocClass,
          resultClass: f.resultClass,
          role: f.role,
          resultRole: f.resultRole,
        },
      },
    });
  }

  associators(name: CimInstanceName, f: AssocFilter = {}): Promise<CimInstance[]> {
    const ns = name.namespace ?? this.wsman.namespace;
    return mapped(
      this.association(name, f, 'objectAndEpr').then((items) =>
        this.all(
          items.flatMap((i) => (i.instance ? [i.instance] : [])),
          ns,
        ),
      ),
    );
  }

  associatorNames(name: CimInstanceName, f: AssocFilter = {}): Promise<CimInstanceName[]> {
    return mapped(
      this.association(name, f, 'epr').then((items) => items.flatMap((i) => (i.name ? [i.name] : []))),
    );
  }

  deleteInstance(name: CimInstanceName): Promise<void> {
    return mapped(this.wsman.deleteInstance(name));
  }

  invokeMethod(
    target: CimInstanceName,
    method: string,
    params: Record<string, ParamIn | undefined> = {},
  ): Promise<MethodOutcome> {
    return mapped(this.wsman.invoke(target, method, params));
  }
}
