import { resultOf } from '../src/api/index.js';
import { startRestTestHost } from '../src/rest/index.js';
import type { BenchResult, BenchSuite } from './harness.js';

const VMS = 1000;
const AUTH = `Basic ${Buffer.from('admin:secret').toString('base64')}`;
const SCRAPES = 50;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

/**
 * `/metrics` scrape time with 1,000 systems on the test driver, all running (each with a disk and a NIC): what a
 * Prometheus scrape costs end to end over HTTP (the sampler's ring buffers read, the text formatted), and what one
 * sample of all systems costs the host (on its interval, not per scrape).
 */
export const suite: BenchSuite = {
  name: 'metrics: /metrics scrape, 1,000 running VMs on the test driver',
  async run(): Promise<BenchResult[]> {
    const host = await startRestTestHost({ vms: VMS });
    try {
      for (let i = 1; i <= VMS; i++)
        resultOf(await host.api.systems.changeState(`vm${i}`, 'start', { waitMs: Number.POSITIVE_INFINITY }));
      const samples: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        await host.host.metrics.sample();
        samples.push(performance.now() - t0);
      }
      const url = `http://127.0.0.1:${host.rest.server.httpPort}/metrics`;
      const scrape = async () => {
        const res = await fetch(url, { headers: { Authorization: AUTH } });
        if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
        return res.text();
      };
      let bytes = 0;
      for (let i = 0; i < 10; i++) bytes = (await scrape()).length;
      const times: number[] = [];
      for (let i = 0; i < SCRAPES; i++) {
        const t0 = performance.now();
        await scrape();
        times.push(performance.now() - t0);
      }
      return [
        {
          name: `GET /metrics, ${VMS} VMs (median of ${SCRAPES})`,
          value: median(times),
          unit: 'ms',
          target: '< 50 ms',
          notes: `${(bytes / 1024).toFixed(0)} KiB, max ${Math.max(...times).toFixed(1)} ms`,
        },
        {
          name: `one sample of ${VMS} VMs (the sampler, per interval)`,
          value: median(samples),
          unit: 'ms',
        },
      ];
    } finally {
      await host.close();
    }
  },
};
