import { CimError } from '../errors.js';
import { type Condition, parseQuery, type Query, queryLanguage } from '../query/parse.js';
import { compareOne } from '../query/run.js';
import type { CimClass, CimNamespace } from '../repository.js';
import { type CimInstance, type CimPropertyDecl, type CimValue, isInstance } from '../types.js';

/**
 * Indication filters (DSP1054 §7.2, DSP0202): the WQL / DMTF:CQL subset `SELECT * FROM IndicationClass
 * [WHERE cond]`, where cond compares the indication's properties, `SourceInstance.Prop` and
 * `PreviousInstance.Prop` (the embedded instances' properties), tests `SourceInstance ISA Class`, and joins these
 * with AND, OR, NOT and parentheses. A filter is checked once, when it is created: anything else is refused then,
 * with a message that says what, never at delivery time.
 */

/** The embedded-instance properties a filter can look into. */
const EMBEDDED = new Set(['sourceinstance', 'previousinstance']);

/** A filter ready to test indications. */
export interface CompiledFilter {
  query: Query;
  /** The FROM class: an indication class Vessel sends or one of their parents. */
  from: CimClass;
  matches(indication: CimInstance): boolean;
}

function unsupported(why: string): CimError {
  return new CimError('CIM_ERR_NOT_SUPPORTED', `The filter's query is not supported: ${why}`);
}

/**
 * Compiles a filter's Query and QueryLanguage against the namespace the indications come from. A language other
 * than WQL and DMTF:CQL is CIM_ERR_NOT_SUPPORTED, text that does not parse is CIM_ERR_INVALID_PARAMETER (with the
 * position), and a query that names a class that is not an indication class, a property the class (or the source
 * instance's class, Vessel_ComputerSystem) does not have, or a property list is CIM_ERR_NOT_SUPPORTED or
 * CIM_ERR_INVALID_PARAMETER, saying what.
 *
 * @example
 * const f = compileFilter("SELECT * FROM CIM_InstModification WHERE SourceInstance ISA CIM_ComputerSystem", 'WQL', ns, 'Vessel_ComputerSystem');
 * f.matches(indication);
 */
export function compileFilter(
  text: string,
  language: string,
  ns: CimNamespace,
  sourceClass: string,
): CompiledFilter {
  let lang: ReturnType<typeof queryLanguage>;
  try {
    lang = queryLanguage(language);
  } catch (e) {
    throw new CimError('CIM_ERR_NOT_SUPPORTED', (e as Error).message);
  }
  let query: Query;
  try {
    query = parseQuery(text, lang);
  } catch (e) {
    throw new CimError(
      'CIM_ERR_INVALID_PARAMETER',
      `The filter's query is not valid: ${(e as Error).message}`,
    );
  }
  const from = ns.get(query.from);
  if (!from)
    throw new CimError('CIM_ERR_INVALID_PARAMETER', `No class "${query.from.slice(0, 64)}" in ${ns.name}`);
  if (!ns.isA(from.name, 'CIM_Indication'))
    throw unsupported(
      `${from.name} is not an indication class (FROM names CIM_InstModification, CIM_InstCreation, ...)`,
    );
  if (query.select !== undefined) throw unsupported('select "*"; property lists are not supported');
  const source = ns.require(sourceClass);
  const where = query.where;
  if (where) check(where, ns, from, source);
  return {
    query,
    from,
    matches: (ind) =>
      ns.isA(ind.className, from.name) &&
      (where === undefined || evaluate(where, ns, from, source, ind, lang === 'WQL') === true),
  };
}

/** The declaration of a property of the indication (`Prop`) or of its embedded instance (`SourceInstance.Prop`). */
function resolve(
  written: string,
  from: CimClass,
  ns: CimNamespace,
  source: CimClass,
): { embedded?: string; decl: CimPropertyDecl } | undefined {
  const dot = written.indexOf('.');
  if (dot < 0 || written.slice(0, dot).toLowerCase() === from.name.toLowerCase()) {
    const name = dot < 0 ? written : written.slice(dot + 1);
    const decl = from.propertyIndex.get(name.toLowerCase()) ?? descendantDecl(ns, from, name);
    return decl ? { decl } : undefined;
  }
  const head = written.slice(0, dot).toLowerCase();
  if (!EMBEDDED.has(head)) return undefined;
  const decl = source.propertyIndex.get(written.slice(dot + 1).toLowerCase());
  return decl ? { embedded: head, decl } : undefined;
}

function descendantDecl(ns: CimNamespace, from: CimClass, name: string): CimPropertyDecl | undefined {
  for (const c of ns.descendants(from.name)) {
    const d = c.propertyIndex.get(name.toLowerCase());
    if (d) return d;
  }
  return undefined;
}

function check(c: Condition, ns: CimNamespace, from: CimClass, source: CimClass): void {
  switch (c.kind) {
    case 'and':
    case 'or':
      check(c.left, ns, from, source);
      check(c.right, ns, from, source);
      return;
    case 'not':
      check(c.operand, ns, from, source);
      return;
    case 'isa': {
      if (!ns.get(c.className))
        throw new CimError(
          'CIM_ERR_INVALID_PARAMETER',
          `No class "${c.className.slice(0, 64)}" in ${ns.name}`,
        );
      const of = (c.of ?? '').toLowerCase();
      if (of !== '' && !EMBEDDED.has(of) && of !== from.name.toLowerCase())
        throw unsupported(`ISA tests SourceInstance or PreviousInstance, not "${(c.of ?? '').slice(0, 64)}"`);
      return;
    }
    default: {
      const written = c.written ?? c.property;
      const r = resolve(written, from, ns, source);
      if (!r)
        throw new CimError(
          'CIM_ERR_INVALID_PARAMETER',
          `"${written.slice(0, 64)}" is not a property of ${from.name} nor SourceInstance.<property of ${source.name}>`,
        );
      if (r.embedded === undefined && EMBEDDED.has(r.decl.name.toLowerCase()) && c.kind === 'compare')
        throw unsupported(
          `${r.decl.name} is an embedded instance: compare its properties (${r.decl.name}.Name) or use ISA`,
        );
    }
  }
}

type Truth = boolean | undefined;

function propertyOf(inst: CimInstance, name: string): CimValue | undefined {
  const k = name.toLowerCase();
  for (const [n, v] of Object.entries(inst.properties)) if (n.toLowerCase() === k) return v;
  return undefined;
}

function evaluate(
  c: Condition,
  ns: CimNamespace,
  from: CimClass,
  source: CimClass,
  ind: CimInstance,
  wql: boolean,
): Truth {
  switch (c.kind) {
    case 'and': {
      const l = evaluate(c.left, ns, from, source, ind, wql);
      if (l === false) return false;
      const r = evaluate(c.right, ns, from, source, ind, wql);
      return r === false ? false : l === true && r === true ? true : undefined;
    }
    case 'or': {
      const l = evaluate(c.left, ns, from, source, ind, wql);
      if (l === true) return true;
      const r = evaluate(c.right, ns, from, source, ind, wql);
      return r === true ? true : l === false && r === false ? false : undefined;
    }
    case 'not': {
      const v = evaluate(c.operand, ns, from, source, ind, wql);
      return v === undefined ? undefined : !v;
    }
    case 'isa': {
      const of = (c.of ?? '').toLowerCase();
      if (!EMBEDDED.has(of)) return ns.isA(ind.className, c.className);
      const e = propertyOf(ind, of);
      return isInstance(e) ? ns.isA(e.className, c.className) : undefined;
    }
    default: {
      const r = resolve(c.written ?? c.property, from, ns, source)!;
      let holder: CimInstance = ind;
      if (r.embedded !== undefined) {
        const e = propertyOf(ind, r.embedded);
        if (!isInstance(e)) return c.kind === 'null' ? !c.negated : undefined;
        holder = e;
      }
      const v = propertyOf(holder, r.decl.name);
      if (c.kind === 'null') return (v === undefined) === !c.negated;
      if (v === undefined) return undefined;
      let out: Truth = false;
      for (const x of Array.isArray(v) ? v : [v]) {
        const t = compareOne(x, r.decl, c.op, c.literal, wql);
        if (t === true) return true;
        if (t === undefined) out = undefined;
      }
      return out;
    }
  }
}
