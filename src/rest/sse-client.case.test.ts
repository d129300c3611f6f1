/**
 * A Server-Sent Events reader for the tests, over real HTTP (fetch), parsing the stream as the HTML Living
 * Standard §9.2.6 says an EventSource does: lines end in CRLF, LF or CR; `:` starts a comment; `field: value`
 * loses one space after the colon; `data` lines join with LF; a blank line dispatches the event; `id` sets the
 * last event id. Not run alone (`*.case.test.ts`).
 */

/** One dispatched event, or a comment line (`comment` set, nothing else). */
export interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
  retry?: number;
}

/** An open stream. */
export interface SseStream {
  status: number;
  headers: Headers;
  /** The next message (comments included), or undefined when the stream ended; rejects after `timeoutMs`. */
  next(timeoutMs?: number): Promise<SseMessage | undefined>;
  /** The next event (comments skipped). */
  nextEvent(timeoutMs?: number): Promise<SseMessage | undefined>;
  close(): void;
}

/** Parses SSE text into messages; keeps the incomplete tail for the next chunk. */
export class SseParser {
  private tail = '';
  private current: SseMessage = {};
  private data: string[] = [];

  /** Feeds text; answers the messages it completed. */
  feed(text: string): SseMessage[] {
    const out: SseMessage[] = [];
    const all = this.tail + text;
    const lines = all.split(/\r\n|\r|\n/);
    // A CR at the very end may be half of a CRLF: keep it with the tail.
    this.tail = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') {
        if (this.data.length > 0 || this.current.event !== undefined || this.current.id !== undefined) {
          out.push({ ...this.current, data: this.data.join('\n') });
        }
        this.current = {};
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) {
        out.push({ comment: line.slice(1).replace(/^ /, '') });
        continue;
      }
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'data') this.data.push(value);
      else if (field === 'event') this.current.event = value;
      else if (field === 'id' && !value.includes('\u0000')) this.current.id = value;
      else if (field === 'retry' && /^[0-9]+$/.test(value)) out.push({ retry: Number(value) });
    }
    return out;
  }
}

/**
 * Opens `url` as an event stream, as `user`.
 *
 * @example
 * const s = await openSse(`${h.restUrl}/events`, ['admin', 'secret']);
 * const e = await s.nextEvent();
 */
export async function openSse(
  url: string,
  user: readonly [string, string],
  headers: Record<string, string> = {},
): Promise<SseStream> {
  const ac = new AbortController();
  const res = await fetch(url, {
    signal: ac.signal,
    headers: {
      Accept: 'text/event-stream',
      Authorization: `Basic ${Buffer.from(user.join(':')).toString('base64')}`,
      ...headers,
    },
  });
  const parser = new SseParser();
  const queue: SseMessage[] = [];
  const reader = res.body?.getReader();
  const decoder = new TextDecoder();
  let ended = false;
  const next = async (timeoutMs = 10_000): Promise<SseMessage | undefined> => {
    const deadline = Date.now() + timeoutMs;
    while (queue.length === 0 && !ended) {
      if (reader === undefined) return undefined;
      const left = deadline - Date.now();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no event within ${timeoutMs} ms`)), Math.max(0, left));
      });
      try {
        const r = await Promise.race([reader.read(), timeout]);
        if (r.done) ended = true;
        else queue.push(...parser.feed(decoder.decode(r.value, { stream: true })));
      } finally {
        clearTimeout(timer);
      }
    }
    return queue.shift();
  };
  return {
    status: res.status,
    headers: res.headers,
    next,
    nextEvent: async (timeoutMs) => {
      for (;;) {
        const m = await next(timeoutMs);
        if (m === undefined || m.data !== undefined) return m;
      }
    },
    close: () => ac.abort(),
  };
}
