import {
  type CarriedSections,
  fileIdOf,
  findSections,
  hardwareOf,
  type OvfContent,
  type OvfProductSection,
  type OvfProperty,
  parseOvf,
  virtualSystems,
} from '../../ovf/index.js';
import { DEPLOY_METADATA } from '../deploy/deploy.js';
import { isSecret } from '../deploy/properties.js';

/**
 * What a deploy recorded about the package a system came from (host metadata `ovf.descriptor`,
 * `ovf.configuration`, `ovf.properties`, `ovf.systemId`; see `DEPLOY_METADATA`), and the sections an export carries over from it: the product with
 * its properties (their defaults become the values given at deploy), the EULA, the annotation, the guest OS
 * and the environment transport, so that the exported package describes the appliance as it was deployed.
 */

/** The deploy's record, as read from the host metadata. */
export interface DeployedPackage {
  /** The package's descriptor text. */
  descriptor: string;
  /** The deployment option chosen, if any. */
  configuration: string | undefined;
  /** The property values in effect after the deploy, by key (`key` or `class.key.instance`). */
  properties: Record<string, string>;
  /** The VirtualSystem `ovf:id` the system was deployed from (one of a collection's). */
  systemId: string | undefined;
}

/** Reads a metadata value that may be JSON text or the plain string. */
function jsonOrText(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Builds the deploy record from the host's metadata getter; undefined when the system was not deployed from a
 * package (no `ovf.descriptor`). Malformed `ovf.properties` are ignored rather than failing an export.
 */
export function readDeployedPackage(get: (key: string) => string | undefined): DeployedPackage | undefined {
  const descriptor = get(DEPLOY_METADATA.descriptor);
  if (descriptor === undefined || descriptor.trim() === '') return undefined;
  const config = jsonOrText(get(DEPLOY_METADATA.configuration));
  const props = jsonOrText(get(DEPLOY_METADATA.properties));
  const properties: Record<string, string> = {};
  if (typeof props === 'object' && props !== null && !Array.isArray(props)) {
    for (const [k, v] of Object.entries(props)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') properties[k] = String(v);
    }
  }
  const systemId = get(DEPLOY_METADATA.systemId);
  return {
    descriptor,
    configuration: typeof config === 'string' && config !== '' ? config : undefined,
    properties,
    systemId: systemId === undefined || systemId === '' ? undefined : systemId,
  };
}

const CARRIED = new Set(['ProductSection', 'EulaSection', 'AnnotationSection', 'OperatingSystemSection']);

function pickSystem(systems: OvfContent[], name: string, id: string | undefined): OvfContent | undefined {
  if (systems.length <= 1) return systems[0];
  return (
    systems.find((s) => id !== undefined && s.id === id) ??
    systems.find((s) => s.name?.text === name) ??
    systems.find((s) => s.id === name) ??
    systems.find((s) => hardwareOf(s)?.system?.properties.ElementName === name) ??
    systems[0]
  );
}

function givenValue(
  ps: OvfProductSection,
  p: OvfProperty,
  given: Record<string, string>,
): string | undefined {
  const full = ps.class ? `${ps.class}.${p.key}${ps.instance ? `.${ps.instance}` : ''}` : p.key;
  return given[full] ?? given[p.key];
}

function configuredValue(p: OvfProperty, configuration: string | undefined): string | undefined {
  if (configuration === undefined) return undefined;
  return p.values.find((v) => (v.configuration ?? '').split(/\s+/).includes(configuration))?.value;
}

/**
 * The file names the deployed package gave its CD/DVD and floppy images, by drive InstanceID (a deploy stores them
 * under names of its own, `file-ID`): an export writes them under these names again. Names that are remote URLs
 * are left out; a descriptor that cannot be read gives none.
 */
export function deployedFileNames(deployed: DeployedPackage, name: string): Map<string, string> {
  const out = new Map<string, string>();
  let env: ReturnType<typeof parseOvf>;
  try {
    env = parseOvf(deployed.descriptor, { file: 'deployed descriptor' });
  } catch {
    return out; // carriedSections says so in the notes
  }
  const system = pickSystem(virtualSystems(env), name, deployed.systemId);
  const refs = new Map(env.references.map((f) => [f.id, f.href]));
  const items = system === undefined ? [] : (hardwareOf(system)?.items ?? []);
  for (const it of items) {
    const id = it.resource.properties.InstanceID;
    const fileId = fileIdOf(it.resource.properties.HostResource?.[0]);
    const href = fileId === undefined ? undefined : refs.get(fileId);
    if (id === undefined || href === undefined || /^[a-z][a-z0-9+.-]*:/i.test(href) || out.has(id)) continue;
    const last = href.split(/[\\/]/).pop() ?? '';
    if (last !== '') out.set(id, last);
  }
  return out;
}

/**
 * The sections to carry from the deployed package into an export of system `name`. Property defaults become
 * the values in effect after the deploy (given, else the chosen configuration's, else the default), except
 * passwords, which keep the package's default so that no secret leaves in the export; per-configuration values
 * and icons (whose files are not exported) are removed.
 */
export function carriedSections(deployed: DeployedPackage, name: string): CarriedSections {
  const notes: string[] = [];
  let env: ReturnType<typeof parseOvf>;
  try {
    env = parseOvf(deployed.descriptor, { file: 'deployed descriptor' });
  } catch (e) {
    notes.push(
      `The descriptor recorded at deploy cannot be read (${(e as Error).message}); no product exported`,
    );
    return { sections: [], transport: undefined, notes };
  }
  const system = pickSystem(virtualSystems(env), name, deployed.systemId);
  if (system === undefined) return { sections: [], transport: undefined, notes };
  const sections = structuredClone(system.sections.filter((s) => CARRIED.has(s.kind)));
  for (const ps of findSections(sections, 'ProductSection')) {
    if (ps.icons.length > 0) {
      notes.push(`ProductSection "${ps.product?.text ?? ps.class ?? ''}": icons are not exported`);
      ps.icons = [];
    }
    for (const e of ps.entries) {
      if (e.entry !== 'Property') continue;
      const secret = isSecret(e); // ovf:password is an xs:boolean: "true" or "1"
      const given = givenValue(ps, e, deployed.properties);
      if (secret) {
        if (given !== undefined) notes.push(`Property "${e.key}" is a password: its value is not exported`);
      } else {
        const value = given ?? configuredValue(e, deployed.configuration);
        if (value !== undefined) e.value = value;
      }
      e.values = [];
    }
  }
  return { sections, transport: hardwareOf(system)?.transport, notes };
}
