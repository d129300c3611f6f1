import { CIM_STATE_OF, type SystemDetail } from '../../api/index.js';
import { quantityBytes, type ResourceSetting, ResourceType, resourceTypeOf } from '../../model/index.js';
import { type ResourceFacts, resourceFacts } from '../facts.js';
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

/**
 * The logical devices of a virtual system (DSP1057 §7.5): they exist while it is active (running or paused).
 * One CIM_Processor per virtual CPU (DSP1044), one CIM_Memory (DSP1045), a CIM_LogicalDisk per drive (DSP1047)
 * and a CIM_EthernetPort per NIC (DSP1050, DSP1014). Drives and NICs are what the model's device view says they
 * are (`facts`), with their sizes and MACs.
 */
function devicesOf(v: SystemDetail, facts: readonly ResourceFacts[]): Device[] {
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
    const f = facts[i] ?? {};
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
      add(C.memory, id, r, i, {
        ...common(C.memory, id, 'Memory'),
        ...blocksOf(bytes, 1n << 20n),
        Volatile: 'true',
        Access: '3',
      });
    } else if (f.device === 'drive') {
      add(C.disk, id, r, i, {
        ...common(C.disk, id, r.properties.ElementName ?? `Drive ${id}`),
        Name: r.properties.HostResource?.[0],
        Access: f.drive === 'disk' ? '3' : '1',
        Purpose: f.drive === 'cdrom' ? 'CD/DVD' : f.drive === 'floppy' ? 'Floppy' : undefined,
        // DSP1047 §10.2 (CIM_LogicalDisk): the size as BlockSize × NumberOfBlocks, 512-byte sectors when whole.
        ...blocksOf(f.sizeBytes, 512n),
      });
    } else if (f.device === 'nic') {
      const mac = f.mac;
      add(C.port, id, r, i, {
        ...common(C.port, id, r.properties.ElementName ?? `Ethernet adapter ${id}`),
        // DSP1014 §7.2: PermanentAddress is 12 hex digits without separators; NetworkAddresses the same form.
        PermanentAddress: mac === undefined ? undefined : macHex(mac),
        NetworkAddresses: mac === undefined ? undefined : [macHex(mac)],
        PortType: '0',
        LinkTechnology: '2',
      });
    }
  });
  return out;
}

/** A MAC in colon form as DSP1014 writes it: 12 upper-case hex digits. */
function macHex(mac: string): string {
  return mac.replace(/:/g, '').toUpperCase();
}

/**
 * BlockSize, NumberOfBlocks and ConsumableBlocks of a size (CIM_StorageExtent): blocks of `block` bytes when the
 * size is a whole number of them, else of 1 byte; none when the size is unknown.
 */
function blocksOf(bytes: bigint | undefined, block: bigint): Record<string, string | undefined> {
  if (bytes === undefined) return {};
  const b = bytes % block === 0n ? block : 1n;
  return { BlockSize: String(b), NumberOfBlocks: String(bytes / b), ConsumableBlocks: String(bytes / b) };
}

/** Providers of the devices and of their associations to the system, the settings and the pools. */
export function deviceProviders(env: ProviderEnv): InstanceProvider[] {
  const all = (ctx: CimContext): Promise<Device[]> =>
    memoAsync(ctx, 'devices', async () => {
      const systems = (await allSystems(ctx, env)).filter((v) => isActive(v.state));
      const facts = await Promise.all(systems.map((v) => resourceFacts(ctx, env, v)));
      return systems.flatMap((v, i) => devicesOf(v, facts[i]!));
    });
  const deviceProvider = (className: string): InstanceProvider => ({
    className,
    enumerate: async (ctx) =>
      (await all(ctx)).filter((d) => d.inst.className === className).map((d) => d.inst),
    get: async (ctx, n) => {
      const system = key(n, 'SystemName');
      const v = system === undefined ? undefined : await oneSystem(ctx, env, system);
      if (!v) return undefined;
      return devicesOf(v, await resourceFacts(ctx, env, v)).find(
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
