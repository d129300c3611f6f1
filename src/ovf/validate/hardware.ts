import {
  isKnownResourceType,
  ResourceType,
  readDevices,
  resourceTypeName,
  resourceTypeOf,
} from '../../model/index.js';
import type { OvfItem, OvfResourceAllocationSection, OvfVirtualHardwareSection } from '../types.js';
import { isRequired, isXsBoolean, type ValidationContext } from './context.js';
import { checkQuantities } from './quantities.js';
import { configurationsOf, itemName, overlaps, parseHostResource, prop, props } from './refs.js';

const BOUNDS = new Set(['min', 'max', 'normal']);
const KNOWN_TRANSPORTS = new Set(['iso', 'com.vmware.guestInfo']);
/** ResourceTypes whose HostResource names the backing image: disk drive, storage extent, logical disk, volume. */
const DISK_TYPES = new Set([17, 19, 31, 32]);

/**
 * VirtualHardwareSection and ResourceAllocationSection items (DSP0243 §9.5, CIM RASD): InstanceID and
 * ResourceType present, InstanceIDs unique per section (per configuration and bound), ResourceType known,
 * Parent, HostResource, Connection and ovf:configuration resolve, ovf:bound valid, transports known.
 */
export function checkHardware(ctx: ValidationContext): void {
  for (const { section: s } of ctx.sections) {
    if (s.kind !== 'VirtualHardwareSection' && s.kind !== 'ResourceAllocationSection') continue;
    if (s.kind === 'VirtualHardwareSection') {
      checkTransport(ctx, s);
      checkSingleResources(ctx, s);
    }
    checkItemIds(ctx, s);
    const ids = new Set(s.items.map((it) => prop(it, 'InstanceID')));
    for (const it of s.items) {
      checkItem(ctx, ids, it);
      checkQuantities(ctx, s, it);
    }
    checkDriveParents(ctx, s);
  }
}

function checkTransport(ctx: ValidationContext, s: OvfVirtualHardwareSection): void {
  for (const t of (s.transport ?? '').split(/[\s,]+/)) {
    if (t === '' || KNOWN_TRANSPORTS.has(t) || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(t)) continue;
    ctx.report(
      'OVF_TRANSPORT_UNKNOWN',
      s,
      `VirtualHardwareSection lists transport "${t}", which is neither "iso", "com.vmware.guestInfo" nor a URI`,
      'Transports deliver ovf-env.xml to the guest; a consumer ignores ones it does not know.',
    );
  }
}

/** One processor and one memory Item per configuration; min/max markers and same-InstanceID overrides aside. */
function checkSingleResources(ctx: ValidationContext, s: OvfVirtualHardwareSection): void {
  for (const rt of [ResourceType.Processor, ResourceType.Memory]) {
    const items = s.items
      .filter((it) => Number(prop(it, 'ResourceType')) === rt && (it.bound ?? 'normal').trim() === 'normal')
      .map((it) => ({ it, id: prop(it, 'InstanceID'), configs: configurationsOf(it) }));
    for (const [i, { it, id, configs }] of items.entries()) {
      const first = items.slice(0, i).find((o) => o.id !== id && overlaps(o.configs, configs))?.it;
      if (first === undefined) continue;
      ctx.report(
        'OVF_DUPLICATE_RESOURCE',
        it,
        `${itemName(it)} is a second ${rt === ResourceType.Processor ? 'processor' : 'memory'} Item for the same configuration as ${itemName(first)}`,
        'A range is written as Items with the same InstanceID and ovf:bound="min"/"max"; a per-configuration value reuses the InstanceID with ovf:configuration.',
      );
    }
  }
}

function checkItemIds(ctx: ValidationContext, s: OvfVirtualHardwareSection | OvfResourceAllocationSection) {
  const seen = new Map<string, OvfItem>();
  const normals = new Set<string>();
  for (const it of s.items) {
    const id = prop(it, 'InstanceID');
    if (id === undefined || id === '') continue;
    const bound = it.bound?.trim() || 'normal';
    if (bound === 'normal') normals.add(id);
    const configs = (it.configuration ?? '').split(/\s+/).filter(Boolean).sort().join(' ');
    const key = `${id}\u0000${bound}\u0000${configs}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, it);
      continue;
    }
    const scope = [
      bound === 'normal' ? '' : ` and ovf:bound="${bound}"`,
      configs === '' ? '' : ` for configuration "${configs}"`,
    ].join('');
    ctx.report(
      'OVF_DUPLICATE_INSTANCE_ID',
      it,
      `Two Items have InstanceID "${id}"${scope} (the first on line ${first.line ?? '?'})`,
      'InstanceIDs are unique within a section, except for min/normal/max range markers and per-configuration overrides.',
    );
  }
  for (const it of s.items) {
    const id = prop(it, 'InstanceID');
    const bound = it.bound?.trim();
    if (id && (bound === 'min' || bound === 'max') && !normals.has(id)) {
      ctx.report(
        'OVF_BOUND_WITHOUT_NORMAL',
        it,
        `Item ${id} has ovf:bound="${bound}" but no Item with InstanceID "${id}" gives the normal value`,
      );
    }
  }
}

function checkItem(ctx: ValidationContext, ids: ReadonlySet<string | undefined>, it: OvfItem): void {
  const name = itemName(it);
  const id = prop(it, 'InstanceID');
  if (id === undefined || id === '') {
    ctx.report(
      'OVF_ITEM_NO_INSTANCE_ID',
      it,
      `${name} has no rasd:InstanceID`,
      misspelledHint(it, 'InstanceID'),
    );
  }
  checkResourceType(ctx, it, name);
  if (it.required !== undefined && !isXsBoolean(it.required)) {
    ctx.report('OVF_ATTRIBUTE_INVALID', it, `${name} has ovf:required="${it.required}", not a boolean`);
  }
  if (it.bound !== undefined && !BOUNDS.has(it.bound.trim())) {
    ctx.report('OVF_BOUND_INVALID', it, `${name} has ovf:bound="${it.bound}"; use min, max or normal`);
  }
  for (const c of (it.configuration ?? '').split(/\s+/).filter(Boolean)) {
    if (!ctx.configurations.has(c)) {
      ctx.report(
        'OVF_UNRESOLVED_CONFIGURATION',
        it,
        `${name} applies to configuration "${c}", which DeploymentOptionSection does not define`,
      );
    }
  }
  const parent = prop(it, 'Parent');
  if (parent !== undefined && parent !== '') {
    if (!ids.has(parent) || parent === id) {
      ctx.report(
        'OVF_UNRESOLVED_PARENT',
        { line: it.propertyLines?.Parent ?? it.line },
        `${name} has Parent "${parent}", which is not the InstanceID of an Item in the same section`,
      );
    }
  }
  checkHostResources(ctx, it, name);
  for (const c of props(it, 'Connection')) {
    if (c.trim() !== '' && !ctx.networks.has(c.trim())) {
      ctx.report(
        'OVF_UNRESOLVED_NETWORK',
        { line: it.propertyLines?.Connection ?? it.line },
        `${name} connects to network "${c}", which NetworkSection does not define`,
        'rasd:Connection names an ovf:name of a Network in the Envelope NetworkSection.',
      );
    }
  }
}

/**
 * A drive (disk, CD/DVD, floppy) sits on a storage controller: its Parent must name one, as deploy requires
 * (model/validate.ts reads the same device view). A Parent naming no Item is OVF_UNRESOLVED_PARENT instead.
 */
function checkDriveParents(
  ctx: ValidationContext,
  s: OvfVirtualHardwareSection | OvfResourceAllocationSection,
): void {
  const view = readDevices({ system: {}, resources: s.items.map((it) => it.resource) });
  for (const d of view.drives) {
    if (d.parentText === undefined || d.controller !== undefined) continue;
    const parent = s.items.find((x) => prop(x, 'InstanceID') === d.parentText);
    if (parent === undefined) continue; // OVF_UNRESOLVED_PARENT
    const it = s.items[d.position]!;
    const device = view.byId(d.parentText);
    const type = resourceTypeOf(parent.resource);
    const what =
      device?.device === 'nic'
        ? 'network adapter'
        : device?.device === 'other' || device === undefined
          ? ((type === undefined ? undefined : resourceTypeName(type)) ?? 'resource')
          : device.device;
    ctx.report(
      'OVF_PARENT_NOT_CONTROLLER',
      { line: it.propertyLines?.Parent ?? it.line },
      `${itemName(it)} has Parent "${d.parentText}", which is a ${what}, not a storage controller`,
      'A disk or CD/DVD drive names its IDE, SATA, SCSI or NVMe controller as rasd:Parent.',
    );
  }
}

function checkResourceType(ctx: ValidationContext, it: OvfItem, name: string): void {
  const rt = prop(it, 'ResourceType');
  const at = { line: it.propertyLines?.ResourceType ?? it.line };
  if (rt === undefined || rt === '') {
    ctx.report(
      'OVF_ITEM_NO_RESOURCE_TYPE',
      it,
      `${name} has no rasd:ResourceType`,
      misspelledHint(it, 'ResourceType'),
    );
    return;
  }
  if (!/^\d{1,6}$/.test(rt.trim())) {
    ctx.report('OVF_VALUE_NOT_INTEGER', at, `${name} has ResourceType "${rt}", not a number`);
    return;
  }
  const n = Number(rt);
  if (isKnownResourceType(n)) return;
  const hint =
    n === 35
      ? '35 is VirtualBox\'s sound card, not CIM; VMware uses 1 (Other) with ResourceSubType "vmware.soundcard.hdaudio".'
      : 'CIM defines 1..33, and 32768..65535 for vendors; mark a vendor device ovf:required="false".';
  if (isRequired(it.required)) {
    ctx.report(
      'OVF_RESOURCE_TYPE_UNKNOWN',
      at,
      `${name} is required and has ResourceType ${n}, which CIM does not define`,
      hint,
    );
  } else {
    ctx.report(
      'OVF_OPTIONAL_RESOURCE_TYPE_UNKNOWN',
      at,
      `Optional ${name} has ResourceType ${n}, which CIM does not define`,
      hint,
    );
  }
}

function checkHostResources(ctx: ValidationContext, it: OvfItem, name: string): void {
  const at = { line: it.propertyLines?.HostResource ?? it.line };
  const rt = Number(prop(it, 'ResourceType'));
  for (const h of props(it, 'HostResource')) {
    const r = parseHostResource(h);
    if (r.kind === 'disk' && !ctx.disks.has(r.id)) {
      ctx.report(
        'OVF_UNRESOLVED_DISK',
        at,
        `${name} uses disk "${r.id}", which the Envelope DiskSection does not define`,
        'HostResource ovf:/disk/ID names the ovf:diskId of a Disk in the DiskSection on the Envelope.',
      );
    } else if (r.kind === 'file' && !ctx.files.has(r.id)) {
      ctx.report('OVF_UNRESOLVED_FILE', at, `${name} uses file "${r.id}", which is not in References`);
    } else if (r.kind === 'invalid') {
      ctx.report(
        'OVF_HOST_RESOURCE_INVALID',
        at,
        `${name} has HostResource "${h}"; package references are ovf:/disk/ID or ovf:/file/ID`,
      );
    } else if (r.kind === 'host' && h.trim() !== '' && DISK_TYPES.has(rt)) {
      ctx.report(
        'OVF_HOST_RESOURCE_FOREIGN',
        at,
        `${name} is a disk whose HostResource "${h}" does not refer to the package`,
        'Refer to the disk as ovf:/disk/ID so that consumers find its image.',
      );
    }
  }
}

/** A hint when the Item carries the property in a namespace that is not a CIM settings class's. */
function misspelledHint(it: OvfItem, property: string): string | undefined {
  const x = it.extra.find((e) => e.local === property);
  return x === undefined
    ? undefined
    : `It has <${property}> in namespace "${x.ns}", which is not a CIM settings class namespace.`;
}
