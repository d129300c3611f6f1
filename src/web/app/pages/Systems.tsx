import { useComputed, useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { bulkBusy, results, runBulk, selected, toggle } from '../bulk.js';
import { formatBytes, memoryBytes, vcpus } from '../format.js';
import { mayPower, me } from '../session.js';
import { filterAndSort, SORT_KEYS, type SortKey } from '../sort.js';
import { changeState, live, loaded, systems } from '../systems.js';
import type { SystemView } from '../types.js';
import { confirmAction, ErrorBox, StateBadge } from '../ui.js';
import { followUsage, usage } from '../usage.js';
import { CpuBar, MemoryBar } from './UseBar.js';

const OFF_TEXT = 'The guest is cut off at once: unsaved work is lost.';

/**
 * The systems list: filter and sort, live states from the event stream, live CPU and memory bars from the
 * metrics, and for roles that may: start and stop per row or for the selected rows (each with its own result).
 */
export function Systems() {
  const filter = useSignal('');
  const sort = useSignal<SortKey>('name');
  const error = useSignal<unknown>(undefined);
  const busy = useSignal<string | undefined>(undefined);
  const shown = useComputed(() =>
    filterAndSort(systems.value.values(), filter.value, sort.value, usage.value),
  );
  const role = me.value?.role;
  const power = mayPower(role);
  useEffect(() => followUsage(), []);
  const run = async (s: SystemView, start: boolean) => {
    if (!start && !(await confirmAction(`Power off ${s.name}?`, OFF_TEXT, 'Power off'))) return;
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
  const bulk = async (start: boolean) => {
    const n = selected.value.size;
    if (!start && !(await confirmAction(`Power off ${n} system(s)?`, OFF_TEXT, 'Power off'))) return;
    await runBulk(start ? 'running' : 'stopped');
  };
  const visible = shown.value.map((s) => s.uuid);
  const allOn = visible.length > 0 && visible.every((u) => selected.value.has(u));
  return (
    <section aria-labelledby="systems-title">
      <div class="toolbar">
        <h1 id="systems-title">Systems</h1>
        <span class={live.value ? 'live on' : 'live'} role="status">
          {live.value ? 'Live' : 'Connecting…'}
        </span>
        {role === 'admin' && (
          <span class="page-links">
            <a class="button" href="#/create">
              Create system
            </a>
            <a class="button" href="#/deploy">
              Deploy package
            </a>
          </span>
        )}
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
        {power && (
          <fieldset class="bulk">
            <legend>Selected ({selected.value.size})</legend>
            <button
              type="button"
              disabled={selected.value.size === 0 || bulkBusy.value}
              onClick={() => bulk(true)}
            >
              Start selected
            </button>
            <button
              type="button"
              class="danger"
              disabled={selected.value.size === 0 || bulkBusy.value}
              onClick={() => bulk(false)}
            >
              Stop selected
            </button>
          </fieldset>
        )}
      </div>
      <ErrorBox error={error.value} />
      {!loaded.value ? (
        <p>Loading…</p>
      ) : (
        <table class="systems">
          <thead>
            <tr>
              {power && (
                <th scope="col" class="pick">
                  <input
                    type="checkbox"
                    aria-label="Select all shown"
                    checked={allOn}
                    onChange={(e) => {
                      for (const u of visible) toggle(u, e.currentTarget.checked);
                    }}
                  />
                </th>
              )}
              <th scope="col">Name</th>
              <th scope="col">State</th>
              <th scope="col">vCPUs</th>
              <th scope="col">Memory</th>
              <th scope="col">CPU use</th>
              <th scope="col">Memory use</th>
              {power && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {shown.value.map((s) => {
              const result = results.value.get(s.uuid);
              const use = usage.value.get(s.uuid);
              return (
                <tr key={s.uuid} data-system={s.name}>
                  {power && (
                    <td class="pick">
                      <input
                        type="checkbox"
                        aria-label={`Select ${s.name}`}
                        checked={selected.value.has(s.uuid)}
                        onChange={(e) => toggle(s.uuid, e.currentTarget.checked)}
                      />
                    </td>
                  )}
                  <td data-label="Name">
                    <a href={`#/systems/${encodeURIComponent(s.name)}`}>{s.name}</a>
                  </td>
                  <td data-label="State">
                    <StateBadge state={s.state} reason={s.reason.text} />
                    {result !== undefined && (
                      <span class={`result ${result.outcome}`} data-result={result.outcome}>
                        {result.text}
                      </span>
                    )}
                  </td>
                  <td data-label="vCPUs">{vcpus(s) ?? '—'}</td>
                  <td data-label="Memory">{formatBytes(memoryBytes(s))}</td>
                  <td data-label="CPU use" class="cpu-use">
                    <CpuBar name={s.name} use={use} />
                  </td>
                  <td data-label="Memory use" class="memory-use">
                    <MemoryBar name={s.name} use={use} />
                  </td>
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
              );
            })}
          </tbody>
        </table>
      )}
      {loaded.value && shown.value.length === 0 && <p>No system matches.</p>}
    </section>
  );
}
