import { ResourceType } from '../../model/index.js';
import { OvfError } from '../errors.js';
import { findSection, hardwareOf, virtualSystems } from '../select.js';
import type { OvfConfiguration, OvfContent, OvfEnvelope, OvfNetworkSection } from '../types.js';
import { envelopeSection, ext, hardware, itemsForEdit, newItem, settleOverrides } from './core.js';

/** Sets the virtual CPU count, in every Processor item that applies to the configuration (or a new one). */
export function setCpus(system: OvfContent, cpus: number, configuration?: string, env?: OvfEnvelope): void {
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > 1024)
    throw new OvfError('OVF_EDIT', `CPU count ${cpus} must be a whole number from 1 to 1024`);
  const hw = hardware(system);
  const items = itemsForEdit(env, hw, ResourceType.Processor, configuration);
  if (items.length === 0) {
    newItem(
      hw,
      {
        ElementName: `${cpus} virtual CPU(s)`,
        ResourceType: '3',
        VirtualQuantity: String(cpus),
        AllocationUnits: 'hertz * 10^6',
      },
      configuration,
    );
    return;
  }
  for (const i of items) {
    i.resource.properties.VirtualQuantity = String(cpus);
    if (i.resource.properties.ElementName?.match(/virtual CPU/))
      i.resource.properties.ElementName = `${cpus} virtual CPU(s)`;
  }
  settleOverrides(hw);
}

/** Sets the memory exactly, in MiB units when whole, else in bytes. */
export function setMemory(
  system: OvfContent,
  bytes: bigint,
  configuration?: string,
  env?: OvfEnvelope,
): void {
  if (bytes < 1n << 20n || bytes > 1n << 50n)
    throw new OvfError('OVF_EDIT', `Memory ${bytes} bytes must be from 1 MiB to 1 PiB`);
  const hw = hardware(system);
  const mib = bytes % (1n << 20n) === 0n;
  const props = {
    VirtualQuantity: String(mib ? bytes >> 20n : bytes),
    AllocationUnits: mib ? 'byte * 2^20' : 'byte',
  };
  const items = itemsForEdit(env, hw, ResourceType.Memory, configuration);
  const name = mib ? `${bytes >> 20n}MB of memory` : `${bytes} bytes of memory`;
  if (items.length === 0) {
    newItem(hw, { ElementName: name, ResourceType: '4', ...props }, configuration);
    return;
  }
  for (const i of items) {
    Object.assign(i.resource.properties, props);
    // VirtualQuantityUnits, when an (OVF 2.x) item has it, governs VirtualQuantity: keep it in step.
    if (i.resource.properties.VirtualQuantityUnits !== undefined)
      i.resource.properties.VirtualQuantityUnits = props.AllocationUnits;
    if (i.resource.properties.ElementName?.match(/of memory$/)) i.resource.properties.ElementName = name;
  }
  settleOverrides(hw);
}

/** Adds a logical network to NetworkSection (no-op when it exists). */
export function addNetwork(env: OvfEnvelope, name: string, description?: string): void {
  const ns = envelopeSection<OvfNetworkSection>(env, 'NetworkSection', () => ({
    kind: 'NetworkSection',
    info: { text: 'The list of logical networks' },
    networks: [],
    ...ext(),
  }));
  const existing = ns.networks.find((n) => n.name === name);
  if (existing) {
    if (description !== undefined) existing.description = { text: description };
    return;
  }
  ns.networks.push({ name, description: { text: description ?? `The ${name} network` }, ...ext() });
}

/** Adds a deployment option (DSP0243 §9.8), or changes its label/description/default. */
export function setConfiguration(
  env: OvfEnvelope,
  id: string,
  fields: { label?: string; description?: string; default?: boolean },
): void {
  const dos = envelopeSection(env, 'DeploymentOptionSection', () => ({
    kind: 'DeploymentOptionSection' as const,
    info: { text: 'Deployment options' },
    configurations: [] as OvfConfiguration[],
    ...ext(),
  }));
  let c = dos.configurations.find((x) => x.id === id);
  if (!c) {
    c = {
      id,
      label: { text: fields.label ?? id },
      description: { text: fields.description ?? fields.label ?? id },
      ...ext(),
    };
    dos.configurations.push(c);
  }
  if (fields.label !== undefined) c.label = { text: fields.label };
  if (fields.description !== undefined) c.description = { text: fields.description };
  if (fields.default) for (const x of dos.configurations) x.default = x === c ? 'true' : undefined;
}

/** Removes a deployment option and the items that applied only to it. */
export function removeConfiguration(env: OvfEnvelope, id: string): void {
  const dos = findSection(env.sections, 'DeploymentOptionSection');
  if (!dos?.configurations.some((c) => c.id === id))
    throw new OvfError('OVF_EDIT', `No deployment option has the id "${id}"`);
  dos.configurations = dos.configurations.filter((c) => c.id !== id);
  if (dos.configurations.length === 0) env.sections = env.sections.filter((s) => s !== dos);
  for (const s of virtualSystems(env)) {
    const hw = hardwareOf(s);
    if (!hw) continue;
    hw.items = hw.items.filter((i) => {
      if (i.configuration === undefined) return true;
      const rest = i.configuration.split(/\s+/).filter((x) => x !== '' && x !== id);
      if (rest.length === 0) return false;
      i.configuration = rest.join(' ');
      return true;
    });
  }
}
