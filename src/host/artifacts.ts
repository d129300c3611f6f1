import { createHash, randomBytes } from 'node:crypto';
import { constants, mkdirSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError, type ArtifactInfo } from '../api/index.js';

/**
 * Artifacts: files a job made for its caller to download (an export to `artifact`). Each lives in its own private
 * folder `STATE/artifacts/ID/` (0700, the file 0600), named by a random id that is the only way to it; its size
 * and SHA-256 are measured once the job has written it. They go with their job (`removeForJob`), when deleted, or
 * at the next host start (the folder is emptied when the host opens).
 */

/** The folder of the artifacts in a state directory. */
const ARTIFACTS_DIR = 'artifacts';

/** An artifact id: 32 lower-case hex digits (never a path). */
const ID = /^[0-9a-f]{32}$/;

/** A file name an artifact may have: one plain name, as an OVA's. */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._ -]{0,254}$/;

/** A place reserved for a job's file: where to write it, and the id it will be known by. */
interface ArtifactSlot {
  id: string;
  /** The file to write (absolute; its folder exists and is private). */
  path: string;
}

interface Entry {
  fileName: string;
  job: string;
  info?: ArtifactInfo;
}

function notFound(id: string): ApiError {
  return new ApiError('NOT_FOUND', `No artifact "${id.slice(0, 128)}"`, {
    hint: 'Artifacts go with their job and at each host start; export again to make a new one',
    detail: { domain: 'host', code: 'ARTIFACT_NOT_FOUND' },
  });
}

/**
 * The artifacts of one host process.
 *
 * @example
 * const slot = artifacts.reserve('job1', 'web1.ova');
 * await exportSystem(input, { format: 'ova', output: slot.path });
 * const info = await artifacts.commit(slot.id);
 */
export class ArtifactStore {
  private readonly entries = new Map<string, Entry>();

  private constructor(readonly dir: string) {}

  /** Empties `STATE/artifacts` (what a previous host process left) and opens it (0700). */
  static open(stateDir: string): ArtifactStore {
    const dir = join(stateDir, ARTIFACTS_DIR);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { mode: 0o700 });
    return new ArtifactStore(dir);
  }

  /** Reserves a private folder for a file `fileName` that job `job` will write. */
  reserve(job: string, fileName: string): ArtifactSlot {
    if (!FILE_NAME.test(fileName) || fileName.includes('..'))
      throw new ApiError('INVALID_ARGUMENT', `"${fileName.slice(0, 80)}" is not an artifact file name`);
    const id = randomBytes(16).toString('hex');
    mkdirSync(join(this.dir, id), { mode: 0o700 });
    this.entries.set(id, { fileName, job });
    return { id, path: join(this.dir, id, fileName) };
  }

  /** Measures the written file (size, SHA-256) and makes the artifact visible; answers its info. */
  async commit(id: string): Promise<ArtifactInfo> {
    const e = this.entries.get(id);
    if (e === undefined) throw notFound(id);
    const hash = createHash('sha256');
    let size = 0n;
    for await (const chunk of await this.openFile(id, e, 0n)) {
      size += BigInt((chunk as Buffer).length);
      hash.update(chunk as Buffer);
    }
    e.info = { id, fileName: e.fileName, sizeBytes: size, sha256: hash.digest('hex'), job: e.job };
    return e.info;
  }

  /** An artifact's info; NOT_FOUND for an unknown id and for one whose job has not finished writing it. */
  get(id: string): ArtifactInfo {
    const info = ID.test(id) ? this.entries.get(id)?.info : undefined;
    if (info === undefined) throw notFound(id);
    return info;
  }

  /** The artifact's bytes from `offset` (to resume a cut download); an offset beyond the end is refused. */
  async download(id: string, offset = 0n): Promise<AsyncIterable<Uint8Array>> {
    const info = this.get(id);
    if (offset < 0n || offset > info.sizeBytes) {
      throw new ApiError(
        'INVALID_ARGUMENT',
        `The offset ${offset} lies beyond the ${info.sizeBytes} bytes of artifact "${id}"`,
      );
    }
    return this.openFile(id, this.entries.get(id)!, offset);
  }

  /** The file, opened without following a symlink. */
  private async openFile(id: string, e: Entry, offset: bigint): Promise<AsyncIterable<Uint8Array>> {
    const path = join(this.dir, id, e.fileName);
    const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => {
      throw notFound(id);
    });
    const st = await fh.stat();
    if (!st.isFile()) {
      await fh.close();
      throw notFound(id);
    }
    return fh.createReadStream({ start: Number(offset), autoClose: true });
  }

  /** Removes an artifact (its folder and file), reserved or made; NOT_FOUND when there is none. */
  delete(id: string): void {
    if (!ID.test(id) || !this.entries.has(id)) throw notFound(id);
    this.discard(id);
  }

  /** Removes a reserved or made artifact if it exists (a failed job's half-written file). */
  discard(id: string): void {
    this.entries.delete(id);
    if (ID.test(id)) rmSync(join(this.dir, id), { recursive: true, force: true });
  }

  /** Removes every artifact of a job (when the job is deleted). */
  removeForJob(job: string): void {
    for (const [id, e] of [...this.entries]) if (e.job === job) this.discard(id);
  }
}
