import { ResourceType } from '../../model/index.js';
import { OvfError } from '../errors.js';
import { itemsFor } from '../select.js';
import type { OvfContent, OvfEnvelope, OvfItem } from '../types.js';
import { hardware, itemsForEdit, itemsOfType, requireConfiguration, settleOverrides } from './core.js';
import { descriptorProducer, nicSubtype } from './devices.js';

/**
 * NIC edits (COT's edit-hardware --nic-types, --nic-names, --mac-addresses-list): the adapter model, the name
 * and the MAC of existing NICs, for every deployment option or one (`configuration`; a NIC other options share
 * gets an override for it, see `itemsForEdit`).
 */

/** A change to the NICs: `values` has one value for every NIC, or one per NIC (NIC 1, 2, ... in order). */
export interface NicEdit {
  what: 'model' | 'name' | 'mac';
  values: readonly string[];
}

/**
 * A MAC address in colon form, lower case: six hex octets separated by `:` or `-`. A group (multicast) address,
 * the broadcast address and all zeros are refused: no adapter can have them.
 *
 * @example
 * normalizeMac('00-50-56-AB-CD-EF'); // '00:50:56:ab:cd:ef'
 */
export function normalizeMac(text: string): string {
  const t = text.trim();
  if (!/^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$/i.test(t) || (t.includes(':') && t.includes('-')))
    throw new OvfError('OVF_EDIT', `"${text}" is no MAC address`, {
      hint: 'Six hex octets, e.g. 00:50:56:ab:cd:ef',
    });
  const mac = t.toLowerCase().replace(/-/g, ':');
  if (mac === '00:00:00:00:00:00')
    throw new OvfError('OVF_EDIT', 'The MAC address 00:00:00:00:00:00 is not an address');
  if (Number.parseInt(mac.slice(0, 2), 16) & 1)
    throw new OvfError(
      'OVF_EDIT',
      `${mac} is a group (multicast or broadcast) address, which no adapter can have`,
    );
  return mac;
}

/** `{N}` in a name counts from N: `GigabitEthernet{1}` names NIC 1, 2, 3 `GigabitEthernet1`, `2`, `3`. */
function expand(pattern: string, index: number): string {
  return pattern.replace(/\{(\d+)\}/g, (_, n: string) => String(Number(n) + index));
}

/**
 * Changes the model, name or MAC of the system's NICs, for every deployment option or for `configuration`. One
 * value applies to every NIC (a name with `{N}` counts from N; one MAC is for NIC 1 only, as two NICs cannot share
 * it); several apply to NIC 1, 2, ... in order, and more values than NICs are refused. A model is a NIC model of
 * the model's vocabulary or a producer's spelling, written as the descriptor's producer spells it.
 *
 * @example
 * editNics(env, system, { what: 'name', values: ['GigabitEthernet{1}'] });
 * editNics(env, system, { what: 'mac', values: ['00:50:56:aa:00:01'] }, 'small');
 */
export function editNics(env: OvfEnvelope, system: OvfContent, edit: NicEdit, configuration?: string): void {
  if (configuration !== undefined) requireConfiguration(env, configuration);
  const hw = hardware(system);
  const nics = itemsFor(itemsOfType(hw, ResourceType.EthernetAdapter, configuration), configuration);
  const where = configuration === undefined ? '' : ` in deployment option "${configuration}"`;
  if (nics.length === 0) throw new OvfError('OVF_EDIT', `The system has no NIC${where}`);
  const { values } = edit;
  if (values.length > nics.length)
    throw new OvfError(
      'OVF_EDIT',
      `${values.length} values for ${edit.what}, but the system has ${nics.length} NIC(s)${where}`,
    );
  const each = edit.what === 'mac' || values.length > 1;
  const prepared = values.map((v) =>
    edit.what === 'mac'
      ? normalizeMac(v)
      : edit.what === 'model'
        ? nicSubtype(v, descriptorProducer(system))
        : v,
  );
  const valueFor = new Map<string, string>();
  for (const [i, nic] of nics.entries()) {
    const id = nic.resource.properties.InstanceID;
    if (id === undefined) continue;
    const v = each ? prepared[i] : prepared[0];
    if (v === undefined) continue;
    valueFor.set(id, edit.what === 'name' && !each ? expand(v, i) : v);
  }
  for (const item of itemsForEdit(env, hw, ResourceType.EthernetAdapter, configuration)) {
    const v = valueFor.get(item.resource.properties.InstanceID ?? '');
    if (v !== undefined) apply(item, edit.what, v);
  }
  settleOverrides(hw);
  if (edit.what === 'mac') uniqueMacs(hw.items);
}

function apply(item: OvfItem, what: NicEdit['what'], v: string): void {
  const p = item.resource.properties;
  if (what === 'model') p.ResourceSubType = v;
  else if (what === 'name') p.ElementName = v;
  else p.Address = v;
}

/** Refuses two NICs (different InstanceIDs) with one MAC. */
function uniqueMacs(items: readonly OvfItem[]): void {
  const seen = new Map<string, string>();
  for (const i of items) {
    const p = i.resource.properties;
    if (Number(p.ResourceType) !== ResourceType.EthernetAdapter || p.Address === undefined) continue;
    const mac = p.Address.toLowerCase().replace(/-/g, ':');
    const other = seen.get(mac);
    if (other !== undefined && other !== p.InstanceID)
      throw new OvfError('OVF_EDIT', `NICs "${other}" and "${p.InstanceID}" would both have the MAC ${mac}`);
    seen.set(mac, p.InstanceID ?? '');
  }
}
