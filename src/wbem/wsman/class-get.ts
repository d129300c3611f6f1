import { VIRT_NAMESPACE } from '../../cim/index.js';
import { encodeClass } from '../cimxml/encode-class.js';
import type { WsmanDispatcher } from './dispatcher.js';
import type { WsmanRequest } from './envelope.js';
import { FAULT_DETAIL, WsmanFault } from './errors.js';
import { NAMESPACE_SELECTOR } from './resource.js';

function selector(req: WsmanRequest, name: string): string | undefined {
  for (const [k, v] of req.selectors)
    if (k.toLowerCase() === name.toLowerCase() && typeof v === 'string') return v;
  return undefined;
}

/**
 * A class declaration over WS-Man (MS-WSMV's CIM-XML class resource): Get of `CIMXML_CLASS_URI` with the
 * selectors `__cimnamespace` (default root/virtualization) and `ClassName` answers the class, with everything it
 * inherits and its qualifiers, as the CIM-XML `<CLASS>` element that GetClass would answer (DSP0201 §3.2.4.1).
 * Clients type method parameters and embedded instances with it, as CIM-XML clients do with GetClass.
 *
 * @example
 * const { body } = classGet(d, req); // '<CLASS NAME="Vessel_ComputerSystem" SUPERCLASS="CIM_ComputerSystem">...'
 */
export function classGet(d: WsmanDispatcher, req: WsmanRequest): { body: string } {
  const namespace = selector(req, NAMESPACE_SELECTOR) ?? VIRT_NAMESPACE;
  const name = selector(req, 'ClassName');
  if (name === undefined || name === '')
    throw new WsmanFault('WSMAN_INVALID_SELECTORS', 'A class Get needs the selector ClassName', {
      detail: FAULT_DETAIL.insufficientSelectors,
    });
  const ns = d.om.repo.findNamespace(namespace);
  const cls = ns?.get(name);
  if (!ns || !cls)
    throw new WsmanFault(
      'WSMAN_DESTINATION_UNREACHABLE',
      `No class "${name.slice(0, 64)}" in namespace "${namespace.slice(0, 100)}"`,
      { detail: FAULT_DETAIL.invalidResourceUri },
    );
  return { body: encodeClass(cls, { localOnly: false, includeQualifiers: true, includeClassOrigin: false }) };
}
