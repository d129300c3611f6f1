import { useSignal } from '@preact/signals';
import { api } from '../http.js';
import type { Role } from '../types.js';
import { confirmAction, ErrorBox } from '../ui.js';

/** A user as GET /api/v1/users lists it. */
export interface UserView {
  name: string;
  role: string;
}

const ROLES: readonly Role[] = ['reader', 'operator', 'admin'];

/**
 * The host page's "Users and roles" (admins only; loaded when an admin opens the page): the users with their
 * roles, adding one with a password, changing a role, resetting a password and removing one after confirmation,
 * all through the public /api/v1/users routes. The host's refusals (the last admin, a taken name) show as problems.
 */
export function HostUsers({ initial, me }: { initial: UserView[]; me: string }) {
  const users = useSignal(initial);
  const error = useSignal<unknown>(undefined);
  const done = useSignal<string | undefined>(undefined);
  const busy = useSignal(false);
  const name = useSignal('');
  const role = useSignal<Role>('reader');
  const password = useSignal('');
  const resetFor = useSignal<string | undefined>(undefined);
  const newPassword = useSignal('');

  /** Runs one change, then reads the list again; the message says what was done. */
  const run = async (what: () => Promise<unknown>, message: string) => {
    error.value = undefined;
    done.value = undefined;
    busy.value = true;
    try {
      await what();
      done.value = message;
    } catch (e) {
      error.value = e;
    } finally {
      busy.value = false;
      try {
        users.value = (await api<{ items: UserView[] }>('GET', '/users')).items;
      } catch (e) {
        error.value ??= e;
      }
    }
  };
  const user = (n: string) => `/users/${encodeURIComponent(n)}`;

  const add = async (e: Event) => {
    e.preventDefault();
    const n = name.value.trim();
    await run(
      () => api('POST', '/users', { name: n, role: role.value, password: password.value }),
      `Added ${n} (${role.value}).`,
    );
    if (error.value === undefined) {
      name.value = '';
      password.value = '';
    }
  };
  const remove = async (n: string) => {
    if (
      !(await confirmAction(`Remove ${n}?`, `${n} can no longer log in; its tokens stop working.`, 'Remove'))
    )
      return;
    await run(() => api('DELETE', user(n)), `Removed ${n}.`);
  };
  const reset = async (e: Event, n: string) => {
    e.preventDefault();
    await run(
      () => api('PUT', `${user(n)}/password`, { password: newPassword.value }),
      `Set the password of ${n}.`,
    );
    if (error.value === undefined) {
      resetFor.value = undefined;
      newPassword.value = '';
    }
  };

  return (
    <div class="host-users">
      <table class="users">
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Role</th>
            <th scope="col">Change</th>
          </tr>
        </thead>
        <tbody>
          {users.value.map((u) => (
            <tr key={u.name} data-user={u.name}>
              <td data-label="User">
                {u.name}
                {u.name === me && <span class="reason"> (you)</span>}
              </td>
              <td data-label="Role" data-role={u.role}>
                {u.role}
              </td>
              <td data-label="Change">
                <select
                  aria-label={`Role of ${u.name}`}
                  value={u.role}
                  disabled={busy.value}
                  onChange={(e) => {
                    const r = e.currentTarget.value;
                    void run(() => api('PUT', `${user(u.name)}/role`, { role: r }), `${u.name} is now ${r}.`);
                  }}
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>{' '}
                <button type="button" disabled={busy.value} onClick={() => (resetFor.value = u.name)}>
                  Reset password<span class="sr-only"> of {u.name}</span>
                </button>{' '}
                <button
                  type="button"
                  class="danger"
                  disabled={busy.value}
                  onClick={() => void remove(u.name)}
                >
                  Remove<span class="sr-only"> {u.name}</span>
                </button>
                {resetFor.value === u.name && (
                  <form class="reset-password" onSubmit={(e) => void reset(e, u.name)}>
                    <label>
                      New password of {u.name}
                      <input
                        type="password"
                        autocomplete="new-password"
                        required
                        maxLength={1024}
                        value={newPassword.value}
                        onInput={(e) => (newPassword.value = e.currentTarget.value)}
                      />
                    </label>
                    <button type="submit" disabled={busy.value}>
                      Set password
                    </button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="edit add-user" onSubmit={add} aria-labelledby="add-user-title">
        <h3 id="add-user-title">Add a user</h3>
        <div class="row">
          <label>
            User name
            <input
              required
              maxLength={64}
              pattern="[A-Za-z0-9][A-Za-z0-9._@\-]{0,63}"
              title="1 to 64 letters, digits, . _ @ -, starting with a letter or digit"
              autocomplete="off"
              value={name.value}
              onInput={(e) => (name.value = e.currentTarget.value)}
            />
          </label>
          <label>
            Role
            <select value={role.value} onChange={(e) => (role.value = e.currentTarget.value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>
          <label>
            Password
            <input
              type="password"
              required
              maxLength={1024}
              autocomplete="new-password"
              value={password.value}
              onInput={(e) => (password.value = e.currentTarget.value)}
            />
          </label>
        </div>
        <button type="submit" disabled={busy.value}>
          Add user
        </button>
      </form>
      {done.value !== undefined && (
        <p role="status" class="done">
          {done.value}
        </p>
      )}
      {error.value !== undefined && <ErrorBox error={error.value} />}
    </div>
  );
}
