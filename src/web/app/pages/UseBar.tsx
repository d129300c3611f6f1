import { formatBytes } from '../format.js';
import type { Usage } from '../series.js';

/** A use bar: a native meter (read out by screen readers with its label) and the figure beside it. */
export function UseBar({ label, value, text }: { label: string; value: number | undefined; text: string }) {
  if (value === undefined) return <span class="use none">—</span>;
  const v = Math.max(0, Math.min(1, value));
  return (
    <span class="use" data-use={v.toFixed(3)}>
      <meter min={0} max={1} low={0.7} high={0.9} optimum={0} value={v} aria-label={label} />
      <span class="figure">{text}</span>
    </span>
  );
}

/** The CPU bar of a system's use. */
export function CpuBar({ name, use }: { name: string; use: Usage | undefined }) {
  const cpu = use?.cpu;
  return (
    <UseBar
      label={`CPU use of ${name}`}
      value={cpu}
      text={cpu === undefined ? '' : `${Math.round(cpu * 100)} %`}
    />
  );
}

/** The memory bar of a system's use. */
export function MemoryBar({ name, use }: { name: string; use: Usage | undefined }) {
  const used = use?.memoryUsed;
  const share =
    used === undefined || use === undefined || use.memoryTotal <= 0 ? undefined : used / use.memoryTotal;
  return (
    <UseBar
      label={`Memory use of ${name}`}
      value={share}
      text={used === undefined ? '' : formatBytes(used)}
    />
  );
}
