import type { HypervisorDriver } from '../hypervisor/index.js';
import type { HostVmState, Store } from './store.js';

/**
 * A host start where the store is the master (`ownsInventory` false: the embedded QEMU driver, the test driver by
 * default): every stored definition is loaded into the driver, and systems that were running are adopted or, when
 * the driver cannot adopt or kept nothing running, recorded as stopped with why. `record` stores and publishes a
 * state change (cause `adoption`).
 */
export async function loadStoredSystems(
  driver: HypervisorDriver,
  store: Store,
  record: (uuid: string, name: string, state: HostVmState, reason: string) => void,
): Promise<void> {
  for (const vm of store.listVms()) {
    try {
      await driver.define(vm.definition);
    } catch (e) {
      record(vm.uuid, vm.name, 'stopped', `cannot be loaded: ${(e as Error).message}`);
      continue;
    }
    if (vm.state === 'stopped') continue;
    if (driver.adopt === undefined) {
      record(vm.uuid, vm.name, 'stopped', 'the host restarted and the driver cannot adopt');
      continue;
    }
    const info = await driver.adopt(vm.uuid);
    if (info.state === 'stopped' && info.reason === 'defined') {
      record(vm.uuid, vm.name, 'stopped', 'the driver kept nothing running across the restart');
    } else {
      // The driver's adoption event has been recorded already, unless the state did not change.
      const now = store.getVm(vm.uuid);
      if (now !== undefined && now.state !== info.state) {
        record(vm.uuid, vm.name, info.state, info.reason ?? 'adopted');
      }
    }
  }
}
