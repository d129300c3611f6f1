import {
  type Api,
  ApiError,
  type ApiMethodName,
  type ArtifactsApi,
  type ConsolesApi,
  type DeployOptions,
  decodeResult,
  type EditOptions,
  encodeParams,
  type HostApi,
  isFinalJobState,
  type JobInfo,
  type JobsApi,
  type MetricsApi,
  type NetworksApi,
  type PackageSource,
  type PackagesApi,
  type ParamsOf,
  type PoolsApi,
  type ResultOf,
  type StateOperation,
  type SystemsApi,
  type UsersApi,
} from '../../api/index.js';
import type { TargetState } from '../schemas.js';
import { channelOfSocket } from './console.js';
import { restEvents } from './events.js';
import { RestHttp, type RestHttpOptions } from './http.js';
import { downloadStream, uploadStream } from './transfer.js';

/** The longest a single REST request waits for its job (the server's `Prefer: wait` ceiling), ms. */
const MAX_WAIT_MS = 300_000;

/** The state each operation asks for over REST (POST /systems/{id}/state). */
const TARGET_OF: Readonly<Record<StateOperation, TargetState>> = {
  start: 'running',
  resume: 'running',
  powerOff: 'stopped',
  shutdown: 'shutdown',
  pause: 'paused',
  suspend: 'suspended',
  reboot: 'reboot',
  reset: 'reset',
};

const enc = encodeURIComponent;

/** `Prefer` for a call's `waitMs`: 0 answers at once, a finite wait up to the server's ceiling, Infinity the most. */
function prefer(waitMs: number | undefined): Record<string, string> {
  if (waitMs === undefined || waitMs <= 0) return { Prefer: 'respond-async' };
  return { Prefer: `wait=${Math.ceil(Math.min(waitMs, MAX_WAIT_MS) / 1000)}` };
}

/** INVALID_ARGUMENT when a call's parameters break its METHODS schema, as the host would answer. */
function checkParams<N extends ApiMethodName>(method: N, params: ParamsOf<N>): void {
  try {
    encodeParams(method, params);
  } catch (e) {
    throw new ApiError('INVALID_ARGUMENT', `Invalid parameters of ${method}: ${(e as Error).message}`);
  }
}

/**
 * The whole {@link Api} of a Vessel host over its REST edge alone (`vessel --connect rest+https://h:8443`): the
 * routes of /api/v1 for systems (their metadata and statistics too), resources, states, jobs, networks, pools and
 * their images, deployments, exports, artifacts, users, tokens, consoles, metrics and events (Server-Sent Events):
 * every method. Images, packages and artifacts stream both ways (src/rest/client/transfer.ts).
 * A change runs as the host's job: the call waits up to its `waitMs` (the server's `Prefer: wait`), and longer
 * waits poll `GET /jobs/{id}?wait=`; a job that failed comes back as the failed job, as from any other transport.
 *
 * @example
 * const api = new RestApi({ url: new URL('https://h1:8443'), user: 'admin', password: 'secret' });
 * await api.systems.changeState('web1', 'start', { waitMs: Number.POSITIVE_INFINITY });
 */
export class RestApi implements Api {
  readonly http: RestHttp;
  readonly host: HostApi;
  readonly systems: SystemsApi;
  readonly jobs: JobsApi;
  readonly events;
  readonly packages: PackagesApi;
  readonly artifacts: ArtifactsApi;
  readonly consoles: ConsolesApi;
  readonly pools: PoolsApi;
  readonly users: UsersApi;
  readonly networks: NetworksApi;
  readonly metrics: MetricsApi;

  constructor(o: RestHttpOptions) {
    this.http = new RestHttp(o);
    const http = this.http;
    const get = async <N extends ApiMethodName>(method: N, path: string, query?: Record<string, never>) =>
      decodeResult(method, (await http.call('GET', path, query === undefined ? {} : { query })).body);
    const jobs = this.jobCall.bind(this);
    this.host = {
      surface: () => get('host.surface', '/host/surface'),
      info: async () =>
        decodeResult('host.info', ((await http.call('GET', '/host')).body as { info: unknown }).info),
      capabilities: async () =>
        decodeResult(
          'host.capabilities',
          ((await http.call('GET', '/host')).body as { capabilities: unknown }).capabilities,
        ),
    };
    this.systems = {
      list: (async (q = {}) => {
        const out: unknown[] = [];
        let after = q.after;
        const limit = q.limit;
        for (;;) {
          const left = limit === undefined ? 1000 : Math.min(1000, limit - out.length);
          const page = (
            await http.call('GET', '/systems', {
              query: { limit: left, after, state: q.states, detail: q.detail },
            })
          ).body as { items: unknown[]; next?: string };
          out.push(...page.items);
          if (page.next === undefined || (limit !== undefined && out.length >= limit)) break;
          after = page.next;
        }
        return decodeResult('systems.list', out);
      }) as SystemsApi['list'],
      get: (ref) => get('systems.get', `/systems/${enc(ref)}`),
      define: (def, o = {}) => jobs('systems.define', 'POST', '/systems', def, o.waitMs),
      undefine: (ref, o = {}) =>
        jobs('systems.undefine', 'DELETE', `/systems/${enc(ref)}`, undefined, o.waitMs, {
          powerOff: o.powerOff,
          keepDisks: o.keepDisks,
        }),
      modifySettings: (ref, changes, o = {}) =>
        jobs(
          'systems.modifySettings',
          'PUT',
          `/systems/${enc(ref)}/settings`,
          changes,
          o.waitMs,
          {},
          ifMatch(o),
        ),
      addResources: (ref, add, o = {}) =>
        jobs('systems.addResources', 'POST', `/systems/${enc(ref)}/resources`, add, o.waitMs, {}, ifMatch(o)),
      modifyResources: (ref, changes, o = {}) =>
        jobs(
          'systems.modifyResources',
          'PATCH',
          `/systems/${enc(ref)}/resources`,
          changes,
          o.waitMs,
          {},
          ifMatch(o),
        ),
      removeResources: (ref, ids, o = {}) =>
        jobs(
          'systems.removeResources',
          'DELETE',
          `/systems/${enc(ref)}/resources`,
          undefined,
          o.waitMs,
          { instanceId: ids },
          ifMatch(o),
        ),
      changeState: (ref, op, o = {}) => {
        const { waitMs, ...rest } = o;
        const body: Record<string, unknown> = { state: TARGET_OF[op], operation: op };
        if ('timeoutMs' in rest && rest.timeoutMs !== undefined) body.timeoutMs = rest.timeoutMs;
        if ('forceAfterTimeout' in rest && rest.forceAfterTimeout !== undefined)
          body.forceAfterTimeout = rest.forceAfterTimeout;
        return jobs('systems.changeState', 'POST', `/systems/${enc(ref)}/state`, body, waitMs);
      },
      stats: (ref) => get('systems.stats', `/systems/${enc(ref)}/stats`),
      metadata: (ref) => get('systems.metadata', `/systems/${enc(ref)}/metadata`),
      setMetadata: async (ref, key, value) => {
        // Checked here, as the host would: an empty key has no path of its own.
        checkParams('systems.setMetadata', { ref, key, ...(value === undefined ? {} : { value }) });
        if (key === '.' || key === '..')
          throw new ApiError(
            'INVALID_ARGUMENT',
            `Cannot set the metadata key "${key}" over REST: a URL path drops "." and ".." segments (RFC 3986 §5.2.4)`,
            { hint: 'Use another key, or set it through the host itself (vessel:///)' },
          );
        const path = `/systems/${enc(ref)}/metadata/${enc(key)}`;
        await (value === undefined ? http.call('DELETE', path) : http.call('PUT', path, { body: { value } }));
      },
    };
    this.jobs = {
      list: async (q = {}) =>
        decodeResult(
          'jobs.list',
          (
            (
              await http.call('GET', '/jobs', {
                query: { state: q.states, target: q.target, limit: q.limit },
              })
            ).body as { items: unknown[] }
          ).items,
        ),
      get: (id) => get('jobs.get', `/jobs/${enc(id)}`),
      wait: (id, o = {}) => this.waitFor(id, o.timeoutMs ?? Number.POSITIVE_INFINITY, o.onProgress),
      cancel: async (id) =>
        decodeResult('jobs.cancel', (await http.call('POST', `/jobs/${enc(id)}/cancel`)).body),
      delete: async (id) => {
        await http.call('DELETE', `/jobs/${enc(id)}`);
      },
    };
    this.events = restEvents(http);
    this.networks = {
      list: async () =>
        decodeResult('networks.list', ((await http.call('GET', '/networks')).body as Items).items),
      get: (name) => get('networks.get', `/networks/${enc(name)}`),
      define: async (n) =>
        decodeResult('networks.define', (await http.call('POST', '/networks', { body: n })).body),
      remove: async (name) => {
        await http.call('DELETE', `/networks/${enc(name)}`);
      },
    };
    this.pools = {
      list: async () => decodeResult('pools.list', ((await http.call('GET', '/pools')).body as Items).items),
      get: (id) => get('pools.get', `/pools/${enc(id)}`),
      images: async (id) =>
        decodeResult(
          'pools.images',
          ((await http.call('GET', `/pools/${enc(id)}/images`)).body as Items).items,
        ),
      add: async (spec) =>
        decodeResult('pools.add', (await http.call('POST', '/pools', { body: spec })).body),
      remove: async (id) => {
        await http.call('DELETE', `/pools/${enc(id)}`);
      },
      upload: async (id, name, body, o = {}) => {
        // Checked before a byte is sent: a server that refuses the name at once closes under a body in flight.
        checkParams('pools.upload', { id, name, options: o });
        return decodeResult(
          'pools.upload',
          await uploadStream(http, {
            method: 'PUT',
            path: `/pools/${enc(id)}/images/${enc(name)}`,
            mediaType: 'application/octet-stream',
            body,
            sizeBytes: o.sizeBytes,
            headers: o.sha256 === undefined ? {} : { 'X-Content-SHA256': o.sha256 },
          }),
        );
      },
      download: (id, name, o = {}) =>
        downloadStream(http, `/pools/${enc(id)}/images/${enc(name)}`, o.offset ?? 0n),
      deleteImage: async (id, name) => {
        await http.call('DELETE', `/pools/${enc(id)}/images/${enc(name)}`);
      },
      createImage: async (id, name, sizeBytes, format) =>
        decodeResult(
          'pools.createImage',
          (
            await http.call('POST', `/pools/${enc(id)}/images`, {
              body: { name, sizeBytes: String(sizeBytes), format },
            })
          ).body,
        ),
    };
    this.users = {
      list: async () => decodeResult('users.list', ((await http.call('GET', '/users')).body as Items).items),
      add: async (name, role, password) => {
        await http.call('POST', '/users', { body: { name, role, password } });
      },
      remove: async (name) => {
        await http.call('DELETE', `/users/${enc(name)}`);
      },
      setRole: async (name, role) => {
        await http.call('PUT', `/users/${enc(name)}/role`, { body: { role } });
      },
      setPassword: async (name, password) => {
        await http.call('PUT', `/users/${enc(name)}/password`, { body: { password } });
      },
      changePassword: async (oldPassword, password) => {
        await http.call('PUT', '/session/password', { body: { oldPassword, password } });
      },
      createToken: async (role, o = {}) =>
        decodeResult(
          'users.createToken',
          (await http.call('POST', '/tokens', { body: { role, ...o } })).body,
        ),
      tokens: async () =>
        decodeResult('users.tokens', ((await http.call('GET', '/tokens')).body as Items).items),
      revokeToken: async (id) => {
        await http.call('DELETE', `/tokens/${enc(id)}`);
      },
    };
    this.packages = {
      inspect: async (source, o = {}) =>
        decodeResult('packages.inspect', await deployment(http, source, o, { dryRun: 'true' }, {})),
      deploy: (source, o = {}) => {
        const { waitMs, ...options } = o;
        return this.jobOf(
          'packages.deploy',
          () => deployment(http, source, options, {}, prefer(waitMs)),
          waitMs,
        );
      },
      export: (ref, o) => {
        const { waitMs, ...options } = o;
        return jobs('packages.export', 'POST', `/systems/${enc(ref)}/export`, options, waitMs);
      },
    };
    this.artifacts = {
      get: (id) => get('artifacts.get', `/artifacts/${enc(id)}`),
      download: (id, o = {}) => downloadStream(http, `/artifacts/${enc(id)}/content`, o.offset ?? 0n),
      delete: async (id) => {
        await http.call('DELETE', `/artifacts/${enc(id)}`);
      },
    };
    this.consoles = {
      log: async (ref, o = {}) => {
        const a = await http.call('GET', `/systems/${encodeURIComponent(ref)}/console/log`, {
          query: o.maxBytes === undefined ? {} : { maxBytes: o.maxBytes },
        });
        const text = (a.body as { text?: unknown } | undefined)?.text;
        if (typeof text !== 'string')
          throw new ApiError('PROTOCOL', `${http.where} sent a console log without text`);
        return text;
      },
      open: (ref, kind) =>
        http.websocket(
          `/systems/${encodeURIComponent(ref)}/console/${kind}`,
          kind === 'vnc' ? ['binary'] : [],
          channelOfSocket,
        ),
      screenshot: async (ref) => {
        const a = await http.call('GET', `/systems/${encodeURIComponent(ref)}/console/screenshot`, {
          binary: 'image/png',
        });
        return new Uint8Array(a.body as Buffer);
      },
    };
    this.metrics = {
      current: () => get('metrics.current', '/metrics/latest'),
      series: async (ref, q = {}) => {
        // The route takes a duration with a unit; seconds serve any range the Api asks for.
        const range = q.rangeSeconds === undefined ? {} : { range: `${q.rangeSeconds}s` };
        const a = await http.call('GET', `/systems/${encodeURIComponent(ref)}/metrics`, { query: range });
        return decodeResult('metrics.series', (a.body as Items).items);
      },
    };
  }

  /**
   * One change as a job: sent with `Prefer` for `waitMs`, answered 200/201 (done) or 202 (running); a longer wait
   * polls the job; a failed job's problem comes back as that job.
   */
  private async jobCall<N extends ApiMethodName>(
    method: N,
    verb: string,
    path: string,
    body: unknown,
    waitMs: number | undefined,
    query: Record<string, boolean | readonly string[] | undefined> = {},
    headers: Record<string, string> = {},
  ): Promise<ResultOf<N>> {
    return this.jobOf(
      method,
      async () =>
        (
          await this.http.call(verb, path, {
            query,
            ...(body === undefined ? {} : { body }),
            headers: { ...prefer(waitMs), ...headers },
          })
        ).body,
      waitMs,
    );
  }

  /** A job started by `send` (which answers the job's JSON), followed as {@link jobCall} says. */
  private async jobOf<N extends ApiMethodName>(
    method: N,
    send: () => Promise<unknown>,
    waitMs: number | undefined,
  ): Promise<ResultOf<N>> {
    let job: JobInfo;
    try {
      job = decodeResult(method, await send()) as JobInfo;
    } catch (e) {
      const failed = e instanceof ApiError ? (e as ApiError & { job?: string }).job : undefined;
      if (failed === undefined) throw e;
      return decodeResult(
        'jobs.get',
        (await this.http.call('GET', `/jobs/${enc(failed)}`)).body,
      ) as ResultOf<N>;
    }
    if (isFinalJobState(job.state) || waitMs === undefined || waitMs <= MAX_WAIT_MS)
      return job as ResultOf<N>;
    return (await this.waitFor(job.id, waitMs - MAX_WAIT_MS)) as ResultOf<N>;
  }

  /** Polls `GET /jobs/{id}?wait=` until the job ends or `timeoutMs` passes. */
  private async waitFor(
    id: string,
    timeoutMs: number,
    onProgress?: (p: { percent: number; phase?: string }) => void,
  ): Promise<JobInfo> {
    const until = performance.now() + timeoutMs;
    let seen = -1;
    for (;;) {
      const left = until - performance.now();
      const wait = Math.max(0, Math.min(onProgress === undefined ? 60 : 1, Math.ceil(left / 1000)));
      const job = decodeResult(
        'jobs.get',
        (await this.http.call('GET', `/jobs/${enc(id)}`, { query: { wait } })).body,
      ) as JobInfo;
      if (onProgress !== undefined && job.percent > seen) {
        seen = job.percent;
        onProgress({ percent: job.percent, ...(job.phase === undefined ? {} : { phase: job.phase }) });
      }
      if (isFinalJobState(job.state) || performance.now() >= until) return job;
    }
  }

  async close(): Promise<void> {
    this.http.close();
  }
}

type Items = { items: unknown[] };

/** The media type an uploaded package is sent as: a lone descriptor by its extension, an OVA otherwise. */
function packageMediaType(fileName: string): string {
  return fileName.toLowerCase().endsWith('.ovf') ? 'application/ovf+xml' : 'application/x-tar';
}

/** DeployOptions as the query of a streamed deployment (`property=KEY=VALUE`, `network=OVF=HOST`). */
function deployQuery(o: Omit<DeployOptions, 'waitMs'>): Record<string, string | string[] | undefined> {
  const q: Record<string, string | string[] | undefined> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    if (k === 'properties' || k === 'networks')
      q[k === 'properties' ? 'property' : 'network'] = Object.entries(v as Record<string, string>).map(
        ([key, value]) => `${key}=${value}`,
      );
    else q[k] = String(v);
  }
  return q;
}

/**
 * POST /deployments: an upload streamed with its options in the query, a pool image as a JSON body; a host path is
 * refused here as the host refuses it from any remote caller.
 */
async function deployment(
  http: RestHttp,
  source: PackageSource,
  o: Omit<DeployOptions, 'waitMs'>,
  query: Record<string, string>,
  headers: Record<string, string>,
): Promise<unknown> {
  switch (source.kind) {
    case 'upload':
      return uploadStream(http, {
        method: 'POST',
        path: '/deployments',
        query: { ...query, fileName: source.fileName, ...deployQuery(o) },
        headers,
        mediaType: packageMediaType(source.fileName),
        body: source.body,
        sizeBytes: source.sizeBytes,
      });
    case 'pool':
      return (
        await http.call('POST', '/deployments', {
          query,
          headers,
          body: { source: { kind: 'pool', pool: source.pool, image: source.image }, options: o },
        })
      ).body;
    case 'hostPath':
      throw new ApiError(
        'ACCESS_DENIED',
        `Cannot deploy the host path ${JSON.stringify(source.path.slice(0, 200))} over REST: only the host's own user may name host paths`,
        { hint: 'Upload the package, or deploy it from a storage pool' },
      );
  }
}

function ifMatch(o: EditOptions): Record<string, string> {
  return o.ifMatch === undefined ? {} : { 'If-Match': `"${o.ifMatch}"` };
}
