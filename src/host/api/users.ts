import { ApiError, type NewToken, roleAllows, type TokenOptions, type UsersApi } from '../../api/index.js';
import type { UserChange, UserStore } from '../users.js';
import type { SessionContext } from './context.js';

/** The answer to a refused change of one user (see `UserStore.change`). */
function refused(change: UserChange, name: string, what = `remove "${name}"`): void {
  if (change === 'missing') throw noUser(name);
  if (change === 'last-admin')
    throw new ApiError('INVALID_STATE', `Cannot ${what}: it is the last admin`, {
      hint: 'Make another user an admin first',
      detail: { domain: 'host', code: 'LAST_ADMIN' },
    });
}

function noUser(name: string): ApiError {
  return new ApiError('NOT_FOUND', `No user "${name.slice(0, 64)}"`, {
    detail: { domain: 'host', code: 'USER_NOT_FOUND' },
  });
}

/**
 * The users of a users file behind the Api's names and refusals (ALREADY_EXISTS, NOT_FOUND, INVALID_STATE for the
 * last admin): the host's `users` namespace, and `vessel user` on a state directory no host runs on.
 *
 * @example
 * await storeUsers(new UserStore(file)).setRole('alice', 'reader');
 */
export function storeUsers(
  store: UserStore,
): Pick<UsersApi, 'list' | 'add' | 'remove' | 'setRole' | 'setPassword'> {
  return {
    async list() {
      return (await store.load()).map((u) => ({ name: u.name, role: u.role }));
    },
    async add(name, role, password) {
      if (!(await store.add(name, role, password, { replace: false }))) {
        throw new ApiError('ALREADY_EXISTS', `A user named "${name}" exists already`, {
          hint: 'Change its role or password instead',
          detail: { domain: 'host', code: 'USER_EXISTS' },
        });
      }
    },
    async remove(name) {
      refused(await store.remove(name), name);
    },
    async setRole(name, role) {
      refused(
        await store.setRole(name, role),
        name,
        `make "${name}" ${role === 'operator' ? 'an' : 'a'} ${role}`,
      );
    },
    async setPassword(name, password) {
      refused(await store.setPassword(name, password), name);
    },
  };
}

/**
 * The `users` namespace of the local host: the users of its management ports (`Host.users`, STATE/users.json with
 * scrypt hashes). Every method is admin-only (METHODS; the session checks the role); passwords are never read
 * back. Adding a name that exists is `ALREADY_EXISTS` (the CLI's `vessel user add` replaces, on purpose); removing
 * or demoting the last admin is `INVALID_STATE`. Any user changes its own password with the old one. Tokens
 * (`Host.tokens`) are each user's own: any user makes, lists and revokes its own; an admin anyone's.
 *
 * @example
 * const users = usersApi({ host, principal });
 * await users.add('alice', 'operator', 'correct horse battery staple');
 * await users.list(); // [{ name: 'alice', role: 'operator' }]
 */
export function usersApi(ctx: SessionContext): UsersApi {
  const store = ctx.host.users;
  return {
    ...storeUsers(store),
    async changePassword(oldPassword, password) {
      const me = ctx.principal.user;
      if (!(await store.load()).some((u) => u.name === me))
        throw new ApiError(
          'INVALID_ARGUMENT',
          `${me} is no user of the management ports and has no password`,
          {
            hint: 'An admin sets passwords: vessel user password NAME',
          },
        );
      if ((await store.authenticate(me, oldPassword)) === undefined)
        throw new ApiError('INVALID_ARGUMENT', `The old password of ${me} is wrong`, {
          detail: { domain: 'host', code: 'OLD_PASSWORD_WRONG' },
        });
      refused(await store.setPassword(me, password), me);
    },
    async createToken(role, options: TokenOptions = {}): Promise<NewToken> {
      const { principal } = ctx;
      const name = options.user ?? principal.user;
      if (name !== principal.user && principal.role !== 'admin')
        throw new ApiError('ACCESS_DENIED', `${principal.user} may make tokens only for itself`);
      const owner = (await store.load()).find((u) => u.name === name);
      if (owner === undefined) {
        if (options.user === undefined)
          throw new ApiError('INVALID_ARGUMENT', `${name} is no user of the management ports`, {
            hint: 'Name the user the token acts as (--user NAME)',
          });
        throw noUser(name);
      }
      // The caller's role caps it too: an operator's token is at most an operator's, whoever it names.
      const cap = roleAllows(owner.role, principal.role) ? principal.role : owner.role;
      const made = await ctx.host.tokens.create(name, cap, role, {
        label: options.label,
        expiresInDays: options.expiresInDays,
      });
      return made;
    },
    async tokens() {
      const { principal } = ctx;
      return ctx.host.tokens.list(principal.role === 'admin' ? undefined : principal.user);
    },
    async revokeToken(id) {
      const { principal } = ctx;
      const mine = principal.role === 'admin' ? undefined : principal.user;
      if (!(await ctx.host.tokens.revoke(id, mine)))
        throw new ApiError('NOT_FOUND', `No token ${id}${mine === undefined ? '' : ` of ${mine}`}`);
    },
  };
}
