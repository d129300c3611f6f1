/**
 * Namespace URIs of OVF and the CIM settings classes, and how real files spell them. Elements are always matched
 * by URI (DSP0243 §5; producers use odd prefixes), accepting the variants real producers write.
 */
import type { OvfGeneration } from './types.js';

/** OVF 1.x envelope namespace (DSP8023). */
export const OVF1_NS = 'http://schemas.dmtf.org/ovf/envelope/1';
/** OVF 2.x envelope namespace. */
export const OVF2_NS = 'http://schemas.dmtf.org/ovf/envelope/2';
/** VMware's pre-DMTF 0.9 envelope namespace (read only). */
export const OVF09_NS = 'http://www.vmware.com/schema/ovf/1/envelope';
/** The OVF environment namespace (DSP8027), used by ovf-env.xml for 1.x and 2.x. */
export const OVFENV_NS = 'http://schemas.dmtf.org/ovf/environment/1';

const CIM_SCHEMA = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/';
/** CIM_ResourceAllocationSettingData (Item children). */
export const RASD_NS = `${CIM_SCHEMA}CIM_ResourceAllocationSettingData`;
/** CIM_VirtualSystemSettingData (System children). */
export const VSSD_NS = `${CIM_SCHEMA}CIM_VirtualSystemSettingData`;
/** CIM_StorageAllocationSettingData (OVF 2 StorageItem children). */
export const SASD_NS = `${CIM_SCHEMA}CIM_StorageAllocationSettingData`;
/** CIM_EthernetPortAllocationSettingData (OVF 2 EthernetPortItem children). */
export const EPASD_NS = `${CIM_SCHEMA}CIM_EthernetPortAllocationSettingData`;
/** WS-CIM common types (cim:cimString ...). */
export const CIM_COMMON_NS = 'http://schemas.dmtf.org/wbem/wscim/1/common';
/** VMware's extension namespace (vmw:Config, vmw:osType, ...). */
export const VMW_NS = 'http://www.vmware.com/schema/ovf';
/** VirtualBox's extension namespace (vbox:Machine). */
export const VBOX_NS = 'http://www.virtualbox.org/ovf/machine';
/** Vessel's extension namespace (`vessel:BootOrder` in OVF 1.x, where DSP0243 1.x has no boot order). */
export const VESSEL_NS = 'urn:vessel:ovf:1';
/** CIM_BootConfigSetting (OVF 2.x BootDeviceSection, DSP8023 2.0 draft BootDeviceSection_Type). */
export const BOOTC_NS = `${CIM_SCHEMA}CIM_BootConfigSetting`;
/** CIM_BootSourceSetting (the boot sources of a BootDeviceSection, first first). */
export const BOOTS_NS = `${CIM_SCHEMA}CIM_BootSourceSetting`;

/**
 * The OVF generation an envelope namespace URI stands for, or undefined when it is not OVF.
 * oVirt writes the 1.x URI with a trailing slash; it is read as 1.x.
 */
export function generationOf(ns: string): OvfGeneration | undefined {
  switch (ns) {
    case OVF1_NS:
    case `${OVF1_NS}/`:
      return '1';
    case OVF2_NS:
    case `${OVF2_NS}/`:
      return '2';
    case OVF09_NS:
      return '0.9';
    default:
      return undefined;
  }
}

/** The envelope namespace Vessel writes for a generation (0.9 is written as 1.x). */
export function envelopeNamespace(generation: OvfGeneration): string {
  return generation === '2' ? OVF2_NS : OVF1_NS;
}

/** Which CIM settings class a namespace URI names, accepting the `.xsd` spellings VirtualBox and COT write. */
export function settingsClassOf(ns: string): 'rasd' | 'vssd' | 'sasd' | 'epasd' | 'pasd' | undefined {
  const m =
    /^http:\/\/schemas\.dmtf\.org\/wbem\/wscim\/1\/cim[- ][^/]*\/2\/CIM_([A-Za-z]+)(?:\.xsd)?\/?$/.exec(ns);
  switch (m?.[1]) {
    case 'ResourceAllocationSettingData':
      return 'rasd';
    case 'VirtualSystemSettingData':
      return 'vssd';
    case 'StorageAllocationSettingData':
      return 'sasd';
    case 'EthernetPortAllocationSettingData':
      return 'epasd';
    case 'ProcessorAllocationSettingData':
      return 'pasd';
    default:
      return undefined;
  }
}
