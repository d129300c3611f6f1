/**
 * Profile registration (DSP1033, CIM 2.41 Interop): how clients discover which DMTF profiles Vessel implements,
 * and the object manager with its namespaces (CIM_ObjectManager, CIM_Namespace, CIM_NamespaceInManager), which
 * clients such as pywbem's WBEMServer read first. CIM_ReferencedSpecification, CIM_WBEMService and
 * CIM_NamespaceInManager are not in the shared DMTF extract and are written from the CIM 2.41 schema.
 */
export const INTEROP_MOF = `
class CIM_RegisteredSpecification : CIM_ManagedElement {
  [Key, Override("InstanceID")] string InstanceID;
  uint16 SpecificationType;
  string OtherSpecificationType;
  [Required, ValueMap {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17",
     "18", "19", "20", "21", ".."},
   Values {"Other", "DMTF", "CompTIA", "Consortium for Service Innovation", "FAST", "GGF", "INTAP", "itSMF", "NAC",
     "Northwest Energy Efficiency Alliance", "SNIA", "TM Forum", "The Open Group", "ANSI", "IEEE", "IETF",
     "INCITS", "ISO", "W3C", "OGF", "The Green Grid", "DMTF Reserved"}]
  uint16 RegisteredOrganization;
  string OtherRegisteredOrganization;
  [Required] string RegisteredName;
  [Required] string RegisteredVersion;
  [Required, ValueMap {"1", "2", "3", "4"}, Values {"Other", "Not Advertised", "SLP", "WS-Identify"},
   ArrayType("Indexed")]
  uint16 AdvertiseTypes[];
  [ArrayType("Indexed")] string AdvertiseTypeDescriptions[];
};

class CIM_RegisteredProfile : CIM_RegisteredSpecification {
  string ImplementedFeatures[];
  [Override("SpecificationType")] uint16 SpecificationType;
  uint32 CloseConformantInstances([IN] string EnumerationContext);
  uint32 OpenConformantInstances([IN] string ResultClass, [IN] string IncludedPropertyList[],
    [IN] uint32 OperationTimeout, [IN] boolean ContinueOnError, [IN] uint32 MaxObjectCount,
    [IN(false), OUT] string EnumerationContext, [IN(false), OUT] boolean EndOfSequence,
    [IN(false), OUT, ArrayType("Indexed")] uint16 InstanceType[],
    [IN(false), OUT, EmbeddedInstance("CIM_ManagedElement"), ArrayType("Indexed")] string InstanceWithPathList[]);
  uint32 PullConformantInstances([IN] uint32 MaxObjectCount, [IN, OUT] string EnumerationContext,
    [IN(false), OUT] boolean EndOfSequence, [IN(false), OUT, ArrayType("Indexed")] uint16 InstanceType[],
    [IN(false), OUT, EmbeddedInstance("CIM_ManagedElement"), ArrayType("Indexed")] string InstanceWithPathList[]);
  uint8 GetCentralInstances([IN(false), OUT] CIM_ManagedElement REF CentralInstances[]);
};

[Association] class CIM_ReferencedSpecification : CIM_Dependency {
  [Override("Antecedent")] CIM_RegisteredSpecification REF Antecedent;
  [Override("Dependent")] CIM_RegisteredSpecification REF Dependent;
};

[Association] class CIM_ReferencedProfile : CIM_ReferencedSpecification {
  [Override("Antecedent")] CIM_RegisteredProfile REF Antecedent;
  [Override("Dependent")] CIM_RegisteredProfile REF Dependent;
};

class CIM_WBEMService : CIM_Service { };

class CIM_ObjectManager : CIM_WBEMService {
  boolean GatherStatisticalData = true;
  [Override("Name")] string Name;
  [Override("ElementName")] string ElementName;
  [Override("Description")] string Description;
};

class CIM_Namespace : CIM_ManagedElement {
  [Key, MaxLen(256)] string SystemCreationClassName;
  [Key, MaxLen(256)] string SystemName;
  [Key, MaxLen(256)] string ObjectManagerCreationClassName;
  [Key, MaxLen(256)] string ObjectManagerName;
  [Key, MaxLen(256)] string CreationClassName;
  [Key, MaxLen(256)] string Name;
  [Required, ValueMap {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "200", "201", "202"},
   Values {"Unknown", "Other", "CIM 1.0", "CIM 2.0", "CIM 2.1", "CIM 2.2", "CIM 2.3", "CIM 2.4", "CIM 2.5",
     "CIM 2.6", "CIM 2.7", "CIM 2.8", "DMI Recast", "SNMP Recast", "CMIP Recast"}]
  uint16 ClassInfo;
  string DescriptionOfClassInfo;
  [ValueMap {"0", "1", "2", "200", "201", "202"},
   Values {"Unknown", "Other", "CIM", "DMI Recast", "SNMP Recast", "CMIP Recast"}]
  uint16 ClassType;
  string ClassTypeVersion;
  string DescriptionOfClassType;
};

[Association] class CIM_NamespaceInManager : CIM_HostedDependency {
  [Override("Antecedent"), Min(1), Max(1)] CIM_ObjectManager REF Antecedent;
  [Override("Dependent"), Weak] CIM_Namespace REF Dependent;
};

[Association] class CIM_ElementConformsToProfile {
  [Key] CIM_RegisteredProfile REF ConformantStandard;
  [Key] CIM_ManagedElement REF ManagedElement;
};
`;
