import type { Line } from '../series.js';

/** A small line chart drawn as SVG (no library): the line, the range of values and the last value as text. */
export function Chart({
  title,
  line,
  format,
  max,
}: {
  title: string;
  line: Line;
  format: (v: number) => string;
  /** The top of the scale (e.g. 100 for a percentage); default: the largest value. */
  max?: number;
}) {
  const W = 300;
  const H = 80;
  const pts = line.t.map((t, i) => [t, line.y[i]!] as const).filter(([, y]) => Number.isFinite(y));
  const t0 = line.t[0] ?? 0;
  const t1 = line.t[line.t.length - 1] ?? 1;
  const top = Math.max(max ?? 0, ...pts.map(([, y]) => y), 1e-9);
  const x = (t: number) => (t1 === t0 ? W : ((t - t0) / (t1 - t0)) * W);
  const y = (v: number) => H - (v / top) * H;
  // A gap (NaN) starts a new segment.
  const segments: string[][] = [[]];
  line.t.forEach((t, i) => {
    const v = line.y[i]!;
    if (Number.isFinite(v)) segments[segments.length - 1]!.push(`${x(t).toFixed(1)},${y(v).toFixed(1)}`);
    else if (segments[segments.length - 1]!.length > 0) segments.push([]);
  });
  const last = pts[pts.length - 1];
  const id = `chart-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return (
    <figure class="chart" data-points={pts.length}>
      <figcaption id={id}>
        {title}: <strong>{last === undefined ? 'no samples yet' : format(last[1])}</strong>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-labelledby={id}>
        <title>{`${title} over time`}</title>
        <line x1="0" y1={H} x2={W} y2={H} class="axis" />
        {segments
          .filter((s) => s.length > 0)
          .map((s) =>
            s.length === 1 ? (
              <circle key={s[0]} cx={s[0]!.split(',')[0]} cy={s[0]!.split(',')[1]} r="2" />
            ) : (
              <polyline key={s[0]} points={s.join(' ')} />
            ),
          )}
      </svg>
      <p class="scale">
        0 – {format(top)}
        {line.t.length > 0 &&
          ` · ${new Date(t0).toLocaleTimeString()} – ${new Date(t1).toLocaleTimeString()}`}
      </p>
    </figure>
  );
}
