import type { RemoteNonnullDomain, RemoteTypedParam } from '../../libvirt/index.js';
import { readDevices, type VirtualSystemDefinition } from '../../model/index.js';
import type { DomainStats } from '../types.js';
import type { DomainLookup } from './lookup.js';

/** VIR_DOMAIN_STATS_STATE | CPU_TOTAL | BALLOON | INTERFACE | BLOCK. */
export const STATS_GROUPS = 1 | 2 | 4 | 16 | 32;

/**
 * One domain's record of CONNECT_GET_ALL_DOMAIN_STATS (typed parameters `cpu.time`, `balloon.*` in KiB,
 * `block.<i>.*`, `net.<i>.*`) as Vessel's statistics. libvirt lists disks and interfaces in the order of the domain
 * XML, which is the order of the definition read back from it, so the i-th block and net entries are its i-th
 * drive and NIC.
 *
 * @example
 * domainStats(record.params, await driver.getDefinition(uuid)); // { cpuTimeNs: 123n, memoryBytes: 134217728n, ... }
 */
export function domainStats(params: readonly RemoteTypedParam[], def: VirtualSystemDefinition): DomainStats {
  const values = new Map(params.map((p) => [p.field, p.value.value]));
  const big = (field: string): bigint => {
    const v = values.get(field);
    return typeof v === 'bigint' ? v : typeof v === 'number' ? BigInt(v) : 0n;
  };
  const view = readDevices(def);
  const drives = view.drives.filter((d) => d.kind === 'disk' || d.kind === 'cdrom');
  const disks = drives.flatMap((d, i) =>
    d.kind !== 'disk'
      ? []
      : [
          {
            instanceId: d.instanceId,
            readBytes: big(`block.${i}.rd.bytes`),
            writeBytes: big(`block.${i}.wr.bytes`),
            readOps: big(`block.${i}.rd.reqs`),
            writeOps: big(`block.${i}.wr.reqs`),
          },
        ],
  );
  const nics = view.nics.map((n, i) => ({
    instanceId: n.instanceId,
    rxBytes: big(`net.${i}.rx.bytes`),
    txBytes: big(`net.${i}.tx.bytes`),
  }));
  const out: DomainStats = {
    cpuTimeNs: big('cpu.time'),
    // 0 without balloon figures (libvirt's test driver); the driver then asks DOMAIN_GET_INFO.
    memoryBytes: big('balloon.maximum') * 1024n,
    disks,
    nics,
  };
  if (values.has('balloon.current')) out.balloonBytes = big('balloon.current') * 1024n;
  return out;
}

/**
 * A running domain's statistics: one CONNECT_GET_ALL_DOMAIN_STATS read as {@link domainStats}; without balloon
 * figures (libvirt's test driver) the memory is the domain's maximum (DOMAIN_GET_INFO, KiB).
 *
 * @example
 * const stats = await readStats(look, await look.activeDomain(uuid, 'read the statistics of'));
 */
export async function readStats(look: DomainLookup, dom: RemoteNonnullDomain): Promise<DomainStats> {
  const r = await look.call(`Cannot read the statistics of "${dom.name}"`, () =>
    look.client().call('CONNECT_GET_ALL_DOMAIN_STATS', { doms: [dom], stats: STATS_GROUPS, flags: 0 }),
  );
  const out = domainStats(r.retStats[0]?.params ?? [], await look.definition(dom));
  if (out.memoryBytes === 0n) {
    const info = await look.call(`Cannot read "${dom.name}"`, () =>
      look.client().call('DOMAIN_GET_INFO', { dom }),
    );
    out.memoryBytes = info.maxMem * 1024n;
  }
  return out;
}
