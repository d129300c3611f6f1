import { resourceTypeOf } from '../../model/index.js';
import { C, hostPath, idPath } from '../naming.js';
import { POOLS, type PoolSpec, poolIds, TEMPLATES, type TemplateRole } from '../pools.js';
import type { CimContext, InstanceProvider } from '../provider.js';
import { allSystems } from '../snapshot.js';
import type { CimInstance } from '../types.js';
import { instance, key, link, type ProviderEnv } from './env.js';

const ROLES = Object.keys(TEMPLATES) as TemplateRole[];

/** A pool's template RASD for one role (DSP1043 §7.3). */
function template(env: ProviderEnv, p: PoolSpec, role: TemplateRole): CimInstance {
  const q = p.quantities?.(env.backend.limits);
  const i = ROLES.indexOf(role);
  return instance(p.settingClass, {
    InstanceID: poolIds.template(p, role),
    ElementName: `${p.name}: ${role}`,
    ResourceType: String(p.resourceType),
    ResourceSubType: role === 'Default' ? p.defaultSubType : undefined,
    PoolID: p.id,
    AllocationUnits: p.units,
    VirtualQuantity: q ? String(q[i]) : role === 'Increment' ? '1' : '1',
    VirtualQuantityUnits: p.units === 'count' ? 'count' : undefined,
    AutomaticAllocation: 'true',
  });
}

/** How much of a pool the active virtual systems use: vCPUs, MiB of memory, or a count of devices. */
function consumed(ctx: CimContext, env: ProviderEnv, p: PoolSpec): bigint {
  let n = 0n;
  for (const v of allSystems(ctx, env.backend)) {
    if (v.info.state === 'stopped') continue;
    for (const r of v.def.resources) {
      if (resourceTypeOf(r) !== p.resourceType) continue;
      n += p.quantities ? BigInt(r.properties.VirtualQuantity ?? '0') : 1n;
    }
  }
  return n;
}

/** Providers of the resource pools, their allocation capabilities and setting templates (DSP1041, DSP1043). */
export function poolProviders(env: ProviderEnv): InstanceProvider[] {
  const host = env.backend.hostName;
  const templates = (): CimInstance[] => POOLS.flatMap((p) => ROLES.map((r) => template(env, p, r)));
  const templateProvider = (className: string): InstanceProvider => ({
    className,
    enumerate: () => templates().filter((t) => t.className === className),
    get: (_ctx, n) =>
      templates().find((t) => t.className === className && t.properties.InstanceID === key(n, 'InstanceID')),
  });
  return [
    {
      className: C.pool,
      enumerate: (ctx) =>
        POOLS.map((p) =>
          instance(C.pool, {
            InstanceID: poolIds.pool(p),
            PoolID: p.id,
            ElementName: p.name,
            Primordial: 'true',
            ResourceType: String(p.resourceType),
            AllocationUnits: p.units,
            Capacity: p.capacity ? String(p.capacity(env.backend.limits)) : undefined,
            Reserved: String(consumed(ctx, env, p)),
            CurrentlyConsumedResource: String(consumed(ctx, env, p)),
            ConsumedResourceUnits: p.units ?? 'count',
            HealthState: '5',
            OperationalStatus: ['2'],
          }),
        ),
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
      enumerate: () =>
        POOLS.map((p) =>
          link(
            'Vessel_HostedResourcePool',
            'GroupComponent',
            hostPath(host),
            'PartComponent',
            idPath(C.pool, poolIds.pool(p)),
          ),
        ),
    },
    {
      className: 'Vessel_ElementCapabilities',
      enumerate: () =>
        POOLS.map((p) =>
          link(
            'Vessel_ElementCapabilities',
            'ManagedElement',
            idPath(C.pool, poolIds.pool(p)),
            'Capabilities',
            idPath(C.allocCaps, poolIds.caps(p)),
            { Characteristics: ['2'] },
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
