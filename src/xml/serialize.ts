import { XML_NS, type XmlElement, type XmlNode } from './tree.js';

/** How {@link serializeXml} writes. */
export interface XmlSerializeOptions {
  /** Re-indent element-only content with this string (default two spaces); `false` keeps whitespace as parsed. */
  indent?: string | false;
  /** Write the `<?xml version="1.0" encoding="UTF-8"?>` declaration (default true). */
  declaration?: boolean;
  /** Nodes to write before the root element (comments, processing instructions). */
  prolog?: XmlNode[];
}

/**
 * Writes a tree back to XML text. Namespace declarations are written where the tree has them; any namespace an
 * element or attribute uses that is not in scope is declared on the spot with the node's preferred prefix, so
 * the output is always namespace-well-formed whatever edits were made to the tree.
 *
 * @example
 * serializeXml(parseXml('<a xmlns="urn:x"/>').root); // '<?xml version="1.0" encoding="UTF-8"?>\n<a xmlns="urn:x"/>\n'
 */
export function serializeXml(root: XmlElement, options: XmlSerializeOptions = {}): string {
  const indent = options.indent === undefined ? '  ' : options.indent;
  const out: string[] = [];
  if (options.declaration ?? true) out.push('<?xml version="1.0" encoding="UTF-8"?>\n');
  for (const n of options.prolog ?? []) {
    if (n.type === 'comment') out.push(`<!--${n.value}-->\n`);
    else if (n.type === 'pi') out.push(`<?${n.target}${n.body ? ` ${n.body}` : ''}?>\n`);
  }
  const scope = new Map<string, string>([['xml', XML_NS]]);
  writeElement(root, scope, indent, 0, out);
  out.push('\n');
  return out.join('');
}

function writeElement(
  el: XmlElement,
  parentScope: Map<string, string>,
  indent: string | false,
  depth: number,
  out: string[],
): void {
  const scope = new Map(parentScope);
  const decls: Array<[string, string]> = [];
  const declare = (prefix: string, uri: string): void => {
    scope.set(prefix, uri);
    const i = decls.findIndex(([p]) => p === prefix);
    if (i >= 0) decls[i] = [prefix, uri];
    else decls.push([prefix, uri]);
  };
  for (const [p, u] of el.nsDecls) declare(p, u);

  const elPrefix = resolveElementPrefix(el, scope, declare);
  const attrParts: string[] = [];
  for (const a of el.attrs) {
    let name = a.local;
    if (a.ns !== '') name = `${resolveAttrPrefix(a.ns, a.prefix, scope, declare)}:${a.local}`;
    attrParts.push(` ${name}="${escapeAttr(a.value)}"`);
  }
  const qname = elPrefix ? `${elPrefix}:${el.local}` : el.local;
  const declText = decls.map(([p, u]) => ` ${p ? `xmlns:${p}` : 'xmlns'}="${escapeAttr(u)}"`).join('');
  out.push(`<${qname}${declText}${attrParts.join('')}`);

  const pretty = indent !== false && el.children.every((c) => c.type !== 'text' || c.value.trim() === '');
  const children = pretty ? el.children.filter((c) => c.type !== 'text') : el.children;
  if (children.length === 0) {
    out.push('/>');
    return;
  }
  out.push('>');
  for (const c of children) {
    if (pretty) out.push(`\n${(indent as string).repeat(depth + 1)}`);
    writeNode(c, scope, indent, depth + 1, out);
  }
  if (pretty) out.push(`\n${(indent as string).repeat(depth)}`);
  out.push(`</${qname}>`);
}

function writeNode(
  n: XmlNode,
  scope: Map<string, string>,
  indent: string | false,
  depth: number,
  out: string[],
): void {
  switch (n.type) {
    case 'element':
      writeElement(n, scope, indent, depth, out);
      break;
    case 'text':
      out.push(escapeText(n.value));
      break;
    case 'comment':
      out.push(`<!--${n.value.replace(/--/g, '- -')}-->`);
      break;
    case 'pi':
      out.push(`<?${n.target}${n.body ? ` ${n.body}` : ''}?>`);
      break;
  }
}

function resolveElementPrefix(
  el: XmlElement,
  scope: Map<string, string>,
  declare: (p: string, u: string) => void,
): string {
  if (el.ns === '') {
    if ((scope.get('') ?? '') !== '') declare('', '');
    return '';
  }
  if (scope.get(el.prefix) === el.ns) return el.prefix;
  for (const [p, u] of scope) if (u === el.ns) return p;
  const prefix = el.prefix === 'xmlns' ? freshPrefix(scope) : el.prefix;
  declare(prefix, el.ns);
  return prefix;
}

function resolveAttrPrefix(
  ns: string,
  preferred: string,
  scope: Map<string, string>,
  declare: (p: string, u: string) => void,
): string {
  if (ns === XML_NS) return 'xml';
  if (preferred && scope.get(preferred) === ns) return preferred;
  for (const [p, u] of scope) if (p !== '' && u === ns) return p;
  const prefix = preferred && preferred !== 'xmlns' && !scope.has(preferred) ? preferred : freshPrefix(scope);
  declare(prefix, ns);
  return prefix;
}

function freshPrefix(scope: Map<string, string>): string {
  for (let i = 0; ; i++) if (!scope.has(`ns${i}`)) return `ns${i}`;
}

/** Escapes text content for XML. */
export function escapeText(s: string): string {
  return s.replace(/[&<>\r]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;',
  );
}

/** Escapes an attribute value for a double-quoted attribute. */
export function escapeAttr(s: string): string {
  return s.replace(/[&<>"\n\r\t]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case '\n':
        return '&#10;';
      case '\r':
        return '&#13;';
      default:
        return '&#9;';
    }
  });
}
