import type { VirtualSystemDefinition } from '../../model/index.js';
import { textContent } from '../../xml/index.js';
import { isBootOrFirmware } from '../boot.js';
import { definitionFromOvf } from '../definition.js';
import { EPASD_NS, OVF1_NS, OVF2_NS, OVF09_NS, RASD_NS, SASD_NS, VSSD_NS } from '../namespaces.js';
import { findSection, findSections, hardwareOf, virtualSystems } from '../select.js';
import type { OvfContent, OvfEnvelope, OvfSection } from '../types.js';
import type { CarriedItem, CarriedSections } from './types.js';

/**
 * What a descriptor written from an OVF package keeps of it (`vessel convert X.ovf --to ovf`): the product
 * sections with their properties, EULAs, annotation, guest OS, vendor sections, the deployment options (each
 * option's hardware is written back where it differs, see configurations.ts), the networks' descriptions, the
 * environment transport, the hardware section's vendor elements and the items' `ovf:required` and vendor XML.
 */

/** The package a definition was read from: enough to carry what the model does not hold. */
export interface OvfSource {
  env: OvfEnvelope;
  /** The VirtualSystem's `ovf:id`. */
  systemId: string;
  /** The deployment option asked for; undefined keeps them all. */
  configuration?: string | undefined;
}

const SYSTEM_SECTIONS = new Set<OvfSection['kind']>([
  'ProductSection',
  'EulaSection',
  'AnnotationSection',
  'OperatingSystemSection',
  'InstallSection',
  'Unknown',
]);

/** Namespaces the writer declares itself. */
const OWN = new Set([OVF1_NS, OVF2_NS, OVF09_NS, RASD_NS, VSSD_NS, SASD_NS, EPASD_NS]);

/** A 0.9 descriptor's namespace in carried XML becomes 1.x's (Vessel writes 0.9 as 1.0). */
function renamed<T>(value: T, from: string, to: string): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, walk(x)]));
    if (v === null || typeof v !== 'object') return v === from ? to : v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
  };
  return walk(structuredClone(value)) as T;
}

/**
 * Carried content of a 0.9 descriptor as 1.x: its namespace becomes 1.x's, and the 0.9 ProductSection's
 * `Full-version` becomes FullVersion (DSP0243 1.0 renamed it).
 */
function from09(carried: CarriedSections): CarriedSections {
  for (const ps of findSections(carried.sections, 'ProductSection')) {
    const full = ps.extra.find((x) => x.ns === OVF09_NS && x.local === 'Full-version');
    if (full === undefined) continue;
    ps.extra = ps.extra.filter((x) => x !== full);
    ps.fullVersion ??= { text: textContent(full) };
  }
  return renamed(carried, OVF09_NS, OVF1_NS);
}

function configuredValue(values: { value: string; configuration?: string | undefined }[], c: string) {
  return values.find((v) => (v.configuration ?? '').split(/\s+/).includes(c))?.value;
}

function systemSections(system: OvfContent, chosen: string | undefined, notes: string[]): OvfSection[] {
  const sections = structuredClone(
    system.sections.filter((s) => SYSTEM_SECTIONS.has(s.kind) && !isBootOrFirmware(s)),
  );
  for (const ps of findSections(sections, 'ProductSection')) {
    if (ps.icons.length > 0) {
      notes.push(
        `ProductSection "${ps.product?.text ?? ps.class ?? ''}": icons are not written (their files are not converted)`,
      );
      ps.icons = [];
    }
    if (chosen === undefined) continue;
    for (const e of ps.entries) {
      if (e.entry !== 'Property') continue;
      const v = configuredValue(e.values, chosen);
      if (v !== undefined) e.value = v;
      e.values = [];
    }
  }
  return sections;
}

function carriedItems(system: OvfContent): Map<string, CarriedItem> {
  const out = new Map<string, CarriedItem>();
  for (const it of hardwareOf(system)?.items ?? []) {
    const id = it.resource.properties.InstanceID;
    if (id === undefined || out.has(id)) continue;
    if (it.required === undefined && it.attrs.length === 0 && it.extra.length === 0) continue;
    out.set(id, { required: it.required, attrs: it.attrs, extra: it.extra });
  }
  return out;
}

/**
 * What to carry from a package into a descriptor written from one of its systems, and each deployment option's
 * definition when all are kept. With `configuration` set, only that option's values are kept: property values
 * for it become the defaults and the DeploymentOptionSection is left out (a note says so).
 *
 * @example
 * const { carried, configurations } = carryFromOvf({ env, systemId: 'web1' });
 */
export function carryFromOvf(source: OvfSource): {
  carried: CarriedSections;
  configurations?: Map<string, VirtualSystemDefinition> | undefined;
} {
  const { env, systemId } = source;
  const system = virtualSystems(env).find((s) => s.id === systemId);
  if (system === undefined) return { carried: { sections: [], notes: [] } };
  const notes: string[] = [];
  const dos = findSection(env.sections, 'DeploymentOptionSection');
  const chosen = source.configuration;
  if (chosen !== undefined && dos !== undefined && dos.configurations.length > 1)
    notes.push(`Only deployment option "${chosen}" was converted; the others are not written`);
  const envelope = env.sections.filter(
    (s) =>
      s.kind === 'NetworkSection' ||
      s.kind === 'Unknown' ||
      (s.kind === 'DeploymentOptionSection' && chosen === undefined),
  );
  const hw = hardwareOf(system);
  let carried: CarriedSections = {
    sections: systemSections(system, chosen, notes),
    envelope: structuredClone(envelope),
    transport: hw?.transport,
    hardwareExtras: structuredClone((hw?.extra ?? []).filter((x) => !isBootOrFirmware(x))),
    items: carriedItems(system),
    nsDecls: env.nsDecls.filter(([p, u]) => p !== '' && !OWN.has(u)),
    notes,
  };
  if (env.generation === '0.9') carried = from09(carried);
  if (chosen !== undefined || dos === undefined || dos.configurations.length < 2) return { carried };
  const configurations = new Map<string, VirtualSystemDefinition>();
  for (const c of dos.configurations)
    configurations.set(c.id, definitionFromOvf(env, { systemId, configuration: c.id }).definition);
  return { carried, configurations };
}
