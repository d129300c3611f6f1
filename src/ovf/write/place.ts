import { CONTROLLERS, MODEL_SLOTS, placeDrives, readDevices, spell } from '../../model/index.js';
import type { OvfItem } from '../types.js';
import { type DescriptorTarget, TARGETS } from './target.js';
import type { DescriptorNoteCode } from './types.js';

/**
 * Drives where a platform can have them. Once a target has spelled its controllers (a virtio-blk controller
 * becomes VMware's PVSCSI, whose id 7 is the HBA's own; a CD on NVMe, which neither VMware nor VirtualBox
 * takes), each drive is placed again with the model's slot table (`placeDrives`): those that cannot stay move to
 * the first free slot, or to a controller added for them. `generic` keeps the definition's places.
 */
export function placeForTarget(
  items: OvfItem[],
  target: DescriptorTarget,
  note: (code: DescriptorNoteCode, message: string) => void,
): OvfItem[] {
  const producer = TARGETS[target].producer;
  if (producer === undefined) return items;
  const view = readDevices({ system: {}, resources: items.map((i) => i.resource) });
  const { placements, added, unplaced } = placeDrives(view, MODEL_SLOTS);
  const out = [...items];
  for (const a of added) {
    const spelling = spell(a.kind, producer) ?? spell(a.kind, 'vessel')!;
    const { Model: _model, ...rasd } = spelling;
    const item: OvfItem = {
      element: 'Item',
      resource: {
        cimClass: 'CIM_ResourceAllocationSettingData',
        properties: {
          ElementName: `${CONTROLLERS[a.kind].name} controller`,
          InstanceID: a.instanceId,
          ...rasd,
        },
      },
      attrs: [],
      extra: [],
    };
    const first = out.findIndex(
      (i) => placements.get(i.resource.properties.InstanceID ?? '')?.controller === a.instanceId,
    );
    out.splice(first < 0 ? out.length : first, 0, item);
    note('CONTROLLER', `Added ${CONTROLLERS[a.kind].name} controller "${a.instanceId}" for ${target}`);
  }
  for (const item of out) {
    const p = item.resource.properties;
    const placed = placements.get(p.InstanceID ?? '');
    if (placed === undefined) continue;
    if (placed.controller === p.Parent && String(placed.slot) === p.AddressOnParent?.trim()) continue;
    const why = placed.moved ?? (p.Parent === undefined ? 'it names no controller' : undefined);
    p.Parent = placed.controller;
    p.AddressOnParent = String(placed.slot);
    if (why !== undefined)
      note(
        'CONTROLLER',
        `Drive "${p.InstanceID}" placed at slot ${placed.slot} of controller "${placed.controller}" for ${target}: ${why}`,
      );
  }
  for (const u of unplaced)
    note('CONTROLLER', `Drive "${u.instanceId}" has no place on ${target}: ${u.reason}`);
  return out;
}
