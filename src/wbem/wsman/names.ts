/**
 * The XML namespaces and action URIs of WS-Management (DSP0226 §A, DSP0227 §B): SOAP 1.2, WS-Addressing 2004/08,
 * WS-Transfer, WS-Enumeration 2004/09, the WS-Man and CIM-binding schemas, and the resource URI prefixes.
 */
export const NS = {
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  wsa: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  wsman: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
  wsen: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration',
  wxf: 'http://schemas.xmlsoap.org/ws/2004/09/transfer',
  wsmid: 'http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd',
  wsmb: 'http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd',
  cim: 'http://schemas.dmtf.org/wbem/wscim/1/common',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  /** WS-Eventing (DSP0226 §10). */
  wse: 'http://schemas.xmlsoap.org/ws/2004/08/eventing',
  /** Microsoft's extension headers (DataLocale, SessionId), which WinRM clients send. */
  msWsman: 'http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd',
} as const;

/** The DMTF class resource URI prefix (DSP0227 §7.2): `<prefix><ClassName>`. */
export const CIM_SCHEMA_URI = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/';
/** The "all classes" resource URI (DSP0227 §7.3), used with a `__cimnamespace` selector and a filter. */
export const ALL_CLASSES_URI = 'http://schemas.dmtf.org/wbem/wscim/1/*';
/** Microsoft's WMI resource URI prefix: `<prefix><namespace>/<ClassName or *>`. */
export const WMI_URI = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/';
/** The anonymous reply address (WS-Addressing 2004/08 §2.2). */
export const ANONYMOUS = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous';

/** The action URIs this server answers, and their responses. */
export const ACTION = {
  get: `${NS.wxf}/Get`,
  put: `${NS.wxf}/Put`,
  create: `${NS.wxf}/Create`,
  delete: `${NS.wxf}/Delete`,
  enumerate: `${NS.wsen}/Enumerate`,
  pull: `${NS.wsen}/Pull`,
  release: `${NS.wsen}/Release`,
  renew: `${NS.wsen}/Renew`,
  getStatus: `${NS.wsen}/GetStatus`,
} as const;

/** The WS-Eventing actions (DSP0226 §10) and the action of a pushed event (§10.2.9). */
export const EVENTING = {
  subscribe: `${NS.wse}/Subscribe`,
  renew: `${NS.wse}/Renew`,
  getStatus: `${NS.wse}/GetStatus`,
  unsubscribe: `${NS.wse}/Unsubscribe`,
  subscriptionEnd: `${NS.wse}/SubscriptionEnd`,
  push: `${NS.wse}/DeliveryModes/Push`,
  event: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/Event',
} as const;

/** Filter dialects of Enumerate (DSP0226 §8.3, DSP0227 §8). */
export const DIALECT = {
  wql: 'http://schemas.microsoft.com/wbem/wsman/1/WQL',
  cql: 'http://schemas.dmtf.org/wbem/cql/1/dsp0202.pdf',
  selector: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/SelectorFilter',
  association: 'http://schemas.dmtf.org/wbem/wsman/1/cimbinding/associationFilter',
} as const;

/** The security profiles Identify lists (DSP0226 §C): HTTP and HTTPS with Basic authentication. */
export const SECURITY_PROFILES = [
  'http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/http/basic',
  'http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/basic',
] as const;

/**
 * Microsoft's class resource URI (WinRM's CIM-XML schema resource, which WinRM client libraries read classes
 * through): a Get with the
 * selectors `__cimnamespace` and `ClassName` answers the class as a CIM-XML `<CLASS>` element (DSP0201).
 */
export const CIMXML_CLASS_URI = 'http://schemas.dmtf.org/wbem/cim-xml/2/cim-schema/2/*';
