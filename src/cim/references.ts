import { CimError } from './errors.js';
import type { CimNamespace } from './repository.js';
import type { CimInstanceName } from './types.js';

/**
 * The one check of a reference a client passes to a method (DSP0200 §5.3.2: a reference parameter is an instance
 * name of the declared class or a subclass): its class exists and is the declared class or a subclass of it (or a
 * superclass, as a polymorphic path may name one), it carries exactly the key properties that class declares, and
 * each CreationClassName-style key names that class or one of its subclasses. Whether an instance with those keys
 * exists is the object manager's `getInstance` (every key compared); whether it is the kind of instance the method
 * wants is the provider's (e.g. a virtual system, not the host: {@link requireClass}).
 *
 * @example
 * checkReferenceShape(ns, { className: 'Vessel_HostSystem', keys: { Name: 'web1' } }, 'CIM_ComputerSystem', 'AffectedSystem');
 * // throws CIM_ERR_INVALID_PARAMETER: the CreationClassName key is missing
 */
export function checkReferenceShape(
  ns: CimNamespace,
  ref: CimInstanceName,
  declaredClass: string | undefined,
  what: string,
): void {
  const cls = ns.get(ref.className);
  if (cls === undefined) throw invalid(what, ref, `class ${ref.className} does not exist in ${ns.name}`);
  if (
    declaredClass !== undefined &&
    ns.get(declaredClass) !== undefined &&
    !ns.isA(cls.name, declaredClass) &&
    !ns.isA(declaredClass, cls.name)
  )
    throw invalid(what, ref, `a ${cls.name} is not a ${declaredClass}`);
  const wanted = new Map(cls.keys.map((k) => [k.name.toLowerCase(), k.name]));
  const given = Object.keys(ref.keys).map((k) => k.toLowerCase());
  const missing = [...wanted.keys()].filter((k) => !given.includes(k)).map((k) => wanted.get(k)!);
  const extra = Object.keys(ref.keys).filter((k) => !wanted.has(k.toLowerCase()));
  if (missing.length > 0 || extra.length > 0 || given.length !== new Set(given).size)
    throw invalid(
      what,
      ref,
      `the keys of ${cls.name} are ${cls.keys.map((k) => k.name).join(', ')}` +
        (missing.length > 0 ? `; ${missing.join(', ')} missing` : '') +
        (extra.length > 0 ? `; ${extra.join(', ')} not keys` : ''),
    );
  for (const [k, v] of Object.entries(ref.keys)) {
    if (!/creationclassname$/i.test(k)) continue;
    if (typeof v !== 'string' || ns.get(v) === undefined)
      throw invalid(what, ref, `${k} must name a class of ${ns.name}, not ${JSON.stringify(v)}`);
    if (k.toLowerCase() === 'creationclassname' && !ns.isA(v, cls.name))
      throw invalid(what, ref, `CreationClassName ${v} is not a ${cls.name}`);
  }
}

/**
 * The provider's half of the check: the (resolved) reference names an instance of one of `classes`, e.g. a virtual
 * system rather than the host system, which is a CIM_ComputerSystem too.
 *
 * @example
 * requireClass(target, ['Vessel_ComputerSystem'], 'AffectedSystem', 'a virtual system');
 */
export function requireClass(
  ref: CimInstanceName,
  classes: readonly string[],
  what: string,
  kind: string,
): void {
  if (!classes.some((c) => c.toLowerCase() === ref.className.toLowerCase()))
    throw invalid(what, ref, `it is a ${ref.className}, not ${kind}`);
}

function invalid(what: string, ref: CimInstanceName, why: string): CimError {
  const keys = Object.entries(ref.keys)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : v.className}`)
    .join(',');
  return new CimError('CIM_ERR_INVALID_PARAMETER', `${what} (${ref.className}.${keys}) is refused: ${why}`);
}
