import { describe, expect, it } from 'vitest';
import { KeyedLock } from './lock.js';

describe('KeyedLock', () => {
  it('runs calls for one key one at a time, in order, even when some fail', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    let inside = 0;
    const task = (i: number) =>
      lock.run('vm', async () => {
        inside++;
        expect(inside).toBe(1);
        log.push(`in ${i}`);
        await new Promise((r) => setTimeout(r, 1));
        inside--;
        if (i % 3 === 0) throw new Error(`fail ${i}`);
        return i;
      });
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => task(i)));
    expect(log).toEqual(Array.from({ length: 10 }, (_, i) => `in ${i}`));
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(4);
    expect(lock.busy('vm')).toBe(false);
  });

  it('lets different keys run at the same time', async () => {
    const lock = new KeyedLock();
    let concurrent = 0;
    let peak = 0;
    await Promise.all(
      ['a', 'b', 'c'].map((k) =>
        lock.run(k, async () => {
          peak = Math.max(peak, ++concurrent);
          await new Promise((r) => setTimeout(r, 5));
          concurrent--;
        }),
      ),
    );
    expect(peak).toBe(3);
  });
});
