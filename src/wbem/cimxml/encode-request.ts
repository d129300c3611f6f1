import {
  type CimInstance,
  type CimInstanceName,
  type CimScalar,
  type CimType,
  type CimValue,
  formatObjectPath,
  isInstance,
  isInstanceName,
} from '../../cim/index.js';
import {
  type ClassLookup,
  encodeInstance,
  encodeInstanceName,
  encodeLocalNamespacePath,
  encodeReference,
  xmlAttr,
  xmlText,
} from './encode-values.js';

const HEAD = '<?xml version="1.0" encoding="utf-8" ?>\n<CIM CIMVERSION="2.0" DTDVERSION="2.0">';

/** An intrinsic parameter for {@link encodeIMethodCall}. */
export type IParamIn =
  | { className: string }
  | { instanceName: CimInstanceName }
  | { instance: CimInstance }
  | { value: string | boolean | number }
  | { array: string[] };

const none: ClassLookup = () => undefined;

function iparam(name: string, v: IParamIn, lookup: ClassLookup): string {
  let inner: string;
  if ('className' in v) inner = `<CLASSNAME NAME="${xmlAttr(v.className)}"/>`;
  else if ('instanceName' in v) inner = encodeInstanceName(v.instanceName, lookup);
  else if ('instance' in v)
    inner = v.instance.path
      ? `<VALUE.NAMEDINSTANCE>${encodeInstanceName(v.instance.path, lookup)}${encodeInstance(v.instance, lookup)}</VALUE.NAMEDINSTANCE>`
      : encodeInstance(v.instance, lookup);
  else if ('array' in v)
    inner = `<VALUE.ARRAY>${v.array.map((s) => `<VALUE>${xmlText(s)}</VALUE>`).join('')}</VALUE.ARRAY>`;
  else
    inner = `<VALUE>${xmlText(typeof v.value === 'boolean' ? (v.value ? 'TRUE' : 'FALSE') : String(v.value))}</VALUE>`;
  return `<IPARAMVALUE NAME="${xmlAttr(name)}">${inner}</IPARAMVALUE>`;
}

/** An intrinsic method call document (DSP0201 IMETHODCALL); parameters that are undefined are left out. */
export function encodeIMethodCall(
  id: string,
  method: string,
  namespace: string,
  params: Record<string, IParamIn | undefined>,
  lookup: ClassLookup = none,
): string {
  let s = `${HEAD}<MESSAGE ID="${xmlAttr(id)}" PROTOCOLVERSION="1.0"><SIMPLEREQ><IMETHODCALL NAME="${xmlAttr(method)}">`;
  s += encodeLocalNamespacePath(namespace);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) s += iparam(k, v, lookup);
  return `${s}</IMETHODCALL></SIMPLEREQ></MESSAGE></CIM>\n`;
}

/** A typed parameter of an extrinsic call: the type decides PARAMTYPE and how the value is written. */
export interface ParamIn {
  type: CimType;
  value: CimValue;
  /** Write instances as embedded objects (escaped CIM-XML with EmbeddedObject="instance"). */
  embedded?: boolean;
}

function paramScalar(type: CimType, v: CimScalar, lookup: ClassLookup): string {
  if (isInstanceName(v)) return encodeReference(v, lookup);
  if (isInstance(v)) return `<VALUE>${xmlText(encodeInstance(v, lookup))}</VALUE>`;
  return `<VALUE>${xmlText(type === 'boolean' ? v.toUpperCase() : v)}</VALUE>`;
}

/** An extrinsic method call document (DSP0201 METHODCALL) on an instance or, with no keys, on a class. */
export function encodeMethodCall(
  id: string,
  method: string,
  target: CimInstanceName,
  namespace: string,
  params: Record<string, ParamIn | undefined>,
  lookup: ClassLookup = none,
): string {
  let s = `${HEAD}<MESSAGE ID="${xmlAttr(id)}" PROTOCOLVERSION="1.0"><SIMPLEREQ><METHODCALL NAME="${xmlAttr(method)}">`;
  const ns = encodeLocalNamespacePath(namespace);
  if (Object.keys(target.keys).length === 0)
    s += `<LOCALCLASSPATH>${ns}<CLASSNAME NAME="${xmlAttr(target.className)}"/></LOCALCLASSPATH>`;
  else s += `<LOCALINSTANCEPATH>${ns}${encodeInstanceName(target, lookup)}</LOCALINSTANCEPATH>`;
  for (const [name, p] of Object.entries(params)) {
    if (p === undefined) continue;
    const isRef = p.type === 'reference';
    const eo = p.embedded ? ' EmbeddedObject="instance"' : '';
    const type = isRef ? 'reference' : p.type;
    let inner: string;
    if (Array.isArray(p.value)) {
      const tag = isRef ? 'VALUE.REFARRAY' : 'VALUE.ARRAY';
      inner = `<${tag}>${p.value.map((v) => paramScalar(p.type, v, lookup)).join('')}</${tag}>`;
    } else inner = paramScalar(p.type, p.value, lookup);
    s += `<PARAMVALUE NAME="${xmlAttr(name)}" PARAMTYPE="${type}"${eo}>${inner}</PARAMVALUE>`;
  }
  return `${s}</METHODCALL></SIMPLEREQ></MESSAGE></CIM>\n`;
}

/** The CIMObject header of a call (DSP0200 §7.3.4), %-encoded as wbemcli does. */
export function cimObjectHeader(namespace: string, target?: CimInstanceName): string {
  const text = target ? formatObjectPath({ ...target, namespace, host: undefined }) : namespace;
  return encodeURIComponent(text).replace(/%3D/g, '=').replace(/%2C/g, ',').replace(/%22/g, '"');
}
