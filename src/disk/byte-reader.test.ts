import { describe, expect, it } from 'vitest';
import { ByteReader } from './byte-reader.js';

async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.from(p);
}

describe('ByteReader', () => {
  it('reads exact lengths across chunk boundaries and tracks the position', async () => {
    const r = new ByteReader(chunks('ab', '', 'cdef', 'g', 'hijkl'));
    expect((await r.read(3)).toString()).toBe('abc');
    expect(r.position).toBe(3);
    expect(await r.skip(4)).toBe(4);
    expect((await r.read(2)).toString()).toBe('hi');
    expect((await r.read(10)).toString()).toBe('jkl');
    expect(r.position).toBe(12);
    expect(await r.atEnd()).toBe(true);
  });

  it('returns short reads and skips only at the end of the stream', async () => {
    const r = new ByteReader(chunks('12345'));
    expect(await r.skip(10)).toBe(5);
    expect((await r.read(1)).length).toBe(0);
  });

  it('lets the source clean up when closed early', async () => {
    let finished = false;
    async function* source() {
      try {
        yield Buffer.from('x');
        yield Buffer.from('y');
      } finally {
        finished = true;
      }
    }
    const r = new ByteReader(source());
    await r.read(1);
    await r.close();
    expect(finished).toBe(true);
  });
});
