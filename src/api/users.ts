import { type StaticDecode, Type } from '@sinclair/typebox';
import { ROLES, type Role } from './principal.js';
import { oneOf } from './schema.js';

/** The users of the management ports (CIM-XML, later WS-Man and REST) and their roles. Passwords are never read back. */

/** A user name: 1 to 64 letters, digits, `.`, `_`, `-`, `@`; starts with a letter or digit. */
export const UserNameSchema = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$' });

/** Wire schema of {@link UserInfo}. */
export const UserInfoSchema = Type.Object({ name: UserNameSchema, role: oneOf(ROLES) });

/** A user and its role. */
export type UserInfo = StaticDecode<typeof UserInfoSchema>;

/**
 * The users of a host.
 *
 * @example
 * await api.users.add('alice', 'operator', password);
 */
export interface UsersApi {
  list(): Promise<UserInfo[]>;
  add(name: string, role: Role, password: string): Promise<void>;
  remove(name: string): Promise<void>;
}
