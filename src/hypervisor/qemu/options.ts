import { createHash } from 'node:crypto';

/** A safe QEMU id from a RASD InstanceID: letters, digits, `-`, `_`, `.`; other characters become `_`. */
export function qemuId(prefix: string, instanceId: string): string {
  return `${prefix}-${instanceId.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

/** Escapes a value for QEMU's `key=value,...` option syntax, where a comma is written twice. */
export function optValue(v: string): string {
  return v.replaceAll(',', ',,');
}

/**
 * The block node name of a drive: `drive-<InstanceID>`, or `drive-<hash>` when that would not leave room for the
 * `-base-file` suffix in QEMU's 31-character node names (block.c, `BlockDriverState.node_name[32]`).
 */
export function nodeName(instanceId: string): string {
  const id = qemuId('drive', instanceId);
  return id.length <= 21 ? id : `drive-${createHash('sha256').update(instanceId).digest('hex').slice(0, 12)}`;
}

/**
 * The tap device of a VM's NIC at `index` on a bridge: `vt`, 8 hex digits of a hash of the UUID, and the index,
 * so it fits the kernel's 15-character interface names (IFNAMSIZ) and is found again after a host restart.
 */
export function tapName(uuid: string, index: number): string {
  return `vt${createHash('sha256').update(uuid).digest('hex').slice(0, 8)}${index}`;
}
