import { SaxesParser, type SaxesTagNS } from 'saxes';
import { XmlError } from './errors.js';
import type { XmlElement, XmlNode } from './tree.js';

/** Limits of the hardened reader. */
export interface XmlParseOptions {
  /** File name used in error messages. */
  file?: string | undefined;
  /** Largest document accepted, in bytes (default 32 MiB). */
  maxBytes?: number;
  /** Deepest element nesting accepted (default 256). */
  maxDepth?: number;
  /** Keep whitespace-only text nodes (default true, for faithful round trips). */
  keepWhitespace?: boolean;
}

/** A parsed document: the root element plus what stood around it. */
export interface XmlDocument {
  root: XmlElement;
  /** Comments and processing instructions before the root element, kept for round trips. */
  prolog: XmlNode[];
  /** The encoding named in the XML declaration, if any. */
  encoding?: string | undefined;
}

/** Default largest document: 32 MiB. */
export const DEFAULT_MAX_XML_BYTES = 32 * 1024 * 1024;

/**
 * Parses XML into a namespace-aware tree, refusing anything a hostile file could use: a DOCTYPE (so no DTD,
 * no entity declarations, no external fetch), undefined entities, documents over `maxBytes`, nesting over
 * `maxDepth`. Errors are {@link XmlError}s with a 1-based line and column.
 *
 * @example
 * const { root } = parseXml('<a xmlns="urn:x"><b/></a>');
 * root.ns; // 'urn:x'
 */
export function parseXml(input: string | Uint8Array, options: XmlParseOptions = {}): XmlDocument {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  const maxDepth = options.maxDepth ?? 256;
  const keepWs = options.keepWhitespace ?? true;
  const file = options.file;
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  if (size > maxBytes) {
    throw new XmlError(
      'XML_TOO_LARGE',
      `XML document is ${size} bytes, over the limit of ${maxBytes} bytes`,
      {
        location: { file },
        hint: 'An OVF descriptor is normally a few kilobytes; check that this is the right file.',
      },
    );
  }
  let src = typeof input === 'string' ? input : decode(input, file);
  if (src.charCodeAt(0) === 0xfeff) src = src.slice(1);

  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlElement[] = [];
  const prolog: XmlNode[] = [];
  let root: XmlElement | undefined;
  let encoding: string | undefined;
  let startLine = 1;
  let startCol = 1;
  let failure: XmlError | undefined;

  const fail = (code: XmlError['code'], message: string, hint?: string): never => {
    throw new XmlError(code, message, {
      location: { file, line: parser.line, column: parser.column + 1 },
      hint,
    });
  };
  const append = (node: XmlNode): void => {
    const top = stack[stack.length - 1];
    if (top) top.children.push(node);
    else if (node.type !== 'text') prolog.push(node);
  };

  parser.on('xmldecl', (d) => {
    encoding = d.encoding;
  });
  parser.on('doctype', () =>
    fail(
      'XML_DOCTYPE',
      'The document has a DOCTYPE declaration; DTDs and entity declarations are refused',
      'OVF descriptors never need a DTD. Remove the <!DOCTYPE ...> declaration.',
    ),
  );
  parser.on('opentagstart', (tag) => {
    // saxes emits this once it has read the name and the character after it; step back to the '<'.
    startLine = parser.line;
    startCol = Math.max(1, parser.column - tag.name.length - 1);
  });
  parser.on('opentag', (tag) => {
    const t = tag as SaxesTagNS;
    if (stack.length >= maxDepth) fail('XML_TOO_DEEP', `Elements are nested deeper than ${maxDepth} levels`);
    const el: XmlElement = {
      type: 'element',
      ns: t.uri,
      local: t.local,
      prefix: t.prefix,
      attrs: [],
      nsDecls: Object.entries(t.ns ?? {}),
      children: [],
      line: startLine,
      column: startCol,
    };
    for (const a of Object.values(t.attributes)) {
      if (a.prefix === 'xmlns' || (a.prefix === '' && a.local === 'xmlns')) continue;
      el.attrs.push({ ns: a.uri, local: a.local, prefix: a.prefix, value: a.value });
    }
    if (stack.length === 0) {
      if (root) fail('XML_SYNTAX', 'More than one root element');
      root = el;
    } else append(el);
    stack.push(el);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.on('text', (value) => {
    if (stack.length === 0) return;
    if (!keepWs && value.trim() === '') return;
    const top = stack[stack.length - 1]!;
    const last = top.children[top.children.length - 1];
    if (last?.type === 'text') last.value += value;
    else top.children.push({ type: 'text', value });
  });
  parser.on('cdata', (value) => {
    const top = stack[stack.length - 1];
    if (top) top.children.push({ type: 'text', value });
  });
  parser.on('comment', (value) => append({ type: 'comment', value }));
  parser.on('processinginstruction', (pi) => append({ type: 'pi', target: pi.target, body: pi.body ?? '' }));
  parser.on('error', (err) => {
    if (!failure) failure = toXmlError(err, file, parser.line, parser.column + 1);
    throw failure;
  });

  try {
    parser.write(src).close();
  } catch (e) {
    if (e instanceof XmlError) throw e;
    throw failure ?? toXmlError(e, file, parser.line, parser.column + 1);
  }
  if (!root)
    throw new XmlError('XML_SYNTAX', 'The document has no root element', {
      location: { file, line: 1, column: 1 },
    });
  return { root, prolog, encoding };
}

/**
 * Decodes a document by its byte order mark or XML declaration (XML 1.0 §4.3.3, Appendix F): UTF-8 (default),
 * UTF-16 with a BOM, ISO-8859-1/Windows-1252 when declared. A document that declares UTF-16 but has no UTF-16
 * byte order mark is refused, as libxml2 does.
 */
function decode(bytes: Uint8Array, file: string | undefined): string {
  const at = { file, line: 1, column: 1 };
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return new TextDecoder(bytes[0] === 0xff ? 'utf-16le' : 'utf-16be').decode(bytes);
  }
  const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1');
  const declared = /^(?:\uFEFF|\xEF\xBB\xBF)?<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/
    .exec(head)?.[1]
    ?.toLowerCase();
  let label = 'utf-8';
  if (
    declared !== undefined &&
    declared !== 'utf-8' &&
    declared !== 'utf8' &&
    declared !== 'us-ascii' &&
    declared !== 'ascii'
  ) {
    if (declared.startsWith('utf-16') || declared.startsWith('ucs-2')) {
      throw new XmlError(
        'XML_SYNTAX',
        `The document is labelled ${declared} but has no UTF-16 byte order mark (its content is not UTF-16)`,
        { location: at },
      );
    }
    if (['iso-8859-1', 'latin1', 'latin-1', 'windows-1252', 'cp1252'].includes(declared))
      label = 'windows-1252';
    else
      throw new XmlError('XML_SYNTAX', `Unsupported document encoding "${declared}"`, {
        location: at,
        hint: 'Save the descriptor as UTF-8.',
      });
  }
  try {
    return new TextDecoder(label, { fatal: true }).decode(bytes);
  } catch (e) {
    throw new XmlError('XML_SYNTAX', 'The document is not valid UTF-8', {
      location: { file, line: 1, column: 1 },
      cause: e,
    });
  }
}

function toXmlError(e: unknown, file: string | undefined, line: number, column: number): XmlError {
  const raw = e instanceof Error ? e.message : String(e);
  // saxes prefixes messages with "file:line:col: "; keep only the reason.
  const reason = raw.replace(/^[^:]*:\d+:\d+: /, '');
  return new XmlError('XML_SYNTAX', `XML is not well formed: ${reason}`, {
    location: { file, line, column },
    cause: e,
  });
}
