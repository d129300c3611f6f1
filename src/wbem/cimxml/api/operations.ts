import type { CimClassDecl, CimInstance, CimInstanceName } from '../../../cim/index.js';
import type { AssocFilter, MethodOutcome } from '../client.js';
import type { ParamIn } from '../encode-request.js';
import type { ClassLookup } from '../encode-values.js';

/**
 * The CIM operations (DSP0223's generic operations) that the Api over CIM needs, whatever carries them: CIM-XML
 * (CimClient) or WS-Management (WsmanCimOperations). Names carry their namespace; failures are CimError (a CIM
 * status) or CimXmlError (transport: HOST_UNREACHABLE, CIMXML_UNAUTHORIZED, CIMXML_TIMEOUT, ...), which
 * toApiError turns into the Api's codes.
 *
 * @example
 * const api = await CimXmlApi.over(new CimClient('https://h1:5989', o));        // CIM-XML
 * const api2 = await CimXmlApi.over(new WsmanCimOperations(new WsmanClient(url, o))); // WS-Man
 */
export interface CimOperations {
  /** The endpoint: its host names the host in messages. */
  readonly url: URL;
  /** Which encoding carries them (what HostInfo.transport says). */
  readonly transport: 'cimxml' | 'wsman';
  /** The user the operations run as, if any. */
  readonly user: string | undefined;
  /** The class with everything it inherits (GetClass with LocalOnly false). */
  getClass(className: string, o?: { namespace?: string | undefined }): Promise<CimClassDecl>;
  /** Instances of a class and its subclasses, with their paths. */
  enumerateInstances(className: string, o?: { namespace?: string }): Promise<CimInstance[]>;
  enumerateInstanceNames(className: string, o?: { namespace?: string }): Promise<CimInstanceName[]>;
  getInstance(name: CimInstanceName): Promise<CimInstance>;
  associators(name: CimInstanceName, f?: AssocFilter): Promise<CimInstance[]>;
  associatorNames(name: CimInstanceName, f?: AssocFilter): Promise<CimInstanceName[]>;
  deleteInstance(name: CimInstanceName): Promise<void>;
  /** An extrinsic method (a class-level one when the target has no keys); `lookup` types embedded instances. */
  invokeMethod(
    target: CimInstanceName,
    method: string,
    params?: Record<string, ParamIn | undefined>,
    lookup?: ClassLookup,
  ): Promise<MethodOutcome>;
  /** Closes idle connections. */
  close(): void;
}
