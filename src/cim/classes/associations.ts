/**
 * The associations of DSP1042/DSP1057 and their component profiles (CIM 2.41), in compact MOF.
 * CIM_SystemComponent is not in the shared DMTF extract and is written from the CIM 2.41 schema.
 */
export const ASSOCIATIONS_MOF = `
[Association, Aggregation] class CIM_SystemComponent : CIM_Component {
  [Aggregate, Override("GroupComponent")] CIM_System REF GroupComponent;
  [Override("PartComponent")] CIM_ManagedSystemElement REF PartComponent;
};

[Association, Aggregation, Composition] class CIM_SystemDevice : CIM_SystemComponent {
  [Aggregate, Override("GroupComponent"), Min(1), Max(1)] CIM_System REF GroupComponent;
  [Override("PartComponent")] CIM_LogicalDevice REF PartComponent;
};

[Association, Aggregation, Composition] class CIM_HostedResourcePool : CIM_SystemComponent {
  [Aggregate, Override("GroupComponent"), Min(1), Max(1)] CIM_System REF GroupComponent;
  [Override("PartComponent")] CIM_ResourcePool REF PartComponent;
};

[Association] class CIM_HostedDependency : CIM_Dependency {
  [Override("Antecedent"), Max(1)] CIM_ManagedElement REF Antecedent;
  [Override("Dependent")] CIM_ManagedElement REF Dependent;
};

[Association] class CIM_HostedService : CIM_HostedDependency {
  [Override("Antecedent"), Min(1), Max(1)] CIM_System REF Antecedent;
  [Override("Dependent")] CIM_Service REF Dependent;
};

[Association] class CIM_ElementCapabilities {
  [Key, Min(1)] CIM_ManagedElement REF ManagedElement;
  [Key] CIM_Capabilities REF Capabilities;
  uint16 Characteristics[];
};

[Association, Aggregation] class CIM_SettingsDefineCapabilities : CIM_Component {
  [Aggregate, Override("GroupComponent"), Max(1)] CIM_Capabilities REF GroupComponent;
  [Override("PartComponent")] CIM_SettingData REF PartComponent;
  [Required] uint16 PropertyPolicy = 0;
  [ValueMap {"0", "1", "2", "3", ".."}, Values {"Default", "Optimal", "Mean", "Supported", "DMTF Reserved"}]
  uint16 ValueRole = 3;
  [ValueMap {"0", "1", "2", "3", ".."}, Values {"Point", "Minimums", "Maximums", "Increments", "DMTF Reserved"}]
  uint16 ValueRange = 0;
};

[Association] class CIM_ElementSettingData {
  [Key] CIM_ManagedElement REF ManagedElement;
  [Key] CIM_SettingData REF SettingData;
  [ValueMap {"0", "1", "2"}, Values {"Unknown", "Is Default", "Is Not Default"}] uint16 IsDefault;
  [ValueMap {"0", "1", "2"}, Values {"Unknown", "Is Current", "Is Not Current"}] uint16 IsCurrent;
  uint16 IsNext;
};

[Association] class CIM_SettingsDefineState {
  [Key] CIM_ManagedElement REF ManagedElement;
  [Key] CIM_SettingData REF SettingData;
};

[Association, Aggregation] class CIM_VirtualSystemSettingDataComponent : CIM_Component {
  [Aggregate, Override("GroupComponent")] CIM_VirtualSystemSettingData REF GroupComponent;
  [Override("PartComponent")] CIM_ResourceAllocationSettingData REF PartComponent;
};

[Association] class CIM_ElementAllocatedFromPool : CIM_Dependency {
  [Override("Antecedent"), Max(1)] CIM_ResourcePool REF Antecedent;
  [Override("Dependent")] CIM_LogicalElement REF Dependent;
};

[Association] class CIM_ResourceAllocationFromPool : CIM_Dependency {
  [Override("Antecedent"), Max(1)] CIM_ResourcePool REF Antecedent;
  [Override("Dependent")] CIM_ResourceAllocationSettingData REF Dependent;
};

[Association] class CIM_ServiceAffectsElement {
  [Key] CIM_ManagedElement REF AffectedElement;
  [Key] CIM_Service REF AffectingElement;
  [ArrayType("Indexed")] uint16 ElementEffects[];
  [ArrayType("Indexed")] string OtherElementEffectsDescriptions[];
};

[Association] class CIM_AffectedJobElement {
  [Key] CIM_ManagedElement REF AffectedElement;
  [Key] CIM_Job REF AffectingElement;
  [ValueMap {"0", "1", "2", "3", "4", "5"},
   Values {"Unknown", "Other", "Exclusive Use", "Performance Impact", "Element Integrity", "Create"},
   ArrayType("Indexed")]
  uint16 ElementEffects[];
  [ArrayType("Indexed")] string OtherElementEffectsDescriptions[];
};

[Association] class CIM_OwningJobElement {
  [Key, Max(1)] CIM_ManagedElement REF OwningElement;
  [Key] CIM_Job REF OwnedElement;
};
`;
