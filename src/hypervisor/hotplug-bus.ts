import { CONTROLLERS, readDevices, type VirtualSystemDefinition } from '../model/index.js';
import type { ControllerCapability } from './capabilities.js';
import { HypervisorError } from './errors.js';

/**
 * Refuses a drive hot-plug onto a controller the driver cannot hot-plug on (its capabilities say `hotplug: false`:
 * QEMU's IDE, SATA (AHCI) and NVMe buses take no drive while the guest runs), before anything changes: with the
 * bus and the controller named, and the buses that do take one. A drive whose Parent names no controller is the
 * driver's to place (QEMU and libvirt put it on SCSI when the system has an HBA, else on virtio-blk); the QEMU
 * and the libvirt driver both call this, so both refuse the same way.
 *
 * @example
 * checkHotplugBus(next, 'd9', QEMU_CONTROLLER_CAPABILITIES, 'QEMU');
 * // HypervisorError NOT_SUPPORTED: Cannot attach disk "d9" to "web1" while it runs: QEMU cannot hot-plug a disk on IDE (controller "3")
 */
export function checkHotplugBus(
  def: VirtualSystemDefinition,
  instanceId: string,
  controllers: readonly ControllerCapability[],
  hypervisor: string,
): void {
  const drive = readDevices(def).byId(instanceId);
  if (drive?.device !== 'drive' || drive.controller === undefined) return;
  const kind = drive.controller.kind;
  if (controllers.find((c) => c.kind === kind)?.hotplug !== false) return;
  const hot = [
    ...new Set(
      controllers
        .filter((c) => c.hotplug)
        .map((c) => (CONTROLLERS[c.kind].bus === 'scsi' ? 'SCSI' : CONTROLLERS[c.kind].name)),
    ),
  ];
  const name = def.system.ElementName ?? '';
  throw new HypervisorError(
    'NOT_SUPPORTED',
    `Cannot attach ${drive.kind} "${instanceId}" to "${name}" while it runs: ${hypervisor} cannot hot-plug a ${drive.kind} on ${CONTROLLERS[kind].name} (controller "${drive.controller.instanceId}")`,
    {
      hint: `Put it on ${hot.join(' or ')} (a Parent naming such a controller, or no Parent), or attach it while "${name}" is stopped`,
    },
  );
}
