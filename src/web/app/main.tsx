import { signal } from '@preact/signals';
import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import { Console } from './pages/Console.js';
import { Create } from './pages/Create.js';
import { Deploy } from './pages/Deploy.js';
import { Host } from './pages/Host.js';
import { Login } from './pages/Login.js';
import { System } from './pages/System.js';
import { Systems } from './pages/Systems.js';
import { loadSession, logout, me } from './session.js';
import { followEvents, forget, loadSystems } from './systems.js';
import { ConfirmHost, ErrorBox } from './ui.js';
import './styles.css';
import './styles-manage.css';

/**
 * The host client: log in, then the systems list (`#/`), a system's page (`#/systems/NAME`) and its consoles
 * (`#/systems/NAME/console`), the create form (`#/create`, admin), deploy (`#/deploy`, admin) and the host page
 * (`#/host`).
 */

const route = signal(location.hash);
addEventListener('hashchange', () => {
  route.value = location.hash;
});
const failure = signal<unknown>(undefined);

function Page() {
  const c = /^#\/systems\/([^/]+)\/console$/.exec(route.value);
  if (c?.[1] !== undefined) return <Console name={decodeURIComponent(c[1])} />;
  const m = /^#\/systems\/([^/]+)$/.exec(route.value);
  if (m?.[1] !== undefined) return <System name={decodeURIComponent(m[1])} />;
  if (route.value === '#/create' && me.value?.role === 'admin') return <Create />;
  if (route.value === '#/deploy' && me.value?.role === 'admin') return <Deploy />;
  if (route.value === '#/host') return <Host />;
  return <Systems />;
}

function Shell() {
  const who = me.value;
  useEffect(() => {
    if (who === null || who === undefined) {
      forget();
      return;
    }
    failure.value = undefined;
    loadSystems().catch((e: unknown) => {
      failure.value = e;
    });
    followEvents();
  }, [who?.user, who?.role]);
  if (who === undefined) return <p class="loading">Loading…</p>;
  if (who === null) return <Login />;
  return (
    <>
      <header>
        <a class="brand" href="#/">
          Vessel
        </a>
        <nav aria-label="Pages">
          <a href="#/">Systems</a>
          <a href="#/host">Host</a>
        </nav>
        <span class="who">
          {who.user} <span class="role">({who.role})</span>
        </span>
        <button type="button" onClick={() => void logout()}>
          Log out
        </button>
      </header>
      <main>
        <ErrorBox error={failure.value} />
        <Page />
      </main>
      <ConfirmHost />
    </>
  );
}

const root = document.getElementById('app');
if (root !== null) {
  root.textContent = '';
  render(<Shell />, root);
}
void loadSession();
