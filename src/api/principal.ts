import { type StaticDecode, Type } from '@sinclair/typebox';
import { oneOf } from './schema.js';

/**
 * Who calls the Api and through what. A session is opened for a principal; every method checks the principal's
 * role against its METHODS entry once, whatever the transport.
 */

/** The roles, from the least to the most trusted. */
export const ROLES = ['reader', 'operator', 'admin'] as const;

/** `reader` reads; `operator` also changes states and opens consoles; `admin` may do anything. */
export type Role = (typeof ROLES)[number];

/** The transports an Api travels over. */
export const TRANSPORTS = ['in-process', 'socket', 'cimxml', 'wsman', 'rest'] as const;

/** A transport (see {@link TRANSPORTS}). */
export type Transport = (typeof TRANSPORTS)[number];

/** Wire schema of {@link Principal}. */
export const PrincipalSchema = Type.Object({
  user: Type.String({ minLength: 1, maxLength: 128 }),
  role: oneOf(ROLES),
  /** True for the host's own user (in process, or the 0600 socket): host paths are allowed. */
  local: Type.Boolean(),
  via: oneOf(TRANSPORTS),
});

/**
 * Who is calling.
 *
 * @example
 * const p: Principal = { user: 'local', role: 'admin', local: true, via: 'socket' };
 */
export type Principal = StaticDecode<typeof PrincipalSchema>;

/**
 * True when `role` may call a method that needs `needed`.
 *
 * @example
 * roleAllows('operator', 'reader'); // true
 * roleAllows('operator', 'admin');  // false
 */
export function roleAllows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/**
 * What an edge calls before it has a session (Basic auth, later tokens); throttling stays in the edge's HTTP
 * layer. Undefined means the credentials are wrong.
 *
 * @example
 * const p = await host.authenticator.authenticate('alice', password);
 * if (p === undefined) throw new ApiError('AUTH_FAILED', 'Wrong user name or password');
 */
export interface Authenticator {
  authenticate(user: string, password: string): Promise<Principal | undefined>;
}
