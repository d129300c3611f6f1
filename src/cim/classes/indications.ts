/**
 * Indications (DSP1054, the Indications profile 1.2; CIM 2.41 Event and Interop): the indication classes Vessel
 * sends (CIM_InstCreation, CIM_InstDeletion, CIM_InstModification, CIM_AlertIndication) and the three classes a
 * client creates to subscribe (CIM_IndicationFilter, CIM_ListenerDestinationCIMXML, CIM_IndicationSubscription),
 * with the indication service that states the delivery retry policy. CIM_Indication, CIM_InstIndication and
 * CIM_InstModification follow the shared DMTF extract; the others are written from the CIM 2.41 schema, with the
 * properties Vessel fills or reads.
 */
export const INDICATIONS_MOF = `
[Indication, Abstract] class CIM_Indication {
  string IndicationIdentifier;
  string CorrelatedIndications[];
  datetime IndicationTime;
  [ValueMap {"0", "1", "2", "3", "4", "5", "6", "7", ".."},
   Values {"Unknown", "Other", "Information", "Degraded/Warning", "Minor", "Major", "Critical", "Fatal/NonRecoverable",
     "DMTF Reserved"}]
  uint16 PerceivedSeverity;
  string OtherSeverity;
  string IndicationFilterName;
  string SequenceContext;
  sint64 SequenceNumber;
};

[Indication, Abstract] class CIM_InstIndication : CIM_Indication {
  [Required, EmbeddedObject] string SourceInstance;
  string SourceInstanceModelPath;
  string SourceInstanceHost;
};

[Indication] class CIM_InstCreation : CIM_InstIndication { };

[Indication] class CIM_InstDeletion : CIM_InstIndication { };

[Indication] class CIM_InstModification : CIM_InstIndication {
  [EmbeddedObject] string PreviousInstance;
};

[Indication, Abstract] class CIM_ProcessIndication : CIM_Indication { };

[Indication] class CIM_AlertIndication : CIM_ProcessIndication {
  string Description;
  string AlertingManagedElement;
  [ValueMap {"0", "1", "2", ".."}, Values {"Unknown", "Other", "CIMObjectPath", "DMTF Reserved"}]
  uint16 AlertingElementFormat;
  string OtherAlertingElementFormat;
  [Required, ValueMap {"1", "2", "3", "4", "5", "6", "7", "8", ".."},
   Values {"Other", "Communications Alert", "Quality of Service Alert", "Processing Error", "Device Alert",
     "Environmental Alert", "Model Change", "Security Alert", "DMTF Reserved"}]
  uint16 AlertType;
  string OtherAlertType;
  uint16 ProbableCause;
  string ProbableCauseDescription;
  string SystemCreationClassName;
  string SystemName;
  string ProviderName;
  string OwningEntity;
  string MessageID;
  string Message;
  string MessageArguments[];
};

class CIM_IndicationFilter : CIM_ManagedElement {
  [Key, MaxLen(256)] string SystemCreationClassName;
  [Key, MaxLen(256)] string SystemName;
  [Key, MaxLen(256)] string CreationClassName;
  [Key, MaxLen(256)] string Name;
  string SourceNamespace;
  string SourceNamespaces[];
  [Required] string Query;
  [Required] string QueryLanguage;
  boolean IndividualSubscriptionSupported = true;
};

[Abstract] class CIM_ListenerDestination : CIM_ManagedElement {
  [Key, MaxLen(256)] string SystemCreationClassName;
  [Key, MaxLen(256)] string SystemName;
  [Key, MaxLen(256)] string CreationClassName;
  [Key, MaxLen(256)] string Name;
  [ValueMap {"1", "2", "3"}, Values {"Other", "Permanent", "Transient"}]
  uint16 PersistenceType;
  string OtherPersistenceType;
  [ValueMap {"1", "2", "3", "4", "5", ".."}, Values {"Other", "CIM-XML", "SM CLP", "WS-Management", "WSDM",
     "DMTF Reserved"}]
  uint16 Protocol;
  string OtherProtocol;
};

class CIM_ListenerDestinationCIMXML : CIM_ListenerDestination {
  [Required] string Destination;
};

[Description("A CIM-XML listener destination with Vessel's TLS settings: VerifyCertificate false accepts any certificate; TrustedCertificate holds PEM certificates to trust besides the system's.")]
class Vessel_ListenerDestinationCIMXML : CIM_ListenerDestinationCIMXML {
  boolean VerifyCertificate = true;
  string TrustedCertificate;
};

[Association] class CIM_IndicationSubscription {
  [Key] CIM_ManagedElement REF Filter;
  [Key] CIM_ManagedElement REF Handler;
  [ValueMap {"0", "1", "2", "3", "4", ".."}, Values {"Unknown", "Other", "Ignore", "Disable", "Remove",
     "DMTF Reserved"}]
  uint16 OnFatalErrorPolicy;
  string OtherOnFatalErrorPolicy;
  uint64 FailureTriggerTimeInterval;
  [ValueMap {"0", "1", "2", "3", "4", ".."}, Values {"Unknown", "Other", "Enabled", "Enabled Degraded", "Disabled",
     "DMTF Reserved"}]
  uint16 SubscriptionState;
  string OtherSubscriptionState;
  datetime TimeOfLastStateChange;
  uint64 SubscriptionDuration;
  datetime SubscriptionStartTime;
  uint64 SubscriptionTimeRemaining;
  string SubscriptionInfo;
  string Description;
};

class CIM_IndicationService : CIM_Service {
  boolean FilterCreationEnabled;
  uint16 SubscriptionRemovalAction;
  uint32 SubscriptionRemovalTimeInterval;
  uint16 DeliveryRetryAttempts;
  uint32 DeliveryRetryInterval;
};
`;

/** The indication classes Vessel sends (each namespace that filters name serves them). */
export const INDICATION_CLASSES = [
  'CIM_InstCreation',
  'CIM_InstDeletion',
  'CIM_InstModification',
  'CIM_AlertIndication',
] as const;

/** The subscription classes of DSP1054, served in the interop namespace. */
export const SUBSCRIPTION_CLASSES = [
  'CIM_IndicationFilter',
  'CIM_ListenerDestinationCIMXML',
  'Vessel_ListenerDestinationCIMXML',
  'CIM_IndicationSubscription',
  'CIM_IndicationService',
] as const;
