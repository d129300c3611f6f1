/**
 * The software a host runs (CIM 2.41 Software, as DSP1023 Software Inventory uses it): the hypervisor's
 * SoftwareIdentity, the system it is installed on, the element it runs. Not in the shared DMTF extract: written
 * from the CIM 2.41 schema, with the properties Vessel fills and the ones a client commonly reads.
 */
export const SOFTWARE_MOF = `
class CIM_SoftwareIdentity : CIM_LogicalElement {
  [Key, Override("InstanceID")] string InstanceID;
  uint16 MajorVersion;
  uint16 MinorVersion;
  uint16 RevisionNumber;
  uint16 BuildNumber;
  string VersionString;
  string TargetOperatingSystems[];
  string Manufacturer;
  string Languages[];
  [ValueMap {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "..", "0x8000..0xFFFF"},
   Values {"Unknown", "Other", "Driver", "Configuration Software", "Application Software", "Instrumentation",
     "Firmware/BIOS", "Diagnostic Software", "Operating System", "Middleware", "Firmware", "BIOS/FCode",
     "Support/Service Pack", "Software Bundle", "DMTF Reserved", "Vendor Reserved"}]
  uint16 Classifications[];
  string ClassificationDescriptions[];
  string SerialNumber;
  string TargetTypes[];
  string IdentityInfoValue[];
  string IdentityInfoType[];
  datetime ReleaseDate;
  boolean IsEntity;
};

[Association] class CIM_InstalledSoftwareIdentity {
  [Key] CIM_System REF System;
  [Key] CIM_SoftwareIdentity REF InstalledSoftware;
};

[Association] class CIM_ElementSoftwareIdentity : CIM_Dependency {
  [Override("Antecedent")] CIM_SoftwareIdentity REF Antecedent;
  [Override("Dependent")] CIM_ManagedElement REF Dependent;
  [ValueMap {"0", "1", "2", "3", "4", "5", "6", "..", "32768..65535"},
   Values {"Unknown", "Other", "Resets to Default Value", "Retains Value", "Owner Upgradeable",
     "Factory Upgradeable", "Not Upgradeable", "DMTF Reserved", "Vendor Reserved"}]
  uint16 UpgradeCondition;
  string OtherUpgradeCondition;
  [ValueMap {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "..", "32768..65535"},
   Values {"Unknown", "Other", "Current", "Next", "FallBack", "Default", "Installed", "Single Use", "Available",
     "Supports", "Target", "Downgrade", "DMTF Reserved", "Vendor Reserved"}]
  uint16 ElementSoftwareStatus[];
};
`;
