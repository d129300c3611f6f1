import { INTEROP_NAMESPACE, VIRT_NAMESPACE } from './classes/index.js';
import type { CimInstanceName } from './types.js';

/**
 * How Vessel names its CIM instances (keys and InstanceIDs). InstanceIDs follow DSP0004's `<OrgID>:<LocalID>`
 * form with the OrgID `Vessel`; a virtual system's name never contains `/`, so `<name>/<rasd id>` splits back
 * exactly.
 */
export const ORG = 'Vessel';

/** Class names of Vessel's instances. */
export const C = {
  host: 'Vessel_HostSystem',
  system: 'Vessel_ComputerSystem',
  vssd: 'Vessel_VirtualSystemSettingData',
  rasd: 'Vessel_ResourceAllocationSettingData',
  sasd: 'Vessel_StorageAllocationSettingData',
  epasd: 'Vessel_EthernetPortAllocationSettingData',
  processor: 'Vessel_Processor',
  memory: 'Vessel_Memory',
  disk: 'Vessel_LogicalDisk',
  port: 'Vessel_EthernetPort',
  pool: 'Vessel_ResourcePool',
  allocCaps: 'Vessel_AllocationCapabilities',
  eleCaps: 'Vessel_EnabledLogicalElementCapabilities',
  vsms: 'Vessel_VirtualSystemManagementService',
  vsmsCaps: 'Vessel_VirtualSystemManagementCapabilities',
  consoles: 'Vessel_TextConsoleService',
  job: 'Vessel_ConcreteJob',
  profile: 'Vessel_RegisteredProfile',
  objectManager: 'Vessel_ObjectManager',
  namespace: 'Vessel_Namespace',
} as const;

/** The InstanceID of the hypervisor's software identity, Vessel_SoftwareIdentity (DSP1023). */
export const HYPERVISOR_SOFTWARE_ID = 'Vessel:SoftwareIdentity/Hypervisor';

/** The object manager's Name key. */
export const OBJECT_MANAGER_NAME = 'Vessel:ObjectManager';

/** The object manager's path (it lives in root/interop, on the host system). */
export function objectManagerPath(host: string): CimInstanceName {
  return {
    className: C.objectManager,
    keys: {
      SystemCreationClassName: C.host,
      SystemName: host,
      CreationClassName: C.objectManager,
      Name: OBJECT_MANAGER_NAME,
    },
    namespace: INTEROP_NAMESPACE,
  };
}

/** The path of the CIM_Namespace instance of a namespace the object manager serves. */
export function namespacePath(host: string, name: string): CimInstanceName {
  return {
    className: C.namespace,
    keys: {
      SystemCreationClassName: C.host,
      SystemName: host,
      ObjectManagerCreationClassName: C.objectManager,
      ObjectManagerName: OBJECT_MANAGER_NAME,
      CreationClassName: C.namespace,
      Name: name,
    },
    namespace: INTEROP_NAMESPACE,
  };
}

/** The name of the virtual system management service (its Name key). */
export const VSMS_NAME = 'Management Service';

/** The host system's path. */
export function hostPath(host: string): CimInstanceName {
  return { className: C.host, keys: { CreationClassName: C.host, Name: host }, namespace: VIRT_NAMESPACE };
}

/** A virtual system's path: Name is the virtual system's name (as libvirt-cim does; the UUID is in the VSSD). */
export function systemPath(name: string): CimInstanceName {
  return {
    className: C.system,
    keys: { CreationClassName: C.system, Name: name },
    namespace: VIRT_NAMESPACE,
  };
}

/** The management service's path. */
export function vsmsPath(host: string): CimInstanceName {
  return {
    className: C.vsms,
    keys: { SystemCreationClassName: C.host, SystemName: host, CreationClassName: C.vsms, Name: VSMS_NAME },
    namespace: VIRT_NAMESPACE,
  };
}

/** The name of the serial console service (its Name key). */
export const CONSOLE_SERVICE_NAME = 'Console Service';

/** The serial console service's path (Vessel_TextConsoleService, one per host). */
export function consoleServicePath(host: string): CimInstanceName {
  return {
    className: C.consoles,
    keys: {
      SystemCreationClassName: C.host,
      SystemName: host,
      CreationClassName: C.consoles,
      Name: CONSOLE_SERVICE_NAME,
    },
    namespace: VIRT_NAMESPACE,
  };
}

/** A path of a class keyed by InstanceID alone. */
export function idPath(className: string, id: string, namespace = VIRT_NAMESPACE): CimInstanceName {
  return { className, keys: { InstanceID: id }, namespace };
}

/** A device's path: its system is the virtual system. */
export function devicePath(className: string, system: string, deviceId: string): CimInstanceName {
  return {
    className,
    keys: {
      SystemCreationClassName: C.system,
      SystemName: system,
      CreationClassName: className,
      DeviceID: deviceId,
    },
    namespace: VIRT_NAMESPACE,
  };
}

/** `Vessel:<name>`: the VSSD of a virtual system. */
export function vssdId(name: string): string {
  return `${ORG}:${name}`;
}

/** `Vessel:<name>/<rasd InstanceID>`: a resource setting of a virtual system. */
export function rasdId(name: string, localId: string): string {
  return `${ORG}:${name}/${localId}`;
}

/** Splits a VSSD or RASD InstanceID back into the system name and the RASD's own InstanceID. */
export function parseSettingId(id: string): { system: string; localId?: string } | undefined {
  if (!id.startsWith(`${ORG}:`)) return undefined;
  const rest = id.slice(ORG.length + 1);
  if (rest === '' || rest.startsWith('Template/') || rest.startsWith('Pool/')) return undefined;
  const slash = rest.indexOf('/');
  if (slash < 0) return { system: rest };
  if (slash === 0 || slash === rest.length - 1) return undefined;
  return { system: rest.slice(0, slash), localId: rest.slice(slash + 1) };
}

/** The path of a registered profile (they live in root/interop). */
export function profilePath(id: string): CimInstanceName {
  return idPath(C.profile, id, INTEROP_NAMESPACE);
}
