import { formatBytes } from '../../model/index.js';
import { isTarFile, readOvaDescriptor } from '../../ova/index.js';
import * as ovf from '../../ovf/index.js';
import { readInput, requireReadableFile } from '../files.js';
import { println } from '../output.js';

/**
 * Reads the descriptor of an .ovf file, or of an .ova package (its first member): a file that starts like a tar
 * archive, or one named `.ova` (so that a damaged or gzip-compressed package is called what it is, not bad XML).
 */
export async function readDescriptor(file: string): Promise<ovf.OvfEnvelope> {
  await requireReadableFile(file);
  if (await isPackage(file)) {
    const { name, data } = await readOvaDescriptor(file);
    return ovf.parseOvf(data, { file: `${file}/${name}` });
  }
  return ovf.parseOvf(await readInput(file), { file });
}

/** True when `file` is to be read as an OVA: it starts like a tar archive, or its name ends in `.ova`. */
export async function isPackage(file: string): Promise<boolean> {
  return /\.ova$/i.test(file) || (await isTarFile(file));
}

/** A description line under an entry, when there is one (blank lines folded). */
function describe(indent: string, text: string | undefined): void {
  const t = text?.replace(/\s+/g, ' ').trim();
  if (t) println(`${indent}${t}`);
}

/** Prints the EULA texts of every system, as `vessel ovf info --eula` shows them. */
export function printEulas(name: string, info: ovf.OvfInfo): void {
  const all = info.systems.flatMap((s) => s.eulas.map((text) => ({ id: s.id, text })));
  if (all.length === 0) {
    println(`${name}: no EULA`);
    return;
  }
  for (const [i, e] of all.entries()) {
    println(`--- EULA ${i + 1} of ${all.length} (system "${e.id}") ---`);
    println(e.text.trimEnd());
  }
}

/** Prints an {@link ovf.OvfInfo} for people. */
export function printInfo(name: string, info: ovf.OvfInfo): void {
  println(`${name}: OVF ${info.ovfVersion}`);
  if (info.files.length) {
    println('Files:');
    for (const f of info.files) {
      const extra = [
        f.sizeBytes === undefined ? 'size unknown' : formatBytes(f.sizeBytes),
        f.compression,
        f.chunkSizeBytes ? `chunks of ${formatBytes(f.chunkSizeBytes)}` : undefined,
      ];
      println(`  ${f.id.padEnd(12)} ${f.href}  (${extra.filter(Boolean).join(', ')})`);
    }
  }
  if (info.disks.length) {
    println('Disks:');
    for (const d of info.disks) {
      const cap = d.capacityBytes === undefined ? d.capacityText : formatBytes(d.capacityBytes);
      println(
        `  ${d.diskId.padEnd(12)} capacity ${cap}${d.fileRef ? `  file ${d.fileRef}` : '  (blank)'}${d.format ? `  ${d.format.replace(/^.*#/, '')}` : ''}`,
      );
    }
  }
  if (info.networks.length) {
    println('Networks:');
    for (const n of info.networks) println(`  ${n.name}${n.description ? `  ${n.description}` : ''}`);
  }
  if (info.configurations.length) {
    println('Deployment options:');
    for (const c of info.configurations) {
      println(`  ${c.id}${c.default ? ' (default)' : ''}  ${c.label}`);
      describe('      ', c.description);
    }
  }
  for (const s of info.systems) {
    println(
      `System "${s.id}"${s.name ? ` (${s.name})` : ''}${s.virtualSystemType ? `  type ${s.virtualSystemType}` : ''}`,
    );
    if (s.osDescription || s.osId) println(`  OS: ${s.osDescription ?? ''} [id ${s.osId ?? '?'}]`);
    for (const p of s.products) {
      if (p.product || p.vendor)
        println(`  Product: ${p.product ?? ''} ${p.version ?? ''}  ${p.vendor ? `by ${p.vendor}` : ''}`);
      if (p.fullVersion) println(`    full version: ${p.fullVersion}`);
      if (p.productUrl) println(`    product URL: ${p.productUrl}`);
      if (p.vendorUrl) println(`    vendor URL: ${p.vendorUrl}`);
      if (p.appUrl) println(`    application URL: ${p.appUrl}`);
    }
    if (s.transports.length) println(`  OVF environment transport: ${s.transports.join(', ')}`);
    if (s.eula)
      println(
        `  EULA: ${s.eulas.length} (must be accepted at deploy; vessel ovf info --eula prints the text)`,
      );
    for (const hw of s.hardware) {
      const cfg = hw.configuration;
      println(
        `  Hardware${cfg === undefined ? '' : ` [${cfg}]`}: ${hw.cpus ?? '?'} CPU(s), ${hw.memoryBytes === undefined ? '?' : formatBytes(hw.memoryBytes)} memory`,
      );
      for (const c of hw.controllers)
        println(`    controller ${c.instanceId}: ${c.model}${c.subtype ? ` (${c.subtype})` : ''}`);
      const at = (a: string | undefined) => (a === undefined ? '' : ` at ${a}`);
      for (const d of hw.disks) {
        println(`    disk ${d.name ?? d.instanceId}${at(d.address)} ${d.hostResource ?? ''}`);
        describe('      ', d.description);
      }
      for (const d of hw.media) {
        println(
          `    ${d.kind === 'cdrom' ? 'CD/DVD' : 'floppy'} ${d.name ?? d.instanceId}${at(d.address)} ${d.hostResource ?? '(empty)'}`,
        );
        describe('      ', d.description);
      }
      for (const n of hw.nics) {
        println(
          `    nic ${n.name ?? n.instanceId}: ${n.model ?? n.subtype ?? 'no model given'} -> ${n.network ?? '(none)'}${n.mac ? `  MAC ${n.mac}` : ''}`,
        );
        describe('      ', n.description);
      }
      for (const x of hw.other)
        println(`    ${x.type}${x.name ? `: ${x.name}` : ''}${x.connection ? ` -> ${x.connection}` : ''}`);
    }
    if (s.properties.length) {
      println('  Properties:');
      for (const p of s.properties) {
        const v = p.password ? '(password)' : JSON.stringify(p.value ?? '');
        println(
          `    ${p.key} (${p.type}${p.userConfigurable ? ', configurable' : ''}) = ${v}${p.label ? `  "${p.label}"` : ''}`,
        );
        describe('        ', p.description);
      }
    }
  }
}
