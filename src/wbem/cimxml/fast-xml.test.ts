import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SHARED } from '../../../test/helpers/cli.js';
import { parseXml, type XmlElement, type XmlNode } from '../../xml/index.js';
import { readPlainXml } from './fast-xml.js';

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
      const r = readPlainXml(b, 64);
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
    ['nesting deeper than the limit', `${'<A>'.repeat(70)}${'</A>'.repeat(70)}`],
  ])('leaves %s to the hardened parser', (_what, text) => {
    expect(readPlainXml(text, 64)).toBeUndefined();
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
          const fast = readPlainXml(s, 64);
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
});
