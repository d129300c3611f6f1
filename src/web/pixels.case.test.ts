import type { Locator } from 'playwright-core';

// Pixels of the graphical console: the noVNC canvas and the host's PNG screendump of the same display, both read
// in the page (the browser decodes the PNG), and how far apart they are.

/** An RGBA image: width, height and 4 bytes a pixel. */
export interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * How two images of one size differ, per channel (R, G, B, on 0..255): `meanAbs` is the mean absolute difference
 * of `a` and `b`; `spread` is `b`'s mean absolute deviation from its own mean colour, the difference a uniform
 * image of the right average colour would have. A copy of `b` that shows its content has `meanAbs` far under
 * `spread`; a blank or unrelated one does not.
 *
 * @example
 * const d = compareRgba(canvas, shot); // { meanAbs: [0.4, 0.4, 0.5], spread: [21, 21, 21], colours: 2 }
 */
export function compareRgba(a: Rgba, b: Rgba): { meanAbs: number[]; spread: number[]; colours: number } {
  if (a.width !== b.width || a.height !== b.height)
    throw new Error(`sizes differ: ${a.width}x${a.height} and ${b.width}x${b.height}`);
  const n = a.width * a.height;
  const diff = [0, 0, 0];
  const sum = [0, 0, 0];
  const colours = new Set<number>();
  for (let i = 0; i < n; i++)
    for (let c = 0; c < 3; c++) {
      diff[c]! += Math.abs(a.data[i * 4 + c]! - b.data[i * 4 + c]!);
      sum[c]! += b.data[i * 4 + c]!;
    }
  for (let i = 0; i < n && colours.size < 64; i += 7)
    colours.add((a.data[i * 4]! << 16) | (a.data[i * 4 + 1]! << 8) | a.data[i * 4 + 2]!);
  const mean = sum.map((s) => s / n);
  const spread = [0, 0, 0];
  for (let i = 0; i < n; i++)
    for (let c = 0; c < 3; c++) spread[c]! += Math.abs(b.data[i * 4 + c]! - mean[c]!);
  return { meanAbs: diff.map((d) => d / n), spread: spread.map((s) => s / n), colours: colours.size };
}

/**
 * Reads, in the page, the pixels of the noVNC canvas and then of the host's screenshot of the same system
 * (`GET /api/v1/systems/NAME/console/screenshot` with the page's session, decoded by the browser).
 */
export async function canvasAndScreenshot(
  canvas: Locator,
  system: string,
): Promise<{ canvas: Rgba; shot: Rgba }> {
  const r = await canvas.evaluate(async (el, name) => {
    interface Ctx2d {
      drawImage(i: unknown, x: number, y: number): void;
      getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
    }
    const g = globalThis as unknown as {
      fetch(u: string, o: object): Promise<{ ok: boolean; status: number; blob(): Promise<unknown> }>;
      createImageBitmap(b: unknown, o: object): Promise<{ width: number; height: number }>;
      OffscreenCanvas: new (w: number, h: number) => { getContext(k: '2d'): Ctx2d };
      btoa(s: string): string;
    };
    const b64 = (d: Uint8ClampedArray) => {
      let s = '';
      for (let i = 0; i < d.length; i += 0x8000) s += String.fromCharCode(...d.subarray(i, i + 0x8000));
      return g.btoa(s);
    };
    const c = el as unknown as { width: number; height: number; getContext(k: '2d'): Ctx2d };
    const a = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const res = await g.fetch(`/api/v1/systems/${encodeURIComponent(name)}/console/screenshot`, {
      credentials: 'same-origin',
    });
    if (!res.ok) throw new Error(`screenshot: HTTP ${res.status}`);
    const bmp = await g.createImageBitmap(await res.blob(), {
      colorSpaceConversion: 'none',
      premultiplyAlpha: 'none',
    });
    const o = new g.OffscreenCanvas(bmp.width, bmp.height).getContext('2d');
    o.drawImage(bmp, 0, 0);
    const b = o.getImageData(0, 0, bmp.width, bmp.height).data;
    return {
      canvas: { width: c.width, height: c.height, data: b64(a) },
      shot: { width: bmp.width, height: bmp.height, data: b64(b) },
    };
  }, system);
  const img = (x: { width: number; height: number; data: string }): Rgba => ({
    width: x.width,
    height: x.height,
    data: new Uint8Array(Buffer.from(x.data, 'base64')),
  });
  return { canvas: img(r.canvas), shot: img(r.shot) };
}
