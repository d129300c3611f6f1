import {
  allContents,
  findSection,
  type OvfContent,
  type OvfEnvelope,
  virtualSystems,
} from '../../ovf/index.js';

/**
 * Power-on order of a deployed package (DSP0243 §9.9, StartupSection): the systems of a collection start by
 * ascending `ovf:order` (the same order may start together), each group waits for the largest `ovf:startDelay`
 * of its members before the next group starts, and `ovf:startAction="none"` leaves a system off. Systems a
 * StartupSection does not name start last, in descriptor order, without delay.
 */

/** One step of the power-on: systems (by ovf:id) started together, then a pause. */
interface StartupStep {
  systemIds: string[];
  delayMs: number;
}

const num = (s: string | undefined, dflt: number) => {
  const n = Number(s);
  return s !== undefined && Number.isFinite(n) && n >= 0 ? n : dflt;
};

/** The longest delay honoured between steps (a descriptor asking for hours is not waited for). */
export const MAX_START_DELAY_MS = 600_000;

/** The power-on plan of the package's systems. */
export function startupPlan(env: OvfEnvelope): StartupStep[] {
  const order: { ids: string[]; order: number; delayMs: number; start: boolean }[] = [];
  const named = new Set<string>();
  const byId = new Map(allContents(env).map((c) => [c.id, c]));
  const systemsOf = (c: OvfContent | undefined): string[] =>
    c === undefined ? [] : c.kind === 'VirtualSystem' ? [c.id] : c.children.flatMap(systemsOf);
  for (const c of allContents(env)) {
    const s = findSection(c.sections, 'StartupSection');
    for (const item of s?.items ?? []) {
      const ids = systemsOf(byId.get(item.id));
      for (const id of ids) named.add(id);
      order.push({
        ids,
        order: num(item.order, 0),
        delayMs: Math.min(num(item.startDelay, 0) * 1000, MAX_START_DELAY_MS),
        start: (item.startAction ?? 'powerOn').toLowerCase() !== 'none',
      });
    }
  }
  order.sort((a, b) => a.order - b.order);
  const steps: StartupStep[] = [];
  for (const o of order) {
    const last = steps.at(-1) as (StartupStep & { order?: number }) | undefined;
    const ids = o.start ? o.ids : [];
    if (last !== undefined && last.order === o.order) {
      last.systemIds.push(...ids);
      last.delayMs = Math.max(last.delayMs, o.delayMs);
    } else steps.push(Object.assign({ systemIds: ids, delayMs: o.delayMs }, { order: o.order }));
  }
  const rest = virtualSystems(env)
    .map((s) => s.id)
    .filter((id) => !named.has(id));
  if (rest.length) steps.push({ systemIds: rest, delayMs: 0 });
  return steps.map((s) => ({ systemIds: s.systemIds, delayMs: s.delayMs }));
}
