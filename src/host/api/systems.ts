import {
  ApiError,
  type ChangeStateOptions,
  type EditOptions,
  type JobOptions,
  type ResourceChange,
  type SystemDetail,
  type SystemQuery,
  type SystemStats,
  type SystemSummary,
  type SystemsApi,
  type UndefineOptions,
} from '../../api/index.js';
import type { ResourceSetting, VirtualSystemDefinition, VssdProperties } from '../../model/index.js';
import { addResources, editSettings, modifyResources, removeResources } from '../edit.js';
import type { DefinitionEdit } from '../edit-apply.js';
import type { StoredVm } from '../store.js';
import { answer } from './answer.js';
import type { SessionContext } from './context.js';
import { toDetail, toSummary } from './vocabulary.js';

/**
 * The systems namespace: reads from the host's store (brought in line with a driver that owns its inventory),
 * every change a job of the host's, answered after `waitMs`.
 */

function selected(rows: StoredVm[], q: SystemQuery): StoredVm[] {
  const states = q.states;
  const after = q.after;
  const picked = rows.filter(
    (v) => (states === undefined || states.includes(v.state)) && (after === undefined || v.name > after),
  );
  return q.limit === undefined ? picked : picked.slice(0, q.limit);
}

/**
 * The systems namespace of a session.
 *
 * @example
 * const web1 = await systemsApi(ctx).get('web1');
 */
export function systemsApi(ctx: SessionContext): SystemsApi {
  const { host, principal } = ctx;
  const caller = { user: principal.user };
  const edit = (ref: string, change: DefinitionEdit, o: EditOptions | undefined) =>
    answer<never>(host, host.editJob(ref, change, { ifMatch: o?.ifMatch, live: o?.live }, caller), o?.waitMs);

  async function list(q: SystemQuery = {}): Promise<SystemSummary[] | SystemDetail[]> {
    await host.list(); // a driver that owns its inventory is read first
    const rows = selected(host.store.listVms(), q);
    if (q.detail === true) {
      const consoles = host.consoles();
      return rows.map((v) => toDetail(v, consoles));
    }
    return rows.map(toSummary);
  }

  return {
    list: list as SystemsApi['list'],
    async get(ref) {
      const detail = toDetail(await host.lookup(ref), host.consoles());
      const live = detail.state === 'running' || detail.state === 'paused';
      const display =
        live && host.driver.display !== undefined ? await host.driver.display(detail.uuid) : undefined;
      if (display !== undefined) detail.display = { protocol: display.protocol };
      return detail;
    },
    define(def: VirtualSystemDefinition, o?: JobOptions) {
      return answer(host, host.defineJob(def, caller), o?.waitMs);
    },
    undefine(ref, o?: UndefineOptions) {
      const started = host.undefineJob(ref, { powerOff: o?.powerOff, keepDisks: o?.keepDisks }, caller);
      return answer(host, started, o?.waitMs);
    },
    modifySettings(ref, changes: VssdProperties, o?: EditOptions) {
      return edit(ref, { kind: 'settings', edit: (d) => editSettings(d, changes) }, o);
    },
    addResources(ref, add: readonly ResourceSetting[], o?: EditOptions) {
      return edit(ref, { kind: 'add', resources: add, edit: (d) => addResources(d, add) }, o);
    },
    modifyResources(ref, changes: readonly ResourceChange[], o?: EditOptions) {
      return edit(ref, { kind: 'modify', edit: (d) => modifyResources(d, changes) }, o);
    },
    removeResources(ref, ids: readonly string[], o?: EditOptions) {
      return edit(ref, { kind: 'remove', instanceIds: ids, edit: (d) => removeResources(d, ids) }, o);
    },
    changeState(ref, op, o?: ChangeStateOptions) {
      const started = host.changeState(
        ref,
        op,
        { timeoutMs: o?.timeoutMs, forceAfterTimeout: o?.forceAfterTimeout, supersede: true },
        caller,
      );
      return answer(host, started, o?.waitMs);
    },
    async stats(ref): Promise<SystemStats> {
      const v = host.get(ref);
      if (v.state === 'stopped') {
        throw new ApiError('INVALID_STATE', `Cannot read the statistics of "${v.name}": it is stopped`);
      }
      const s = await host.stats(v.uuid);
      const since = Date.parse(host.store.lastEntered(v.uuid, 'starting') ?? v.changedAt);
      return { ...s, uptimeMs: Math.max(0, Date.now() - since) };
    },
    async metadata(ref) {
      return host.getMetadata(ref);
    },
    async setMetadata(ref, key, value) {
      host.setMetadata(ref, key, value);
    },
  };
}
