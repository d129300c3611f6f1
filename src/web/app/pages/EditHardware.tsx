import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { memoryBytes, vcpus } from '../format.js';
import { api, Problem } from '../http.js';
import { refresh } from '../systems.js';
import type { Resource, SystemView } from '../types.js';
import { ErrorBox } from '../ui.js';

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
const ofType = (s: SystemView, t: string): Resource | undefined =>
  s.definition?.resources.find((r) => one(r.properties.ResourceType) === t);

/**
 * Edits a system's vCPUs and memory (admin): PATCH /systems/{id}/resources with If-Match, so a change made from a
 * stale page is refused (412) rather than undoing someone else's. The host changes CPUs and memory of a stopped
 * system only: while it runs, the form says the change needs a restart (stop, change, start).
 */
export function EditHardware({ s }: { s: SystemView }) {
  const cpus = useSignal(String(vcpus(s) ?? 1));
  const mib = useSignal(String(Math.round((memoryBytes(s) ?? 0) / 2 ** 20)));
  const error = useSignal<unknown>(undefined);
  const done = useSignal<string | undefined>(undefined);
  const busy = useSignal(false);
  // A definition changed elsewhere resets the form to what the host has now.
  useEffect(() => {
    cpus.value = String(vcpus(s) ?? 1);
    mib.value = String(Math.round((memoryBytes(s) ?? 0) / 2 ** 20));
  }, [s.etag]);
  const cpu = ofType(s, '3');
  const mem = ofType(s, '4');
  const stopped = s.state === 'stopped';
  const changed =
    cpus.value !== String(vcpus(s) ?? 1) || mib.value !== String(Math.round((memoryBytes(s) ?? 0) / 2 ** 20));
  const submit = async (e: Event) => {
    e.preventDefault();
    error.value = undefined;
    done.value = undefined;
    const changes: { instanceId: string; properties: Record<string, string> }[] = [];
    const cpuId = one(cpu?.properties.InstanceID);
    const memId = one(mem?.properties.InstanceID);
    if (cpuId !== undefined && cpus.value !== String(vcpus(s) ?? 1))
      changes.push({ instanceId: cpuId, properties: { VirtualQuantity: cpus.value } });
    if (memId !== undefined && mib.value !== String(Math.round((memoryBytes(s) ?? 0) / 2 ** 20)))
      changes.push({
        instanceId: memId,
        properties: { VirtualQuantity: mib.value, AllocationUnits: 'byte * 2^20' },
      });
    if (changes.length === 0) return;
    busy.value = true;
    try {
      await api('PATCH', `/systems/${encodeURIComponent(s.uuid)}/resources`, changes, {
        ...(s.etag === undefined ? {} : { 'If-Match': `"${s.etag}"` }),
        Prefer: 'wait=30',
      });
      done.value = 'Saved.';
      await refresh(s.uuid);
    } catch (err) {
      if (err instanceof Problem && (err.status === 412 || err.code === 'CONFLICT')) {
        error.value = new Problem(
          err.status,
          err.code,
          `${err.message}: the form now shows the definition as it is; make the change again`,
          err.hint,
        );
        await refresh(s.uuid).catch(() => undefined);
      } else error.value = err;
    } finally {
      busy.value = false;
    }
  };
  return (
    <form class="edit" onSubmit={submit} aria-labelledby="edit-title">
      <h2 id="edit-title">Processors and memory</h2>
      {!stopped && (
        <p class="note" id="edit-restart">
          Needs a restart: the host changes vCPUs and memory of a stopped system only. Shut {s.name} down,
          change them, then start it again.
        </p>
      )}
      <div class="row">
        <label>
          vCPUs
          <input
            name="cpus"
            type="number"
            min={1}
            required
            value={cpus.value}
            disabled={!stopped}
            aria-describedby={stopped ? undefined : 'edit-restart'}
            onInput={(e) => (cpus.value = e.currentTarget.value)}
          />
        </label>
        <label>
          Memory (MiB)
          <input
            name="memory"
            type="number"
            min={1}
            required
            value={mib.value}
            disabled={!stopped}
            aria-describedby={stopped ? undefined : 'edit-restart'}
            onInput={(e) => (mib.value = e.currentTarget.value)}
          />
        </label>
      </div>
      <ErrorBox error={error.value} />
      {done.value !== undefined && <p role="status">{done.value}</p>}
      {stopped && (
        <button type="submit" disabled={busy.value || !changed}>
          Save
        </button>
      )}
    </form>
  );
}
