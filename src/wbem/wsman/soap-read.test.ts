import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SHARED } from '../../../test/helpers/cli.js';
import { parseXml } from '../../xml/index.js';
import { readQualifiedEnvelope } from './fast-read.js';
import { readSimpleSoap } from './soap-read.js';

const WIDE = { maxDepth: 64, maxElements: 1e7, maxAttributes: 1e7, maxTextChars: 1 << 26 };

const CAPTURES = join(SHARED, 'cim', 'captures');
const captured = ['wsman-wsl', 'wsman-wsl-no-uuidgen', 'wsman-pywinrm'].flatMap((d) =>
  readdirSync(join(CAPTURES, d)).map((f) => {
    const raw = readFileSync(join(CAPTURES, d, f), 'utf8');
    return raw.slice(raw.indexOf('\r\n\r\n') + 4);
  }),
);
const OPENWSMAN = join(SHARED, 'cim', 'wsman', 'openwsman-requests');
const openwsman = readdirSync(OPENWSMAN).map((f) => readFileSync(join(OPENWSMAN, f), 'utf8'));
const bodies = [...captured, ...openwsman];

/** The general path's answer, or the error it throws (over a shape limit). */
function general(text: string, limits = WIDE): unknown {
  try {
    return readQualifiedEnvelope(text, limits);
  } catch (e) {
    return e;
  }
}

describe('readSimpleSoap(), the one-pass reader of simple envelopes', () => {
  it('reads the captured wsl and pywinrm requests, each into the very tree of the general path', () => {
    let simple = 0;
    for (const b of bodies) {
      const r = readSimpleSoap(b, WIDE);
      if (r === undefined) continue;
      simple++;
      expect(r).toEqual(general(b));
    }
    expect(simple).toBeGreaterThanOrEqual(captured.length);
  });

  it.each([
    ['a reference', '<E a="&amp;"/>'],
    ['a CR', '<E>\r\n</E>'],
    ['a comment', '<E><!-- c --></E>'],
    ['CDATA', '<E><![CDATA[x]]></E>'],
    ['a DOCTYPE', '<!DOCTYPE E><E/>'],
    ['a byte order mark', '\ufeff<E/>'],
    ['a processing instruction', '<E><?p x?></E>'],
    ['a control character', '<E>\u0001</E>'],
    ['an undeclared prefix', '<a:E/>'],
    ['an undeclared attribute prefix', '<E xmlns:a="u" b:x="1"/>'],
    ['an empty prefix binding', '<a:E xmlns:a=""/>'],
    ['a rebound xml prefix', '<E xmlns:xml="u"/>'],
    ['the xmlns namespace bound', '<E xmlns:a="http://www.w3.org/2000/xmlns/"/>'],
    ['two attributes with one expanded name', '<E xmlns:a="u" xmlns:b="u" a:x="1" b:x="2"/>'],
    ['one attribute twice', '<E x="1" x="2"/>'],
    ['two colons', '<a:b:c xmlns:a="u"/>'],
    ['a mismatched end tag', '<E></F>'],
    ['an unclosed element', '<E>'],
    ['two roots', '<E/><F/>'],
    ['text outside the root', 'x<E/>'],
    [']]> in text', '<E>]]></E>'],
  ])('leaves %s to the general path', (_what, text) => {
    expect(readSimpleSoap(text, WIDE)).toBeUndefined();
  });

  it('leaves a document over any shape limit to the general path, which refuses it as before', () => {
    // The longest capture: more than 3 elements, 2 levels, 1 attribute and 4 characters of text.
    const doc = captured.reduce((a, b) => (b.length > a.length ? b : a));
    for (const limits of [
      { ...WIDE, maxElements: 3 },
      { ...WIDE, maxDepth: 2 },
      { ...WIDE, maxAttributes: 1 },
      { ...WIDE, maxTextChars: 4 },
    ]) {
      expect(readSimpleSoap(doc, limits)).toBeUndefined();
      expect(general(doc, limits)).toBeInstanceOf(Error);
    }
  });

  it('counts an element that closes itself for the depth, as the general path does', () => {
    const doc = (levels: number) =>
      `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">${'<x>'.repeat(levels)}<y/>${'</x>'.repeat(levels)}</s:Envelope>`;
    // Envelope and two x: three levels open, y the fourth.
    const limits = { ...WIDE, maxDepth: 3 };
    expect(readSimpleSoap(doc(2), limits)).toBeUndefined();
    expect(general(doc(2), limits)).toBeInstanceOf(Error);
    expect(readSimpleSoap(doc(1), limits)).toEqual(general(doc(1), limits));
    expect(readSimpleSoap(doc(1), limits)).toBeDefined();
  });

  it('leaves a namespace name with white space around it to the hardened parser', () => {
    for (const b of captured) {
      const padded = b.replace(/(xmlns(?::\w+)?=")([^"]*)"/g, '$1 $2"');
      expect(readSimpleSoap(padded, WIDE)).toBeUndefined();
      expect(readQualifiedEnvelope(padded, WIDE)).toBeUndefined();
      const { root } = parseXml(padded, { maxDepth: 64 }); // the parser that reads it, trimming the names
      expect([root.ns, root.local]).toEqual(['http://www.w3.org/2003/05/soap-envelope', 'Envelope']);
    }
  });

  it('answers nothing but the general path`s tree on mutated envelopes, under wide and tight limits', () => {
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
      ' xmlns=""',
      ' xmlns:p="u"',
      ' xmlns:p=""',
      ' xmlns:xml="u"',
      ' xmlns:xml="http://www.w3.org/XML/1998/namespace"',
      ' p:a="1"',
      ' xml:lang="en"',
      ' s:a="1"',
      ' a="x\ty"',
      'p:',
      's:',
      'xmlns:',
      '<p:A/>',
      '<s:A>',
      '</s:A>',
      '<A>',
      '</A>',
      'é',
      '<?xml version="1.0"?>',
      '&amp;',
      '&',
      '\r',
      '<!-- c -->',
      '<![CDATA[x]]>',
      '\ufeff',
      '\u0001',
      '\ud800',
    ];
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...bodies),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(...tricky), fc.nat({ max: 3 })), {
          minLength: 1,
          maxLength: 5,
        }),
        fc.constantFrom(WIDE, { maxDepth: 6, maxElements: 40, maxAttributes: 6, maxTextChars: 120 }),
        (doc, edits, limits) => {
          let s = doc;
          for (const [pos, ins, del] of edits) {
            const at = pos % (s.length + 1);
            s = s.slice(0, at) + ins + s.slice(at + del);
          }
          const simple = readSimpleSoap(s, limits);
          if (simple === undefined) return true;
          accepted++;
          expect(simple).toEqual(general(s, limits));
          return true;
        },
      ),
      { numRuns: 6000, seed: 7 },
    );
    expect(accepted).toBeGreaterThan(300);
  });
});
