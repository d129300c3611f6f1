import { createGunzip } from 'node:zlib';
import type { OvfFile } from '../ovf/index.js';
import { OvaError } from './errors.js';
import { MemberBody } from './member-body.js';
import type { OvaMember, OvaReader } from './reader.js';
import { throughTransform } from './streams.js';

/** One References/File of a package as its content: chunks joined in order, gzip inflated. */
export interface OvaPackageFile {
  file: OvfFile;
  /** The file's content. Read it or leave it: what is left is skipped (and still verified). */
  body: AsyncIterable<Buffer>;
}

/**
 * Streams the files of an OVA as their content while `reader` verifies the package: a chunked File's members
 * (`disk.vmdk.000000000`, `.000000001`, ...) are joined into one stream and an `ovf:compression="gzip"` File is
 * inflated on the way. Digests are checked against the manifest on the stored bytes as they go by, so a disk
 * piped from here into the disk decoder fails in that same pipeline when it does not match. After the loop,
 * `reader.report()` holds the outcome (the signature is checked at the end of the archive).
 *
 * @example
 * const reader = new OvaReader('appliance.ova', { requireSignature: true });
 * for await (const f of packageFiles(reader)) await pipeline(f.body, createWriteStream(`/tmp/${f.file.id}`));
 */
export async function* packageFiles(reader: OvaReader): AsyncGenerator<OvaPackageFile> {
  const members = reader[Symbol.asyncIterator]();
  let pending: OvaMember | undefined;
  const pull = async (): Promise<OvaMember | undefined> => {
    if (pending) {
      const p = pending;
      pending = undefined;
      return p;
    }
    const r = await members.next();
    return r.done ? undefined : r.value;
  };
  for (;;) {
    const m = await pull();
    if (m === undefined) return;
    if (m.role !== 'file' || m.file === undefined) continue;
    const file = m.file;
    if (m.chunk !== undefined && m.chunk !== 0) {
      throw new OvaError('OVA_CHUNK', `"${m.name}" comes before the first chunk of "${file.href}"`, {
        member: m.name,
      });
    }
    const raw = m.chunk === undefined ? m.body : joinChunks(m, pull, (x) => (pending = x));
    const content = new MemberBody(raw);
    yield { file, body: decoded(file, content, m.name) };
    await content.drain();
  }
}

async function* joinChunks(
  first: OvaMember,
  pull: () => Promise<OvaMember | undefined>,
  putBack: (m: OvaMember) => void,
): AsyncGenerator<Buffer> {
  yield* first.body;
  for (let i = 1; ; i++) {
    const next = await pull();
    if (next === undefined) return;
    if (next.file !== first.file || next.chunk !== i) {
      putBack(next);
      return;
    }
    yield* next.body;
  }
}

/** The content of a stored file: as is, or inflated when the File says gzip. */
async function* decoded(
  file: OvfFile,
  stored: AsyncIterable<Buffer>,
  member: string,
): AsyncGenerator<Buffer> {
  const c = file.compression?.trim().toLowerCase();
  if (c === undefined || c === '' || c === 'identity') {
    yield* stored;
    return;
  }
  if (c !== 'gzip') {
    throw new OvaError(
      'OVA_COMPRESSION',
      `"${file.href}" uses ovf:compression="${file.compression}"; Vessel reads gzip only`,
      {
        member,
      },
    );
  }
  try {
    yield* throughTransform(stored, createGunzip());
  } catch (e) {
    if (e instanceof OvaError) throw e;
    throw new OvaError('OVA_COMPRESSION', `"${file.href}" is not valid gzip data: ${(e as Error).message}`, {
      member,
      cause: e,
    });
  }
}
