import { Duplex } from 'node:stream';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  encodePacket,
  encodeXdr,
  LibvirtClient,
  type Packet,
  PacketFramer,
  RemoteDomainScreenshotRet,
} from '../../libvirt/index.js';
import { HypervisorError } from '../errors.js';
import { pngSize } from '../png.js';
import { DomainLookup } from './lookup.js';
import { ppmToPng } from './ppm.js';
import { screenshotPng } from './screenshot.js';

/** The 8-bit RGB pixels of a PNG encodePngRgb wrote (one IDAT, filter 0 on each row). */
function pixels(png: Uint8Array): Buffer {
  const b = Buffer.from(png);
  const { width, height } = pngSize(png)!;
  const idat = b.subarray(41, 41 + b.readUInt32BE(33));
  const raw = inflateSync(idat);
  const out = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    raw.copy(out, y * width * 3, y * (width * 3 + 1) + 1, (y + 1) * (width * 3 + 1));
  return out;
}

const ppm = (header: string, data: number[] | Buffer) =>
  Buffer.concat([Buffer.from(header, 'latin1'), Buffer.isBuffer(data) ? data : Buffer.from(data)]);

async function refusal(p: Promise<unknown> | (() => unknown)): Promise<HypervisorError> {
  const e = await (typeof p === 'function' ? Promise.resolve().then(p) : p).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(HypervisorError);
  return e as HypervisorError;
}

describe('ppmToPng()', () => {
  it('converts P6 with comments and 8-bit samples, pixel for pixel', () => {
    const rgb = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90];
    const png = ppmToPng(ppm('P6 # QEMU\n3 # w\n2\n255\n', rgb));
    expect(pngSize(png)).toEqual({ width: 3, height: 2 });
    expect([...pixels(png)]).toEqual(rgb);
  });

  it('scales 16-bit and small maxval samples to 8 bits', () => {
    const wide = Buffer.alloc(6);
    wide.writeUInt16BE(65_535, 0);
    wide.writeUInt16BE(32_768, 2);
    wide.writeUInt16BE(0, 4);
    expect([...pixels(ppmToPng(ppm('P6\n1 1\n65535\n', wide)))]).toEqual([255, 128, 0]);
    expect([...pixels(ppmToPng(ppm('P6\n1 1\n15\n', [15, 5, 0])))]).toEqual([255, 85, 0]);
  });

  it('refuses what is not a P6 of a screen, saying what is wrong', async () => {
    for (const [bytes, message] of [
      [ppm('P3\n1 1\n255\n', [0, 0, 0]), 'it does not start with "P6"'],
      [Buffer.from('P'), 'it does not start with "P6"'],
      [ppm('P6\n0 1\n255\n', []), 'width 0 is out of range (1..16384)'],
      [ppm('P6\n16385 1\n255\n', []), 'width 16385 is out of range (1..16384)'],
      [ppm('P6\n1 1\n65536\n', []), 'maxval 65536 is out of range (1..65535)'],
      [ppm('P6\n9999999999 1\n255\n', []), 'width at byte 3 has more than 6 digits'],
      [ppm('P6\n1\n', []), 'no height at byte 5'],
      [ppm('P6\n2 2\n255\n', [1, 2, 3]), '2x2 pixels need 12 bytes of data, it has 3'],
      [ppm('P6\n1 1\n255\n', [1, 2, 3, 4]), '1x1 pixels need 3 bytes of data, it has 4'],
      [ppm('P6\n1 1\n255', [1, 2, 3]), 'no whitespace after the maxval at byte 10'],
      [ppm('P6 # a comment to the end\n', []), 'no width at byte 26'],
    ] as const) {
      const e = await refusal(() => ppmToPng(bytes));
      expect([e.code, e.message], message).toEqual([
        'LIBVIRT_FAILED',
        `The screenshot is not a PPM image: ${message}`,
      ]);
    }
  });
});

/** A daemon the test scripts: answers DOMAIN_SCREENSHOT with `mime`, then streams `chunks` and an empty packet. */
function screenshotPeer(mime: string | undefined, chunks: Buffer[]) {
  const fromClient: Packet[] = [];
  const framer = new PacketFramer();
  const end: Duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _e, done) {
      for (const p of framer.push(chunk)) {
        fromClient.push(p);
        if (p.type === 0) {
          end.push(encodePacket({ ...p, type: 1, payload: encodeXdr(RemoteDomainScreenshotRet, { mime }) }));
          for (const c of [...chunks, Buffer.alloc(0)])
            end.push(encodePacket({ ...p, type: 3, status: 2, payload: c }));
        } else if (p.type === 3) {
          end.push(encodePacket({ ...p, type: 3, status: 0, payload: Buffer.alloc(0) })); // finish or abort answered
        }
      }
      done();
    },
  });
  const client = new LibvirtClient(end);
  return { look: new DomainLookup(() => client), fromClient, client };
}

const dom = { name: 'web1', uuid: Buffer.alloc(16), id: 1 };

describe('screenshotPng() against a scripted daemon', () => {
  it("converts QEMU's PPM stream (in several packets) to PNG and finishes the stream", async () => {
    const image = ppm('P6\n2 1\n255\n', [1, 2, 3, 4, 5, 6]);
    const peer = screenshotPeer('image/x-portable-pixmap', [image.subarray(0, 5), image.subarray(5)]);
    const png = await screenshotPng(peer.look, dom);
    expect([...pixels(png)]).toEqual([1, 2, 3, 4, 5, 6]);
    // The call, then the client's finish (a stream packet of status ok).
    expect(peer.fromClient.map((p) => `${p.type}/${p.status}`)).toEqual(['0/0', '3/0']);
    expect(peer.client.closed).toBeUndefined();
  });

  it('cuts off a stream past the bound with an abort, and the connection stays usable', async () => {
    const peer = screenshotPeer('image/x-portable-pixmap', [
      Buffer.alloc(400),
      Buffer.alloc(400),
      Buffer.alloc(400),
    ]);
    const e = await refusal(screenshotPng(peer.look, dom, 1000));
    expect(e.message).toBe(
      'Cannot take a screenshot of "web1": libvirtd sent more than 1000 bytes; the stream was aborted',
    );
    expect(peer.fromClient.map((p) => `${p.type}/${p.status}`)).toEqual(['0/0', '3/1']); // virStreamAbort
    expect(peer.client.closed).toBeUndefined();
  });

  it('refuses another MIME type, no type, and an image/png that is not one', async () => {
    const html = await refusal(screenshotPng(screenshotPeer('text/html', [Buffer.from('<p>')]).look, dom));
    expect(html.message).toBe(
      'Cannot take a screenshot of "web1": libvirtd sent an image of type "text/html", not PPM or PNG',
    );
    const none = await refusal(screenshotPng(screenshotPeer(undefined, [Buffer.from('x')]).look, dom));
    expect(none.message).toMatch(/an image of type "", not PPM or PNG/);
    const fake = await refusal(
      screenshotPng(screenshotPeer('image/png', [Buffer.from('not a png')]).look, dom),
    );
    expect(fake.message).toBe(
      'Cannot take a screenshot of "web1": libvirtd\'s image/png is not a PNG of a screen',
    );
  });
});
