import { useComputed, useSignal } from '@preact/signals';
import { formatBytes, memoryBytes, vcpus } from '../format.js';
import { mayPower, me } from '../session.js';
import { filterAndSort, SORT_KEYS, type SortKey } from '../sort.js';
import { changeState, live, loaded, systems } from '../systems.js';
import type { SystemView } from '../types.js';
import { confirmAction, ErrorBox, StateBadge } from '../ui.js';

/** The systems list: filter, live states from the event stream, start and stop for roles that may. */
export function Systems() {
  const filter = useSignal('');
  const sort = useSignal<SortKey>('name');
  const error = useSignal<unknown>(undefined);
  const busy = useSignal<string | undefined>(undefined);
  const shown = useComputed(() => filterAndSort(systems.value.values(), filter.value, sort.value));
  const power = mayPower(me.value?.role);
  const run = async (s: SystemView, start: boolean) => {
    if (
      !start &&
      !(await confirmAction(
        `Power off ${s.name}?`,
        'The guest is cut off at once: unsaved work is lost.',
        'Power off',
      ))
    )
      return;
    busy.value = s.uuid;
    error.value = undefined;
    try {
      await changeState(s, start ? 'running' : 'stopped');
    } catch (e) {
      error.value = e;
    } finally {
      busy.value = undefined;
    }
  };
  return (
    <section aria-labelledby="systems-title">
      <div class="toolbar">
        <h1 id="systems-title">Systems</h1>
        <span class={live.value ? 'live on' : 'live'} role="status">
          {live.value ? 'Live' : 'Connecting…'}
        </span>
      </div>
      <div class="controls">
        <label class="filter">
          Filter
          <input type="search" value={filter.value} onInput={(e) => (filter.value = e.currentTarget.value)} />
        </label>
        <label>
          Sort by
          <select value={sort.value} onChange={(e) => (sort.value = e.currentTarget.value as SortKey)}>
            {Object.entries(SORT_KEYS).map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBox error={error.value} />
      {!loaded.value ? (
        <p>Loading…</p>
      ) : (
        <table class="systems">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">State</th>
              <th scope="col">vCPUs</th>
              <th scope="col">Memory</th>
              {power && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {shown.value.map((s) => (
              <tr key={s.uuid} data-system={s.name}>
                <td data-label="Name">
                  <a href={`#/systems/${encodeURIComponent(s.name)}`}>{s.name}</a>
                </td>
                <td data-label="State">
                  <StateBadge state={s.state} reason={s.reason.text} />
                </td>
                <td data-label="vCPUs">{vcpus(s) ?? '—'}</td>
                <td data-label="Memory">{formatBytes(memoryBytes(s))}</td>
                {power && (
                  <td data-label="Actions" class="actions">
                    {(s.state === 'stopped' || s.state === 'crashed') && (
                      <button type="button" disabled={busy.value === s.uuid} onClick={() => run(s, true)}>
                        Start<span class="sr-only"> {s.name}</span>
                      </button>
                    )}
                    {(s.state === 'running' || s.state === 'paused') && (
                      <button type="button" disabled={busy.value === s.uuid} onClick={() => run(s, false)}>
                        Stop<span class="sr-only"> {s.name}</span>
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {loaded.value && shown.value.length === 0 && <p>No system matches.</p>}
    </section>
  );
}
