import { ArtifactInfoSchema } from '../api/index.js';
import { etagHeader } from './request.js';
import { type RestRoute, wire } from './route.js';
import { contentRange, rangeOf, sendBytes, sliceOf } from './transfer.js';

/**
 * The artifacts jobs made (an export's OVA): their facts (ETag is the content's SHA-256), their bytes with Range
 * and If-Range to resume a cut download, and their removal. Through the Api's artifacts namespace (admin only).
 */

const ID = { id: "the artifact (an export job's result names it)" };

/** Routes of /artifacts/{id}[/content]. */
export const ARTIFACT_ROUTES: readonly RestRoute[] = [
  {
    method: 'GET',
    path: '/artifacts/{id}',
    operationId: 'getArtifact',
    summary: "An artifact's file name, size, SHA-256 and job; ETag is its SHA-256",
    calls: 'artifacts.get',
    pathParams: ID,
    responses: { 200: { description: 'The artifact', schema: ArtifactInfoSchema, headers: ['ETag'] } },
    handle: async ({ api, params }) => {
      const a = await api.artifacts.get(params.id ?? '');
      return {
        status: 200,
        body: wire('artifacts.get', a),
        headers: { ETag: etagHeader(a.sha256) },
      };
    },
  },
  {
    method: 'GET',
    path: '/artifacts/{id}/content',
    operationId: 'downloadArtifact',
    summary: "An artifact's bytes; Range (with If-Range: its ETag) resumes a cut download",
    calls: 'artifacts.download',
    pathParams: ID,
    requestHeaders: ['Range', 'If-Range'],
    responses: {
      200: {
        description: 'The artifact (Content-Disposition names its file)',
        mediaType: 'application/octet-stream',
        headers: ['ETag', 'Content-Disposition'],
      },
      206: {
        description: 'The range asked for',
        mediaType: 'application/octet-stream',
        headers: ['ETag', 'Content-Range'],
      },
    },
    handle: async ({ api, params, headers }) => {
      const id = params.id ?? '';
      const a = await api.artifacts.get(id);
      const etag = etagHeader(a.sha256);
      const seen = headers['if-none-match']?.split(',').map((t) => t.trim().replace(/^W\//, ''));
      if (seen?.includes(etag) || seen?.includes('*')) return { status: 304, headers: { ETag: etag } };
      const range = rangeOf(headers, a.sizeBytes, etag);
      const common = {
        ETag: etag,
        'Content-Disposition': `attachment; filename="${a.fileName.replace(/[^\x20-\x7e]|["\\]/g, '_')}"`,
      };
      if (range === undefined) {
        const body = await api.artifacts.download(id);
        return {
          status: 200,
          stream: (res) => sendBytes(res, { status: 200, headers: common, sizeBytes: a.sizeBytes, body }),
        };
      }
      const length = range.last - range.first + 1n;
      const body = await api.artifacts.download(id, { offset: range.first });
      return {
        status: 206,
        stream: (res) =>
          sendBytes(res, {
            status: 206,
            headers: { ...common, ...contentRange(range, a.sizeBytes) },
            sizeBytes: length,
            body: sliceOf(body, 0n, length),
            source: body,
          }),
      };
    },
  },
  {
    method: 'DELETE',
    path: '/artifacts/{id}',
    operationId: 'deleteArtifact',
    summary: 'Removes an artifact',
    calls: 'artifacts.delete',
    pathParams: ID,
    responses: { 204: { description: 'Removed' } },
    handle: async ({ api, params }) => {
      await api.artifacts.delete(params.id ?? '');
      return { status: 204 };
    },
  },
];
