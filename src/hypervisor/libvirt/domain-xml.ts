import { readLibvirt, type SystemPackage, Warnings, writeLibvirt } from '../../formats/index.js';
import { imagePath, type VirtualSystemDefinition } from '../../model/index.js';

/** RASD ResourceType values of drives whose HostResource is an image (DSP1041: 15/16 CD/DVD, 14 floppy, 17 disk). */
const IMAGE_KINDS: Record<number, 'disk' | 'file'> = {
  17: 'disk',
  31: 'disk',
  15: 'file',
  16: 'file',
  14: 'file',
};

/**
 * A host definition as libvirt domain XML, through src/formats' libvirt writer: image paths become the package's
 * disks and files (`ovf:/disk/<id>`, `ovf:/file/<id>`), `type` is the domain type (`qemu` for TCG, `test` for
 * libvirt's test driver). A disk image named `*.qcow2` (what a deploy writes) is a qcow2, any other one raw.
 * Returns what the writer could not express, one line each.
 *
 * @example
 * const { xml } = domainXml(def, 'qemu'); // '<domain type="qemu"><name>web1</name>...'
 */
export function domainXml(def: VirtualSystemDefinition, type: string): { xml: string; notes: string[] } {
  const pkg: SystemPackage = { definition: structuredClone(def), disks: [], files: [] };
  pkg.definition.resources.forEach((r, i) => {
    const kind = IMAGE_KINDS[Number(r.properties.ResourceType)];
    const path = imagePath(r.properties.HostResource?.[0]);
    if (kind === undefined || path === undefined) return;
    const id = `${kind}${i}`;
    if (kind === 'disk') pkg.disks.push({ id, file: path, format: /\.qcow2$/i.test(path) ? 'qcow2' : 'raw' });
    else pkg.files.push({ id, file: path });
    r.properties.HostResource = [`ovf:/${kind}/${id}`];
  });
  const warnings = new Warnings();
  const { output } = writeLibvirt(
    pkg,
    { imageDirectory: '/', domainType: 'qemu', hostFacts: true },
    warnings,
  );
  // The writer knows kvm and qemu; libvirt's other drivers (test, xen, lxc...) differ only in this attribute.
  let xml = type === 'qemu' ? output : output.replace(/^<domain type="qemu"/, `<domain type="${type}"`);
  // BIOS is what libvirt boots without firmware autoselection, which needs firmware descriptors SeaBIOS lacks here.
  xml = xml.replace('<os firmware="bios">', '<os>');
  // One image as two drives (a disk and a CD-ROM of it): QEMU's image locking refuses that unless both are shared.
  const files = [...xml.matchAll(/<source file="([^"]*)"/g)].map((m) => m[1]);
  const shared = new Set(files.filter((f, i) => files.indexOf(f) !== i));
  if (shared.size > 0) {
    xml = xml.replace(/<disk [^>]*>[\s\S]*?<\/disk>/g, (d) => {
      const f = /<source file="([^"]*)"/.exec(d)?.[1];
      return f !== undefined && shared.has(f) ? d.replace('</disk>', '<shareable/></disk>') : d;
    });
  }
  // Every system has a serial console, as on the embedded QEMU driver: a pty libvirt streams (DOMAIN_OPEN_CONSOLE).
  if (!xml.includes('<serial'))
    xml = xml.replace('</devices>', '<serial type="pty"><target port="0"/></serial></devices>');
  return { xml, notes: warnings.list.map((w) => w.message) };
}

/**
 * A domain XML read back as a host definition (src/formats' libvirt reader), image references turned back into
 * paths. Domains defined by other tools (virsh) read the same way.
 *
 * @example
 * const def = definitionOf(await client.call('DOMAIN_GET_XML_DESC', { dom, flags: 2 }).then((r) => r.xml));
 */
export function definitionOf(xml: string): VirtualSystemDefinition {
  const pkg = readLibvirt(xml, new Warnings());
  const paths = new Map<string, string | undefined>([
    ...pkg.disks.map((d) => [`ovf:/disk/${d.id}`, d.file] as const),
    ...pkg.files.map((f) => [`ovf:/file/${f.id}`, f.file] as const),
  ]);
  for (const r of pkg.definition.resources) {
    const ref = r.properties.HostResource?.[0];
    if (ref === undefined || !paths.has(ref)) continue;
    const path = paths.get(ref);
    if (path === undefined) delete r.properties.HostResource;
    else r.properties.HostResource = [path];
  }
  return pkg.definition;
}
