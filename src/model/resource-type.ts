/**
 * CIM_ResourceAllocationSettingData.ResourceType (DMTF CIM 2.41 ValueMap), the numbers OVF's
 * VirtualHardwareSection items and CIM's DefineSystem both carry.
 */
export const ResourceType = {
  Other: 1,
  ComputerSystem: 2,
  Processor: 3,
  Memory: 4,
  IdeController: 5,
  ParallelScsiHba: 6,
  FcHba: 7,
  IscsiHba: 8,
  IbHca: 9,
  EthernetAdapter: 10,
  OtherNetworkAdapter: 11,
  IoSlot: 12,
  IoDevice: 13,
  FloppyDrive: 14,
  CdDrive: 15,
  DvdDrive: 16,
  DiskDrive: 17,
  TapeDrive: 18,
  StorageExtent: 19,
  OtherStorageDevice: 20,
  SerialPort: 21,
  ParallelPort: 22,
  UsbController: 23,
  GraphicsController: 24,
  Ieee1394Controller: 25,
  PartitionableUnit: 26,
  BasePartitionableUnit: 27,
  Power: 28,
  CoolingCapacity: 29,
  EthernetSwitchPort: 30,
  LogicalDisk: 31,
  StorageVolume: 32,
  EthernetConnection: 33,
} as const;

/** One of the named {@link ResourceType} values. */
export type ResourceTypeValue = (typeof ResourceType)[keyof typeof ResourceType];

const NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'Other'],
  [2, 'Computer System'],
  [3, 'Processor'],
  [4, 'Memory'],
  [5, 'IDE Controller'],
  [6, 'Parallel SCSI HBA'],
  [7, 'FC HBA'],
  [8, 'iSCSI HBA'],
  [9, 'IB HCA'],
  [10, 'Ethernet Adapter'],
  [11, 'Other Network Adapter'],
  [12, 'I/O Slot'],
  [13, 'I/O Device'],
  [14, 'Floppy Drive'],
  [15, 'CD Drive'],
  [16, 'DVD drive'],
  [17, 'Disk Drive'],
  [18, 'Tape Drive'],
  [19, 'Storage Extent'],
  [20, 'Other storage device'],
  [21, 'Serial port'],
  [22, 'Parallel port'],
  [23, 'USB Controller'],
  [24, 'Graphics controller'],
  [25, 'IEEE 1394 Controller'],
  [26, 'Partitionable Unit'],
  [27, 'Base Partitionable Unit'],
  [28, 'Power'],
  [29, 'Cooling Capacity'],
  [30, 'Ethernet Switch Port'],
  [31, 'Logical Disk'],
  [32, 'Storage Volume'],
  [33, 'Ethernet Connection'],
]);

/** The DMTF name of a ResourceType value, `Vendor Reserved` for 0x8000..0xFFFF, or undefined when unknown. */
export function resourceTypeName(value: number): string | undefined {
  if (value >= 0x8000 && value <= 0xffff) return 'Vendor Reserved';
  return NAMES.get(value);
}

/** True for the values DMTF defines (1..33) and the vendor range 0x8000..0xFFFF. */
export function isKnownResourceType(value: number): boolean {
  return resourceTypeName(value) !== undefined;
}
