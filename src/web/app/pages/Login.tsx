import { useState } from 'preact/hooks';
import { Problem } from '../http.js';
import { login } from '../session.js';
import { ErrorBox } from '../ui.js';

/** The login form: the password goes once to POST /api/v1/session; the session cookie does the rest. */
export function Login() {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await login(user, password);
    } catch (err) {
      const wrong = err instanceof Problem && err.status === 401;
      setError(wrong ? new Error('Wrong user name or password') : err);
      setPassword('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <h1>Vessel</h1>
      <form onSubmit={submit} aria-describedby="login-error">
        <label>
          User name
          <input
            name="user"
            autocomplete="username"
            required
            value={user}
            onInput={(e) => setUser(e.currentTarget.value)}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <div id="login-error">
          <ErrorBox error={error} />
        </div>
        <button type="submit" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
