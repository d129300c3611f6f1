import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { formatBytes } from '../format.js';
import type { MetricsSeries } from '../host-types.js';
import { api } from '../http.js';
import { chartLines } from '../series.js';
import { ErrorBox } from '../ui.js';
import { Chart } from './Chart.js';

const RANGES = { '15m': '15 minutes', '1h': '1 hour', '6h': '6 hours', '1d': '1 day' } as const;
type Range = keyof typeof RANGES;

/** CPU, memory, disk and network charts of one system from GET /systems/{id}/metrics?range=, read every interval. */
export function SystemCharts({ uuid, state }: { uuid: string; state: string }) {
  const range = useSignal<Range>('15m');
  const series = useSignal<MetricsSeries | undefined>(undefined);
  const error = useSignal<unknown>(undefined);
  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async () => {
      try {
        const m = await api<MetricsSeries>(
          'GET',
          `/systems/${encodeURIComponent(uuid)}/metrics?range=${range.value}`,
        );
        if (stop) return;
        series.value = m;
        error.value = undefined;
        timer = setTimeout(read, Math.min(30_000, Math.max(2_000, m.intervalMs)));
      } catch (e) {
        if (!stop) error.value = e;
      }
    };
    void read();
    return () => {
      stop = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [uuid, range.value, state]);
  const lines = chartLines(series.value?.items ?? []);
  const rate = (v: number) => `${formatBytes(v)}/s`;
  return (
    <section aria-labelledby="charts-title" class="charts-section">
      <div class="toolbar">
        <h2 id="charts-title">Use</h2>
        <label>
          Range
          <select value={range.value} onChange={(e) => (range.value = e.currentTarget.value as Range)}>
            {Object.entries(RANGES).map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBox error={error.value} />
      <div class="charts">
        <Chart title="CPU" line={lines.cpu} max={100} format={(v) => `${v.toFixed(1)} %`} />
        <Chart title="Memory" line={lines.memory} format={formatBytes} />
        <Chart title="Disk I/O" line={lines.disk} format={rate} />
        <Chart title="Network" line={lines.network} format={rate} />
      </div>
    </section>
  );
}
