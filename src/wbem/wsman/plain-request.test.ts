import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ENUMERATE_BODY, GET_BODY } from '../../../bench/wsman-get.js';
import { SHARED } from '../../../test/helpers/cli.js';
import { readEnvelope, readEnvelopeTree } from './envelope.js';
import { readPlainRequest } from './plain-request.js';
import type { EnvelopeLimits } from './request.js';

const WIDE: EnvelopeLimits = {
  maxBytes: 1 << 20,
  maxDepth: 64,
  maxElements: 1e7,
  maxAttributes: 1e7,
  maxTextChars: 1 << 26,
};
const TIGHT: EnvelopeLimits = {
  maxBytes: 2000,
  maxDepth: 4,
  maxElements: 24,
  maxAttributes: 6,
  maxTextChars: 80,
};

const CAPTURES = join(SHARED, 'cim', 'captures');
const captured = ['wsman-wsl', 'wsman-wsl-no-uuidgen', 'wsman-pywinrm'].flatMap((d) =>
  readdirSync(join(CAPTURES, d)).map((f) => {
    const raw = readFileSync(join(CAPTURES, d, f), 'utf8');
    return raw.slice(raw.indexOf('\r\n\r\n') + 4);
  }),
);
const OPENWSMAN = join(SHARED, 'cim', 'wsman', 'openwsman-requests');
const openwsman = readdirSync(OPENWSMAN).map((f) => readFileSync(join(OPENWSMAN, f), 'utf8'));
/** Every request with its body emptied too: the seeds of a Get or a Delete. */
const emptied = [...captured, ...openwsman].map((b) =>
  b.replace(/<([A-Za-z_][\w.-]*:)?Body\b[^>]*>[\s\S]*<\/\1?Body>/, '<$1Body/>'),
);
const SOAP = 'http://www.w3.org/2003/05/soap-envelope';
const A = 'http://schemas.xmlsoap.org/ws/2004/08/addressing';
const W = 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd';
const HEAD = `<s:Envelope xmlns:s="${SOAP}" xmlns:a="${A}" xmlns:w="${W}">`;
const env = (header: string, body = '<s:Body/>') =>
  `${HEAD}<s:Header>${header}</s:Header>${body}</s:Envelope>`;
const OPTIONS = `<w:OptionSet s:mustUnderstand="true"><w:Option Name="a" MustComply="true">x </w:Option><w:Option>y</w:Option></w:OptionSet>`;
const handmade = [
  GET_BODY,
  env(OPTIONS),
  env(`<a:Action>http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete</a:Action>${OPTIONS}`),
  env('<a:To/><w:RequestTotalItemsCountEstimate/><w:Locale xml:lang="en-US" mustUnderstand="false"/>'),
  env('<e:Identifier xmlns:e="http://schemas.xmlsoap.org/ws/2004/08/eventing"> uuid:1 </e:Identifier>'),
  env(
    '<x:Other xmlns:x="u"><x:Deep a="1">t</x:Deep></x:Other><a:ReplyTo><a:Address s:mustUnderstand="1">z</a:Address></a:ReplyTo>',
  ),
  env('<w:FragmentTransfer s:mustUnderstand="true">x</w:FragmentTransfer>'),
  env('<w:FragmentTransfer>x</w:FragmentTransfer>'),
  env('<x:Other xmlns:x="u" mustUnderstand="true"/>'),
  env('<w:MaxEnvelopeSize>-1</w:MaxEnvelopeSize>'),
  env('<w:MaxEnvelopeSize>1e3</w:MaxEnvelopeSize>'),
  env('<w:OperationTimeout>P1Y</w:OperationTimeout>'),
  env('<w:OperationTimeout>PT0S</w:OperationTimeout>'),
  env(
    '<w:SelectorSet><w:Selector Name="a">1</w:Selector><w:Selector Name="A">2</w:Selector></w:SelectorSet>',
  ),
  env('<w:SelectorSet><w:Selector>1</w:Selector></w:SelectorSet>'),
  env('<w:SelectorSet><w:Selector Name="">1</w:Selector></w:SelectorSet>'),
  env(
    `<w:SelectorSet><w:Selector Name="r"><a:EndpointReference><a:Address>x</a:Address></a:EndpointReference></w:Selector></w:SelectorSet>`,
  ),
  env(
    `<w:SelectorSet>${Array.from({ length: 65 }, (_, k) => `<w:Selector Name="k${k}">v</w:Selector>`).join('')}</w:SelectorSet>`,
  ),
  env('<a:Action>x</a:Action><a:Action>y</a:Action>'),
  env('', '<s:Body><w:Thing/></s:Body>'),
  env('', '<s:Body> text </s:Body>'),
  env('', ''),
  `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope-wrong"><s:Body/></s:Envelope>`,
  `<Envelope xmlns="${SOAP}"><Header><a:To xmlns:a="${A}">t</a:To></Header><Body></Body></Envelope>`,
  `<!DOCTYPE s:Envelope [<!ELEMENT x ANY>]>${env('')}`,
  env('<a:MessageID>&amp;</a:MessageID>'),
  env('<a:MessageID>\r\n</a:MessageID>'),
  env('<a:MessageID>vm-é</a:MessageID>'),
  `${env('')}<s:Body/>`,
  env('<a:MessageID>1</a:MessageID'),
  `${'<x>'.repeat(100)}${'</x>'.repeat(100)}`,
];
const seeds = [...captured, ...openwsman, ...emptied, ...handmade];
/** The seeds the tree-less reader answers, drawn more often so that many mutations stay readable. */
const answeredSeeds = seeds.filter((s) => readPlainRequest(s, WIDE) !== undefined);
const seed = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...answeredSeeds) },
  { weight: 1, arbitrary: fc.constantFrom(...seeds) },
);

/** What the tree path makes of a request: the request, or the fault with its code and message. */
async function tree(body: Uint8Array | string, limits: EnvelopeLimits): Promise<unknown> {
  try {
    return await readEnvelopeTree(body, limits);
  } catch (e) {
    return { fault: e instanceof Error ? [e.constructor.name, (e as { code?: string }).code, e.message] : e };
  }
}

/** The same through readEnvelope, which tries the tree-less reader first. */
async function whole(body: Uint8Array | string, limits: EnvelopeLimits): Promise<unknown> {
  try {
    return await readEnvelope(body, limits);
  } catch (e) {
    return { fault: e instanceof Error ? [e.constructor.name, (e as { code?: string }).code, e.message] : e };
  }
}

/** Checks one input as text and as bytes; true when the tree-less reader answered. */
async function same(text: string, limits: EnvelopeLimits): Promise<boolean> {
  let answered = false;
  for (const body of [text, Buffer.from(text, 'utf8')]) {
    const expected = await tree(body, limits);
    const plain = readPlainRequest(body, limits);
    if (plain !== undefined) {
      answered = true;
      expect(plain).toStrictEqual(expected);
    }
    expect(await whole(body, limits)).toStrictEqual(expected);
  }
  return answered;
}

describe('readPlainRequest(), the tree-less reader of requests with an empty body', () => {
  it('reads the bench Get, the captured Gets and the emptied requests as the tree path does', async () => {
    expect(await same(GET_BODY, WIDE)).toBe(true);
    const r = readPlainRequest(Buffer.from(GET_BODY), WIDE);
    expect(r?.selectors.get('Name')).toBe('vm500');
    expect(r?.timeoutMs).toBe(60_000);
    let answered = 0;
    for (const b of [...captured, ...openwsman, ...emptied]) if (await same(b, WIDE)) answered++;
    // Every capture with an empty body (wsl's and pywinrm's Gets) and most emptied ones.
    expect(answered).toBeGreaterThanOrEqual(captured.length);
  });

  it('leaves a request with a body (Enumerate) to the tree path, which reads its body', async () => {
    expect(readPlainRequest(Buffer.from(ENUMERATE_BODY), WIDE)).toBeUndefined();
    expect((await readEnvelope(Buffer.from(ENUMERATE_BODY), WIDE)).body?.local).toBe('Enumerate');
    expect(await same(ENUMERATE_BODY, WIDE)).toBe(false);
  });

  it('answers the hand-made and hostile cases as the tree path does, or leaves them to it', async () => {
    let answered = 0;
    for (const b of handmade) for (const limits of [WIDE, TIGHT]) if (await same(b, limits)) answered++;
    expect(answered).toBeGreaterThan(6);
    expect(answeredSeeds.length).toBeGreaterThan(20);
    // What it must leave: the tree path faults or reads a body.
    for (const b of [handmade[6]!, handmade[9]!, handmade[13]!, handmade[16]!, handmade[19]!, handmade[24]!])
      expect(readPlainRequest(b, WIDE)).toBeUndefined();
  });

  it('leaves a namespace name with white space around it to the tree path, which reads the request alike', async () => {
    const padded = GET_BODY.replace(/(xmlns(?::\w+)?=")([^"]*)"/g, '$1$2 "');
    expect(padded).not.toBe(GET_BODY);
    expect(await same(padded, WIDE)).toBe(false);
    expect(readPlainRequest(Buffer.from(padded), WIDE)).toBeUndefined();
    expect((await readEnvelope(padded, WIDE)).selectors).toEqual(
      (await readEnvelope(GET_BODY, WIDE)).selectors,
    );
  });

  it('answers nothing but the tree path`s request on mutated characters, under wide and tight limits', async () => {
    const tricky = [
      '<',
      '>',
      '"',
      "'",
      '/',
      ':',
      ' ',
      '\t',
      '\n',
      'x',
      '=',
      ']]>',
      '\u00a0',
      ' xmlns="u"',
      ' xmlns:s="u"',
      ' xmlns:a=""',
      ' xmlns:xml="u"',
      ' a:b="1"',
      ' s:mustUnderstand="true"',
      ' mustUnderstand="1"',
      ' Name="n"',
      ' MustComply="1"',
      ' xml:lang="en"',
      's:',
      'a:',
      'w:',
      'xmlns:',
      '<w:Selector Name="z">q</w:Selector>',
      '<a:Action>y</a:Action>',
      '<s:Body/>',
      '<s:Header/>',
      '</s:Header>',
      '<x/>',
      'é',
      '&amp;',
      '\r',
      '<!-- c -->',
      '\ufeff',
      '\u0001',
      '\ud800',
      '-1',
      'PT',
    ];
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(
        seed,
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(...tricky), fc.nat({ max: 3 })), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.constantFrom(WIDE, TIGHT),
        async (doc, edits, limits) => {
          // The seed read first, as text and as bytes: its shape is then a template the mutation may match, and its
          // bytes the last request that a mutation of its MessageID repeats.
          readPlainRequest(doc, limits);
          readPlainRequest(Buffer.from(doc), limits);
          let s = doc;
          for (const [pos, ins, del] of edits) {
            const at = pos % (s.length + 1);
            s = s.slice(0, at) + ins + s.slice(at + del);
          }
          if (await same(s, limits)) answered++;
        },
      ),
      { numRuns: 5000, seed: 12, verbose: 0 },
    );
    expect(answered).toBeGreaterThan(250);
  });

  it('answers nothing but the tree path`s request on deleted, duplicated and reordered elements', async () => {
    // Element-level edits: a whole element (start to matching end, or self-closing) deleted, duplicated, moved.
    const ELEMENT = /<([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\b[^<>]*?(?:\/>|>[^<]*<\/\1>)/g;
    const prefixes = ['s', 'a', 'w', 'wsa', 'wsman', 'env', 'x', 'p', ''];
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(
        seed,
        fc.array(fc.tuple(fc.nat({ max: 5 }), fc.nat(), fc.nat(), fc.constantFrom(...prefixes)), {
          minLength: 1,
          maxLength: 3,
        }),
        async (doc, edits) => {
          readPlainRequest(doc, WIDE);
          let s = doc;
          for (const [op, x, y, p] of edits) {
            const els = [...s.matchAll(ELEMENT)];
            if (els.length === 0) break;
            const e = els[x % els.length]!;
            const at = e.index;
            const text = e[0];
            const cut = s.slice(0, at) + s.slice(at + text.length);
            if (op === 0) s = cut;
            else if (op === 1) s = s.slice(0, at) + text + s.slice(at);
            else if (op === 2) {
              const to = y % (cut.length + 1);
              const near = cut.indexOf('<', to);
              const where = near < 0 ? cut.length : near;
              s = cut.slice(0, where) + text + cut.slice(where);
            } else if (op === 3) {
              // Another prefix on this element's names.
              const old = /^<(?:([\w.-]+):)?/.exec(text)?.[1];
              const renamed = old === undefined ? text : text.split(`${old}:`).join(p === '' ? '' : `${p}:`);
              s = s.slice(0, at) + renamed + s.slice(at + text.length);
            } else if (op === 4) {
              // Another namespace for a declaration.
              const decls = [...s.matchAll(/xmlns(?::[\w.-]+)?="([^"]*)"/g)];
              if (decls.length === 0) continue;
              const d = decls[y % decls.length]!;
              const uris = [SOAP, A, W, 'u', ''];
              const uri = uris[x % uris.length]!;
              s = s.slice(0, d.index) + d[0].replace(/"[^"]*"/, `"${uri}"`) + s.slice(d.index + d[0].length);
            } else {
              // An attribute added to this element.
              const attrs = [
                ' mustUnderstand="true"',
                ' s:mustUnderstand="false"',
                ' Name="q"',
                ' x="1"',
                ' MustComply="0"',
              ];
              const end = at + (/^<[^\s/>]+/.exec(text)?.[0].length ?? 1);
              s = s.slice(0, end) + attrs[y % attrs.length] + s.slice(end);
            }
          }
          if (await same(s, WIDE)) answered++;
        },
      ),
      { numRuns: 3000, seed: 21 },
    );
    expect(answered).toBeGreaterThan(250);
  });

  it('reads a request of a known shape with other texts (the template path) as the tree path does', async () => {
    // Every text between a start tag and an end tag replaced: what a client changes from one request to the next.
    const text = fc
      .array(
        fc.constantFrom(
          'a',
          'Z',
          '0',
          ' ',
          '\t',
          '\n',
          '\r',
          '>',
          ']',
          ']]>',
          '&',
          '&amp;',
          'é',
          '\u0001',
          '\ufffe',
          '-',
          'P',
          'T',
          '5',
          'S',
          'x'.repeat(90),
        ),
        { maxLength: 6 },
      )
      .map((a) => a.join(''));
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...answeredSeeds),
        fc.array(fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: text }), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.constantFrom(WIDE, TIGHT),
        async (doc, texts, limits) => {
          readPlainRequest(doc, limits);
          readPlainRequest(Buffer.from(doc), limits);
          let k = 0;
          const s = doc.replace(/>([^<]*)<\//g, (m) => {
            const t = texts[k++];
            return t === undefined ? m : `>${t}</`;
          });
          if (await same(s, limits)) answered++;
        },
      ),
      { numRuns: 3000, seed: 5 },
    );
    expect(answered).toBeGreaterThan(500);
  });

  it('reads the last request`s bytes with another MessageID as the tree path does, whatever that text is', async () => {
    // A polling client's next request: the same bytes but for the MessageID's text (readRepeated).
    const withId = answeredSeeds.filter((d) => /<(\w+:)?MessageID>[^<]*<\/(\w+:)?MessageID>/.test(d));
    expect(withId.length).toBeGreaterThan(5);
    const piece = fc.constantFrom(
      'uuid:',
      '6a3f1c2e-0000-4000-8000-00000000000',
      '7',
      ' ',
      '\t',
      '\n',
      '\r',
      '<',
      '<x/>',
      '</a:MessageID><a:MessageID>',
      '>',
      ']]>',
      ']]',
      '&',
      '&amp;',
      'é',
      '\u0001',
      '\u007f',
      '\ufffe',
      '"',
      'x'.repeat(300),
    );
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...withId),
        fc.array(piece, { maxLength: 6 }).map((a) => a.join('')),
        fc.constantFrom(WIDE, TIGHT),
        async (doc, id, limits) => {
          readPlainRequest(Buffer.from(doc), limits);
          const s = doc.replace(
            /(<(?:\w+:)?MessageID>)[^<]*(<\/)/,
            (_m, open: string, close: string) => `${open}${id}${close}`,
          );
          if (await same(s, limits)) answered++;
        },
      ),
      { numRuns: 3000, seed: 21 },
    );
    expect(answered).toBeGreaterThan(500);
  });

  it('answers a repeated request as a request of its own: changing one answer changes no other', () => {
    // Read twice first: once in full (a template), once by the template (the bytes remembered).
    readPlainRequest(Buffer.from(GET_BODY), WIDE);
    readPlainRequest(Buffer.from(GET_BODY), WIDE);
    const first = readPlainRequest(Buffer.from(GET_BODY), WIDE)!;
    const second = readPlainRequest(Buffer.from(GET_BODY.replace('000000000001', '000000000002')), WIDE)!;
    expect(second.messageId).toBe('uuid:6a3f1c2e-0000-4000-8000-000000000002');
    second.selectors.set('Name', 'other');
    second.options.push({ name: 'o', value: 'v', mustComply: false });
    first.selectors.clear();
    const third = readPlainRequest(Buffer.from(GET_BODY.replace('000000000001', '000000000003')), WIDE)!;
    expect(third.selectors.get('Name')).toBe('vm500');
    expect(third.options).toEqual([]);
    expect(third.messageId).toBe('uuid:6a3f1c2e-0000-4000-8000-000000000003');
  });

  it('faults an empty element one level too deep alike from text and from bytes', async () => {
    // TIGHT allows 4 levels: Envelope, Header, a header, its child; an empty element under that is the fifth.
    const deep = (inner: string) =>
      GET_BODY.replace('</s:Header>', `<x:H xmlns:x="urn:x"><x:C>${inner}</x:C></x:H></s:Header>`);
    const limits = { ...TIGHT, maxBytes: 1 << 20, maxElements: 1000, maxTextChars: 1 << 20 };
    for (const [text, ok] of [
      [deep('<x:D/>'), false],
      [deep(''), true],
    ] as const) {
      const fromText = await tree(text, limits);
      expect(await tree(Buffer.from(text), limits)).toStrictEqual(fromText);
      expect(await whole(text, limits)).toStrictEqual(fromText);
      expect(await whole(Buffer.from(text), limits)).toStrictEqual(fromText);
      expect('fault' in (fromText as object)).toBe(!ok);
    }
  });
});
