import { expect } from 'vitest';
import {
  buildDefinition,
  CONTROLLERS,
  type ResourceSetting,
  readDevices,
  spell,
  type VirtualSystemDefinition,
} from '../../../model/index.js';
import { DRIVER_STATE_OPERATIONS } from '../../capabilities.js';
import type { CaseContext, DriverCase } from '../types.case.test.js';
import { cleanup } from './helpers.case.test.js';

const rasd = (properties: ResourceSetting['properties']): ResourceSetting => ({
  cimClass: 'CIM_ResourceAllocationSettingData',
  properties,
});

/**
 * One system with everything the capabilities list, spelt as Vessel writes each model word: a NIC of every model,
 * a controller of every kind with a disk on it, a CD/DVD and a floppy when listed. The machine type is the default
 * one (pc), where IDE exists.
 */
function everything(t: CaseContext, name: string): VirtualSystemDefinition {
  const def = buildDefinition({ name, cpus: 1, memoryBytes: 128n << 20n, disks: [], serial: true });
  let id = 100;
  const disk = t.options.guest.disk;
  for (const c of t.caps.devices.controllers) {
    const spelt = spell(c.kind, 'vessel');
    if (spelt?.ResourceType === undefined) continue;
    const ctl = String(id++);
    def.resources.push(rasd({ InstanceID: ctl, ...spelt }));
    def.resources.push(
      rasd({
        InstanceID: String(id++),
        ResourceType: '17',
        Parent: ctl,
        AddressOnParent: '0',
        HostResource: [disk],
      }),
    );
  }
  if (t.caps.devices.driveKinds.includes('cdrom'))
    def.resources.push(rasd({ InstanceID: String(id++), ResourceType: '15', HostResource: [disk] }));
  if (t.caps.devices.driveKinds.includes('floppy'))
    def.resources.push(rasd({ InstanceID: String(id++), ResourceType: '14', HostResource: [disk] }));
  for (const model of t.caps.devices.nicModels) {
    const spelt = spell(model, 'vessel');
    def.resources.push(
      rasd({ InstanceID: String(id++), ...spelt, ResourceType: '10', Connection: ['user'] }),
    );
  }
  return def;
}

/** Errors of validate(def, 'define'), as `code: message`. */
async function errors(t: CaseContext, def: VirtualSystemDefinition): Promise<string[]> {
  return (await t.driver.validate(def, 'define'))
    .filter((p) => p.severity === 'error')
    .map((p) => `${p.code}: ${p.message}`);
}

/** Starts a definition and powers it off at once: what `start` accepts, beyond what `validate` says. */
async function starts(t: CaseContext, def: VirtualSystemDefinition): Promise<void> {
  const d = t.driver;
  const { uuid } = await d.define(def);
  try {
    if (d.start === undefined) return;
    await d.start(uuid);
    expect((await d.getState(uuid)).state).not.toBe('stopped');
  } finally {
    await cleanup(t, uuid);
  }
}

/** What a driver says it can do is what it accepts, and what it does not list it refuses. */
export const capabilityCases: DriverCase[] = [
  {
    id: 'capabilities.coherent',
    title: 'accepts and starts everything its capabilities list, and refuses what they do not',
    timeoutMs: 120_000,
    async run(t) {
      const { caps, driver: d } = t;
      expect(caps.driver).toMatchObject({ uri: d.uri, ownsInventory: d.ownsInventory });
      expect(caps.accelerators.some((a) => a.usable && a.reason !== '')).toBe(true);
      expect(caps.machineTypes.filter((m) => m.isDefault)).toHaveLength(1);
      // The state operations listed are exactly the entry points the driver has.
      for (const op of DRIVER_STATE_OPERATIONS) {
        const has = typeof (d as unknown as Record<string, unknown>)[op] === 'function';
        expect([op, caps.operations.includes(op)]).toEqual([op, has]);
      }

      const all = everything(t, 'conf-caps');
      const view = readDevices(all);
      expect(view.nics.map((n) => n.model)).toEqual(caps.devices.nicModels);
      expect(await errors(t, all)).toEqual([]);
      await starts(t, all);
      for (const fw of caps.firmware) {
        const def = buildDefinition({
          name: `conf-fw-${fw}`,
          cpus: 1,
          memoryBytes: 128n << 20n,
          firmware: fw,
        });
        expect([fw, await errors(t, def)]).toEqual([fw, []]);
        await starts(t, def);
      }
      for (const m of caps.machineTypes) {
        for (const vst of m.virtualSystemTypes) {
          const def = buildDefinition({ name: `conf-mt-${m.name}`, cpus: 1, memoryBytes: 128n << 20n });
          def.system.VirtualSystemType = vst;
          expect([vst, await errors(t, def)]).toEqual([vst, []]);
          await starts(t, def);
        }
      }

      // What is not listed is refused.
      const nic = buildDefinition({
        name: 'conf-nic',
        cpus: 1,
        memoryBytes: 128n << 20n,
        nics: [{ network: 'user', model: 'SriovEthernetCard' }],
      });
      expect(await errors(t, nic)).toHaveLength(1);
      const scsi = caps.devices.controllers.find((c) => CONTROLLERS[c.kind].bus === 'scsi');
      if (scsi !== undefined) {
        const def = buildDefinition({ name: 'conf-scsi', cpus: 1, memoryBytes: 128n << 20n });
        def.resources.push(rasd({ InstanceID: '90', ResourceType: '6', ResourceSubType: 'ncr5380' }));
        expect(await errors(t, def)).toHaveLength(1);
      }
      if (!caps.firmware.includes('efi')) {
        const def = buildDefinition({ name: 'conf-efi', cpus: 1, memoryBytes: 128n << 20n, firmware: 'efi' });
        expect(await errors(t, def)).toHaveLength(1);
      }
      const big = buildDefinition({ name: 'conf-big', cpus: caps.limits.cpus + 1, memoryBytes: 128n << 20n });
      expect(await errors(t, big)).toHaveLength(1);
      expect(await d.lookup('conf-nic')).toBeUndefined();
    },
  },
];
