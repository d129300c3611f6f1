import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { formatBytes } from '../format.js';
import type { HostView, ImageView, JobView, LogEvent, NetworkView, PoolView } from '../host-types.js';
import { api } from '../http.js';
import { me } from '../session.js';
import { ErrorBox } from '../ui.js';
import { Certificate } from './Certificate.js';
import { EventTable, JobTable } from './SystemActivity.js';
import { UploadImage } from './UploadImage.js';
import { UseBar } from './UseBar.js';

type UsersPanel = typeof import('./HostUsers.js').HostUsers;
let usersPanel: Promise<UsersPanel> | undefined;

/** The users section, loaded the first time an admin opens the page (it is not part of the first load). */
function UsersSection({ users, me }: { users: Array<{ name: string; role: string }>; me: string }) {
  const panel = useSignal<UsersPanel | undefined>(undefined);
  const error = useSignal<unknown>(undefined);
  useEffect(() => {
    usersPanel ??= import('./HostUsers.js').then((m) => m.HostUsers);
    usersPanel.then(
      (p) => {
        panel.value = p;
      },
      (e: unknown) => {
        error.value = e;
      },
    );
  }, []);
  const Panel = panel.value;
  if (error.value !== undefined) return <ErrorBox error={error.value} />;
  return Panel === undefined ? <p>Loading…</p> : <Panel initial={users} me={me} />;
}

/** Everything the host page shows, read at once. */
interface HostData {
  host: HostView;
  pools: PoolView[];
  images: Array<ImageView & { pool: string }>;
  networks: NetworkView[];
  users: Array<{ name: string; role: string }> | undefined;
  events: LogEvent[];
  jobs: JobView[];
}

async function loadHost(admin: boolean): Promise<HostData> {
  const [host, pools, networks, events, jobs, users] = await Promise.all([
    api<HostView>('GET', '/host'),
    api<{ items: PoolView[] }>('GET', '/pools'),
    api<{ items: NetworkView[] }>('GET', '/networks'),
    api<{ items: LogEvent[] }>('GET', '/events/log?limit=10000'),
    api<{ items: JobView[] }>('GET', '/jobs?limit=30'),
    admin
      ? api<{ items: Array<{ name: string; role: string }> }>('GET', '/users')
      : Promise.resolve(undefined),
  ]);
  const images = (
    await Promise.all(
      pools.items
        .filter((p) => p.available)
        .map(async (p) =>
          (
            await api<{ items: ImageView[] }>('GET', `/pools/${encodeURIComponent(p.id)}/images`)
          ).items.map((i) => ({ ...i, pool: p.id })),
        ),
    )
  ).flat();
  return {
    host,
    pools: pools.items,
    images,
    networks: networks.items,
    users: users?.items,
    events: events.items.slice(-30).reverse(),
    jobs: jobs.items,
  };
}

/** The host: summary (accelerator, QEMU version, capacity), pools and their use, networks, images, users, log. */
export function Host() {
  const data = useSignal<HostData | undefined>(undefined);
  const error = useSignal<unknown>(undefined);
  const admin = me.value?.role === 'admin';
  const reload = () => {
    loadHost(admin)
      .then((d) => {
        data.value = d;
      })
      .catch((e: unknown) => {
        error.value = e;
      });
  };
  useEffect(reload, [admin]);
  const d = data.value;
  if (d === undefined)
    return (
      <section>
        <h1>Host</h1>
        {error.value === undefined ? <p>Loading…</p> : <ErrorBox error={error.value} />}
      </section>
    );
  const { info, capabilities: caps } = d.host;
  const accel = caps.accelerators.filter((a) => a.usable).map((a) => a.name);
  return (
    <section aria-labelledby="host-title">
      <h1 id="host-title">Host {info.name}</h1>
      <dl class="summary">
        <dt>Vessel</dt>
        <dd>{info.vesselVersion}</dd>
        <dt>Driver</dt>
        <dd class="mono">{info.driver.uri}</dd>
        <dt>Hypervisor</dt>
        <dd data-field="hypervisor">{info.driver.hypervisorVersion ?? caps.driver.version ?? '—'}</dd>
        <dt>Accelerator</dt>
        <dd data-field="accelerator">
          {accel.join(', ') || 'none'}
          {caps.accelerators
            .filter((a) => !a.usable)
            .map((a) => (
              <span key={a.name} class="reason">
                {' '}
                · {a.name}: {a.reason}
              </span>
            ))}
        </dd>
        <dt>Capacity</dt>
        <dd>
          up to {caps.limits.cpus} vCPUs, {formatBytes(Number(caps.limits.memoryBytes))} memory,{' '}
          {caps.limits.disks} disks and {caps.limits.nics} NICs per system
        </dd>
        <dt>Systems</dt>
        <dd>{info.systemCount}</dd>
        <dt>Up since</dt>
        <dd>{new Date(info.startedAt).toLocaleString()}</dd>
      </dl>
      <h2>HTTPS certificate</h2>
      <Certificate cert={info.certificate} />
      <h2>Storage pools</h2>
      <table class="pools">
        <thead>
          <tr>
            <th scope="col">Pool</th>
            <th scope="col">Use</th>
            <th scope="col">Capacity</th>
            <th scope="col">Images</th>
          </tr>
        </thead>
        <tbody>
          {d.pools.map((p) => {
            const cap = Number(p.capacityBytes);
            const used = Number(p.usedBytes);
            return (
              <tr key={p.id} data-pool={p.id}>
                <td data-label="Pool">
                  {p.id}
                  {p.isDefault && <span class="reason"> (default)</span>}
                  {!p.available && <span class="reason"> (unavailable)</span>}
                </td>
                <td data-label="Use">
                  <UseBar
                    label={`Use of pool ${p.id}`}
                    value={cap > 0 ? used / cap : undefined}
                    text={`${formatBytes(used)} used`}
                  />
                </td>
                <td data-label="Capacity">{formatBytes(cap)}</td>
                <td data-label="Images">{d.images.filter((i) => i.pool === p.id).length}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h2>Networks</h2>
      <table class="networks">
        <thead>
          <tr>
            <th scope="col">Network</th>
            <th scope="col">Mode</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {d.networks.map((n) => (
            <tr key={n.name} data-network={n.name}>
              <td data-label="Network">{n.name}</td>
              <td data-label="Mode">{n.mode}</td>
              <td data-label="Details">
                {n.bridge !== undefined ? `bridge ${n.bridge}` : ''}
                {(n.hostForwards ?? []).join(', ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Images</h2>
      {admin && <UploadImage pools={d.pools} onDone={reload} />}
      {d.images.length === 0 ? (
        <p>No images.</p>
      ) : (
        <table class="images">
          <thead>
            <tr>
              <th scope="col">Image</th>
              <th scope="col">Pool</th>
              <th scope="col">Format</th>
              <th scope="col">Size</th>
              <th scope="col">Used by</th>
            </tr>
          </thead>
          <tbody>
            {d.images.map((i) => (
              <tr key={`${i.pool}/${i.name}`} data-image={i.name}>
                <td data-label="Image" class="mono">
                  {i.name}
                </td>
                <td data-label="Pool">{i.pool}</td>
                <td data-label="Format">{i.format}</td>
                <td data-label="Size">
                  {formatBytes(Number(i.sizeBytes))}
                  {i.virtualSizeBytes !== undefined &&
                    ` (virtual ${formatBytes(Number(i.virtualSizeBytes))})`}
                </td>
                <td data-label="Used by">{i.usedBy.join(', ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {d.users !== undefined && (
        <>
          <h2>Users and roles</h2>
          <UsersSection users={d.users} me={me.value?.user ?? ''} />
        </>
      )}
      <h2>Jobs</h2>
      <JobTable jobs={d.jobs} label="Jobs of the host" />
      <h2>Events</h2>
      <EventTable events={d.events} label="Events of the host" />
    </section>
  );
}
