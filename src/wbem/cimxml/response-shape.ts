import type { CimXmlResponse, ReturnItem } from './decode-response.js';
import { CimXmlError } from './errors.js';

type Kind = ReturnItem['kind'];

const SHAPES: Record<string, { kinds: Kind[]; count?: 'one' | 'none'; withPath?: boolean; pull?: boolean }> =
  {
    GetClass: { kinds: ['class'], count: 'one' },
    GetInstance: { kinds: ['instance'], count: 'one', withPath: false },
    EnumerateClasses: { kinds: ['class'] },
    EnumerateClassNames: { kinds: ['classname'] },
    EnumerateInstances: { kinds: ['instance'], withPath: true },
    EnumerateInstanceNames: { kinds: ['path'] },
    Associators: { kinds: ['instance', 'class'], withPath: true },
    References: { kinds: ['instance', 'class'], withPath: true },
    AssociatorNames: { kinds: ['path', 'classname'] },
    ReferenceNames: { kinds: ['path', 'classname'] },
    CreateInstance: { kinds: ['path'], count: 'one' },
    ModifyInstance: { kinds: [], count: 'none' },
    DeleteInstance: { kinds: [], count: 'none' },
    OpenEnumerateInstances: { kinds: ['instance'], withPath: true, pull: true },
    OpenAssociatorInstances: { kinds: ['instance'], withPath: true, pull: true },
    OpenReferenceInstances: { kinds: ['instance'], withPath: true, pull: true },
    PullInstancesWithPath: { kinds: ['instance'], withPath: true, pull: true },
    PullInstances: { kinds: ['instance'], pull: true },
    OpenEnumerateInstancePaths: { kinds: ['path'], pull: true },
    OpenAssociatorInstancePaths: { kinds: ['path'], pull: true },
    OpenReferenceInstancePaths: { kinds: ['path'], pull: true },
    PullInstancePaths: { kinds: ['path'], pull: true },
    CloseEnumeration: { kinds: [], count: 'none' },
    GetQualifier: { kinds: ['other'], count: 'one' },
  };

function bad(method: string, why: string): CimXmlError {
  return new CimXmlError(
    'CIMXML_RESPONSE_INVALID',
    `The CIM server's answer to ${method} is not valid: ${why}`,
  );
}

/**
 * Checks that a decoded response has the shape its operation defines (DSP0200 §5.3): GetInstance returns one
 * INSTANCE, enumerations return what they enumerate, pull operations carry EndOfSequence and, unless it is TRUE,
 * an EnumerationContext, an extrinsic method answers for the method called with a RETURNVALUE that has a value (or
 * none, as DSP0201 allows). `classLevel: false` refuses classes from an association operation on an instance.
 * Returns the response, or throws `CIMXML_RESPONSE_INVALID`.
 */
export function expectShape(
  method: string,
  r: CimXmlResponse,
  o: { extrinsic?: string | undefined; classLevel?: boolean } = {},
): CimXmlResponse {
  if (method === 'InvokeMethod') {
    if (r.intrinsic) throw bad(method, 'an intrinsic response came back');
    if (o.extrinsic !== undefined && r.method !== o.extrinsic)
      throw bad(method, `the response is for ${r.method}`);
    if (r.returnValue === '') throw bad(method, 'RETURNVALUE has no value');
    return r;
  }
  if (!r.intrinsic || r.method !== method) throw bad(method, `the response is for ${r.method}`);
  const shape = SHAPES[method];
  if (!shape) return r;
  for (const i of r.items) {
    const assoc = method === 'Associators' || method === 'References';
    if (!shape.kinds.includes(i.kind) || (assoc && i.kind === 'class' && o.classLevel === false))
      throw bad(method, `it returned a ${i.kind}`);
    if (
      i.kind === 'instance' &&
      shape.withPath !== undefined &&
      (i.instance.path !== undefined) !== shape.withPath
    )
      throw bad(method, shape.withPath ? 'an instance has no path' : 'an instance came with a path');
  }
  if (shape.count === 'one' && r.items.length !== 1)
    throw bad(method, `it returned ${r.items.length} objects, not one`);
  if (shape.count === 'none' && r.hasIReturnValue) throw bad(method, 'it has an IRETURNVALUE');
  if (shape.pull) {
    const eos = r.params.EndOfSequence;
    if (typeof eos !== 'string' || !/^(true|false)$/i.test(eos))
      throw bad(method, 'EndOfSequence is missing or not a boolean');
    const ctx = r.params.EnumerationContext;
    if (!/^true$/i.test(eos) && (typeof ctx !== 'string' || ctx === ''))
      throw bad(method, 'EnumerationContext is missing');
  }
  return r;
}
