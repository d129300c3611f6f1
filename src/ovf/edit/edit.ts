import { findSection } from '../select.js';
import type { OvfContent, OvfEnvelope, OvfProductSection } from '../types.js';
import { ext } from './core.js';
import { setCpus, setMemory } from './hardware.js';

export { requireConfiguration, targetSystem } from './core.js';

/** Fields of ProductSection that {@link setProduct} changes; `undefined` leaves a field alone, '' removes it. */
export interface ProductFields {
  product?: string;
  vendor?: string;
  version?: string;
  fullVersion?: string;
  productUrl?: string;
  vendorUrl?: string;
  appUrl?: string;
}

/** The ProductSection of a system for a class/instance, created when absent. */
export function productSection(
  system: OvfContent,
  productClass?: string,
  instance?: string,
): OvfProductSection {
  const found = system.sections.find(
    (s): s is OvfProductSection =>
      s.kind === 'ProductSection' && s.class === productClass && s.instance === instance,
  );
  if (found) return found;
  const made: OvfProductSection = {
    kind: 'ProductSection',
    info: { text: 'Information about the installed software' },
    class: productClass,
    instance,
    icons: [],
    entries: [],
    ...ext(),
  };
  const hwAt = system.sections.findIndex((s) => s.kind === 'VirtualHardwareSection');
  system.sections.splice(hwAt < 0 ? system.sections.length : hwAt + 1, 0, made);
  return made;
}

/** Sets product information (DSP0243 §9.5). */
export function setProduct(system: OvfContent, fields: ProductFields, productClass?: string): void {
  const first = productClass === undefined ? findSection(system.sections, 'ProductSection') : undefined;
  const ps = first ?? productSection(system, productClass);
  for (const [k, v] of Object.entries(fields) as Array<[keyof ProductFields, string | undefined]>) {
    if (v === undefined) continue;
    ps[k] = v === '' ? undefined : { text: v };
  }
}

/** Sets the AnnotationSection text ('' removes the section). */
export function setAnnotation(system: OvfContent, text: string): void {
  const i = system.sections.findIndex((s) => s.kind === 'AnnotationSection');
  if (text === '') {
    if (i >= 0) system.sections.splice(i, 1);
    return;
  }
  const existing = system.sections[i];
  if (existing?.kind === 'AnnotationSection') existing.annotation = { text };
  else
    system.sections.unshift({
      kind: 'AnnotationSection',
      info: { text: 'A human-readable annotation' },
      annotation: { text },
      ...ext(),
    });
}

/** Sets the license of the system's (first) EulaSection, adding one when absent ('' removes them all). */
export function setEula(system: OvfContent, license: string): void {
  if (license === '') {
    system.sections = system.sections.filter((s) => s.kind !== 'EulaSection');
    return;
  }
  const existing = findSection(system.sections, 'EulaSection');
  if (existing) existing.license = { text: license };
  else {
    const at = system.sections.findIndex((s) => s.kind === 'VirtualHardwareSection');
    system.sections.splice(at < 0 ? system.sections.length : at, 0, {
      kind: 'EulaSection',
      info: { text: 'End User License Agreement' },
      license: { text: license },
      ...ext(),
    });
  }
}

/** What {@link createEnvelope} needs to author a new single-VM descriptor. */
export interface NewSystem {
  name: string;
  cpus: number;
  memoryBytes: bigint;
  generation?: '1' | '2';
  osId?: string;
  osDescription?: string;
  virtualSystemType?: string;
}

/** Authors a new OVF 1.x (or 2.x) descriptor for one VirtualSystem with CPUs and memory; add disks and NICs after. */
export function createEnvelope(n: NewSystem): OvfEnvelope {
  const gen = n.generation ?? '1';
  const ns =
    gen === '2' ? 'http://schemas.dmtf.org/ovf/envelope/2' : 'http://schemas.dmtf.org/ovf/envelope/1';
  const system: OvfContent = {
    kind: 'VirtualSystem',
    id: n.name,
    info: { text: 'A virtual machine' },
    name: { text: n.name },
    sections: [
      {
        kind: 'OperatingSystemSection',
        info: { text: 'The kind of installed guest operating system' },
        id: n.osId ?? '1',
        description: { text: n.osDescription ?? 'Other' },
        ...ext(),
      },
      {
        kind: 'VirtualHardwareSection',
        info: { text: 'Virtual hardware requirements' },
        system: {
          properties: {
            ElementName: 'Virtual Hardware Family',
            InstanceID: '0',
            VirtualSystemIdentifier: n.name,
            VirtualSystemType: n.virtualSystemType ?? 'vmx-13',
          },
          ...ext(),
        },
        items: [],
        ...ext(),
      },
    ],
    children: [],
    ...ext(),
  };
  const env: OvfEnvelope = {
    generation: gen,
    version: gen === '2' ? '2.0' : '1.0',
    namespace: ns,
    references: [],
    sections: [],
    content: system,
    strings: [],
    nsDecls: [
      ['ovf', ns],
      ['rasd', 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData'],
      ['vssd', 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData'],
    ],
    ...ext(),
  };
  setCpus(system, n.cpus);
  setMemory(system, n.memoryBytes);
  return env;
}
