import type { ServerResponse } from 'node:http';
import { Type } from '@sinclair/typebox';
import {
  API_ERROR_CODES,
  API_ERRORS,
  ApiError,
  type ApiErrorCode,
  type ApiErrorInfo,
  FieldErrorSchema,
  restStatusOf,
} from '../api/index.js';
import { REST_ERRORS, RestError } from './errors.js';

/**
 * RFC 9457 problem details, the body of every REST error: `type` (a URN naming the problem), `title`, `status`,
 * `detail` (the message users read) and Vessel's `code` (API_ERRORS), with `hint` and the domain's own code where
 * known, the `job` whose failure it is, and `errors`: the refused members of the request body, each an RFC 6901
 * JSON Pointer with what is wrong (RFC 9457 §3's own example of an extension), so a form shows each on its field.
 */

/** The media type of problem details (RFC 9457 §3). */
export const PROBLEM_TYPE = 'application/problem+json';

/** The OpenAPI (JSON Schema) of a problem. */
export const ProblemSchema = Type.Object({
  type: Type.String({ description: 'urn:vessel:problem:<code>, a URN naming the problem' }),
  title: Type.String(),
  status: Type.Integer({ minimum: 400, maximum: 599 }),
  detail: Type.String(),
  code: Type.Union(API_ERROR_CODES.map((c) => Type.Literal(c))),
  hint: Type.Optional(Type.String()),
  domainCode: Type.Optional(Type.String({ description: "the domain's own code, e.g. OVA_DIGEST_MISMATCH" })),
  job: Type.Optional(Type.String({ description: 'the job whose failure this is' })),
  errors: Type.Optional(
    Type.Array(FieldErrorSchema, {
      maxItems: 64,
      description:
        'the refused members of the request body: `pointer` (RFC 6901, e.g. /system/ElementName, /resources/3) and `detail`',
    }),
  ),
});

/** A problem as the edge answers it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ApiErrorCode;
  hint?: string;
  domainCode?: string;
  job?: string;
  errors?: ApiErrorInfo['errors'];
}

/**
 * The problem an error is: an {@link ApiError} by REST_STATUS_OF, a {@link RestError} by its own status, anything
 * else 500 INTERNAL without its message (a bug's text is for the log, not the caller).
 *
 * @example
 * problemOf(new ApiError('VM_NOT_FOUND', 'No virtual system "web9"')).status; // 404
 */
export function problemOf(e: unknown): Problem {
  if (e instanceof RestError) {
    const r = REST_ERRORS[e.code];
    const p: Problem = {
      type: `urn:vessel:problem:${e.code}`,
      title: r.title,
      status: r.status,
      detail: e.message,
      code: r.code,
    };
    if (e.hint !== undefined) p.hint = e.hint;
    if (e.errors !== undefined) p.errors = e.errors;
    return p;
  }
  if (e instanceof ApiError) {
    const p: Problem = {
      type: `urn:vessel:problem:${e.code}`,
      title: API_ERRORS[e.code],
      status: restStatusOf(e),
      detail: e.message,
      code: e.code,
    };
    if (e.hint !== undefined) p.hint = e.hint;
    if (e.detail !== undefined) p.domainCode = e.detail.code;
    const job = (e as { job?: unknown }).job;
    if (typeof job === 'string') p.job = job;
    if (e.errors !== undefined) p.errors = e.errors;
    return p;
  }
  return {
    type: 'urn:vessel:problem:INTERNAL',
    title: API_ERRORS.INTERNAL,
    status: 500,
    detail: 'The host failed to answer this request (see its log)',
    code: 'INTERNAL',
  };
}

/**
 * Answers a problem; `close` ends the connection after it (a body left unread).
 *
 * @example
 * sendProblem(res, problemOf(e));
 */
export function sendProblem(
  res: ServerResponse,
  p: Problem,
  headers: Record<string, string | number> = {},
  close = false,
): void {
  const body = JSON.stringify(p);
  res.writeHead(p.status, {
    ...headers,
    'Content-Type': PROBLEM_TYPE,
    'Content-Length': Buffer.byteLength(body),
    ...(close ? { Connection: 'close' } : {}),
  });
  res.end(body);
}
