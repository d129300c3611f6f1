import { signal } from '@preact/signals';
import { api, basicAuth, setCsrf, whenUnauthorized } from './http.js';
import type { Role, SessionView } from './types.js';

/** Who is logged in: undefined while asking, null when nobody. */
export const me = signal<SessionView | null | undefined>(undefined);

whenUnauthorized(() => {
  setCsrf(undefined);
  me.value = null;
});

/** Asks the host who the session cookie stands for. */
export async function loadSession(): Promise<void> {
  try {
    const s = await api<SessionView>('GET', '/session');
    setCsrf(s.csrfToken);
    me.value = s;
  } catch {
    me.value = null;
  }
}

/** Logs in with a password: the only request that carries it; the session cookie does the rest. */
export async function login(user: string, password: string): Promise<void> {
  const s = await api<SessionView>('POST', '/session', undefined, {
    Authorization: basicAuth(user, password),
  });
  setCsrf(s.csrfToken);
  me.value = s;
}

/** Ends the session on the host and here. */
export async function logout(): Promise<void> {
  try {
    await api('DELETE', '/session');
  } finally {
    setCsrf(undefined);
    me.value = null;
  }
}

/** True when the role may change a system's state (operator and admin, as the API's roles say). */
export function mayPower(role: Role | undefined): boolean {
  return role === 'operator' || role === 'admin';
}
