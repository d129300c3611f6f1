import { ApiError, type PoolInfo, type SystemDetail } from '../../api/index.js';
import { convert, type HostLimits, quantityOf, ResourceType, resourceTypeOf } from '../../model/index.js';
import { toCimError } from '../methods/errors-map.js';
import { C, hostPath, idPath } from '../naming.js';
import {
  POOLS,
  type PoolSpec,
  poolById,
  poolIds,
  STORAGE_PARENT_POOL,
  storagePoolIds,
  TEMPLATES,
  type TemplateRole,
} from '../pools.js';
import { type CimContext, type InstanceProvider, memoAsync } from '../provider.js';
import { allSystems, capabilitiesOf } from '../snapshot.js';
import type { CimInstance, CimInstanceName } from '../types.js';
import { instance, isActive, key, link, type ProviderEnv } from './env.js';

const ROLES = Object.keys(TEMPLATES) as TemplateRole[];

/** A pool's template RASD for one role (DSP1043 §7.3). */
function template(limits: HostLimits, p: PoolSpec, role: TemplateRole): CimInstance {
  const q = p.quantities?.(limits);
  const i = ROLES.indexOf(role);
  return instance(p.settingClass, {
    InstanceID: poolIds.template(p, role),
    ElementName: `${p.name}: ${role}`,
    ResourceType: String(p.resourceType),
    ResourceSubType: role === 'Default' ? p.defaultSubType : undefined,
    PoolID: p.id,
    AllocationUnits: p.units,
    VirtualQuantity: q ? String(q[i]) : role === 'Increment' ? '1' : '1',
    // CIM reads VirtualQuantity by VirtualQuantityUnits (default "count"), so a template in MiB says so.
    VirtualQuantityUnits: p.units,
    AutomaticAllocation: 'true',
  });
}

/** How much of a pool the active virtual systems use, in the pool's units, and what could not be added exactly. */
interface Consumption {
  amount: bigint;
  notes: string[];
}

/**
 * How much of a pool the active virtual systems use: for a pool with units (vCPUs, memory), each setting's
 * VirtualQuantity converted from the unit that governs it (`quantityOf`: VirtualQuantityUnits, AllocationUnits or
 * the type's default) to the pool's units, rounded up when it is not whole; for the others, a count of devices.
 */
function consumed(systems: readonly SystemDetail[], p: PoolSpec): Consumption {
  let amount = 0n;
  let inexact = 0;
  const notes: string[] = [];
  for (const v of systems) {
    if (!isActive(v.state)) continue;
    for (const r of v.definition.resources) {
      if (resourceTypeOf(r) !== p.resourceType) continue;
      if (p.units === undefined) {
        amount += 1n;
        continue;
      }
      try {
        const q = quantityOf(r, 'VirtualQuantity');
        if (q === undefined) continue;
        const c = convert(q.value, q.unit, p.units, 'up');
        amount += c.value;
        if (!c.exact) inexact++;
      } catch (e) {
        notes.push(`"${v.name}": ${e instanceof Error ? e.message : String(e)}; not counted`);
      }
    }
  }
  if (inexact > 0)
    notes.unshift(
      `${inexact} allocation(s) are not a whole number of "${p.units}" and are counted rounded up`,
    );
  return { amount, notes };
}

/**
 * The host's configured storage pools (`pools.list`), read once per operation: none from an Api that has no pools
 * namespace (NOT_SUPPORTED).
 */
function storagePools(ctx: CimContext, env: ProviderEnv): Promise<PoolInfo[]> {
  return memoAsync(ctx, 'storagePools', async () => {
    try {
      return await env.api(ctx).pools.list();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'NOT_SUPPORTED') return [];
      throw toCimError(e);
    }
  });
}

/** The limits of one virtual system on this host (the pools' capacities and Maximum templates). */
async function limitsOf(ctx: CimContext, env: ProviderEnv): Promise<HostLimits> {
  return (await capabilitiesOf(ctx, env)).limits;
}

/**
 * A configured storage pool (DSP1047): a concrete pool (Primordial false) of Logical Disk (ResourceType 31), whose
 * Capacity and Reserved are the bytes of the file system its folder lies on and the bytes used there
 * (AllocationUnits `byte`, DSP0004 programmatic units). A folder that cannot be read shows no sizes, HealthState
 * 20 (Major failure) and OperationalStatus 6 (Error).
 */
function storagePoolInstance(s: PoolInfo): CimInstance {
  const ok = s.available;
  const capacity = ok ? s.capacityBytes.toString() : undefined;
  const used = ok ? s.usedBytes.toString() : undefined;
  return instance(C.pool, {
    InstanceID: storagePoolIds.pool(s.id),
    PoolID: storagePoolIds.poolId(s.id),
    ElementName: s.id,
    Primordial: 'false',
    ResourceType: String(ResourceType.LogicalDisk),
    ResourceSubType: s.allowDevices ? 'Vessel:Folder with block devices' : 'Vessel:Folder',
    AllocationUnits: 'byte',
    Capacity: capacity,
    Reserved: used,
    CurrentlyConsumedResource: used,
    ConsumedResourceUnits: 'byte',
    MaxConsumableResource: capacity,
    HealthState: ok ? '5' : '20',
    OperationalStatus: [ok ? '2' : '6'],
  });
}

/** Providers of the resource pools, their allocation capabilities and setting templates (DSP1041, DSP1043, DSP1047). */
export function poolProviders(env: ProviderEnv): InstanceProvider[] {
  const host = env.hostName;
  const templates = async (ctx: CimContext): Promise<CimInstance[]> => {
    const limits = await limitsOf(ctx, env);
    return POOLS.flatMap((p) => ROLES.map((r) => template(limits, p, r)));
  };
  const storagePath = (s: PoolInfo) => idPath(C.pool, storagePoolIds.pool(s.id));
  const parent = poolById(STORAGE_PARENT_POOL)!;
  const templateProvider = (className: string): InstanceProvider => ({
    className,
    enumerate: async (ctx) => (await templates(ctx)).filter((t) => t.className === className),
    get: async (ctx, n) =>
      (await templates(ctx)).find(
        (t) => t.className === className && t.properties.InstanceID === key(n, 'InstanceID'),
      ),
  });
  return [
    {
      className: C.pool,
      enumerate: async (ctx) => {
        const systems = await allSystems(ctx, env);
        const limits = await limitsOf(ctx, env);
        const pools = POOLS.map((p) => {
          const used = consumed(systems, p);
          return instance(C.pool, {
            InstanceID: poolIds.pool(p),
            PoolID: p.id,
            ElementName: p.name,
            Primordial: 'true',
            ResourceType: String(p.resourceType),
            ResourceSubType: p.defaultSubType,
            AllocationUnits: p.units,
            Capacity: p.capacity ? String(p.capacity(limits)) : undefined,
            Reserved: String(used.amount),
            CurrentlyConsumedResource: String(used.amount),
            ConsumedResourceUnits: p.units ?? 'count',
            HealthState: '5',
            OperationalStatus: ['2'],
            // Why Reserved is not exact, where it is not (DSP1041 leaves the notes to the implementation).
            StatusDescriptions: used.notes.length > 0 ? [used.notes.join('; ')] : undefined,
          });
        });
        return pools.concat((await storagePools(ctx, env)).map(storagePoolInstance));
      },
    },
    {
      className: C.allocCaps,
      enumerate: () =>
        POOLS.map((p) =>
          instance(C.allocCaps, {
            InstanceID: poolIds.caps(p),
            ElementName: `Allocation capabilities of ${p.name}`,
            ResourceType: String(p.resourceType),
            RequestTypesSupported: '3',
            SharingMode: p.resourceType === 3 || p.resourceType === 4 ? '3' : '2',
            SupportedAddStates: ['3'],
            SupportedRemoveStates: ['3'],
          }),
        ),
    },
    templateProvider(C.rasd),
    templateProvider(C.sasd),
    templateProvider(C.epasd),
    {
      className: 'Vessel_HostedResourcePool',
      enumerate: async (ctx) =>
        [
          ...POOLS.map((p) => idPath(C.pool, poolIds.pool(p))),
          ...(await storagePools(ctx, env)).map(storagePath),
        ].map((pool) =>
          link('Vessel_HostedResourcePool', 'GroupComponent', hostPath(host), 'PartComponent', pool),
        ),
    },
    {
      className: 'Vessel_ElementCapabilities',
      enumerate: async (ctx) =>
        [
          ...POOLS.map((p): [CimInstanceName, PoolSpec] => [idPath(C.pool, poolIds.pool(p)), p]),
          ...(await storagePools(ctx, env)).map((s): [CimInstanceName, PoolSpec] => [storagePath(s), parent]),
        ].map(([pool, p]) =>
          link(
            'Vessel_ElementCapabilities',
            'ManagedElement',
            pool,
            'Capabilities',
            idPath(C.allocCaps, poolIds.caps(p)),
            { Characteristics: ['2'] },
          ),
        ),
    },
    {
      // DSP1041: a concrete pool is allocated from the primordial pool of its resource type.
      className: 'Vessel_ElementAllocatedFromPool',
      enumerate: async (ctx) =>
        (await storagePools(ctx, env)).map((s) =>
          link(
            'Vessel_ElementAllocatedFromPool',
            'Antecedent',
            idPath(C.pool, poolIds.pool(parent)),
            'Dependent',
            storagePath(s),
          ),
        ),
    },
    {
      className: 'Vessel_SettingsDefineCapabilities',
      enumerate: () =>
        POOLS.flatMap((p) =>
          ROLES.map((r) =>
            link(
              'Vessel_SettingsDefineCapabilities',
              'GroupComponent',
              idPath(C.allocCaps, poolIds.caps(p)),
              'PartComponent',
              idPath(p.settingClass, poolIds.template(p, r)),
              { PropertyPolicy: '0', ValueRole: TEMPLATES[r].valueRole, ValueRange: TEMPLATES[r].valueRange },
            ),
          ),
        ),
    },
  ];
}
