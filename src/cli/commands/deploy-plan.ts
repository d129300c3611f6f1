import type { DeployPlanView } from '../../api/index.js';
import { cpuCount, type Device, formatBytes, memoryBytes, readDevices } from '../../model/index.js';
import { println } from '../output.js';
import type { DeployOptionsFile } from './deploy-options.js';

/**
 * What `vessel deploy --dry-run` prints: each system's hardware as this host would create it, the deployment
 * options, the properties, the networks and how they map, the license texts and the warnings; and the options file
 * it writes (`--options-out`), which the real deploy takes back (`--options`).
 */

/**
 * Writes one line of package text: control characters (a package's text could carry terminal escapes) and bidi
 * overrides become U+FFFD; a tab stays.
 */
function line(text: string): void {
  println(text.replace(/[^\P{Cc}\t]|[\u202a-\u202e\u2066-\u2069]/gu, '\ufffd'));
}

/** The network a NIC ends up on when its package network names no network of the host (user-mode NAT). */
export const DEFAULT_NETWORK = 'user';

type PlannedSystem = DeployPlanView['systems'][number];

/**
 * Where each package network goes: the `--net` mapping, else the host network of the same name, else the
 * built-in user-mode network. `hostNetworks` undefined: the host does not show its networks (names kept).
 *
 * @example
 * networkMapping(view, { front: 'lan' }, ['user', 'lan']); // Map { 'front' => { to: 'lan', why: '--net' } }
 */
export function networkMapping(
  view: DeployPlanView,
  given: Readonly<Record<string, string>>,
  hostNetworks: readonly string[] | undefined,
): Map<string, { to: string; why: string }> {
  const out = new Map<string, { to: string; why: string }>();
  for (const { name } of view.networks) {
    const asked = Object.hasOwn(given, name) ? given[name] : undefined;
    if (asked !== undefined) out.set(name, { to: asked, why: 'as asked' });
    else if (hostNetworks === undefined || hostNetworks.includes(name))
      out.set(name, { to: name, why: 'the host network of that name' });
    else
      out.set(name, {
        to: DEFAULT_NETWORK,
        why: `the host has no network "${name}": user-mode NAT (map it with --net ${name}=HOSTNET)`,
      });
  }
  return out;
}

/**
 * The options file of a dry run: the name and deployment option chosen, every user-configurable property with the
 * value given or its default (empty when it has none; a password's value is never written, and a password with a
 * default is left out so that the default stays), each package network mapped, the switches, and the CA
 * certificates of `--ca` when given.
 *
 * @example
 * optionsFileOf(view, merged, mapping); // { name: 'web', configuration: 'small', properties: {...}, ... }
 */
export function optionsFileOf(
  view: DeployPlanView,
  o: DeployOptionsFile,
  mapping: ReadonlyMap<string, { to: string }>,
): DeployOptionsFile {
  const properties: Record<string, string> = {};
  for (const p of view.properties) {
    if (!p.userConfigurable) continue;
    if (p.password) {
      if (p.required) properties[p.key] = '';
      continue;
    }
    const given =
      o.properties !== undefined && Object.hasOwn(o.properties, p.key) ? o.properties[p.key] : undefined;
    properties[p.key] = given ?? p.defaultValue ?? '';
  }
  const single = view.systems.length === 1 ? view.systems[0]?.name : undefined;
  const name = o.name ?? single;
  return {
    ...(name === undefined ? {} : { name }),
    ...(view.configuration === undefined ? {} : { configuration: view.configuration }),
    properties,
    networks: Object.fromEntries([...mapping].map(([from, m]) => [from, m.to])),
    powerOn: o.powerOn === true,
    acceptEula: o.acceptEula === true,
    lax: o.lax === true,
    requireSignature: o.requireSignature === true,
    ...(o.caPem === undefined ? {} : { caPem: o.caPem }),
  };
}

/** One line for a device of a planned system; `disks` gives drive sizes by file name. */
function deviceLine(d: Device, system: PlannedSystem, mapping: ReadonlyMap<string, { to: string }>): string {
  const id = `${d.device === 'drive' ? d.kind : d.device} ${d.instanceId}`.padEnd(14);
  const named = d.resource.properties.ElementName;
  const label = named === undefined ? '' : `  "${named}"`;
  switch (d.device) {
    case 'controller':
      return `${id} ${d.kind}${d.usb === undefined ? '' : ` ${d.usb}`}${label}`;
    case 'drive': {
      const on =
        d.controller === undefined
          ? 'on a controller the host chooses'
          : `on ${d.controller.kind} ${d.controller.instanceId} slot ${d.slotText ?? '(next free)'}`;
      const file = d.hostResource?.split('/').pop();
      const disk = system.disks.find((x) => x.fileName === file);
      const what =
        disk !== undefined
          ? `${formatBytes(disk.capacityBytes)}${disk.blank ? ' blank disk' : ` from the package's disk "${disk.diskId}"`}`
          : d.hostResource === undefined
            ? 'empty'
            : `the file ${file}`;
      return `${id} ${on}, ${what}${label}`;
    }
    case 'nic': {
      const net = d.network ?? DEFAULT_NETWORK;
      const to = mapping.get(net)?.to;
      const where = to === undefined || to === net ? `"${net}"` : `"${net}" -> host network "${to}"`;
      return `${id} ${d.model ?? d.subType ?? 'e1000'} on ${where}${d.macText ? ` mac ${d.macText}` : ''}${label}`;
    }
    case 'serial':
      return `${id} ${d.backend ?? 'console'}${label}`;
    case 'graphics':
      return `${id} ${d.model ?? 'default'}${d.vnc ? ' vnc' : ''}${label}`;
    case 'sound':
      return `${id} ${d.model ?? 'default'}${label}`;
    case 'other':
      return `${id} ${d.what}${label}`;
  }
}

function printSystem(s: PlannedSystem, mapping: ReadonlyMap<string, { to: string }>): void {
  const def = s.definition;
  const mem = memoryBytes(def);
  line(`system "${s.name}" (VirtualSystem "${s.systemId}"):`);
  line(`  cpus:   ${cpuCount(def) ?? '?'}`);
  line(`  memory: ${mem === undefined ? '?' : formatBytes(mem)}`);
  const v = readDevices(def);
  for (const d of [
    ...v.controllers,
    ...v.drives,
    ...v.nics,
    ...v.serials,
    ...v.graphics,
    ...v.sound,
    ...v.others,
  ])
    line(`  ${deviceLine(d, s, mapping)}`);
  for (const n of s.notes) line(`  note: ${n}`);
}

/**
 * Prints a dry run for people.
 *
 * @example
 * printPlan('web.ova', view, networkMapping(view, {}, ['user']));
 */
export function printPlan(
  pkg: string,
  view: DeployPlanView,
  mapping: ReadonlyMap<string, { to: string; why: string }>,
): void {
  line(`Dry run of ${pkg}: nothing was deployed or written on the host`);
  for (const s of view.systems) printSystem(s, mapping);
  if (view.configurations.length > 0) {
    line('deployment options (--config):');
    for (const c of view.configurations) {
      const tags = [c.isDefault ? 'default' : '', c.id === view.configuration ? 'chosen' : ''].filter(
        Boolean,
      );
      line(`  ${c.id}${c.label ? `  "${c.label}"` : ''}${tags.length ? `  (${tags.join(', ')})` : ''}`);
    }
  }
  if (view.properties.length > 0) {
    line('properties (--prop KEY=VALUE):');
    const width = Math.min(32, Math.max(...view.properties.map((p) => p.key.length)));
    for (const p of view.properties) {
      const value = p.password
        ? p.required
          ? 'no default (password)'
          : 'a default (password, not shown)'
        : p.defaultValue === undefined
          ? 'no default'
          : `default ${JSON.stringify(p.defaultValue)}`;
      const tags = [
        p.userConfigurable ? 'user-configurable' : 'fixed',
        p.required ? 'REQUIRED: must be given' : '',
      ].filter(Boolean);
      const label = p.label ? `  "${p.label}"` : '';
      line(`  ${p.key.padEnd(width)}  ${p.type.padEnd(7)}  ${value}; ${tags.join(', ')}${label}`);
    }
  }
  if (view.networks.length > 0) {
    line('networks (--net PKGNET=HOSTNET):');
    for (const n of view.networks) {
      const m = mapping.get(n.name);
      const desc = n.description ? ` (${n.description})` : '';
      line(`  ${n.name}${desc} -> ${m?.to ?? n.name}${m ? `: ${m.why}` : ''}`);
    }
  }
  if (view.eulas.length > 0) {
    line(
      `license agreements (${view.eulas.length}; a deploy needs --accept-eula, or "acceptEula": true in its --options file):`,
    );
    view.eulas.forEach((text, i) => {
      line(`--- license ${i + 1} of ${view.eulas.length} ---`);
      for (const l of text.split(/\r?\n/)) line(l);
    });
    line('--- end of license agreements ---');
  }
  for (const w of view.warnings) line(`warning: ${w}`);
}
