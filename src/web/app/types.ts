/**
 * The REST API's JSON as the UI reads it (GET /api/v1/openapi.json is the contract; src/api holds the schemas).
 * Only the fields the UI shows are named; the browser code imports nothing of the host's modules.
 */

/** `reader` reads; `operator` also changes states; `admin` may do anything (src/api ROLES). */
export type Role = 'reader' | 'operator' | 'admin';

/** GET /api/v1/session. */
export interface SessionView {
  user: string;
  role: Role;
  via: 'basic' | 'bearer' | 'cookie' | 'anonymous';
  csrfToken?: string;
}

/** One RASD of a system's definition (DMTF property names, values as strings or string lists). */
export interface Resource {
  cimClass?: string;
  properties: Record<string, string | string[] | undefined>;
}

/** A system as GET /systems?detail=true and GET /systems/{id} answer it. */
export interface SystemView {
  uuid: string;
  name: string;
  state: string;
  reason: { code: string; text: string };
  changedAt: string;
  definition?: { system: Record<string, string | string[] | undefined>; resources: Resource[] };
  /** The definition's version: If-Match of a change made from it (GET /systems/{id}). */
  etag?: string;
  consoles?: string[];
}

/** An event of GET /api/v1/events (the fields the UI uses). */
export interface HostEvent {
  seq: number;
  /** ISO 8601 UTC, as `changedAt` (so the two compare as strings). */
  time?: string;
  type: string;
  system?: string;
  uuid?: string;
  state?: string;
  reason?: { code: string; text: string };
}

/** The states POST /systems/{id}/state takes. */
export type TargetState = 'running' | 'stopped' | 'shutdown' | 'paused' | 'reboot' | 'reset';
