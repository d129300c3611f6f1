import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ApiError, ImageInfoSchema, ImageName, NEW_IMAGE_FORMATS, Strict, Uint64 } from '../api/index.js';
import { type RestRoute, wire } from './route.js';
import { contentRange, rangeOf, sendBytes, sha256Of, sliceOf } from './transfer.js';

/**
 * The images of a storage pool as files: PUT streams one in (with an optional SHA-256; nothing is left behind when
 * it fails or is cut), GET streams it out (Content-Length, Range to resume), DELETE removes it. All through the
 * Api's pools namespace; the name is checked before a byte of an upload is read.
 */

const PARAMS = { id: 'the pool', name: "the image's file name (one path segment: no slash, not . or ..)" };
const imageName = TypeCompiler.Compile(ImageName);

/** The image name of a path, or INVALID_ARGUMENT before the body is read. */
function nameOf(params: Readonly<Record<string, string>>): string {
  const name = params.name ?? '';
  if (!imageName.Check(name) || Buffer.byteLength(name) > 255)
    throw new ApiError(
      'INVALID_ARGUMENT',
      `${JSON.stringify(name.slice(0, 80))} is not an image name: one file name (no slash, no NUL), not "." or ".."`,
    );
  return name;
}

/** Media types an image upload is streamed in. */
export const IMAGE_MEDIA_TYPES = ['application/octet-stream'] as const;

/** POST /pools/{id}/images's body: a new empty image. */
export const NewImageSchema = Strict({
  name: ImageName,
  sizeBytes: Uint64,
  format: Type.Union(NEW_IMAGE_FORMATS.map((f) => Type.Literal(f))),
});

/** Routes of /pools/{id}/images/{name}. */
export const IMAGE_ROUTES: readonly RestRoute[] = [
  {
    method: 'POST',
    path: '/pools/{id}/images',
    operationId: 'createImage',
    summary:
      'Creates an empty image in a pool (qcow2 or sparse raw; a multiple of 512 bytes from 1 MiB to 64 TiB); ' +
      'refused when the name is taken',
    calls: 'pools.createImage',
    pathParams: { id: PARAMS.id },
    body: NewImageSchema,
    responses: { 201: { description: 'Created', schema: ImageInfoSchema, headers: ['Location'] } },
    handle: async ({ api, params, body }) => {
      const b = body as { name: string; sizeBytes: bigint; format: (typeof NEW_IMAGE_FORMATS)[number] };
      const id = params.id ?? '';
      const info = await api.pools.createImage(id, nameOf({ name: b.name }), b.sizeBytes, b.format);
      return {
        status: 201,
        body: wire('pools.createImage', info),
        headers: {
          Location: `/api/v1/pools/${encodeURIComponent(id)}/images/${encodeURIComponent(info.name)}`,
        },
      };
    },
  },
  {
    method: 'PUT',
    path: '/pools/{id}/images/{name}',
    operationId: 'uploadImage',
    summary:
      'Uploads an image into a pool, streamed (Content-Length or chunked); refused when the name is taken, over the ' +
      "pool's free space or the upload limit, or when its SHA-256 is not the one announced",
    calls: 'pools.upload',
    pathParams: PARAMS,
    upload: {
      mediaTypes: IMAGE_MEDIA_TYPES,
      description: "The image's bytes; nothing is kept unless all arrive and match their digest",
    },
    requestHeaders: ['X-Content-SHA256', 'Repr-Digest', 'Digest'],
    responses: {
      201: {
        description: 'Uploaded; Location names the image',
        schema: ImageInfoSchema,
        headers: ['Location'],
      },
    },
    handle: async ({ api, params, headers, upload }) => {
      const id = params.id ?? '';
      const name = nameOf(params);
      const sha256 = sha256Of(headers);
      if (upload === undefined) throw new ApiError('INVALID_ARGUMENT', 'The upload has no body');
      const pool = await api.pools.get(id);
      if (pool.available) {
        const free = pool.capacityBytes > pool.usedBytes ? pool.capacityBytes - pool.usedBytes : 0n;
        upload.limitTo(free, `the free space of the storage pool "${id}" (${free} bytes)`);
      }
      const image = await api.pools.upload(id, name, upload.bytes, {
        ...(sha256 === undefined ? {} : { sha256 }),
        ...(upload.sizeBytes === undefined ? {} : { sizeBytes: upload.sizeBytes }),
      });
      return {
        status: 201,
        body: wire('pools.upload', image),
        headers: { Location: `/api/v1/pools/${encodeURIComponent(id)}/images/${encodeURIComponent(name)}` },
      };
    },
  },
  {
    method: 'GET',
    path: '/pools/{id}/images/{name}',
    operationId: 'downloadImage',
    summary: "An image's bytes; Range (with If-Range: its ETag) resumes a cut download",
    calls: 'pools.download',
    pathParams: PARAMS,
    requestHeaders: ['Range', 'If-Range'],
    responses: {
      200: { description: 'The image', mediaType: 'application/octet-stream', headers: ['ETag'] },
      206: {
        description: 'The range asked for',
        mediaType: 'application/octet-stream',
        headers: ['ETag', 'Content-Range'],
      },
    },
    handle: async ({ api, params, headers }) => {
      const id = params.id ?? '';
      const name = nameOf(params);
      const info = await api.pools.images(id).then(
        (all) => all.find((i) => i.name === name),
        () => undefined,
      );
      // A block device lists 0 bytes: its length is unknown here, so it is sent whole and chunked.
      const size = info !== undefined && info.sizeBytes > 0n ? info.sizeBytes : undefined;
      // The size and the time it last changed: an image is never rewritten in place (an upload links a new file).
      const modified = info?.modifiedAt === undefined ? undefined : Date.parse(info.modifiedAt);
      const etag = size === undefined || modified === undefined ? undefined : `"${size}-${modified}"`;
      const tags = etag === undefined ? {} : { ETag: etag };
      const seen = headers['if-none-match']?.split(',').map((t) => t.trim().replace(/^W\//, ''));
      if (etag !== undefined && (seen?.includes(etag) || seen?.includes('*'))) {
        // Checked by the Api (role, name, a regular file) before the answer says anything of the image.
        await (await api.pools.download(id, name))[Symbol.asyncIterator]().return?.();
        return { status: 304, headers: tags };
      }
      const range = size === undefined ? undefined : rangeOf(headers, size, etag);
      if (range === undefined || size === undefined) {
        const body = await api.pools.download(id, name);
        return {
          status: 200,
          stream: (res) => sendBytes(res, { status: 200, headers: tags, sizeBytes: size, body }),
        };
      }
      // A range is read from its first byte on: a resumed download does not re-read what it has.
      const body = await api.pools.download(id, name, { offset: range.first });
      const length = range.last - range.first + 1n;
      return {
        status: 206,
        stream: (res) =>
          sendBytes(res, {
            status: 206,
            headers: { ...tags, ...contentRange(range, size) },
            sizeBytes: length,
            body: sliceOf(body, 0n, length),
            source: body,
          }),
      };
    },
  },
  {
    method: 'DELETE',
    path: '/pools/{id}/images/{name}',
    operationId: 'deleteImage',
    summary: 'Deletes an image of a pool; refused while a defined system uses it',
    calls: 'pools.deleteImage',
    pathParams: PARAMS,
    responses: { 204: { description: 'Deleted' } },
    handle: async ({ api, params }) => {
      await api.pools.deleteImage(params.id ?? '', nameOf(params));
      return { status: 204 };
    },
  },
];
