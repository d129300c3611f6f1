import type { ServerResponse } from 'node:http';
import type { Api, ApiEvent, EventQuery, Subscription } from '../api/index.js';
import type { EventStreamLimits, StreamSlot } from './event-streams.js';

/**
 * Server-Sent Events (HTML Living Standard §9.2, "Server-sent events"): one frame per Api event, `id:` its
 * sequence number, `event:` its type, `data:` its JSON (one line: JSON.stringify never emits a newline). A stream
 * first replays the stored events after the client's last one, a page at a time as the client reads them, then
 * follows live ones; a heartbeat comment keeps proxies from closing it; a client that stops reading is dropped
 * once its unsent output passes the limit, so that it never holds the host's memory.
 */

/** Events read per page of the replay. */
const PAGE = 500;

/**
 * One event as an SSE frame.
 *
 * @example
 * sseFrame(e); // 'id: 42\nevent: system.state\ndata: {"seq":42,...}\n\n'
 */
export function sseFrame(e: ApiEvent): string {
  return `id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
}

/** What {@link pumpEvents} streams. */
export interface PumpOptions {
  api: Api;
  /** The selection (system, types) and the last event the client has (`after`). */
  query: Omit<EventQuery, 'limit'>;
  /** The first page of the replay, already read (it checked the caller's role before the headers went out). */
  first: ApiEvent[];
  slot: StreamSlot;
  limits: EventStreamLimits;
}

/**
 * Streams events to `res` until the client leaves, the subscription ends or the server stops.
 *
 * @example
 * pumpEvents(res, { api, query: { after: 41 }, first, slot, limits });
 */
export function pumpEvents(res: ServerResponse, o: PumpOptions): void {
  let sub: Subscription | undefined;
  let done = false;
  const finish = (how: 'end' | 'drop') => {
    if (done) return;
    done = true;
    clearInterval(beat);
    o.slot.release();
    sub?.close().catch(() => undefined);
    if (how === 'drop') res.destroy();
    else if (!res.writableEnded) res.end();
  };
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Accel-Buffering': 'no',
  });
  // `retry` tells an EventSource how long to wait before it reconnects (with Last-Event-ID).
  res.write(': vessel events\nretry: 2000\n\n');
  const beat = setInterval(() => write(': keep-alive\n\n'), o.limits.heartbeatMs);
  beat.unref();
  res.once('close', () => finish('end'));
  res.once('finish', () => finish('end'));
  o.slot.onStop(() => {
    if (!done && !res.writableEnded) res.write(': the server is stopping\n\n');
    finish('end');
  });
  // The replay waits for the client after each page; live events do not wait, so they are what the limit bounds.
  let live = false;
  /** Writes unless the client is gone; drops a client whose unsent live output passes the limit. */
  function write(text: string): boolean {
    // An answer ended by its caller (HEAD) takes nothing more.
    if (done || res.writableEnded) {
      finish('end');
      return false;
    }
    res.write(text);
    if (!live || res.writableLength <= o.limits.maxPendingBytes) return true;
    finish('drop');
    return false;
  }
  let last = o.query.after ?? 0;
  const send = (e: ApiEvent) => {
    if (e.seq <= last) return;
    last = e.seq;
    write(sseFrame(e));
  };
  /** Waits until the client has read what was written; drops it when it takes longer than `stallMs`. */
  const drained = () =>
    new Promise<void>((resolve) => {
      if (done || res.writableLength === 0) return resolve();
      const go = () => {
        clearTimeout(timer);
        res.off('drain', go);
        res.off('close', go);
        resolve();
      };
      const timer = setTimeout(() => {
        finish('drop');
        go();
      }, o.limits.stallMs);
      res.on('drain', go);
      res.on('close', go);
    });
  void (async () => {
    // The replay, a page at a time, each written once the client has read the one before.
    let page = o.first;
    while (!done) {
      for (const e of page) send(e);
      if (page.length < PAGE) break;
      await drained();
      if (done) return;
      page = await o.api.events.list({ ...o.query, after: last, limit: PAGE });
    }
    if (done) return;
    live = true;
    // Live: the subscription replays what came after the last page, so nothing falls between.
    sub = await o.api.events.subscribe({ ...o.query, after: last }, send);
    if (done) await sub.close();
    else sub.ended.then(() => finish('end'));
  })().catch(() => finish('end'));
}

/**
 * The first page of a replay (read before the answer's headers: it checks the caller's role and selection).
 *
 * @example
 * const first = await firstPage(api, { after: 41 });
 */
export function firstPage(api: Api, q: Omit<EventQuery, 'limit'>): Promise<ApiEvent[]> {
  return api.events.list({ ...q, limit: PAGE });
}
