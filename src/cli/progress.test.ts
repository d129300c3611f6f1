import { describe, expect, it } from 'vitest';
import { Progress } from './progress.js';

/** A stream that keeps what is written to it, as a terminal or a pipe. */
function sink(tty: boolean): NodeJS.WriteStream & { text: string } {
  const s = {
    text: '',
    isTTY: tty,
    columns: 100,
    write(chunk: string) {
      s.text += chunk;
      return true;
    },
  };
  return s as unknown as NodeJS.WriteStream & { text: string };
}

describe('Progress', () => {
  it('writes a line per report when not on a terminal, never 100% before finish, then the summary', () => {
    const stream = sink(false);
    const p = new Progress('pack web.ova', { stream, intervalMs: 0 });
    for (const done of [0, 512, 1024]) p.update({ phase: 'pack', done, total: 1024 });
    p.finish('web.ova: packed 3 members');
    const lines = stream.text.trimEnd().split('\n');
    expect(lines[0]).toBe('pack web.ova: 0%  0 B / 1 KiB  pack');
    expect(lines[1]).toMatch(/^pack web\.ova: 50% {2}512 B \/ 1 KiB/);
    expect(lines[2]).toMatch(/^pack web\.ova: 99% {2}1 KiB \/ 1 KiB/);
    expect(lines.at(-1)).toBe('web.ova: packed 3 members');
    expect(stream.text).not.toContain('100%');
    expect(stream.text).not.toContain('\r');
  });

  it('waits its interval between lines, but says when the phase changes', () => {
    const stream = sink(false);
    const p = new Progress('deploy a.ova', { stream, intervalMs: 60_000 });
    p.update({ percent: 10, phase: 'verify' });
    p.update({ percent: 20, phase: 'verify' });
    p.update({ percent: 30, phase: 'convert' });
    expect(stream.text).toBe('deploy a.ova: 10%  verify\ndeploy a.ova: 30%  convert\n');
  });

  it('redraws one bar in place on a terminal and clears it on failure, so that the error is the last line', () => {
    const stream = sink(true);
    const p = new Progress('convert d.raw', { stream });
    p.update({ done: 0, total: 100 });
    p.update({ done: 50, total: 100 });
    const draws = stream.text.split('\r').filter((d) => d !== '');
    expect(draws[0]).toMatch(/^convert d\.raw \[\.+\] 0%/);
    expect(draws[0]!.endsWith('\x1b[K')).toBe(true);
    expect(draws[1]).toMatch(/^convert d\.raw \[#+\.+\] 50%/);
    expect(stream.text).not.toContain('\n');
    p.fail();
    expect(stream.text.endsWith('\r\x1b[K')).toBe(true);
  });

  it('shows nothing when quiet (--json), not even the summary', () => {
    const stream = sink(true);
    const p = new Progress('verify x.ova', { stream, quiet: true });
    p.update({ done: 1, total: 2 });
    p.finish('x.ova: intact');
    expect(stream.text).toBe('');
  });
});
