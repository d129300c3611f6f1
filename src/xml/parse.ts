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
  /** Most elements accepted (default: no limit). */
  maxElements?: number;
  /** Most attributes on one element, namespace declarations included (default: no limit). */
  maxAttributes?: number;
  /** Longest text run of one element, in UTF-16 code units (default: no limit). */
  maxTextChars?: number;
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
 * `maxDepth`, and, when set, more elements, attributes or text than the limits allow. Errors are {@link XmlError}s
 * with a 1-based line and column.
 *
 * @example
 * const { root } = parseXml('<a xmlns="urn:x"><b/></a>');
 * root.ns; // 'urn:x'
 */
export function parseXml(input: string | Uint8Array, options: XmlParseOptions = {}): XmlDocument {
  const b = new TreeBuilder(options);
  b.write(b.text(input));
  return b.finish();
}

/**
 * {@link parseXml} in slices: the text is fed to the parser a few kilobytes at a time and the event loop is given
 * back whenever a slice has run for `sliceMs` (default 4 ms), so that a large document never blocks other work for
 * longer than that.
 *
 * @example
 * const { root } = await parseXmlAsync(body, { maxBytes: 4 << 20, maxElements: 20_000 });
 */
export async function parseXmlAsync(
  input: string | Uint8Array,
  options: XmlParseOptions & { sliceMs?: number } = {},
): Promise<XmlDocument> {
  const b = new TreeBuilder(options);
  const src = b.text(input);
  const sliceMs = options.sliceMs ?? 4;
  let deadline = performance.now() + sliceMs;
  for (let i = 0; i < src.length; ) {
    let end = Math.min(src.length, i + WRITE_CHARS);
    // Never split a surrogate pair between two writes.
    if (end < src.length && (src.charCodeAt(end - 1) & 0xfc00) === 0xd800) end++;
    b.write(src.slice(i, end), false);
    i = end;
    if (performance.now() > deadline) {
      await yieldToLoop();
      deadline = performance.now() + sliceMs;
    }
  }
  return b.finish();
}

/** Characters written to saxes at a time by {@link parseXmlAsync}. */
const WRITE_CHARS = 8 * 1024;

/** The tree built from saxes events, with the limits checked as the events come. */
class TreeBuilder {
  private readonly parser = new SaxesParser({ xmlns: true, position: true });
  private readonly stack: XmlElement[] = [];
  private readonly prolog: XmlNode[] = [];
  private root: XmlElement | undefined;
  private encoding: string | undefined;
  private startLine = 1;
  private startCol = 1;
  private failure: XmlError | undefined;
  private elements = 0;
  private attributes = 0;
  private closed = false;
  private readonly file: string | undefined;
  private readonly maxDepth: number;
  private readonly maxElements: number;
  private readonly maxAttributes: number;
  private readonly maxText: number;

  constructor(private readonly options: XmlParseOptions) {
    this.file = options.file;
    this.maxDepth = options.maxDepth ?? 256;
    this.maxElements = options.maxElements ?? Number.POSITIVE_INFINITY;
    this.maxAttributes = options.maxAttributes ?? Number.POSITIVE_INFINITY;
    this.maxText = options.maxTextChars ?? Number.POSITIVE_INFINITY;
    this.listen(options.keepWhitespace ?? true);
  }

  /** Checks the size and decodes the input. */
  text(input: string | Uint8Array): string {
    const maxBytes = this.options.maxBytes ?? DEFAULT_MAX_XML_BYTES;
    const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
    if (size > maxBytes) {
      throw new XmlError(
        'XML_TOO_LARGE',
        `XML document is ${size} bytes, over the limit of ${maxBytes} bytes`,
        {
          location: { file: this.file },
          hint: 'An OVF descriptor is normally a few kilobytes; check that this is the right file.',
        },
      );
    }
    const src = typeof input === 'string' ? input : decode(input, this.file);
    return src.charCodeAt(0) === 0xfeff ? src.slice(1) : src;
  }

  /** Feeds text to the parser, and closes it unless more is to come. */
  write(chunk: string, last = true): void {
    try {
      this.parser.write(chunk);
      if (last) {
        this.closed = true;
        this.parser.close();
      }
    } catch (e) {
      if (e instanceof XmlError) throw e;
      throw this.failure ?? toXmlError(e, this.file, this.parser.line, this.parser.column + 1);
    }
  }

  /** Closes the parser (when the last write did not) and returns the document. */
  finish(): XmlDocument {
    if (!this.closed) this.write('', true);
    if (!this.root)
      throw new XmlError('XML_SYNTAX', 'The document has no root element', {
        location: { file: this.file, line: 1, column: 1 },
      });
    return { root: this.root, prolog: this.prolog, encoding: this.encoding };
  }

  private fail(code: XmlError['code'], message: string, hint?: string): never {
    throw new XmlError(code, message, {
      location: { file: this.file, line: this.parser.line, column: this.parser.column + 1 },
      hint,
    });
  }

  private append(node: XmlNode): void {
    const top = this.stack[this.stack.length - 1];
    if (top) top.children.push(node);
    else if (node.type !== 'text') this.prolog.push(node);
  }

  private appendText(value: string): void {
    const top = this.stack[this.stack.length - 1]!;
    const last = top.children[top.children.length - 1];
    if (last?.type === 'text') last.value += value;
    else top.children.push({ type: 'text', value });
    const length = last?.type === 'text' ? last.value.length : value.length;
    if (length > this.maxText)
      this.fail('XML_TOO_LARGE', `The text of <${top.local}> is longer than ${this.maxText} characters`);
  }

  private listen(keepWs: boolean): void {
    const parser = this.parser;
    parser.on('xmldecl', (d) => {
      this.encoding = d.encoding;
    });
    parser.on('doctype', () =>
      this.fail(
        'XML_DOCTYPE',
        'The document has a DOCTYPE declaration; DTDs and entity declarations are refused',
        'OVF descriptors never need a DTD. Remove the <!DOCTYPE ...> declaration.',
      ),
    );
    parser.on('opentagstart', (tag) => {
      // saxes emits this once it has read the name and the character after it; step back to the '<'.
      this.startLine = parser.line;
      this.startCol = Math.max(1, parser.column - tag.name.length - 1);
      this.attributes = 0;
      if (++this.elements > this.maxElements)
        this.fail('XML_TOO_LARGE', `The document has more than ${this.maxElements} elements`);
    });
    parser.on('attribute', () => {
      if (++this.attributes > this.maxAttributes)
        this.fail('XML_TOO_LARGE', `An element has more than ${this.maxAttributes} attributes`);
    });
    parser.on('opentag', (tag) => {
      const t = tag as SaxesTagNS;
      if (this.stack.length >= this.maxDepth)
        this.fail('XML_TOO_DEEP', `Elements are nested deeper than ${this.maxDepth} levels`);
      const el: XmlElement = {
        type: 'element',
        ns: t.uri,
        local: t.local,
        prefix: t.prefix,
        attrs: [],
        nsDecls: Object.entries(t.ns ?? {}),
        children: [],
        line: this.startLine,
        column: this.startCol,
      };
      for (const a of Object.values(t.attributes)) {
        if (a.prefix === 'xmlns' || (a.prefix === '' && a.local === 'xmlns')) continue;
        el.attrs.push({ ns: a.uri, local: a.local, prefix: a.prefix, value: a.value });
      }
      if (this.stack.length === 0) {
        if (this.root) this.fail('XML_SYNTAX', 'More than one root element');
        this.root = el;
      } else this.append(el);
      this.stack.push(el);
    });
    parser.on('closetag', () => {
      this.stack.pop();
    });
    parser.on('text', (value) => {
      if (this.stack.length === 0) return;
      if (!keepWs && value.trim() === '') return;
      this.appendText(value);
    });
    parser.on('cdata', (value) => {
      if (this.stack.length > 0) this.appendText(value);
    });
    parser.on('comment', (value) => this.append({ type: 'comment', value }));
    parser.on('processinginstruction', (pi) =>
      this.append({ type: 'pi', target: pi.target, body: pi.body ?? '' }),
    );
    parser.on('error', (err) => {
      if (!this.failure) this.failure = toXmlError(err, this.file, parser.line, parser.column + 1);
      throw this.failure;
    });
  }
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

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
