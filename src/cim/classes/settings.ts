/**
 * Settings data (CIM 2.41 Core/Virtualization/Device): the VSSD and the RASD family, whose property names are the
 * ones the one model (src/model/settings.ts) keeps. Compact MOF, cross-checked by classes.test.ts.
 */
export const SETTINGS_MOF = `
[Abstract] class CIM_SettingData : CIM_ManagedElement {
  [Key, Override("InstanceID")] string InstanceID;
  [Required, Override("ElementName")] string ElementName;
  uint16 ChangeableType;
  string ConfigurationName;
};

class CIM_VirtualSystemSettingData : CIM_SettingData {
  string VirtualSystemIdentifier;
  string VirtualSystemType;
  string Notes[];
  datetime CreationTime;
  string ConfigurationID;
  string ConfigurationDataRoot;
  string ConfigurationFile;
  string SnapshotDataRoot;
  string SuspendDataRoot;
  string SwapFileDataRoot;
  string LogDataRoot;
  uint16 AutomaticStartupAction;
  datetime AutomaticStartupActionDelay;
  uint16 AutomaticStartupActionSequenceNumber;
  uint16 AutomaticShutdownAction;
  uint16 AutomaticRecoveryAction;
  string RecoveryFile;
};

class CIM_ResourceAllocationSettingData : CIM_SettingData {
  [ValueMap {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18",
     "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32", "33", "..",
     "0x8000..0xFFFF"},
   Values {"Other", "Computer System", "Processor", "Memory", "IDE Controller", "Parallel SCSI HBA", "FC HBA",
     "iSCSI HBA", "IB HCA", "Ethernet Adapter", "Other Network Adapter", "I/O Slot", "I/O Device", "Floppy Drive",
     "CD Drive", "DVD drive", "Disk Drive", "Tape Drive", "Storage Extent", "Other storage device", "Serial port",
     "Parallel port", "USB Controller", "Graphics controller", "IEEE 1394 Controller", "Partitionable Unit",
     "Base Partitionable Unit", "Power", "Cooling Capacity", "Ethernet Switch Port", "Logical Disk",
     "Storage Volume", "Ethernet Connection", "DMTF reserved", "Vendor Reserved"}]
  uint16 ResourceType;
  string OtherResourceType;
  string ResourceSubType;
  string PoolID;
  uint16 ConsumerVisibility;
  string HostResource[];
  string AllocationUnits;
  uint64 VirtualQuantity;
  uint64 Reservation;
  uint64 Limit;
  uint32 Weight;
  boolean AutomaticAllocation;
  boolean AutomaticDeallocation;
  string Parent;
  string Connection[];
  string Address;
  uint16 MappingBehavior;
  string AddressOnParent;
  string VirtualQuantityUnits = "count";
};

class CIM_StorageAllocationSettingData : CIM_ResourceAllocationSettingData {
  uint64 VirtualResourceBlockSize;
  [Override("VirtualQuantity")] uint64 VirtualQuantity;
  [Override("VirtualQuantityUnits")] string VirtualQuantityUnits = "count(fixed size block)";
  uint16 Access;
  uint64 HostResourceBlockSize;
  [Override("Reservation")] uint64 Reservation;
  [Override("Limit")] uint64 Limit;
  uint64 HostExtentStartingAddress;
  string HostExtentName;
  uint16 HostExtentNameFormat;
  string OtherHostExtentNameFormat;
  uint16 HostExtentNameNamespace;
  string OtherHostExtentNameNamespace;
};

class CIM_EthernetPortAllocationSettingData : CIM_ResourceAllocationSettingData {
  uint16 DesiredVLANEndpointMode;
  string OtherEndpointMode;
  uint16 AllowedPriorities[];
  [ArrayType("Indexed")] string AllowedToReceiveMACAddresses[];
  [ArrayType("Indexed")] uint16 AllowedToReceiveVLANs[];
  [ArrayType("Indexed")] string AllowedToTransmitMACAddresses[];
  [ArrayType("Indexed")] uint16 AllowedToTransmitVLANs[];
  uint16 DefaultPortVID;
  uint16 DefaultPriority;
  uint32 GroupID;
  uint32 ManagerID;
  string NetworkPortProfileID;
  uint16 NetworkPortProfileIDType;
  string OtherNetworkPortProfileIDTypeInfo;
  string PortCorrelationID;
  uint16 PortVID;
  boolean Promiscuous;
  uint64 ReceiveBandwidthLimit;
  uint64 ReceiveBandwidthReservation;
  boolean SourceMACFilteringEnabled;
  uint32 VSITypeID;
  uint8 VSITypeIDVersion;
};
`;
