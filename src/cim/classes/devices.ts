/**
 * Logical devices of a virtual system (CIM 2.41 Device): processors, memory, disks and Ethernet ports, in compact
 * MOF. CIM_StorageExtent and CIM_LogicalPort are not in the shared DMTF extract, so they are written here from the
 * CIM 2.41 schema with the properties the subclasses need; classes.test.ts checks the rest against the DMTF MOFs.
 */
export const DEVICES_MOF = `
[Abstract] class CIM_LogicalDevice : CIM_EnabledLogicalElement {
  [Key] string SystemCreationClassName;
  [Key] string SystemName;
  [Key] string CreationClassName;
  [Key] string DeviceID;
  boolean PowerManagementSupported;
  uint16 PowerManagementCapabilities[];
  uint16 Availability;
  uint16 StatusInfo;
  uint32 LastErrorCode;
  string ErrorDescription;
  boolean ErrorCleared;
  [ArrayType("Indexed")] string OtherIdentifyingInfo[];
  uint64 PowerOnHours;
  uint64 TotalPowerOnHours;
  [ArrayType("Indexed")] string IdentifyingDescriptions[];
  uint16 AdditionalAvailability[];
  uint64 MaxQuiesceTime;
  uint32 SetPowerState([IN] uint16 PowerState, [IN] datetime Time);
  uint32 Reset();
  uint32 EnableDevice([IN] boolean Enabled);
  uint32 OnlineDevice([IN] boolean Online);
  uint32 QuiesceDevice([IN] boolean Quiesce);
  uint32 SaveProperties();
  uint32 RestoreProperties();
};

class CIM_Processor : CIM_LogicalDevice {
  string Role;
  uint16 Family;
  string OtherFamilyDescription;
  uint16 UpgradeMethod;
  uint32 MaxClockSpeed;
  uint32 CurrentClockSpeed;
  uint16 DataWidth;
  uint16 AddressWidth;
  uint16 LoadPercentage;
  string Stepping;
  string UniqueID;
  uint16 CPUStatus;
  uint32 ExternalBusClockSpeed;
  [ArrayType("Indexed")] uint16 Characteristics[];
  [ArrayType("Indexed")] uint16 EnabledProcessorCharacteristics[];
  uint16 NumberOfEnabledCores = 1;
};

class CIM_StorageExtent : CIM_LogicalDevice {
  uint16 DataOrganization;
  string Purpose;
  uint16 Access;
  string ErrorMethodology;
  uint64 BlockSize;
  uint64 NumberOfBlocks;
  uint64 ConsumableBlocks;
  boolean IsBasedOnUnderlyingRedundancy;
  boolean SequentialAccess;
  uint16 ExtentStatus[];
  boolean NoSinglePointOfFailure;
  uint16 DataRedundancy;
  uint16 PackageRedundancy;
  uint8 DeltaReservation;
  boolean Primordial = false;
  [Override("Name")] string Name;
  uint16 NameFormat;
  uint16 NameNamespace;
  string OtherNameNamespace;
  string OtherNameFormat;
};

class CIM_Memory : CIM_StorageExtent {
  boolean Volatile;
  [Override("ErrorMethodology")] string ErrorMethodology;
  uint64 StartingAddress;
  uint64 EndingAddress;
  uint16 ErrorInfo;
  string OtherErrorDescription;
  boolean CorrectableError;
  datetime ErrorTime;
  uint16 ErrorAccess;
  uint32 ErrorTransferSize;
  [ArrayType("Indexed")] uint8 ErrorData[];
  uint16 ErrorDataOrder;
  uint64 ErrorAddress;
  boolean SystemLevelAddress;
  uint64 ErrorResolution;
  uint8 AdditionalErrorData[];
};

class CIM_LogicalDisk : CIM_StorageExtent {
  [Override("NameFormat")] uint16 NameFormat = 12;
  [Override("NameNamespace")] uint16 NameNamespace = 8;
};

class CIM_LogicalPort : CIM_LogicalDevice {
  uint64 Speed;
  uint64 MaxSpeed;
  uint64 RequestedSpeed;
  uint16 UsageRestriction;
  uint16 PortType;
  string OtherPortType;
};

class CIM_NetworkPort : CIM_LogicalPort {
  [Override("Speed")] uint64 Speed;
  string OtherNetworkPortType;
  uint16 PortNumber;
  uint16 LinkTechnology;
  string OtherLinkTechnology;
  string PermanentAddress;
  string NetworkAddresses[];
  boolean FullDuplex;
  boolean AutoSense;
  uint64 SupportedMaximumTransmissionUnit;
  uint64 ActiveMaximumTransmissionUnit;
};

class CIM_EthernetPort : CIM_NetworkPort {
  [Override("PortType")] uint16 PortType;
  [Override("NetworkAddresses")] string NetworkAddresses[];
  uint32 MaxDataSize;
  [ArrayType("Indexed")] uint16 Capabilities[];
  [ArrayType("Indexed")] string CapabilityDescriptions[];
  [ArrayType("Indexed")] uint16 EnabledCapabilities[];
  [ArrayType("Indexed")] string OtherEnabledCapabilities[];
  uint16 PVID;
  uint16 PoEPowerEntityType;
  string PortDiscriminator[];
};
`;
