/**
 * The host's unix socket: how a socket is put in place privately (listen.ts), the host's Api served on it
 * (serve-api.ts) and the client that reaches a state directory's host (connect-api.ts). The transport itself
 * (framing, messages, limits, SocketApi) is src/api/transport.
 */
export { connectHostApi, type HostSocketTarget } from './connect-api.js';
export { answering, listenPrivately } from './listen.js';
export { type ServeHostApiOptions, serveHostApi } from './serve-api.js';
