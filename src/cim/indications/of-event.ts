import { type ApiEvent, CIM_STATE_OF } from '../../api/index.js';
import { VIRT_NAMESPACE } from '../classes/index.js';
import { cimTimestamp } from '../datetime.js';
import { C, systemPath } from '../naming.js';
import type { CimInstance, CimInstanceName } from '../types.js';

/** What an event's indications need besides the event: the host, and the system's instances now and before. */
export interface IndicationSource {
  hostName: string;
  /** Names this run of the indication engine (DSP1054 SequenceContext). */
  sequenceContext: string;
  /** The system's CIM_ComputerSystem instance now, when it still exists. */
  current?: CimInstance | undefined;
  /** The instance last seen before this event, when known. */
  previous?: CimInstance | undefined;
}

/** The text form of a path, as SourceInstanceModelPath and AlertingManagedElement carry it (DSP0207). */
export function modelPath(p: CimInstanceName, host: string): string {
  const keys = Object.entries(p.keys)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : `"${modelPath(v, host)}"`}`)
    .join(',');
  return `//${host}/${p.namespace ?? VIRT_NAMESPACE}:${p.className}.${keys}`;
}

/** The CIM_ComputerSystem instance an event's system had, when nothing better is known (it is gone, or unread). */
function minimal(name: string, uuid: string): CimInstance {
  return {
    className: C.system,
    properties: {
      CreationClassName: C.system,
      Name: name,
      ElementName: name,
      OtherIdentifyingInfo: [uuid],
      IdentifyingDescriptions: ['CIM:GUID'],
    },
    path: systemPath(name),
  };
}

function head(className: string, e: ApiEvent, s: IndicationSource, severity: number): CimInstance {
  return {
    className,
    properties: {
      IndicationIdentifier: `Vessel:${s.sequenceContext}:${e.seq}`,
      IndicationTime: cimTimestamp(new Date(e.time)),
      PerceivedSeverity: String(severity),
      SequenceContext: s.sequenceContext,
      SequenceNumber: String(e.seq),
    },
  };
}

function inst(
  className: string,
  e: ApiEvent,
  s: IndicationSource,
  source: CimInstance,
  previous?: CimInstance,
): CimInstance {
  const i = head(className, e, s, 2);
  i.properties.SourceInstance = stripPath(source);
  i.properties.SourceInstanceModelPath = modelPath(
    source.path ?? systemPath(String(source.properties.Name)),
    s.hostName,
  );
  i.properties.SourceInstanceHost = s.hostName;
  if (previous) i.properties.PreviousInstance = stripPath(previous);
  return i;
}

function stripPath(i: CimInstance): CimInstance {
  return { className: i.className, properties: { ...i.properties } };
}

function alert(
  e: ApiEvent,
  s: IndicationSource,
  about: CimInstanceName | undefined,
  o: { type: number; severity: number; message: string; id: string },
): CimInstance {
  const i = head('CIM_AlertIndication', e, s, o.severity);
  Object.assign(i.properties, {
    AlertType: String(o.type),
    Description: o.message,
    Message: o.message,
    MessageID: o.id,
    OwningEntity: 'Vessel',
    ProviderName: 'Vessel',
    SystemCreationClassName: C.host,
    SystemName: s.hostName,
  });
  if (about) {
    i.properties.AlertingManagedElement = modelPath(about, s.hostName);
    i.properties.AlertingElementFormat = '2';
  }
  return i;
}

/**
 * The indications of one host event (DSP1054 with DSP1057's virtual systems): a state change or a changed
 * definition is CIM_InstModification with the system's CIM_ComputerSystem now (SourceInstance) and before
 * (PreviousInstance, when known); a define is CIM_InstCreation, an undefine CIM_InstDeletion (with the instance
 * last seen); a crash, a guest panic and a failed job are CIM_AlertIndication. Other events have none.
 *
 * @example
 * indicationsOf(event, { hostName: 'h1', sequenceContext: 'h1:1700000000', current, previous });
 */
export function indicationsOf(e: ApiEvent, s: IndicationSource): CimInstance[] {
  switch (e.type) {
    case 'system.state': {
      const now = s.current ?? minimal(e.system, e.uuid);
      const source: CimInstance = {
        ...now,
        properties: { ...now.properties, EnabledState: String(CIM_STATE_OF[e.state].enabledState) },
      };
      const out = [inst('CIM_InstModification', e, s, source, s.previous)];
      if (e.state === 'crashed')
        out.push(
          alert(e, s, source.path, {
            type: 4,
            severity: 6,
            message: `Virtual system "${e.system}" crashed: ${e.reason.text || e.reason.code}`,
            id: 'VESSEL0002',
          }),
        );
      return out;
    }
    case 'system.modified':
      return [inst('CIM_InstModification', e, s, s.current ?? minimal(e.system, e.uuid), s.previous)];
    case 'system.defined':
      return [inst('CIM_InstCreation', e, s, s.current ?? minimal(e.system, e.uuid))];
    case 'system.undefined':
      return [inst('CIM_InstDeletion', e, s, s.previous ?? minimal(e.system, e.uuid))];
    case 'guest.panic': {
      const about = s.current?.path ?? s.previous?.path;
      const name = String((s.current ?? s.previous)?.properties.Name ?? e.uuid);
      return [
        alert(e, s, about, {
          type: 5,
          severity: 6,
          message: `The guest of "${name}" panicked${e.detail ? `: ${e.detail.slice(0, 512)}` : ''}`,
          id: 'VESSEL0001',
        }),
      ];
    }
    case 'job.finished':
      if (e.job.state !== 'failed') return [];
      return [
        alert(e, s, undefined, {
          type: 4,
          severity: 4,
          message: `Job ${e.job.id} (${e.job.operation}) failed${e.job.error ? `: ${e.job.error.message}` : ''}`,
          id: 'VESSEL0003',
        }),
      ];
    default:
      return [];
  }
}
