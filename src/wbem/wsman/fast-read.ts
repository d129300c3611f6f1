import type { XmlAttribute, XmlElement, XmlNode } from '../../xml/index.js';
import { XML_NS, XMLNS_NS } from '../../xml/index.js';
import { readPlainXml, type XmlShapeLimits } from '../cimxml/fast-xml.js';
import { readSimpleSoap } from './soap-read.js';

type Scope = Map<string, string>;

/**
 * Resolves the namespaces of a tree read with qualified names as written (prefix:local in `local`), in place, as
 * Namespaces in XML 1.0 does: `xmlns` and `xmlns:p` declarations scope over the element and its descendants, the
 * `xml` prefix is predeclared, unprefixed attributes have no namespace. False (the caller then reads the document
 * with the hardened parser, which reports the error) for anything it does not resolve plainly: an undeclared
 * prefix, an empty or reserved prefix binding, two attributes with the same expanded name.
 */
function resolve(el: XmlElement, parent: Scope): boolean {
  let scope = parent;
  let attrs = el.attrs;
  if (attrs.length > 0) {
    // Declarations leave the attributes (a new array only when there is one).
    if (attrs.some(isDeclaration)) {
      attrs = [];
      for (const a of el.attrs) {
        if (!isDeclaration(a)) {
          attrs.push(a);
          continue;
        }
        const prefix = a.local === 'xmlns' ? '' : a.local.slice(6);
        const uri = a.value;
        // saxes trims a namespace name; such a rare declaration is left to the parser (one answer for both).
        if (uri !== uri.trim()) return false;
        if (prefix === 'xmlns' || uri === XMLNS_NS) return false;
        if ((prefix === 'xml') !== (uri === XML_NS)) return false;
        if (prefix !== '' && uri === '') return false;
        if (scope === parent) scope = new Map(parent);
        scope.set(prefix, uri);
        el.nsDecls.push([prefix, uri]);
      }
      el.attrs = attrs;
    }
  }
  const colon = el.local.indexOf(':');
  if (colon >= 0) {
    const prefix = el.local.slice(0, colon);
    const uri = prefix === 'xml' || prefix === 'xmlns' ? undefined : scope.get(prefix);
    if (uri === undefined) return false;
    el.prefix = prefix;
    el.ns = uri;
    el.local = el.local.slice(colon + 1);
  } else el.ns = scope.get('') ?? '';
  for (const a of attrs) {
    const c = a.local.indexOf(':');
    if (c < 0) continue;
    const prefix = a.local.slice(0, c);
    const uri = prefix === 'xml' ? XML_NS : scope.get(prefix);
    if (uri === undefined || uri === '') return false;
    a.prefix = prefix;
    a.ns = uri;
    a.local = a.local.slice(c + 1);
  }
  // Two attributes with the same expanded name (the reader refused the same qualified name twice already).
  if (attrs.length > 1) {
    const seen = new Set<string>();
    for (const a of attrs) {
      const key = `${a.ns}|${a.local}`;
      if (seen.has(key)) return false;
      seen.add(key);
    }
  }
  // Whitespace-only text is dropped, as the hardened reader does with keepWhitespace false.
  if (el.children.some(isBlank)) el.children = el.children.filter((c) => !isBlank(c));
  for (const c of el.children) if (c.type === 'element' && !resolve(c, scope)) return false;
  return true;
}

function isDeclaration(a: XmlAttribute): boolean {
  return a.local === 'xmlns' || a.local.startsWith('xmlns:');
}

function isBlank(n: XmlNode): boolean {
  return n.type === 'text' && n.value.trim() === '';
}

const ROOT_SCOPE: Scope = new Map([['xml', XML_NS]]);

/**
 * Reads a small, plain SOAP envelope fast: in one pass when it is as simple as clients' envelopes are
 * ({@link readSimpleSoap}), else the CIM-XML edge's linear reader with qualified names, then the namespaces
 * resolved here. Undefined whenever the input is not plain (a DOCTYPE, an entity, a processing
 * instruction, non-ASCII names, anything unusual about namespaces): the caller then uses the hardened parser,
 * which decides and reports. Over a shape limit it throws as that reader does (`CIMXML_TOO_LARGE`).
 *
 * @example
 * const root = readPlainEnvelope(text, limits) ?? (await parseXmlAsync(text, limits)).root;
 */
export function readPlainEnvelope(text: string, limits: XmlShapeLimits): XmlElement | undefined {
  return readSimpleSoap(text, limits) ?? readQualifiedEnvelope(text, limits);
}

/**
 * The general step of {@link readPlainEnvelope}: the plain reader with qualified names, then the namespaces
 * resolved; undefined when the input needs the hardened parser.
 *
 * @example
 * readQualifiedEnvelope('<s:Envelope xmlns:s="u"/>', limits)?.ns; // 'u'
 */
export function readQualifiedEnvelope(text: string, limits: XmlShapeLimits): XmlElement | undefined {
  const root = readPlainXml(text, limits, { qualifiedNames: true });
  if (!root || !resolve(root, ROOT_SCOPE)) return undefined;
  return root;
}
