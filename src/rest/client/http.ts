import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { WebSocket } from 'ws';
import { ApiError, type ApiErrorCode } from '../../api/index.js';
import { CimXmlError, exchange, printable } from '../../wbem/index.js';
import { API_PREFIX } from '../route.js';

/** How a {@link RestHttp} reaches a host. */
export interface RestHttpOptions {
  /** The REST endpoint's origin, e.g. `https://h1:8443` (the `/api/v1` prefix is added). */
  url: URL;
  /** Basic credentials; or `token` (Bearer), which wins when both are given. */
  user?: string | undefined;
  password?: string | undefined;
  token?: string | undefined;
  /** PEM of the CA certificates to trust (https). */
  ca?: string | Buffer | undefined;
  /** Accept any certificate (https). */
  insecure?: boolean | undefined;
  /** The whole of one exchange, ms (default 120 s: a call may wait for its job). */
  timeoutMs?: number | undefined;
  /** The largest answer read (default 64 MiB). */
  maxBytes?: number | undefined;
}

/** One answer: status, headers, and the JSON body (undefined when empty). */
export interface RestHttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** A request's parts besides method and path. */
export interface RestHttpRequest {
  query?: Record<string, string | number | boolean | readonly string[] | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** A binary answer of this media type (`image/png`) is expected: its body comes back as a Buffer. */
  binary?: string;
}

const TRANSPORT_CODES: Partial<Record<string, ApiErrorCode>> = {
  HOST_UNREACHABLE: 'HOST_UNREACHABLE',
  CIMXML_TIMEOUT: 'HOST_UNREACHABLE',
  CIMXML_HTTP: 'HOST_UNREACHABLE',
  CIMXML_UNAUTHORIZED: 'AUTH_FAILED',
};

/** A problem document's fields, as far as a client trusts them. */
interface ProblemBody {
  code?: unknown;
  detail?: unknown;
  hint?: unknown;
  domainCode?: unknown;
  job?: unknown;
  errors?: unknown;
}

/** A problem's `errors` as far as they are well formed: at most 64 members with a string pointer and detail. */
function fieldErrors(v: unknown): { errors?: { pointer: string; detail: string }[] } {
  if (!Array.isArray(v)) return {};
  const out: { pointer: string; detail: string }[] = [];
  for (const x of v.slice(0, 64)) {
    const f = (typeof x === 'object' && x !== null ? x : {}) as { pointer?: unknown; detail?: unknown };
    if (typeof f.pointer === 'string' && typeof f.detail === 'string')
      out.push({ pointer: printable(f.pointer).slice(0, 1024), detail: printable(f.detail).slice(0, 8192) });
  }
  return out.length === 0 ? {} : { errors: out };
}

/**
 * The HTTP side of the REST client: JSON requests to `/api/v1` with keep-alive, Basic or Bearer credentials, TLS
 * trust as the other clients have it (`ca`, `insecure`), one deadline per exchange and a size bound on answers.
 * Problem details come back as the {@link ApiError} they name (with the failed job's id in `job`); transport
 * failures as HOST_UNREACHABLE, AUTH_FAILED or PROTOCOL.
 *
 * @example
 * const http = new RestHttp({ url: new URL('https://h1:8443'), user: 'admin', password: 'secret' });
 * const { body } = await http.call('GET', '/systems/web1');
 */
export class RestHttp {
  private readonly agent: HttpAgent;
  readonly where: string;

  constructor(private readonly o: RestHttpOptions) {
    const https = o.url.protocol === 'https:';
    this.agent = https
      ? new HttpsAgent({
          keepAlive: true,
          maxSockets: 4,
          ...(o.ca === undefined ? {} : { ca: o.ca }),
          rejectUnauthorized: o.insecure !== true,
        })
      : new HttpAgent({ keepAlive: true, maxSockets: 4 });
    this.where = `the REST service at ${o.url.host}`;
  }

  /** Sends one request; a problem answer is thrown as its ApiError. */
  async call(method: string, path: string, r: RestHttpRequest = {}): Promise<RestHttpAnswer> {
    const url = this.urlOf(path);
    for (const [k, v] of Object.entries(r.query ?? {})) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const one of v) url.searchParams.append(k, one);
      else url.searchParams.set(k, String(v));
    }
    const body = r.body === undefined ? '' : JSON.stringify(r.body);
    const accept = r.binary === undefined ? 'application/json' : `${r.binary}, application/json;q=0.5`;
    const headers: Record<string, string | number> = { Accept: accept, ...r.headers };
    if (body !== '') {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    if (this.o.token !== undefined) headers.Authorization = `Bearer ${this.o.token}`;
    let a: Awaited<ReturnType<typeof exchange>>;
    try {
      a = await exchange({
        url,
        method,
        defaultPort: url.protocol === 'https:' ? 8443 : 8080,
        agent: this.agent,
        headers,
        body,
        ...(this.o.token === undefined ? { user: this.o.user, password: this.o.password } : {}),
        timeoutMs: this.o.timeoutMs ?? 120_000,
        maxBytes: this.o.maxBytes ?? 64 << 20,
        where: this.where,
        operation: `${method} ${path}`,
        fullBody: () => true,
      });
    } catch (e) {
      throw this.transportError(e, method, path);
    }
    if (r.binary !== undefined && a.status < 300) {
      const type = String(a.headers['content-type'] ?? '')
        .split(';')[0]
        ?.trim();
      if (type !== r.binary)
        throw new ApiError(
          'PROTOCOL',
          `${this.where} answered ${method} ${path} with ${printable(type?.slice(0, 80) ?? '')}, not ${r.binary}`,
        );
      return { status: a.status, headers: a.headers, body: a.body };
    }
    const text = a.body.toString('utf8');
    let json: unknown;
    if (text !== '') {
      try {
        json = JSON.parse(text);
      } catch {
        throw new ApiError(
          'PROTOCOL',
          `${this.where} answered ${method} ${path} with HTTP ${a.status} and a body that is not JSON: ${printable(text.slice(0, 200))}`,
        );
      }
    }
    if (a.status >= 400) throw this.problemError(a.status, json, method, path);
    return { status: a.status, headers: a.headers, body: json };
  }

  /**
   * Opens a long answer (Server-Sent Events) and hands over the response once its status is 200; any other status is
   * thrown as its problem. The caller reads and ends it.
   */
  stream(
    path: string,
    query: Record<string, string | readonly string[]>,
    headers: Record<string, string>,
    ok: readonly number[] = [200],
  ): Promise<IncomingMessage> {
    const url = this.urlOf(path, query);
    const h: Record<string, string> = { Accept: 'text/event-stream', ...headers, ...this.authorization() };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      // Its own connection (not the pool's): it stays open as long as the caller follows.
      const req = send(url, { method: 'GET', headers: h, agent: false, ...this.tls() }, (res) => {
        if (ok.includes(res.statusCode ?? 0)) return resolve(res);
        this.refusal(res, path).then(reject);
      });
      req.setTimeout(this.o.timeoutMs ?? 120_000, () => req.destroy(new Error('no answer in time')));
      req.on('error', (e) =>
        reject(new ApiError('HOST_UNREACHABLE', `Cannot reach ${this.where}: ${e.message}`, { cause: e })),
      );
      req.end();
    });
  }

  /** The error of a refused GET of `path`: its problem details, read from at most 64 chunks of the answer. */
  private refusal(res: IncomingMessage, path: string): Promise<ApiError> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => {
        if (chunks.length < 64) chunks.push(c);
      });
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          json = undefined;
        }
        resolve(this.problemError(res.statusCode ?? 0, json, 'GET', path));
      });
    });
  }

  /**
   * Opens a WebSocket at `path` (a console) with this client's credentials and TLS trust, and resolves with what
   * `attach` made of it; an HTTP refusal of the upgrade is thrown as its problem. `attach` runs at once, before the
   * socket opens: a peer that speaks first (a VNC server's version) sends its first frame right behind the
   * handshake, and a listener added once the open had resolved would miss it.
   */
  websocket<T>(path: string, protocols: string[], attach: (ws: WebSocket) => T): Promise<T> {
    const url = this.urlOf(path);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url, protocols, {
      headers: this.authorization(),
      ...this.tls(),
      handshakeTimeout: this.o.timeoutMs ?? 120_000,
      maxPayload: 16 << 20,
      perMessageDeflate: false,
    });
    const attached = attach(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(attached));
      ws.once('unexpected-response', (_req, res) => {
        this.refusal(res, path).then((e) => {
          reject(e);
          ws.terminate();
        });
      });
      ws.once('error', (e) =>
        reject(new ApiError('HOST_UNREACHABLE', `Cannot reach ${this.where}: ${e.message}`, { cause: e })),
      );
    });
  }

  /** The URL of `path` below /api/v1 with `query`. */
  urlOf(path: string, query: Record<string, string | readonly string[] | undefined> = {}): URL {
    // A URL resolves `.` and `..` segments (and their %2e spellings) away: a name such as ".." would address
    // another resource, so it is refused here, as the host refuses it.
    for (const seg of path.split('/'))
      if (/^(\.|%2e){1,2}$/i.test(seg))
        throw new ApiError('INVALID_ARGUMENT', `"${decodeURIComponent(seg)}" cannot be named in a REST path`);
    const url = new URL(`${API_PREFIX}${path}`, this.o.url);
    for (const [k, v] of Object.entries(query))
      if (v === undefined) continue;
      else if (Array.isArray(v)) for (const one of v) url.searchParams.append(k, one);
      else url.searchParams.set(k, v as string);
    return url;
  }

  /** The Authorization header of the credentials given (Bearer wins), or none. */
  authorization(): Record<string, string> {
    if (this.o.token !== undefined) return { Authorization: `Bearer ${this.o.token}` };
    if (this.o.user === undefined) return {};
    return {
      Authorization: `Basic ${Buffer.from(`${this.o.user}:${this.o.password ?? ''}`).toString('base64')}`,
    };
  }

  /** The socket idle time of a long exchange (a transfer), ms. */
  get idleMs(): number {
    return this.o.timeoutMs ?? 120_000;
  }

  /** The TLS options of a request of its own (a transfer, an event stream). */
  tls(): { ca?: string | Buffer; rejectUnauthorized?: boolean } {
    if (this.o.url.protocol !== 'https:') return {};
    return {
      ...(this.o.ca === undefined ? {} : { ca: this.o.ca }),
      rejectUnauthorized: this.o.insecure !== true,
    };
  }

  /** Ends the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  /** The ApiError a problem answer names (its job's id in `job`). */
  problemError(status: number, json: unknown, method: string, path: string): ApiError {
    const p = (typeof json === 'object' && json !== null ? json : {}) as ProblemBody;
    const message =
      typeof p.detail === 'string'
        ? printable(p.detail)
        : `${this.where} answered ${method} ${path} with HTTP ${status}`;
    const e = ApiError.fromInfo({
      code: typeof p.code === 'string' ? p.code : status === 404 ? 'NOT_FOUND' : 'PROTOCOL',
      message,
      ...(typeof p.hint === 'string' ? { hint: printable(p.hint) } : {}),
      ...(typeof p.domainCode === 'string' ? { detail: { domain: 'rest', code: p.domainCode } } : {}),
      ...fieldErrors(p.errors),
    });
    return typeof p.job === 'string' ? Object.assign(e, { job: p.job }) : e;
  }

  private transportError(e: unknown, method: string, path: string): ApiError {
    if (e instanceof CimXmlError) {
      const code = TRANSPORT_CODES[e.code] ?? 'PROTOCOL';
      return new ApiError(code, `${method} ${path}: ${e.message}`, {
        cause: e,
        ...(e.hint === undefined ? {} : { hint: e.hint }),
        detail: { domain: 'rest', code: e.code },
      });
    }
    return new ApiError('INTERNAL', `${method} ${path} on ${this.where}: ${String(e)}`, { cause: e });
  }
}
