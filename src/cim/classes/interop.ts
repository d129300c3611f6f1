/**
 * Profile registration (DSP1033, CIM 2.41 Interop): how clients discover which DMTF profiles Vessel implements.
 * CIM_ReferencedSpecification is not in the shared DMTF extract and is written from the CIM 2.41 schema.
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

[Association] class CIM_ElementConformsToProfile {
  [Key] CIM_RegisteredProfile REF ConformantStandard;
  [Key] CIM_ManagedElement REF ManagedElement;
};
`;
