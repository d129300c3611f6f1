import type { RemoteNonnullDomain } from '../../libvirt/index.js';
import type { ResourceSetting, VirtualSystemDefinition } from '../../model/index.js';
import type { ControllerCapability } from '../capabilities.js';
import { HypervisorError } from '../errors.js';
import { checkHotplugBus } from '../hotplug-bus.js';
import type { DriverDiagnostic } from '../types.js';
import { throwFirstError } from '../validate.js';
import {
  AFFECT_LIVE_CONFIG,
  attachPlan,
  detachPlan,
  liveDevices,
  METADATA_ELEMENT,
  VESSEL_NS,
} from './hotplug.js';
import type { DomainLookup } from './lookup.js';

/** What hot-plug needs of the driver besides the lookup. */
export interface HotplugContext {
  look: DomainLookup;
  /** The `type` of the domains the driver writes (`qemu`, `test`). */
  domainType: string;
  /** The driver's controllers (which take a hot-plugged drive). */
  controllers(): Promise<readonly ControllerCapability[]>;
  validate(def: VirtualSystemDefinition): Promise<DriverDiagnostic[]>;
}

/**
 * Disk and NIC hot-plug on libvirt (virDomainAttachDeviceFlags / virDomainDetachDeviceFlags, live and config),
 * each device's InstanceID kept in Vessel's metadata element. A disk whose Parent is a controller QEMU cannot
 * hot-plug on (IDE, SATA, NVMe) is refused as the QEMU driver refuses it (`checkHotplugBus`); a disk without a
 * Parent goes where the domain XML writer places it, on virtio-blk when that is a cold bus (`attachPlan`).
 *
 * @example
 * await new LibvirtHotplug(ctx).attach(uuid, { cimClass: 'CIM_ResourceAllocationSettingData', properties: {...} });
 */
export class LibvirtHotplug {
  constructor(private readonly ctx: HotplugContext) {}

  /** Vessel's metadata element of the running domain and its definition (the InstanceIDs of its devices). */
  private async setFacts(dom: RemoteNonnullDomain, facts: string): Promise<void> {
    await this.ctx.look.call(`Cannot keep the InstanceIDs of "${dom.name}"`, () =>
      this.ctx.look.client().call('DOMAIN_SET_METADATA', {
        dom,
        type: METADATA_ELEMENT,
        metadata: facts,
        key: 'vessel',
        uri: VESSEL_NS,
        flags: AFFECT_LIVE_CONFIG,
      }),
    );
  }

  /** Hot-plugs a disk or NIC into a running domain and its definition. */
  async attach(uuid: string, resource: ResourceSetting): Promise<void> {
    const { look } = this.ctx;
    const dom = await look.activeDomain(uuid, 'attach a device to');
    const def = await look.definition(dom);
    const added = structuredClone(resource);
    added.properties.InstanceID ??= String(
      Math.max(0, ...def.resources.map((x) => Number(x.properties.InstanceID)).filter(Number.isSafeInteger)) +
        1,
    );
    const id = added.properties.InstanceID;
    if (def.resources.some((r) => r.properties.InstanceID === id))
      throw new HypervisorError('VM_EXISTS', `"${dom.name}" already has a resource "${id}"`);
    const next = { ...def, resources: [...def.resources, added] };
    throwFirstError(await this.ctx.validate(next));
    checkHotplugBus(next, id, await this.ctx.controllers(), 'QEMU');
    const plan = attachPlan(next, id, this.ctx.domainType, liveDevices(await look.liveXml(dom)).targets);
    await look.call(`Cannot attach "${id}" to "${dom.name}"`, () =>
      look.client().call('DOMAIN_ATTACH_DEVICE_FLAGS', { dom, xml: plan.device, flags: AFFECT_LIVE_CONFIG }),
    );
    await this.setFacts(dom, plan.facts);
  }

  /**
   * Hot-unplugs a disk or NIC by its InstanceID and waits (10 s) for the guest to release it: until the running
   * domain no longer has it.
   */
  async detach(uuid: string, instanceId: string): Promise<void> {
    const { look } = this.ctx;
    const dom = await look.activeDomain(uuid, 'detach a device from');
    const def = await look.definition(dom);
    if (!def.resources.some((r) => r.properties.InstanceID === instanceId))
      throw new HypervisorError('VM_NOT_FOUND', `No device "${instanceId}" in "${dom.name}"`);
    const plan = detachPlan(def, instanceId, this.ctx.domainType);
    const ident =
      plan.kind === 'nic'
        ? /<mac address="([^"]+)"/.exec(plan.device)?.[1]?.toLowerCase()
        : /<target dev="([^"]+)"/.exec(plan.device)?.[1];
    await look.call(`Cannot detach "${instanceId}" from "${dom.name}"`, () =>
      look.client().call('DOMAIN_DETACH_DEVICE_FLAGS', { dom, xml: plan.device, flags: AFFECT_LIVE_CONFIG }),
    );
    await this.setFacts(dom, plan.facts);
    const end = Date.now() + 10_000;
    for (;;) {
      const live = liveDevices(await look.liveXml(dom));
      if (ident === undefined || !(plan.kind === 'nic' ? live.macs : live.targets).includes(ident)) return;
      if (Date.now() > end)
        throw new HypervisorError('TIMEOUT', `The guest did not release device "${instanceId}" within 10 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
