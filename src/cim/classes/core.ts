/**
 * The root of the CIM class tree that every Vessel class descends from (CIM 2.41 Core), written as compact MOF:
 * names, types, keys and the qualifiers a client needs; descriptions are left out. Cross-checked against the DMTF
 * MOFs by classes.test.ts.
 */
export const CORE_MOF = `
[Abstract] class CIM_ManagedElement {
  string InstanceID;
  string Caption;
  string Description;
  string ElementName;
};

[Abstract] class CIM_ManagedSystemElement : CIM_ManagedElement {
  datetime InstallDate;
  string Name;
  [ArrayType("Indexed")] uint16 OperationalStatus[];
  [ArrayType("Indexed")] string StatusDescriptions[];
  string Status;
  [ValueMap {"0", "5", "10", "15", "20", "25", "30", "..", "32768..65535"},
   Values {"Unknown", "OK", "Degraded/Warning", "Minor failure", "Major failure", "Critical failure",
     "Non-recoverable error", "DMTF Reserved", "Vendor Specific"}]
  uint16 HealthState;
  uint16 CommunicationStatus;
  uint16 DetailedStatus;
  uint16 OperatingStatus;
  uint16 PrimaryStatus;
};

[Abstract] class CIM_LogicalElement : CIM_ManagedSystemElement {
};

[Abstract] class CIM_EnabledLogicalElement : CIM_LogicalElement {
  [ValueMap {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11..32767", "32768..65535"},
   Values {"Unknown", "Other", "Enabled", "Disabled", "Shutting Down", "Not Applicable", "Enabled but Offline",
     "In Test", "Deferred", "Quiesce", "Starting", "DMTF Reserved", "Vendor Reserved"}]
  uint16 EnabledState = 5;
  string OtherEnabledState;
  [ValueMap {"0", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "..", "32768..65535"},
   Values {"Unknown", "Enabled", "Disabled", "Shut Down", "No Change", "Offline", "Test", "Deferred", "Quiesce",
     "Reboot", "Reset", "Not Applicable", "DMTF Reserved", "Vendor Reserved"}]
  uint16 RequestedState = 12;
  uint16 EnabledDefault = 2;
  datetime TimeOfLastStateChange;
  uint16 AvailableRequestedStates[];
  uint16 TransitioningToState = 12;
  [ValueMap {"0", "1", "2", "3", "4", "5", "6", "..", "4096", "4097", "4098", "4099", "4100..32767",
     "32768..65535"},
   Values {"Completed with No Error", "Not Supported", "Unknown or Unspecified Error",
     "Cannot complete within Timeout Period", "Failed", "Invalid Parameter", "In Use", "DMTF Reserved",
     "Method Parameters Checked - Job Started", "Invalid State Transition",
     "Use of Timeout Parameter Not Supported", "Busy", "Method Reserved", "Vendor Specific"}]
  uint32 RequestStateChange(
    [IN, ValueMap {"2", "3", "4", "6", "7", "8", "9", "10", "11", "..", "32768..65535"},
     Values {"Enabled", "Disabled", "Shut Down", "Offline", "Test", "Defer", "Quiesce", "Reboot", "Reset",
       "DMTF Reserved", "Vendor Reserved"}]
    uint16 RequestedState,
    [IN(false), OUT] CIM_ConcreteJob REF Job,
    [IN] datetime TimeoutPeriod);
};

[Association, Abstract] class CIM_Dependency {
  [Key] CIM_ManagedElement REF Antecedent;
  [Key] CIM_ManagedElement REF Dependent;
};

[Association, Abstract, Aggregation] class CIM_Component {
  [Key, Aggregate] CIM_ManagedElement REF GroupComponent;
  [Key] CIM_ManagedElement REF PartComponent;
};
`;
