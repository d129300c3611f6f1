import { type StaticDecode, Type } from '@sinclair/typebox';
import { ROLES, type Role } from './principal.js';
import { oneOf, Strict, Timestamp } from './schema.js';

/** The users of the management ports (CIM-XML, later WS-Man and REST) and their roles. Passwords are never read back. */

/** A user name: 1 to 64 letters, digits, `.`, `_`, `-`, `@`; starts with a letter or digit. */
export const UserNameSchema = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$' });

/** Wire schema of {@link UserInfo}. */
export const UserInfoSchema = Type.Object({ name: UserNameSchema, role: oneOf(ROLES) });

/** A user and its role. */
export type UserInfo = StaticDecode<typeof UserInfoSchema>;

/** A token's id: 16 hex digits (the part after `vsl_` in the token). */
export const TokenIdSchema = Type.String({ pattern: '^[0-9a-f]{16}$' });

/** Wire schema of {@link TokenInfo}. */
export const TokenInfoSchema = Strict({
  id: TokenIdSchema,
  user: UserNameSchema,
  role: oneOf(ROLES),
  label: Type.String({ maxLength: 64 }),
  created: Timestamp,
  expires: Type.Optional(Timestamp),
});

/** A bearer token of the host's REST API as listed: who it acts as, with which role, until when. Never the secret. */
export type TokenInfo = StaticDecode<typeof TokenInfoSchema>;

/** Wire schema of {@link NewToken}. */
export const NewTokenSchema = Strict({
  ...TokenInfoSchema.properties,
  token: Type.String({ maxLength: 128 }),
});

/** A token just made: its info and the secret token text, shown this once. */
export type NewToken = StaticDecode<typeof NewTokenSchema>;

/** Wire schema of {@link TokenOptions}. */
export const TokenOptionsSchema = Strict({
  user: Type.Optional(UserNameSchema),
  label: Type.Optional(Type.String({ maxLength: 64 })),
  expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
});

/**
 * How a token is made: for whom (an admin may name another user; the default is the caller, and the local admin of
 * a unix socket, who is no user of the ports, must name one), a label for people, and days until it expires (none:
 * it lasts until revoked).
 */
export type TokenOptions = StaticDecode<typeof TokenOptionsSchema>;

/**
 * The users of a host.
 *
 * @example
 * await api.users.add('alice', 'operator', password);
 */
export interface UsersApi {
  list(): Promise<UserInfo[]>;
  add(name: string, role: Role, password: string): Promise<void>;
  /** Removes a user; the last admin is not removed (INVALID_STATE): the ports would have no admin left. */
  remove(name: string): Promise<void>;
  /** Changes a user's role; the last admin keeps `admin` (INVALID_STATE). */
  setRole(name: string, role: Role): Promise<void>;
  /** Sets a user's password without the old one (an admin's reset). */
  setPassword(name: string, password: string): Promise<void>;
  /**
   * Changes the caller's own password, proving the old one (any user of the ports; a wrong old password is
   * INVALID_ARGUMENT, not AUTH_FAILED: the caller's own credentials are good). The host's local admin, who is no
   * user of the ports, has none to change.
   */
  changePassword(oldPassword: string, password: string): Promise<void>;
  /**
   * Makes a bearer token for the caller with `role` (at most the caller's own). Any user may make tokens for
   * itself; the answer's `token` is the secret, shown once.
   */
  createToken(role: Role, options?: TokenOptions): Promise<NewToken>;
  /** The caller's tokens (an admin's: every user's). */
  tokens(): Promise<TokenInfo[]>;
  /** Revokes one of the caller's tokens (an admin: anyone's). */
  revokeToken(id: string): Promise<void>;
}
