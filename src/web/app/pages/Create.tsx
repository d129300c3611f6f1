import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { buildFromForm, type CreateForm, type FieldKey } from '../definition.js';
import { fieldOfProblem, fieldsOfErrors } from '../fields.js';
import type { HostView, ImageView, NetworkView, PoolView } from '../host-types.js';
import { api, Problem } from '../http.js';
import { refresh, systems } from '../systems.js';
import { ErrorBox } from '../ui.js';
import { DiskRows } from './CreateDisks.js';
import { Field } from './Field.js';

/** The choices the host offers: firmware, NIC models, networks, and the images it knows the paths of. */
interface Choices {
  firmware: string[];
  nicModels: string[];
  networks: NetworkView[];
  /** Image paths the form suggests: those the host's definitions name, and pool images beside them. */
  images: string[];
  /** The pools a new disk can be made in, the default first. */
  pools: string[];
  maxCpus: number;
}

const dirOf = (p: string) => p.slice(0, p.lastIndexOf('/') + 1);

async function loadChoices(): Promise<Choices> {
  const [host, nets, pools] = await Promise.all([
    api<HostView>('GET', '/host'),
    api<{ items: NetworkView[] }>('GET', '/networks'),
    api<{ items: PoolView[] }>('GET', '/pools'),
  ]);
  // The API shows a pool's folder to the host's own user only; a remote admin knows the folders its systems use.
  const used = new Set<string>();
  for (const s of systems.value.values())
    for (const r of s.definition?.resources ?? []) {
      const h = r.properties.HostResource;
      for (const p of Array.isArray(h) ? h : h === undefined ? [] : [h]) if (p.startsWith('/')) used.add(p);
    }
  const dirs = new Set([...used].map(dirOf));
  for (const p of pools.items)
    if (p.path !== undefined) dirs.add(p.path.endsWith('/') ? p.path : `${p.path}/`);
  const images = new Set(used);
  for (const p of pools.items.filter((x) => x.available)) {
    const list = await api<{ items: ImageView[] }>('GET', `/pools/${encodeURIComponent(p.id)}/images`);
    for (const i of list.items)
      for (const d of dirs) if (p.path === undefined || d.startsWith(p.path)) images.add(d + i.name);
  }
  return {
    firmware: host.capabilities.firmware,
    nicModels: host.capabilities.devices.nicModels,
    networks: nets.items,
    images: [...images].sort(),
    pools: pools.items
      .filter((p) => p.available)
      .sort((a, b) => Number(b.isDefault) - Number(a.isDefault))
      .map((p) => p.id),
    maxCpus: host.capabilities.limits.cpus,
  };
}

/** The create form (admin): builds the definition, POSTs it, and shows the host's refusal on its field. */
export function Create() {
  const form = useSignal<CreateForm>({
    name: '',
    cpus: '1',
    memoryMiB: '256',
    firmware: 'bios',
    diskBus: 'ide',
    disks: [''],
    cdroms: [],
    nics: [{ network: 'user', model: 'virtio', mac: '' }],
  });
  const choices = useSignal<Choices | undefined>(undefined);
  const errors = useSignal<ReadonlyMap<FieldKey, string>>(new Map());
  const failure = useSignal<unknown>(undefined);
  const busy = useSignal(false);
  useEffect(() => {
    loadChoices()
      .then((c) => {
        choices.value = c;
      })
      .catch((e: unknown) => {
        failure.value = e;
      });
  }, []);
  const f = form.value;
  const set = (patch: Partial<CreateForm>) => {
    form.value = { ...form.value, ...patch };
  };
  const err = (k: FieldKey) => errors.value.get(k);
  const submit = async (e: Event) => {
    e.preventDefault();
    errors.value = new Map();
    failure.value = undefined;
    const { def, fieldOf } = buildFromForm(form.value);
    busy.value = true;
    try {
      await api('POST', '/systems', def, { Prefer: 'wait=30' });
      await refresh(f.name);
      location.hash = `#/systems/${encodeURIComponent(f.name)}`;
    } catch (x) {
      if (x instanceof Problem) {
        const hint = x.hint === undefined ? '' : ` (${x.hint})`;
        // The members the problem names, each on its field; else the field its text is about.
        const named = fieldsOfErrors(x.errors, def, fieldOf);
        const key = fieldOfProblem(x.code, x.message, fieldOf);
        if (named.size > 0) errors.value = new Map([...named].map(([k, v]) => [k, `${v}${hint}`]));
        else if (key === 'form') failure.value = x;
        else errors.value = new Map([[key, `${x.message}${hint}`]]);
        const first = [...errors.value.keys()][0];
        if (first !== undefined) document.getElementById(`create-${first}`)?.focus();
      } else failure.value = x;
    } finally {
      busy.value = false;
    }
  };
  const c = choices.value;
  const list = <T,>(items: T[], i: number, v: T) => items.map((x, j) => (j === i ? v : x));
  return (
    <section aria-labelledby="create-title">
      <p>
        <a href="#/">← Systems</a>
      </p>
      <h1 id="create-title">Create a system</h1>
      <form class="create" onSubmit={submit} noValidate>
        <Field id="create-name" label="Name" error={err('name')}>
          {(a) => (
            <input
              {...a}
              name="name"
              required
              value={f.name}
              onInput={(e) => set({ name: e.currentTarget.value })}
            />
          )}
        </Field>
        <div class="row">
          <Field id="create-cpus" label="vCPUs" error={err('cpus')}>
            {(a) => (
              <input
                {...a}
                name="cpus"
                type="number"
                min={1}
                max={c?.maxCpus}
                value={f.cpus}
                onInput={(e) => set({ cpus: e.currentTarget.value })}
              />
            )}
          </Field>
          <Field id="create-memory" label="Memory (MiB)" error={err('memory')}>
            {(a) => (
              <input
                {...a}
                name="memory"
                type="number"
                min={1}
                value={f.memoryMiB}
                onInput={(e) => set({ memoryMiB: e.currentTarget.value })}
              />
            )}
          </Field>
          <Field id="create-firmware" label="Firmware" error={err('firmware')}>
            {(a) => (
              <select
                {...a}
                value={f.firmware}
                onChange={(e) => set({ firmware: e.currentTarget.value as 'bios' | 'efi' })}
              >
                {(c?.firmware ?? ['bios', 'efi']).map((x) => (
                  <option key={x} value={x}>
                    {x}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id="create-bus" label="Disk bus" error={undefined}>
            {(a) => (
              <select
                {...a}
                value={f.diskBus}
                onChange={(e) => set({ diskBus: e.currentTarget.value as CreateForm['diskBus'] })}
              >
                <option value="ide">IDE</option>
                <option value="virtio-scsi">virtio-scsi</option>
              </select>
            )}
          </Field>
        </div>
        <datalist id="create-images">
          {(c?.images ?? []).map((p) => (
            <option key={p} value={p} />
          ))}
        </datalist>
        <DiskRows disks={f.disks} pools={c?.pools ?? []} err={err} onChange={(disks) => set({ disks })} />
        <fieldset>
          <legend>CD/DVD drives</legend>
          {f.cdroms.map((d, i) => (
            <div class="row" key={`c${i}`}>
              <Field
                id={`create-cdrom-${i}`}
                label={`CD/DVD ${i + 1} image (empty: no media)`}
                error={err(`cdrom-${i}`)}
              >
                {(a) => (
                  <input
                    {...a}
                    list="create-images"
                    class="mono"
                    value={d}
                    onInput={(e) => set({ cdroms: list(f.cdroms, i, e.currentTarget.value) })}
                  />
                )}
              </Field>
              <button type="button" onClick={() => set({ cdroms: f.cdroms.filter((_, j) => j !== i) })}>
                Remove<span class="sr-only"> CD/DVD {i + 1}</span>
              </button>
            </div>
          ))}
          <button type="button" onClick={() => set({ cdroms: [...f.cdroms, ''] })}>
            Add CD/DVD drive
          </button>
        </fieldset>
        <fieldset>
          <legend>Network adapters</legend>
          {f.nics.map((n, i) => (
            <div class="row" key={`n${i}`}>
              <Field id={`create-nic-${i}`} label={`Adapter ${i + 1} network`} error={err(`nic-${i}`)}>
                {(a) => (
                  <select
                    {...a}
                    value={n.network}
                    onChange={(e) => set({ nics: list(f.nics, i, { ...n, network: e.currentTarget.value }) })}
                  >
                    {(c?.networks ?? [{ name: n.network, mode: 'user' as const }]).map((x) => (
                      <option key={x.name} value={x.name}>
                        {x.name} ({x.mode})
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field id={`create-nic-${i}-model`} label={`Adapter ${i + 1} model`} error={undefined}>
                {(a) => (
                  <select
                    {...a}
                    value={n.model}
                    onChange={(e) => set({ nics: list(f.nics, i, { ...n, model: e.currentTarget.value }) })}
                  >
                    {(c?.nicModels ?? [n.model]).map((m) => (
                      <option key={m} value={m}>
                        {m}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field
                id={`create-nic-${i}-mac`}
                label={`Adapter ${i + 1} MAC (empty: assigned)`}
                error={undefined}
              >
                {(a) => (
                  <input
                    {...a}
                    class="mono"
                    value={n.mac}
                    onInput={(e) => set({ nics: list(f.nics, i, { ...n, mac: e.currentTarget.value }) })}
                  />
                )}
              </Field>
              <button type="button" onClick={() => set({ nics: f.nics.filter((_, j) => j !== i) })}>
                Remove<span class="sr-only"> adapter {i + 1}</span>
              </button>
            </div>
          ))}
          <button
            type="button"
            onClick={() =>
              set({
                nics: [...f.nics, { network: c?.networks[0]?.name ?? 'user', model: 'virtio', mac: '' }],
              })
            }
          >
            Add network adapter
          </button>
        </fieldset>
        <ErrorBox error={failure.value} />
        <button type="submit" class="primary" disabled={busy.value}>
          {busy.value ? 'Creating…' : 'Create'}
        </button>
      </form>
    </section>
  );
}
