import type { MetricsApi } from '../../api/index.js';
import type { SessionContext } from './context.js';

/** The default range of `metrics.series`, seconds. */
const DEFAULT_RANGE_S = 3600;

/**
 * The metrics namespace: reads of the host's sampler (src/host/metrics), never of the hypervisor, so that a scrape
 * costs the same whatever it asks.
 *
 * @example
 * const points = await metricsApi(ctx).series('web1', { rangeSeconds: 600 });
 */
export function metricsApi(ctx: SessionContext): MetricsApi {
  const { host } = ctx;
  return {
    async current() {
      return host.metrics.current();
    },
    async series(ref, q = {}) {
      return host.metrics.series(host.get(ref).uuid, q.rangeSeconds ?? DEFAULT_RANGE_S);
    },
  };
}
