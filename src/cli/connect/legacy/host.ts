import { hostname } from 'node:os';
import {
  type Capabilities,
  type HostApi,
  STATE_OPERATIONS,
  type StateOperation,
} from '../../../api/index.js';
import type { HostClient, HostInfo as HostHostInfo } from '../../../host/index.js';
import { DEFAULT_LIMITS } from '../../../model/index.js';
import { hostInfoOf } from './values.js';

/**
 * What a host of the old socket protocol can do, from what its `host.info` reports: the driver, the accelerator
 * it chose and why, and the driver's optional operations. The lists that protocol does not report (machine
 * types, firmware, device models) are empty, and the limits are the model's defaults, which that host applies.
 */
export function capabilitiesOf(i: HostHostInfo): Capabilities {
  const ops = new Set<string>(i.capabilities);
  const operations = STATE_OPERATIONS.filter(
    (op: StateOperation) => ops.has(op) || op === 'start' || op === 'powerOff',
  );
  return {
    driver: {
      uri: i.uri,
      name: i.driver,
      ...(i.hypervisorVersion === undefined ? {} : { version: i.hypervisorVersion }),
      ownsInventory: false,
    },
    accelerators: [{ name: i.accelerator, usable: true, reason: i.acceleratorReason }],
    machineTypes: [],
    firmware: [],
    devices: { controllers: [], nicModels: [], driveKinds: [], consoles: ['serial'] },
    limits: DEFAULT_LIMITS,
    operations,
    features: {
      hotplug: { disk: ops.has('attachDevice'), nic: ops.has('attachDevice'), memory: ops.has('setMemory') },
      snapshots: false,
      migration: false,
      deploy: true,
      export: true,
      events: true,
      stats: ops.has('stats'),
      users: false,
      consoles: true,
      metadata: true,
      pools: 'manage',
      networks: 'none',
    },
  };
}

/** The `host` namespace over the old socket protocol. */
export function legacyHost(client: HostClient): HostApi {
  return {
    async info() {
      return hostInfoOf(await client.call<HostHostInfo>('host.info'), hostname(), '');
    },
    async capabilities() {
      return capabilitiesOf(await client.call<HostHostInfo>('host.info'));
    },
  };
}
