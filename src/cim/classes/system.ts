/**
 * Systems, services, capabilities and resource pools (CIM 2.41 System, Core, Virtualization), in compact MOF.
 * Cross-checked against the DMTF MOFs by classes.test.ts.
 */
export const SYSTEM_MOF = `
[Abstract] class CIM_System : CIM_EnabledLogicalElement {
  [Key] string CreationClassName;
  [Key, Override("Name")] string Name;
  string NameFormat;
  string PrimaryOwnerName;
  string PrimaryOwnerContact;
  string Roles[];
  [ArrayType("Indexed")] string OtherIdentifyingInfo[];
  [ArrayType("Indexed")] string IdentifyingDescriptions[];
};

class CIM_ComputerSystem : CIM_System {
  [Override("NameFormat")] string NameFormat;
  [ArrayType("Indexed")] uint16 Dedicated[];
  [ArrayType("Indexed")] string OtherDedicatedDescriptions[];
  uint16 ResetCapability;
  uint16 PowerManagementCapabilities[];
  uint32 SetPowerState(uint32 PowerState, datetime Time);
};

[Abstract] class CIM_Service : CIM_EnabledLogicalElement {
  [Key] string SystemCreationClassName;
  [Key] string SystemName;
  [Key] string CreationClassName;
  [Key, Override("Name")] string Name;
  string PrimaryOwnerName;
  string PrimaryOwnerContact;
  string StartMode;
  boolean Started;
  uint32 StartService();
  uint32 StopService();
};

class CIM_VirtualSystemManagementService : CIM_Service {
  [ValueMap {"0", "1", "2", "3", "4", "..", "4096", "4097..32767", "32768..65535"},
   Values {"Completed with No Error", "Not Supported", "Failed", "Timeout", "Invalid Parameter", "DMTF Reserved",
     "Method Parameters Checked - Job Started", "Method Reserved", "Vendor Specific"}]
  uint32 AddResourceSettings(
    [IN] CIM_VirtualSystemSettingData REF AffectedConfiguration,
    [IN, EmbeddedInstance("CIM_ResourceAllocationSettingData"), ArrayType("Indexed")] string ResourceSettings[],
    [IN(false), OUT, ArrayType("Indexed")] CIM_ResourceAllocationSettingData REF ResultingResourceSettings[],
    [IN(false), OUT] CIM_ConcreteJob REF Job);
  [ValueMap {"0", "1", "2", "3", "4", "..", "4096", "4097..32767", "32768..65535"},
   Values {"Completed with No Error", "Not Supported", "Failed", "Timeout", "Invalid Parameter", "DMTF Reserved",
     "Method Parameters Checked - Job Started", "Method Reserved", "Vendor Specific"}]
  uint32 DefineSystem(
    [IN, EmbeddedInstance("CIM_VirtualSystemSettingData")] string SystemSettings,
    [IN, EmbeddedInstance("CIM_ResourceAllocationSettingData"), ArrayType("Indexed")] string ResourceSettings[],
    [IN] CIM_VirtualSystemSettingData REF ReferenceConfiguration,
    [IN(false), OUT] CIM_ComputerSystem REF ResultingSystem,
    [IN(false), OUT] CIM_ConcreteJob REF Job);
  [ValueMap {"0", "1", "2", "3", "4", "5", "..", "4096", "4097..32767", "32768..65535"},
   Values {"Completed with No Error", "Not Supported", "Failed", "Timeout", "Invalid Parameter", "Invalid State",
     "DMTF Reserved", "Method Parameters Checked - Job Started", "Method Reserved", "Vendor Specific"}]
  uint32 DestroySystem(
    [IN] CIM_ComputerSystem REF AffectedSystem,
    [IN(false), OUT] CIM_ConcreteJob REF Job);
  [ValueMap {"0", "1", "2", "3", "4", "5", "6", "..", "4096", "4097..32767", "32768..65535"},
   Values {"Completed with No Error", "Not Supported", "Failed", "Timeout", "Invalid Parameter", "Invalid State",
     "Incompatible Parameters", "DMTF Reserved", "Method Parameters Checked - Job Started", "Method Reserved",
     "Vendor Specific"}]
  uint32 ModifyResourceSettings(
    [IN, EmbeddedInstance("CIM_ResourceAllocationSettingData"), ArrayType("Indexed")] string ResourceSettings[],
    [IN(false), OUT, ArrayType("Indexed")] CIM_ResourceAllocationSettingData REF ResultingResourceSettings[],
    [IN(false), OUT] CIM_ConcreteJob REF Job);
  [ValueMap {"0", "1", "2", "3", "4", "5", "6", "..", "4096", "4097..32767", "32768..65535"},
   Values {"Completed with No Error", "Not Supported", "Failed", "Timeout", "Invalid Parameter", "Invalid State",
     "Incompatible Parameters", "DMTF Reserved", "Method Parameters Checked - Job Started", "Method Reserved",
     "Vendor Specific"}]
  uint32 ModifySystemSettings(
    [IN, EmbeddedInstance("CIM_VirtualSystemSettingData")] string SystemSettings,
    [IN(false), OUT] CIM_ConcreteJob REF Job);
  [ValueMap {"0", "1", "2", "3", "4", "5", "..", "4096", "4097..32767", "32768..65535"},
   Values {"Completed with No Error", "Not Supported", "Failed", "Timeout", "Invalid Parameter", "Invalid State",
     "DMTF Reserved", "Method Parameters Checked - Job Started", "Method Reserved", "Vendor Specific"}]
  uint32 RemoveResourceSettings(
    [IN] CIM_ResourceAllocationSettingData REF ResourceSettings[],
    [IN(false), OUT] CIM_ConcreteJob REF Job);
};

[Abstract] class CIM_Capabilities : CIM_ManagedElement {
  [Key, Override("InstanceID")] string InstanceID;
  [Required, Override("ElementName")] string ElementName;
};

class CIM_EnabledLogicalElementCapabilities : CIM_Capabilities {
  boolean ElementNameEditSupported;
  uint16 MaxElementNameLen;
  uint16 RequestedStatesSupported[];
  string ElementNameMask;
};

class CIM_VirtualSystemManagementCapabilities : CIM_EnabledLogicalElementCapabilities {
  string VirtualSystemTypesSupported[];
  [ValueMap {"2", "3", "4", "5", "6", "7", "8", "9", "10", "..", "32767..65535"},
   Values {"DefineSystemSupported", "DestroySystemSupported", "DestroySystemConfigurationSupported",
     "ModifyResourceSettingsSupported", "ModifySystemSettingsSupported", "RemoveResourcesSupported",
     "SelectSystemConfigurationSupported", "SnapshotSystemSupported", "AddResourcesSupported", "DMTF Reserved",
     "Vendor Reserved"}]
  uint16 SynchronousMethodsSupported[];
  uint16 AsynchronousMethodsSupported[];
  uint16 IndicationsSupported[];
};

class CIM_AllocationCapabilities : CIM_Capabilities {
  uint16 ResourceType;
  string OtherResourceType;
  string ResourceSubType;
  uint16 RequestTypesSupported;
  uint16 SharingMode;
  uint16 SupportedAddStates[];
  uint16 SupportedRemoveStates[];
};

class CIM_ResourcePool : CIM_LogicalElement {
  [Key, Override("InstanceID")] string InstanceID;
  string PoolID;
  boolean Primordial = false;
  uint64 Capacity;
  uint64 Reserved;
  uint16 ResourceType;
  string OtherResourceType;
  string ResourceSubType;
  string AllocationUnits;
  string ConsumedResourceUnits = "count";
  uint64 CurrentlyConsumedResource;
  uint64 MaxConsumableResource;
};
`;
