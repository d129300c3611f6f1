import { type StaticDecode, Type } from '@sinclair/typebox';
import { VesselError, type VesselErrorOptions } from '../model/index.js';
import { oneOf } from './schema.js';

/**
 * The one error registry of the Api (as fastify's lib/errors.js: every code in one place, with its meaning).
 * Domain errors become an {@link ApiError} once, where the host implements the Api (host/api-errors.ts); each
 * edge maps an {@link ApiErrorCode} once, in an exhaustive table (errors-cli.ts, errors-cim.ts), so a new code
 * does not compile until every edge says what it becomes.
 */
export const API_ERRORS = {
  INVALID_ARGUMENT: "a parameter's shape, enumeration or range is wrong",
  DEFINITION_INVALID: 'the model refuses a definition (units, limits, contradictions)',
  IMAGE_NOT_FOUND: 'an image the definition names is absent on the host',
  IMAGE_UNSAFE: 'an image refers to other files, or is a device the pool does not allow',
  PATH_OUTSIDE_POOL: 'a host path lies in no storage pool',
  VM_NOT_FOUND: 'no such virtual system',
  NOT_FOUND: 'no such job, device, pool, image, user, network or artifact (detail.code says which)',
  VM_EXISTS: 'the system name or UUID is taken',
  ALREADY_EXISTS: 'the pool, user, network or image name is taken',
  INVALID_STATE: 'not allowed in the current state',
  CONFLICT: 'the change was made from a stale version (ifMatch)',
  BUSY: 'an exclusive job holds the system',
  NOT_SUPPORTED: 'the driver, the host or the transport cannot do this',
  AUTH_FAILED: 'credentials are missing or wrong',
  ACCESS_DENIED: "the principal's role may not do this",
  HOST_NOT_RUNNING: 'client side: no host answers on the state directory socket',
  HOST_UNREACHABLE: 'client side: the connection to the host failed',
  PROTOCOL: 'client side: the peer is unreadable or speaks another protocol version',
  TIMEOUT: 'a guest or a job did not finish in time',
  LIMIT_EXCEEDED: 'a quota, the job store, an upload size or a rate is exceeded',
  CANCELLED: 'the job was cancelled or superseded',
  HYPERVISOR_FAILED: 'the hypervisor failed (detail: QMP_*, QEMU_START, ...)',
  DEPLOY_PACKAGE: 'the package cannot be used',
  DEPLOY_INVALID: "the package's descriptor is invalid",
  DEPLOY_EULA: 'the license agreement was not accepted',
  DEPLOY_PROPERTY: 'a property value is missing or wrong',
  DEPLOY_HARDWARE: "the package's hardware cannot be mapped to this host",
  DEPLOY_DISK: "a package's disk is unusable",
  EXPORT_OUTPUT: 'the export destination exists',
  EXPORT_INVALID: "the written descriptor fails Vessel's own validator (a bug)",
  HOST_STORE: "the host's store cannot be read or written",
  INTERNAL: 'a bug',
} as const;

/** An error code of the Api. */
export type ApiErrorCode = keyof typeof API_ERRORS;

/** Every code, in registry order. */
export const API_ERROR_CODES = Object.keys(API_ERRORS) as readonly ApiErrorCode[];

/** Checks a string against the registry (for what arrives from a peer). */
export function isApiErrorCode(text: string): text is ApiErrorCode {
  return Object.hasOwn(API_ERRORS, text);
}

/**
 * Wire schema of one refused member of a request (RFC 9457 §3's `errors` extension): an RFC 6901 JSON Pointer into
 * the request's document (a definition: `/system/ElementName`, `/resources/3`) and what is wrong with it.
 */
export const FieldErrorSchema = Type.Object({
  pointer: Type.String({ maxLength: 1024, description: 'RFC 6901 JSON Pointer into the request body' }),
  detail: Type.String({ maxLength: 8192 }),
});

/** Wire schema of {@link ApiErrorInfo}. */
export const ApiErrorInfoSchema = Type.Object({
  code: oneOf(API_ERROR_CODES),
  message: Type.String({ maxLength: 8192 }),
  hint: Type.Optional(Type.String({ maxLength: 8192 })),
  /** The domain's own code, e.g. `{ domain: 'ova', code: 'OVA_DIGEST_MISMATCH' }`, for `--json` and logs. */
  detail: Type.Optional(
    Type.Object({ domain: Type.String({ maxLength: 64 }), code: Type.String({ maxLength: 64 }) }),
  ),
  /** The refused members of the request, when the refusal is about some (a definition's name, resources). */
  errors: Type.Optional(Type.Array(FieldErrorSchema, { maxItems: 64 })),
});

/**
 * An error as it crosses a transport: the code, the message users read, a hint, the domain's own code.
 *
 * @example
 * const info: ApiErrorInfo = { code: 'VM_NOT_FOUND', message: 'No virtual system "web9"' };
 */
export type ApiErrorInfo = StaticDecode<typeof ApiErrorInfoSchema>;

/** Options of {@link ApiError} beyond the base error's. */
export interface ApiErrorOptions extends VesselErrorOptions {
  detail?: ApiErrorInfo['detail'] | undefined;
  errors?: ApiErrorInfo['errors'] | undefined;
}

/**
 * The only error that crosses the Api. `detail` keeps the domain's code (e.g. `OVA_DIGEST_MISMATCH`).
 *
 * @example
 * throw new ApiError('INVALID_STATE', 'Cannot start "web1": it is already running');
 * throw new ApiError('NOT_FOUND', 'No job "j9"', { detail: { domain: 'host', code: 'JOB_NOT_FOUND' } });
 */
export class ApiError extends VesselError<ApiErrorCode> {
  /** The domain's own code, when a domain error became this one. */
  readonly detail: ApiErrorInfo['detail'];
  /** The refused members of the request (JSON Pointers into it), when the refusal names some. */
  readonly errors: ApiErrorInfo['errors'];

  constructor(code: ApiErrorCode, message: string, options: ApiErrorOptions = {}) {
    super(code, message, options);
    this.detail = options.detail;
    this.errors = options.errors?.length ? options.errors.slice(0, 64) : undefined;
  }

  /** What crosses a transport. */
  toInfo(): ApiErrorInfo {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.detail === undefined ? {} : { detail: this.detail }),
      ...(this.errors === undefined ? {} : { errors: this.errors }),
    };
  }

  /**
   * The error a transport received, rebuilt; a code outside the registry (a newer peer) becomes `PROTOCOL`.
   *
   * @example
   * throw ApiError.fromInfo(answer.error);
   */
  static fromInfo(info: {
    code: string;
    message: string;
    hint?: string | undefined;
    detail?: ApiErrorInfo['detail'];
    errors?: ApiErrorInfo['errors'];
  }): ApiError {
    if (!isApiErrorCode(info.code)) {
      return new ApiError(
        'PROTOCOL',
        `The host answered with an unknown error code ${info.code}: ${info.message}`,
      );
    }
    return new ApiError(info.code, info.message, {
      hint: info.hint,
      detail: info.detail,
      errors: info.errors,
    });
  }
}

/** True when `e` is an {@link ApiError} with this code. */
export function isApiError(e: unknown, code?: ApiErrorCode): e is ApiError {
  return e instanceof ApiError && (code === undefined || e.code === code);
}
