import { type StaticDecode, Type } from '@sinclair/typebox';
import type { ControllerKind, DriveKind, Firmware, NicModel } from '../model/index.js';
import { HostLimitsSchema } from './model-schemas.js';
import { StateOperationSchema } from './operations.js';
import { oneOf, typed } from './schema.js';

/**
 * What a host can do, as seen through one transport (a transport removes what it cannot carry). The driver
 * supplies `driver` to `features.snapshots`; the host adds the rest. CIM validates VirtualSystemType and value
 * sets against it; `vessel host info --json` prints it.
 *
 * Firmware and NIC model names are strings until item 1's `Firmware` and `NicModel` land in src/model; the
 * controller and drive kinds are the model's today.
 */

/** The console kinds: the first serial port as raw bytes, the display as RFB. */
export const CONSOLE_KINDS = ['serial', 'vnc'] as const;

/** A console kind (see {@link CONSOLE_KINDS}). */
export type ConsoleKind = (typeof CONSOLE_KINDS)[number];

const Flag = Type.Boolean();

/** Wire schema of {@link Capabilities}. */
export const CapabilitiesSchema = Type.Object({
  driver: Type.Object({
    uri: Type.String({ maxLength: 1024 }),
    name: Type.String({ maxLength: 128 }),
    version: Type.Optional(Type.String({ maxLength: 128 })),
    /** True when the hypervisor keeps the inventory (libvirt, Hyper-V); false when the host's store does. */
    ownsInventory: Flag,
  }),
  /** kvm, tcg, ... and why each can or cannot be used. */
  accelerators: Type.Array(Type.Object({ name: Type.String(), usable: Flag, reason: Type.String() })),
  machineTypes: Type.Array(
    Type.Object({ name: Type.String(), isDefault: Flag, virtualSystemTypes: Type.Array(Type.String()) }),
  ),
  /** `bios`, `efi` (model `Firmware`, issue 10 item 1). */
  firmware: Type.Array(typed<Firmware>(Type.String({ maxLength: 64 }))),
  devices: Type.Object({
    controllers: Type.Array(
      Type.Object({
        kind: typed<ControllerKind>(Type.String({ maxLength: 64 })),
        maxSlots: Type.Integer({ minimum: 0 }),
        hotplug: Flag,
      }),
    ),
    /** `e1000`, `virtio`, ... (model `NicModel`, issue 10 item 1). */
    nicModels: Type.Array(typed<NicModel>(Type.String({ maxLength: 64 }))),
    driveKinds: Type.Array(typed<DriveKind>(Type.String({ maxLength: 64 }))),
    consoles: Type.Array(oneOf(CONSOLE_KINDS)),
  }),
  limits: HostLimitsSchema,
  /** The state changes `systems.changeState` takes on this host. */
  operations: Type.Array(StateOperationSchema),
  features: Type.Object({
    hotplug: Type.Object({ disk: Flag, nic: Flag, memory: Flag }),
    snapshots: Flag,
    migration: Flag,
    deploy: Flag,
    export: Flag,
    events: Flag,
    stats: Flag,
    users: Flag,
    consoles: Flag,
    /** `consoles.screenshot`: a PNG of a running system's display. */
    screenshot: Flag,
    metadata: Flag,
    /** `systems.undefine` with `keepDisks`: the guest's disks are kept as images in a storage pool. */
    keepDisks: Flag,
    pools: oneOf(['none', 'read', 'manage'] as const),
    networks: oneOf(['none', 'read', 'manage'] as const),
  }),
});

/**
 * What a host can do through this transport.
 *
 * @example
 * const caps = await api.host.capabilities();
 * if (!caps.operations.includes('suspend')) console.log('no suspend here');
 */
export type Capabilities = StaticDecode<typeof CapabilitiesSchema>;
