import type { VirtualSystemDefinition } from '../model/index.js';
import { imagePath } from '../model/index.js';

/** The absolute image paths a definition's drives name (disks, CDs, floppies), each once. */
export function definitionImages(def: VirtualSystemDefinition): string[] {
  const out = new Set<string>();
  for (const r of def.resources) {
    const p = imagePath(r.properties.HostResource?.[0]);
    if (p !== undefined) out.add(p);
  }
  return [...out];
}

/**
 * A copy of a definition whose drives name other paths (`moved`: old path -> new path), for a driver that keeps
 * images in its own storage (deploy: the host's files -> libvirt volumes; export: volumes -> local copies).
 *
 * @example
 * const local = withImages(def, new Map([['/pool/u-image-d1.qcow2', '/state/vms/u/export/d1.qcow2']]));
 */
export function withImages(
  def: VirtualSystemDefinition,
  moved: ReadonlyMap<string, string>,
): VirtualSystemDefinition {
  const out = structuredClone(def);
  for (const r of out.resources) {
    const p = imagePath(r.properties.HostResource?.[0]);
    const to = p === undefined ? undefined : moved.get(p);
    if (to !== undefined) r.properties.HostResource = [to];
  }
  return out;
}
