/**
 * The load side of the WS-Man benchmarks: keep-alive connections on plain sockets that send prepared request bytes
 * and read each answer by its Content-Length, so that the client costs little next to the servers it loads.
 */
import { connect, type Socket } from 'node:net';

/** Basic credentials of the test host's default user. */
export const AUTH = `Basic ${Buffer.from('admin:secret').toString('base64')}`;

/** The bytes of a keep-alive `POST /wsman` with Basic authentication and `body`. */
export function wsmanRequest(port: number, body: string): Buffer {
  const head =
    `POST /wsman HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/soap+xml;charset=UTF-8\r\n` +
    `Authorization: ${AUTH}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  return Buffer.from(head + body);
}

/**
 * One keep-alive connection that sends a request and waits for its whole answer, on a plain socket: a client that
 * costs little next to the servers it loads (no agent, no header objects), so that the bare server's rate says
 * what the server does, not what the client does.
 */
export class Connection {
  private readonly socket: Socket;
  private buf: Buffer = Buffer.alloc(0);
  private want = -1;
  private bodyAt = 0;
  private status = '';
  private done: ((e?: Error, text?: string) => void) | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => this.finish(e));
    socket.on('close', () => this.finish(new Error('the server closed the connection')));
  }

  /** Opens a connection to 127.0.0.1:`port`. */
  static open(port: number): Promise<Connection> {
    return new Promise((ok, fail) => {
      const s = connect(port, '127.0.0.1', () => ok(new Connection(s)));
      s.once('error', fail);
    });
  }

  /** Sends `request` and resolves with the answer's body (any status but 200 is an error). */
  send(request: Buffer): Promise<string> {
    return new Promise((ok, fail) => {
      this.done = (e, text) => (e ? fail(e) : ok(text ?? ''));
      this.socket.write(request);
    });
  }

  /** Closes the connection. */
  close(): void {
    this.done = undefined;
    this.socket.destroy();
  }

  private finish(e?: Error, text?: string): void {
    const done = this.done;
    this.done = undefined;
    done?.(e, text);
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    if (this.want < 0) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.buf.toString('latin1', 0, end);
      const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
      if (length === undefined) {
        this.finish(new Error(`an answer without Content-Length: ${head}`));
        return;
      }
      this.status = head.slice(9, 12);
      this.bodyAt = end + 4;
      this.want = this.bodyAt + Number(length);
    }
    if (this.buf.length < this.want) return;
    const text = this.buf.toString('utf8', this.bodyAt, this.want);
    this.buf = this.buf.subarray(this.want);
    this.want = -1;
    if (this.status === '200') this.finish(undefined, text);
    else this.finish(new Error(`HTTP ${this.status}: ${text.slice(0, 2000)}`));
  }
}

/** Sends one request on a new connection and answers the body of the (200) answer. */
export async function postOnce(port: number, body: string): Promise<string> {
  const c = await Connection.open(port);
  try {
    return await c.send(wsmanRequest(port, body));
  } finally {
    c.close();
  }
}

/**
 * `count` requests over `clients` keep-alive connections; resolves with the wall time in ms. With `idAt` (where
 * the last 12 hex digits of the request's MessageID UUID are) every request carries a MessageID of its own, as
 * real clients send, so that nothing on the server can answer a repeated request from a cache.
 */
export async function burst(
  port: number,
  request: Buffer,
  count: number,
  clients = 8,
  idAt?: number,
): Promise<number> {
  const conns = await Promise.all(Array.from({ length: clients }, () => Connection.open(port)));
  let left = count;
  const t0 = performance.now();
  try {
    await Promise.all(
      conns.map(async (c, k) => {
        const own = idAt === undefined ? request : Buffer.from(request);
        for (let n = 0; left-- > 0; n++) {
          if (idAt !== undefined) own.write((k * 2 ** 40 + n).toString(16).padStart(12, '0'), idAt, 'latin1');
          await c.send(own);
        }
      }),
    );
    return performance.now() - t0;
  } finally {
    for (const c of conns) c.close();
  }
}

/** Where the last 12 hex digits of the first `uuid:` MessageID of a request are, for {@link burst}. */
export function messageIdDigits(request: Buffer): number {
  const at = request.indexOf('MessageID>uuid:');
  if (at < 0) throw new Error('the request has no uuid: MessageID');
  return at + 'MessageID>uuid:'.length + 24;
}
