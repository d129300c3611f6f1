import type { LibvirtClient, RemoteNonnullDomain } from '../../libvirt/index.js';
import type { VirtualSystemDefinition } from '../../model/index.js';
import { HypervisorError } from '../errors.js';
import type { DomainInfo } from '../types.js';
import { definitionOf } from './domain-xml.js';
import { hypervisorError } from './errors.js';
import { domainState } from './states.js';
import { uuidText } from './uuid.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** VIR_DOMAIN_XML_INACTIVE: the persistent definition, not the running one. */
const XML_INACTIVE = 2;
/** VIR_DOMAIN_STATS_STATE. */
const STATS_STATE = 1;

/** Whether a reference is a UUID (else a name). */
export function isUuid(ref: string): boolean {
  return UUID.test(ref);
}

/**
 * How every part of the libvirt driver reaches a domain: calls with libvirt's errors mapped (`call`), a domain by
 * UUID or name, its state, its definition and its live XML. The connection's current client is asked each time,
 * so a reconnect is followed.
 *
 * @example
 * const look = new DomainLookup(() => conn.client);
 * const dom = await look.mustDomain(uuid);
 * const { state } = await look.stateOf(dom);
 */
export class DomainLookup {
  constructor(readonly client: () => LibvirtClient) {}

  /** Runs a call, its libvirt error mapped to the driver's (`what` says what was being done). */
  async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw hypervisorError(e, what);
    }
  }

  /** Every domain with its state, in one CONNECT_GET_ALL_DOMAIN_STATS (state group only). */
  async list(): Promise<DomainInfo[]> {
    const r = await this.call('Cannot list the domains', () =>
      this.client().call('CONNECT_GET_ALL_DOMAIN_STATS', { doms: [], stats: STATS_STATE, flags: 0 }),
    );
    return r.retStats.map(({ dom, params }) => {
      const num = (field: string) => {
        const v = params.find((p) => p.field === field)?.value;
        return v !== undefined && typeof v.value === 'number' ? v.value : 0;
      };
      return {
        uuid: uuidText(dom.uuid),
        name: dom.name,
        ...domainState(num('state.state'), num('state.reason')),
      };
    });
  }

  /** The domain of a UUID or name, or undefined (VIR_ERR_NO_DOMAIN). */
  async domain(uuidOrName: string): Promise<RemoteNonnullDomain | undefined> {
    try {
      const r = isUuid(uuidOrName)
        ? await this.client().call('DOMAIN_LOOKUP_BY_UUID', {
            uuid: Buffer.from(uuidOrName.replaceAll('-', ''), 'hex'),
          })
        : await this.client().call('DOMAIN_LOOKUP_BY_NAME', { name: uuidOrName });
      return r.dom;
    } catch (e) {
      const mapped = hypervisorError(e, `Cannot look up "${uuidOrName}"`);
      if (mapped instanceof HypervisorError && mapped.code === 'VM_NOT_FOUND') return undefined;
      throw mapped;
    }
  }

  /** The domain of a UUID or name, or VM_NOT_FOUND. */
  async mustDomain(uuid: string): Promise<RemoteNonnullDomain> {
    const d = await this.domain(uuid);
    if (d === undefined) throw new HypervisorError('VM_NOT_FOUND', `No virtual system "${uuid}"`);
    return d;
  }

  /** A domain's state and reason (DOMAIN_GET_STATE). */
  async stateOf(dom: RemoteNonnullDomain): Promise<DomainInfo> {
    const r = await this.call(`Cannot read the state of "${dom.name}"`, () =>
      this.client().call('DOMAIN_GET_STATE', { dom, flags: 0 }),
    );
    return { uuid: uuidText(dom.uuid), name: dom.name, ...domainState(r.state, r.reason) };
  }

  /** The domain of a running (or paused) system, refused with INVALID_STATE when it is stopped. */
  async activeDomain(uuid: string, verb: string): Promise<RemoteNonnullDomain> {
    const dom = await this.mustDomain(uuid);
    const { state } = await this.stateOf(dom);
    if (state === 'stopped')
      throw new HypervisorError('INVALID_STATE', `Cannot ${verb} "${dom.name}": it is stopped`);
    return dom;
  }

  /** A domain's persistent definition, read back by src/formats' libvirt reader. */
  async definition(dom: RemoteNonnullDomain): Promise<VirtualSystemDefinition> {
    const r = await this.call(`Cannot read the definition of "${dom.name}"`, () =>
      this.client().call('DOMAIN_GET_XML_DESC', { dom, flags: XML_INACTIVE }),
    );
    return definitionOf(r.xml);
  }

  /** The live domain XML (flags 0: what runs now). */
  async liveXml(dom: RemoteNonnullDomain): Promise<string> {
    const r = await this.call(`Cannot read "${dom.name}"`, () =>
      this.client().call('DOMAIN_GET_XML_DESC', { dom, flags: 0 }),
    );
    return r.xml;
  }
}
