import { ARRAY_PROPERTIES, CIM_PROPERTY_NAMES } from '../../model/index.js';
import type { XmlElement } from '../../xml/index.js';
import { OVF1_NS, OVF2_NS, settingsClassOf, VBOX_NS, VMW_NS } from '../namespaces.js';
import type { Extensible, OvfItem } from '../types.js';
import { isRequired, type ValidationContext } from './context.js';
import { itemName } from './refs.js';

/** Namespaces of vendors whose OVF extensions real packages carry (VMware, vCloud, VirtualBox, Citrix, oVirt). */
const VENDOR_NAMESPACES = [
  VMW_NS,
  VBOX_NS,
  /^http:\/\/www\.vmware\.com\/vcloud\//,
  /^http:\/\/schemas\.citrix\.com\/ovf\//,
  /^http:\/\/www\.citrix\.com\/xenclient\/ovf\//,
  /^http:\/\/www\.ovirt\.org\/ovf/,
];

/** True for a namespace of a known vendor extension (vmw:, vbox:, vcloud:, xenovf:, ovirt:). */
export function isVendorNamespace(ns: string): boolean {
  return VENDOR_NAMESPACES.some((v) => (typeof v === 'string' ? v === ns : v.test(ns)));
}

/**
 * CIM settings properties an Item, StorageItem, EthernetPortItem or System may carry: every DMTF property of the
 * model's schema (CIM_SettingData, the VSSD and the RASD/SASD/EPASD/PASD family), and `BusNumber` from the CIM
 * schema VMware's 0.9 draft used.
 */
const CIM_PROPERTIES: ReadonlySet<string> = new Set([...CIM_PROPERTY_NAMES, 'BusNumber']);

/** OVF elements the model keeps as extension XML but that the standard defines, by generation. */
const STANDARD_EXTRAS: Record<string, ReadonlySet<string>> = {
  '0.9': new Set(['Full-version']),
  '1': new Set(),
  '2': new Set(['NetworkPortProfile', 'NetworkPortProfileURI']),
};

function requiredAttr(ctx: ValidationContext, x: XmlElement): string | undefined {
  return x.attrs.find(
    (a) => a.local === 'required' && (a.ns === ctx.env.namespace || a.ns === OVF1_NS || a.ns === OVF2_NS),
  )?.value;
}

function checkElement(ctx: ValidationContext, owner: string, x: XmlElement): void {
  if (x.ns === ctx.env.namespace && STANDARD_EXTRAS[ctx.env.generation]?.has(x.local)) return;
  if (x.ns === OVF2_NS && STANDARD_EXTRAS['2']?.has(x.local)) return;
  if (!isRequired(requiredAttr(ctx, x))) return;
  const what = x.ns === '' ? `<${x.local}> (no namespace)` : `<${x.local}> (namespace ${x.ns})`;
  if (isVendorNamespace(x.ns)) {
    ctx.report(
      'OVF_VENDOR_EXTENSION_REQUIRED',
      x,
      `Vendor element ${what} in ${owner} is required (no ovf:required="false"); other consumers must refuse it`,
      'Mark vendor extensions ovf:required="false" unless the package cannot work without them.',
    );
  } else {
    ctx.report(
      'OVF_UNKNOWN_ELEMENT',
      x,
      `${owner} contains ${what}, which OVF does not define, and it is required (ovf:required is not "false")`,
      'A consumer must fail on a required element it does not understand; set ovf:required="false" if optional.',
    );
  }
}

/** A namespace that names a CIM class but is not one the parser recognises (e.g. DSP0243's "cim2608 schema"). */
const CIM_LOOKALIKE = /wbem\/wscim|\/CIM_[A-Za-z]+/;

function checkExtras(ctx: ValidationContext, owner: string, node: Extensible | undefined): void {
  const cimLike = new Set<string>();
  for (const x of node?.extra ?? []) {
    if (CIM_LOOKALIKE.test(x.ns) && settingsClassOf(x.ns) === undefined) {
      if (!cimLike.has(x.ns)) {
        cimLike.add(x.ns);
        ctx.report(
          'OVF_CIM_NAMESPACE_UNKNOWN',
          x,
          `${owner} has <${x.local}> and other properties in namespace "${x.ns}", which is not a CIM settings class namespace`,
          'Use http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_<Class>; consumers ignore properties in other namespaces.',
        );
      }
      continue;
    }
    // Other DMTF settings classes (pasd: InstructionSet, ...) are standard CIM, kept aside by the parser.
    if (settingsClassOf(x.ns) !== undefined) continue;
    checkElement(ctx, owner, x);
  }
}

/** CIM properties no settings class defines are unknown elements too, unless marked optional. */
function checkProperties(
  ctx: ValidationContext,
  owner: string,
  properties: object,
  node: Pick<OvfItem, 'line' | 'propertyAttrs' | 'propertyLines' | 'repeated'>,
): void {
  for (const [name, value] of Object.entries(properties)) {
    const count = Array.isArray(value) ? value.length : 1 + (node.repeated?.[name]?.rest.length ?? 0);
    if (count > 1 && !ARRAY_PROPERTIES.has(name)) {
      ctx.report(
        'OVF_PROPERTY_REPEATED',
        { line: node.propertyLines?.[name] ?? node.line },
        `${owner} has ${count} <${name}> elements; ${name} takes one value`,
        'Consumers read one of them (Vessel the first), which one is not defined; keep one.',
      );
    }
    if (CIM_PROPERTIES.has(name)) continue;
    const attrs = node.propertyAttrs?.[name]?.[0] ?? [];
    const req = attrs.find(
      (a) => a.local === 'required' && (a.ns === ctx.env.namespace || a.ns === OVF1_NS || a.ns === OVF2_NS),
    )?.value;
    if (!isRequired(req)) continue;
    ctx.report(
      'OVF_UNKNOWN_ELEMENT',
      { line: node.propertyLines?.[name] ?? node.line },
      `${owner} has property <${name}>, which no CIM settings class defines, and it is required`,
      'Set ovf:required="false" on extension properties, or remove them.',
    );
  }
}

/**
 * Extension elements (DSP0243 §10): an element OVF does not define, kept on any modelled node, is an error when
 * required (the default), and a warning when it is a vendor's (vmw:, vbox:, ...) that other consumers ignore.
 */
export function checkExtensions(ctx: ValidationContext): void {
  checkExtras(ctx, 'References', ctx.env.referencesExt);
  for (const f of ctx.env.references) checkExtras(ctx, `File "${f.id}"`, f);
  for (const c of ctx.contents) checkExtras(ctx, `${c.kind} "${c.id}"`, c);
  for (const { section: s } of ctx.sections) {
    if (s.kind === 'Unknown') continue;
    checkExtras(ctx, s.kind, s);
    switch (s.kind) {
      case 'DiskSection':
        for (const d of s.disks) checkExtras(ctx, `Disk "${d.diskId}"`, d);
        break;
      case 'NetworkSection':
        for (const n of s.networks) checkExtras(ctx, `Network "${n.name}"`, n);
        break;
      case 'DeploymentOptionSection':
        for (const c of s.configurations) checkExtras(ctx, `Configuration "${c.id}"`, c);
        break;
      case 'StartupSection':
        for (const i of s.items) checkExtras(ctx, `StartupSection Item "${i.id}"`, i);
        break;
      case 'ProductSection':
        for (const i of s.icons) checkExtras(ctx, 'Icon', i);
        for (const e of s.entries) {
          const owner = e.entry === 'Property' ? `Property "${e.key}"` : 'Category';
          checkExtras(ctx, owner, e);
          if (e.entry === 'Property') for (const v of e.values) checkExtras(ctx, `${owner} Value`, v);
        }
        break;
      case 'VirtualHardwareSection':
      case 'ResourceAllocationSection':
        if (s.kind === 'VirtualHardwareSection' && s.system) {
          checkExtras(ctx, 'System', s.system);
          checkProperties(ctx, 'System', s.system.properties, s.system);
        }
        for (const it of s.items) {
          const owner = itemName(it);
          checkExtras(ctx, owner, it);
          checkProperties(ctx, owner, it.resource.properties, it);
        }
        break;
      default:
        break;
    }
  }
}
