import { type CimValue, PROPERTIES } from '../model/index.js';
import {
  element,
  serializeXml,
  setAttr,
  text,
  XML_NS,
  type XmlAttribute,
  type XmlElement,
  type XmlNode,
} from '../xml/index.js';
import {
  CIM_COMMON_NS,
  EPASD_NS,
  envelopeNamespace,
  OVF09_NS,
  RASD_NS,
  SASD_NS,
  settingsClassOf,
  VSSD_NS,
} from './namespaces.js';
import type {
  Extensible,
  OvfContent,
  OvfEnvelope,
  OvfFile,
  OvfItem,
  OvfMsg,
  OvfProductSection,
  OvfProperty,
  OvfSection,
  OvfSystem,
  RepeatedValues,
} from './types.js';

/** Options of {@link formatOvf}. */
export interface FormatOvfOptions {
  /** Indentation (default two spaces). */
  indent?: string;
}

/**
 * Writes an {@link OvfEnvelope} as an OVF descriptor. Modelled content is written in the DMTF schema's order
 * (DSP8023; RASD/VSSD properties in the CIM XSDs' alphabetical order); unknown attributes, elements and sections
 * are written back where they were. A 0.9 envelope is written as OVF 1.0 (Vessel reads 0.9, it never writes it).
 *
 * @example
 * writeFileSync('out.ovf', formatOvf(parseOvf(readFileSync('in.ovf'))));
 */
export function formatOvf(env: OvfEnvelope, options: FormatOvfOptions = {}): string {
  return serializeXml(envelopeToXml(env), { indent: options.indent ?? '  ' });
}

/** Builds the XML tree of an envelope (used by {@link formatOvf} and by editors that want the tree). */
export function envelopeToXml(env: OvfEnvelope): XmlElement {
  const from09 = env.generation === '0.9';
  const ns = from09 ? envelopeNamespace('1') : env.namespace;
  const w = new Writer(ns, env, from09);
  const root = w.el('Envelope');
  root.nsDecls = env.nsDecls.map(([p, u]) => [p, from09 && u === OVF09_NS ? ns : u]);
  w.declareStandard(root);
  w.attr(root, 'version', from09 ? '1.0' : env.version);
  if (env.lang !== undefined) root.attrs.push({ ns: XML_NS, local: 'lang', prefix: 'xml', value: env.lang });
  w.ext(root, { attrs: env.attrs, extra: [] });
  const refs = w.el('References');
  for (const f of env.references) refs.children.push(w.file(f));
  if (env.referencesExt) w.ext(refs, env.referencesExt);
  root.children.push(refs);
  for (const s of env.sections) root.children.push(w.section(s));
  if (env.content) root.children.push(w.content(env.content));
  for (const s of env.strings) root.children.push(w.foreign(s));
  for (const e of env.extra) root.children.push(w.foreign(e));
  return root;
}

class Writer {
  private readonly sasdNs: string;
  private readonly epasdNs: string;

  constructor(
    readonly ns: string,
    readonly env: OvfEnvelope,
    readonly from09: boolean,
  ) {
    const declared = env.nsDecls.map(([, u]) => u);
    this.sasdNs = declared.find((u) => settingsClassOf(u) === 'sasd') ?? SASD_NS;
    this.epasdNs = declared.find((u) => settingsClassOf(u) === 'epasd') ?? EPASD_NS;
  }

  /** Declares ovf, rasd, vssd (and sasd/epasd when used) on the root so that children need no declarations. */
  declareStandard(root: XmlElement): void {
    const has = (uri: string, needPrefix: boolean) =>
      root.nsDecls.some(([p, u]) => u === uri && (!needPrefix || p !== ''));
    const add = (prefix: string, uri: string) => {
      if (has(uri, true)) return;
      let p = prefix;
      for (let i = 1; root.nsDecls.some(([q]) => q === p); i++) p = `${prefix}${i}`;
      root.nsDecls.push([p, uri]);
    };
    add('ovf', this.ns);
    add('rasd', RASD_NS);
    add('vssd', VSSD_NS);
    const items = allItems(this.env);
    if (items.some((i) => i.element === 'StorageItem')) add('sasd', this.sasdNs);
    if (items.some((i) => i.element === 'EthernetPortItem')) add('epasd', this.epasdNs);
    const ovfPrefix = root.nsDecls.find(([p, u]) => u === this.ns && p === '') ? '' : 'ovf';
    root.prefix = ovfPrefix;
  }

  el(local: string, children: XmlNode[] = []): XmlElement {
    const e = element(this.ns, local, 'ovf', children);
    return e;
  }

  attr(el: XmlElement, local: string, value: string | undefined): void {
    if (value !== undefined) setAttr(el, this.ns, local, value, 'ovf');
  }

  msg(local: string, m: OvfMsg | undefined): XmlElement[] {
    if (m === undefined) return [];
    const e = this.el(local, m.text === '' ? [] : [text(m.text)]);
    this.attr(e, 'msgid', m.msgid);
    return [e];
  }

  ext(el: XmlElement, x: Pick<Extensible, 'attrs' | 'extra'>): void {
    for (const a of x.attrs) el.attrs.push(this.foreignAttr(a));
    for (const e of x.extra) el.children.push(this.foreign(e));
  }

  /** A copy of an element the model does not name; 0.9 namespaces become 1.x when a 0.9 file is written. */
  foreign(e: XmlElement): XmlElement {
    const c = structuredClone(e);
    if (this.from09) renameNs(c, OVF09_NS, this.ns);
    return c;
  }

  foreignAttr(a: XmlAttribute): XmlAttribute {
    return this.from09 && a.ns === OVF09_NS ? { ...a, ns: this.ns } : { ...a };
  }

  file(f: OvfFile): XmlElement {
    const e = this.el('File');
    this.attr(e, 'id', f.id);
    this.attr(e, 'href', f.href);
    this.attr(e, 'size', f.size);
    this.attr(e, 'compression', f.compression);
    this.attr(e, 'chunkSize', f.chunkSize);
    this.ext(e, f);
    return e;
  }

  content(c: OvfContent): XmlElement {
    const e = this.el(c.kind);
    this.attr(e, 'id', c.id);
    this.ext(e, { attrs: c.attrs, extra: [] });
    e.children.push(...this.msg('Info', c.info), ...this.msg('Name', c.name));
    for (const s of c.sections) e.children.push(this.section(s));
    for (const k of c.children) e.children.push(this.content(k));
    for (const x of c.extra) e.children.push(this.foreign(x));
    return e;
  }

  section(s: OvfSection): XmlElement {
    if (s.kind === 'Unknown') return this.foreign(s.element);
    const e = this.el(s.kind);
    const body: XmlNode[] = [...this.msg('Info', s.info)];
    switch (s.kind) {
      case 'DiskSection':
        for (const d of s.disks) {
          const de = this.el('Disk');
          this.attr(de, 'diskId', d.diskId);
          this.attr(de, 'capacity', d.capacity);
          this.attr(de, 'capacityAllocationUnits', d.capacityAllocationUnits);
          this.attr(de, 'fileRef', d.fileRef);
          this.attr(de, 'format', d.format);
          this.attr(de, 'populatedSize', d.populatedSize);
          this.attr(de, 'parentRef', d.parentRef);
          this.ext(de, d);
          body.push(de);
        }
        break;
      case 'NetworkSection':
        for (const n of s.networks) {
          const ne = this.el('Network', this.msg('Description', n.description));
          this.attr(ne, 'name', n.name);
          this.ext(ne, n);
          body.push(ne);
        }
        break;
      case 'DeploymentOptionSection':
        for (const c of s.configurations) {
          const ce = this.el('Configuration', [
            ...this.msg('Label', c.label),
            ...this.msg('Description', c.description),
          ]);
          this.attr(ce, 'id', c.id);
          this.attr(ce, 'default', c.default);
          this.ext(ce, c);
          body.push(ce);
        }
        break;
      case 'VirtualHardwareSection':
        this.attr(e, 'id', s.id);
        this.attr(e, 'transport', s.transport);
        if (s.system) body.push(this.system(s.system));
        for (const i of s.items) body.push(this.item(i));
        break;
      case 'ResourceAllocationSection':
        for (const i of s.items) body.push(this.item(i));
        break;
      case 'ProductSection':
        body.push(...this.product(e, s));
        break;
      case 'OperatingSystemSection':
        this.attr(e, 'id', s.id);
        this.attr(e, 'version', s.version);
        body.push(...this.msg('Description', s.description));
        break;
      case 'EulaSection':
        body.push(...this.msg('License', s.license));
        break;
      case 'AnnotationSection':
        body.push(...this.msg('Annotation', s.annotation));
        break;
      case 'StartupSection':
        for (const i of s.items) {
          const ie = this.el('Item');
          this.attr(ie, 'id', i.id);
          this.attr(ie, 'order', i.order);
          this.attr(ie, 'startDelay', i.startDelay);
          this.attr(ie, 'waitingForGuest', i.waitingForGuest);
          this.attr(ie, 'stopDelay', i.stopDelay);
          this.attr(ie, 'startAction', i.startAction);
          this.attr(ie, 'stopAction', i.stopAction);
          this.ext(ie, i);
          body.push(ie);
        }
        break;
      case 'InstallSection':
        this.attr(e, 'initialBootStopDelay', s.initialBootStopDelay);
        break;
    }
    this.attr(e, 'required', s.required);
    e.children = body;
    this.ext(e, s);
    return e;
  }

  product(e: XmlElement, s: OvfProductSection): XmlNode[] {
    this.attr(e, 'class', s.class);
    this.attr(e, 'instance', s.instance);
    const out: XmlNode[] = [
      ...this.msg('Product', s.product),
      ...this.msg('Vendor', s.vendor),
      ...this.msg('Version', s.version),
      ...this.msg('FullVersion', s.fullVersion),
      ...this.msg('ProductUrl', s.productUrl),
      ...this.msg('VendorUrl', s.vendorUrl),
      ...this.msg('AppUrl', s.appUrl),
    ];
    for (const i of s.icons) {
      const ie = this.el('Icon');
      this.attr(ie, 'fileRef', i.fileRef);
      this.attr(ie, 'height', i.height);
      this.attr(ie, 'width', i.width);
      this.attr(ie, 'mimeType', i.mimeType);
      this.ext(ie, i);
      out.push(ie);
    }
    for (const entry of s.entries) {
      if (entry.entry === 'Category') {
        const ce = this.msg('Category', entry.text)[0]!;
        this.ext(ce, entry);
        out.push(ce);
      } else out.push(this.property(entry));
    }
    return out;
  }

  property(p: OvfProperty): XmlElement {
    const e = this.el('Property', [...this.msg('Label', p.label), ...this.msg('Description', p.description)]);
    this.attr(e, 'key', p.key);
    this.attr(e, 'type', p.type);
    this.attr(e, 'qualifiers', p.qualifiers);
    this.attr(e, 'userConfigurable', p.userConfigurable);
    this.attr(e, 'value', p.value);
    this.attr(e, 'password', p.password);
    for (const v of p.values) {
      const ve = this.el('Value');
      this.attr(ve, 'value', v.value);
      this.attr(ve, 'configuration', v.configuration);
      this.ext(ve, v);
      e.children.push(ve);
    }
    this.ext(e, p);
    return e;
  }

  system(s: OvfSystem): XmlElement {
    const e = this.el('System');
    e.children.push(...settingsElements(VSSD_NS, 'vssd', s, this));
    this.ext(e, s);
    return e;
  }

  item(i: OvfItem): XmlElement {
    const e = this.el(i.element);
    this.attr(e, 'required', i.required);
    this.attr(e, 'bound', i.bound);
    this.attr(e, 'configuration', i.configuration);
    const [pns, prefix] =
      i.element === 'StorageItem'
        ? [this.sasdNs, 'sasd']
        : i.element === 'EthernetPortItem'
          ? [this.epasdNs, 'epasd']
          : [RASD_NS, 'rasd'];
    e.children.push(...settingsElements(pns, prefix, { ...i, properties: i.resource.properties }, this));
    this.ext(e, i);
    return e;
  }
}

/** CIM property elements in the CIM XSDs' order (alphabetical), arrays as repeated elements. */
/** Settings properties whose CIM type is datetime (from the model's property schema). */
const DATETIME_PROPERTIES: ReadonlySet<string> = new Set(
  PROPERTIES.filter((p) => p.type === 'datetime').map((p) => p.name),
);

function settingsElements(
  ns: string,
  prefix: string,
  s: {
    properties: Record<string, CimValue | undefined>;
    propertyAttrs?: Record<string, XmlAttribute[][]> | undefined;
    repeated?: Record<string, RepeatedValues> | undefined;
  },
  w: Writer,
): XmlElement[] {
  const out: XmlElement[] = [];
  const attrs = s.propertyAttrs;
  for (const name of Object.keys(s.properties).sort(compareCimNames)) {
    const v = s.properties[name];
    if (v === undefined) continue;
    const again = s.repeated?.[name];
    const values = Array.isArray(v) ? v : again?.first === v ? [v, ...again.rest] : [v];
    values.forEach((value, idx) => {
      // The OVF CIM XSDs type datetimes as an element (common.xsd cimDateTime), not as text.
      const content =
        value === ''
          ? []
          : DATETIME_PROPERTIES.has(name)
            ? [element(CIM_COMMON_NS, 'CIM_DateTime', 'cim', [text(value)])]
            : [text(value)];
      const e = element(ns, name, prefix, content);
      for (const a of attrs?.[name]?.[idx] ?? []) e.attrs.push(w.foreignAttr(a));
      out.push(e);
    });
  }
  return out;
}

/** Orders CIM property names as the DMTF XSDs do: by name, case-sensitively as the schema lists them. */
function compareCimNames(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function allItems(env: OvfEnvelope): OvfItem[] {
  const out: OvfItem[] = [];
  const visit = (sections: OvfSection[]) => {
    for (const s of sections)
      if (s.kind === 'VirtualHardwareSection' || s.kind === 'ResourceAllocationSection') out.push(...s.items);
  };
  visit(env.sections);
  const walk = (c: OvfContent | undefined) => {
    if (!c) return;
    visit(c.sections);
    c.children.forEach(walk);
  };
  walk(env.content);
  return out;
}

function renameNs(e: XmlElement, from: string, to: string): void {
  if (e.ns === from) e.ns = to;
  for (const a of e.attrs) if (a.ns === from) a.ns = to;
  e.nsDecls = e.nsDecls.map(([p, u]) => [p, u === from ? to : u]);
  for (const c of e.children) if (c.type === 'element') renameNs(c, from, to);
}
