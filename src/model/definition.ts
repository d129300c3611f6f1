import { ModelError } from './errors.js';
import { type DriveView, type HardwareView, imagePath, readHardware } from './hardware.js';
import { isKnownResourceType, ResourceType, resourceTypeName } from './resource-type.js';
import { quantityBytes, resourcesOfType } from './resources.js';
import type { VirtualSystemDefinition } from './settings.js';
import { formatBytes, parseUint } from './units.js';

/** What kind of problem a definition has. */
export type DefinitionProblemCode =
  | 'MISSING'
  | 'CONTRADICTORY'
  | 'BEYOND_HOST'
  | 'INVALID_VALUE'
  | 'UNSUPPORTED'
  | 'IGNORED';

/** One finding about a definition; `instanceId` names the RASD it is about, when it is about one. */
export interface DefinitionProblem {
  code: DefinitionProblemCode;
  severity: 'error' | 'warning';
  message: string;
  instanceId?: string;
  hint?: string;
}

/** What the host can give one virtual system; a definition asking for more is refused. */
export interface HostLimits {
  cpus: number;
  memoryBytes: bigint;
  nics: number;
  disks: number;
}

/** Limits used when the caller gives none: generous, but they still stop absurd definitions. */
export const DEFAULT_LIMITS: HostLimits = { cpus: 255, memoryBytes: 1n << 40n, nics: 28, disks: 64 };

const MAC = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$|^[0-9a-f]{12}$/i;
/** Slots per controller kind: IDE master/slave per channel, 6 AHCI ports, SCSI targets, NVMe namespaces. */
const SLOTS = { ide: 2, sata: 6, scsi: 16, nvme: 256, virtio: 1 } as const;
const NAME_MAX = 128;

/** Parses a MAC written as `52:54:00:12:34:56`, `52-54-00-...` or 12 hex digits into the colon form, lower case. */
export function normalizeMac(text: string): string | undefined {
  const t = text.trim();
  if (!MAC.test(t)) return undefined;
  const hex = t.replace(/[:-]/g, '').toLowerCase();
  return hex.match(/../g)!.join(':');
}

/**
 * Checks a definition on the way in (DefineSystem, OVF deploy, `vessel vm define`): what is missing, contradictory
 * or beyond this host is an error; devices the host will ignore are warnings. It never throws.
 *
 * @example
 * validateDefinition(def, { ...DEFAULT_LIMITS, cpus: 2 }).filter((p) => p.severity === 'error');
 */
export function validateDefinition(
  def: VirtualSystemDefinition,
  limits: HostLimits = DEFAULT_LIMITS,
): DefinitionProblem[] {
  const out: DefinitionProblem[] = [];
  const err = (code: DefinitionProblemCode, message: string, instanceId?: string, hint?: string) =>
    out.push({
      code,
      severity: 'error',
      message,
      ...(instanceId === undefined ? {} : { instanceId }),
      ...(hint === undefined ? {} : { hint }),
    });
  checkName(def, err);
  checkInstanceIds(def, err);
  checkCpuAndMemory(def, limits, err);
  const hw = readHardware(def.resources);
  checkControllers(def, hw, err);
  checkDrives(hw, limits, err);
  checkNics(hw, limits, err);
  if (hw.serials.length > 4)
    err('BEYOND_HOST', `${hw.serials.length} serial ports; this host offers at most 4`);
  for (const o of hw.others) {
    if (o.resourceType === undefined || !isKnownResourceType(o.resourceType)) {
      err('INVALID_VALUE', `Resource "${o.instanceId}" has an unknown ResourceType`, o.instanceId);
    } else if (o.resourceType === 7 || o.resourceType === 8 || o.resourceType === 9) {
      err(
        'UNSUPPORTED',
        `Unknown controller: ${resourceTypeName(o.resourceType)} "${o.instanceId}"`,
        o.instanceId,
      );
    } else {
      out.push({
        code: 'IGNORED',
        severity: 'warning',
        message: `Resource "${o.instanceId}" (${resourceTypeName(o.resourceType)}) is ignored by this host`,
        instanceId: o.instanceId,
      });
    }
  }
  return out;
}

type Report = (code: DefinitionProblemCode, message: string, instanceId?: string, hint?: string) => void;

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
    );
  } else if (name.length > NAME_MAX || hasControlOrSlash(name) || name !== name.trim()) {
    err(
      'INVALID_VALUE',
      `The name "${name.slice(0, 40)}" is not usable: at most ${NAME_MAX} characters, no "/", no control characters, no surrounding spaces`,
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
    }
  }
  const mems = resourcesOfType(def, ResourceType.Memory);
  if (mems.length === 0) err('MISSING', 'The definition has no Memory resource (ResourceType 4)');
  if (mems.length > 1) err('CONTRADICTORY', `The definition has ${mems.length} Memory resources; give one`);
  const mem = mems[0];
  if (mem !== undefined) {
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
}

function checkControllers(def: VirtualSystemDefinition, hw: HardwareView, err: Report): void {
  for (const r of def.resources) {
    const t = r.properties.ResourceType;
    const id = r.properties.InstanceID;
    if (t === '20' && !hw.controllers.some((c) => c.instanceId === id)) {
      err(
        'UNSUPPORTED',
        `Unknown controller: storage device "${id ?? '?'}" of subtype "${r.properties.ResourceSubType ?? ''}"`,
        id,
        'Use ResourceSubType AHCI, NVMe or virtio',
      );
    }
  }
  const ide = hw.controllers.filter((c) => c.kind === 'ide');
  if (ide.length > 2) err('BEYOND_HOST', `${ide.length} IDE controllers; this host has 2 IDE channels`);
}

function checkDrives(hw: HardwareView, limits: HostLimits, err: Report): void {
  const byId = new Map(hw.controllers.map((c) => [c.instanceId, c]));
  const used = new Map<string, string>();
  const disks = hw.drives.filter((d) => d.kind === 'disk');
  if (disks.length > limits.disks)
    err('BEYOND_HOST', `${disks.length} disks; this host attaches at most ${limits.disks}`);
  for (const d of hw.drives) {
    checkImage(d, err);
    if (d.parent === undefined) continue;
    const ctl = byId.get(d.parent);
    if (ctl === undefined) {
      err(
        'CONTRADICTORY',
        `Drive "${d.instanceId}" names Parent "${d.parent}", which is not a storage controller of this definition`,
        d.instanceId,
      );
      continue;
    }
    if (d.addressOnParentText !== undefined && d.addressOnParent === undefined) {
      err(
        'INVALID_VALUE',
        `Drive "${d.instanceId}": AddressOnParent "${d.addressOnParentText}" is not a whole number`,
        d.instanceId,
      );
      continue;
    }
    if (d.addressOnParent !== undefined && d.addressOnParent >= SLOTS[ctl.kind] && ctl.kind !== 'virtio') {
      err(
        'BEYOND_HOST',
        `Drive "${d.instanceId}": address ${d.addressOnParent} on ${ctl.kind.toUpperCase()} controller "${ctl.instanceId}" is out of range 0..${SLOTS[ctl.kind] - 1}`,
        d.instanceId,
      );
    }
    if (d.addressOnParent !== undefined && ctl.kind !== 'virtio') {
      const key = `${ctl.instanceId}/${d.addressOnParent}`;
      const other = used.get(key);
      if (other !== undefined) {
        err(
          'CONTRADICTORY',
          `Drives "${other}" and "${d.instanceId}" both sit at address ${d.addressOnParent} of controller "${ctl.instanceId}"`,
          d.instanceId,
        );
      }
      used.set(key, d.instanceId);
    }
  }
}

function checkImage(d: DriveView, err: Report): void {
  if (d.hostResource === undefined || d.hostResource.trim() === '') {
    if (d.kind === 'disk') err('MISSING', `Disk "${d.instanceId}" has no image (HostResource)`, d.instanceId);
    return;
  }
  if (imagePath(d.hostResource) === undefined) {
    const ovf = d.hostResource.startsWith('ovf:');
    err(
      'INVALID_VALUE',
      `Drive "${d.instanceId}": HostResource "${d.hostResource}" is not an absolute path or file:// URL`,
      d.instanceId,
      ovf
        ? 'OVF references (ovf:/disk/...) are resolved to image files when a package is deployed'
        : undefined,
    );
  }
}

function checkNics(hw: HardwareView, limits: HostLimits, err: Report): void {
  if (hw.nics.length > limits.nics) {
    err('BEYOND_HOST', `${hw.nics.length} network adapters; this host attaches at most ${limits.nics}`);
    return;
  }
  const macs = new Map<string, string>();
  for (const n of hw.nics) {
    if (n.mac === undefined || n.mac.trim() === '') continue;
    const mac = normalizeMac(n.mac);
    if (mac === undefined) {
      err('INVALID_VALUE', `NIC "${n.instanceId}": "${n.mac}" is not a MAC address`, n.instanceId);
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

/**
 * Throws {@link ModelError} `MODEL_INVALID` listing every error of {@link validateDefinition}; returns the
 * warnings otherwise.
 *
 * @example
 * const warnings = assertValidDefinition(def, limits);
 */
export function assertValidDefinition(
  def: VirtualSystemDefinition,
  limits: HostLimits = DEFAULT_LIMITS,
): DefinitionProblem[] {
  const problems = validateDefinition(def, limits);
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    const name = def.system.ElementName ?? '(unnamed)';
    const list = errors.slice(0, 10).map((e) => e.message);
    if (errors.length > 10) list.push(`... and ${errors.length - 10} more`);
    throw new ModelError('MODEL_INVALID', `Invalid definition "${name}": ${list.join('; ')}`, {
      hint: errors.find((e) => e.hint !== undefined)?.hint,
    });
  }
  return problems;
}
