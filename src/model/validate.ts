import { imagePath } from './devices/addresses.js';
import type { DeviceView, DriveDevice } from './devices/device-view.js';
import { CONTROLLERS, MODEL_SLOTS, type SlotPolicy } from './devices/kinds.js';
import { readDevices } from './devices/view.js';
import { type FieldProblem, ModelError } from './errors.js';
import { type DefinitionProblem, type DefinitionProblemCode, problem } from './problems.js';
import { isKnownResourceType, ResourceType, resourceTypeName } from './resource-type.js';
import { cpuCount, quantityBytes, resourcesOfType } from './resources.js';
import type { VirtualSystemDefinition } from './settings.js';
import { shapeProblems } from './shapes.js';
import { formatBytes, parseUint } from './units.js';

/**
 * Checking a definition on the way in (DefineSystem, OVF deploy, `vessel vm define`), on its device view: what is
 * missing, contradictory or beyond the host is an error; devices the host ignores and spellings it had to guess
 * are warnings. Controller limits come from the spec table narrowed by the caller's {@link SlotPolicy}.
 */

/** What the host can give one virtual system; a definition asking for more is refused. */
export interface HostLimits {
  cpus: number;
  memoryBytes: bigint;
  nics: number;
  disks: number;
}

/** Limits used when the caller gives none: generous, but they still stop absurd definitions. */
export const DEFAULT_LIMITS: HostLimits = { cpus: 255, memoryBytes: 1n << 40n, nics: 28, disks: 64 };

const NAME_MAX = 128;
/** At most this many serial ports (COM1-COM4). */
const SERIALS_MAX = 4;
/** A PC has two IDE channels; each IDE controller RASD is one. */
const IDE_CHANNELS = 2;

type Report = (
  code: DefinitionProblemCode,
  message: string,
  instanceId?: string,
  hint?: string,
  pointer?: string,
) => void;

/** The system's name in a definition (RFC 6901). */
const NAME_POINTER = '/system/ElementName';
/** At most this many refused members are named (the message lists ten). */
const FIELDS_MAX = 64;

/**
 * Checks a definition (or its view) and returns every finding; it never throws. `slots` is the target's slot
 * policy: the model's own by default, a driver's own where it differs (the QEMU driver's `QEMU_SLOTS`).
 *
 * @example
 * validateDefinition(def, { ...DEFAULT_LIMITS, cpus: 2 }).filter((p) => p.severity === 'error');
 */
export function validateDefinition(
  input: VirtualSystemDefinition | DeviceView,
  limits: HostLimits = DEFAULT_LIMITS,
  slots: SlotPolicy = MODEL_SLOTS,
): DefinitionProblem[] {
  // Every check below reads values in the schema's shapes; a definition that has others gets only that said.
  const shapes = shapeProblems('findings' in input ? input.definition : input);
  if (shapes.length > 0) return shapes;
  const view = 'findings' in input ? input : readDevices(input);
  const def = view.definition;
  const out: DefinitionProblem[] = [];
  const err: Report = (code, message, instanceId, hint, pointer) =>
    out.push(problem('error', code, message, instanceId, hint, pointer));
  checkName(def, err);
  checkInstanceIds(def, err);
  checkCpuAndMemory(def, limits, err);
  checkControllers(view, err);
  checkDrives(view, limits, slots, err);
  checkNics(view, limits, err);
  if (view.serials.length > SERIALS_MAX)
    err('BEYOND_HOST', `${view.serials.length} serial ports; this host offers at most ${SERIALS_MAX}`);
  checkOthers(view, out);
  out.push(...view.findings);
  return out;
}

function hasControlOrSlash(s: string): boolean {
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 || c === 0x7f || ch === '/') return true;
  }
  return false;
}

function checkName(def: VirtualSystemDefinition, err: Report): void {
  const name = def.system.ElementName;
  if (name === undefined || name.trim() === '') {
    err(
      'MISSING',
      'The virtual system has no name (VSSD ElementName)',
      undefined,
      'Give it a name, e.g. --name web1',
      NAME_POINTER,
    );
  } else if (name.length > NAME_MAX || hasControlOrSlash(name) || name !== name.trim()) {
    err(
      'INVALID_VALUE',
      `The name "${name.slice(0, 40)}" is not usable: at most ${NAME_MAX} characters, no "/", no control characters, no surrounding spaces`,
      undefined,
      undefined,
      NAME_POINTER,
    );
  }
}

function checkInstanceIds(def: VirtualSystemDefinition, err: Report): void {
  const seen = new Set<string>();
  for (const r of def.resources) {
    const id = r.properties.InstanceID;
    if (id === undefined) continue;
    if (seen.has(id)) err('CONTRADICTORY', `Two resources have the same InstanceID "${id}"`, id);
    seen.add(id);
  }
}

function checkCpuAndMemory(def: VirtualSystemDefinition, limits: HostLimits, err: Report): void {
  const cpus = resourcesOfType(def, ResourceType.Processor);
  if (cpus.length === 0) err('MISSING', 'The definition has no Processor resource (ResourceType 3)');
  if (cpus.length > 1)
    err('CONTRADICTORY', `The definition has ${cpus.length} Processor resources; give one`);
  const cpu = cpus[0];
  if (cpu !== undefined) {
    const n = parseUint(cpu.properties.VirtualQuantity);
    const id = cpu.properties.InstanceID;
    if (n === undefined || n === 0n) {
      err(
        'INVALID_VALUE',
        `The CPU count "${cpu.properties.VirtualQuantity ?? ''}" must be a whole number of at least 1`,
        id,
      );
    } else if (n > BigInt(limits.cpus)) {
      err('BEYOND_HOST', `${n} virtual CPUs asked; this host gives at most ${limits.cpus}`, id);
    } else {
      // The count by the one rule every reader uses: its VirtualQuantityUnits must be a count.
      try {
        cpuCount(def);
      } catch (e) {
        err('INVALID_VALUE', `Processor: ${(e as Error).message}`, id);
      }
    }
  }
  const mems = resourcesOfType(def, ResourceType.Memory);
  if (mems.length === 0) err('MISSING', 'The definition has no Memory resource (ResourceType 4)');
  if (mems.length > 1) err('CONTRADICTORY', `The definition has ${mems.length} Memory resources; give one`);
  const mem = mems[0];
  if (mem === undefined) return;
  const id = mem.properties.InstanceID;
  let bytes: bigint | undefined;
  try {
    bytes = quantityBytes(mem);
  } catch (e) {
    err('INVALID_VALUE', `Memory: ${(e as Error).message}`, id);
  }
  if (bytes !== undefined && bytes < 1n << 20n) {
    err('INVALID_VALUE', `Memory must be at least 1 MiB, got ${bytes} bytes`, id);
  } else if (bytes !== undefined && bytes > limits.memoryBytes) {
    err(
      'BEYOND_HOST',
      `${formatBytes(bytes)} of memory asked; this host gives at most ${formatBytes(limits.memoryBytes)}`,
      id,
    );
  }
}

function checkControllers(view: DeviceView, err: Report): void {
  for (const o of view.others) {
    if (o.resourceType !== ResourceType.OtherStorageDevice) continue;
    err(
      'UNSUPPORTED',
      `Unknown controller: storage device "${o.instanceId}" of subtype "${o.subType ?? ''}"`,
      o.instanceId,
      'Use ResourceSubType AHCI, NVMe or virtio',
    );
  }
  const ide = view.controllers.filter((c) => c.kind === 'ide');
  if (ide.length > IDE_CHANNELS)
    err('BEYOND_HOST', `${ide.length} IDE controllers; this host has ${IDE_CHANNELS} IDE channels`);
}

function checkDrives(view: DeviceView, limits: HostLimits, slots: SlotPolicy, err: Report): void {
  const used = new Map<string, string>();
  const disks = view.drives.filter((d) => d.kind === 'disk');
  if (disks.length > limits.disks)
    err('BEYOND_HOST', `${disks.length} disks; this host attaches at most ${limits.disks}`);
  for (const d of view.drives) {
    checkImage(d, err);
    const ctl = d.controller;
    if (d.parentText === undefined) continue;
    if (ctl === undefined) {
      err(
        'CONTRADICTORY',
        `Drive "${d.instanceId}" names Parent "${d.parentText}", which is not a storage controller of this definition`,
        d.instanceId,
      );
      continue;
    }
    const on = `${CONTROLLERS[ctl.kind].name} controller "${ctl.instanceId}"`;
    const n = slots.slots(ctl.kind);
    if (n === 0) {
      err('UNSUPPORTED', `Drive "${d.instanceId}": ${slots.name} puts no drives on ${on}`, d.instanceId);
      continue;
    }
    if (d.kind === 'cdrom' && !slots.cdrom(ctl.kind)) {
      err('UNSUPPORTED', `CD/DVD "${d.instanceId}" cannot sit on ${on}`, d.instanceId);
      continue;
    }
    if (d.slotText !== undefined && d.slot === undefined) {
      err(
        'INVALID_VALUE',
        `Drive "${d.instanceId}": AddressOnParent "${d.slotText}" is not a whole number`,
        d.instanceId,
      );
      continue;
    }
    if (d.slot === undefined || n === undefined) continue; // no address, or addresses are order only (virtio-blk)
    if (d.slot >= n) {
      err(
        'BEYOND_HOST',
        `Drive "${d.instanceId}": address ${d.slot} on ${on} is out of range 0..${n - 1}`,
        d.instanceId,
      );
    } else if (slots.reserved(ctl.kind, d.slot)) {
      err(
        'INVALID_VALUE',
        `Drive "${d.instanceId}": address ${d.slot} of ${on} is the controller's own`,
        d.instanceId,
      );
    }
    const key = `${ctl.instanceId}/${d.slot}`;
    const other = used.get(key);
    if (other !== undefined) {
      err(
        'CONTRADICTORY',
        `Drives "${other}" and "${d.instanceId}" both sit at address ${d.slot} of controller "${ctl.instanceId}"`,
        d.instanceId,
      );
    }
    used.set(key, d.instanceId);
  }
}

function checkImage(d: DriveDevice, err: Report): void {
  const host = d.hostResource;
  if (host === undefined || host.trim() === '') {
    const asked = d.newDisk;
    if (asked !== undefined && 'problem' in asked)
      err('INVALID_VALUE', asked.problem, d.instanceId, asked.hint);
    else if (asked === undefined && d.kind === 'disk')
      err(
        'MISSING',
        `Disk "${d.instanceId}" has no image (HostResource)`,
        d.instanceId,
        'Name an image in a storage pool, or give a size (VirtualQuantity) for a new empty disk',
      );
    return;
  }
  if (imagePath(host) === undefined) {
    err(
      'INVALID_VALUE',
      `Drive "${d.instanceId}": HostResource "${host}" is not an absolute path or file:// URL`,
      d.instanceId,
      d.image?.kind === 'ovf-disk' || d.image?.kind === 'ovf-file' || host.startsWith('ovf:')
        ? 'OVF references (ovf:/disk/...) are resolved to image files when a package is deployed'
        : undefined,
    );
  }
}

function checkNics(view: DeviceView, limits: HostLimits, err: Report): void {
  if (view.nics.length > limits.nics) {
    err('BEYOND_HOST', `${view.nics.length} network adapters; this host attaches at most ${limits.nics}`);
    return;
  }
  const macs = new Map<string, string>();
  for (const n of view.nics) {
    if (n.macText === undefined || n.macText.trim() === '') continue;
    const mac = n.mac;
    if (mac === undefined) {
      err('INVALID_VALUE', `NIC "${n.instanceId}": "${n.macText}" is not a MAC address`, n.instanceId);
      continue;
    }
    if (Number.parseInt(mac.slice(0, 2), 16) & 1) {
      err('INVALID_VALUE', `NIC "${n.instanceId}": ${mac} is a multicast address`, n.instanceId);
    }
    const other = macs.get(mac);
    if (other !== undefined)
      err('CONTRADICTORY', `NICs "${other}" and "${n.instanceId}" have the same MAC ${mac}`, n.instanceId);
    macs.set(mac, n.instanceId);
  }
}

function checkOthers(view: DeviceView, out: DefinitionProblem[]): void {
  for (const o of view.others) {
    const type = o.resourceType;
    if (type === ResourceType.OtherStorageDevice) continue; // an unknown controller, reported above
    if (type === undefined || !isKnownResourceType(type)) {
      out.push(
        problem(
          'error',
          'INVALID_VALUE',
          `Resource "${o.instanceId}" has an unknown ResourceType`,
          o.instanceId,
        ),
      );
    } else if (type === ResourceType.FcHba || type === ResourceType.IscsiHba || type === ResourceType.IbHca) {
      const what = `Unknown controller: ${resourceTypeName(type)} "${o.instanceId}"`;
      out.push(problem('error', 'UNSUPPORTED', what, o.instanceId));
    } else {
      const what = `Resource "${o.instanceId}" (${resourceTypeName(type)}) is ignored by this host`;
      out.push(problem('warning', 'IGNORED', what, o.instanceId));
    }
  }
}

/**
 * The refused members of a definition: a problem about a resource points at it (`/resources/N`, the first
 * resource with its InstanceID), one about the system at its property; problems about the whole are left out.
 */
function fieldsOf(def: VirtualSystemDefinition, errors: DefinitionProblem[]): FieldProblem[] {
  const index = new Map<string, number>();
  def.resources.forEach((r, i) => {
    const id = r.properties.InstanceID;
    if (id !== undefined && !index.has(id)) index.set(id, i);
  });
  const out: FieldProblem[] = [];
  for (const e of errors) {
    const i = e.instanceId === undefined ? undefined : index.get(e.instanceId);
    const pointer = e.pointer ?? (i === undefined ? undefined : `/resources/${i}`);
    if (pointer !== undefined) out.push({ pointer, detail: e.message });
    if (out.length === FIELDS_MAX) break;
  }
  return out;
}

/**
 * Throws {@link ModelError} `MODEL_INVALID` listing every error of {@link validateDefinition}; returns the
 * warnings otherwise.
 *
 * @example
 * const warnings = assertValidDefinition(def, limits, MODEL_SLOTS);
 */
export function assertValidDefinition(
  def: VirtualSystemDefinition,
  limits: HostLimits = DEFAULT_LIMITS,
  slots: SlotPolicy = MODEL_SLOTS,
): DefinitionProblem[] {
  const problems = validateDefinition(def, limits, slots);
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    const name = typeof def.system.ElementName === 'string' ? def.system.ElementName : '(unnamed)';
    const list = errors.slice(0, 10).map((e) => e.message);
    if (errors.length > 10) list.push(`... and ${errors.length - 10} more`);
    throw new ModelError('MODEL_INVALID', `Invalid definition "${name}": ${list.join('; ')}`, {
      hint: errors.find((e) => e.hint !== undefined)?.hint,
      fields: fieldsOf(def, errors),
    });
  }
  return problems;
}
