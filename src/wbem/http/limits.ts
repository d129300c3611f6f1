import type { GateLimits } from './gate.js';

/** Limits of the shared HTTP server: connections and their phases (see {@link GateLimits}), bodies, logins. */
export interface HttpLimits extends GateLimits {
  /** Largest request body, in bytes (default 1 MiB: a DefineSystem with hundreds of RASDs fits). */
  maxBodyBytes: number;
  /** Request bodies held at once, all connections together, in bytes (default 64 MiB); beyond, 503. */
  maxBufferedBodyBytes: number;
  /** Largest header block, bytes (default 16 KiB). */
  maxHeaderBytes: number;
  /** Password checks (scrypt) run at once (default 2) and waiting for their turn (default 32); beyond, 503. */
  maxConcurrentPasswordChecks: number;
  maxQueuedPasswordChecks: number;
}

/**
 * Default limits: 256 connections (32 per address or IPv6 /64), 5 s for a TLS handshake, 10 s for the request
 * headers however slowly they trickle in, 30 s for a body, 5 s of keep-alive idleness.
 *
 * @example
 * const limits = { ...DEFAULT_HTTP_LIMITS, maxBodyBytes: 64 << 10 };
 */
export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = {
  maxBodyBytes: 1 << 20,
  maxBufferedBodyBytes: 64 << 20,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  tlsHandshakeTimeoutMs: 5_000,
  maxHeaderBytes: 16 << 10,
  maxConnections: 256,
  maxConnectionsPerAddress: 32,
  maxConcurrentPasswordChecks: 2,
  maxQueuedPasswordChecks: 32,
};
