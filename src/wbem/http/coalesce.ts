import type { ServerResponse } from 'node:http';

/** Responses whose answers are ready, in the order they were ready: the response, then its body. */
let ready: (ServerResponse | string | Buffer)[] = [];

function sendReady(): void {
  const batch = ready;
  ready = [];
  for (let i = 0; i < batch.length; i += 2) {
    const res = batch[i] as ServerResponse;
    // A connection cut meanwhile has nothing to send to; one response's failure is not the others'.
    try {
      res.end(batch[i + 1] as string | Buffer);
    } catch {
      res.destroy();
    }
  }
}

/**
 * Ends `res` with `body` when this turn of the event loop has read every request that was waiting, together with
 * every other answer ready by then, instead of at once. Under load a server answers several connections per turn,
 * and each answer sent on its own wakes a client that had gone to sleep in between: on a virtual machine that
 * wake-up costs the sender more than a small answer's whole work (measured: a quarter of a WS-Man Get's server
 * time). Sent together, the first answer wakes the client and the others find it running. An idle server's lone
 * answer goes out at the end of the same turn (Node's check phase follows the poll phase that read the request).
 * The status and headers must be written already (`res.writeHead`).
 *
 * @example
 * res.writeHead(200, { 'Content-Length': Buffer.byteLength(xml) });
 * endWithTurn(res, xml);
 */
export function endWithTurn(res: ServerResponse, body: string | Buffer): void {
  ready.push(res, body);
  if (ready.length === 2) setImmediate(sendReady);
}
