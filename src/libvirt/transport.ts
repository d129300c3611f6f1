/**
 * What the client needs of a connection: a byte stream both ways. A `net.Socket` (unix or TCP), a `tls.TLSSocket`
 * or an in-memory duplex all fit.
 */
export interface ByteTransport {
  write(chunk: Buffer): boolean;
  on(event: 'data', listener: (chunk: Buffer) => void): this;
  on(event: 'close', listener: () => void): this;
  on(event: 'error', listener: (e: Error) => void): this;
  /** 'drain' after a write returned false (a socket has it; a transport without it is never full). */
  once?(event: 'drain', listener: () => void): this;
  end(): this;
  destroy(error?: Error): this;
}
