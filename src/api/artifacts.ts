import { type StaticDecode, Type } from '@sinclair/typebox';
import type { ByteStream } from './common.js';
import { Id, Uint64 } from './schema.js';

/**
 * Artifacts: files a job made for the caller to download (an export to `artifact`). They live in the host's
 * STATE/artifacts (0700) and go with their job, or at the next host start.
 */

/** Wire schema of {@link ArtifactInfo}. */
export const ArtifactInfoSchema = Type.Object({
  id: Id,
  fileName: Type.String({ maxLength: 255 }),
  sizeBytes: Uint64,
  /** SHA-256 of the content, lower-case hex. */
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  /** The job that made it. */
  job: Id,
});

/** A file a job made. */
export type ArtifactInfo = StaticDecode<typeof ArtifactInfoSchema>;

/**
 * The artifacts of a host.
 *
 * @example
 * const a = await api.artifacts.get(result.artifact);
 * await pipeline(Readable.from(await api.artifacts.download(a.id)), createWriteStream(a.fileName));
 */
export interface ArtifactsApi {
  get(id: string): Promise<ArtifactInfo>;
  /** The content from `offset` (to resume a cut download). */
  download(id: string, o?: { offset?: bigint }): Promise<ByteStream>;
  delete(id: string): Promise<void>;
}
