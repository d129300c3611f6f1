import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { describe, formatBytes, memoryBytes, vcpus } from '../format.js';
import { actionsFor, type PowerAction } from '../power.js';
import { mayPower, me } from '../session.js';
import { changeState, refresh, systems } from '../systems.js';
import type { SystemView } from '../types.js';
import { confirmAction, ErrorBox, StateBadge } from '../ui.js';
import { EditHardware } from './EditHardware.js';
import { ExportPanel } from './ExportPanel.js';
import { HardwareView } from './HardwareView.js';
import { SystemActivity } from './SystemActivity.js';
import { SystemCharts } from './SystemCharts.js';

/** One system: summary, hardware from its resources, and power actions (destructive ones confirmed). */
export function System({ name }: { name: string }) {
  const error = useSignal<unknown>(undefined);
  const busy = useSignal(false);
  const missing = useSignal<unknown>(undefined);
  useEffect(() => {
    refresh(name).catch((e: unknown) => {
      missing.value = e;
    });
  }, [name]);
  const s = [...systems.value.values()].find((x) => x.name === name || x.uuid === name);
  if (s === undefined)
    return (
      <section>
        <p>
          <a href="#/">← Systems</a>
        </p>
        {missing.value === undefined ? <p>Loading…</p> : <ErrorBox error={missing.value} />}
      </section>
    );
  const act = async (sys: SystemView, a: PowerAction) => {
    if (a.confirm !== undefined && !(await confirmAction(`${a.label} ${sys.name}?`, a.confirm, a.label)))
      return;
    busy.value = true;
    error.value = undefined;
    try {
      await changeState(sys, a.target);
    } catch (e) {
      error.value = e;
    } finally {
      busy.value = false;
    }
  };
  const resources = s.definition?.resources ?? [];
  return (
    <section aria-labelledby="system-title">
      <p>
        <a href="#/">← Systems</a>
      </p>
      <h1 id="system-title">{s.name}</h1>
      <dl class="summary">
        <dt>State</dt>
        <dd>
          <StateBadge state={s.state} reason={s.reason.text} />
        </dd>
        <dt>Since</dt>
        <dd>{new Date(s.changedAt).toLocaleString()}</dd>
        <dt>vCPUs</dt>
        <dd>{vcpus(s) ?? '—'}</dd>
        <dt>Memory</dt>
        <dd>{formatBytes(memoryBytes(s))}</dd>
        <dt>UUID</dt>
        <dd class="mono">{s.uuid}</dd>
      </dl>
      {mayPower(me.value?.role) && (
        <fieldset class="power">
          <legend>Power</legend>
          {actionsFor(s.state).map((a) => (
            <button
              type="button"
              key={a.target}
              class={a.confirm === undefined ? '' : 'danger'}
              disabled={busy.value}
              onClick={() => act(s, a)}
            >
              {a.label}
            </button>
          ))}
        </fieldset>
      )}
      {mayPower(me.value?.role) && (s.state === 'running' || s.state === 'paused') && (
        <p>
          <a href={`#/systems/${encodeURIComponent(s.name)}/console`}>Open the consoles</a>
        </p>
      )}
      <ErrorBox error={error.value} />
      <HardwareView s={s} />
      {me.value?.role === 'admin' && <EditHardware s={s} />}
      {me.value?.role === 'admin' && <ExportPanel s={s} />}
      <SystemCharts uuid={s.uuid} state={s.state} />
      <h2>All resources</h2>
      <table class="hardware">
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">Name</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {resources.map((r) => {
            const d = describe(r);
            const id = r.properties.InstanceID;
            return (
              <tr key={String(id)}>
                <td data-label="Device">{d.kind}</td>
                <td data-label="Name">{d.name}</td>
                <td data-label="Details">{d.detail}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <SystemActivity uuid={s.uuid} version={`${s.changedAt} ${s.etag ?? ''}`} />
    </section>
  );
}
