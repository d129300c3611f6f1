import type { Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, type SecureContext, TLSSocket } from 'node:tls';
import type { ConnectionGate } from './gate.js';

/** A TCP listener feeding an HTTP server through a {@link ConnectionGate}. */
export interface GatedListener {
  port: number;
  close(): Promise<void>;
}

/** Where to listen, and the PEM key and certificate when the listener speaks TLS. */
export interface ListenOptions {
  port: number;
  host: string;
  tls?: { key: string | Buffer; cert: string | Buffer } | undefined;
}

/**
 * Listens on a TCP port and hands each connection the gate admits to `http` (the HTTP server never listens itself),
 * after the TLS handshake when the listener speaks TLS. The TLS side is done here rather than by `https.Server` so
 * that the gate sees every raw connection from its first byte: a client that never sends a ClientHello is held to
 * the gate's handshake limit, and a refused TLS client is answered 503 after a handshake rather than reset.
 *
 * @example
 * const l = await listenGated(http, gate, { port: 5989, host: '0.0.0.0', tls: { key, cert } });
 */
export async function listenGated(
  http: HttpServer,
  gate: ConnectionGate,
  o: ListenOptions,
): Promise<GatedListener> {
  const ctx = o.tls ? createSecureContext({ key: o.tls.key, cert: o.tls.cert }) : undefined;
  const server = createServer({ noDelay: true }, (raw) => onConnection(http, gate, ctx, raw));
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
  return { port, close: () => closeServer(server) };
}

function onConnection(http: HttpServer, gate: ConnectionGate, ctx: SecureContext | undefined, raw: Socket) {
  raw.on('error', () => undefined);
  const c = gate.admit(raw, ctx !== undefined);
  if (typeof c === 'string') {
    if (!gate.beginRefusal(raw)) return;
    if (!ctx) return gate.refuse(raw, c);
    const t = wrap(raw, ctx);
    t.once('secure', () => gate.refuse(t, c));
    return;
  }
  if (!ctx) {
    http.emit('connection', raw);
    return;
  }
  const t = wrap(raw, ctx);
  t.once('secure', () => {
    gate.attach(c, t);
    gate.enter(c, 'headers');
    http.emit('connection', t);
  });
}

/** The server side of TLS over an accepted socket; a failed handshake just closes it. */
function wrap(raw: Socket, ctx: SecureContext): TLSSocket {
  const t = new TLSSocket(raw, { isServer: true, secureContext: ctx, ALPNProtocols: ['http/1.1'] });
  t.on('error', () => t.destroy());
  return t;
}

function closeServer(s: Server): Promise<void> {
  return new Promise((resolve) => s.close(() => resolve()));
}
