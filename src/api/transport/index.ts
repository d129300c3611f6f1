/**
 * The Api over a stream socket (the host's unix socket): a length-prefixed framing, JSON messages checked against
 * METHODS and their own schemas, streams under credit, a server that serves any Api object one session per
 * connection within bounded limits, and a client generated from METHODS. Independent of what implements the Api.
 */

export { apiOver } from './api-over.js';
export { SocketApi, type SocketApiOptions } from './client.js';
export {
  dataFrame,
  FRAME_DATA,
  FRAME_JSON,
  type Frame,
  FrameReader,
  jsonFrame,
  MAX_DATA_CHUNK,
} from './frames.js';
export { argumentsOf, type CallExtras, invoke, splitArguments } from './invoke.js';
export { type ApiServerLimits, DEFAULT_API_SERVER_LIMITS } from './limits.js';
export {
  type ClientMessage,
  PROTOCOL_NAME,
  PROTOCOL_VERSION,
  parseClientMessage,
  parseServerMessage,
  type ServerMessage,
  STREAM_WINDOW_BYTES,
} from './messages.js';
export {
  ApiSocketServer,
  type OpenSession,
  type ServeApiOptions,
  serveApi,
  socketPrincipal,
} from './server.js';
