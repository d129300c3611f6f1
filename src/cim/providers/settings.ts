import { resourceTypeOf } from '../../model/index.js';
import { CimError } from '../errors.js';
import { resourceFacts } from '../facts.js';
import { localId, rasdInstance, rasdInstances, vssdInstance } from '../mapping.js';
import { withMetadata } from '../methods/metadata.js';
import { VSMS_METHODS } from '../methods/vsms.js';
import { C, idPath, parseSettingId, rasdId, systemPath, vssdId } from '../naming.js';
import { poolForType, poolIds } from '../pools.js';
import type { CimContext, InstanceProvider } from '../provider.js';
import { memoAsync } from '../provider.js';
import { allSystems, oneSystem } from '../snapshot.js';
import type { CimInstance, CimInstanceName } from '../types.js';
import { key, link, type ProviderEnv } from './env.js';

/**
 * ModifyInstance of a VSSD or RASD (a Vessel extension): the same change as ModifySystemSettings or
 * ModifyResourceSettings, limited to PropertyList when one is given.
 */
function modifyVia(
  env: ProviderEnv,
  method: 'ModifySystemSettings' | 'ModifyResourceSettings',
): NonNullable<InstanceProvider['modify']> {
  return async (ctx, inst, propertyList) => {
    const keep = propertyList?.map((p) => p.toLowerCase());
    const properties: CimInstance['properties'] = { InstanceID: inst.path?.keys.InstanceID as string };
    for (const [k, v] of Object.entries(inst.properties))
      if (k !== 'InstanceID' && (!keep || keep.includes(k.toLowerCase()))) properties[k] = v;
    const changed: CimInstance = { className: inst.className, properties };
    const param =
      method === 'ModifySystemSettings' ? { SystemSettings: changed } : { ResourceSettings: [changed] };
    const r = await VSMS_METHODS[method]!(env, ctx, param);
    if (r.returnValue === 5)
      throw new CimError(
        'CIM_ERR_FAILED',
        `Cannot modify ${String(properties.InstanceID)}: the virtual system is not stopped`,
      );
    if (r.returnValue !== 0 && r.returnValue !== 4096)
      throw new CimError(
        'CIM_ERR_FAILED',
        `Cannot modify ${String(properties.InstanceID)} (${method} answered ${r.returnValue})`,
      );
  };
}

/**
 * Providers of the settings of virtual systems (DSP1057 §10.3, DSP1041): the VSSD and RASDs from the one model,
 * and the associations that tie them to the virtual system and to the pools.
 */
export function settingsProviders(env: ProviderEnv): InstanceProvider[] {
  const allRasds = (ctx: CimContext): Promise<CimInstance[]> =>
    memoAsync(ctx, 'rasds', async () => {
      const systems = await allSystems(ctx, env);
      const facts = await Promise.all(systems.map((v) => resourceFacts(ctx, env, v)));
      return systems.flatMap((v, i) => rasdInstances(v, facts[i]));
    });
  const rasdProvider = (className: string): InstanceProvider => ({
    className,
    modify: modifyVia(env, 'ModifyResourceSettings'),
    enumerate: async (ctx) => (await allRasds(ctx)).filter((r) => r.className === className),
    get: async (ctx, n) => {
      const parsed = parseSettingId(key(n, 'InstanceID') ?? '');
      if (parsed?.localId === undefined) return undefined;
      const v = await oneSystem(ctx, env, parsed.system);
      if (!v) return undefined;
      const i = v.definition.resources.findIndex((r, idx) => localId(r, idx) === parsed.localId);
      if (i < 0) return undefined;
      const inst = rasdInstance(v.name, v.definition.resources[i]!, i, (await resourceFacts(ctx, env, v))[i]);
      return inst.className === className ? inst : undefined;
    },
  });
  const vssdPath = (name: string): CimInstanceName => idPath(C.vssd, vssdId(name));
  const rasdPath = (r: CimInstance): CimInstanceName =>
    idPath(r.className, r.properties.InstanceID as string);

  return [
    {
      className: C.vssd,
      modify: modifyVia(env, 'ModifySystemSettings'),
      enumerate: async (ctx) =>
        Promise.all((await allSystems(ctx, env)).map((v) => withMetadata(env, ctx, vssdInstance(v), v.uuid))),
      get: async (ctx, n) => {
        const parsed = parseSettingId(key(n, 'InstanceID') ?? '');
        if (!parsed || parsed.localId !== undefined) return undefined;
        const v = await oneSystem(ctx, env, parsed.system);
        return v ? withMetadata(env, ctx, vssdInstance(v), v.uuid) : undefined;
      },
    },
    rasdProvider(C.rasd),
    rasdProvider(C.sasd),
    rasdProvider(C.epasd),
    {
      className: 'Vessel_VirtualSystemSettingDataComponent',
      enumerate: async (ctx) =>
        (await allSystems(ctx, env)).flatMap((v) =>
          v.definition.resources.map((r, i) =>
            link(
              'Vessel_VirtualSystemSettingDataComponent',
              'GroupComponent',
              vssdPath(v.name),
              'PartComponent',
              rasdPath(rasdInstance(v.name, r, i)),
            ),
          ),
        ),
    },
    {
      className: 'Vessel_ElementSettingData',
      enumerate: async (ctx) =>
        (await allSystems(ctx, env)).map((v) =>
          link(
            'Vessel_ElementSettingData',
            'ManagedElement',
            systemPath(v.name),
            'SettingData',
            vssdPath(v.name),
            {
              IsDefault: '1',
              IsCurrent: '1',
              IsNext: '1',
            },
          ),
        ),
    },
    {
      className: 'Vessel_SettingsDefineState',
      enumerate: async (ctx) =>
        (await allSystems(ctx, env)).map((v) =>
          link(
            'Vessel_SettingsDefineState',
            'ManagedElement',
            systemPath(v.name),
            'SettingData',
            vssdPath(v.name),
          ),
        ),
    },
    {
      className: 'Vessel_ResourceAllocationFromPool',
      enumerate: async (ctx) =>
        (await allSystems(ctx, env)).flatMap((v) =>
          v.definition.resources.flatMap((r, i) => {
            const type = resourceTypeOf(r);
            const pool = type === undefined ? undefined : poolForType(type);
            if (!pool) return [];
            return [
              link(
                'Vessel_ResourceAllocationFromPool',
                'Antecedent',
                idPath(C.pool, poolIds.pool(pool)),
                'Dependent',
                idPath(rasdInstance(v.name, r, i).className, rasdId(v.name, localId(r, i))),
              ),
            ];
          }),
        ),
    },
  ];
}
