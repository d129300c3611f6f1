import { describe, expect, it } from 'vitest';
import { formatDuration, formatProgressBar, ProgressTracker } from './progress.js';

describe('progress', () => {
  it('derives rate and ETA from events', () => {
    let now = 0;
    const t = new ProgressTracker(() => now);
    now = 2000;
    const s = t.update({ phase: 'encode', done: 100e6, total: 400e6 });
    expect(s.rate).toBe(50e6);
    expect(s.fraction).toBe(0.25);
    expect(s.etaSeconds).toBe(6);
  });

  it('draws a bar with percentage, bytes, rate and ETA that fits the terminal', () => {
    let now = 0;
    const t = new ProgressTracker(() => now);
    now = 4000;
    const line = formatProgressBar(t.update({ phase: 'x', done: 2 ** 30, total: 2 ** 31 }), 80);
    expect(line).toMatch(/^\[#+\.+\] {2}50% {2}1 GiB \/ 2 GiB {2}268\.4 MB\/s {2}ETA 0:04$/);
    expect(line.length).toBeLessThan(80);
    expect(formatProgressBar(t.update({ phase: 'x', done: 5, total: undefined }), 80)).toContain('5 B');
  });

  it('formats durations (sizes use the model formatBytes, tested there)', () => {
    expect(formatDuration(59)).toBe('0:59');
    expect(formatDuration(3725)).toBe('1:02:05');
  });
});
