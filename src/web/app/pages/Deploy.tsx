import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { JobView, NetworkView, PoolView } from '../host-types.js';
import { api } from '../http.js';
import { ErrorBox } from '../ui.js';
import { uploadImage } from '../upload.js';

/** What POST /deployments?dryRun=true answers (packages.inspect), the fields the page shows. */
interface Plan {
  configuration?: string;
  systems: { systemId: string; name: string; notes: string[] }[];
  properties: {
    key: string;
    type: string;
    label?: string;
    defaultValue?: string;
    userConfigurable: boolean;
    password: boolean;
    required: boolean;
  }[];
  eulas: string[];
  networks: { name: string; description?: string }[];
  configurations: { id: string; label?: string; isDefault: boolean }[];
  warnings: string[];
}

type DeployJob = JobView & { result?: { systems: { name: string }[]; warnings: string[] } };

/**
 * Deploy (admin): an OVA chosen or dropped is uploaded into a pool with a progress bar that only rises, the
 * host's dry run shows what it would do (systems, configurations, properties as a form, license text to accept,
 * network mapping), then the deploy job runs with its progress; the host's refusal (a bad manifest or signature)
 * is shown as it says it.
 */
export function Deploy() {
  const pools = useSignal<PoolView[]>([]);
  const networks = useSignal<NetworkView[]>([]);
  const pool = useSignal('default');
  const file = useSignal<File | undefined>(undefined);
  const uploaded = useSignal<string | undefined>(undefined);
  const progress = useSignal<number | undefined>(undefined);
  const plan = useSignal<Plan | undefined>(undefined);
  const values = useSignal<Record<string, string>>({});
  const nets = useSignal<Record<string, string>>({});
  const config = useSignal<string | undefined>(undefined);
  const accepted = useSignal(false);
  const name = useSignal('');
  const job = useSignal<DeployJob | undefined>(undefined);
  const error = useSignal<unknown>(undefined);
  const busy = useSignal(false);
  useEffect(() => {
    Promise.all([
      api<{ items: PoolView[] }>('GET', '/pools'),
      api<{ items: NetworkView[] }>('GET', '/networks'),
    ])
      .then(([p, n]) => {
        pools.value = p.items.filter((x) => x.available);
        networks.value = n.items;
      })
      .catch((e: unknown) => {
        error.value = e;
      });
  }, []);
  const source = () => ({ kind: 'pool', pool: pool.value, image: uploaded.value ?? '' });
  const inspect = async (configuration?: string) => {
    const p = await api<Plan>('POST', '/deployments?dryRun=true', {
      source: source(),
      ...(configuration === undefined ? {} : { options: { configuration } }),
    });
    plan.value = p;
    config.value = p.configuration;
    if (configuration === undefined) {
      values.value = Object.fromEntries(
        p.properties.filter((x) => x.userConfigurable).map((x) => [x.key, x.defaultValue ?? '']),
      );
      nets.value = Object.fromEntries(p.networks.map((n) => [n.name, networks.value[0]?.name ?? '']));
    }
  };
  const upload = async (e: Event) => {
    e.preventDefault();
    const f = file.value;
    if (f === undefined) return;
    error.value = undefined;
    plan.value = undefined;
    job.value = undefined;
    name.value = '';
    accepted.value = false;
    busy.value = true;
    progress.value = 0;
    try {
      await uploadImage(pool.value, f, (share) => {
        progress.value = share;
      }).done;
      uploaded.value = f.name;
      await inspect();
    } catch (x) {
      error.value = x;
    } finally {
      busy.value = false;
    }
  };
  const deploy = async (e: Event) => {
    e.preventDefault();
    error.value = undefined;
    busy.value = true;
    try {
      let j = await api<DeployJob>(
        'POST',
        '/deployments',
        {
          source: source(),
          options: {
            ...(name.value.trim() === '' ? {} : { name: name.value.trim() }),
            ...(config.value === undefined ? {} : { configuration: config.value }),
            properties: values.value,
            networks: nets.value,
            acceptEula: accepted.value,
          },
        },
        { Prefer: 'respond-async' },
      );
      job.value = j;
      while (j.state === 'queued' || j.state === 'running') {
        j = await api<DeployJob>('GET', `/jobs/${encodeURIComponent(j.id)}?wait=2`);
        job.value = j;
      }
      if (j.state !== 'completed') error.value = new Error(j.error?.message ?? `The deploy ended ${j.state}`);
    } catch (x) {
      error.value = x;
    } finally {
      busy.value = false;
    }
  };
  const p = plan.value;
  const j = job.value;
  return (
    <section aria-labelledby="deploy-title">
      <h1 id="deploy-title">Deploy a package</h1>
      <form class="edit" onSubmit={upload}>
        <div class="row">
          <label>
            Pool
            <select value={pool.value} onChange={(e) => (pool.value = e.currentTarget.value)}>
              {pools.value.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.id}
                </option>
              ))}
            </select>
          </label>
          <label
            class="drop"
            onDragOver={(e) => e.preventDefault()}
            onDrop={(e) => {
              e.preventDefault();
              const f = e.dataTransfer?.files[0];
              if (f !== undefined) file.value = f;
            }}
          >
            OVA file (choose or drop here)
            <input
              type="file"
              accept=".ova,.ovf"
              onChange={(e) => (file.value = e.currentTarget.files?.[0])}
            />
          </label>
          <button type="submit" disabled={busy.value || file.value === undefined}>
            Upload and inspect
          </button>
        </div>
        {progress.value !== undefined && (
          <label>
            Upload {Math.round(progress.value * 100)} %
            <progress class="upload" max={1} value={progress.value} />
          </label>
        )}
      </form>
      <ErrorBox error={error.value} />
      {p !== undefined && (
        <form class="edit plan" onSubmit={deploy} aria-labelledby="plan-title">
          <h2 id="plan-title">What the deploy does</h2>
          <ul>
            {p.systems.map((s) => (
              <li key={s.systemId}>
                System <strong>{s.name}</strong>
                {s.notes.map((n) => (
                  <span key={n} class="reason">
                    {' '}
                    · {n}
                  </span>
                ))}
              </li>
            ))}
          </ul>
          {p.warnings.length > 0 && (
            <ul class="note">
              {p.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          )}
          <label>
            Name (empty: the package's)
            <input value={name.value} onInput={(e) => (name.value = e.currentTarget.value)} />
          </label>
          {p.configurations.length > 0 && (
            <label>
              Configuration
              <select
                value={config.value}
                onChange={(e) => {
                  config.value = e.currentTarget.value;
                  void inspect(e.currentTarget.value).catch((x: unknown) => {
                    error.value = x;
                  });
                }}
              >
                {p.configurations.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.label ?? c.id}
                  </option>
                ))}
              </select>
            </label>
          )}
          {p.properties.some((x) => x.userConfigurable) && (
            <fieldset>
              <legend>Properties</legend>
              {p.properties
                .filter((x) => x.userConfigurable)
                .map((x) => (
                  <label key={x.key}>
                    {x.label ?? x.key}{' '}
                    <span class="reason">
                      ({x.type}
                      {x.required ? ', required' : ''})
                    </span>
                    <input
                      name={`property-${x.key}`}
                      type={(x.password ? 'password' : 'text') as 'text'}
                      autocomplete={x.password ? 'new-password' : 'off'}
                      value={values.value[x.key] ?? ''}
                      onInput={(e) => (values.value = { ...values.value, [x.key]: e.currentTarget.value })}
                    />
                  </label>
                ))}
            </fieldset>
          )}
          {p.networks.length > 0 && (
            <fieldset>
              <legend>Networks</legend>
              {p.networks.map((n) => (
                <label key={n.name}>
                  {n.name}
                  {n.description === undefined ? '' : ` (${n.description})`} on
                  <select
                    value={nets.value[n.name]}
                    onChange={(e) => (nets.value = { ...nets.value, [n.name]: e.currentTarget.value })}
                  >
                    {networks.value.map((h) => (
                      <option key={h.name} value={h.name}>
                        {h.name}
                      </option>
                    ))}
                  </select>
                </label>
              ))}
            </fieldset>
          )}
          {p.eulas.map((text, i) => (
            <div key={text} class="eula">
              <h3>License {p.eulas.length > 1 ? i + 1 : ''}</h3>
              <pre>{text}</pre>
            </div>
          ))}
          {p.eulas.length > 0 && (
            <label class="check">
              <input
                type="checkbox"
                checked={accepted.value}
                onChange={(e) => (accepted.value = e.currentTarget.checked)}
              />{' '}
              I accept the license
            </label>
          )}
          <button
            type="submit"
            class="primary"
            disabled={busy.value || (p.eulas.length > 0 && !accepted.value)}
          >
            Deploy
          </button>
          {j !== undefined && (
            <p role="status">
              <label>
                Deploy {j.state}
                {j.phase === undefined ? '' : `: ${j.phase}`} <progress max={100} value={j.percent} />
              </label>
            </p>
          )}
          {j?.state === 'completed' && (
            <p>
              Deployed:{' '}
              {(j.result?.systems ?? []).map((s) => (
                <a key={s.name} href={`#/systems/${encodeURIComponent(s.name)}`}>
                  {s.name}
                </a>
              ))}
            </p>
          )}
        </form>
      )}
    </section>
  );
}
