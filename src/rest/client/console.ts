import type { WebSocket } from 'ws';
import type { ByteChannel } from '../../api/index.js';

/** Bytes received and not yet read before the socket is paused (the host then stops sending). */
const HIGH_WATER_BYTES = 1 << 20;

/**
 * A console WebSocket as the Api's ByteChannel: binary frames in (`input`, paused while more than 1 MiB waits to
 * be read), `write` sends one binary frame and resolves once it is handed to the socket, `close` ends both ways.
 * `input` ends when the host closes the socket (the system stopped).
 *
 * @example
 * const ch = await http.websocket('/systems/web1/console/serial', [], channelOfSocket);
 */
export function channelOfSocket(ws: WebSocket): ByteChannel {
  const queue: Buffer[] = [];
  let queued = 0;
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
    const b = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    queue.push(b);
    queued += b.length;
    if (queued > HIGH_WATER_BYTES) ws.pause();
    notify();
  });
  ws.on('close', () => {
    ended = true;
    notify();
  });
  ws.on('error', () => undefined);
  return {
    input: (async function* () {
      for (;;) {
        const b = queue.shift();
        if (b !== undefined) {
          queued -= b.length;
          if (queued <= HIGH_WATER_BYTES && ws.isPaused) ws.resume();
          yield new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
          continue;
        }
        if (ended) return;
        await new Promise<void>((r) => {
          wake = r;
        });
      }
    })(),
    write: (bytes) =>
      new Promise((resolve, reject) => {
        ws.send(bytes, { binary: true }, (e) => (e ? reject(e) : resolve()));
      }),
    close: async () => {
      ws.close(1000);
    },
  };
}
