/**
 * The HTTP(S) server that the WBEM protocols share (server.ts, `startHttpServer`): routes by path, listening with
 * per-address connection caps and TLS handshake deadlines (listen.ts, gate.ts), Basic authentication against the
 * host's users with throttling per user and per address (login.ts, throttle.ts), bodies under limits (body.ts), the
 * generated certificate (tls.ts). The protocols (cimxml/, later wsman/ and rest/) add only a route: their own
 * decoding, dispatch and encoding.
 */

export * from './body.js';
export * from './coalesce.js';
export * from './errors.js';
export * from './exchange.js';
export * from './gate.js';
export * from './limits.js';
export * from './listen.js';
export * from './login.js';
export * from './peer.js';
export * from './server.js';
export * from './throttle.js';
export * from './tls.js';
