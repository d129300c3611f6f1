/**
 * A byte stream that can be read once by a consumer, or skipped: whatever the consumer leaves (it may stop early,
 * or not read at all) is drained by the reader before it goes on, with the same per-chunk and end hooks, so
 * digests cover every byte either way. Stopping early never destroys the archive underneath.
 */
export class MemberBody implements AsyncIterable<Buffer> {
  private readonly it: AsyncIterator<Buffer>;
  private started = false;
  private done = false;
  private failure: unknown;

  constructor(
    source: AsyncIterable<Buffer>,
    private readonly onChunk: (chunk: Buffer) => void = () => {},
    private readonly onEnd: () => void | Promise<void> = () => {},
  ) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** A body holding one buffer (a descriptor, manifest or certificate read whole). */
  static of(data: Buffer): MemberBody {
    return new MemberBody(
      (async function* () {
        if (data.length > 0) yield data;
      })(),
    );
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    if (this.started) throw new Error('An archive member can be read only once');
    this.started = true;
    return {
      next: () => this.step(),
      // The consumer stopped: leave the rest for drain().
      return: async () => ({ done: true, value: undefined }),
    };
  }

  private async step(): Promise<IteratorResult<Buffer>> {
    if (this.failure !== undefined) throw this.failure;
    if (this.done) return { done: true, value: undefined };
    try {
      const r = await this.it.next();
      if (r.done) {
        this.done = true;
        await this.onEnd();
        return { done: true, value: undefined };
      }
      this.onChunk(r.value);
      return r;
    } catch (e) {
      this.failure = e;
      throw e;
    }
  }

  /** Reads and drops what is left, running the hooks; rethrows what the end hook threw. */
  async drain(): Promise<void> {
    this.started = true;
    while (!(await this.step()).done) {
      // keep reading
    }
  }
}

/** Reads a whole body into one buffer, refusing more than `max` bytes. */
export async function readAll(
  body: AsyncIterable<Buffer>,
  max: number,
  tooLarge: () => Error,
): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of body) {
    n += c.length;
    if (n > max) throw tooLarge();
    parts.push(c);
  }
  return Buffer.concat(parts, n);
}
