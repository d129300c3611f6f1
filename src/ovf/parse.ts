import { parseXml, XML_NS, type XmlElement, XmlError, XSI_NS } from '../xml/index.js';
import { OvfError, type OvfErrorCode } from './errors.js';
import { generationOf } from './namespaces.js';
import { parseSection, sectionKindOf } from './parse-sections.js';
import { ElementReader } from './reader.js';
import type { OvfContent, OvfEnvelope, OvfFile, OvfSection } from './types.js';

/** Options of {@link parseOvf}. */
export interface ParseOvfOptions {
  /** File name for error messages. */
  file?: string | undefined;
  /** Largest descriptor accepted, in bytes (default 32 MiB). */
  maxBytes?: number;
}

/**
 * Parses an OVF descriptor (1.x, 2.x, or VMware's 0.9 draft) into the {@link OvfEnvelope} model. Namespaces are
 * matched by URI. The reader is hardened (no DTD, no entities, a size cap). Throws {@link OvfError} with a line and
 * column when the XML is not well formed or the root is not an OVF Envelope; everything else (missing references,
 * bad units, ...) is left to `validateOvf`, so that real-world files with problems can still be read and fixed.
 *
 * @example
 * const env = parseOvf(readFileSync('appliance.ovf'), { file: 'appliance.ovf' });
 * env.references.map((f) => f.href);
 */
export function parseOvf(input: string | Uint8Array, options: ParseOvfOptions = {}): OvfEnvelope {
  const file = options.file;
  let root: XmlElement;
  try {
    root = parseXml(input, {
      file,
      keepWhitespace: false,
      ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
    }).root;
  } catch (e) {
    if (e instanceof XmlError) {
      const code: OvfErrorCode =
        e.code === 'XML_DOCTYPE'
          ? 'OVF_XML_DOCTYPE'
          : e.code === 'XML_TOO_LARGE'
            ? 'OVF_XML_TOO_LARGE'
            : 'OVF_XML_SYNTAX';
      throw new OvfError(code, e.message, { location: e.location, hint: e.hint, cause: e });
    }
    throw e;
  }
  const generation = generationOf(root.ns);
  const at = { file, line: root.line, column: root.column };
  if (root.local !== 'Envelope') {
    throw new OvfError('OVF_NOT_OVF', `The root element is <${root.local}>, not an OVF <Envelope>`, {
      location: at,
    });
  }
  if (generation === undefined) {
    throw new OvfError(
      'OVF_UNSUPPORTED_VERSION',
      `The Envelope namespace "${root.ns}" is not an OVF version Vessel reads (0.9, 1.x, 2.x)`,
      { location: at, hint: 'OVF 1.x uses http://schemas.dmtf.org/ovf/envelope/1 and 2.x .../envelope/2.' },
    );
  }
  const ns = root.ns;
  if (generation === '0.9') qualify09(root);
  const r = new ElementReader(root, ns);
  const env: OvfEnvelope = {
    generation,
    version: r.attr('version'),
    namespace: ns,
    lang: r.nsAttr(XML_NS, 'lang'),
    references: [],
    sections: [],
    content: undefined,
    strings: [],
    nsDecls: root.nsDecls.map(([p, u]) => [p, u]),
    attrs: [],
    extra: [],
    line: root.line,
    column: root.column,
  };
  const after: XmlElement[] = [];
  for (const c of root.children) {
    if (c.type !== 'element') continue;
    r.use(c);
    const kind = sectionKindOf(c, ns);
    if (kind === 'References') {
      const rr = new ElementReader(c, ns);
      env.references.push(...rr.children('File').map((f) => parseFile(f, ns)));
      const ext = rr.rest();
      if (ext.attrs.length > 0 || ext.extra.length > 0) env.referencesExt = ext;
    } else if (kind === 'VirtualSystem' || kind === 'VirtualSystemCollection') {
      if (env.content === undefined) env.content = parseContent(c, ns, kind);
      else after.push(c);
    } else if (kind === 'Strings') {
      env.strings.push(c);
    } else if (env.content === undefined) {
      env.sections.push(parseSection(c, ns));
    } else {
      after.push(c);
    }
  }
  const rest = r.rest();
  env.attrs = rest.attrs.filter((a) => !(a.ns === XSI_NS && a.local === 'type'));
  env.extra = after;
  return env;
}

/**
 * VMware's 0.9 schema declared its local elements unqualified (`<References>`, `<Section>`, `<Info>` in no
 * namespace under an `ovf:Envelope`), so in a 0.9 descriptor an element without a namespace, reached through OVF
 * elements only, is an OVF element. Vendor and CIM subtrees are left alone. Elements the draft spelled otherwise
 * than DSP0243 1.0 are read by their 1.0 names.
 */
const DRAFT09_NAMES: ReadonlyMap<string, string> = new Map([['Full-version', 'FullVersion']]);

function qualify09(root: XmlElement): void {
  const stack: XmlElement[] = [root];
  for (let el = stack.pop(); el !== undefined; el = stack.pop()) {
    for (const c of el.children) {
      if (c.type !== 'element') continue;
      if (c.ns === '') {
        c.ns = root.ns;
        c.prefix = root.prefix;
      }
      if (c.ns === root.ns) {
        c.local = DRAFT09_NAMES.get(c.local) ?? c.local;
        stack.push(c);
      }
    }
  }
}

function parseFile(el: XmlElement, ns: string): OvfFile {
  const r = new ElementReader(el, ns);
  return {
    id: r.attr('id') ?? '',
    href: r.attr('href') ?? '',
    size: r.attr('size'),
    compression: r.attr('compression'),
    chunkSize: r.attr('chunkSize'),
    ...r.rest(),
  };
}

function parseContent(
  el: XmlElement,
  ns: string,
  kind: 'VirtualSystem' | 'VirtualSystemCollection',
): OvfContent {
  const r = new ElementReader(el, ns);
  r.nsAttr(XSI_NS, 'type');
  const content: OvfContent = {
    kind,
    id: r.attr('id') ?? '',
    info: r.msg('Info'),
    name: r.msg('Name'),
    sections: [],
    children: [],
    attrs: [],
    extra: [],
  };
  const sections: OvfSection[] = [];
  for (const c of r.unusedChildren()) {
    const k = sectionKindOf(c, ns);
    if (kind === 'VirtualSystemCollection' && (k === 'VirtualSystem' || k === 'VirtualSystemCollection')) {
      r.use(c);
      content.children.push(parseContent(c, ns, k));
    } else {
      // Known, vendor and future sections alike; a vendor element that is not a section (vbox:Machine) is kept
      // in place as an unknown section.
      r.use(c);
      sections.push(parseSection(c, ns));
    }
  }
  content.sections = sections;
  const rest = r.rest();
  content.attrs = rest.attrs;
  content.line = rest.line;
  content.column = rest.column;
  return content;
}
