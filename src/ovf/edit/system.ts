import { OvfError } from '../errors.js';
import { allContents, defaultConfiguration, findSection, findSections, hardwareOf } from '../select.js';
import type { OvfContent, OvfEnvelope, OvfItem } from '../types.js';
import { ext, hardware } from './core.js';

/**
 * System-wide edits (COT's edit-hardware --virtual-system-type and --delete-all-other-profiles): the hardware
 * family, and folding a descriptor down to one deployment option.
 */

/** Hardware families a VirtualSystemType may list (DSP0243 §9.3 leaves them to the platforms). */
const FAMILIES: readonly RegExp[] = [
  /^vmx-(0[4-9]|1\d|2[0-2])$/,
  /^virtualbox-\d+\.\d+$/,
  /^vessel-(qemu|q35)$/,
  /^(qemu|kvm)$/,
  /^xen(-\d+(\.\d+)?)?$/,
];

/** The families VirtualSystemType accepts, for hints. */
export const VIRTUAL_SYSTEM_TYPES_HINT =
  'vmx-04 to vmx-22, virtualbox-N.N, vessel-qemu, vessel-q35, qemu, kvm, xen-N';

/**
 * Sets the VirtualSystemType: one family or several (space-separated, e.g. `vmx-07 vmx-14`), each one the
 * platforms know. A system without a System element gets one.
 *
 * @example
 * setVirtualSystemType(system, 'vmx-14 qemu');
 */
export function setVirtualSystemType(system: OvfContent, types: string): void {
  const list = types.split(/[\s,]+/).filter((t) => t !== '');
  if (list.length === 0) throw new OvfError('OVF_EDIT', 'VirtualSystemType needs at least one family');
  for (const t of list)
    if (!FAMILIES.some((f) => f.test(t)))
      throw new OvfError('OVF_EDIT', `"${t}" is no hardware family a platform knows`, {
        hint: `Families: ${VIRTUAL_SYSTEM_TYPES_HINT}`,
      });
  if (new Set(list).size !== list.length) throw new OvfError('OVF_EDIT', `"${types}" lists a family twice`);
  const hw = hardware(system);
  hw.system ??= { properties: { ElementName: 'Virtual Hardware Family', InstanceID: '0' }, ...ext() };
  hw.system.properties.VirtualSystemType = list.join(' ');
}

const optionsOf = (i: OvfItem) => (i.configuration ?? '').split(/\s+/).filter((c) => c !== '');

/** The items as deployment option `keep` sees them, its overrides in the place of the items they override. */
function fold(items: readonly OvfItem[], keep: string): OvfItem[] {
  const applies = items.filter((i) => optionsOf(i).length === 0 || optionsOf(i).includes(keep));
  const override = new Map<string, OvfItem>();
  for (const i of applies) {
    const id = i.resource.properties.InstanceID;
    if (optionsOf(i).length > 0 && id !== undefined) override.set(id, i);
  }
  const general = new Set(
    applies.filter((i) => optionsOf(i).length === 0).map((i) => i.resource.properties.InstanceID),
  );
  const out: OvfItem[] = [];
  for (const i of applies) {
    const id = i.resource.properties.InstanceID;
    const o = id === undefined ? undefined : override.get(id);
    if (optionsOf(i).length === 0) out.push(o ?? i);
    else if (o === i && !general.has(id)) out.push(i);
  }
  for (const i of out) delete i.configuration;
  return out;
}

/**
 * Keeps one deployment option and drops the others (DSP0243 §9.8): the option's items replace the general items
 * they override, items of other options go, property values of the option become the defaults, and the
 * DeploymentOptionSection goes (one option is no choice), as do the disks (and their files) only the other
 * options' drives used. `keep` defaults to the default option. Returns the option kept (undefined when the
 * section listed none).
 *
 * @example
 * keepOnlyConfiguration(env, '2CPU-2GB-1NIC'); // the descriptor now has that option's hardware only
 */
export function keepOnlyConfiguration(env: OvfEnvelope, keep?: string): string | undefined {
  const usedBefore = diskUses(env);
  const dos = findSection(env.sections, 'DeploymentOptionSection');
  if (dos === undefined) throw new OvfError('OVF_EDIT', 'The descriptor has no deployment options to delete');
  const ids = dos.configurations.map((c) => c.id);
  if (ids.length === 0 && keep === undefined) {
    env.sections = env.sections.filter((s) => s !== dos);
    return undefined;
  }
  const kept = keep ?? defaultConfiguration(env);
  if (kept === undefined || !ids.includes(kept))
    throw new OvfError('OVF_EDIT', `No deployment option has the id "${kept ?? ''}"`, {
      hint: `Options: ${ids.join(', ')}`,
    });
  for (const c of allContents(env)) {
    const hw = hardwareOf(c);
    if (hw) hw.items = fold(hw.items, kept);
    for (const ras of findSections(c.sections, 'ResourceAllocationSection'))
      ras.items = fold(ras.items, kept);
    for (const p of findSections(c.sections, 'ProductSection'))
      for (const e of p.entries) {
        if (e.entry !== 'Property') continue;
        const v = e.values
          .filter((x) => optionsOf({ configuration: x.configuration } as OvfItem).includes(kept))
          .at(-1);
        if (v !== undefined) e.value = v.value;
        e.values = e.values.filter((x) => x.configuration === undefined || x.configuration === '');
      }
  }
  env.sections = env.sections.filter((s) => s !== dos);
  // Disks only the dropped options' drives used go too, with their files when no other disk has them.
  const usedAfter = diskUses(env);
  const ds = findSection(env.sections, 'DiskSection');
  if (ds) {
    const gone = ds.disks.filter((d) => usedBefore.has(d.diskId) && !usedAfter.has(d.diskId));
    ds.disks = ds.disks.filter((d) => !gone.includes(d));
    const files = new Set(gone.map((d) => d.fileRef).filter((f) => f !== undefined));
    for (const d of ds.disks) if (d.fileRef !== undefined) files.delete(d.fileRef);
    env.references = env.references.filter((f) => !files.has(f.id));
  }
  return kept;
}

/** The disk ids the drives of every system name (`ovf:/disk/<id>`). */
function diskUses(env: OvfEnvelope): Set<string> {
  const out = new Set<string>();
  for (const c of allContents(env))
    for (const i of hardwareOf(c)?.items ?? [])
      for (const h of i.resource.properties.HostResource ?? []) {
        const m = /^(?:ovf:)?\/disk\/(.+)$/.exec(h);
        if (m) out.add(m[1]!);
      }
  return out;
}
