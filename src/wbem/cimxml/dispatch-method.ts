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
import { readCimXml } from './xml-read.js';

/** Reads an embedded CIM-XML INSTANCE (escaped text of a string parameter). */
export function embeddedFromXml(text: string): CimInstance {
  const root = readCimXml(text.trim());
  if (root.local !== 'INSTANCE')
    throw new CimError(
      'CIM_ERR_INVALID_PARAMETER',
      `An embedded object is a <${root.local}>, not an <INSTANCE>`,
    );
  return decodeInstance(root, embeddedFromXml);
}

function embedded(text: string, many: boolean): CimInstance[] {
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
function typeParam(pv: ParamValue, decl: CimParameterDecl, namespace: string): CimValue | undefined {
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
  const typed = list.flatMap((s): CimScalar[] => {
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
  });
  return decl.isArray ? typed : typed[0];
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
    params[pd.name] = typeParam(pv, pd, ns.name);
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
