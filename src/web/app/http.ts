/** The UI's one way to the host: fetch against /api/v1 with the session cookie and its CSRF token. */

/** One refused member of a request body: an RFC 6901 JSON Pointer to it and what is wrong. */
export interface FieldError {
  pointer: string;
  detail: string;
}

/** An error answer of the API (RFC 9457 problem details with Vessel's `code`, and `errors` naming members). */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
    readonly errors: readonly FieldError[] = [],
  ) {
    super(message);
  }
}

/** The well-formed members of a problem's `errors` (at most 64). */
function fieldErrors(v: unknown): FieldError[] {
  if (!Array.isArray(v)) return [];
  return v
    .slice(0, 64)
    .filter(
      (x): x is FieldError =>
        typeof x === 'object' &&
        x !== null &&
        typeof (x as FieldError).pointer === 'string' &&
        typeof (x as FieldError).detail === 'string',
    )
    .map((x) => ({ pointer: x.pointer, detail: x.detail }));
}

let csrf: string | undefined;
let onUnauthorized: () => void = () => undefined;

/** Sets the CSRF token every change sends (from POST or GET /api/v1/session), or clears it. */
export function setCsrf(token: string | undefined): void {
  csrf = token;
}

/** The CSRF token of the session (for requests made without {@link api}: an upload with progress). */
export function csrfToken(): string | undefined {
  return csrf;
}

/** Called when the session ends under the UI (a 401 on an ordinary call). */
export function whenUnauthorized(f: () => void): void {
  onUnauthorized = f;
}

async function problemOf(r: Response): Promise<Problem> {
  let p: { code?: string; detail?: string; title?: string; hint?: string; errors?: unknown } = {};
  try {
    p = (await r.json()) as typeof p;
  } catch {
    // not JSON: keep the status line
  }
  const message = p.detail ?? p.title ?? `${r.status} ${r.statusText}`;
  return new Problem(r.status, p.code ?? `HTTP_${r.status}`, message, p.hint, fieldErrors(p.errors));
}

/** Calls the API; answers the JSON body (undefined for 204) or throws a {@link Problem}. */
export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const h: Record<string, string> = {
    Accept: 'application/json',
    'X-Requested-With': 'XMLHttpRequest',
    ...headers,
  };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf !== undefined) h['X-CSRF-Token'] = csrf;
  const r = await fetch(`/api/v1${path}`, {
    method,
    headers: h,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!r.ok) {
    const p = await problemOf(r);
    if (r.status === 401 && headers.Authorization === undefined) onUnauthorized();
    throw p;
  }
  return r.status === 204 ? (undefined as T) : ((await r.json()) as T);
}

/** The Basic credentials header of a user and password (UTF-8, RFC 7617 §2.1). */
export function basicAuth(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return `Basic ${btoa(bin)}`;
}
