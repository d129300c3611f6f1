import { createHash } from 'node:crypto';
import { lstat, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type Api, ApiError } from '../../api/index.js';

/**
 * The far end of `vessel export` on a host that is not this machine's (`--connect rest+https://...`): the export
 * went to an artifact, which is downloaded to the output file here (through a temporary name beside it, its SHA-256
 * checked against the host's, renamed into place only when whole), then removed from the host.
 */

/**
 * Refuses an output file that exists (before an export starts, and again before the download takes its name).
 *
 * @example
 * if (!opts.overwrite) await refuseExisting('/tmp/web1.ova');
 */
export async function refuseExisting(path: string): Promise<void> {
  if (
    await lstat(path).then(
      () => true,
      () => false,
    )
  )
    throw new ApiError('EXPORT_OUTPUT', `${path} exists; add --overwrite to replace it`);
}

/**
 * Downloads the artifact `id` to `path`; refuses an existing `path` unless `overwrite`.
 *
 * @example
 * await downloadArtifact(api, result.artifact, '/tmp/web1.ova', false);
 */
export async function downloadArtifact(
  api: Api,
  id: string,
  path: string,
  overwrite: boolean,
): Promise<void> {
  const info = await api.artifacts.get(id);
  const temp = join(dirname(path), `.${basename(path)}.part-${process.pid}`);
  const fh = await open(temp, 'wx', 0o644);
  const hash = createHash('sha256');
  let size = 0n;
  try {
    try {
      for await (const chunk of await api.artifacts.download(id)) {
        hash.update(chunk);
        size += BigInt(chunk.length);
        await fh.write(chunk);
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    const sha256 = hash.digest('hex');
    if (size !== info.sizeBytes || sha256 !== info.sha256)
      throw new ApiError(
        'PROTOCOL',
        `The download of ${info.fileName} is not what the host wrote: ${size} bytes with SHA-256 ${sha256}, not ${info.sizeBytes} with ${info.sha256}`,
      );
    if (!overwrite) await refuseExisting(path);
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
  await api.artifacts.delete(id);
}
