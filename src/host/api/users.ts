import { ApiError, type UsersApi } from '../../api/index.js';
import type { SessionContext } from './context.js';

/**
 * The `users` namespace of the local host: the users of its management ports (`Host.users`, STATE/users.json with
 * scrypt hashes). Every method is admin-only (METHODS; the session checks the role); passwords are never read
 * back. Adding a name that exists is `ALREADY_EXISTS` (the CLI's `vessel user add` replaces, on purpose).
 *
 * @example
 * const users = usersApi({ host, principal });
 * await users.add('alice', 'operator', 'correct horse battery staple');
 * await users.list(); // [{ name: 'alice', role: 'operator' }]
 */
export function usersApi(ctx: SessionContext): UsersApi {
  const store = ctx.host.users;
  return {
    async list() {
      return (await store.load()).map((u) => ({ name: u.name, role: u.role }));
    },
    async add(name, role, password) {
      if (!(await store.add(name, role, password, { replace: false }))) {
        throw new ApiError('ALREADY_EXISTS', `A user named "${name}" exists already`, {
          hint: 'Remove it first to change its role or password',
          detail: { domain: 'host', code: 'USER_EXISTS' },
        });
      }
    },
    async remove(name) {
      if (!(await store.remove(name))) {
        throw new ApiError('NOT_FOUND', `No user "${name.slice(0, 64)}"`, {
          detail: { domain: 'host', code: 'USER_NOT_FOUND' },
        });
      }
    },
  };
}
