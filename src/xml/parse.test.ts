import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { XmlError } from './errors.js';
import { parseXml, parseXmlAsync } from './parse.js';
import { serializeXml } from './serialize.js';

function errorOf(fn: () => unknown): XmlError {
  try {
    fn();
  } catch (e) {
    if (e instanceof XmlError) return e;
    throw e;
  }
  throw new Error('expected an XmlError');
}

describe('parseXml()', () => {
  it('resolves namespaces by URI whatever the prefix', () => {
    const { root } = parseXml('<x:a xmlns:x="urn:one"><b xmlns="urn:two" x:k="v"/></x:a>');
    expect(root.ns).toBe('urn:one');
    const b = root.children[0];
    expect(b?.type === 'element' && b.ns).toBe('urn:two');
    expect(b?.type === 'element' && b.attrs[0]).toMatchObject({ ns: 'urn:one', local: 'k', value: 'v' });
  });

  it('records 1-based line and column of elements', () => {
    const { root } = parseXml('<a>\n  <b/>\n</a>');
    const b = root.children.find((c) => c.type === 'element');
    expect(b).toMatchObject({ line: 2, column: 3 });
  });

  it('refuses a DOCTYPE (billion laughs) without expanding anything', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>`;
    const e = errorOf(() => parseXml(bomb, { file: 'bomb.xml' }));
    expect(e.code).toBe('XML_DOCTYPE');
    expect(e.location).toMatchObject({ file: 'bomb.xml', line: 1 });
  });

  it('refuses an external entity (XXE)', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>';
    expect(errorOf(() => parseXml(xxe)).code).toBe('XML_DOCTYPE');
  });

  it('refuses an undefined entity reference with its position', () => {
    const e = errorOf(() => parseXml('<a>\n&nope;</a>'));
    expect(e.code).toBe('XML_SYNTAX');
    expect(e.location?.line).toBe(2);
  });

  it('refuses documents over the size cap before parsing', () => {
    expect(errorOf(() => parseXml(`<a>${'x'.repeat(2000)}</a>`, { maxBytes: 1000 })).code).toBe(
      'XML_TOO_LARGE',
    );
  });

  it('refuses nesting deeper than the limit', () => {
    const deep = '<a>'.repeat(300) + '</a>'.repeat(300);
    expect(errorOf(() => parseXml(deep)).code).toBe('XML_TOO_DEEP');
  });

  it('reports an unclosed element with the line where the input ends', () => {
    const e = errorOf(() => parseXml('<a>\n<b>\n</a>'));
    expect(e.code).toBe('XML_SYNTAX');
    expect(e.location?.line).toBeGreaterThanOrEqual(3);
  });

  it('refuses a document labelled UTF-16 that has no UTF-16 byte order mark', () => {
    const bytes = Buffer.from('<?xml version="1.0" encoding="utf-16"?><a/>');
    expect(errorOf(() => parseXml(bytes)).code).toBe('XML_SYNTAX');
  });

  it('reads UTF-16 with a byte order mark', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<a>é</a>', 'utf16le')]);
    expect(parseXml(bytes).root.children[0]).toEqual({ type: 'text', value: 'é' });
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(errorOf(() => parseXml(Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e]))).code).toBe(
      'XML_SYNTAX',
    );
  });

  it('serializes what it parsed to an equal tree', () => {
    const src = '<r xmlns="urn:d" xmlns:p="urn:p" p:a="1&amp;2"><p:c>t &lt; u</p:c><!--c--><d/></r>';
    const a = parseXml(src, { keepWhitespace: false }).root;
    const b = parseXml(serializeXml(a), { keepWhitespace: false }).root;
    const strip = (x: unknown) =>
      JSON.parse(JSON.stringify(x, (k, v) => (k === 'line' || k === 'column' ? undefined : v)));
    expect(strip(b)).toEqual(strip(a));
  });

  it('never throws anything but XmlError on arbitrary input (fuzz)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        try {
          parseXml(s);
        } catch (e) {
          expect(e).toBeInstanceOf(XmlError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['elements', `<a>${'<b/>'.repeat(11)}</a>`, { maxElements: 10 }, 'more than 10 elements'],
    [
      'attributes',
      `<a ${Array.from({ length: 11 }, (_, i) => `x${i}="1"`).join(' ')}/>`,
      { maxAttributes: 10 },
      'more than 10 attributes',
    ],
    [
      'namespace declarations',
      `<a ${Array.from({ length: 11 }, (_, i) => `xmlns:p${i}="urn:${i}"`).join(' ')}/>`,
      { maxAttributes: 10 },
      'more than 10 attributes',
    ],
    [
      'text, CDATA included',
      `<a>${'x'.repeat(6)}<![CDATA[${'y'.repeat(5)}]]></a>`,
      { maxTextChars: 10 },
      'longer than 10',
    ],
  ])('refuses more %s than the limit with XML_TOO_LARGE and where', async (_what, doc, limits, message) => {
    const e = errorOf(() => parseXml(doc, limits));
    expect(e.code).toBe('XML_TOO_LARGE');
    expect(e.message).toContain(message);
    expect(e.location?.line).toBe(1);
    await expect(parseXmlAsync(doc, limits)).rejects.toMatchObject({ code: 'XML_TOO_LARGE' });
  });

  it('stops reading 300,000 attributes at the limit rather than after reading them all', () => {
    const doc = `<a ${Array.from({ length: 300_000 }, (_, i) => `x${i}="1"`).join(' ')}/>`;
    const e = errorOf(() => parseXml(doc, { maxAttributes: 64 }));
    expect(e.location?.column).toBeLessThan(1000);
  });

  it('reads in slices to the same tree, or the same error, as in one go (fuzz)', async () => {
    const strip = (x: unknown) => JSON.parse(JSON.stringify(x));
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 300 }),
        fc.constantFrom('', '<r>', '<r a="1">t<![CDATA[c]]></r>'),
        async (s, prefix) => {
          const doc = `${prefix}${s}${prefix ? '</r>' : ''}`;
          let one: unknown;
          let sliced: unknown;
          try {
            one = strip(parseXml(doc));
          } catch (e) {
            one = (e as XmlError).message;
          }
          try {
            sliced = strip(await parseXmlAsync(doc, { sliceMs: 0 }));
          } catch (e) {
            sliced = (e as XmlError).message;
          }
          expect(sliced).toEqual(one);
        },
      ),
      { numRuns: 500, seed: 4 },
    );
    const big = `<r>${'<i a="1">x &amp; y</i>\n'.repeat(20_000)}</r>`;
    expect(strip(await parseXmlAsync(big, { sliceMs: 0 }))).toEqual(strip(parseXml(big)));
    // Characters outside the BMP across the 8 KiB write boundaries: a surrogate pair is never split.
    for (const pad of ['', 'a', 'ab'])
      expect(await parseXmlAsync(`<r>${pad}${'😀'.repeat(9000)}</r>`)).toMatchObject({
        root: { children: [{ type: 'text', value: `${pad}${'😀'.repeat(9000)}` }] },
      });
  });
});
