import { type CimContext, CimError, type CimInstanceName, type CimValue } from '../../cim/index.js';
import { childElements } from '../../xml/index.js';
import { xmlAttr } from '../cimxml/escape.js';
import type { Deadline } from './deadline.js';
import { decodeValues } from './decode.js';
import type { WsmanDispatcher } from './dispatcher.js';
import { propertyXml, uriStyle } from './encode.js';
import type { WsmanRequest } from './envelope.js';
import { WsmanFault } from './errors.js';
import { instanceNameOf, type Resource } from './resource.js';

/**
 * A custom action (DSP0227 §9): the action `<ResourceURI>/<Method>` with `<p:<Method>_INPUT>` in the body, answered
 * with `<p:<Method>_OUTPUT>`: ReturnValue and the OUT parameters (a Job as an EPR, embedded instances as elements
 * of their class). Input values are typed by the method's declaration: references as EPRs, embedded instances as
 * typed elements or CIM-XML text (escaped or CDATA). Selectors name the target; none calls the method on the class.
 *
 * @example
 * const { action, body } = await invokeAction(d, req, r, 'RequestStateChange', ctx);
 */
export async function invokeAction(
  d: WsmanDispatcher,
  req: WsmanRequest,
  r: Resource,
  method: string,
  ctx: CimContext,
  deadline?: Deadline,
): Promise<{ action: string; body: string }> {
  const om = d.om;
  if (r.className === undefined)
    throw new WsmanFault('WSMAN_ACTION_NOT_SUPPORTED', 'A method needs the resource URI of a class');
  const decl = om.method(r.ns.name, r.className, method);
  const input = req.body;
  if (input && input.local.toLowerCase() !== `${decl.name}_input`.toLowerCase())
    throw new WsmanFault(
      'WSMAN_SCHEMA_VALIDATION',
      `The body of ${decl.name} must be <${decl.name}_INPUT>, not <${input.local}>`,
    );
  const params = decodeValues(
    om,
    r.ns,
    input ? childElements(input) : [],
    (n) => {
      const p = decl.parameters.find((x) => x.name.toLowerCase() === n.toLowerCase());
      const q = p?.qualifiers.find((x) => x.name.toLowerCase() === 'in');
      return q?.value === 'false' ? undefined : p;
    },
    (n) =>
      new CimError('CIM_ERR_INVALID_PARAMETER', `${decl.name} has no input parameter "${n.slice(0, 64)}"`),
  );
  const target: CimInstanceName =
    r.keys.size > 0 ? instanceNameOf(om, r) : { className: r.className, keys: {}, namespace: r.ns.name };
  deadline?.beforeChange();
  const result = await om.invokeMethod(ctx, r.ns.name, target, decl.name, params as Record<string, CimValue>);
  const o = {
    lookup: (c: string) => r.ns.get(c),
    namespace: r.ns.name,
    style: uriStyle(r.uri),
  };
  let s = `<p:${decl.name}_OUTPUT xmlns:p="${xmlAttr(r.uri)}"><p:ReturnValue>${result.returnValue}</p:ReturnValue>`;
  for (const p of decl.parameters) {
    const v = result.out[p.name];
    if (v !== undefined) s += propertyXml(p.name, p.type, v, o);
  }
  return { action: `${r.uri}/${decl.name}Response`, body: `${s}</p:${decl.name}_OUTPUT>` };
}
