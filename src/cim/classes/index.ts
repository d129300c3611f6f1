import { ClassRepository } from '../repository.js';
import { ASSOCIATIONS_MOF } from './associations.js';
import { CORE_MOF } from './core.js';
import { DEVICES_MOF } from './devices.js';
import { INDICATION_CLASSES, INDICATIONS_MOF, SUBSCRIPTION_CLASSES } from './indications.js';
import { INTEROP_MOF } from './interop.js';
import { JOBS_MOF } from './jobs.js';
import { METRICS_MOF } from './metrics.js';
import { SETTINGS_MOF } from './settings.js';
import { SOFTWARE_MOF } from './software.js';
import { SYSTEM_MOF } from './system.js';
import { VESSEL_MOF } from './vessel.js';

export { INDICATION_CLASSES, SUBSCRIPTION_CLASSES } from './indications.js';

/** The interop namespace, where profiles are registered (DSP1033 §7.1). */
export const INTEROP_NAMESPACE = 'root/interop';
/** The interop namespace's other name, the one DSP1033 §7.1 and pywbem's WBEMServer try first. */
export const INTEROP_ALIAS = 'interop';
/** The implementation namespace of the virtualization profiles. */
export const VIRT_NAMESPACE = 'root/virtualization';

/** Every class declaration Vessel serves, as MOF texts. */
export const CLASS_MOF: readonly string[] = [
  CORE_MOF,
  SYSTEM_MOF,
  SETTINGS_MOF,
  DEVICES_MOF,
  JOBS_MOF,
  INTEROP_MOF,
  INDICATIONS_MOF,
  ASSOCIATIONS_MOF,
  SOFTWARE_MOF,
  VESSEL_MOF,
  METRICS_MOF,
];

const INTEROP_CLASSES = [
  'Vessel_RegisteredProfile',
  'Vessel_ObjectManager',
  'Vessel_Namespace',
  'Vessel_NamespaceInManager',
  'Vessel_ReferencedProfile',
  'Vessel_ElementConformsToProfile',
  ...SUBSCRIPTION_CLASSES,
  ...INDICATION_CLASSES,
];

const VIRT_CLASSES = [
  'Vessel_HostSystem',
  'Vessel_ComputerSystem',
  'Vessel_VirtualSystemSettingData',
  'Vessel_ResourceAllocationSettingData',
  'Vessel_StorageAllocationSettingData',
  'Vessel_EthernetPortAllocationSettingData',
  'Vessel_Processor',
  'Vessel_Memory',
  'Vessel_LogicalDisk',
  'Vessel_EthernetPort',
  'Vessel_ResourcePool',
  'Vessel_AllocationCapabilities',
  'Vessel_EnabledLogicalElementCapabilities',
  'Vessel_VirtualSystemManagementService',
  'Vessel_VirtualSystemManagementCapabilities',
  'Vessel_TextConsoleService',
  'Vessel_ConcreteJob',
  'CIM_Error',
  'Vessel_HostedDependency',
  'Vessel_HostedService',
  'Vessel_HostedResourcePool',
  'Vessel_SystemDevice',
  'Vessel_SoftwareIdentity',
  'Vessel_InstalledSoftwareIdentity',
  'Vessel_ElementSoftwareIdentity',
  'Vessel_ElementCapabilities',
  'Vessel_SettingsDefineCapabilities',
  'Vessel_ElementSettingData',
  'Vessel_SettingsDefineState',
  'Vessel_VirtualSystemSettingDataComponent',
  'Vessel_ElementAllocatedFromPool',
  'Vessel_ResourceAllocationFromPool',
  'Vessel_ServiceAffectsElement',
  'Vessel_AffectedJobElement',
  'Vessel_OwningJobElement',
  'Vessel_ElementConformsToProfile',
  'Vessel_BaseMetricDefinition',
  'Vessel_BaseMetricValue',
  'Vessel_MetricDefForME',
  'Vessel_MetricForME',
  'Vessel_MetricInstance',
  ...INDICATION_CLASSES,
];

/**
 * The class repository of a Vessel host: `root/interop` serves profile registration, `root/virtualization` the
 * virtualization classes (and ElementConformsToProfile, so that associations cross both ways).
 *
 * @example
 * createClassRepository().namespace('root/virtualization').isA('Vessel_ComputerSystem', 'CIM_System'); // true
 */
export function createClassRepository(): ClassRepository {
  const repo = ClassRepository.fromMof([...CLASS_MOF], {
    [INTEROP_NAMESPACE]: INTEROP_CLASSES,
    [VIRT_NAMESPACE]: VIRT_CLASSES,
  });
  repo.alias(INTEROP_ALIAS, INTEROP_NAMESPACE);
  return repo;
}
