import type { VirtualSystemDefinition } from '../../model/index.js';
import type { Api } from '../api.js';
import type { Capabilities } from '../capabilities.js';

/** The cases of the API conformance runner, one id each (see ../conformance.case.test.ts). */
export const API_CASE_IDS = [
  'host.info',
  'systems.crud',
  'systems.errors',
  'systems.firmware',
  'systems.disk-mode',
  'systems.keep-disks',
  'systems.memory-units',
  'systems.modify',
  'systems.resources',
  'systems.metadata',
  'systems.stats',
  'state.operations',
  'state.refusals',
  'state.shutdown-timeout',
  'jobs.wait',
  'jobs.cancel',
  'jobs.supersede',
  'events.replay',
  'consoles.stopped',
  'consoles.screenshot',
  'users.crud',
  'pools.read',
  'networks.read',
  'networks.manage',
  'packages.deploy-export',
] as const;

/** A case id. */
export type ApiCaseId = (typeof API_CASE_IDS)[number];

/** An open subject: the Api of a fresh host behind the transport under test, and how to end it. */
export interface ApiSubject {
  api: Api;
  close(): Promise<void>;
}

/** What some cases need from the subject beyond its Api. */
export interface ApiFixtures {
  /**
   * A definition whose guest ignores the ACPI power button on the subject's host (for the test driver, the knob
   * that makes it so). The shutdown-timeout, cancel and supersede cases need one.
   */
  guestIgnoringShutdown?(def: VirtualSystemDefinition): VirtualSystemDefinition;
  /** A small valid OVA (one system, no disks or one tiny disk), for deploy and export. */
  smallOva?(): Promise<{ fileName: string; bytes: Uint8Array }>;
}

/** What a case runs with. */
export interface CaseContext {
  api: Api;
  caps: Capabilities;
  fixtures: ApiFixtures;
  /** A system name unique to this run, e.g. `conf-crud-3f2a`. */
  name(tag: string): string;
}

/** One case: its id, what it needs, the one call that shows a transport cannot do it, and the case itself. */
export interface ApiCase {
  id: ApiCaseId;
  /** What the case checks, as the test title says it. */
  title: string;
  /** The capability the case needs; false means the subject must declare it skipped or unsupported. */
  requires?(caps: Capabilities): boolean;
  /** The fixture the case needs; a subject without it must declare the case skipped. */
  needs?: keyof ApiFixtures;
  /** One call that must throw NOT_SUPPORTED when the subject declares the case unsupported. */
  probe?(api: Api): Promise<unknown>;
  run(ctx: CaseContext): Promise<void>;
}
