import { xmlAttr, xmlText } from '../../../cimxml/escape.js';

/**
 * The CIM types of the Msvm_* properties this profile writes that are not strings (MSDN's class pages; libvirt
 * keeps the same in hyperv_wmi_generator.input). WMI checks an embedded instance's TYPE against its class, so a
 * number sent as a string is refused (32776, incorrect data type).
 */
const TYPES: Readonly<Record<string, string>> = {
  ResourceType: 'uint16',
  VirtualQuantity: 'uint64',
  Reservation: 'uint64',
  Limit: 'uint64',
  Weight: 'uint32',
  AutomaticAllocation: 'boolean',
  AutomaticDeallocation: 'boolean',
  StaticMacAddress: 'boolean',
  DynamicMemoryEnabled: 'boolean',
  AutomaticStartupAction: 'uint16',
  AutomaticShutdownAction: 'uint16',
  ConsolidationMode: 'uint16',
};

/** Properties that are arrays in their class. */
const ARRAYS: ReadonlySet<string> = new Set(['HostResource', 'Connection', 'VirtualSystemIdentifiers']);

/**
 * An embedded instance as Hyper-V's methods take it (DefineSystem's SystemSettings, Add/ModifyResourceSettings'
 * ResourceSettings): CIM-XML `<INSTANCE CLASSNAME>` with `<PROPERTY NAME TYPE><VALUE>` (DSP0201 §5.2.4) as a
 * string, as libvirt's hypervSerializeEmbeddedParam builds it; the WS-Man request carries it as text.
 *
 * @example
 * embeddedInstance('Msvm_VirtualSystemSettingData', { ElementName: 'web1' });
 * // '<INSTANCE CLASSNAME="Msvm_VirtualSystemSettingData"><PROPERTY NAME="ElementName" TYPE="string"><VALUE>web1</VALUE></PROPERTY></INSTANCE>'
 */
export function embeddedInstance(
  className: string,
  properties: Readonly<Record<string, string | readonly string[] | undefined>>,
): string {
  let s = `<INSTANCE CLASSNAME="${xmlAttr(className)}">`;
  for (const [name, v] of Object.entries(properties)) {
    if (v === undefined) continue;
    const type = TYPES[name] ?? 'string';
    if (ARRAYS.has(name) || Array.isArray(v)) {
      const list = Array.isArray(v) ? v : [v as string];
      s += `<PROPERTY.ARRAY NAME="${xmlAttr(name)}" TYPE="${type}"><VALUE.ARRAY>${list.map((x) => `<VALUE>${xmlText(x)}</VALUE>`).join('')}</VALUE.ARRAY></PROPERTY.ARRAY>`;
    } else
      s += `<PROPERTY NAME="${xmlAttr(name)}" TYPE="${type}"><VALUE>${xmlText(v as string)}</VALUE></PROPERTY>`;
  }
  return `${s}</INSTANCE>`;
}

/**
 * A WMI object path of a settings instance by its InstanceID, as Hyper-V writes a RASD's Parent and the
 * connection's Parent (`\\HOST\root\virtualization\v2:Class.InstanceID="..."`, backslashes and quotes escaped).
 *
 * @example
 * wmiPath('HV1', 'Msvm_ResourceAllocationSettingData', 'Microsoft:G\\83F8638B\\0\\0\\D');
 */
export function wmiPath(host: string, className: string, instanceId: string): string {
  const id = instanceId.replace(/[\\"]/g, (c) => `\\${c}`);
  return `\\\\${host}\\root\\virtualization\\v2:${className}.InstanceID="${id}"`;
}
