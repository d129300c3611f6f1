import { HttpError, type HttpRoute } from '../wbem/index.js';
import { RestError } from './errors.js';
import { problemOf, sendProblem } from './problem.js';
import { formatPrometheus, PROMETHEUS_TYPE } from './prometheus.js';
import type { Sessions } from './sessions.js';

/** The path Prometheus scrapes. */
export const METRICS_PATH = '/metrics';

/**
 * `GET /metrics`: the host's metrics in the Prometheus text format, read from the host's sampler through the
 * caller's Api session (any role may read them; HTTP Basic as for the REST edge, which Prometheus' `basic_auth`
 * sends). A scrape reads the ring buffers only: it never reaches the hypervisor.
 *
 * @example
 * await startHttpServer({ routes: [restRoute(o), metricsRoute(sessions)], auth: { users } });
 */
export function metricsRoute(sessions: Sessions): HttpRoute {
  return {
    path: METRICS_PATH,
    methods: ['GET', 'HEAD'],
    refuse: (res, r) => {
      const code = r.status === 401 ? 'REST_UNAUTHORIZED' : r.status === 429 ? 'REST_THROTTLED' : 'REST_BUSY';
      sendProblem(res, problemOf(new RestError(code, r.message)), r.headers, r.close);
    },
    handle: async (x) => {
      try {
        await x.readBody();
        if ((x.req.url ?? '').includes('?'))
          throw new RestError('REST_INVALID_QUERY', `${METRICS_PATH} takes no query`);
        const text = formatPrometheus(await sessions.of(x.user.name, x.user.role).metrics.current());
        x.res.writeHead(200, {
          'Content-Type': PROMETHEUS_TYPE,
          'Content-Length': Buffer.byteLength(text),
          'Cache-Control': 'no-store',
        });
        x.res.end(text);
      } catch (e) {
        if (e instanceof HttpError || x.res.headersSent) throw e;
        sendProblem(x.res, problemOf(e));
      }
    },
  };
}
