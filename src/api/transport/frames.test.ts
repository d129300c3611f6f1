import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { dataFrame, type Frame, FrameReader, jsonFrame } from './frames.js';

/** Splits `bytes` at the given offsets. */
function cut(bytes: Buffer, at: number[]): Buffer[] {
  const points = [...new Set(at.map((a) => a % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  return out;
}

const frameArb = fc.oneof(
  fc.record({ kind: fc.constant('json' as const), value: fc.jsonValue() }),
  fc.record({
    kind: fc.constant('data' as const),
    id: fc.integer({ min: 1, max: 0xffff_ffff }),
    bytes: fc.uint8Array({ maxLength: 300 }),
  }),
);

describe('FrameReader', () => {
  it('reads the same frames however the bytes are cut into chunks', () => {
    fc.assert(
      fc.property(
        fc.array(frameArb, { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (frames, at) => {
          const wire = Buffer.concat(
            frames.map((f) => (f.kind === 'json' ? jsonFrame(f.value) : dataFrame(f.id, f.bytes))),
          );
          const reader = new FrameReader(1 << 20, 'The peer');
          const got: Frame[] = cut(wire, at).flatMap((c) => reader.push(c));
          expect(reader.partial).toBe(false);
          expect(got).toHaveLength(frames.length);
          got.forEach((g, i) => {
            const f = frames[i]!;
            if (f.kind === 'json') expect(g).toEqual({ kind: 'json', text: JSON.stringify(f.value) });
            else expect(g).toEqual({ kind: 'data', id: f.id, bytes: Buffer.from(f.bytes) });
          });
        },
      ),
    );
  });

  it('refuses a frame longer than allowed from its header alone, before its body arrives', () => {
    const reader = new FrameReader(1000, 'The client');
    const head = Buffer.from([0, 0, 3, 0xe9]);
    expect(() => reader.push(head)).toThrow(
      expect.objectContaining({
        code: 'PROTOCOL',
        message:
          'The client sent a frame of 1001 bytes, more than the 1000 accepted (is it a Vessel API peer?)',
      }),
    );
  });

  it('says a frame is partial from its first byte until its last', () => {
    const reader = new FrameReader(1000, 'The client');
    const frame = jsonFrame({ t: 'x' });
    expect(reader.push(frame.subarray(0, 1))).toEqual([]);
    expect(reader.partial).toBe(true);
    expect(reader.push(frame.subarray(1, frame.length - 1))).toEqual([]);
    expect(reader.partial).toBe(true);
    expect(reader.push(frame.subarray(frame.length - 1))).toHaveLength(1);
    expect(reader.partial).toBe(false);
  });

  it('joins a large frame arriving in many small chunks once, not on every chunk', () => {
    const frame = dataFrame(1, new Uint8Array(8 << 20));
    const reader = new FrameReader(16 << 20, 'The client');
    const concat = vi.spyOn(Buffer, 'concat');
    let frames = 0;
    for (let at = 0; at < frame.length; at += 1024)
      frames += reader.push(frame.subarray(at, at + 1024)).length;
    const joins = concat.mock.calls.length;
    concat.mockRestore();
    expect(frames).toBe(1);
    expect(joins).toBeLessThanOrEqual(2); // 8,193 chunks: joining on every one would copy ~32 GB
  });

  it('writes bigints (in results of unknown schema) as decimal strings', () => {
    const frame = jsonFrame({ size: 1n << 64n });
    expect(frame.subarray(5).toString()).toBe('{"size":"18446744073709551616"}');
  });
});
