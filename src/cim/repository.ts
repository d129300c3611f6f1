import { CimError } from './errors.js';
import { parseMof } from './mof/parse.js';
import {
  type CimClassDecl,
  type CimMethodDecl,
  type CimPropertyDecl,
  type CimQualifier,
  hasQualifier,
} from './types.js';

/**
 * A class with everything it inherits (DSP0004 §5.1.2): inherited properties and methods are marked
 * `propagated`, each member knows its `classOrigin`, qualifiers with the ToSubclass flavor are carried down.
 */
export interface CimClass extends CimClassDecl {
  /** Superclass names, nearest first. */
  ancestors: string[];
  /** The key properties, in declaration order. */
  keys: CimPropertyDecl[];
  isAssociation: boolean;
  isAbstract: boolean;
  /** The declaration as written, for LocalOnly answers. */
  local: CimClassDecl;
  /** Property by lower-case name. */
  propertyIndex: Map<string, CimPropertyDecl>;
  /** Method by lower-case name. */
  methodIndex: Map<string, CimMethodDecl>;
}

/** The classes a namespace serves, with their inheritance. */
export class CimNamespace {
  private readonly classes = new Map<string, CimClass>();
  /** Classes by their own spelling: most lookups name a class as it is declared, and need no lower-casing. */
  private readonly exact = new Map<string, CimClass>();
  private readonly children = new Map<string, CimClass[]>();
  /** {@link descendants} by lower-case class name, until the next {@link add}. */
  private readonly below = new Map<string, readonly CimClass[]>();

  constructor(readonly name: string) {}

  /** Adds a resolved class (its superclass must already be here). */
  add(cls: CimClass): void {
    this.below.clear();
    const was = this.classes.get(cls.name.toLowerCase());
    if (was !== undefined) this.exact.delete(was.name);
    this.classes.set(cls.name.toLowerCase(), cls);
    this.exact.set(cls.name, cls);
    const parent = (cls.superClass ?? '').toLowerCase();
    const list = this.children.get(parent) ?? [];
    list.push(cls);
    this.children.set(parent, list);
  }

  /** A class by case-insensitive name. */
  get(name: string): CimClass | undefined {
    return this.exact.get(name) ?? this.classes.get(name.toLowerCase());
  }

  /** A class by name, or CIM_ERR_INVALID_CLASS. */
  require(name: string): CimClass {
    const c = this.get(name);
    if (!c)
      throw new CimError('CIM_ERR_INVALID_CLASS', `Class "${name}" does not exist in namespace ${this.name}`);
    return c;
  }

  /** Direct subclasses of a class ('' for the root classes). */
  subclasses(name: string): CimClass[] {
    return this.children.get(name.toLowerCase()) ?? [];
  }

  /**
   * The class itself and all its descendants, parents before children: one list per class, kept until a class is
   * added (every GetInstance and enumeration asks), so the same array comes back for the same class.
   */
  descendants(name: string): readonly CimClass[] {
    const self = this.get(name);
    if (!self) return [];
    const key = self.name.toLowerCase();
    const kept = this.below.get(key);
    if (kept) return kept;
    const out: CimClass[] = [self];
    for (let i = 0; i < out.length; i++) out.push(...this.subclasses(out[i]!.name));
    this.below.set(key, out);
    return out;
  }

  /** Every class, in the order added. */
  all(): CimClass[] {
    return [...this.classes.values()];
  }

  /** True when `name` is `ancestor` or a subclass of it. */
  isA(name: string, ancestor: string): boolean {
    const c = this.get(name);
    if (!c) return false;
    const a = ancestor.toLowerCase();
    return c.name.toLowerCase() === a || c.ancestors.some((x) => x.toLowerCase() === a);
  }
}

/**
 * The class repository: each namespace and the classes it serves, resolved from MOF class declarations.
 *
 * @example
 * const repo = ClassRepository.fromMof(mofText, { 'root/interop': ['CIM_RegisteredProfile'] });
 * repo.namespace('root/interop').require('CIM_RegisteredProfile').keys; // [InstanceID]
 */
export class ClassRepository {
  private readonly spaces = new Map<string, CimNamespace>();
  private readonly aliases = new Map<string, CimNamespace>();

  /** Resolves every class of the MOF texts and serves the named ones (with their ancestors) in each namespace. */
  static fromMof(mof: string | string[], namespaces: Record<string, string[]>): ClassRepository {
    const decls = new Map<string, CimClassDecl>();
    for (const text of Array.isArray(mof) ? mof : [mof]) {
      for (const c of parseMof(text).classes) decls.set(c.name.toLowerCase(), c);
    }
    return ClassRepository.fromDecls([...decls.values()], namespaces);
  }

  /** Same, from already parsed declarations. */
  static fromDecls(list: CimClassDecl[], namespaces: Record<string, string[]>): ClassRepository {
    const decls = new Map(list.map((c) => [c.name.toLowerCase(), c]));
    const resolved = new Map<string, CimClass>();
    const resolve = (name: string, seen: string[]): CimClass => {
      const key = name.toLowerCase();
      const done = resolved.get(key);
      if (done) return done;
      const d = decls.get(key);
      if (!d) throw new CimError('CIM_ERR_INVALID_SUPERCLASS', `Class "${name}" is not declared`);
      if (seen.includes(key))
        throw new CimError('CIM_ERR_INVALID_SUPERCLASS', `Class "${name}" inherits itself`);
      const sup = d.superClass ? resolve(d.superClass, [...seen, key]) : undefined;
      const c = resolveClass(d, sup);
      resolved.set(key, c);
      return c;
    };
    const repo = new ClassRepository();
    for (const [ns, names] of Object.entries(namespaces)) {
      const space = new CimNamespace(ns);
      const order: CimClass[] = [];
      const add = (c: CimClass): void => {
        if (order.includes(c)) return;
        if (c.superClass) add(resolve(c.superClass, []));
        order.push(c);
      };
      for (const n of names) add(resolve(n, []));
      for (const c of order) space.add(c);
      repo.spaces.set(ns.toLowerCase(), space);
    }
    return repo;
  }

  /**
   * Makes `alias` another name of the namespace `target` (`interop` for `root/interop`): requests through it reach
   * the same namespace, and answers name the namespace by its own name. `namespaces()` lists no alias.
   */
  alias(alias: string, target: string): void {
    this.aliases.set(alias.toLowerCase(), this.namespace(target));
  }

  /** A namespace by case-insensitive name (or alias), or CIM_ERR_INVALID_NAMESPACE. */
  namespace(name: string): CimNamespace {
    const ns = this.findNamespace(name);
    if (!ns) throw new CimError('CIM_ERR_INVALID_NAMESPACE', `Namespace "${name}" does not exist`);
    return ns;
  }

  /** A namespace (or alias) or undefined. */
  findNamespace(name: string): CimNamespace | undefined {
    // Namespaces are kept by lower-case name, as most requests spell them: those need no lower-casing.
    const exact = this.spaces.get(name);
    if (exact !== undefined) return exact;
    const key = name.toLowerCase();
    return this.spaces.get(key) ?? this.aliases.get(key);
  }

  /** The namespace names. */
  namespaces(): string[] {
    return [...this.spaces.values()].map((s) => s.name);
  }
}

/** Keys in the order they became keys: the superclass's first, then those this class adds. */
function orderKeys(
  sup: CimClass | undefined,
  d: CimClassDecl,
  properties: CimPropertyDecl[],
): CimPropertyDecl[] {
  const byName = new Map(properties.map((p) => [p.name.toLowerCase(), p]));
  const out = (sup?.keys ?? []).map((k) => byName.get(k.name.toLowerCase())!);
  for (const lp of d.properties) {
    const p = byName.get(lp.name.toLowerCase())!;
    if (hasQualifier(p.qualifiers, 'Key') && !out.includes(p)) out.push(p);
  }
  return out;
}

function inheritQualifiers(inherited: CimQualifier[], local: CimQualifier[]): CimQualifier[] {
  const out = local.slice();
  for (const q of inherited) {
    if (q.toSubclass === false) continue;
    if (!out.some((l) => l.name.toLowerCase() === q.name.toLowerCase())) out.push(q);
  }
  return out;
}

/** Builds the resolved form of one class from its declaration and its resolved superclass. */
export function resolveClass(d: CimClassDecl, sup: CimClass | undefined): CimClass {
  const properties: CimPropertyDecl[] = (sup?.properties ?? []).map((p) => ({ ...p, propagated: true }));
  for (const lp of d.properties) {
    const i = properties.findIndex((p) => p.name.toLowerCase() === lp.name.toLowerCase());
    const base = i >= 0 ? properties[i] : undefined;
    const merged: CimPropertyDecl = {
      ...lp,
      qualifiers: inheritQualifiers(base?.qualifiers ?? [], lp.qualifiers),
      classOrigin: d.name,
      propagated: false,
    };
    if (i >= 0) properties[i] = merged;
    else properties.push(merged);
  }
  const methods: CimMethodDecl[] = (sup?.methods ?? []).map((m) => ({ ...m, propagated: true }));
  for (const lm of d.methods) {
    const i = methods.findIndex((m) => m.name.toLowerCase() === lm.name.toLowerCase());
    const base = i >= 0 ? methods[i] : undefined;
    const merged: CimMethodDecl = {
      ...lm,
      qualifiers: inheritQualifiers(base?.qualifiers ?? [], lm.qualifiers),
      classOrigin: d.name,
      propagated: false,
    };
    if (i >= 0) methods[i] = merged;
    else methods.push(merged);
  }
  const qualifiers = inheritQualifiers(sup?.qualifiers ?? [], d.qualifiers);
  return {
    name: d.name,
    superClass: d.superClass,
    qualifiers,
    properties,
    methods,
    ancestors: sup ? [sup.name, ...sup.ancestors] : [],
    keys: orderKeys(sup, d, properties),
    isAssociation: hasQualifier(qualifiers, 'Association'),
    isAbstract: hasQualifier(d.qualifiers, 'Abstract'),
    local: d,
    propertyIndex: new Map(properties.map((p) => [p.name.toLowerCase(), p])),
    methodIndex: new Map(methods.map((m) => [m.name.toLowerCase(), m])),
  };
}
