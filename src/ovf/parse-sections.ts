import { type XmlElement, XSI_NS } from '../xml/index.js';
import { parseItem, parseSystem } from './parse-hardware.js';
import { ElementReader, readMsg } from './reader.js';
import type {
  OvfCategory,
  OvfConfiguration,
  OvfDisk,
  OvfIcon,
  OvfItem,
  OvfItemElement,
  OvfMsg,
  OvfNetwork,
  OvfProperty,
  OvfPropertyValue,
  OvfSection,
  OvfSectionKind,
  OvfStartupItem,
} from './types.js';

const KNOWN: ReadonlySet<string> = new Set<OvfSectionKind>([
  'DiskSection',
  'NetworkSection',
  'DeploymentOptionSection',
  'VirtualHardwareSection',
  'ProductSection',
  'OperatingSystemSection',
  'EulaSection',
  'AnnotationSection',
  'StartupSection',
  'InstallSection',
  'ResourceAllocationSection',
]);

/**
 * The section kind an element stands for: its local name in the OVF namespace, or for `<Section xsi:type=
 * "ovf:DiskSection_Type">` (the 0.9 form, also legal in 1.x) the type's name. Undefined for non-sections.
 */
export function sectionKindOf(el: XmlElement, ns: string): string | undefined {
  if (el.ns !== ns) return undefined;
  if (el.local === 'Section' || el.local === 'Content') {
    const t = el.attrs.find((a) => a.ns === XSI_NS && a.local === 'type')?.value;
    if (t === undefined) return el.local;
    return t.replace(/^.*:/, '').replace(/_Type$/, '');
  }
  return el.local;
}

/** Parses one section element; unknown kinds are kept whole. */
export function parseSection(el: XmlElement, ns: string): OvfSection {
  const kind = sectionKindOf(el, ns);
  const r = new ElementReader(el, ns);
  if (kind === undefined || !KNOWN.has(kind)) {
    const required = el.attrs.find((a) => a.local === 'required' && (a.ns === ns || a.ns === ''))?.value;
    return { kind: 'Unknown', element: el, required, line: el.line, column: el.column };
  }
  r.nsAttr(XSI_NS, 'type');
  const base = { info: r.msg('Info'), required: r.attr('required') };
  const done = <T extends object>(s: T) => ({ ...base, ...s, ...r.rest() });
  switch (kind as OvfSectionKind) {
    case 'DiskSection':
      return done({ kind: 'DiskSection' as const, disks: r.children('Disk').map((d) => parseDisk(d, ns)) });
    case 'NetworkSection':
      return done({
        kind: 'NetworkSection' as const,
        networks: r.children('Network').map((n) => parseNetwork(n, ns)),
      });
    case 'DeploymentOptionSection':
      return done({
        kind: 'DeploymentOptionSection' as const,
        configurations: r.children('Configuration').map((c) => parseConfiguration(c, ns)),
      });
    case 'VirtualHardwareSection': {
      const sys = r.child('System');
      return done({
        kind: 'VirtualHardwareSection' as const,
        id: r.attr('id'),
        transport: r.attr('transport'),
        system: sys ? parseSystem(sys, ns) : undefined,
        items: parseItems(r, ns),
      });
    }
    case 'ResourceAllocationSection':
      return done({ kind: 'ResourceAllocationSection' as const, items: parseItems(r, ns) });
    case 'ProductSection':
      return done(parseProduct(r, ns));
    case 'OperatingSystemSection':
      return done({
        kind: 'OperatingSystemSection' as const,
        id: r.attr('id') ?? '',
        version: r.attr('version'),
        description: r.msg('Description'),
      });
    case 'EulaSection':
      return done({ kind: 'EulaSection' as const, license: r.msg('License') ?? { text: '' } });
    case 'AnnotationSection':
      return done({ kind: 'AnnotationSection' as const, annotation: r.msg('Annotation') ?? { text: '' } });
    case 'StartupSection':
      return done({
        kind: 'StartupSection' as const,
        items: r.children('Item').map((i) => parseStartupItem(i, ns)),
      });
    case 'InstallSection':
      return done({ kind: 'InstallSection' as const, initialBootStopDelay: r.attr('initialBootStopDelay') });
    default:
      throw new Error(`unreachable section kind ${kind}`);
  }
}

function parseItems(r: ElementReader, ns: string): OvfItem[] {
  const items: OvfItem[] = [];
  for (const c of r.el.children) {
    if (c.type !== 'element' || c.ns !== ns) continue;
    if (c.local === 'Item' || c.local === 'StorageItem' || c.local === 'EthernetPortItem') {
      r.use(c);
      items.push(parseItem(c, ns, c.local as OvfItemElement));
    }
  }
  return items;
}

function parseDisk(el: XmlElement, ns: string): OvfDisk {
  const r = new ElementReader(el, ns);
  return {
    diskId: r.attr('diskId') ?? '',
    capacity: r.attr('capacity') ?? '',
    capacityAllocationUnits: r.attr('capacityAllocationUnits'),
    fileRef: r.attr('fileRef'),
    format: r.attr('format'),
    populatedSize: r.attr('populatedSize'),
    parentRef: r.attr('parentRef'),
    ...r.rest(),
  };
}

function parseNetwork(el: XmlElement, ns: string): OvfNetwork {
  const r = new ElementReader(el, ns);
  return { name: r.attr('name') ?? '', description: r.msg('Description'), ...r.rest() };
}

function parseConfiguration(el: XmlElement, ns: string): OvfConfiguration {
  const r = new ElementReader(el, ns);
  return {
    id: r.attr('id') ?? '',
    default: r.attr('default'),
    label: r.msg('Label') ?? { text: '' },
    description: r.msg('Description'),
    ...r.rest(),
  };
}

function parseStartupItem(el: XmlElement, ns: string): OvfStartupItem {
  const r = new ElementReader(el, ns);
  return {
    id: r.attr('id') ?? '',
    order: r.attr('order') ?? '',
    startDelay: r.attr('startDelay'),
    waitingForGuest: r.attr('waitingForGuest'),
    stopDelay: r.attr('stopDelay'),
    startAction: r.attr('startAction'),
    stopAction: r.attr('stopAction'),
    ...r.rest(),
  };
}

function parseProduct(r: ElementReader, ns: string) {
  const icons: OvfIcon[] = r.children('Icon').map((el) => {
    const ir = new ElementReader(el, ns);
    return {
      fileRef: ir.attr('fileRef') ?? '',
      height: ir.attr('height'),
      width: ir.attr('width'),
      mimeType: ir.attr('mimeType'),
      ...ir.rest(),
    };
  });
  const entries: Array<OvfCategory | OvfProperty> = [];
  for (const c of r.el.children) {
    if (c.type !== 'element' || c.ns !== ns) continue;
    if (c.local === 'Category') {
      r.use(c);
      const cr = new ElementReader(c, ns);
      const text: OvfMsg = readMsg(c, ns);
      cr.attr('msgid');
      entries.push({ entry: 'Category', text, ...cr.rest() });
    } else if (c.local === 'Property') {
      r.use(c);
      entries.push(parseProperty(c, ns));
    }
  }
  return {
    kind: 'ProductSection' as const,
    class: r.attr('class'),
    instance: r.attr('instance'),
    product: r.msg('Product'),
    vendor: r.msg('Vendor'),
    version: r.msg('Version'),
    fullVersion: r.msg('FullVersion'),
    productUrl: r.msg('ProductUrl'),
    vendorUrl: r.msg('VendorUrl'),
    appUrl: r.msg('AppUrl'),
    icons,
    entries,
  };
}

function parseProperty(el: XmlElement, ns: string): OvfProperty {
  const r = new ElementReader(el, ns);
  const values: OvfPropertyValue[] = r.children('Value').map((v) => {
    const vr = new ElementReader(v, ns);
    return { value: vr.attr('value') ?? '', configuration: vr.attr('configuration'), ...vr.rest() };
  });
  return {
    entry: 'Property',
    key: r.attr('key') ?? '',
    type: r.attr('type') ?? '',
    qualifiers: r.attr('qualifiers'),
    userConfigurable: r.attr('userConfigurable'),
    password: r.attr('password'),
    value: r.attr('value'),
    label: r.msg('Label'),
    description: r.msg('Description'),
    values,
    ...r.rest(),
  };
}
