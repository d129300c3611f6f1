import type { ArtifactsApi } from '../../api/index.js';
import type { SessionContext } from './context.js';

/**
 * The `artifacts` namespace of the local host: the files its jobs made for their callers (an export to
 * `artifact`), read by id only, in `STATE/artifacts` (see `ArtifactStore`); nothing else on the host can be named
 * through it. Admin-only (METHODS).
 *
 * @example
 * const a = await artifactsApi(ctx).get(result.artifact);
 * for await (const chunk of await artifactsApi(ctx).download(a.id)) out.write(chunk);
 */
export function artifactsApi(ctx: SessionContext): ArtifactsApi {
  const store = ctx.host.artifacts;
  return {
    async get(id) {
      return store.get(id);
    },
    async download(id, o = {}) {
      return store.download(id, o.offset ?? 0n);
    },
    async delete(id) {
      store.delete(id);
    },
  };
}
