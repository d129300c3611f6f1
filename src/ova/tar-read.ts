import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { type Header as TarStreamHeader, extract as tarExtract } from 'tar-stream';
import { ioError, OvaError } from './errors.js';
import { safeMemberName } from './names.js';
import { BLOCK, MAX_MEMBER_SIZE, padding } from './tar-header.js';

/** One regular-file member of a tar archive, as the reader hands it out. */
export interface TarEntry {
  /** The member name, checked and normalised (no leading `./`). */
  name: string;
  /** Size of the data in bytes. */
  size: number;
  /** Byte offset of the member's header block in the archive. */
  offset: number;
  /** True when a pax extended header preceded the member (ovftool rejects such OVAs). */
  pax: boolean;
  /** The member's data; read it to the end or leave it, the reader skips what is left. */
  body: AsyncIterable<Buffer>;
}

/** Where the archive bytes come from: a file path, or any readable byte stream. */
export type TarSource = string | Readable;

/** Read size for archive files: large reads keep per-chunk overhead (and hashing calls) negligible. */
export const READ_CHUNK = 4 * 1024 * 1024;

/**
 * Streams the members of a tar archive with tar-stream's extractor, refusing what an OVA must never contain:
 * links, symlinks, devices, fifos and directories (`OVA_MEMBER_TYPE`), unsafe names (`OVA_UNSAFE_NAME`) and
 * duplicates (`OVA_DUPLICATE`). A stream that ends inside a member, or without the end-of-archive zero block, is
 * `OVA_TRUNCATED`; bytes that are not a tar header are `OVA_NOT_TAR` (first header) or `OVA_CORRUPT` (later).
 * Nothing is buffered beyond the current read; `onRead` hears how many bytes each read brought.
 */
export async function* readTarEntries(
  source: TarSource,
  label?: string,
  onRead?: (bytes: number) => void,
): AsyncGenerator<TarEntry> {
  const name = label ?? (typeof source === 'string' ? source : 'archive');
  const input = typeof source === 'string' ? createReadStream(source, { highWaterMark: READ_CHUNK }) : source;
  const extract = tarExtract();
  const seen = new Set<string>();
  const tap = new TailTap();
  let inputError: unknown;
  input.on('data', (c: Buffer) => {
    tap.add(c);
    onRead?.(c.length);
  });
  input.on('error', (e: Error) => {
    inputError = typeof source === 'string' ? ioError(e, source) : e;
    extract.destroy(inputError as Error);
  });
  input.pipe(extract as unknown as NodeJS.WritableStream);
  let lastEnd = 0;
  let lastName: string | undefined;
  let count = 0;
  try {
    const it = (extract as AsyncIterable<ExtractedEntry>)[Symbol.asyncIterator]();
    for (;;) {
      let step: IteratorResult<ExtractedEntry>;
      try {
        step = await it.next();
      } catch (e) {
        // The archive ends, after its end-of-archive block, inside a block of padding: GNU tar and Python's
        // tarfile stop at the end-of-archive block and accept it (producers pad to a record size that is not a
        // multiple of 512); tar-stream calls it an unexpected end. Accept it when that padding is all zeros.
        if (inputError === undefined && count > 0 && endsInsidePadding(e, tap, lastEnd)) {
          tap.checkEnd(lastEnd, name, lastName);
          break;
        }
        throw inputError ?? mapExtractError(e, name, count, tap, lastName);
      }
      if (step.done) break;
      const entry = step.value;
      const h = entry.header;
      count++;
      if (h.type !== 'file' && h.type !== 'contiguous-file') {
        const target = h.linkname ? ` to "${h.linkname}"` : '';
        throw new OvaError(
          'OVA_MEMBER_TYPE',
          `Refusing member "${h.name}" of ${name}: it is a ${h.type ?? 'special file'}${target}; an OVA holds only regular files`,
          { member: h.name },
        );
      }
      const member = safeMemberName(h.name);
      if (seen.has(member)) {
        throw new OvaError('OVA_DUPLICATE', `Member "${member}" appears twice in ${name}`, { member });
      }
      seen.add(member);
      if (!Number.isSafeInteger(h.size) || h.size < 0 || h.size > MAX_MEMBER_SIZE) {
        throw new OvaError(
          'OVA_CORRUPT',
          `Member "${member}" of ${name} has an impossible size (${h.size})`,
          {
            member,
          },
        );
      }
      lastEnd = entry.offset + BLOCK + h.size + padding(h.size);
      lastName = member;
      const failed = (e: unknown) => inputError ?? mapExtractError(e, name, count, tap, lastName);
      const body = new EntryBody(entry, failed);
      yield { name: member, size: h.size, offset: entry.offset, pax: h.pax != null, body };
      await body.drain();
    }
    if (count === 0) {
      throw tap.total === 0
        ? new OvaError('OVA_NOT_TAR', `${name} is empty, not a tar archive`)
        : new OvaError('OVA_NOT_TAR', `${name} holds no files`);
    }
    tap.checkEnd(lastEnd, name, lastName);
  } finally {
    input.unpipe(extract as unknown as NodeJS.WritableStream);
    input.destroy();
    extract.destroy();
  }
}

/** True when the extractor failed for want of data after a whole member and at least one end-of-archive block. */
function endsInsidePadding(e: unknown, tap: TailTap, lastEnd: number): boolean {
  const msg = e instanceof Error ? e.message : String(e);
  return /Unexpected end of data/.test(msg) && tap.total >= lastEnd + BLOCK && tap.total % BLOCK !== 0;
}

/** What tar-stream's extractor yields: the entry's data stream with its header and header offset. */
interface ExtractedEntry extends AsyncIterable<Buffer> {
  header: TarStreamHeader;
  offset: number;
}

/** Wraps a tar-stream entry so the reader can skip whatever the consumer did not read. */
class EntryBody implements AsyncIterable<Buffer> {
  private started = false;
  private finished = false;
  private readonly it: AsyncIterator<Buffer>;

  constructor(
    source: AsyncIterable<Buffer>,
    private readonly mapError: (e: unknown) => unknown,
  ) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async next(): Promise<IteratorResult<Buffer>> {
    try {
      return await this.it.next();
    } catch (e) {
      throw this.mapError(e);
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    if (this.started) throw new Error('An archive member can be read only once');
    this.started = true;
    // Never call return() on the entry (it would destroy the whole extractor): if the consumer stops early,
    // the reader drains the rest when it is asked for the next member.
    for (;;) {
      const r = await this.next();
      if (r.done) break;
      yield r.value;
    }
    this.finished = true;
  }

  /** Reads and drops the rest of the member. */
  async drain(): Promise<void> {
    if (this.finished) return;
    this.started = true;
    for (;;) {
      const r = await this.next();
      if (r.done) break;
    }
    this.finished = true;
  }
}

/** Counts the bytes of the archive and keeps its first and last chunks, to diagnose its start and its end. */
class TailTap {
  total = 0;
  head: Buffer | undefined;
  private tail: Buffer[] = [];

  add(c: Buffer): void {
    this.total += c.length;
    this.head ??= c;
    this.tail.push(c);
    if (this.tail.length > 2) this.tail.shift();
  }

  /**
   * Requires at least one zero block after the last member (POSIX writes two; a cut archive has none) and
   * nothing but zeros after it (padding of any length, as GNU tar and Python's tarfile accept).
   */
  checkEnd(lastEnd: number, name: string, lastName: string | undefined): void {
    if (this.total < lastEnd + BLOCK) {
      throw new OvaError(
        'OVA_TRUNCATED',
        `${name} ends right after member "${lastName}" without the end-of-archive blocks: it is truncated`,
        { hint: 'Copy or download the OVA again.' },
      );
    }
    let pos = this.total;
    for (let i = this.tail.length - 1; i >= 0 && pos > lastEnd; i--) {
      const c = this.tail[i]!;
      const start = pos - c.length;
      const from = Math.max(0, lastEnd - start);
      for (let j = from; j < c.length; j++) {
        if (c[j] !== 0) {
          throw new OvaError('OVA_CORRUPT', `${name} has data after its last member "${lastName}"`);
        }
      }
      pos = start;
    }
  }
}

function mapExtractError(
  e: unknown,
  name: string,
  count: number,
  tap: TailTap,
  lastName: string | undefined,
): unknown {
  if (e instanceof OvaError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  if (count === 0) {
    const gz = tap.head !== undefined && tap.head[0] === 0x1f && tap.head[1] === 0x8b;
    const why = tap.total < BLOCK ? `it is only ${tap.total} bytes` : msg;
    return new OvaError(
      'OVA_NOT_TAR',
      gz ? `${name} is gzip-compressed, not a tar archive` : `${name} is not a tar archive (${why})`,
      { cause: e, ...(gz ? { hint: 'Decompress it with gunzip first.' } : {}) },
    );
  }
  if (/Unexpected end of data/.test(msg)) {
    const where = lastName === undefined ? 'in its first header' : `after member "${lastName}"`;
    return new OvaError(
      'OVA_TRUNCATED',
      `${name} is truncated: the archive ends ${where} (${tap.total} bytes)`,
      {
        cause: e,
        hint: 'Copy or download the OVA again.',
      },
    );
  }
  return new OvaError('OVA_CORRUPT', `${name} is corrupt after member "${lastName}": ${msg}`, { cause: e });
}
