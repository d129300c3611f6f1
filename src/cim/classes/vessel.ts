import { vesselMof } from '../../model/index.js';

/** The kept disks of DestroySystemKeepingDisks: four parallel arrays, as OUT parameters and job properties. */
const KEPT = [
  ['KeptInstanceIDs', "The InstanceID of each kept disk's RASD in the destroyed system."],
  ['KeptPools', 'The storage pool that holds each kept image.'],
  ['KeptImages', "Each kept image's name in its pool (a path relative to the pool's folder)."],
  [
    'KeptHow',
    'How each was kept: converted (written from the overlay) or in-place (the system wrote it directly).',
  ],
] as const;

const KEPT_PARAMS = KEPT.map(
  ([name, text]) => `[IN(false), OUT, ArrayType("Indexed"), Description("${text}")] string ${name}[]`,
).join(',\n    ');

const KEPT_PROPERTIES = KEPT.map(
  ([name, text]) =>
    `[ArrayType("Indexed"), Description("A completed DestroySystemKeepingDisks job: ${text}")] string ${name}[];`,
).join('\n  ');

/**
 * Vessel's own classes: one thin subclass of each DMTF class that Vessel has instances of, so that clients can
 * tell Vessel's instances apart and enumerate the DMTF parent polymorphically (DSP1042 §7, DSP1057 §7). The
 * settings classes declare Vessel's extension properties (Firmware, BootOrder) from the model's property schema,
 * so that CIM-XML carries them (an instance is written with its class's properties only).
 */
export const VESSEL_MOF = `
[Description("The Vessel host: the computer system that hosts virtual systems (DSP1052, DSP1042).")]
class Vessel_HostSystem : CIM_ComputerSystem {
  [Description("The version of the Vessel software that runs the host.")] string VesselVersion;
};

[Description("A virtual system on a Vessel host (DSP1057). Name is the virtual system's name.")]
class Vessel_ComputerSystem : CIM_ComputerSystem {
  [Description("Why the system is in its state, as a code of Vessel's state vocabulary (defined, shutdown, powered-off, forced-after-timeout, ...); StatusDescriptions holds the words.")]
  string StateReason;
};

[Description("The settings of a virtual system (DSP1057), from Vessel's one model.")]
class Vessel_VirtualSystemSettingData : CIM_VirtualSystemSettingData {
  ${vesselMof('VSSD')}
};

[Description("A resource setting of a virtual system, or a pool's setting template (DSP1041, DSP1043).")]
class Vessel_ResourceAllocationSettingData : CIM_ResourceAllocationSettingData {
  ${vesselMof('RASD')}
};

[Description("A storage resource setting: disk image, CD/DVD media (DSP1047).")]
class Vessel_StorageAllocationSettingData : CIM_StorageAllocationSettingData {
  ${vesselMof('SASD')}
};

[Description("An Ethernet connection setting (DSP1050).")]
class Vessel_EthernetPortAllocationSettingData : CIM_EthernetPortAllocationSettingData {
  ${vesselMof('EPASD')}
};

[Description("A virtual processor of a virtual system (DSP1044).")]
class Vessel_Processor : CIM_Processor { };

[Description("The memory of a virtual system (DSP1045).")]
class Vessel_Memory : CIM_Memory { };

[Description("A virtual disk or drive of a virtual system (DSP1047).")]
class Vessel_LogicalDisk : CIM_LogicalDisk { };

[Description("A virtual Ethernet port of a virtual system (DSP1050).")]
class Vessel_EthernetPort : CIM_EthernetPort { };

[Description("A primordial resource pool of the host, one per resource type (DSP1041).")]
class Vessel_ResourcePool : CIM_ResourcePool { };

[Description("What a resource pool can allocate (DSP1043).")]
class Vessel_AllocationCapabilities : CIM_AllocationCapabilities { };

[Description("The state changes a virtual system accepts (DSP1057).")]
class Vessel_EnabledLogicalElementCapabilities : CIM_EnabledLogicalElementCapabilities { };

[Description("Defines, modifies and destroys virtual systems (DSP1042).")]
class Vessel_VirtualSystemManagementService : CIM_VirtualSystemManagementService {
  [Description("A Vessel extension of DestroySystem (DSP1042 §8.2.3, which has no choice of what happens to the disks): powers the system off when it is active and removes its definition, keeping the guest's data: each overlay disk becomes a standalone image in the default storage pool, a direct disk stays where it is. The Kept arrays are parallel, one entry per kept disk; a job (4096) has them once it completed."),
   ValueMap {"0", "1", "2", "3", "4", "5", "..", "4096", "4097..32767", "32768..65535"},
   Values {"Completed with No Error", "Not Supported", "Failed", "Timeout", "Invalid Parameter", "Invalid State",
     "DMTF Reserved", "Method Parameters Checked - Job Started", "Method Reserved", "Vendor Specific"}]
  uint32 DestroySystemKeepingDisks(
    [IN] CIM_ComputerSystem REF AffectedSystem,
    [IN(false), OUT] CIM_ConcreteJob REF Job,
    ${KEPT_PARAMS});
};

[Description("The serial consoles of the host's virtual systems (one service per host): a Vessel extension, as DSP1024 (Text Console Redirection) only advertises a redirection endpoint and carries no data. ReadLog answers what a guest wrote; OpenSession, Receive, Send and CloseSession carry a live console as WinRS carries a shell over WS-Man. Data is base64 (RFC 4648 §4). The caller needs the role the host's consoles need (operator); a session belongs to the user who opened it.")]
class Vessel_TextConsoleService : CIM_Service {
  [Description("Sessions one user may hold open at once.")] uint32 MaxSessionsPerUser;
  [Description("Sessions the host holds open at once.")] uint32 MaxSessions;
  [Description("A session without a Receive for this long is closed."), Units("Seconds")] uint32 IdleTimeout;
  [Description("The most bytes one Send carries, one Receive and one ReadLog answer (before base64)."), Units("Bytes")]
  uint32 MaxDataBytes;
  [Description("Output kept per session until received; beyond, the oldest bytes are dropped."), Units("Bytes")]
  uint32 MaxBufferedBytes;
  [Description("The longest a Receive waits for output."), Units("Seconds")] uint32 MaxReceiveWait;
  [Description("The last MaxBytes bytes the system wrote to its first serial port."),
   ValueMap {"0", "1", "2", "4", "5"}, Values {"Completed with No Error", "Not Supported", "Failed", "Invalid Parameter", "Invalid State"}]
  uint32 ReadLog([IN] CIM_ComputerSystem REF System, [IN] uint32 MaxBytes, [IN(false), OUT] string Data);
  [Description("Opens a live session on the serial console of a running (or paused) system; 5 when it is not running."),
   ValueMap {"0", "1", "2", "4", "5"}, Values {"Completed with No Error", "Not Supported", "Failed", "Invalid Parameter", "Invalid State"}]
  uint32 OpenSession([IN] CIM_ComputerSystem REF System, [IN(false), OUT] string Session);
  [Description("What the console wrote since the last Receive, waiting up to Timeout (an interval, at most MaxReceiveWait) when nothing is waiting. Closed is true once the console ended (the system stopped) and all was received; the session is then gone. DroppedBytes counts output dropped since the last Receive because MaxBufferedBytes was reached."),
   ValueMap {"0", "1", "2", "4", "5"}, Values {"Completed with No Error", "Not Supported", "Failed", "Invalid Parameter", "Invalid State"}]
  uint32 Receive([IN] string Session, [IN] datetime Timeout, [IN(false), OUT] string Data,
    [IN(false), OUT] boolean Closed, [IN(false), OUT] uint64 DroppedBytes);
  [Description("Writes Data to the console; 5 when the console has ended."),
   ValueMap {"0", "1", "2", "4", "5"}, Values {"Completed with No Error", "Not Supported", "Failed", "Invalid Parameter", "Invalid State"}]
  uint32 Send([IN] string Session, [IN] string Data);
  [Description("Closes a session."),
   ValueMap {"0", "1", "2", "4", "5"}, Values {"Completed with No Error", "Not Supported", "Failed", "Invalid Parameter", "Invalid State"}]
  uint32 CloseSession([IN] string Session);
};

[Description("What the virtual system management service supports (DSP1042).")]
class Vessel_VirtualSystemManagementCapabilities : CIM_VirtualSystemManagementCapabilities { };

[Description("A job started by a method that answered 4096 (DSP1103).")]
class Vessel_ConcreteJob : CIM_ConcreteJob {
  ${KEPT_PROPERTIES}
};

[Description("A DMTF profile that Vessel implements (DSP1033).")]
class Vessel_RegisteredProfile : CIM_RegisteredProfile { };

[Description("The CIM object manager of a Vessel host (DSP1033 §7.3).")]
class Vessel_ObjectManager : CIM_ObjectManager { };

[Description("A namespace the object manager serves.")]
class Vessel_Namespace : CIM_Namespace { };

[Association, Description("The object manager and the namespaces it serves.")]
class Vessel_NamespaceInManager : CIM_NamespaceInManager { };

[Association, Description("A profile and the profile it builds on or scopes (DSP1033).")]
class Vessel_ReferencedProfile : CIM_ReferencedProfile { };

[Association, Description("A profile and the central instance that conforms to it (DSP1033).")]
class Vessel_ElementConformsToProfile : CIM_ElementConformsToProfile { };

[Association, Description("The host and a virtual system it hosts (DSP1042).")]
class Vessel_HostedDependency : CIM_HostedDependency { };

[Association, Description("The host and the services it hosts.")]
class Vessel_HostedService : CIM_HostedService { };

[Association, Aggregation, Composition, Description("The host and its resource pools (DSP1041).")]
class Vessel_HostedResourcePool : CIM_HostedResourcePool { };

[Association, Aggregation, Composition, Description("A virtual system and its devices (DSP1057).")]
class Vessel_SystemDevice : CIM_SystemDevice { };

[Description("The software that runs the host: a Vessel host image (Classifications 13, Software Bundle) or Vessel installed on another system (4, Application Software) (DSP1023).")]
class Vessel_SoftwareIdentity : CIM_SoftwareIdentity {
  [Description("In a Vessel host image: the SHA-256 (hex) of the boot medium's live/SHA256SUMS, which lists the sum of each layer; empty elsewhere.")]
  string ImageDigest;
};

[Association, Description("The host and the hypervisor software installed on it (DSP1023).")]
class Vessel_InstalledSoftwareIdentity : CIM_InstalledSoftwareIdentity { };

[Association, Description("The hypervisor software and the host it runs, ElementSoftwareStatus Current and Installed (DSP1023).")]
class Vessel_ElementSoftwareIdentity : CIM_ElementSoftwareIdentity { };

[Association, Description("An element and its capabilities.")]
class Vessel_ElementCapabilities : CIM_ElementCapabilities { };

[Association, Aggregation, Description("Allocation capabilities and their setting templates (DSP1043).")]
class Vessel_SettingsDefineCapabilities : CIM_SettingsDefineCapabilities { };

[Association, Description("A virtual system or device and its defined settings (DSP1057).")]
class Vessel_ElementSettingData : CIM_ElementSettingData { };

[Association, Description("A virtual system or device and the settings that show its state (DSP1057).")]
class Vessel_SettingsDefineState : CIM_SettingsDefineState { };

[Association, Aggregation, Description("A virtual system's settings and its resource settings (DSP1057).")]
class Vessel_VirtualSystemSettingDataComponent : CIM_VirtualSystemSettingDataComponent { };

[Association, Description("A pool and a device allocated from it (DSP1041).")]
class Vessel_ElementAllocatedFromPool : CIM_ElementAllocatedFromPool { };

[Association, Description("A pool and a resource setting allocated from it (DSP1041).")]
class Vessel_ResourceAllocationFromPool : CIM_ResourceAllocationFromPool { };

[Association, Description("The management service and the virtual systems it manages (DSP1042).")]
class Vessel_ServiceAffectsElement : CIM_ServiceAffectsElement { };

[Association, Description("A job and the element it affects or created (DSP1103).")]
class Vessel_AffectedJobElement : CIM_AffectedJobElement { };

[Association, Description("The service that owns a job (DSP1103).")]
class Vessel_OwningJobElement : CIM_OwningJobElement { };
`;
