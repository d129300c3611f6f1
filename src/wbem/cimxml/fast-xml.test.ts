import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SHARED } from '../../../test/helpers/cli.js';
import { parseXml, type XmlElement, type XmlNode } from '../../xml/index.js';
import { CimXmlError } from './errors.js';
import { MORE, PlainXmlReader, readPlainXml, type XmlShapeLimits } from './fast-xml.js';

/** Limits wide enough for every example document. */
const WIDE: XmlShapeLimits = { maxDepth: 64, maxElements: 1e7, maxAttributes: 1e7, maxTextChars: 1 << 26 };

/** The tree without what only the hardened parser records (positions, prefixes, declarations, comments). */
function shape(el: XmlElement): unknown {
  const children: unknown[] = [];
  for (const c of el.children as XmlNode[]) {
    if (c.type === 'element') children.push(shape(c));
    else if (c.type === 'text') {
      const last = children[children.length - 1];
      if (typeof last === 'string') children[children.length - 1] = last + c.value;
      else children.push(c.value);
    }
  }
  return { name: el.local, ns: el.ns, attrs: el.attrs.map((a) => [a.local, a.value]), children };
}

function hardened(text: string): unknown | 'refused' {
  try {
    return shape(parseXml(text, { maxDepth: 64 }).root);
  } catch {
    return 'refused';
  }
}

const WIRE = join(SHARED, 'cim', 'wire', 'cimxml-examples');
const bodies = readdirSync(WIRE).flatMap((f) => {
  const t = readFileSync(join(WIRE, f), 'utf8');
  return [...t.matchAll(/(<\?xml[\s\S]*?<\/CIM>)/g)].map((m) => m[1]!);
});

describe('readPlainXml(), the fast path of the CIM-XML reader', () => {
  it('reads every pywbem example document exactly as the hardened parser does', () => {
    expect(bodies.length).toBeGreaterThan(800);
    let fast = 0;
    for (const b of bodies) {
      const r = readPlainXml(b, WIDE);
      if (r === undefined) continue;
      fast++;
      expect(shape(r)).toEqual(hardened(b));
    }
    expect(fast / bodies.length).toBeGreaterThan(0.95);
  });

  it.each([
    ['a DOCTYPE', '<!DOCTYPE CIM [<!ENTITY x "y">]><CIM/>'],
    ['an undefined entity', '<CIM>&x;</CIM>'],
    ['a bare ampersand', '<CIM a="&"/>'],
    ['a processing instruction', '<CIM><?php x?></CIM>'],
    ['a namespace prefix', '<a:CIM xmlns:a="u"/>'],
    ['mismatched tags', '<CIM><A></B></CIM>'],
    ['two roots', '<CIM/><CIM/>'],
    ['text outside the root', '<CIM/>x'],
    ['a control character', '<CIM>\u0001</CIM>'],
    ['a bad character reference', '<CIM>&#0;</CIM>'],
    ['"]]>" in text', '<CIM>]]></CIM>'],
    ['"--" in a comment', '<CIM><!-- a -- b --></CIM>'],
    ['a duplicate attribute', '<CIM a="1" a="2"/>'],
    ['"<" in an attribute', '<CIM a="<"/>'],
    ['a non-ASCII name', '<CIMé/>'],
  ])('leaves %s to the hardened parser', (_what, text) => {
    expect(readPlainXml(text, WIDE)).toBeUndefined();
  });

  it('never accepts what the hardened parser refuses, and agrees with it on what both accept (mutated documents)', () => {
    const seed = bodies.filter((b) => b.length < 3000).slice(0, 60);
    let accepted = 0;
    const tricky = [
      '<',
      '>',
      '&',
      '"',
      "'",
      '/',
      '!',
      '?',
      ']',
      ';',
      '#',
      'x',
      ':',
      ' ',
      '\n',
      '\r',
      '\t',
      '\u0001',
      'é',
      '&amp;',
      '&#x41;',
      '&#1;',
      '<![CDATA[',
      ']]>',
      '<!--',
      '-->',
      '=',
      'A',
      '\u00a0',
      '&#xD800;',
      '\uffff',
      '&#13;',
      '<A>',
      '</A>',
      '<A/>',
      '"/>',
      "'>",
      '<?xml version="1.0"?>',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...seed),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(...tricky), fc.nat({ max: 3 })), {
          minLength: 1,
          maxLength: 6,
        }),
        (doc, edits) => {
          let s = doc;
          for (const [pos, ins, del] of edits) {
            const at = pos % (s.length + 1);
            s = s.slice(0, at) + ins + s.slice(at + del);
          }
          const fast = readPlainXml(s, WIDE);
          if (fast === undefined) return true;
          accepted++;
          const slow = hardened(s);
          expect(slow).not.toBe('refused');
          expect(shape(fast)).toEqual(slow);
          return true;
        },
      ),
      { numRuns: 3000, seed: 5 },
    );
    expect(accepted).toBeGreaterThan(150);
  });

  it.each([
    [
      'nesting deeper than the limit',
      `${'<A>'.repeat(70)}${'</A>'.repeat(70)}`,
      'nested deeper than 64 levels',
    ],
    // An element that closes itself counts for the depth as saxes counts it.
    [
      'an empty element one level deeper than the limit',
      `${'<A>'.repeat(64)}<B/>${'</A>'.repeat(64)}`,
      'nested deeper than 64 levels',
    ],
    ['more elements than the limit', `<CIM>${'<V/>'.repeat(1001)}</CIM>`, 'more than 1000 elements'],
    ['more attributes than the limit', `<CIM ${attributes(101)}/>`, '<CIM> has more than 100 attributes'],
    [
      'more text than the limit',
      `<CIM>${'x'.repeat(600)}<![CDATA[${'y'.repeat(500)}]]></CIM>`,
      'longer than 1000',
    ],
  ])('refuses %s with CIMXML_TOO_LARGE and where', (_what, text, message) => {
    const limits = { maxDepth: 64, maxElements: 1000, maxAttributes: 100, maxTextChars: 1000 };
    const e = errorOf(() => readPlainXml(text, limits));
    expect(e.code).toBe('CIMXML_TOO_LARGE');
    expect(e.message).toContain(message);
    expect(e.location?.line).toBe(1);
  });

  it('reads 300,000 attributes (3 MB) and finds a duplicate at the end, in one linear pass', () => {
    const many = `<CIM ${attributes(300_000)}/>`;
    expect(many.length).toBeGreaterThan(3_000_000);
    expect(readPlainXml(many, WIDE)?.attrs).toHaveLength(300_000);
    expect(readPlainXml(`<CIM ${attributes(300_000)} a7="again"/>`, WIDE)).toBeUndefined();
    // With the default request limits the same document is refused at the 65th attribute.
    const limits = { ...WIDE, maxAttributes: 64 };
    expect(errorOf(() => readPlainXml(many, limits)).message).toContain('(line 1, column 4');
  });

  it('agrees with the hardened parser on duplicate attributes whatever their number and place', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.option(fc.nat()), (n, dup) => {
        const extra = dup === null ? '' : ` a${dup % n}="d"`;
        const text = `<CIM ${attributes(n)}${extra}/>`;
        const fast = readPlainXml(text, WIDE);
        const slow = hardened(text);
        if (dup === null) expect(shape(fast!)).toEqual(slow);
        else {
          expect(fast).toBeUndefined();
          expect(slow).toBe('refused');
        }
      }),
      { numRuns: 300, seed: 9 },
    );
  });

  it('reads in slices that stop at the deadline and resume where they stopped', () => {
    const doc = `<CIM>${'<V A="1">x&amp;y</V>\r\n'.repeat(5_000)}</CIM>`;
    const reader = new PlainXmlReader(doc, WIDE);
    let slices = 1;
    let r = reader.run(0);
    while (r === MORE) {
      slices++;
      r = reader.run(0);
    }
    expect(slices).toBeGreaterThan(10);
    expect(r && shape(r)).toEqual(shape(readPlainXml(doc, WIDE)!));
    expect(r && shape(r)).toEqual(hardened(doc));
  });

  it('reads an empty element at the deepest level allowed, as saxes does', () => {
    const text = `${'<A>'.repeat(63)}<B/>${'</A>'.repeat(63)}`;
    expect(shape(readPlainXml(text, WIDE)!)).toEqual(hardened(text));
    expect(hardened(`${'<A>'.repeat(64)}<B/>${'</A>'.repeat(64)}`)).toBe('refused');
  });
});

function attributes(n: number): string {
  return Array.from({ length: n }, (_, i) => `a${i}=""`).join(' ');
}

function errorOf(fn: () => unknown): CimXmlError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CimXmlError) return e;
    throw e;
  }
  throw new Error('expected a CimXmlError');
}
