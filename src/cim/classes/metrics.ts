/**
 * The Base Metrics profile's classes (DSP1053 1.0.1, CIM 2.41 Metrics::BaseMetric), in compact MOF: what a metric
 * is (CIM_BaseMetricDefinition), one measured value (CIM_BaseMetricValue) and the associations between them and the
 * measured elements. Not in the shared DMTF extract: written from the CIM 2.41 schema's property names, types and
 * ValueMaps.
 */
export const METRICS_MOF = `
class CIM_BaseMetricDefinition : CIM_ManagedElement {
  [Key] string Id;
  string Name;
  [ValueMap {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14"},
   Values {"Unknown", "boolean", "char16", "datetime", "real32", "real64", "sint16", "sint32", "sint64", "sint8",
     "string", "uint16", "uint32", "uint64", "uint8"}]
  uint16 DataType;
  [ValueMap {"0", "1", "2", "3"}, Values {"Unknown", "Non-calculable", "Summable", "Non-summable"}]
  uint16 Calculable;
  string Units;
  string BreakdownDimensions[];
  boolean IsContinuous;
  [ValueMap {"0", "2", "3", "4", "5..32767", "32768..65535"},
   Values {"Unknown", "N/A", "Counter", "Gauge", "DMTF Reserved", "Vendor Reserved"}]
  uint16 ChangeType;
  [ValueMap {"0", "2", "3", "4", "5..32767", "32768..65535"},
   Values {"Unknown", "Point", "Interval", "StartupInterval", "DMTF Reserved", "Vendor Reserved"}]
  uint16 TimeScope;
  [ValueMap {"0", "2", "3", "4", "5..32767", "32768..65535"},
   Values {"Unknown", "OnChange", "Periodic", "OnRequest", "DMTF Reserved", "Vendor Reserved"}]
  uint16 GatheringType;
  string ProgrammaticUnits;
};

class CIM_BaseMetricValue : CIM_ManagedElement {
  [Key, Override("InstanceID")] string InstanceID;
  [Required] string MetricDefinitionId;
  string MeasuredElementName;
  datetime TimeStamp;
  datetime Duration;
  [Required] string MetricValue;
  string BreakdownDimension;
  string BreakdownValue;
  boolean Volatile;
};

[Association] class CIM_MetricDefForME : CIM_Dependency {
  [Override("Antecedent")] CIM_ManagedElement REF Antecedent;
  [Override("Dependent")] CIM_BaseMetricDefinition REF Dependent;
};

[Association] class CIM_MetricForME : CIM_Dependency {
  [Override("Antecedent")] CIM_ManagedElement REF Antecedent;
  [Override("Dependent")] CIM_BaseMetricValue REF Dependent;
};

[Association] class CIM_MetricInstance : CIM_Dependency {
  [Override("Antecedent"), Min(1), Max(1)] CIM_BaseMetricDefinition REF Antecedent;
  [Override("Dependent")] CIM_BaseMetricValue REF Dependent;
};

[Description("A metric that Vessel samples on an interval, of a virtual system or of the host (DSP1053).")]
class Vessel_BaseMetricDefinition : CIM_BaseMetricDefinition { };

[Description("The latest sample of one metric of one element (DSP1053); MetricValue is the value as a string.")]
class Vessel_BaseMetricValue : CIM_BaseMetricValue { };

[Association, Description("A metric definition and an element it is measured on (DSP1053).")]
class Vessel_MetricDefForME : CIM_MetricDefForME { };

[Association, Description("A metric value and the element it measures (DSP1053).")]
class Vessel_MetricForME : CIM_MetricForME { };

[Association, Description("A metric definition and its values (DSP1053).")]
class Vessel_MetricInstance : CIM_MetricInstance { };
`;
