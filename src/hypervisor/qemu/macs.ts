import { createHash } from 'node:crypto';
import { readDevices, type VirtualSystemDefinition } from '../../model/index.js';

/**
 * Gives every NIC without an Address a stable MAC in QEMU's locally administered range 52:54:00, derived from the
 * system's UUID and the NIC's InstanceID, so the guest sees the same MAC on every start.
 */
export function assignMacs(def: VirtualSystemDefinition): VirtualSystemDefinition {
  const uuid = def.system.VirtualSystemIdentifier ?? '';
  for (const { resource: r, macText } of readDevices(def).nics) {
    if (macText !== undefined && macText.trim() !== '') continue;
    const h = createHash('sha256')
      .update(`${uuid}/${r.properties.InstanceID ?? ''}`)
      .digest();
    r.properties.Address = `52:54:00:${[h[0], h[1], h[2]].map((b) => b!.toString(16).padStart(2, '0')).join(':')}`;
  }
  return def;
}
