/**
 * Jobs and errors (CIM 2.41 Core, DSP1103 Job Control): what a method that answers 4096 hands back, and the
 * CIM_Error a failed job reports. Compact MOF, cross-checked by classes.test.ts.
 */
export const JOBS_MOF = `
[Abstract] class CIM_Job : CIM_LogicalElement {
  string JobStatus;
  datetime TimeSubmitted;
  datetime ScheduledStartTime;
  datetime StartTime;
  datetime ElapsedTime;
  uint32 JobRunTimes = 1;
  uint8 RunMonth;
  sint8 RunDay;
  sint8 RunDayOfWeek;
  datetime RunStartInterval;
  uint16 LocalOrUtcTime;
  datetime UntilTime;
  string Notify;
  string Owner;
  uint32 Priority;
  uint16 PercentComplete;
  boolean DeleteOnCompletion;
  uint16 ErrorCode;
  string ErrorDescription;
  uint16 RecoveryAction;
  string OtherRecoveryAction;
  uint32 KillJob([IN] boolean DeleteOnKill);
};

class CIM_ConcreteJob : CIM_Job {
  [Key, Override("InstanceID")] string InstanceID;
  [Required, Override("Name")] string Name;
  [ValueMap {"2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13..32767", "32768..65535"},
   Values {"New", "Starting", "Running", "Suspended", "Shutting Down", "Completed", "Terminated", "Killed",
     "Exception", "Service", "Query Pending", "DMTF Reserved", "Vendor Reserved"}]
  uint16 JobState;
  datetime TimeOfLastStateChange;
  [Required] datetime TimeBeforeRemoval = "00000000000500.000000:000";
  [EmbeddedObject] string JobInParameters;
  [EmbeddedObject] string JobOutParameters;
  uint32 RequestStateChange(
    [IN, ValueMap {"2", "3", "4", "5", "6", "7..32767", "32768..65535"},
     Values {"Start", "Suspend", "Terminate", "Kill", "Service", "DMTF Reserved", "Vendor Reserved"}]
    uint16 RequestedState,
    [IN] datetime TimeoutPeriod);
  uint32 GetError([OUT, EmbeddedInstance("CIM_Error")] string Error);
  uint32 GetErrors([OUT, EmbeddedInstance("CIM_Error")] string Errors[]);
};

[Indication] class CIM_Error {
  uint16 ErrorType;
  string OtherErrorType;
  string OwningEntity;
  [Required] string MessageID;
  string Message;
  string MessageArguments[];
  uint16 PerceivedSeverity;
  uint16 ProbableCause;
  string ProbableCauseDescription;
  string RecommendedActions[];
  string ErrorSource;
  uint16 ErrorSourceFormat = 0;
  string OtherErrorSourceFormat;
  uint32 CIMStatusCode;
  string CIMStatusCodeDescription;
};
`;
