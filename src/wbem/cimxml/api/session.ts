import { ApiError } from '../../../api/index.js';
import {
  type CimClass,
  CimError,
  type CimInstance,
  type CimInstanceName,
  resolveClass,
  samePath,
} from '../../../cim/index.js';
import { type CallContext, toApiError } from './errors.js';
import type { CimOperations } from './operations.js';

/** Where DSP1033 registrations live on the CIMOMs met so far (Vessel, OpenPegasus, SFCB, libvirt-cim, WMI). */
export const INTEROP_NAMESPACES = ['root/interop', 'interop', 'root/PG_InterOp'] as const;

/** The DMTF profiles this client reads, by RegisteredName (organization 2, DMTF). */
export const PROFILE = {
  systemVirtualization: 'System Virtualization',
  storage: 'Storage Resource Virtualization',
} as const;

/** What DSP1033 discovery found: where the implementation lives and which profiles it registers. */
export interface Discovery {
  /** The implementation namespace (the DSP1042 host's). */
  namespace: string;
  /** The DSP1042 scoping instance: the host system. */
  host: CimInstanceName;
  /** The registered DMTF profile names (`System Virtualization`, ...). */
  profiles: ReadonlySet<string>;
}

/**
 * One connection to a CIM-XML host, shared by the namespaces of CimXmlApi: the client, what discovery found, the
 * class declarations read so far (to type embedded instances and to know what the host's classes can carry),
 * and {@link call}, through which every request goes so that every failure becomes an ApiError naming the host.
 *
 * @example
 * const s = new CimSession(client, await discover(client));
 * const names = await s.call({ what: 'Listing systems' }, (c) => c.enumerateInstanceNames('CIM_ComputerSystem', { namespace: s.namespace }));
 */
export class CimSession {
  private readonly classes = new Map<string, CimClass | null>();
  /** The vendor prefix of the host's classes (`Vessel_`, `KVM_`, `Msvm_`), from the host system's class. */
  readonly prefix: string;

  constructor(
    readonly client: CimOperations,
    readonly found: Discovery,
  ) {
    const cls = found.host.className;
    const i = cls.indexOf('_');
    this.prefix = i > 0 ? cls.slice(0, i + 1) : 'CIM_';
  }

  /** The host as messages name it (`host:port`). */
  get where(): string {
    return this.client.url.host;
  }

  get namespace(): string {
    return this.found.namespace;
  }

  /** The encoding as messages name it: `CIM-XML` or `WS-Man`. */
  get encoding(): string {
    return this.client.transport === 'wsman' ? 'WS-Man' : 'CIM-XML';
  }

  /** Runs one request; whatever it throws comes out as an ApiError (see toApiError). */
  async call<T>(ctx: CallContext, fn: (c: CimOperations) => Promise<T>): Promise<T> {
    try {
      return await fn(this.client);
    } catch (e) {
      throw toApiError(e, ctx, this.where);
    }
  }

  /** True when `path` is the host system (namespaces and hosts aside). */
  isHost(path: CimInstanceName | undefined): boolean {
    if (path === undefined) return false;
    const plain = (p: CimInstanceName) => ({ ...p, namespace: undefined, host: undefined });
    return samePath(plain(path), plain(this.found.host));
  }

  /**
   * The first of `names` that the host declares, resolved with everything it inherits; undefined when it has none.
   * Declarations are read once per connection (GetClass, LocalOnly false).
   */
  async classOf(...names: string[]): Promise<CimClass | undefined> {
    for (const name of names) {
      const key = name.toLowerCase();
      if (!this.classes.has(key)) {
        try {
          const decl = await this.client.getClass(name, { namespace: this.namespace });
          this.classes.set(key, resolveClass({ ...decl, superClass: undefined }, undefined));
        } catch (e) {
          if (
            !(e instanceof CimError && (e.code === 'CIM_ERR_INVALID_CLASS' || e.code === 'CIM_ERR_NOT_FOUND'))
          )
            throw toApiError(e, { what: `Reading the class ${name}` }, this.where);
          this.classes.set(key, null);
        }
      }
      const hit = this.classes.get(key);
      if (hit) return hit;
    }
    return undefined;
  }

  /** The host's own subclass of a DMTF class (`Vessel_X` for `CIM_X`) when it has one, else the DMTF class. */
  vendorClass(dmtf: string): Promise<CimClass | undefined> {
    const own = `${this.prefix}${dmtf.replace(/^CIM_/, '')}`;
    return own === dmtf ? this.classOf(dmtf) : this.classOf(own, dmtf);
  }

  /** Class lookup for the encoder, from the declarations read so far. */
  readonly lookup = (name: string): CimClass | undefined => this.classes.get(name.toLowerCase()) ?? undefined;
}

function isAbsent(e: unknown): boolean {
  return (
    e instanceof CimError &&
    (e.code === 'CIM_ERR_INVALID_NAMESPACE' ||
      e.code === 'CIM_ERR_INVALID_CLASS' ||
      e.code === 'CIM_ERR_NOT_FOUND')
  );
}

/**
 * DSP1033 discovery: the registered profiles in the interop namespace, then the DSP1042 profile's conformant
 * host system across namespaces (CIM_ElementConformsToProfile), whose namespace is the implementation's. A host
 * that registers no DMTF System Virtualization profile is NOT_SUPPORTED; transport failures are what
 * toApiError makes of them (HOST_UNREACHABLE, AUTH_FAILED, PROTOCOL, ...).
 *
 * @example
 * const found = await discover(new CimClient('https://h1:5989', { user, password }));
 */
export async function discover(client: CimOperations): Promise<Discovery> {
  const where = client.url.host;
  const ctx = { what: `Discovering the DMTF profiles of ${where}` };
  for (const interop of INTEROP_NAMESPACES) {
    let registered: CimInstance[];
    try {
      registered = await client.enumerateInstances('CIM_RegisteredProfile', { namespace: interop });
    } catch (e) {
      if (isAbsent(e)) continue;
      throw toApiError(e, ctx, where);
    }
    const dmtf = registered.filter((p) => String(p.properties.RegisteredOrganization ?? '') === '2');
    const sv = dmtf.find((p) => p.properties.RegisteredName === PROFILE.systemVirtualization);
    if (sv?.path === undefined) continue;
    let central: CimInstanceName[];
    try {
      central = await client.associatorNames(
        { ...sv.path, namespace: sv.path.namespace ?? interop, host: undefined },
        { assocClass: 'CIM_ElementConformsToProfile', resultClass: 'CIM_ComputerSystem' },
      );
    } catch (e) {
      throw toApiError(e, ctx, where);
    }
    const host = central.find((c) => c.namespace !== undefined && c.namespace !== '');
    if (host?.namespace === undefined)
      throw new ApiError(
        'PROTOCOL',
        `${where} registers the DMTF System Virtualization profile (DSP1042) in ${interop} but conforms no host system in another namespace to it`,
      );
    return {
      namespace: host.namespace,
      host: { ...host, host: undefined },
      profiles: new Set(dmtf.map((p) => String(p.properties.RegisteredName ?? ''))),
    };
  }
  throw new ApiError(
    'NOT_SUPPORTED',
    `${where} registers no DMTF System Virtualization profile (DSP1042) in ${INTEROP_NAMESPACES.join(', ')}: it is not a virtualization host that CIM-XML can manage`,
  );
}
