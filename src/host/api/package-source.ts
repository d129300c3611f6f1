import { lstat, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError, type PackageSource, type Principal } from '../../api/index.js';
import { checkImageName, inside } from '../pools/index.js';
import { stageUpload } from '../uploads.js';
import type { SessionContext } from './context.js';

/**
 * Where a package to deploy or inspect is read from, as a path of this host: an upload staged in the host's private
 * upload area, an image of a storage pool (a regular file directly in the pool's folder, never a link), or a host
 * path, which only a local principal may name (issue 9: a remote caller never makes the host read a file of its
 * choosing, such as /etc/passwd).
 */

/** A package as a host path, and what to do once it has been read. */
interface OpenedSource {
  path: string;
  /** How jobs and messages name it (never a host path for a remote principal). */
  label: string;
  done(): Promise<void>;
  /**
   * Runs `fn` (what reads the package) with the host path of an upload or a remote principal's pool image said as
   * the label in what it throws: messages do not show the host's folders to a caller who may not see them.
   */
  relabel<T>(fn: () => Promise<T>): Promise<T>;
  /** A text (a warning) with the hidden path said as the label. */
  shown(text: string): string;
}

const nothing = async () => undefined;

/** An opened source whose messages say `label` wherever they would say `hidden` (when there is one). */
function opened(path: string, label: string, done: () => Promise<void>, hidden?: string): OpenedSource {
  const shown = (text: string) => (hidden === undefined ? text : text.split(hidden).join(label));
  return {
    path,
    label,
    done,
    shown,
    async relabel(fn) {
      try {
        return await fn();
      } catch (e) {
        if (e instanceof Error) e.message = shown(e.message);
        throw e;
      }
    },
  };
}

/**
 * Refuses a host path named by a principal that is not the host's own user, with ACCESS_DENIED naming what was
 * asked and the alternatives.
 *
 * @example
 * requireLocal(principal, 'deploy from the host path /srv/web.ova', 'Upload the package, or put it in a pool');
 */
export function requireLocal(principal: Principal, what: string, hint: string): void {
  if (principal.local) return;
  throw new ApiError(
    'ACCESS_DENIED',
    `${principal.user} may not ${what}: only the host's own user (in process or on its socket) may name host paths`,
    { hint, detail: { domain: 'host', code: 'HOST_PATH_REFUSED' } },
  );
}

/**
 * The package `source` names, as a path to read. An upload is written to the host's upload area first (and
 * removed by `done`).
 *
 * @example
 * const src = await openPackageSource(ctx, { kind: 'pool', pool: 'images', image: 'web.ova' });
 * try { await deploy(src.path); } finally { await src.done(); }
 */
export async function openPackageSource(ctx: SessionContext, source: PackageSource): Promise<OpenedSource> {
  switch (source.kind) {
    case 'hostPath':
      requireLocal(
        ctx.principal,
        `read the package ${JSON.stringify(source.path.slice(0, 200))}`,
        'Upload the package, or deploy it from a storage pool',
      );
      return opened(source.path, source.path, nothing);
    case 'upload': {
      const up = await stageUpload(ctx.host.stateDir, source.fileName, source.body, source.sizeBytes);
      return opened(up.path, source.fileName, up.remove, up.path);
    }
    case 'pool': {
      const pool = ctx.host.pools.get(source.pool);
      checkImageName(source.image);
      const path = join(pool.path, source.image);
      const label = `${source.pool}/${source.image}`;
      const st = await lstat(path).catch(() => undefined);
      if (st === undefined)
        throw new ApiError('NOT_FOUND', `No image "${source.image}" in the storage pool "${pool.name}"`, {
          detail: { domain: 'host', code: 'IMAGE_NOT_FOUND' },
        });
      const real = await realpath(path).catch(() => '');
      if (!st.isFile() || st.nlink > 1 || !inside(real, pool.path)) {
        throw new ApiError(
          'IMAGE_UNSAFE',
          `The package "${label}" is not a regular file with one name in its pool; it is not read`,
          { hint: 'Copy the package into the pool (a link may lead anywhere)' },
        );
      }
      return opened(real, label, nothing, ctx.principal.local ? undefined : real);
    }
  }
}
