import type { StateOperation, SystemState } from '../../../../api/index.js';

/**
 * Hyper-V's WMI v2 virtualization namespace (root/virtualization/v2, Windows Server 2012 and later) as libvirt's
 * src/hyperv driver reads it: the classes, the WQL it sends, and the numeric values of the Msvm_* enumerations
 * (MSDN "Msvm_ComputerSystem class", "RequestStateChange method of the Msvm_ComputerSystem class",
 * "Msvm_ConcreteJob class").
 */

/** The namespace of every Msvm_* class the profile reads. */
export const HYPERV_NAMESPACE = 'root/virtualization/v2';

/** What Identify's ProductVendor says on a Windows WinRM service. */
export const MICROSOFT_VENDOR = 'Microsoft Corporation';

/** The classes the profile reads and calls, by role. */
export const MSVM = {
  system: 'Msvm_ComputerSystem',
  vssd: 'Msvm_VirtualSystemSettingData',
  processor: 'Msvm_ProcessorSettingData',
  memory: 'Msvm_MemorySettingData',
  rasd: 'Msvm_ResourceAllocationSettingData',
  sasd: 'Msvm_StorageAllocationSettingData',
  nic: 'Msvm_SyntheticEthernetPortSettingData',
  connection: 'Msvm_EthernetPortAllocationSettingData',
  switch: 'Msvm_VirtualEthernetSwitch',
  vsms: 'Msvm_VirtualSystemManagementService',
  shutdown: 'Msvm_ShutdownComponent',
  job: 'Msvm_ConcreteJob',
} as const;

/** The Msvm_ComputerSystem Description that tells a virtual machine from the host itself. */
export const VM_DESCRIPTION = 'Microsoft Virtual Machine';

/** The settings classes a VSSD aggregates (Msvm_VirtualSystemSettingDataComponent) that the model maps. */
export const SETTINGS_CLASSES = [
  MSVM.processor,
  MSVM.memory,
  MSVM.rasd,
  MSVM.sasd,
  MSVM.nic,
  MSVM.connection,
] as const;

/**
 * A WQL string literal: WQL quotes with `"` or `'` and escapes with a backslash (libvirt's virBufferEscapeSQL
 * escapes `'`, `"` and `\`).
 *
 * @example
 * wqlString('web "1"'); // '"web \\"1\\""'
 */
export function wqlString(text: string): string {
  return `"${text.replace(/[\\"']/g, (c) => `\\${c}`)}"`;
}

/** `SELECT * FROM Msvm_ComputerSystem WHERE Description = "Microsoft Virtual Machine"` [AND ...]. */
export function vmQuery(and?: { Name?: string; ElementName?: string }): string {
  let q = `SELECT * FROM ${MSVM.system} WHERE Description = ${wqlString(VM_DESCRIPTION)}`;
  if (and?.Name !== undefined) q += ` AND Name = ${wqlString(and.Name)}`;
  if (and?.ElementName !== undefined) q += ` AND ElementName = ${wqlString(and.ElementName)}`;
  return q;
}

/** The VSSD that defines a VM's state (Msvm_SettingsDefineState), as libvirt asks for it. */
export function vssdQuery(guid: string): string {
  return `ASSOCIATORS OF {${MSVM.system}.CreationClassName=${wqlString(MSVM.system)},Name=${wqlString(guid)}} WHERE AssocClass = Msvm_SettingsDefineState ResultClass = ${MSVM.vssd}`;
}

/** The settings of one class that a VSSD aggregates (Msvm_VirtualSystemSettingDataComponent). */
export function componentQuery(vssdInstanceId: string, resultClass: string): string {
  return `ASSOCIATORS OF {${MSVM.vssd}.InstanceID=${wqlString(vssdInstanceId)}} WHERE AssocClass = Msvm_VirtualSystemSettingDataComponent ResultClass = ${resultClass}`;
}

/**
 * Msvm_ComputerSystem.EnabledState as the one state vocabulary (CIM_EnabledLogicalElement values and Hyper-V's
 * own 32768+ values; transitions read as the state they leave, as libvirt's hyperv driver does). Values not
 * listed are `unknown`.
 */
export const STATE_OF_ENABLED: Readonly<Record<number, SystemState>> = {
  2: 'running',
  3: 'stopped',
  4: 'stopping',
  6: 'suspended', // Enabled but Offline: saved
  9: 'paused', // Quiesce
  10: 'starting',
  32768: 'paused',
  32769: 'suspended',
  32770: 'starting',
  32771: 'running', // Snapshotting
  32773: 'running', // Saving
  32774: 'stopping',
  32776: 'running', // Pausing
  32777: 'paused', // Resuming
};

/**
 * The RequestedState each state operation sends to Msvm_ComputerSystem.RequestStateChange (2 Running, 3 Off,
 * 6 Saved, 9 Quiesce, 10 Reboot, 11 Reset); `shutdown` goes through Msvm_ShutdownComponent.InitiateShutdown.
 */
export const REQUESTED_STATE: Readonly<Record<Exclude<StateOperation, 'shutdown'>, number>> = {
  start: 2,
  resume: 2,
  powerOff: 3,
  suspend: 6,
  pause: 9,
  reboot: 10,
  reset: 11,
};

/** CIM_ConcreteJob.JobState (DSP1103): 2 New, 3 Starting, 4 Running, 5 Suspended, 6 Shutting Down. */
export const JOB_RUNNING: ReadonlySet<number> = new Set([2, 3, 4, 5, 6]);
/** JobState 7: Completed. */
export const JOB_COMPLETED = 7;
/** JobState 8 Terminated, 9 Killed, 10 Exception, 11 Service: the job failed. */
export const JOB_FAILED_STATES: Readonly<Record<number, string>> = {
  8: 'Terminated',
  9: 'Killed',
  10: 'Exception',
  11: 'Service',
};
