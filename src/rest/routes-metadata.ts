import { createHash } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { type Api, ApiError, METHODS, Strict } from '../api/index.js';
import { etagHeader, ifMatchOf } from './request.js';
import type { RestAnswer, RestRoute } from './route.js';

/**
 * A system's metadata (free-form text beside its definition: a deploy's `ovf.*`, a user's own keys) as one
 * resource, `/systems/{id}/metadata`, whose `ETag` covers every entry; a key is set with `PUT .../metadata/{key}`
 * and removed with `DELETE`, both guarded by `If-Match` (the map's ETag: a stale one is 412, nothing changed).
 */

/** The metadata map, as `systems.metadata` answers it. */
const MetadataSchema = METHODS['systems.metadata'].result;

/** PUT /systems/{id}/metadata/{key}'s body: the value, at most 64 Ki characters (METHODS' limit). */
export const MetadataValueSchema = Strict({ value: Type.String({ maxLength: 65_536 }) });

/**
 * The entity tag of a metadata map: SHA-256 of its entries sorted by key, 32 hex digits. Equal maps have equal
 * tags whatever order the host lists them in.
 *
 * @example
 * metadataEtag({ 'app.role': 'web' }); // '5d1c…' (32 hex digits)
 */
export function metadataEtag(map: Readonly<Record<string, string>>): string {
  const sorted = Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 32);
}

const ID = { id: 'the system, by name or UUID' };
const KEY = { ...ID, key: 'the key (1 to 256 characters, percent-encoded in the path)' };

async function current(api: Api, id: string): Promise<RestAnswer> {
  const map = await api.systems.metadata(id);
  return { status: 200, body: map, headers: { ETag: etagHeader(metadataEtag(map)) } };
}

/**
 * Changes run one at a time in this process, so that an If-Match check and the change it guards are not split by
 * another REST change (a change through another transport at that instant is not seen: those carry no etag).
 */
let queue: Promise<unknown> = Promise.resolve();

function serially<T>(change: () => Promise<T>): Promise<T> {
  const run = queue.then(change, change);
  queue = run.catch(() => undefined);
  return run;
}

/** Sets (a string) or removes (undefined) one key when If-Match, if sent, names the current map; answers the map. */
function change(
  api: Api,
  id: string,
  key: string,
  value: string | undefined,
  headers: Parameters<typeof ifMatchOf>[0],
): Promise<RestAnswer> {
  const ifMatch = ifMatchOf(headers);
  return serially(async () => {
    if (ifMatch !== undefined) {
      const now = metadataEtag(await api.systems.metadata(id));
      if (now !== ifMatch)
        throw new ApiError('CONFLICT', `The metadata of "${id.slice(0, 128)}" changed since ${ifMatch}`, {
          hint: 'GET the metadata again and send its ETag in If-Match',
        });
    }
    await api.systems.setMetadata(id, key, value);
    return current(api, id);
  });
}

const ANSWER = {
  200: {
    description: 'The metadata after the change; ETag is its new tag',
    schema: MetadataSchema,
    headers: ['ETag'],
  },
};

/** Routes of /systems/{id}/metadata[/{key}]. */
export const METADATA_ROUTES: readonly RestRoute[] = [
  {
    method: 'GET',
    path: '/systems/{id}/metadata',
    operationId: 'getMetadata',
    summary: "A system's metadata, key to value (password-typed OVF property values are never shown); ETag",
    calls: 'systems.metadata',
    pathParams: ID,
    responses: {
      200: { description: 'Every entry', schema: MetadataSchema, headers: ['ETag'] },
    },
    handle: ({ api, params }) => current(api, params.id ?? ''),
  },
  {
    method: 'PUT',
    path: '/systems/{id}/metadata/{key}',
    operationId: 'setMetadata',
    summary: 'Sets one key to {"value": "..."}; If-Match (the metadata ETag) guards against a stale edit',
    calls: 'systems.setMetadata',
    pathParams: KEY,
    body: MetadataValueSchema,
    requestHeaders: ['If-Match'],
    responses: ANSWER,
    handle: ({ api, params, body, headers }) =>
      change(api, params.id ?? '', params.key ?? '', (body as { value: string }).value, headers),
  },
  {
    method: 'DELETE',
    path: '/systems/{id}/metadata/{key}',
    operationId: 'deleteMetadata',
    summary: 'Removes one key (a key that is not there is no error); If-Match as for PUT',
    calls: 'systems.setMetadata',
    pathParams: KEY,
    requestHeaders: ['If-Match'],
    responses: ANSWER,
    handle: ({ api, params, headers }) => change(api, params.id ?? '', params.key ?? '', undefined, headers),
  },
];
