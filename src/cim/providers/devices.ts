import { CIM_STATE_OF, type SystemDetail } from '../../api/index.js';
import {
  normalizeMac,
  quantityBytes,
  type ResourceSetting,
  ResourceType,
  resourceTypeOf,
} from '../../model/index.js';
import { localId, rasdInstance } from '../mapping.js';
import { C, devicePath, idPath, systemPath } from '../naming.js';
import { poolForType, poolIds } from '../pools.js';
import type { CimContext, InstanceProvider } from '../provider.js';
import { memoAsync } from '../provider.js';
import { allSystems, oneSystem } from '../snapshot.js';
import type { CimInstance, CimInstanceName } from '../types.js';
import { instance, isActive, key, link, type ProviderEnv } from './env.js';

/** A logical device of an active virtual system and the RASD it realises. */
interface Device {
  inst: CimInstance;
  path: CimInstanceName;
  resource: ResourceSetting;
  index: number;
}

const DISK_TYPES = new Set<number>([
  ResourceType.DiskDrive,
  ResourceType.LogicalDisk,
  ResourceType.CdDrive,
  ResourceType.DvdDrive,
  ResourceType.FloppyDrive,
]);

/**
 * The logical devices of a virtual system (DSP1057 §7.5): they exist while it is active (running or paused).
 * One CIM_Processor per virtual CPU (DSP1044), one CIM_Memory (DSP1045), a CIM_LogicalDisk per drive (DSP1047)
 * and a CIM_EthernetPort per NIC (DSP1050).
 */
function devicesOf(v: SystemDetail): Device[] {
  if (!isActive(v.state)) return [];
  const name = v.name;
  const common = (className: string, deviceId: string, elementName: string) => ({
    SystemCreationClassName: C.system,
    SystemName: name,
    CreationClassName: className,
    DeviceID: deviceId,
    ElementName: elementName,
    EnabledState: String(CIM_STATE_OF[v.state].enabledState),
    RequestedState: '12',
    HealthState: '5',
    OperationalStatus: ['2'],
  });
  const out: Device[] = [];
  const add = (
    className: string,
    deviceId: string,
    r: ResourceSetting,
    index: number,
    props: Record<string, string | string[] | undefined>,
  ) => {
    const inst = instance(className, props);
    out.push({ inst, path: devicePath(className, name, deviceId), resource: r, index });
  };
  v.definition.resources.forEach((r, i) => {
    const id = localId(r, i);
    const type = resourceTypeOf(r);
    if (type === ResourceType.Processor) {
      const n = Number(r.properties.VirtualQuantity ?? '1');
      for (let c = 0; c < n && c < 1024; c++)
        add(C.processor, `${id}:${c}`, r, i, {
          ...common(C.processor, `${id}:${c}`, `Virtual CPU ${c}`),
          Role: 'Central Processor',
          Family: '1',
        });
    } else if (type === ResourceType.Memory) {
      let bytes: bigint | undefined;
      try {
        bytes = quantityBytes(r);
      } catch {
        bytes = undefined;
      }
      const mib = bytes !== undefined && bytes % (1n << 20n) === 0n;
      const block = mib ? 1n << 20n : 1n;
      add(C.memory, id, r, i, {
        ...common(C.memory, id, 'Memory'),
        BlockSize: String(block),
        NumberOfBlocks: bytes === undefined ? undefined : String(bytes / block),
        ConsumableBlocks: bytes === undefined ? undefined : String(bytes / block),
        Volatile: 'true',
        Access: '3',
      });
    } else if (type !== undefined && DISK_TYPES.has(type)) {
      const media = r.properties.HostResource?.[0];
      add(C.disk, id, r, i, {
        ...common(C.disk, id, r.properties.ElementName ?? `Drive ${id}`),
        Name: media,
        Access: type === ResourceType.DiskDrive || type === ResourceType.LogicalDisk ? '3' : '1',
        Purpose: type === ResourceType.CdDrive || type === ResourceType.DvdDrive ? 'CD/DVD' : undefined,
      });
    } else if (type === ResourceType.EthernetAdapter || type === ResourceType.EthernetConnection) {
      const mac = r.properties.Address === undefined ? undefined : normalizeMac(r.properties.Address);
      add(C.port, id, r, i, {
        ...common(C.port, id, r.properties.ElementName ?? `Ethernet adapter ${id}`),
        PermanentAddress: mac?.replace(/:/g, '').toUpperCase(),
        NetworkAddresses: mac ? [mac] : undefined,
        PortType: '0',
        LinkTechnology: '2',
      });
    }
  });
  return out;
}

/** Providers of the devices and of their associations to the system, the settings and the pools. */
export function deviceProviders(env: ProviderEnv): InstanceProvider[] {
  const all = (ctx: CimContext): Promise<Device[]> =>
    memoAsync(ctx, 'devices', async () => (await allSystems(ctx, env)).flatMap((v) => devicesOf(v)));
  const deviceProvider = (className: string): InstanceProvider => ({
    className,
    enumerate: async (ctx) =>
      (await all(ctx)).filter((d) => d.inst.className === className).map((d) => d.inst),
    get: async (ctx, n) => {
      const system = key(n, 'SystemName');
      const v = system === undefined ? undefined : await oneSystem(ctx, env, system);
      if (!v) return undefined;
      return devicesOf(v).find(
        (d) => d.inst.className === className && d.inst.properties.DeviceID === key(n, 'DeviceID'),
      )?.inst;
    },
  });
  const rasdPath = (d: Device): CimInstanceName => {
    const r = rasdInstance(d.path.keys.SystemName as string, d.resource, d.index);
    return idPath(r.className, r.properties.InstanceID as string);
  };
  return [
    deviceProvider(C.processor),
    deviceProvider(C.memory),
    deviceProvider(C.disk),
    deviceProvider(C.port),
    {
      className: 'Vessel_SystemDevice',
      enumerate: async (ctx) =>
        (await all(ctx)).map((d) =>
          link(
            'Vessel_SystemDevice',
            'GroupComponent',
            systemPath(d.path.keys.SystemName as string),
            'PartComponent',
            d.path,
          ),
        ),
    },
    {
      className: 'Vessel_SettingsDefineState',
      enumerate: async (ctx) =>
        (await all(ctx)).map((d) =>
          link('Vessel_SettingsDefineState', 'ManagedElement', d.path, 'SettingData', rasdPath(d)),
        ),
    },
    {
      className: 'Vessel_ElementSettingData',
      enumerate: async (ctx) =>
        (await all(ctx)).map((d) =>
          link('Vessel_ElementSettingData', 'ManagedElement', d.path, 'SettingData', rasdPath(d), {
            IsDefault: '1',
            IsCurrent: '1',
            IsNext: '1',
          }),
        ),
    },
    {
      className: 'Vessel_ElementAllocatedFromPool',
      enumerate: async (ctx) =>
        (await all(ctx)).flatMap((d) => {
          const type = resourceTypeOf(d.resource);
          const pool = type === undefined ? undefined : poolForType(type);
          return pool
            ? [
                link(
                  'Vessel_ElementAllocatedFromPool',
                  'Antecedent',
                  idPath(C.pool, poolIds.pool(pool)),
                  'Dependent',
                  d.path,
                ),
              ]
            : [];
        }),
    },
  ];
}
