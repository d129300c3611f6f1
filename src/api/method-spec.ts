import { type TObject, type TSchema, Type } from '@sinclair/typebox';
import type { Role } from './principal.js';

/** The shape of one METHODS entry (methods.ts). */

/**
 * How a method's bytes travel besides its JSON: `upload` (the caller sends a body: deploy from an upload, image
 * upload), `download` (the answer is a byte stream), `duplex` (both ways: a console), `events` (the host pushes
 * events on the subscribing connection).
 */
export type StreamKind = 'upload' | 'download' | 'duplex' | 'events';

/** One method: who may call it, how its bytes travel, its parameters by name and its result. */
export interface MethodSpec {
  role: Role;
  stream?: StreamKind;
  args: readonly (string | null)[];
  params: TObject;
  result: TSchema;
}

/** The answer of a `download` or `duplex` method on a transport: the token of the stream to open (single use). */
export const StreamTicketSchema = Type.Object({ stream: Type.String({ pattern: '^[0-9a-f]{32}$' }) });
