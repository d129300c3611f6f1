/**
 * Limits of the Api's socket server: what one connection may hold, against a client that is slow, stuck, greedy
 * or hostile. None of them can make the host wait for a client: reads and writes never block other connections,
 * and everything a connection makes the host hold is bounded here.
 */
export interface ApiServerLimits {
  /** The longest frame read from a client, bytes (default 16 MiB: a definition with thousands of RASDs fits). */
  maxFrameBytes: number;
  /** Calls of one connection executed at once (default 32). */
  maxInFlight: number;
  /** Calls of one connection waiting for a slot, at most (default 4096); beyond, LIMIT_EXCEEDED. */
  maxQueuedCalls: number;
  /** Bytes of the waiting calls' frames, at most (default 32 MiB); beyond, LIMIT_EXCEEDED. */
  maxQueuedBytes: number;
  /** Open streams of one connection: subscriptions, uploads, downloads, consoles (default 64). */
  maxStreams: number;
  /** Time a started frame may take to arrive whole, ms (default 60 s); then PROTOCOL and the connection closes. */
  partialFrameTimeoutMs: number;
  /** Output a client may leave unread before its connection is closed, bytes (default 64 MiB). */
  maxUnreadBytes: number;
  /** The longest answer sent, bytes (default 64 MiB); a longer one is LIMIT_EXCEEDED, asking for less. */
  maxAnswerBytes: number;
  /** Connections at once (default 256). */
  maxConnections: number;
}

/**
 * Default limits of the Api's socket server.
 *
 * @example
 * serveApi(open, { limits: { ...DEFAULT_API_SERVER_LIMITS, maxInFlight: 8 } });
 */
export const DEFAULT_API_SERVER_LIMITS: Readonly<ApiServerLimits> = {
  maxFrameBytes: 16 << 20,
  maxInFlight: 32,
  maxQueuedCalls: 4096,
  maxQueuedBytes: 32 << 20,
  maxStreams: 64,
  partialFrameTimeoutMs: 60_000,
  maxUnreadBytes: 64 << 20,
  maxAnswerBytes: 64 << 20,
  maxConnections: 256,
};

/** The longest frame a client reads from a host (an answer of the largest size, with room for its envelope). */
export const CLIENT_MAX_FRAME_BYTES = DEFAULT_API_SERVER_LIMITS.maxAnswerBytes + 65_536;
