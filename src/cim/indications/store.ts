import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CimError } from '../errors.js';

/** A filter as DSP1054 §8.1 has a client create it: a query over indications of some namespaces. */
export interface FilterRecord {
  name: string;
  query: string;
  /** As the client wrote it (`WQL`, `DMTF:CQL`). */
  queryLanguage: string;
  sourceNamespaces: string[];
  createdBy: string;
}

/** A CIM-XML listener destination: where ExportIndication is POSTed. */
export interface DestinationRecord {
  name: string;
  /** CIM_ListenerDestinationCIMXML, or Vessel's subclass with the TLS settings. */
  className: string;
  destination: string;
  /** 2 Permanent, 3 Transient (DSP1054 §7.3; both are kept across restarts here). */
  persistenceType: number;
  /** False only when the destination says so (Vessel_ListenerDestinationCIMXML.VerifyCertificate). */
  verifyCertificate: boolean;
  /** PEM certificates to trust for this destination besides the system's (Vessel_...CIMXML.TrustedCertificate). */
  trustedCertificate?: string | undefined;
  createdBy: string;
}

/** A subscription: a filter's indications go to a destination. */
export interface SubscriptionRecord {
  filter: string;
  handler: string;
  /** 2 Enabled, 4 Disabled (CIM_IndicationSubscription.SubscriptionState). */
  state: number;
  /** 2 Ignore, 3 Disable, 4 Remove: what a delivery that failed every retry does to the subscription. */
  onFatalErrorPolicy: number;
  startTime: string;
  changedAt: string;
  createdBy: string;
}

/**
 * A WS-Eventing subscription (DSP0226 §10) of the WS-Man edge, kept here so that it survives a restart as
 * DSP1054 subscriptions do; it ends at `expiresAt` whether the host runs or not.
 */
export interface WsEventingRecord {
  /** The wse:Identifier handed to the subscriber (`uuid:...`). */
  id: string;
  user: string;
  notifyTo: string;
  /** NotifyTo's reference parameters as the header elements each event carries. */
  refParams: string;
  endTo?: string | undefined;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  query: string;
  /** `WQL` or `DMTF:CQL`. */
  queryLanguage: string;
}

/** What the store file holds. */
export interface IndicationState {
  filters: FilterRecord[];
  destinations: DestinationRecord[];
  subscriptions: SubscriptionRecord[];
  /** The last event seq turned into indications: a restart goes on after it. */
  lastSeq?: number | undefined;
  /** The WS-Man edge's WS-Eventing subscriptions (absent from stores written before they were kept). */
  wsEventing?: WsEventingRecord[] | undefined;
}

/** Most filters, destinations and subscriptions each (a client cannot grow the file without bound). */
export const MAX_SUBSCRIPTION_OBJECTS = 256;

/** The store file's name in the host's state directory. */
export const INDICATIONS_FILE = 'indications.json';

/**
 * The host's indication subscriptions (DSP1054): filters, listener destinations and subscriptions, kept in one
 * JSON file of the state directory (written to a temporary file and renamed, mode 0600), so they survive a
 * restart; without a file they live in memory only. Writes are serialized.
 *
 * @example
 * const s = await IndicationStore.open('/var/lib/vessel/indications.json');
 * s.state.filters.length;
 */
export class IndicationStore {
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string | undefined,
    readonly state: IndicationState,
  ) {}

  /** Opens the store file (a missing file is an empty store; a corrupt one is an error, never overwritten). */
  static async open(file: string | undefined): Promise<IndicationStore> {
    const empty: IndicationState = { filters: [], destinations: [], subscriptions: [] };
    if (file === undefined) return new IndicationStore(undefined, empty);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new IndicationStore(file, empty);
      throw e;
    }
    const data = JSON.parse(text) as Partial<IndicationState>;
    if (
      !Array.isArray(data.filters) ||
      !Array.isArray(data.destinations) ||
      !Array.isArray(data.subscriptions)
    )
      throw new CimError('CIM_ERR_FAILED', `${file} is not an indication store`);
    return new IndicationStore(file, {
      filters: data.filters,
      destinations: data.destinations,
      subscriptions: data.subscriptions,
      lastSeq: typeof data.lastSeq === 'number' ? data.lastSeq : undefined,
      wsEventing: Array.isArray(data.wsEventing) ? data.wsEventing : undefined,
    });
  }

  /** Writes the state (serialized after any write under way). */
  save(): Promise<void> {
    const file = this.file;
    if (file === undefined) return Promise.resolve();
    const next = this.writing.then(async () => {
      await mkdir(dirname(file), { recursive: true });
      const tmp = `${file}.${randomUUID()}.tmp`;
      await writeFile(tmp, `${JSON.stringify(this.state, null, 2)}\n`, { mode: 0o600 });
      await rename(tmp, file);
    });
    this.writing = next.catch(() => undefined);
    return next;
  }

  /** Settles when every write asked so far is done (closing: nothing writes into a removed directory later). */
  settled(): Promise<void> {
    return this.writing;
  }

  /** Refuses a new object of a kind that is full. */
  checkRoom(kind: 'filters' | 'destinations' | 'subscriptions'): void {
    if (this.state[kind].length >= MAX_SUBSCRIPTION_OBJECTS)
      throw new CimError(
        'CIM_ERR_FAILED',
        `The host already has ${MAX_SUBSCRIPTION_OBJECTS} indication ${kind}; delete some first`,
      );
  }
}
