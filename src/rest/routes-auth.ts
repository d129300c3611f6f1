import { Type } from '@sinclair/typebox';
import {
  NewTokenSchema,
  oneOf,
  ROLES,
  type Role,
  Strict,
  TokenInfoSchema,
  TokenOptionsSchema,
  UserNameSchema,
} from '../api/index.js';
import { setCookie } from './cookies.js';
import { RestError } from './errors.js';
import { type RestRequest, type RestRoute, wire } from './route.js';

/**
 * The caller's browser session (log in with a password, see who you are, log out) and bearer tokens. A browser
 * logs in once with Basic credentials on `POST /session` and then sends only the cookie, and the CSRF token in
 * `X-CSRF-Token` with every change; scripts and tools use Basic or a token.
 */

/** The body of the session routes. */
export const SessionViewSchema = Strict({
  user: UserNameSchema,
  role: oneOf(ROLES),
  via: oneOf(['basic', 'bearer', 'cookie', 'anonymous'] as const),
  csrfToken: Type.Optional(Type.String({ maxLength: 64 })),
  idleSeconds: Type.Optional(Type.Integer({ minimum: 0 })),
});

/** POST /tokens's body: the role and the token options. */
export const TokenRequestSchema = Strict({ role: oneOf(ROLES), ...TokenOptionsSchema.properties });

function noTokensByToken(r: RestRequest): void {
  // A token that makes tokens could outlive its own expiry or revocation.
  if (r.caller.via === 'bearer')
    throw new RestError(
      'REST_CREDENTIAL',
      'Tokens are managed with a password or a browser session, not a token',
    );
}

/** Routes of /session and /tokens. */
export const AUTH_ROUTES: readonly RestRoute[] = [
  {
    method: 'POST',
    path: '/session',
    operationId: 'openSession',
    summary: 'Log in: Basic credentials give a session cookie (HttpOnly, SameSite=Strict) and its CSRF token',
    responses: {
      201: { description: 'The session', schema: SessionViewSchema, headers: ['Set-Cookie'] },
    },
    handle: async ({ caller, secure, cookies }) => {
      if (caller.via !== 'basic')
        throw new RestError('REST_CREDENTIAL', 'A session is opened with a user name and password (Basic)');
      const s = cookies.open(caller.name, caller.role);
      return {
        status: 201,
        body: { user: s.user, role: s.role, via: 'cookie', csrfToken: s.csrf, idleSeconds: 1800 },
        headers: { 'Set-Cookie': setCookie(s.id, secure) },
      };
    },
  },
  {
    method: 'GET',
    path: '/session',
    operationId: 'getSession',
    summary: 'Who the caller is, how it logged in, and its CSRF token when it uses a session cookie',
    responses: { 200: { description: 'The caller', schema: SessionViewSchema } },
    handle: async ({ caller, cookies }) => {
      const s = caller.sessionId === undefined ? undefined : cookies.get(caller.sessionId);
      return {
        status: 200,
        body: {
          user: caller.name,
          role: caller.role,
          via: caller.via,
          ...(s === undefined ? {} : { csrfToken: s.csrf }),
        },
      };
    },
  },
  {
    method: 'DELETE',
    path: '/session',
    operationId: 'closeSession',
    summary: 'Log out: ends the session of the cookie and clears it',
    responses: { 204: { description: 'Logged out', headers: ['Set-Cookie'] } },
    handle: async ({ caller, secure, cookies }) => {
      if (caller.sessionId !== undefined) cookies.close(caller.sessionId);
      return { status: 204, headers: { 'Set-Cookie': setCookie(undefined, secure) } };
    },
  },
  {
    method: 'GET',
    path: '/tokens',
    operationId: 'listTokens',
    summary: "The caller's bearer tokens (an admin's: everyone's), without their secrets",
    calls: 'users.tokens',
    responses: {
      200: { description: 'Tokens', schema: Type.Object({ items: Type.Array(TokenInfoSchema) }) },
    },
    handle: async (r) => {
      noTokensByToken(r);
      return { status: 200, body: { items: wire('users.tokens', await r.api.users.tokens()) } };
    },
  },
  {
    method: 'POST',
    path: '/tokens',
    operationId: 'createToken',
    summary:
      'Make a bearer token acting as the caller (or, for an admin, another user) with at most its role',
    calls: 'users.createToken',
    body: TokenRequestSchema,
    responses: { 201: { description: 'The token, its secret shown this once', schema: NewTokenSchema } },
    handle: async (r) => {
      noTokensByToken(r);
      const { role, ...options } = r.body as { role: Role } & Record<string, unknown>;
      const made = await r.api.users.createToken(role, options);
      return { status: 201, body: wire('users.createToken', made) };
    },
  },
  {
    method: 'DELETE',
    path: '/tokens/{id}',
    operationId: 'revokeToken',
    summary: 'Revoke a token',
    calls: 'users.revokeToken',
    pathParams: { id: 'the token id (16 hex digits)' },
    responses: { 204: { description: 'Revoked' } },
    handle: async (r) => {
      noTokensByToken(r);
      await r.api.users.revokeToken(r.params.id ?? '');
      return { status: 204 };
    },
  },
];
