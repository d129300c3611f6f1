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
 * The tap device of a VM's NIC on a bridge: `vt` and 12 hex digits of a hash of the UUID and the NIC's InstanceID,
 * so it fits the kernel's 15-character interface names (IFNAMSIZ), is found again after a host restart, and stays
 * the NIC's own when other NICs are hot-plugged or unplugged.
 */
export function tapName(uuid: string, nicInstanceId: string): string {
  return `vt${createHash('sha256').update(`${uuid}/${nicInstanceId}`).digest('hex').slice(0, 12)}`;
}
