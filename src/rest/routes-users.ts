import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ApiError, oneOf, ROLES, type Role, Strict, UserInfoSchema, UserNameSchema } from '../api/index.js';
import { RestError } from './errors.js';
import type { RestRequest, RestRoute } from './route.js';

/**
 * The users of the host's management ports and their roles (admin only), and the caller's own password. Passwords
 * go in and are never read back. A user's browser sessions end when it is removed, its role changes or its
 * password is reset (its tokens follow its current role: src/host/tokens.ts); the last admin is kept.
 */

const Password = Type.String({ minLength: 1, maxLength: 1024 });

/** POST /users's body. */
export const NewUserSchema = Strict({ name: UserNameSchema, role: oneOf(ROLES), password: Password });

/** PUT /users/{name}/role's body. */
export const RoleChangeSchema = Strict({ role: oneOf(ROLES) });

/** PUT /users/{name}/password's body (an admin's reset). */
export const PasswordResetSchema = Strict({ password: Password });

/** PUT /session/password's body (the caller's own password, proven by the old one). */
export const PasswordChangeSchema = Strict({ oldPassword: Password, password: Password });

const PARAMS = { name: 'the user name (letters, digits, . _ @ -; at most 64)' };
const userName = TypeCompiler.Compile(UserNameSchema);

/** The user name of a path, or INVALID_ARGUMENT before anything is looked up. */
function nameOf(r: RestRequest): string {
  const name = r.params.name ?? '';
  if (!userName.Check(name as unknown))
    throw new ApiError(
      'INVALID_ARGUMENT',
      `${JSON.stringify(name.slice(0, 80))} is not a user name: 1 to 64 letters, digits, . _ @ -, starting with a letter or digit`,
    );
  return name;
}

function noUser(name: string): ApiError {
  return new ApiError('NOT_FOUND', `No user "${name}"`, {
    detail: { domain: 'host', code: 'USER_NOT_FOUND' },
  });
}

const location = (name: string) => `/api/v1/users/${encodeURIComponent(name)}`;

/** Routes of /users (its list is a host route: routes-host.ts) and /session/password. */
export const USER_ROUTES: readonly RestRoute[] = [
  {
    method: 'POST',
    path: '/users',
    operationId: 'createUser',
    summary: 'Add a user with a role and a password; a name that exists is 409',
    calls: 'users.add',
    body: NewUserSchema,
    responses: { 201: { description: 'The user', schema: UserInfoSchema, headers: ['Location'] } },
    handle: async ({ api, body }) => {
      const { name, role, password } = body as { name: string; role: Role; password: string };
      await api.users.add(name, role, password);
      return { status: 201, body: { name, role }, headers: { Location: location(name) } };
    },
  },
  {
    method: 'GET',
    path: '/users/{name}',
    operationId: 'getUser',
    summary: 'A user and its role',
    calls: 'users.list',
    pathParams: PARAMS,
    responses: { 200: { description: 'The user', schema: UserInfoSchema } },
    handle: async (r) => {
      const name = nameOf(r);
      const user = (await r.api.users.list()).find((u) => u.name === name);
      if (user === undefined) throw noUser(name);
      return { status: 200, body: user };
    },
  },
  {
    method: 'PUT',
    path: '/users/{name}/role',
    operationId: 'setUserRole',
    summary: "Change a user's role (its browser sessions end); the last admin stays an admin (409)",
    calls: 'users.setRole',
    pathParams: PARAMS,
    body: RoleChangeSchema,
    responses: { 200: { description: 'The user', schema: UserInfoSchema } },
    handle: async (r) => {
      const name = nameOf(r);
      const { role } = r.body as { role: Role };
      await r.api.users.setRole(name, role);
      r.cookies.closeUser(name);
      return { status: 200, body: { name, role } };
    },
  },
  {
    method: 'PUT',
    path: '/users/{name}/password',
    operationId: 'resetUserPassword',
    summary: "Set a user's password without the old one (its browser sessions end)",
    calls: 'users.setPassword',
    pathParams: PARAMS,
    body: PasswordResetSchema,
    responses: { 204: { description: 'Set' } },
    handle: async (r) => {
      const name = nameOf(r);
      await r.api.users.setPassword(name, (r.body as { password: string }).password);
      r.cookies.closeUser(name);
      return { status: 204 };
    },
  },
  {
    method: 'DELETE',
    path: '/users/{name}',
    operationId: 'deleteUser',
    summary: 'Remove a user (its sessions and tokens stop working); the last admin is not removed (409)',
    calls: 'users.remove',
    pathParams: PARAMS,
    responses: { 204: { description: 'Removed' } },
    handle: async (r) => {
      const name = nameOf(r);
      await r.api.users.remove(name);
      r.cookies.closeUser(name);
      return { status: 204 };
    },
  },
  {
    method: 'PUT',
    path: '/session/password',
    operationId: 'changePassword',
    summary:
      "Change the caller's own password, proving the old one (a wrong one is 400); its other sessions end",
    calls: 'users.changePassword',
    body: PasswordChangeSchema,
    responses: { 204: { description: 'Changed' } },
    handle: async (r) => {
      // A token stands in for a password: it may not replace the password it was made under.
      if (r.caller.via === 'bearer')
        throw new RestError(
          'REST_CREDENTIAL',
          'A password is changed with the password or a browser session, not a token',
        );
      const { oldPassword, password } = r.body as { oldPassword: string; password: string };
      await r.api.users.changePassword(oldPassword, password);
      r.cookies.closeUser(r.caller.name, r.caller.sessionId);
      return { status: 204 };
    },
  },
];
