import {
  type CimContext,
  CimError,
  type CimInstance,
  type CimParameterDecl,
  type CimScalar,
  type CimValue,
  hasQualifier,
  isInstance,
  parseEmbeddedInstance,
  parseEmbeddedInstances,
  parseObjectPath,
  qualifierValue,
} from '../../cim/index.js';
import type { ExtrinsicCall, ParamValue } from './decode-request.js';
import { decodeInstance } from './decode-values.js';
import { type CimXmlDispatcher, lookupIn } from './dispatcher.js';
import { encodeValue, xmlAttr } from './encode-values.js';
import { type CimXmlReadLimits, readCimXml } from './xml-read.js';

/**
 * The longest embedded instance read, in characters: a RASD or VSSD as CIM-XML or MOF is a few kilobytes, and a
 * bound here keeps each synchronous parse (MOF has no sliced reader) to a few milliseconds.
 */
export const MAX_EMBEDDED_CHARS = 64 * 1024;

/** Limits of the CIM-XML text of one embedded instance. */
const EMBEDDED_LIMITS: CimXmlReadLimits = {
  maxBytes: 3 * MAX_EMBEDDED_CHARS,
  maxDepth: 32,
  maxElements: 5000,
  maxAttributes: 64,
};

/** Reads an embedded CIM-XML INSTANCE (escaped text of a string parameter). */
export function embeddedFromXml(text: string): CimInstance {
  const root = readCimXml(text.trim(), EMBEDDED_LIMITS);
  if (root.local !== 'INSTANCE')
    throw new CimError(
      'CIM_ERR_INVALID_PARAMETER',
      `An embedded object is a <${root.local}>, not an <INSTANCE>`,
    );
  return decodeInstance(root, embeddedFromXml);
}

function embedded(text: string, many: boolean): CimInstance[] {
  if (text.length > MAX_EMBEDDED_CHARS)
    throw new CimError(
      'CIM_ERR_INVALID_PARAMETER',
      `An embedded instance of ${text.length} characters is over the limit of ${MAX_EMBEDDED_CHARS}`,
    );
  try {
    return many
      ? parseEmbeddedInstances(text, embeddedFromXml)
      : [parseEmbeddedInstance(text, embeddedFromXml)];
  } catch (e) {
    if (e instanceof CimError) throw e;
    throw new CimError(
      'CIM_ERR_INVALID_PARAMETER',
      `An embedded instance cannot be read: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
}

/**
 * Types a PARAMVALUE by the method's declaration, as wbemcli and old pywbem send no PARAMTYPE: references given as
 * text become paths, embedded-instance strings (CIM-XML or MOF) become instances, booleans are normalised.
 */
async function typeParam(
  pv: ParamValue,
  decl: CimParameterDecl,
  namespace: string,
): Promise<CimValue | undefined> {
  const v = pv.value;
  if (v === undefined) return undefined;
  if (!decl.isArray && Array.isArray(v))
    throw new CimError(
      'CIM_ERR_INVALID_PARAMETER',
      `Parameter ${decl.name} must be a single value, not an array`,
    );
  const list: CimScalar[] = Array.isArray(v) ? v : [v];
  const isEmbedded =
    qualifierValue(decl.qualifiers, 'EmbeddedInstance') !== undefined ||
    hasQualifier(decl.qualifiers, 'EmbeddedObject') ||
    pv.embeddedObject !== undefined;
  const typed: CimScalar[] = [];
  let deadline = performance.now() + SLICE_MS;
  for (const s of list) {
    typed.push(...typeOne(s, decl, namespace, isEmbedded));
    // Many embedded instances are read one slice of the event loop at a time.
    if (performance.now() > deadline) {
      await new Promise((resolve) => setImmediate(resolve));
      deadline = performance.now() + SLICE_MS;
    }
  }
  return decl.isArray ? typed : typed[0];
}

/** How long typing parameters may hold the event loop before giving it back, ms. */
const SLICE_MS = 4;

function typeOne(s: CimScalar, decl: CimParameterDecl, namespace: string, isEmbedded: boolean): CimScalar[] {
  if (decl.type === 'reference') {
    if (typeof s !== 'string') return [s];
    const path = parseObjectPath(s);
    return [{ ...path, namespace: path.namespace ?? namespace }];
  }
  if (typeof s !== 'string') {
    if (isEmbedded && isInstance(s)) return [s];
    throw new CimError('CIM_ERR_INVALID_PARAMETER', `Parameter ${decl.name} must be a ${decl.type} value`);
  }
  if (isEmbedded) return embedded(s, decl.isArray);
  if (decl.type === 'boolean') return [s.trim().toLowerCase()];
  return [s];
}

/** Answers an extrinsic method call (DSP0200 §5.4): RETURNVALUE and the OUT parameters, typed by the class. */
export async function invokeExtrinsic(
  d: CimXmlDispatcher,
  call: ExtrinsicCall,
  ctx: CimContext,
): Promise<string> {
  const ns = d.om.repo.namespace(call.namespace);
  const cls = ns.require(call.target.className);
  const decl = d.om.method(ns.name, cls.name, call.method);
  const params: Record<string, CimValue | undefined> = {};
  for (const pv of call.params) {
    const pd = decl.parameters.find((x) => x.name.toLowerCase() === pv.name.toLowerCase());
    if (!pd) throw new CimError('CIM_ERR_INVALID_PARAMETER', `${decl.name} has no parameter ${pv.name}`);
    const inq = pd.qualifiers.find((q) => q.name.toLowerCase() === 'in');
    if (inq?.value === 'false')
      throw new CimError('CIM_ERR_INVALID_PARAMETER', `${pd.name} is an output parameter`);
    params[pd.name] = await typeParam(pv, pd, ns.name);
  }
  const r = await d.om.invokeMethod(ctx, ns.name, { ...call.target, namespace: ns.name }, decl.name, params);
  const lookup = lookupIn(d, ns);
  let s = `<RETURNVALUE PARAMTYPE="${decl.returnType}"><VALUE>${r.returnValue}</VALUE></RETURNVALUE>`;
  for (const pd of decl.parameters) {
    const v = r.out[pd.name];
    if (v === undefined) continue;
    const eo =
      qualifierValue(pd.qualifiers, 'EmbeddedInstance') !== undefined ? ' EmbeddedObject="instance"' : '';
    s += `<PARAMVALUE NAME="${xmlAttr(pd.name)}" PARAMTYPE="${pd.type}"${eo}>${encodeValue(pd.type, v, lookup)}</PARAMVALUE>`;
  }
  return s;
}
