import { CimError } from './errors.js';
import { samePath } from './paths.js';
import type { CimContext, InstanceProvider, MethodResult } from './provider.js';
import { checkReferenceShape } from './references.js';
import type { CimClass, CimNamespace, ClassRepository } from './repository.js';
import type { CimInstance, CimInstanceName, CimMethodDecl, CimParameterDecl, CimValue } from './types.js';
import { isInstanceName } from './types.js';

/** Filters of Associators/AssociatorNames (DSP0200 §5.3.2.14); References use `assocClass` as ResultClass. */
export interface AssociationFilter {
  assocClass?: string | undefined;
  resultClass?: string | undefined;
  role?: string | undefined;
  resultRole?: string | undefined;
}

/**
 * The CIM object manager: finds the providers of a class and its subclasses (polymorphism), fills in instance
 * paths, walks associations across namespaces, and dispatches methods. Protocol-neutral: the CIM-XML and WS-Man
 * edges call it and encode what it returns. It checks no roles: the providers act through the Api session of the
 * caller, whose role check (METHODS) is the one every transport shares.
 */
export class ObjectManager {
  private readonly providers = new Map<string, Map<string, InstanceProvider[]>>();
  /** {@link providersOf} by namespace and class, with the descendants list it was made from; cleared by register. */
  private readonly found = new Map<CimNamespace, Map<CimClass, ProvidersOf>>();

  constructor(readonly repo: ClassRepository) {}

  /** Adds a provider of one class in one namespace (several providers of a class are concatenated). */
  register(namespace: string, provider: InstanceProvider): void {
    const ns = this.repo.namespace(namespace);
    ns.require(provider.className);
    const key = ns.name.toLowerCase();
    const byClass = this.providers.get(key) ?? new Map<string, InstanceProvider[]>();
    const list = byClass.get(provider.className.toLowerCase()) ?? [];
    list.push(provider);
    byClass.set(provider.className.toLowerCase(), list);
    this.providers.set(key, byClass);
    this.found.clear();
  }

  /**
   * The providers of a class and its subclasses, each with its class: the same (read-only) list until a provider
   * is registered or the namespace gains a class, since every operation looks it up.
   */
  private providersOf(ns: CimNamespace, cls: CimClass): ReadonlyArray<readonly [CimClass, InstanceProvider]> {
    const classes = ns.descendants(cls.name);
    let byNs = this.found.get(ns);
    const kept = byNs?.get(cls);
    if (kept?.classes === classes) return kept.list;
    const byClass = this.providers.get(ns.name.toLowerCase());
    const list: Array<readonly [CimClass, InstanceProvider]> = [];
    if (byClass)
      for (const c of classes) for (const p of byClass.get(c.name.toLowerCase()) ?? []) list.push([c, p]);
    if (byNs === undefined) {
      byNs = new Map();
      this.found.set(ns, byNs);
    }
    byNs.set(cls, { classes, list });
    return list;
  }

  /** Every instance of a class and its subclasses, with paths. */
  async enumerateInstances(ctx: CimContext, namespace: string, className: string): Promise<CimInstance[]> {
    const ns = this.repo.namespace(namespace);
    const cls = ns.require(className);
    const out: CimInstance[] = [];
    for (const [c, p] of this.providersOf(ns, cls)) {
      for (const inst of await p.enumerate(ctx)) out.push(this.withPath(ns, c, inst));
    }
    return out;
  }

  /** The paths of every instance of a class and its subclasses. */
  async enumerateInstanceNames(
    ctx: CimContext,
    namespace: string,
    className: string,
  ): Promise<CimInstanceName[]> {
    return (await this.enumerateInstances(ctx, namespace, className)).map((i) => i.path!);
  }

  /** One instance, found through the class named or any subclass; CIM_ERR_NOT_FOUND when there is none. */
  async getInstance(ctx: CimContext, namespace: string, name: CimInstanceName): Promise<CimInstance> {
    const ns = this.repo.namespace(name.namespace ?? namespace);
    const cls = ns.require(name.className);
    const keys = canonicalKeys(cls, name);
    const ccn = keys.CreationClassName;
    const lowerCcn = typeof ccn === 'string' ? ccn.toLowerCase() : undefined;
    for (const [c, p] of this.providersOf(ns, cls)) {
      if (typeof ccn === 'string' && c.name !== ccn && c.name.toLowerCase() !== lowerCcn) continue;
      const wanted: CimInstanceName = { className: c.name, keys, namespace: ns.name };
      if (p.get) {
        const found = await p.get(ctx, wanted);
        if (found) {
          const inst = this.withPath(ns, c, found);
          if (sameTextKeys(inst.path!, wanted) || samePath(inst.path!, wanted)) return inst;
        }
        continue;
      }
      for (const i of await p.enumerate(ctx)) {
        const inst = this.withPath(ns, c, i);
        if (samePath(inst.path!, wanted)) return inst;
      }
    }
    throw new CimError('CIM_ERR_NOT_FOUND', `No instance ${describePath(name)} in namespace ${ns.name}`);
  }

  /**
   * The association instances that refer to an object (References), filtered by association class and role.
   * The object must exist (CIM_ERR_NOT_FOUND otherwise).
   */
  async references(
    ctx: CimContext,
    namespace: string,
    objectName: CimInstanceName,
    filter: { resultClass?: string | undefined; role?: string | undefined },
  ): Promise<CimInstance[]> {
    const found = await this.walk(ctx, namespace, objectName, {
      assocClass: filter.resultClass,
      role: filter.role,
    });
    return found.map((f) => f.assoc);
  }

  /** The paths of the objects associated with an object (AssociatorNames). */
  async associatorNames(
    ctx: CimContext,
    namespace: string,
    objectName: CimInstanceName,
    filter: AssociationFilter,
  ): Promise<CimInstanceName[]> {
    const found = await this.walk(ctx, namespace, objectName, filter);
    const out: CimInstanceName[] = [];
    for (const f of found) if (!out.some((o) => samePath(o, f.other))) out.push(f.other);
    return out;
  }

  /** The objects associated with an object (Associators); ends that no longer exist are skipped. */
  async associators(
    ctx: CimContext,
    namespace: string,
    objectName: CimInstanceName,
    filter: AssociationFilter,
  ): Promise<CimInstance[]> {
    const out: CimInstance[] = [];
    for (const p of await this.associatorNames(ctx, namespace, objectName, filter)) {
      try {
        out.push(await this.getInstance(ctx, p.namespace ?? namespace, p));
      } catch (e) {
        if (!(e instanceof CimError && e.code === 'CIM_ERR_NOT_FOUND')) throw e;
      }
    }
    return out;
  }

  private async walk(
    ctx: CimContext,
    namespace: string,
    objectName: CimInstanceName,
    filter: AssociationFilter,
  ): Promise<Array<{ assoc: CimInstance; other: CimInstanceName }>> {
    const ns = this.repo.namespace(namespace);
    const source = await this.getInstance(ctx, ns.name, objectName);
    const target = source.path!;
    const assocBase = filter.assocClass ? ns.get(filter.assocClass) : undefined;
    if (filter.assocClass && !assocBase)
      throw new CimError(
        'CIM_ERR_INVALID_PARAMETER',
        `Association class "${filter.assocClass}" does not exist`,
      );
    if (assocBase && !assocBase.isAssociation) return [];
    if (filter.resultClass && !ns.get(filter.resultClass) && !this.anyNamespaceHas(filter.resultClass))
      throw new CimError('CIM_ERR_INVALID_PARAMETER', `Result class "${filter.resultClass}" does not exist`);
    const out: Array<{ assoc: CimInstance; other: CimInstanceName }> = [];
    const byClass = this.providers.get(ns.name.toLowerCase()) ?? new Map<string, InstanceProvider[]>();
    for (const [lname, list] of byClass) {
      const c = ns.get(lname)!;
      if (!c.isAssociation || (assocBase && !ns.isA(c.name, assocBase.name))) continue;
      const refProps = c.properties.filter((p) => p.type === 'reference').map((p) => p.name);
      for (const p of list) {
        const candidates = p.referencing ? await p.referencing(ctx, target) : await p.enumerate(ctx);
        for (const raw of candidates) {
          const assoc = this.withPath(ns, c, raw);
          for (const r of refProps) {
            const v = assoc.properties[r];
            if (!isInstanceName(v) || !samePath(v, target, this.repo, ns.name)) continue;
            if (filter.role && filter.role.toLowerCase() !== r.toLowerCase()) continue;
            for (const rr of refProps) {
              if (rr === r) continue;
              if (filter.resultRole && filter.resultRole.toLowerCase() !== rr.toLowerCase()) continue;
              const other = assoc.properties[rr];
              if (!isInstanceName(other)) continue;
              const full: CimInstanceName = { ...other, namespace: other.namespace ?? ns.name };
              if (filter.resultClass) {
                const ons = this.repo.findNamespace(full.namespace!);
                if (!ons?.isA(full.className, filter.resultClass)) continue;
              }
              out.push({ assoc, other: full });
            }
          }
        }
      }
    }
    return out;
  }

  private anyNamespaceHas(className: string): boolean {
    return this.repo.namespaces().some((n) => this.repo.namespace(n).get(className) !== undefined);
  }

  /** The declaration of a method of a class, or CIM_ERR_METHOD_NOT_FOUND. */
  method(namespace: string, className: string, method: string): CimMethodDecl {
    const cls = this.repo.namespace(namespace).require(className);
    const m = cls.methodIndex.get(method.toLowerCase());
    if (!m) throw new CimError('CIM_ERR_METHOD_NOT_FOUND', `Class ${cls.name} has no method ${method}`);
    return m;
  }

  /**
   * Calls an extrinsic method: checks the method and its parameters against the class and that the target exists,
   * then hands it to the provider of the target's class. Parameters are keyed by their declared names.
   */
  async invokeMethod(
    ctx: CimContext,
    namespace: string,
    target: CimInstanceName,
    method: string,
    params: Record<string, CimValue | undefined>,
  ): Promise<MethodResult & { decl: CimMethodDecl }> {
    const ns = this.repo.namespace(target.namespace ?? namespace);
    const cls = ns.require(target.className);
    const decl = this.method(ns.name, cls.name, method);
    const typed: Record<string, CimValue | undefined> = {};
    for (const [k, v] of Object.entries(params)) {
      const p = decl.parameters.find((x) => x.name.toLowerCase() === k.toLowerCase());
      if (!p) throw new CimError('CIM_ERR_INVALID_PARAMETER', `Method ${decl.name} has no parameter ${k}`);
      typed[p.name] = p.type === 'reference' ? await this.resolveReferences(ctx, ns, p, v) : v;
    }
    let concrete = cls;
    let path = target;
    if (Object.keys(target.keys).length > 0) {
      // A target path with missing, extra or wrong keys is a bad request, not an absent instance (DSP0200 §2.5).
      checkReferenceShape(ns, target, undefined, `The target of ${decl.name}`);
      const inst = await this.getInstance(ctx, ns.name, target);
      path = inst.path!;
      concrete = ns.require(path.className);
    }
    const provider = this.providersOf(ns, concrete).find(([c, p]) => c === concrete && p.invoke)?.[1];
    if (!provider?.invoke)
      throw new CimError('CIM_ERR_METHOD_NOT_AVAILABLE', `${concrete.name}.${decl.name} is not available`);
    const r = await provider.invoke(ctx, path, decl.name, typed);
    return { ...r, decl };
  }

  /**
   * A reference parameter's value with each reference checked ({@link checkReferenceShape}: class, key set,
   * CreationClassName) and resolved to the instance it names (every key compared; CIM_ERR_NOT_FOUND when there is
   * none), as that instance's own path: providers see only references to instances that exist, in their concrete
   * class.
   */
  private async resolveReferences(
    ctx: CimContext,
    ns: CimNamespace,
    decl: CimParameterDecl,
    value: CimValue | undefined,
  ): Promise<CimValue | undefined> {
    if (value === undefined) return undefined;
    const list = Array.isArray(value) ? value : [value];
    const out: CimInstanceName[] = [];
    for (const r of list) {
      if (!isInstanceName(r))
        throw new CimError('CIM_ERR_INVALID_PARAMETER', `${decl.name} must hold references`);
      const rns = this.repo.findNamespace(r.namespace ?? ns.name);
      if (rns === undefined)
        throw new CimError(
          'CIM_ERR_INVALID_PARAMETER',
          `${decl.name} names namespace "${r.namespace}", which does not exist`,
        );
      checkReferenceShape(rns, r, decl.referenceClass, decl.name);
      out.push((await this.getInstance(ctx, rns.name, r)).path!);
    }
    return Array.isArray(value) ? out : out[0];
  }

  /** ModifyInstance: only where the provider of the instance's class allows it. */
  async modifyInstance(
    ctx: CimContext,
    namespace: string,
    instance: CimInstance,
    propertyList: string[] | undefined,
  ): Promise<void> {
    if (!instance.path)
      throw new CimError('CIM_ERR_INVALID_PARAMETER', 'ModifiedInstance has no instance name');
    const ns = this.repo.namespace(instance.path.namespace ?? namespace);
    const existing = await this.getInstance(ctx, ns.name, instance.path);
    const cls = ns.require(existing.path!.className);
    const provider = this.providersOf(ns, cls).find(([c, p]) => c === cls && p.modify)?.[1];
    if (!provider?.modify)
      throw new CimError(
        'CIM_ERR_NOT_SUPPORTED',
        `Instances of ${cls.name} cannot be modified with ModifyInstance`,
      );
    await provider.modify(ctx, { ...instance, path: existing.path }, propertyList);
  }

  /**
   * CreateInstance (DSP0200 §5.3.2.7): only where the provider of exactly the class named allows it (DSP1054's
   * filters, destinations and subscriptions). Property names are checked against the class and spelled as it
   * declares them; the provider answers the new instance's name.
   */
  async createInstance(ctx: CimContext, namespace: string, instance: CimInstance): Promise<CimInstanceName> {
    const ns = this.repo.namespace(instance.path?.namespace ?? namespace);
    const cls = ns.get(instance.className);
    if (!cls)
      throw new CimError(
        'CIM_ERR_INVALID_CLASS',
        `No class "${instance.className.slice(0, 64)}" in namespace ${ns.name}`,
      );
    const provider = this.providersOf(ns, cls).find(([c, p]) => c === cls && p.create)?.[1];
    if (!provider?.create)
      throw new CimError('CIM_ERR_NOT_SUPPORTED', `Instances of ${cls.name} cannot be created`);
    const properties: Record<string, CimValue | undefined> = {};
    for (const [k, v] of Object.entries(instance.properties)) {
      const decl = cls.propertyIndex.get(k.toLowerCase());
      if (!decl)
        throw new CimError(
          'CIM_ERR_INVALID_PARAMETER',
          `Class ${cls.name} has no property ${k.slice(0, 64)}`,
        );
      properties[decl.name] = v;
    }
    const name = await provider.create(ctx, { className: cls.name, properties });
    return { ...name, namespace: ns.name };
  }

  /** DeleteInstance: only where the provider of the instance's class allows it (DSP1103: a finished job). */
  async deleteInstance(ctx: CimContext, namespace: string, name: CimInstanceName): Promise<void> {
    const ns = this.repo.namespace(name.namespace ?? namespace);
    const existing = await this.getInstance(ctx, ns.name, name);
    const cls = ns.require(existing.path!.className);
    const provider = this.providersOf(ns, cls).find(([c, p]) => c === cls && p.delete)?.[1];
    if (!provider?.delete)
      throw new CimError('CIM_ERR_NOT_SUPPORTED', `Instances of ${cls.name} cannot be deleted`);
    await provider.delete(ctx, existing.path!);
  }

  /** Sets the instance's class and path (namespace, class keys) when the provider left them out. */
  private withPath(ns: CimNamespace, cls: CimClass, inst: CimInstance): CimInstance {
    if (inst.path?.namespace) return inst;
    const keys: Record<string, string | CimInstanceName> = {};
    for (const k of cls.keys) {
      const v = inst.properties[k.name];
      if (typeof v === 'string' || isInstanceName(v)) keys[k.name] = v;
    }
    inst.path = { className: cls.name, keys, namespace: ns.name };
    return inst;
  }
}

/** A kept answer of providersOf. */
interface ProvidersOf {
  classes: readonly CimClass[];
  list: ReadonlyArray<readonly [CimClass, InstanceProvider]>;
}

/**
 * True when two paths have the same namespace and the same text keys spelled alike (a provider's answer to the
 * name it was asked): {@link samePath}'s answer without its case-insensitive matching, which is the fallback.
 */
function sameTextKeys(a: CimInstanceName, b: CimInstanceName): boolean {
  if (a.namespace !== b.namespace) return false;
  let n = 0;
  for (const k in a.keys) {
    const v = a.keys[k];
    if (typeof v !== 'string' || v !== b.keys[k]) return false;
    n++;
  }
  for (const _ in b.keys) n--;
  return n === 0;
}

/** Key names spelled as the class declares them (CIM names are case-insensitive). */
function canonicalKeys(cls: CimClass, name: CimInstanceName): Record<string, string | CimInstanceName> {
  const out: Record<string, string | CimInstanceName> = {};
  for (const [k, v] of Object.entries(name.keys)) out[declaredKey(cls, k) ?? k] = v;
  return out;
}

/** A property's name as the class declares it: a key spelled as declared (what clients send) without a copy. */
function declaredKey(cls: CimClass, k: string): string | undefined {
  for (const p of cls.keys) if (p.name === k) return k;
  return cls.propertyIndex.get(k.toLowerCase())?.name;
}

function describePath(n: CimInstanceName): string {
  const keys = Object.entries(n.keys)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : describePath(v)}`)
    .join(',');
  return `${n.className}.${keys}`;
}
