import { type XmlElement, XSI_NS } from '../../xml/index.js';
import { OVF1_NS, OVF2_NS } from '../namespaces.js';
import type { OvfUnknownSection } from '../types.js';
import {
  describeContent,
  isRequired,
  isXsBoolean,
  type SectionPlace,
  type ValidationContext,
} from './context.js';
import { isVendorNamespace } from './extensions.js';

/** Where DSP0243 (§9, table "Core metadata sections") allows each section. */
const PLACES: Record<string, readonly SectionPlace[]> = {
  DiskSection: ['Envelope'],
  NetworkSection: ['Envelope'],
  DeploymentOptionSection: ['Envelope'],
  VirtualHardwareSection: ['VirtualSystem'],
  OperatingSystemSection: ['VirtualSystem'],
  InstallSection: ['VirtualSystem'],
  StartupSection: ['VirtualSystemCollection'],
  ResourceAllocationSection: ['VirtualSystemCollection'],
  AnnotationSection: ['VirtualSystem', 'VirtualSystemCollection'],
  ProductSection: ['VirtualSystem', 'VirtualSystemCollection'],
  EulaSection: ['VirtualSystem', 'VirtualSystemCollection'],
};

/** Misplacements whose meaning is still clear: text sections on the envelope, reservations in one system. */
const HARMLESS = new Set([
  'AnnotationSection@Envelope',
  'ProductSection@Envelope',
  'EulaSection@Envelope',
  'ResourceAllocationSection@VirtualSystem',
]);

/** OVF 2.x sections the model keeps as XML; they are standard, not unknown. */
const OVF2_SECTIONS = new Set([
  'EnvironmentFilesSection',
  'BootDeviceSection',
  'SharedDiskSection',
  'ScaleOutSection',
  'PlacementGroupSection',
  'PlacementSection',
  'EncryptionSection',
]);

/** The name a section element stands for: its local name, or its xsi:type for the `<Section>` form. */
function sectionName(el: XmlElement): string {
  if (el.local !== 'Section' && el.local !== 'Content') return el.local;
  const t = el.attrs.find((a) => a.ns === XSI_NS && a.local === 'type')?.value;
  return t === undefined ? el.local : t.replace(/^.*:/, '').replace(/_Type$/, '');
}

/**
 * Sections (DSP0243 §9): each has Info and sits where the standard allows it; every VirtualSystem has a
 * VirtualHardwareSection and Info; unknown sections are errors unless `ovf:required="false"`.
 */
export function checkSections(ctx: ValidationContext): void {
  for (const c of ctx.contents) {
    if (c.info === undefined) {
      ctx.report('OVF_MISSING_INFO', c, `${describeContent(c)} has no Info element`, 'Add <Info>...</Info>.');
    }
    if (c.kind === 'VirtualSystem' && !c.sections.some((s) => s.kind === 'VirtualHardwareSection')) {
      ctx.report(
        'OVF_MISSING_HARDWARE',
        c,
        `${describeContent(c)} has no VirtualHardwareSection`,
        'Each VirtualSystem describes its hardware in at least one VirtualHardwareSection.',
      );
    }
  }
  for (const { section: s, place } of ctx.sections) {
    if (s.kind === 'Unknown') {
      checkUnknownSection(ctx, s);
      continue;
    }
    if (s.info === undefined) {
      ctx.report('OVF_MISSING_INFO', s, `${s.kind} has no Info element`, 'Every section starts with <Info>.');
    }
    if (s.required !== undefined && !isXsBoolean(s.required)) {
      ctx.report('OVF_ATTRIBUTE_INVALID', s, `${s.kind} has ovf:required="${s.required}", not a boolean`);
    }
    const allowed = PLACES[s.kind] ?? [];
    if (!allowed.includes(place)) {
      const where = place === 'Envelope' ? 'on the Envelope' : `in a ${place}`;
      const rule = `DSP0243 allows it ${allowed.map((p) => (p === 'Envelope' ? 'on the Envelope' : `in a ${p}`)).join(' or ')}`;
      if (HARMLESS.has(`${s.kind}@${place}`)) {
        ctx.report('OVF_SECTION_UNUSUAL_PLACE', s, `${s.kind} is ${where}; ${rule}`);
      } else {
        ctx.report('OVF_SECTION_MISPLACED', s, `${s.kind} is ${where}; ${rule}`);
      }
    }
  }
  for (const x of ctx.env.extra) {
    if (x.local === 'VirtualSystem' || x.local === 'VirtualSystemCollection') continue;
    ctx.report(
      'OVF_SECTION_MISPLACED',
      x,
      `<${sectionName(x)}> follows the Envelope's VirtualSystem; package sections come before it`,
      'DSP8023 orders the Envelope as References, sections, one content, Strings.',
    );
  }
}

function checkUnknownSection(ctx: ValidationContext, s: OvfUnknownSection): void {
  const el = s.element;
  const name = sectionName(el);
  if ((el.ns === OVF1_NS || el.ns === OVF2_NS) && OVF2_SECTIONS.has(name)) return;
  if (s.required !== undefined && !isXsBoolean(s.required)) {
    ctx.report('OVF_ATTRIBUTE_INVALID', s, `<${name}> has ovf:required="${s.required}", not a boolean`);
  }
  const required = isRequired(s.required);
  const what = el.ns === '' ? `<${name}> (no namespace)` : `<${name}> (namespace ${el.ns})`;
  if (isVendorNamespace(el.ns)) {
    if (required) {
      ctx.report(
        'OVF_VENDOR_EXTENSION_REQUIRED',
        s,
        `Vendor section ${what} is required (no ovf:required="false"); consumers other than its vendor must refuse the package`,
        'Mark vendor sections ovf:required="false" unless the package cannot work without them.',
      );
    }
  } else if (required) {
    ctx.report(
      'OVF_UNKNOWN_SECTION',
      s,
      `Section ${what} is not defined by OVF and is required (ovf:required is not "false")`,
      'A consumer must fail on a required section it does not understand; set ovf:required="false" if it is optional.',
    );
  } else {
    ctx.report('OVF_UNKNOWN_SECTION_IGNORED', s, `Optional section ${what} is not understood and is ignored`);
  }
}
