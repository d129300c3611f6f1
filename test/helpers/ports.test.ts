import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { freePort } from './ports.js';

describe('freePort', () => {
  it('hands out distinct bindable ports outside the ephemeral range, which port 0 never picks', async () => {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    const ports: number[] = [];
    for (let i = 0; i < 50; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(50);
    for (const p of ports) expect(p < (low as number) || p > (high as number), String(p)).toBe(true);
    // Each one can be listened on, which is what the test that asked for it does next.
    for (const p of ports.slice(0, 5)) {
      const s = createServer();
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(p, '127.0.0.1', resolve);
      });
      await new Promise((r) => s.close(r));
    }
  });

  it('skips the ports it handed out and those something listens on', async () => {
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const busy = createServer();
    try {
      const a = await freePort();
      // Busy either way: this server listens there, or something else already does.
      await new Promise<void>((resolve) => {
        busy.once('error', () => resolve());
        busy.listen(a + 1, '127.0.0.1', resolve);
      });
      // The scan goes up from the same place: past a (handed out) and a + 1 (busy), to the next usable port.
      expect(await freePort()).toBeGreaterThan(a + 1);
    } finally {
      random.mockRestore();
      if (busy.listening) await new Promise((r) => busy.close(r));
    }
  });
});
