import { CimError } from '../errors.js';
import type { ObjectManager } from '../object-manager.js';
import type { CimContext } from '../provider.js';
import type { CimClass, CimNamespace } from '../repository.js';
import type { CimInstance, CimPropertyDecl, CimScalar } from '../types.js';
import { execAssociatorsQuery, isAssociatorsQuery } from './associators.js';
import { type Condition, type Literal, parseQuery, type Query, queryLanguage } from './parse.js';

/** What ExecQuery answers: the matching instances with their paths, and the properties to show of them. */
export interface QueryResult {
  instances: CimInstance[];
  /** Lower-case names of the selected properties; undefined for `SELECT *`. */
  properties: Set<string> | undefined;
}

/** Three-valued logic (DSP0202 §5.3): a comparison with NULL is unknown, and NOT unknown is unknown. */
type Truth = boolean | undefined;

const NUMERIC = /^(u?int|sint|real)/;

/** The declaration of a property in the FROM class or any subclass, or CIM_ERR_INVALID_QUERY. */
function declOf(ns: CimNamespace, from: CimClass, name: string): CimPropertyDecl {
  const k = name.toLowerCase();
  const own = from.propertyIndex.get(k);
  if (own) return own;
  for (const c of ns.descendants(from.name)) {
    const d = c.propertyIndex.get(k);
    if (d) return d;
  }
  throw new CimError('CIM_ERR_INVALID_QUERY', `${from.name} has no property "${name.slice(0, 64)}"`);
}

/** The declarations of the properties a condition names, by lower-case name. */
type Decls = Map<string, CimPropertyDecl>;

/** Checks every name the query uses against the classes, before any instance is read. */
function check(ns: CimNamespace, from: CimClass, c: Condition | undefined, decls: Decls): void {
  if (c === undefined) return;
  switch (c.kind) {
    case 'and':
    case 'or':
      check(ns, from, c.left, decls);
      check(ns, from, c.right, decls);
      return;
    case 'not':
      check(ns, from, c.operand, decls);
      return;
    case 'isa':
      if (!ns.get(c.className))
        throw new CimError('CIM_ERR_INVALID_QUERY', `No class "${c.className.slice(0, 64)}" in ${ns.name}`);
      return;
    default:
      decls.set(c.property.toLowerCase(), declOf(ns, from, c.property));
  }
}

/** A number's text as an exact comparable: a bigint when whole, else a float. */
function numberOf(text: string): bigint | number | undefined {
  const t = text.trim();
  if (/^[+-]?\d{1,40}$/.test(t)) return BigInt(t);
  const n = Number(t);
  return t === '' || !Number.isFinite(n) ? undefined : n;
}

function order(a: bigint | number | string, b: bigint | number | string): number {
  if (typeof a === 'string' || typeof b === 'string') {
    const x = String(a);
    const y = String(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * One scalar value against a literal, typed by the property's declaration (numbers exactly, booleans, strings
 * without case in WQL); undefined when they cannot be compared (DSP0202 §5.3's unknown).
 *
 * @example
 * compareOne('2', decl, '=', { kind: 'number', text: '2' }, true); // true
 */
export function compareOne(
  v: CimScalar,
  decl: CimPropertyDecl,
  op: string,
  lit: Literal,
  wql: boolean,
): Truth {
  if (typeof v !== 'string') return undefined; // references and embedded objects are not compared
  let a: bigint | number | string;
  let b: bigint | number | string;
  if (decl.type === 'boolean' || lit.kind === 'boolean') {
    if (decl.type !== 'boolean' || lit.kind !== 'boolean') return undefined;
    a = v.trim().toLowerCase() === 'true' ? 1 : 0;
    b = lit.value ? 1 : 0;
  } else if (NUMERIC.test(decl.type)) {
    const x = numberOf(v);
    const y = numberOf(lit.kind === 'string' ? lit.value : lit.text);
    if (x === undefined || y === undefined) return undefined;
    [a, b] = typeof x === typeof y ? [x, y] : [Number(x), Number(y)];
  } else {
    a = v;
    b = lit.kind === 'string' ? lit.value : lit.text;
    // WQL compares strings without case (as WMI does); CQL with it (DSP0202).
    if (wql) [a, b] = [a.toLowerCase(), b.toLowerCase()];
  }
  const o = order(a, b);
  switch (op) {
    case '=':
      return o === 0;
    case '<>':
      return o !== 0;
    case '<':
      return o < 0;
    case '>':
      return o > 0;
    case '<=':
      return o <= 0;
    default:
      return o >= 0;
  }
}

function evaluate(q: Query, ns: CimNamespace, decls: Decls, inst: CimInstance, c: Condition): Truth {
  switch (c.kind) {
    case 'and': {
      const l = evaluate(q, ns, decls, inst, c.left);
      if (l === false) return false;
      const r = evaluate(q, ns, decls, inst, c.right);
      return r === false ? false : l === true && r === true ? true : undefined;
    }
    case 'or': {
      const l = evaluate(q, ns, decls, inst, c.left);
      if (l === true) return true;
      const r = evaluate(q, ns, decls, inst, c.right);
      return r === true ? true : l === false && r === false ? false : undefined;
    }
    case 'not': {
      const v = evaluate(q, ns, decls, inst, c.operand);
      return v === undefined ? undefined : !v;
    }
    case 'isa':
      return ns.isA(inst.className, c.className);
    case 'null': {
      const v = propertyValue(inst, c.property);
      return (v === undefined) === !c.negated;
    }
    default: {
      const v = propertyValue(inst, c.property);
      if (v === undefined) return undefined;
      const decl = decls.get(c.property.toLowerCase())!;
      const values = Array.isArray(v) ? v : [v];
      // An array matches when any element does (WQL has no arrays; CQL's ANY).
      let out: Truth = false;
      for (const x of values) {
        const t = compareOne(x, decl, c.op, c.literal, q.language === 'WQL');
        if (t === true) return true;
        if (t === undefined) out = undefined;
      }
      return out;
    }
  }
}

/** A property's value by case-insensitive name. */
function propertyValue(inst: CimInstance, name: string): CimInstance['properties'][string] {
  const direct = inst.properties[name];
  if (direct !== undefined) return direct;
  const k = name.toLowerCase();
  for (const [n, v] of Object.entries(inst.properties)) if (n.toLowerCase() === k) return v;
  return undefined;
}

/**
 * ExecQuery (DSP0200 §5.3.2.11): the instances of the FROM class and its subclasses that WHERE holds for
 * (unknown counts as false), read through the caller's providers as EnumerateInstances reads them, so the
 * caller's role and the host's limits apply the same way. CIM_ERR_QUERY_LANGUAGE_NOT_SUPPORTED for other
 * languages; CIM_ERR_INVALID_QUERY for bad syntax (with the position), unknown classes and properties.
 *
 * @example
 * const r = await execQuery(om, ctx, 'root/virtualization', 'WQL', "SELECT Name FROM CIM_ComputerSystem WHERE EnabledState = 2");
 */
export async function execQuery(
  om: ObjectManager,
  ctx: CimContext,
  namespace: string,
  language: string | undefined,
  text: string | undefined,
): Promise<QueryResult> {
  const lang = queryLanguage(language);
  // WQL's ASSOCIATORS OF is Associators in query form (WMI; what WS-Man clients of Hyper-V send).
  if (lang === 'WQL' && isAssociatorsQuery(text ?? ''))
    return { instances: await execAssociatorsQuery(om, ctx, namespace, text ?? ''), properties: undefined };
  const q = parseQuery(text ?? '', lang);
  const ns = om.repo.namespace(namespace);
  const from = ns.get(q.from);
  if (!from) throw new CimError('CIM_ERR_INVALID_QUERY', `No class "${q.from.slice(0, 64)}" in ${ns.name}`);
  for (const p of q.select ?? []) declOf(ns, from, p);
  const decls: Decls = new Map();
  check(ns, from, q.where, decls);
  const all = await om.enumerateInstances(ctx, ns.name, from.name);
  const where = q.where;
  const instances = where === undefined ? all : all.filter((i) => evaluate(q, ns, decls, i, where) === true);
  return { instances, properties: q.select && new Set(q.select.map((p) => p.toLowerCase())) };
}
