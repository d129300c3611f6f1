import { describe, expect, it } from 'vitest';
import { LibvirtError } from './errors.js';
import { LibvirtStream, type StreamSink } from './stream.js';

/** A sink that takes everything and records what the stream asked of it. */
function sink(): StreamSink & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    send: () => true,
    drained: async () => undefined,
    finish: () => void calls.push('finish'),
    abort: async () => void calls.push('abort'),
  };
}

/** Lets pending ticks run, so that an 'error' event nobody listens to would surface as an uncaught exception. */
const ticks = () => new Promise((r) => setImmediate(r));

describe('LibvirtStream.failed()', () => {
  it('with nobody listening (the open call has not answered yet), rejects done and raises no error event', async () => {
    const uncaught: unknown[] = [];
    const catcher = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', catcher);
    try {
      const s = new LibvirtStream(sink());
      s.failed(new LibvirtError('CLOSED', 'The libvirt connection failed: read ECONNRESET'));
      await expect(s.done).rejects.toThrow(/ECONNRESET/);
      await ticks();
      expect(s.destroyed).toBe(true);
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', catcher);
    }
  });

  it('with a listener, tells it and rejects done with the same error, and does not abort a failed stream', async () => {
    const k = sink();
    const s = new LibvirtStream(k);
    const seen: Error[] = [];
    s.on('error', (e) => seen.push(e));
    const why = new LibvirtError('CLOSED', 'The libvirt connection closed');
    s.failed(why);
    await expect(s.done).rejects.toBe(why);
    await ticks();
    expect(seen).toEqual([why]);
    expect(k.calls).toEqual([]);
  });
});
